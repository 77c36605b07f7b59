/*
 * fetch: `ccr collect fetch URL...`.
 *
 * Every URL is a run folder, or a folder of run folders, on a static web server.
 * Folder listings (autoindex HTML) are read with libxml2's HTML parser; files are
 * downloaded with the curl multi interface, FETCH_JOBS at a time, into a private
 * temporary folder; a run whose every file arrived whole is ingested with
 * ingest_dir(), then the folder is removed. A run that misses one file is never
 * ingested. A run fetched before is checked with one conditional request on its
 * run.json (or results.json): 304, or the same bytes, means nothing to download.
 *
 * Transfers: http and https only (redirects too, at most FETCH_MAX_REDIRS), TLS
 * verified, a connect timeout and a stall timeout, a size cap per file, and
 * FETCH_RETRIES retries with doubling backoff for 5xx and transient errors.
 * A node that fails is an error for its URL only.
 */
#include "fetch.h"
#include "collect.h"
#include "ingest.h"

#include "../lib/buf.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/sha256.h"
#include "../lib/store.h"
#include "../lib/timeutil.h"

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* transfers at once: enough to hide latency, few enough for a small CI node */
#define FETCH_JOBS 4
/* retries after the first attempt, for 5xx and transient network errors */
#define FETCH_RETRIES 3
/* first retry delay; doubled each time (250, 500, 1000 ms) */
#define FETCH_BACKOFF_MS 250
/* seconds: connect timeout, and how long a transfer may stay below 1 byte/s (a stall) */
#define FETCH_TIMEOUT 30
/* bytes per file: the biggest harness logs are tens of MB; 1 GiB is a broken server */
#define FETCH_MAX_FILE (1024LL * 1024 * 1024)
/* redirects followed: a folder URL without its '/' needs one */
#define FETCH_MAX_REDIRS 5
/* folder levels inside a run folder (junit/, logs/, logs/<service>/) */
#define FETCH_MAX_DEPTH 3
/* files per run folder: a run has tens; more is not a run */
#define FETCH_MAX_RUN_FILES 20000
/* bytes of a key file (run.json, results.json) held in memory for the unchanged check */
#define FETCH_MAX_KEY (8 * 1024 * 1024)
/* bytes of a validator header kept (ETag, Last-Modified) */
#define FETCH_MAX_VALIDATOR 256

/* ---- listings ---------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* percent-decodes h[0..n); NULL when the result is no safe path segment */
static char *decode_segment(const char *h, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)h[i];
		if (c == '%') {
			if (i + 2 >= n)
				goto bad;
			int a = hexval(h[i + 1]), b = hexval(h[i + 2]);
			if (a < 0 || b < 0)
				goto bad;
			c = a * 16 + b;
			i += 2;
		}
		if (c == 0 || c == '/')
			goto bad;
		out[o++] = (char)c;
	}
	out[o] = 0;
	if (!o || o > 255 || !strcmp(out, ".") || !strcmp(out, ".."))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* a link to an entry of this folder: see fetch_parse_listing() */
static int entry_of(const char *h, struct fetch_entry *e)
{
	size_t n = strlen(h);
	if (!n || h[0] == '/' || strpbrk(h, "?#\\"))
		return 0;
	const char *slash = strchr(h, '/');
	const char *colon = strchr(h, ':');
	if (colon && (!slash || colon < slash))
		return 0; /* a scheme: another origin, or javascript: */
	if (slash && slash != h + n - 1)
		return 0; /* deeper than one segment, or "./x" */
	e->is_dir = slash != NULL;
	e->name = decode_segment(h, e->is_dir ? n - 1 : n);
	if (!e->name)
		return 0;
	e->href = xstrdup(h);
	return 1;
}

struct fetch_sorted {
	struct fetch_entry e;
	size_t pos;
};

