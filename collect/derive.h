/*
 * derive: the classification rules as functions, for collect/derive.c and its tests.
 * README "Classification" states them in words.
 */
#ifndef CCR_DERIVE_H
#define CCR_DERIVE_H

#include "../lib/buf.h"
#include "../lib/store.h"

/* the counted outcomes of one test at one set of sources (version, harness ref) */
struct derive_counts {
	int passes, failures;		/* counted runs that passed / failed */
	int isolated_passes, isolated_failures;	/* of them, runs alone (overlap 0) */
	int isolation_runs;		/* counted runs with trigger 'isolation' */
	int excluded;			/* failures an infrastructure incident left out */
	int overlap_min, overlap_max;	/* other runs overlapping the failures (0 without) */
};

/*
 * The state of c: "passing", "new", "deterministic", "flaky" or "fixed" (static
 * strings). prev_failed: the previous sources of the same test had failures.
 * *load is set to 1 for a load flake.
 */
const char *derive_state(const struct derive_counts *c, int prev_failed, int *load);

/*
 * The state in words into b (reset first), e.g. "deterministic: 3 of 3 runs at
 * 2.1.9+10.11.15 failed, 1 of them in isolation". version and harness are '' when
 * unknown; failing_since and prev_version may be NULL.
 */
void derive_evidence(struct buf *b, const struct derive_counts *c, const char *state, int load,
		     const char *version, const char *harness, const char *failing_since,
		     int regression, const char *prev_version);

#endif


/*
 * The recipes of sweep sweep_id to re-run alone (`collect sweep --rerun-isolated N`),
 * at most max, by name: those whose run in the sweep did not pass and
 *  - had a failing test whose state at those sources is still `new`, or whose
 *    evidence has no run alone (isolated_passes + isolated_failures = 0); or
 *  - errored or failed its promote (status error, promote_failed) with no run of the
 *    recipe at those sources alone yet: whether that reproduces alone is unknown.
 * Call after collect_after(). *recipes is a NULL-terminated array the caller frees
 * with derive_free_list(); *n its length. 0, or -1 on a store error.
 */
int derive_isolation_candidates(struct store *st, const char *sweep_id, int max, char ***recipes,
				size_t *n);
void derive_free_list(char **list);

/*
 * For every failed or error testcase of the runs in the TEMP table d_run (the runs
 * collect_after() derives), records in failure_line the log line the site links it
 * to (lib/runlogs.h), or that none shows: each run's logs are read once, for all its
 * failures, instead of by every page that links them. 0, or -1 on a store error.
 */
int derive_failure_lines(struct store *st);
