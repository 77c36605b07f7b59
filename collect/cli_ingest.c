/*
 * `ccr collect ingest RUNDIR|JUNIT.xml ... [--recipe R] [--version V] ...`:
 * each folder is one run; the bare JUnit files given, together, are one more.
 * Exit 0 all archived (or already), 1 some input rejected, 2 usage or store error.
 */
#include "collect.h"
#include "ingest.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/*
 * Runs are committed in batches, each run in its own savepoint: a commit per run
 * wrote the same index and blob pages again for every run (8x the bytes written,
 * 15% of the time of `make bench`'s ingest, mostly WAL frames and checkpoints).
 * A run is still all or none; a crash loses at most the open batch, which the
 * next ingest of the same folders stores again.
 */
/* A commit writes every page the batch dirtied, and at a long history those are
 * mostly pages no two runs share: the tail of each test's range in index
 * testcase_test (one page per test a batch meets, however few entries it adds)
 * and random leaves of table blob (keyed by hash). At 60 recipes a night is ~70
 * runs, so a 250 ms batch (~90 runs at large) added about one entry per test
 * page it wrote: the large history's ingest wrote 8.5 GB for a 562 MB store.
 * The first 60 nights of it (4k runs), by runs per commit: 100: 663 MB written,
 * 9.7 s CPU; 300: 413 MB, 7.3 s; 1000 (and checkpoints every 64 MB): 254 MB, 6.9 s */
#define INGEST_BATCH_RUNS 1024	/* runs per commit: past this the saving is small */
#define INGEST_BATCH_MS 1000	/* another collector waits at most this for the lock, and
				 * a reader sees new runs at least this often */
/* page cache (KiB) that holds a batch's dirty pages: a smaller one spills them to
 * the WAL mid-batch, writing them once per spill instead of once per commit. A
 * batch of the large bench history (~400 runs) dirties ~17k pages, a third of them
 * leaves of table blob at random; with 32 MB the cache overflowed once the store
 * passed ~10k runs (nights 151-200 on top of 150: 1021 MB written, 10.5 s CPU;
 * 64 MB: 700 MB, 8.0 s; 96 and 128 MB: no less), and the whole history wrote 7.8 GB.
 * A command of a night's runs or fewer is one batch of a few thousand pages: the
 * smaller cache is enough there, and its pages cost less to allocate (a night at
 * large: 0.54 s CPU, 48 MB RSS; 0.6 s, 82 MB with the larger) */
#define INGEST_CACHE_KIB 32768
#define INGEST_CACHE_BIG_KIB 65536
#define INGEST_BIG_RUNS 256 /* runs in one command from which the larger cache is used */

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char ingest_usage[] =
    "collect ingest RUNDIR|JUNIT.xml ... [--recipe R] [--version V] [--trigger T]\n"
    "       [--started TIME] [--finished TIME] [--host H] [--sweep ID] [--external-id X]\n"
    "       [--exit-code N]";

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 and *val set, 0 if another option, -1 if no value
 */
static int opt(char **argv, int argc, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n])
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static int parse_time_opt(const char *name, const char *v, int64_t *out)
{
	if (time_parse(v, out) < 0) {
		struct buf q = BUF_INIT;
		error("usage: %s: '%s' is not a time (ISO 8601, e.g. 2026-06-18T00:17:30Z)", name,
		      quote_name(v, strlen(v), &q));
		buf_release(&q);
		return -1;
	}
	return 0;
}

struct tally {
	int stored, unchanged, bad;
};

static void count(struct tally *t, const struct ingest_report *rep)
{
	if (rep->outcome == INGEST_STORED)
		t->stored++;
	else if (rep->outcome == INGEST_UNCHANGED)
		t->unchanged++;
	if (rep->outcome == INGEST_CONFLICT || rep->outcome == INGEST_FAILED || rep->rejected)
		t->bad++;
}