static int cmp_href(const void *a, const void *b)
{
	const struct fetch_sorted *x = a, *y = b;
	int c = strcmp(x->e.href, y->e.href);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_pos(const void *a, const void *b)
{
	const struct fetch_sorted *x = a, *y = b;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

int fetch_parse_listing(const char *data, size_t len, struct fetch_listing *out)
{
	memset(out, 0, sizeof(*out));
	if (len > FETCH_MAX_LISTING || len > INT32_MAX)
		return -1;
	htmlDocPtr doc = htmlReadMemory(data, (int)len, NULL, NULL,
					HTML_PARSE_NONET | HTML_PARSE_NOERROR |
						HTML_PARSE_NOWARNING);
	if (!doc)
		return -1;
	struct fetch_sorted *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	xmlNode *node = xmlDocGetRootElement(doc);
	while (node) {
		if (node->type == XML_ELEMENT_NODE && !xmlStrcasecmp(node->name, BAD_CAST "a")) {
			xmlChar *href = xmlGetProp(node, BAD_CAST "href");
			struct fetch_entry e;
			if (href && entry_of((const char *)href, &e)) {
				if (n == FETCH_MAX_ENTRIES) {
					free(e.href);
					free(e.name);
					xmlFree(href);
					rc = -1;
					break;
				}
				if (n == cap) {
					cap = cap ? 2 * cap : 64;
					v = xrealloc(v, cap * sizeof(*v));
				}
				v[n].e = e;
				v[n].pos = n;
				n++;
			}
			xmlFree(href);
		}
		if (node->children && node->type == XML_ELEMENT_NODE) {
			node = node->children;
			continue;
		}
		while (node && !node->next)
			node = node->parent;
		if (node)
			node = node->next;
	}
	xmlFreeDoc(doc);
	/* each href once (Apache lists a name twice: icon and text), listing order kept */
	if (n) {
		qsort(v, n, sizeof(*v), cmp_href);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (k && !strcmp(v[k - 1].e.href, v[i].e.href)) {
				free(v[i].e.href);
				free(v[i].e.name);
				continue;
			}
			v[k++] = v[i];
		}
		n = k;
		qsort(v, n, sizeof(*v), cmp_pos);
	}
	out->entries = xcalloc(n ? n : 1, sizeof(*out->entries));
	for (size_t i = 0; i < n; i++)
		out->entries[i] = v[i].e;
	out->n = n;
	free(v);
	if (rc)
		fetch_listing_release(out);
	return rc;
}

void fetch_listing_release(struct fetch_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->entries[i].href);
		free(l->entries[i].name);
	}
	free(l->entries);
	memset(l, 0, sizeof(*l));
}

int fetch_is_run_folder(const struct fetch_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct fetch_entry *e = &l->entries[i];
		if (e->is_dir ? !strcmp(e->name, "junit")
			      : !strcmp(e->name, "run.json") || !strcmp(e->name, "results.json"))
			return 1;
	}
	return 0;
}

/* ---- the fetcher ------------------------------------------------------- */

struct target {			/* one URL from the command line */
	char *url;
	int failed;
};

struct known {			/* what fetch_cache remembers about a run folder */
	int found;
	char *key_url, *etag, *last_modified, *key_hash, *listing_hash, *run_id;
};

struct runfetch {		/* one run folder being downloaded */
	char *url;		/* ends in '/' */
	char *name;		/* decoded folder name (the local folder is named the same) */
	struct target *tgt;
	char *tmp;		/* private temporary folder (mkdtemp) */
	char *dir;		/* tmp/<name>: what ingest_dir() reads */
	int pending;		/* jobs not finished */
	int files;
	int failed;
	char *key_url;		/* run.json (or results.json) URL, its validators and hash */
	char *etag, *last_modified;
	char key_hash[65];
	char listing_hash[65];
	struct fetch_listing top;	/* the folder's own listing */
};

enum job_kind {
	J_LIST_TARGET,	/* a command-line URL: a run folder or a folder of them */
	J_LIST_CANDIDATE,	/* a subfolder of a target: a run folder? */
	J_LIST_RUNDIR,	/* a folder inside a run folder */
	J_FILE,		/* a file of a run folder */
	J_KEYCHECK,	/* conditional GET of a known run's key file */
};

struct job {
	enum job_kind kind;
	char *url;
	struct target *tgt;
	struct runfetch *run;	/* J_LIST_RUNDIR, J_FILE */
	char *rel;		/* path inside the run folder (J_LIST_RUNDIR "" for the top, J_FILE) */
	char *name;		/* J_LIST_CANDIDATE, J_KEYCHECK: the folder's decoded name */
	struct known known;	/* J_KEYCHECK, J_LIST_CANDIDATE */
	int depth;
	int attempts;
	int64_t not_before;	/* monotonic ms: backoff */
	/* transfer state */
	CURL *easy;
	struct curl_slist *hdrs;
	FILE *out;
	char *path;		/* J_FILE: local file */
	struct buf body;	/* listings and key files */
	int64_t received;
	int64_t max_file;	/* J_FILE: the size cap in force */
	int too_big;
	char etag[FETCH_MAX_VALIDATOR], last_modified[FETCH_MAX_VALIDATOR];
	char errbuf[CURL_ERROR_SIZE];
};

