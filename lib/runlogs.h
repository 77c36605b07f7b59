/*
 * runlogs: a run's stored logs read into memory, and where a failure shows in them,
 * so a failure can link to its log line (runs/<run>/logs/<log>.html#L<n>).
 *
 * The line is the first line of one of the run's logs (logs/harness.log, which
 * `collect sweep` writes, first; then by name) holding the test's name or the first
 * line of its failure message, whichever comes first. Logs over RUNLOGS_MAX_BYTES
 * and pruned logs are not read. The collector records the line of every failure of
 * the runs it derives (collect/failline.c, table failure_line); the render searches
 * itself only for runs collected before that table existed (render/logfind.c).
 */
#ifndef CCR_LIB_RUNLOGS_H
#define CCR_LIB_RUNLOGS_H

#include <stdint.h>

#include "buf.h"
#include "store.h"

/* a log bigger than this is linked at its top: reading it for one link costs too much */
#define RUNLOGS_MAX_BYTES (16u * 1024 * 1024)
/* a message shorter than this matches too much to point at a line */
#define RUNLOGS_MIN_NEEDLE 6
/* the part of a message's first line searched for */
#define RUNLOGS_MAX_NEEDLE 200

struct runlogs {
	struct buf names;	/* log file names, NUL-separated, in search order */
	struct buf data;	/* their bytes, each followed by a NUL (no match spans two) */
	struct buf ends;	/* size_t offsets: where each log ends in data */
};

/* the run's first stored log in search order (*log malloc'd, NULL: none); 0 or -1 */
int runlogs_first(struct store *st, const char *run_id, char **log);

/* reads the logs of run_id into c (emptied first); 0, or -1 with the error printed
 * (c is then empty) */
int runlogs_load(struct store *st, const char *run_id, struct runlogs *c);

/* frees c's buffers; c is empty afterwards */
void runlogs_clear(struct runlogs *c);

/*
 * Looks for the failure of test `name` (message may be NULL) in c. 1 with *log (a
 * name inside c: valid until c changes) and *line (>= 1), or 0 when neither shows.
 */
int runlogs_find(const struct runlogs *c, const char *name, const char *message,
		 const char **log, int64_t *line);

#endif