int cmd_collect_ingest(int argc, char **argv)
{
	struct ingest_opts o;
	ingest_opts_init(&o);
	char **paths = xcalloc((size_t)argc + 1, sizeof(*paths));
	size_t npaths = 0;
	int only_paths = 0, rc = EXIT_OK;
	struct store *st = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int r = 0;
		if (only_paths || a[0] != '-' || !strcmp(a, "-")) {
			paths[npaths++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_paths = 1;
			continue;
		}
#define OPT(name) ((r = opt(argv, argc, &i, name, &v)) != 0)
		if (OPT("--recipe")) {
			o.recipe = v;
		} else if (OPT("--version")) {
			o.version = v;
		} else if (OPT("--trigger")) {
			if (v && strcmp(v, "sweep") && strcmp(v, "isolation") &&
			    strcmp(v, "testme") && strcmp(v, "manual")) {
				rc = usage_error("--trigger is sweep, isolation, testme or manual");
				goto out;
			}
			o.trigger = v;
		} else if (OPT("--started")) {
			if (v && parse_time_opt("--started", v, &o.started) < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
		} else if (OPT("--finished")) {
			if (v && parse_time_opt("--finished", v, &o.finished) < 0) {
				rc = EXIT_USAGE;
				goto out;
			}
		} else if (OPT("--host")) {
			o.host = v;
		} else if (OPT("--sweep")) {
			o.sweep = v;
		} else if (OPT("--external-id")) {
			o.external_id = v;
		} else if (OPT("--exit-code")) {
			char *end;
			long n = v ? strtol(v, &end, 10) : 0;
			if (v && (!*v || *end || n < 0 || n > 255)) {
				rc = usage_error("--exit-code takes 0..255");
				goto out;
			}
			o.exit_code = (int)n;
		} else {
			struct buf q = BUF_INIT;
			error("usage: '%s': unknown option\n%s", quote_name(a, strlen(a), &q),
			      ingest_usage);
			buf_release(&q);
			rc = EXIT_USAGE;
			goto out;
		}
#undef OPT
		if (r < 0) {
			struct buf q = BUF_INIT;
			error("usage: %s needs a value", quote_name(a, strlen(a), &q));
			buf_release(&q);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (!npaths) {
		rc = usage_error(ingest_usage);
		goto out;
	}

	st = store_open(cli.db, STORE_CREATE);
	if (!st) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* folders one by one; the bare files together as one run, where the first stood */
	char **files = xcalloc(npaths + 1, sizeof(*files));
	size_t nfiles = 0, nruns = 0, done = 0;
	ssize_t files_at = -1;
	int *is_dir = xcalloc(npaths + 1, sizeof(*is_dir));
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			is_dir[i] = 1;
			nruns++;
		} else {
			if (files_at < 0) {
				files_at = (ssize_t)i;
				nruns++;
			}
			files[nfiles++] = paths[i];
		}
	}
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d",
		 nruns > INGEST_BIG_RUNS ? INGEST_CACHE_BIG_KIB : INGEST_CACHE_KIB);
	store_exec(st, pragma); /* only a speed-up: no error is worth stopping for */
	/* $CCR_BATCH_MS shortens a batch, so a test can kill an ingest between commits */
	const char *env_ms = getenv("CCR_BATCH_MS");
	int batch_ms = env_ms && atoi(env_ms) > 0 ? atoi(env_ms) : INGEST_BATCH_MS;
	struct tally t = {0};
	struct buf q = BUF_INIT;
	int batched = 0;
	int64_t batch_at = 0;
	for (size_t i = 0; i < npaths && rc != EXIT_USAGE; i++) {
		struct ingest_report rep;
		int r;
		if (!is_dir[i] && (ssize_t)i != files_at)
			continue;
		if (!store_in_transaction(st)) {
			if (store_begin(st) < 0) {
				rc = EXIT_USAGE;
				break;
			}
			batched = 0;
			batch_at = monotonic_ms();
		}
		if (is_dir[i]) {
			progress("ingest: %zu/%zu runs: %s", done, nruns,
				 quote_name(paths[i], strlen(paths[i]), &q));
			r = ingest_dir(st, paths[i], &o, &rep);
		} else if ((ssize_t)i == files_at) {
			progress("ingest: %zu/%zu runs: %zu JUnit files", done, nruns, nfiles);
			r = ingest_files(st, files, nfiles, &o, &rep);
		} else {
			continue;
		}
		done++;
		if (r < 0) {
			rc = EXIT_USAGE; /* a store error: the run was rolled back; stop */
			break;
		}
		count(&t, &rep);
		if (++batched >= INGEST_BATCH_RUNS || monotonic_ms() - batch_at >= batch_ms) {
			if (store_commit(st) < 0)
				rc = EXIT_USAGE;
		}
	}
	/* the runs before a store error are whole: keep them */
	if (store_in_transaction(st) && store_commit(st) < 0)
		rc = EXIT_USAGE;
	progress_done();
	buf_release(&q);
	free(files);
	free(is_dir);
	/* after a re-ingest of archived runs too: a collect killed between its last
	 * commit and this step left runs underived, and derive looks only at those */
	if (rc == EXIT_OK && (t.stored || t.unchanged) && collect_after(st) < 0)
		rc = EXIT_USAGE;
	if (rc == EXIT_OK && t.bad)
		rc = EXIT_REJECTED;
	if (progress_enabled() && rc != EXIT_USAGE)
		fprintf(stderr, "ccr: %d run%s archived, %d already archived%s\n", t.stored,
			t.stored == 1 ? "" : "s", t.unchanged,
			t.bad ? ", some input rejected (above)" : "");
out:
	store_close(st);
	free(paths);
	return rc;
}