struct fetcher {
	CURLM *multi;
	struct store *st;
	struct job **queue;
	size_t nqueue, capqueue;
	int running;
	int jobs, retries;
	long timeout;
	int64_t max_file;
	/* counts for progress and the summary */
	int files_done, files_total;
	int64_t bytes;
	int runs_new, runs_unchanged, runs_failed, rejected;
	int stored;
	int fatal;		/* a store error: stop */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *join(const char *base, const char *href)
{
	size_t a = strlen(base), b = strlen(href);
	char *s = xmalloc(a + b + 1);
	memcpy(s, base, a);
	memcpy(s + a, href, b + 1);
	return s;
}

static void known_release(struct known *k)
{
	free(k->key_url);
	free(k->etag);
	free(k->last_modified);
	free(k->key_hash);
	free(k->listing_hash);
	free(k->run_id);
	memset(k, 0, sizeof(*k));
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->url);
	free(j->rel);
	free(j->name);
	free(j->path);
	known_release(&j->known);
	buf_release(&j->body);
	if (j->hdrs)
		curl_slist_free_all(j->hdrs);
	if (j->out)
		fclose(j->out);
	free(j);
}

static struct job *job_new(enum job_kind kind, const char *url, struct target *tgt)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->url = xstrdup(url);
	j->tgt = tgt;
	buf_init(&j->body, kind == J_FILE ? 0 : kind == J_KEYCHECK ? FETCH_MAX_KEY : FETCH_MAX_LISTING);
	return j;
}

static void enqueue(struct fetcher *f, struct job *j)
{
	if (f->nqueue == f->capqueue) {
		f->capqueue = f->capqueue ? 2 * f->capqueue : 64;
		f->queue = xrealloc(f->queue, f->capqueue * sizeof(*f->queue));
	}
	f->queue[f->nqueue++] = j;
	if (j->kind == J_FILE)
		f->files_total++;
}

/* ---- the store: fetch_cache --------------------------------------------- */

static const char SQL_KNOWN[] =
	"SELECT c.key_url, c.etag, c.last_modified, c.key_hash, c.listing_hash, c.run_id"
	" FROM fetch_cache c JOIN run r ON r.id = c.run_id WHERE c.url = :url";

/* a run archived another way (collect ingest) under the folder's name: its key file's hash */
static const char SQL_BY_NAME[] =
	"SELECT f.name, f.hash FROM file f WHERE f.run_id = :id AND f.kind = 'meta'"
	" AND f.name IN ('run.json', 'results.json') ORDER BY f.name DESC LIMIT 1";

static const char SQL_REMEMBER[] =
	"INSERT INTO fetch_cache(url, key_url, etag, last_modified, key_hash, listing_hash, run_id,"
	" fetched_at) VALUES (:url, :key, :etag, :lm, :kh, :lh, :run, :now)"
	" ON CONFLICT(url) DO UPDATE SET key_url = excluded.key_url, etag = excluded.etag,"
	" last_modified = excluded.last_modified, key_hash = excluded.key_hash,"
	" listing_hash = excluded.listing_hash, run_id = excluded.run_id,"
	" fetched_at = excluded.fetched_at";

static char *dup_col(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL : xstrdup(col_text(s, i));
}

