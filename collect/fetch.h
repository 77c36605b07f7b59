/*
 * fetch: `ccr collect fetch URL...`: run folders published by a static web
 * server, downloaded with libcurl (multi interface) and ingested.
 */
#ifndef CCR_FETCH_H
#define CCR_FETCH_H

#include <stddef.h>

/* entries one folder listing may hold: a CI node keeps thousands of runs, not millions */
#define FETCH_MAX_ENTRIES 100000
/* bytes of one listing page: 100000 entries of nginx autoindex at ~150 bytes each */
#define FETCH_MAX_LISTING (16 * 1024 * 1024)

struct fetch_entry {
	char *href;	/* as written in the listing (percent-encoded), "junit/" for a folder */
	char *name;	/* decoded file name, without the trailing '/'; safe as one path segment */
	int is_dir;
};

struct fetch_listing {
	struct fetch_entry *entries;	/* in listing order, each href once */
	size_t n;
};

/*
 * Reads an autoindex page (nginx, Apache, python3 -m http.server, ...) with
 * libxml2's HTML parser (no network, no errors printed) and keeps the links that
 * name an entry of this folder: relative, one path segment (a folder ends in '/'),
 * no query or fragment, not "." or "..", no scheme or leading '/'. Returns 0, or
 * -1 when it is not HTML at all or has more than FETCH_MAX_ENTRIES entries (nothing
 * printed). Free with fetch_listing_release().
 */
int fetch_parse_listing(const char *data, size_t len, struct fetch_listing *out);
void fetch_listing_release(struct fetch_listing *l);

/* 1 when a listing is a run folder: it has run.json, results.json or junit/ */
int fetch_is_run_folder(const struct fetch_listing *l);

#endif
