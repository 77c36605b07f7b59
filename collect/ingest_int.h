/*
 * ingest_int: what the two halves of ingest share (not for other callers: use
 * ingest.h). ingest_meta.c lists a run's files and reads its metadata and
 * manifest; ingest.c compares or writes the run.
 */
#ifndef CCR_INGEST_INT_H
#define CCR_INGEST_INT_H

#include "ingest.h"
#include "../lib/buf.h"

#include <stdint.h>
#include <sys/stat.h>

/* A harness leaves a handful of files per tier; thousands mean the wrong folder
 * (a home directory, a whole runs/ tree) rather than one run. */
#define INGEST_MAX_FILES 10000
/* logs/ sub-folders followed this deep; deeper is a loop or not a run's logs */
#define INGEST_MAX_DEPTH 8
/* The JUnit reader takes the whole file in memory; a pytest report of a few
 * thousand tests is 1-5 MB, so 64 MB is a generator gone wrong. */
#define INGEST_MAX_JUNIT ((size_t)64 << 20)
/* A log is read whole and deflated in one go (peak memory about twice this);
 * a harness log over 256 MB is a runaway loop, and sqlite's default blob limit
 * is 1 GB. */
#define INGEST_MAX_LOG ((size_t)256 << 20)
/* run.json / results.json hold metadata and per-test summaries */
#define INGEST_MAX_META ((size_t)8 << 20)
/* a tier's reason (parse errors joined); each file keeps its own in full */
#define INGEST_MAX_REASON 2048

enum kind { K_META, K_JUNIT, K_LOG };
extern const char *const kind_name[3]; /* "meta", "junit", "log" */

struct entry {
	char *name; /* relative to the run folder, as stored: valid UTF-8 */
	char *path; /* on disk, raw bytes; what messages name */
	enum kind kind;
	char *tier; /* JUnit files only */
	int64_t mtime;
	char hash[65]; /* content hash once read, else "" */
	char *error;   /* why the file was rejected, else NULL */
	int reported;  /* error already printed */
};

/* a tier status stated by run.json or results.json */
struct decl {
	char *tier;
	const char *status; /* static: a tier status word */
	char *reason;
	const char *from; /* "run.json" | "results.json" */
};

struct meta {
	char *recipe, *version, *ref, *harness_ref, *host, *mode, *trigger, *sweep, *external_id;
	int64_t started, finished; /* 0 = unknown */
	int exit_code;		   /* -1 = unknown */
	char *promote_outcome, *promote_version, *promote_reason;
	int64_t promote_at; /* 0 = unknown */
	struct decl *decl;
	size_t ndecl;
	char *results; /* results.json text, for its tests; NULL if none */
	size_t results_len;
};

struct tier {
	char *name;
	int junit;	   /* JUnit files of this tier, good or bad */
	int bad;	   /* of which unreadable */
	int results_tests; /* testcases taken from results.json */
	struct buf reason;
	const char *status;
	int64_t tests, failures, errors, skipped, passing, time_ms;
	int64_t ntime; /* testcases with a time */
	int seq;
};

struct ingest {
	struct store *st;
	const struct ingest_opts *o;
	const char *display; /* the folder (or first file) as given, raw */
	char *base;	     /* folder name for the recipe fallback, raw */
	char *source;
	struct entry *e;
	size_t n, alloc;
	struct meta m;
	char *sweep_id;
	int64_t started_fallback;
	char id[160];
	struct tier *t;
	size_t nt;
	struct buf data, q, tmp, cls, nm, attempts;
	struct buf key; /* a test's key in the test id cache (ingest.c) */
	int64_t seq;
	const char *log_evidence; /* logs/harness.log, else the first log */
	struct ingest_report *rep;
};

/* the name of p quoted for a message (valid until the next call on in) */
const char *ig_qname(struct ingest *in, const char *s);
/* s[0..n) as valid UTF-8, malloc'd (caller frees) */
char *ig_clean_dup(struct ingest *in, const char *s, size_t n);
/* marks e rejected with why (copied); printed later by ig_report_rejection() */
void ig_reject(struct entry *e, const char *why);
/* names e's rejection on stderr once and counts it */
void ig_report_rejection(struct ingest *in, struct entry *e);
/* "a/b", malloc'd */
char *ig_path_join(const char *a, const char *b);
/* the whole file into b (reset first) when at most cap bytes; 0, or -1 with
 * *why set (static text, not printed) */
int ig_read_capped(const char *path, size_t cap, struct buf *b, const char **why);
/* the size cap of a kind of file */
size_t ig_cap_of(enum kind k);
/* adds a file to the run (rel: name in the run folder); -1 past INGEST_MAX_FILES */
int ig_add_entry(struct ingest *in, enum kind kind, const char *rel, const char *path,
		 const struct stat *sb);
/* sorts the files by name, dropping (and naming) duplicates */
void ig_sort_entries(struct ingest *in);
/* lists a run folder's files, sorted; -1 (named on stderr) when it cannot be read */
int ig_scan_dir(struct ingest *in, const char *dir);
/* the file with this name, or NULL */
struct entry *ig_find_entry(struct ingest *in, const char *name);
/* a column as cleaned malloc'd text; NULL for NULL or "" */
char *ig_col_dup(struct ingest *in, sqlite3_stmt *s, int i);
/* fills in->m, in->sweep_id and in->id from run.json, results.json, the options,
 * the folder name and file times: 0, 1 when it is no run (named on stderr), -1 */
int ig_resolve_meta(struct ingest *in);
/* the manifest hash: files' names and content hashes plus the effective metadata */
void ig_manifest_hash(struct ingest *in, char out[65]);

#endif
