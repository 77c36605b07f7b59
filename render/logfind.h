/*
 * logfind: where in a run's logs a failure shows, so a failure can link to its
 * log line (runs/<run>/logs/<log>.html#L<n>).
 *
 * The line is the first line of one of the run's logs (logs/harness.log, which
 * `collect sweep` writes, first; then by name) holding the
 * test's name or the first line of its failure message, whichever comes first.
 * Searching means decompressing the logs, so it is bounded: logs over
 * LOGFIND_MAX_BYTES are not searched, each page gets LOGFIND_PER_PAGE searches,
 * and the last few logs read are kept (LOGFIND_CACHE) for the next failure of
 * the same run; within a page, a run's answer is remembered (the search is for
 * one test, so a run has one answer). Without a line, the link goes to the top of
 * the run's first log.
 */
#ifndef CCR_RENDER_LOGFIND_H
#define CCR_RENDER_LOGFIND_H

#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/store.h"

/* a log bigger than this is linked at its top: reading it for one link costs too much */
#define LOGFIND_MAX_BYTES (16u * 1024 * 1024)
/* searches per page: a test failing in 400 runs still renders quickly */
#define LOGFIND_PER_PAGE 40
/* runs whose logs are kept between searches (several tests failing in one run) */
#define LOGFIND_CACHE 4
/* a message shorter than this matches too much to point at a line */
#define LOGFIND_MIN_NEEDLE 6
/* the part of a message's first line searched for */
#define LOGFIND_MAX_NEEDLE 200

struct logfind_run {
	char *run_id;
	struct buf names;	/* log file names, NUL-separated, by name */
	struct buf data;	/* their bytes, concatenated */
	struct buf ends;	/* size_t offsets: where each log ends in data */
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
 * Looks for the failure of test `name` (message may be NULL) in the logs of run_id.
 * Returns 1 with *log (the file's name, e.g. "logs/harness.log") and *line (>= 1);
 * 0 when not searched or not found, with *log the run's first log and *line 0,
 * or *log NULL when the run has no logs; -1 on a store error.
 * *log is malloc'd; the caller frees it.
 */
int logfind(struct logfind *lf, const char *run_id, const char *name, const char *message,
	    char **log, int64_t *line);

#endif
