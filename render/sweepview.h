/*
 * sweepview: the parts of a sweep shown on index.html, sweeps/<id>.html and in
 * feed.atom: its summary, the recipes x tiers grid, what changed since the
 * previous sweep, and its promotes. Each writes into h (at h's depth) and
 * returns 0, or -1 on a store error (printed).
 */
#ifndef CCR_RENDER_SWEEPVIEW_H
#define CCR_RENDER_SWEEPVIEW_H

#include <stdint.h>

#include "render.h"

/* sweep ids are TEXT PRIMARY KEY values; this bounds a copy of one */
#define SWEEP_ID_MAX 256

/* The sweep before (dir < 0) or after (dir > 0) id in (started, id) order:
 * 1 with out filled, 0 when there is none, -1 on error. */
int sweep_neighbour(struct render *r, const char *id, int dir, char out[SWEEP_ID_MAX]);
/* The latest sweep: 1 with out filled, 0 when the store has none, -1 on error. */
int sweep_latest(struct render *r, char out[SWEEP_ID_MAX]);

/* "started ... finished ... on host; N runs: a passed, b failed" */
int sweep_summary(struct html *h, struct render *r, const char *id);
/* the grid: one row per run of the sweep (by recipe), one column per tier */
int sweep_grid(struct html *h, struct render *r, const char *id);

/* counts of what changed since prev (prev may be NULL: the first sweep) */
struct sweep_delta {
	int64_t broke, fixed, flaky;
};
/* Lists new failures, fixes and newly flaky tests, at most max of each (the rest
 * counted); fills *d when not NULL. */
int sweep_changes(struct html *h, struct render *r, const char *id, const char *prev, int max,
		  struct sweep_delta *d);
/* entries per change list on pages: a sweep where more broke is an incident, and
 * the grid already shows it */
#define CHANGES_MAX 100
/* one row of a "runs outside sweeps" table (run, recipe, version, trigger, started)
 * from q's columns: id, recipe, version, trigger_kind, external_id, status, started */
void sweep_other_run(struct html *h, sqlite3_stmt *q);
/* the promote/advance attempts of the sweep's runs */
int sweep_promotes(struct html *h, struct render *r, const char *id);

#endif
