/*
 * logfind: the log line a failure links to (runs/<run>/logs/<log>.html#L<n>).
 *
 * The collector records it for every failure it derives (table failure_line, found
 * as lib/runlogs.h says): one lookup. A failure without a row (its run was collected
 * before that table existed), or whose recorded log was pruned since, is searched
 * here, which means decompressing the run's logs, so it is bounded: each page gets
 * LOGFIND_PER_PAGE searches, and the last few runs' logs are kept (LOGFIND_CACHE)
 * for the next failure of the same run; within a page, a run's answer is remembered
 * (the search is for one test, so a run has one answer). Without a line, the link
 * goes to the top of the run's first log.
 */
#ifndef CCR_RENDER_LOGFIND_H
#define CCR_RENDER_LOGFIND_H

#include <stdint.h>

#include "../lib/runlogs.h"

/* searches per page: a test failing in 400 runs still renders quickly */
#define LOGFIND_PER_PAGE 40
/* runs whose logs are kept between searches (several tests failing in one run) */
#define LOGFIND_CACHE 4

struct logfind_run {
	char *run_id;
	struct runlogs logs;
	uint64_t used;		/* for least-recently-used eviction */
};

/* a search's answer, kept for the rest of the page (a failure is linked from its
 * signature group and from the outcomes list) */
struct logfind_memo {
	char *run_id, *log;
	int64_t line;
	int found;
};

struct logfind {
	struct store *st;
	int have_recorded;	/* the store has table failure_line (migration 7) */
	int budget;		/* searches left on the current page */
	uint64_t clock;
	struct logfind_run cache[LOGFIND_CACHE];
	struct logfind_memo memo[LOGFIND_PER_PAGE];
	int nmemo;
};

void logfind_init(struct logfind *lf, struct store *st);
void logfind_release(struct logfind *lf);
/* a new page (another test): LOGFIND_PER_PAGE searches again, answers forgotten */
void logfind_page(struct logfind *lf);

/*
 * The failure of test test_id, named `name` (message may be NULL), in run_id's logs.
 * Returns 1 with *log (the file's name, e.g. "logs/harness.log") and *line (>= 1);
 * 0 when not searched or not found, with *log the run's first log and *line 0,
 * or *log NULL when the run has no logs; -1 on a store error.
 * *log is malloc'd; the caller frees it.
 */
int logfind(struct logfind *lf, const char *run_id, int64_t test_id, const char *name,
	    const char *message, char **log, int64_t *line);

#endif