static int lookup_known(struct fetcher *f, const char *url, const char *name, struct known *k)
{
	memset(k, 0, sizeof(*k));
	sqlite3_stmt *s = store_stmt(f->st, SQL_KNOWN);
	bind_text(s, ":url", url);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		k->found = 1;
		k->key_url = dup_col(s, 0);
		k->etag = dup_col(s, 1);
		k->last_modified = dup_col(s, 2);
		k->key_hash = dup_col(s, 3);
		k->listing_hash = dup_col(s, 4);
		k->run_id = dup_col(s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(f->st, "fetch cache lookup");
	if (k->found || !name)
		return 0;
	/* the folder is named as a run archived already: compare its key file */
	s = store_stmt(f->st, SQL_BY_NAME);
	bind_text(s, ":id", name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		k->found = 1;
		k->key_url = join(url, col_text(s, 0));
		k->key_hash = xstrdup(col_text(s, 1));
		k->run_id = xstrdup(name);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(f->st, "run lookup");
	return 0;
}

static int remember(struct fetcher *f, const char *url, const char *key_url, const char *etag,
		    const char *lm, const char *key_hash, const char *listing_hash,
		    const char *run_id)
{
	sqlite3_stmt *s = store_stmt(f->st, SQL_REMEMBER);
	bind_text(s, ":url", url);
	bind_text(s, ":key", key_url);
	bind_text(s, ":etag", etag && *etag ? etag : NULL);
	bind_text(s, ":lm", lm && *lm ? lm : NULL);
	bind_text(s, ":kh", key_hash && *key_hash ? key_hash : NULL);
	bind_text(s, ":lh", listing_hash && *listing_hash ? listing_hash : NULL);
	bind_text(s, ":run", run_id);
	bind_int(s, ":now", time_now());
	int rc = store_step_done(f->st, s);
	sqlite3_reset(s);
	return rc;
}

/* ---- transfers ------------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t len = size * n;
	j->received += (int64_t)len;
	if (j->out) {
		if (j->received > j->max_file) {
			j->too_big = 1;
			return 0;
		}
		return fwrite(p, 1, len, j->out) == len ? len : 0;
	}
	if (buf_add(&j->body, p, len) < 0) {
		j->too_big = 1;
		return 0;
	}
	return len;
}

/* keeps ETag and Last-Modified of the final response; values with control bytes are dropped */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t len = size * n;
	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		j->etag[0] = j->last_modified[0] = 0; /* a new response (after a redirect) */
		return len;
	}
	char *dst = NULL;
	size_t skip = 0;
	if (len > 5 && !strncasecmp(p, "ETag:", 5)) {
		dst = j->etag;
		skip = 5;
	} else if (len > 14 && !strncasecmp(p, "Last-Modified:", 14)) {
		dst = j->last_modified;
		skip = 14;
	}
	if (!dst)
		return len;
	const char *v = p + skip, *e = p + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	size_t vl = (size_t)(e - v);
	if (vl >= FETCH_MAX_VALIDATOR)
		return len;
	for (size_t i = 0; i < vl; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return len;
	memcpy(dst, v, vl);
	dst[vl] = 0;
	return len;
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(p);
	return rc;
}

static int start_job(struct fetcher *f, struct job *j)
{
	j->received = 0;
	j->max_file = f->max_file;
	j->too_big = 0;
	j->etag[0] = j->last_modified[0] = j->errbuf[0] = 0;
	buf_reset(&j->body);
	if (j->kind == J_FILE) {
		if (j->out)
			fclose(j->out);
		if (mkdirs(j->path) < 0 || !(j->out = fopen(j->path, "wb"))) {
			j->run->failed = 1;
			return error("'%s': %s", j->path, strerror(errno));
		}
	}
	CURL *e = curl_easy_init();
	if (!e)
		die("curl: cannot create a handle");
	j->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, j->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, f->timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, f->timeout);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_file);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "ccr-fetch");
	curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
	if (j->kind == J_KEYCHECK && !j->hdrs) {
		struct buf h = BUF_INIT;
		if (j->known.etag) {
			buf_addf(&h, "If-None-Match: %s", j->known.etag);
			j->hdrs = curl_slist_append(j->hdrs, buf_str(&h));
			buf_reset(&h);
		}
		if (j->known.last_modified) {
			buf_addf(&h, "If-Modified-Since: %s", j->known.last_modified);
			j->hdrs = curl_slist_append(j->hdrs, buf_str(&h));
		}
		buf_release(&h);
	}
	if (j->hdrs)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->hdrs);
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK)
		die("curl: cannot add a transfer");
	j->attempts++;
	f->running++;
	return 0;
}

/* a short lower-case reason for a failed transfer */
static void describe(struct job *j, CURLcode res, long code, char *out, size_t size)
{
	long os = 0;
	if (j->too_big) {
		snprintf(out, size, "larger than the limit of %" PRId64 " bytes",
			 j->out ? j->max_file : (int64_t)j->body.max);
		return;
	}
	switch (res) {
	case CURLE_OK:
		snprintf(out, size, "HTTP %ld", code);
		return;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(j->easy, CURLINFO_OS_ERRNO, &os);
		if (os) {
			snprintf(out, size, "%s", strerror((int)os));
			out[0] = (char)tolower((unsigned char)out[0]);
		} else {
			snprintf(out, size, "cannot connect");
		}
		return;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, size, "timed out (the server stalled)");
		return;
	case CURLE_PARTIAL_FILE:
		snprintf(out, size, "connection closed before the end of the file");
		return;
	case CURLE_FILESIZE_EXCEEDED:
		snprintf(out, size, "larger than the limit of %" PRId64 " bytes", j->max_file);
		return;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(out, size, "more than %d redirects", FETCH_MAX_REDIRS);
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(out, size, "only http and https are fetched");
		return;
	default:
		snprintf(out, size, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(res));
		/* "Failed to ..." reads "failed to ..."; "OpenSSL ..." stays as it is */
		int name = 0;
		for (size_t i = 1; out[i] && out[i] != ' '; i++)
			name |= isupper((unsigned char)out[i]);
		if (!name)
			out[0] = (char)tolower((unsigned char)out[0]);
	}
}

static int transient(CURLcode res, long code)
{
	switch (res) {
	case CURLE_OK:
		return code >= 500 || code == 408 || code == 429;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return 1;
	default:
		return 0;
	}
}

/* the folder a response came from, ending in '/' (after redirects) */
static char *effective_folder(struct job *j)
{
	char *eff = NULL;
	curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &eff);
	const char *u = eff ? eff : j->url;
	size_t n = strcspn(u, "?#");
	char *s = xmalloc(n + 2);
	memcpy(s, u, n);
	if (!n || s[n - 1] != '/')
		s[n++] = '/';
	s[n] = 0;
	return s;
}

