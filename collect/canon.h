/*
 * canon: canonical records (DIR/<recipe>/canonical.json) into the store as a
 * history (canon_record) and events (canon_event): see lib/schema.sql, migration 3.
 */
#ifndef CCR_CANON_H
#define CCR_CANON_H

#include <stdint.h>

#include "../lib/store.h"

/* biggest canonical.json read: real ones are ~200 bytes; more is not a record */
#define CANON_MAX_BYTES (64 * 1024)
/* a record change is explained by a promote of the same version at most this far
 * (seconds) from the record's ts: the harness writes the record right after the
 * run, but node clocks and slow health checks drift */
#define CANON_MATCH_WINDOW (2 * 3600)

struct canon_report {
	int records;	/* records read */
	int changed;	/* records that differed from what the store held (new ones included) */
	int removed;	/* records that disappeared */
	int events;	/* events stored (record changes, removals, run attempts) */
	int rejected;	/* unreadable records, each named on stderr */
};

/*
 * Reads every DIR/<recipe>/canonical.json and stores what changed since the last
 * call, with `now` as the time it was seen; also stores an event for every run
 * promote attempt not stored yet. One transaction. Returns 0 (see *rep), or -1 on
 * a store error or when DIR cannot be read.
 */
int canon_collect(struct store *st, const char *dir, int64_t now, struct canon_report *rep);

#endif
