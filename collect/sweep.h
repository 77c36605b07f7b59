/*
 * sweep: runs a harness command once per recipe, at most `jobs` at once, each
 * in its own process group with a time limit, and ingests every run folder as
 * its harness finishes (in this process, one at a time: the store has one writer).
 *
 * `ccr collect sweep` calls sweep_run() once for its recipe list; a later pass
 * (re-running failures alone, trigger "isolation", jobs 1) calls it again with
 * the same store and other settings.
 */
#ifndef CCR_SWEEP_H
#define CCR_SWEEP_H

#include <stddef.h>

#include "../lib/store.h"

/* the longest recipe name accepted: it becomes a folder name and an env value */
#define SWEEP_RECIPE_MAX 200

struct sweep_cfg {
	const char *harness;  /* shell command, run as /bin/sh -c HARNESS */
	const char *runs_dir; /* absolute path; run folders are made inside */
	const char *trigger;  /* sweep | isolation | testme | manual */
	const char *sweep_id; /* the sweep's id (trigger sweep), else NULL */
	const char *host;     /* this node's name, recorded on every run */
	int jobs;	      /* at most this many harnesses at once (>= 1) */
	int timeout;	      /* seconds per run; 0 = no limit */
};

struct sweep_tally {
	int total;	  /* recipes asked for */
	int done;	  /* harnesses that finished (whatever their exit) */
	int failed;	  /* of those: exit status not 0 */
	int timed_out;	  /* of those: killed at the time limit (exit_code 124) */
	int stored;	  /* runs ingested as new */
	int unchanged;	  /* runs already in the store */
	int rejected;	  /* runs or files ingest rejected (each named on stderr) */
	int cannot_run;	  /* harness could not be started, or the shell could not
				   run it (exit 126/127, left nothing) */
	int stopped;	  /* harnesses stopped by a signal to ccr, not ingested */
	int not_started;  /* recipes never started because the sweep stopped */
	int stop_signal;  /* SIGINT/SIGTERM that stopped the sweep, else 0 */
	int store_failed; /* a store error stopped the sweep */
};

/* Runs cfg->harness for each of the n recipes and ingests each run folder.
 * Adds to *t (the caller zeroes it once). Returns 0 when every harness ran to
 * its end (whatever its exit status), -1 when the sweep was stopped by a signal
 * or a store error (t says which; what finished before is kept). */
int sweep_run(struct store *st, const struct sweep_cfg *cfg, char *const *recipes, size_t n,
	      struct sweep_tally *t);

/* The sweep's clock: time_now() when first called, then advanced by the real
 * (monotonic) time elapsed, so runs under $CCR_NOW still get real durations. */
int64_t sweep_clock(void);

#endif
