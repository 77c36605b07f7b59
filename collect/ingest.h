/*
 * ingest: one run folder (or a set of bare JUnit files) into the store, in one
 * transaction. Used by `collect ingest`, `collect sweep` and `collect fetch`.
 */
#ifndef CCR_INGEST_H
#define CCR_INGEST_H

#include "../lib/store.h"

/* What the caller knows besides the folder; NULL/unset fields are filled from
 * run.json or results.json, then the folder name and file times. */
struct ingest_opts {
	const char *recipe, *version, *trigger, *host, *sweep, *external_id;
	const char *source;		/* shown as run.source: folder path or URL */
	int64_t started, finished;	/* 0 = unknown */
	int exit_code;			/* -1 = unknown */
	int has_load;
	double load_start, load_end;	/* /proc/loadavg 1-min, when has_load */
};

enum ingest_outcome {
	INGEST_STORED,		/* a new run */
	INGEST_UNCHANGED,	/* the same run was archived already: nothing written */
	INGEST_CONFLICT,	/* a run with this id but other content exists: kept the old one */
	INGEST_FAILED,		/* the folder could not be read as a run at all */
};

struct ingest_report {
	enum ingest_outcome outcome;
	char run_id[160];
	int rejected;		/* files rejected (each already named on stderr) */
	int files;		/* files read (archived, or hashed to compare) */
	int64_t bytes;		/* their raw size */
	int tests;		/* testcases stored */
};

/*
 * Ingests RUNDIR (run.json and/or results.json, junit/NAME.xml or NAME.xml, logs/...)
 * as one run, in one transaction (when the caller holds one open, a batch, in a
 * savepoint of it: all of the run or none either way). Every rejected file and a failed run are named
 * on stderr; "already archived" is said unless -q. Returns 0 (see rep->outcome
 * and rep->rejected), or -1 on a store error (fatal for the command; nothing of
 * this run was written).
 */
int ingest_dir(struct store *st, const char *dir, const struct ingest_opts *o,
	       struct ingest_report *rep);

/*
 * Ingests bare JUnit files as one run, as if they were RUNDIR/junit/<base name>
 * (so the same files in a folder give the same run). The recipe falls back to
 * the name of the first file's folder. Returns as ingest_dir().
 */
int ingest_files(struct store *st, char *const *paths, size_t n, const struct ingest_opts *o,
		 struct ingest_report *rep);

/* ingest_opts with every field unknown */
void ingest_opts_init(struct ingest_opts *o);

#endif