static void listing_hash(const struct fetch_listing *l, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	for (size_t i = 0; i < l->n; i++) {
		sha256_update(&h, l->entries[i].href, strlen(l->entries[i].href));
		sha256_update(&h, "\n", 1);
	}
	sha256_final_hex(&h, out);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void run_free(struct runfetch *r)
{
	if (r->tmp)
		nftw(r->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(r->url);
	free(r->name);
	free(r->tmp);
	free(r->dir);
	free(r->key_url);
	free(r->etag);
	free(r->last_modified);
	fetch_listing_release(&r->top);
	free(r);
}

/* the listing of a folder inside a run: files to download, folders to list */
static void add_run_entries(struct fetcher *f, struct runfetch *r, const char *base, const char *rel,
			    int depth, const struct fetch_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct fetch_entry *e = &l->entries[i];
		char *url = join(base, e->href);
		struct buf path = BUF_INIT;
		buf_addf(&path, "%s%s%s", rel, *rel ? "/" : "", e->name);
		if (e->is_dir) {
			if (depth < FETCH_MAX_DEPTH) {
				struct job *j = job_new(J_LIST_RUNDIR, url, r->tgt);
				j->run = r;
				j->rel = buf_detach(&path, NULL);
				j->depth = depth + 1;
				r->pending++;
				enqueue(f, j);
			} else {
				warning("'%s': folders nested deeper than %d levels are not fetched", url,
					FETCH_MAX_DEPTH);
			}
		} else if (r->files >= FETCH_MAX_RUN_FILES) {
			if (!r->failed)
				error("'%s': more than %d files; not a run folder", r->url,
				      FETCH_MAX_RUN_FILES);
			r->failed = 1;
		} else {
			struct job *j = job_new(J_FILE, url, r->tgt);
			j->run = r;
			j->rel = buf_detach(&path, NULL);
			struct buf p = BUF_INIT;
			buf_addf(&p, "%s/%s", r->dir, j->rel);
			j->path = buf_detach(&p, NULL);
			r->pending++;
			r->files++;
			if (!*rel && (!strcmp(e->name, "run.json") ||
				      (!strcmp(e->name, "results.json") && !r->key_url))) {
				free(r->key_url);
				r->key_url = xstrdup(url);
			}
			enqueue(f, j);
		}
		free(url);
		buf_release(&path);
	}
}

/* a run folder to download, given its listing (taken over) */
static void start_run(struct fetcher *f, struct target *tgt, const char *url, const char *name,
		      struct fetch_listing *l)
{
	struct runfetch *r = xcalloc(1, sizeof(*r));
	r->url = xstrdup(url);
	r->name = xstrdup(name);
	r->tgt = tgt;
	r->top = *l;
	memset(l, 0, sizeof(*l));
	listing_hash(&r->top, r->listing_hash);
	const char *tmpd = getenv("TMPDIR");
	struct buf t = BUF_INIT;
	buf_addf(&t, "%s/ccr-fetch-XXXXXX", tmpd && *tmpd ? tmpd : "/tmp");
	r->tmp = buf_detach(&t, NULL);
	if (!mkdtemp(r->tmp)) {
		error("'%s': cannot make a temporary folder: %s", r->tmp, strerror(errno));
		free(r->tmp);
		r->tmp = NULL;
		tgt->failed = 1;
		f->runs_failed++;
		run_free(r);
		return;
	}
	buf_addf(&t, "%s/%s", r->tmp, name);
	r->dir = buf_detach(&t, NULL);
	mkdir(r->dir, 0700);
	r->pending = 1; /* held until the entries are queued */
	add_run_entries(f, r, r->url, "", 0, &r->top);
	r->pending--;
	if (!r->pending) {
		/* an empty run folder (or only too-deep folders): nothing to ingest */
		error("'%s': no files to fetch", r->url);
		tgt->failed = 1;
		f->runs_failed++;
		run_free(r);
	}
}

/* a run whose last job finished: ingest it when every file arrived */
static void finish_run(struct fetcher *f, struct runfetch *r)
{
	if (r->failed) {
		error("'%s': incomplete download; run not ingested", r->url);
		r->tgt->failed = 1;
		f->runs_failed++;
		run_free(r);
		return;
	}
	struct ingest_opts o;
	ingest_opts_init(&o);
	o.source = r->url;
	struct ingest_report rep;
	memset(&rep, 0, sizeof(rep));
	progress_done();
	if (ingest_dir(f->st, r->dir, &o, &rep) < 0) {
		f->fatal = 1;
		run_free(r);
		return;
	}
	if (rep.rejected)
		f->rejected++;
	switch (rep.outcome) {
	case INGEST_STORED:
		f->runs_new++;
		f->stored = 1;
		info("'%s': stored as %s", r->url, rep.run_id);
		break;
	case INGEST_UNCHANGED:
		f->runs_unchanged++;
		info("'%s': archived already as %s", r->url, rep.run_id);
		break;
	case INGEST_CONFLICT:
	case INGEST_FAILED:
		f->rejected++;
		r->tgt->failed = 1;
		break;
	}
	if ((rep.outcome == INGEST_STORED || rep.outcome == INGEST_UNCHANGED) &&
	    remember(f, r->url, r->key_url, r->etag, r->last_modified, r->key_hash,
		     r->key_url ? NULL : r->listing_hash, rep.run_id) < 0)
		f->fatal = 1;
	run_free(r);
}

static void run_job_done(struct fetcher *f, struct runfetch *r)
{
	if (--r->pending == 0)
		finish_run(f, r);
}

/* a candidate run folder whose listing is in hand */
static void candidate_listed(struct fetcher *f, struct job *j, const char *base,
			     struct fetch_listing *l)
{
	if (!fetch_is_run_folder(l)) {
		info("'%s': not a run folder (no run.json, results.json or junit/); skipped", base);
		return;
	}
	if (j->known.found && !j->known.key_url && j->known.listing_hash) {
		char h[65];
		listing_hash(l, h);
		if (!strcmp(h, j->known.listing_hash)) {
			f->runs_unchanged++;
			return;
		}
	}
	start_run(f, j->tgt, base, j->name, l);
}

/* the folder's decoded name: the last segment of its URL */
static char *folder_name(const char *url)
{
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	size_t s = n;
	while (s && url[s - 1] != '/')
		s--;
	char *name = decode_segment(url + s, n - s);
	return name ? name : xstrdup("run");
}

/* a subfolder of a target: check it cheaply when it was fetched before, else list it */
static void add_candidate(struct fetcher *f, struct target *tgt, const char *url, const char *name)
{
	struct known k;
	if (lookup_known(f, url, name, &k) < 0) {
		f->fatal = 1;
		return;
	}
	struct job *j = job_new(k.found && k.key_url ? J_KEYCHECK : J_LIST_CANDIDATE,
				k.found && k.key_url ? k.key_url : url, tgt);
	j->name = xstrdup(name);
	j->known = k;
	if (j->kind == J_KEYCHECK) {
		free(j->rel);
		j->rel = xstrdup(url); /* the folder to list when the key file changed */
	}
	enqueue(f, j);
}

static void job_done(struct fetcher *f, struct job *j, CURLcode res)
{
	long code = 0;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &code);
	int ok = res == CURLE_OK && !j->too_big && code == 200;
	if (ok && j->kind == J_FILE) {
		curl_off_t cl = -1;
		curl_easy_getinfo(j->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		if (fflush(j->out) || ferror(j->out)) {
			error("'%s': %s", j->path, strerror(errno));
			ok = 0;
			j->attempts = f->retries + 1; /* a local problem: no retry */
		} else if (cl >= 0 && cl != j->received) {
			ok = 0; /* curl reports short bodies itself; a long one is wrong too */
			res = CURLE_PARTIAL_FILE;
		}
	}
	int not_modified = j->kind == J_KEYCHECK && res == CURLE_OK && code == 304;
	if (!ok && !not_modified) {
		if (!(j->kind == J_KEYCHECK && res == CURLE_OK && code == 404) &&
		    transient(res, code) && j->attempts <= f->retries) {
			curl_multi_remove_handle(f->multi, j->easy);
			curl_easy_cleanup(j->easy);
			j->easy = NULL;
			j->not_before = mono_ms() + ((int64_t)FETCH_BACKOFF_MS << (j->attempts - 1));
			enqueue(f, j);
			if (j->kind == J_FILE)
				f->files_total--; /* counted once */
			return;
		}
		if (j->kind == J_KEYCHECK) {
			/* the key file is gone or unreadable: look at the folder again */
			struct job *l = job_new(J_LIST_CANDIDATE, j->rel, j->tgt);
			l->name = j->name;
			j->name = NULL;
			enqueue(f, l);
			goto out;
		}
		char why[CURL_ERROR_SIZE + 64];
		describe(j, res, code, why, sizeof(why));
		if (j->attempts > 1)
			error("'%s': %s (%d attempts)", j->url, why, j->attempts);
		else
			error("'%s': %s", j->url, why);
		j->tgt->failed = 1;
		if (j->run) {
			j->run->failed = 1;
			if (j->kind == J_FILE)
				f->files_done++;
			run_job_done(f, j->run);
		}
		goto out;
	}
	switch (j->kind) {
	case J_FILE: {
		f->files_done++;
		f->bytes += j->received;
		fclose(j->out);
		j->out = NULL;
		curl_off_t mt = -1;
		curl_easy_getinfo(j->easy, CURLINFO_FILETIME_T, &mt);
		if (mt >= 0) {
			/* the server's time, so ingest sees the same file times as on the node */
			struct timeval tv[2] = {{(time_t)mt, 0}, {(time_t)mt, 0}};
			utimes(j->path, tv);
		}
		struct runfetch *r = j->run;
		if (r->key_url && !strcmp(r->key_url, j->url)) {
			free(r->etag);
			free(r->last_modified);
			r->etag = xstrdup(j->etag);
			r->last_modified = xstrdup(j->last_modified);
			struct buf b;
			buf_init(&b, FETCH_MAX_KEY);
			if (buf_read_file(&b, j->path) == 0)
				sha256_hex(b.data ? b.data : "", b.len, r->key_hash);
			buf_release(&b);
		}
		run_job_done(f, r);
		break;
	}
	case J_KEYCHECK: {
		char h[65];
		if (!not_modified)
			sha256_hex(j->body.data ? j->body.data : "", j->body.len, h);
		if (not_modified || (j->known.key_hash && !strcmp(h, j->known.key_hash))) {
			f->runs_unchanged++;
			/* keep the newest validators (a 200 with the same bytes brings them) */
			const char *etag = not_modified ? j->known.etag : j->etag;
			const char *lm = not_modified ? j->known.last_modified : j->last_modified;
			if (remember(f, j->rel, j->known.key_url, etag, lm, j->known.key_hash, NULL,
				     j->known.run_id) < 0)
				f->fatal = 1;
			break;
		}
		struct job *l = job_new(J_LIST_CANDIDATE, j->rel, j->tgt);
		l->name = j->name;
		j->name = NULL;
		enqueue(f, l);
		break;
	}
	case J_LIST_TARGET:
	case J_LIST_CANDIDATE:
	case J_LIST_RUNDIR: {
		struct fetch_listing l;
		char *base = effective_folder(j);
		if (fetch_parse_listing(j->body.data ? j->body.data : "", j->body.len, &l) < 0) {
			error("'%s': not a folder listing", base);
			j->tgt->failed = 1;
			if (j->run) {
				j->run->failed = 1;
				run_job_done(f, j->run);
			}
			free(base);
			goto out;
		}
		if (j->kind == J_LIST_RUNDIR) {
			add_run_entries(f, j->run, base, j->rel, j->depth, &l);
			run_job_done(f, j->run);
		} else if (j->kind == J_LIST_CANDIDATE) {
			candidate_listed(f, j, base, &l);
		} else if (fetch_is_run_folder(&l)) {
			char *name = folder_name(base);
			struct known k;
			if (lookup_known(f, base, name, &k) < 0) {
				f->fatal = 1;
			} else if (k.found && k.key_url) {
				add_candidate(f, j->tgt, base, name);
			} else {
				j->name = name;
				name = NULL;
				j->known = k;
				memset(&k, 0, sizeof(k));
				candidate_listed(f, j, base, &l);
			}
			known_release(&k);
			free(name);
		} else {
			for (size_t i = 0; i < l.n && !f->fatal; i++) {
				if (!l.entries[i].is_dir)
					continue;
				char *url = join(base, l.entries[i].href);
				add_candidate(f, j->tgt, url, l.entries[i].name);
				free(url);
			}
		}
		fetch_listing_release(&l);
		free(base);
		break;
	}
	}
out:
	curl_multi_remove_handle(f->multi, j->easy);
	curl_easy_cleanup(j->easy);
	j->easy = NULL;
	job_free(j);
}

/* starts queued jobs whose backoff has passed; ms until the next one is due (or -1) */
static int64_t start_due(struct fetcher *f)
{
	int64_t now = mono_ms(), next = -1;
	size_t k = 0;
	for (size_t i = 0; i < f->nqueue; i++) {
		struct job *j = f->queue[i];
		if (j->run && j->run->failed && j->kind != J_LIST_TARGET) {
			/* the run is lost already: do not download the rest of it */
			if (j->kind == J_FILE)
				f->files_done++;
			struct runfetch *r = j->run;
			job_free(j);
			run_job_done(f, r);
			continue;
		}
		if (f->running < f->jobs && j->not_before <= now && !f->fatal) {
			if (start_job(f, j) < 0) {
				struct runfetch *r = j->run;
				job_free(j);
				if (r)
					run_job_done(f, r);
			}
			continue;
		}
		if (j->not_before > now && (next < 0 || j->not_before - now < next))
			next = j->not_before - now;
		f->queue[k++] = j;
	}
	f->nqueue = k;
	return next;
}

static int fetch_all(struct fetcher *f)
{
	while ((f->nqueue || f->running) && !f->fatal) {
		int64_t next = start_due(f);
		int still = 0;
		curl_multi_perform(f->multi, &still);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(f->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct job *j = NULL;
			CURLcode res = m->data.result;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			f->running--;
			job_done(f, j, res);
		}
		if (f->files_total)
			progress("fetch: %d/%d files, %" PRId64 " KiB, %d new runs", f->files_done,
				 f->files_total, f->bytes / 1024, f->runs_new);
		/* jobs re-queued just now for a retry count too; queued jobs matter only while
		 * a transfer slot is free (else the next finished transfer wakes the poll) */
		int64_t now = mono_ms();
		for (size_t i = 0; i < f->nqueue && f->running < f->jobs; i++) {
			int64_t d = f->queue[i]->not_before - now;
			if (d < 0)
				d = 0;
			if (next < 0 || d < next)
				next = d;
		}
		int wait = 1000;
		if (next >= 0 && next < wait)
			wait = (int)next;
		if (f->running || f->nqueue)
			curl_multi_poll(f->multi, NULL, 0, wait, NULL);
	}
	progress_done();
	/* on a fatal error: drop what is left */
	for (size_t i = 0; i < f->nqueue; i++) {
		struct runfetch *r = f->queue[i]->run;
		job_free(f->queue[i]);
		if (r) {
			r->failed = 1;
			if (--r->pending == 0)
				run_free(r);
		}
	}
	f->nqueue = 0;
	return f->fatal ? -1 : 0;
}

static int url_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 (!strcmp(scheme, "http") || !strcmp(scheme, "https")) &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static const char fetch_usage[] =
	"collect fetch [--jobs N] [--timeout SECS] [--retries N] [--max-size BYTES] URL...";

static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cmd_collect_fetch(int argc, char **argv)
{
	struct fetcher f;
	memset(&f, 0, sizeof(f));
	f.jobs = FETCH_JOBS;
	f.retries = FETCH_RETRIES;
	f.timeout = FETCH_TIMEOUT;
	f.max_file = FETCH_MAX_FILE;
	struct target *tg = xcalloc((size_t)argc, sizeof(*tg));
	int ntg = 0, rejected = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		long v;
		if (!strcmp(a, "--jobs") || !strcmp(a, "--timeout") || !strcmp(a, "--retries") ||
		    !strcmp(a, "--max-size")) {
			if (i + 1 >= argc || parse_num(argv[i + 1], !strcmp(a, "--retries") ? 0 : 1,
						       !strcmp(a, "--max-size") ? FETCH_MAX_FILE
						       : !strcmp(a, "--jobs") ? 64
									      : 3600,
						       &v) < 0) {
				free(tg);
				return usage_error(fetch_usage);
			}
			i++;
			if (!strcmp(a, "--jobs"))
				f.jobs = (int)v;
			else if (!strcmp(a, "--timeout"))
				f.timeout = v;
			else if (!strcmp(a, "--retries"))
				f.retries = (int)v;
			else
				f.max_file = v;
			continue;
		}
		if (a[0] == '-') {
			free(tg);
			return usage_error(fetch_usage);
		}
		if (!url_allowed(a)) {
			error("'%s': not an http or https URL", a);
			rejected++;
			continue;
		}
		struct buf u = BUF_INIT;
		buf_adds(&u, a);
		if (u.data[u.len - 1] != '/')
			buf_addc(&u, '/');
		tg[ntg++].url = buf_detach(&u, NULL);
	}
	if (!ntg && !rejected) {
		free(tg);
		return usage_error(fetch_usage);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(tg);
		error("curl: cannot initialise");
		return EXIT_USAGE;
	}
	int status = EXIT_OK;
	f.st = ntg ? store_open(cli.db, STORE_CREATE) : NULL;
	if (ntg && !f.st) {
		status = EXIT_USAGE;
		goto out;
	}
	f.multi = curl_multi_init();
	for (int i = 0; i < ntg; i++)
		enqueue(&f, job_new(J_LIST_TARGET, tg[i].url, &tg[i]));
	if (fetch_all(&f) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (f.stored && collect_after(f.st) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	for (int i = 0; i < ntg; i++)
		if (tg[i].failed)
			rejected++;
	if (progress_enabled() || verbosity > 0)
		fprintf(stderr, "ccr: fetch: %d new runs, %d unchanged, %d failed; %d files, %" PRId64
				" bytes\n",
			f.runs_new, f.runs_unchanged, f.runs_failed, f.files_done, f.bytes);
	if (rejected || f.rejected)
		status = EXIT_REJECTED;
out:
	if (f.multi)
		curl_multi_cleanup(f.multi);
	store_close(f.st);
	free(f.queue);
	for (int i = 0; i < ntg; i++)
		free(tg[i].url);
	free(tg);
	curl_global_cleanup();
	return status;
}
