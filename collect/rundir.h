/*
 * rundir: the small pure rules of reading a run folder (DESIGN.md "Run
 * directory"), kept apart from the store so each can be unit-tested.
 */
#ifndef CCR_RUNDIR_H
#define CCR_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"

/* the canonical tiers in harness order (DOMAIN.md) */
#define TIER_NCANON 5
extern const char *const tier_canonical[TIER_NCANON];
/* index of name in tier_canonical, or -1 */
int tier_canonical_index(const char *name);

/*
 * The tier of a JUnit file, from its base name: the text before the first
 * "__" ("upgrade__cc-ci__test_upgrade.xml" -> "upgrade"); a name without "__"
 * is its own tier without ".xml". Never empty ("unknown"). Resets out and
 * returns its text.
 */
const char *rundir_tier_of(const char *base, struct buf *out);

/*
 * When name starts like a run id, "<YYYYMMDDTHHMMSSZ>-" followed by at least
 * one byte, sets *started and returns what follows the '-'; else NULL.
 */
const char *rundir_run_id_rest(const char *name, int64_t *started);

/* lines in p[0..n): newlines, plus one for a last line without '\n' */
int64_t rundir_count_lines(const char *p, size_t n);

/*
 * A tier's status from its recounted testcases (DESIGN: 'error' if any error
 * testcase or unreadable file; else 'failed' if any failure; else 'passed' if
 * any passed/flaky/xfail; else 'skipped'). Returns a static string.
 */
const char *rundir_tier_status(int64_t failures, int64_t errors, int64_t passing, int bad_files);

/* rank of a tier status for "the worse of two": higher is worse; -1 unknown */
int rundir_tier_rank(const char *status);

/*
 * A status word as harnesses write it for a whole tier (run.json "tiers",
 * results.json stage "status"): "pass"/"ok"/"success" -> passed,
 * "fail" -> failed, "crash"/"errored" -> error, "skip" -> skipped,
 * "na"/"n/a"/"expected-na"/"not_applicable" -> expected_na,
 * "unverified"/"not-run"/"pending" -> not_run. Case-insensitive. NULL when unknown.
 */
const char *rundir_tier_word(const char *s);

/* A testcase status word (results.json tests): passed | failed | error |
 * skipped | xfail | flaky, with the same aliases; NULL when unknown. */
const char *rundir_case_word(const char *s);

/*
 * A results.json test name into JUnit's (classname, name), so a test keeps one
 * identity whether a run left JUnit or only results.json: pytest's node id
 * "tests/custom/test_x.py::TestA::test_b" -> ("tests.custom.test_x.TestA",
 * "test_b"), as pytest's junitxml writes it; a name without "::" -> ("", name).
 * Resets both buffers.
 */
void rundir_split_test(const char *id, struct buf *classname, struct buf *name);

/*
 * The crash rule: when the harness exited non-zero (exit_code > 0), the
 * canonical tiers after the last one with JUnit (junit[i]) that are neither
 * declared (declared[i]: expected-NA or any stated status) nor have JUnit get
 * out[i] = 1 for the first ('error': no JUnit) and 2 for the later ones
 * ('not_run'); every other out[i] is 0. exit_code <= 0 (0, unknown) sets none.
 */
void rundir_crash_tiers(const int junit[TIER_NCANON], const int declared[TIER_NCANON],
			int exit_code, int out[TIER_NCANON]);

/*
 * The run's verdict (DESIGN): 'error' if a tier errored, or the harness exited
 * non-zero without that being explained by failed tiers or a failed promote,
 * or there are no tiers; 'failed' if a tier failed; 'promote_failed' if the
 * tiers are green and the promote failed; else 'passed'. exit_code -1 = unknown.
 */
const char *rundir_run_status(int ntiers, int any_error, int any_failed, int exit_code,
			      const char *promote_outcome);

#endif
