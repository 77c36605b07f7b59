/*
 * render: `ccr render [--out DIR] [--docs DIR] [--notes DIR] [--base-url URL] [--full]`.
 *
 * Drives the page kinds of pages.h over the store (opened read-only) and stages
 * their output; see render.h for the order of a render and why a killed render
 * leaves the old site whole.
 *
 * Incremental rendering. OUT/.ccr/state holds what the site was last rendered
 * from: the renderer's version and options, the store's schema version, the
 * store position (number of runs, highest run rowid, latest ingested_at), and
 * the extra fingerprints of fingerprint_sql[]. Then:
 *  - no state, another renderer version or options, fewer runs or a lower
 *    rowid than before (the store was rebuilt), or no index.html: a full render;
 *  - the same position and extras: nothing to do, nothing written (a no-op);
 *  - else: the runs with a higher rowid are new. Their run and log pages, the
 *    runs that overlapped them on the same host (their overlap count changed),
 *    the runs whose shown classification states changed (sources.h: a digest per
 *    recipe, version and harness ref kept in the state), their recipes, recipe month pages,
 *    tests and sweeps (and the sweeps before and after those of new runs, whose
 *    prev/next links and "changes" depend on them) are rendered; index, flakes,
 *    feed and the data/ JSON always. A run's pages otherwise never change once it
 *    is archived. When only an extra fingerprint moved, every recipe page is
 *    rendered too.
 *  - `ccr prune` since the last render (more pruned blobs, or a later prune
 *    time): the runs holding a log it dropped get their run and log pages again
 *    ("log pruned on ..."), and their failures' test pages (no link to a pruned
 *    log), and nothing else. Logs that came back instead (an ingest brought the
 *    same bytes again) cannot be told apart cheaply: that rare case renders
 *    every page.
 * Every page is compared with the file on disk and written only when its bytes
 * differ. `--full` renders every page (still writing only the changed ones).
 *
 * A first render (no state and no index.html in OUT: no site to keep whole)
 * writes every page in place: no temp file, no rename, and, unless an earlier
 * first render was interrupted there (OUT/.ccr/dirty), no comparison with a file
 * that cannot exist. That is a third of the file system calls of a staged page;
 * a full render is mostly the file system creating files (README, Performance).
 * index.html still comes last, so a half-made first site has no front page, and
 * the next render (no state yet) compares and completes it.
 *
 * Worker processes (--jobs, render_parallel()): a full render, or one with
 * PARALLEL_MIN_RUNS new runs or more, forks workers once the first process has
 * decided what to do; each opens the store itself and plans the same render, and
 * the page kinds share their items out (render_mine()). The state each rendered
 * from is compared at the end: the same state means the same snapshot.
 */
#include "render.h"
#include "pages.h"
#include "docs.h"
#include "sources.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the state file: a handful of short lines, and one 42-byte "sources" line per
 * (recipe, version, harness ref) of the store (sources.h): 4 MB is 100k of them */
#define STATE_MAX (4 * 1024 * 1024)
/* the store's page cache for a render, in KiB (sqlite's default is 2 MB): the page
 * kinds walk the run, testcase and file indexes over and over; with the default a
 * medium full render read 176k pages (700 MB) through pread, with 16 MB 14k */
#define RENDER_CACHE_KIB 16384
/* temp files are "<dir>/.ccr-tmp.<name>": hidden, and recognisable for cleanup */
#define TMP_PREFIX ".ccr-tmp."
/* --jobs: processes rendering at once, at most (each holds its own page cache) */
#define JOBS_MAX 16
/* an incremental render of fewer new runs stays in one process: each worker opens
 * the store and plans the render (~20 ms at medium), more than a few pages cost */
#define PARALLEL_MIN_RUNS 8

/* what the worker processes of one render share (an anonymous shared mapping) */
struct render_shared {
	atomic_long next[RENDER_KINDS_MAX]; /* per page kind: the next item nobody took */
	atomic_long done, written;	    /* pages, for the first process's progress line */
};

/*
 * Extra parts of the store position: a query returning one value each. Other
 * work that adds tables the pages show (canonicals, classification) adds its
 * query here, so a change there makes the next render rebuild the overviews.
 */
static const char *const fingerprint_sql[] = {
	/* collect canon records promotes without new runs (recipe pages, timeline) */
	"SELECT count(*) || '/' || coalesce(max(rowid), 0) FROM canon_event",
	/* a record changing in place (status only) moves no event but shows on recipe pages */
	"SELECT count(*) || '/' || coalesce(max(seen_at), 0) FROM canon_record",
};

/* what 'ccr prune' has dropped: blobs and the latest prune time. A seek into the
 * partial index blob_pruned (migration 6: pruned blobs only). A store that no collector
 * has migrated yet lacks it: then the same query scans blob's leaf pages (~0.1 s for
 * 180k blobs, as many as a large history has), with the same answers */
static const char SQL_PRUNED[] =
	"SELECT count(*), coalesce(max(pruned_at), 0) FROM blob WHERE pruned_at IS NOT NULL";
static const char SQL_PRUNED_SINCE[] = "SELECT count(*) FROM blob WHERE pruned_at > :since";
/* the runs holding a log pruned since the last render (file has no index on hash: one
 * scan of it, against the few pruned hashes) */
static const char SQL_PRUNED_RUNS[] =
	"CREATE TEMP TABLE todo_pruned(id TEXT PRIMARY KEY) WITHOUT ROWID";
static const char SQL_PRUNED_RUNS_FILL[] =
	"INSERT INTO todo_pruned SELECT DISTINCT run_id FROM file"
	" WHERE kind = 'log' AND hash IN (SELECT hash FROM blob WHERE pruned_at > :since)";
/* their run and log pages again, and the test pages that link their failures to those
 * logs (page_test.c: no link to a pruned log) */
static const char SQL_TODO_PRUNED[] =
	"INSERT INTO todo_run(id, fresh) SELECT id, 1 FROM todo_pruned WHERE true"
	" ON CONFLICT(id) DO UPDATE SET fresh = 1;"
	"INSERT INTO todo_test(test_id, changed) SELECT DISTINCT test_id, 1 FROM testcase"
	" WHERE run_id IN (SELECT id FROM todo_pruned) AND status IN ('failed', 'error')"
	" ON CONFLICT(test_id) DO UPDATE SET changed = 1;";

/* the fourth value: the lowest rowid of a run not derived yet (0: none). A collector
 * derives after its runs commit, so a render in between shows them unclassified; the
 * next render takes them as new again. Scans run against derived_run on purpose
 * (one row per run, as collect's derive does). */
static const char SQL_POSITION[] =
	"SELECT count(*), coalesce(max(rowid), 0), coalesce(max(ingested_at), 0),"
	" (SELECT coalesce(min(u.rowid), 0) FROM run u"
	"  WHERE NOT EXISTS (SELECT 1 FROM derived_run d WHERE d.run_id = u.id)) FROM run";

static const char SQL_TODO_TABLES[] =
	"PRAGMA temp_store = MEMORY;"
	"CREATE TEMP TABLE todo_run(id TEXT PRIMARY KEY, fresh INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TEMP TABLE todo_recipe(recipe TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TEMP TABLE todo_test(test_id INTEGER PRIMARY KEY, changed INTEGER NOT NULL);"
	"CREATE TEMP TABLE todo_sweep(id TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TEMP TABLE todo_month(recipe TEXT, month TEXT, PRIMARY KEY (recipe, month))"
	" WITHOUT ROWID;"
	"CREATE TEMP TABLE todo_prev(run TEXT PRIMARY KEY, prev TEXT) WITHOUT ROWID;";

static const char SQL_TODO_FULL[] = "INSERT INTO todo_run SELECT id, 1 FROM run;"
				    "INSERT INTO todo_recipe SELECT DISTINCT recipe FROM run"
				    " UNION SELECT recipe FROM canon_record;"
				    "INSERT INTO todo_test SELECT id, 1 FROM test;"
				    "INSERT INTO todo_sweep SELECT id FROM sweep;"
				    "INSERT INTO todo_month SELECT DISTINCT recipe,"
				    " strftime('%Y-%m', started, 'unixepoch') FROM run;";

static const char SQL_RUN_SPAN[] =
	"SELECT coalesce(max(coalesce(finished, started) - started), 0) FROM run";
static const char SQL_TODO_NEW_RUNS[] =
	"INSERT INTO todo_run SELECT id, 1 FROM run WHERE rowid > :last";
/* runs on the same host whose time span meets a new run's (their overlap changed) */
static const char SQL_TODO_OVERLAP[] =
	"INSERT OR IGNORE INTO todo_run(id) SELECT o.id FROM run n JOIN run o"
	" ON o.host = n.host AND o.started >= n.started - :span"
	" AND o.started <= coalesce(n.finished, n.started)"
	" AND coalesce(o.finished, o.started) >= n.started"
	" WHERE n.rowid > :last AND o.rowid <= :last";
/* the recipes' month pages holding the new and overlapped runs (before sources.c adds
 * the runs whose badges changed: month pages show no classification) */
static const char SQL_TODO_MONTHS[] =
	"INSERT OR IGNORE INTO todo_month SELECT DISTINCT recipe,"
	" strftime('%Y-%m', started, 'unixepoch') FROM run WHERE id IN (SELECT id FROM todo_run)";
static const char SQL_TODO_REST[] =
	"INSERT OR IGNORE INTO todo_recipe SELECT DISTINCT recipe FROM run"
	" WHERE id IN (SELECT id FROM todo_run);"
	/* changed: the test did not pass plainly, or its outcome differs from its run
	 * before (run ids start with the start time, so within a recipe they sort by
	 * time). A test belongs to one recipe, so its run before is the recipe's run
	 * before (todo_prev) when it ran there: one page of testcase holds that run's
	 * rows, where a seek per test into testcase_test (the fallback, for a test the
	 * run before did not have) read ~5,000 scattered pages a night at large */
	"INSERT INTO todo_prev SELECT t.id, (SELECT max(o.id) FROM run o WHERE o.recipe = r.recipe"
	" AND o.id < t.id) FROM todo_run t CROSS JOIN run r ON r.id = t.id;"
	"INSERT OR IGNORE INTO todo_test SELECT c.test_id, max(c.status IN ('failed', 'error', 'flaky')"
	"  OR c.status IS NOT coalesce(p.status, (SELECT x.status FROM testcase x"
	"   WHERE x.test_id = c.test_id AND x.run_id < c.run_id ORDER BY x.run_id DESC LIMIT 1)))"
	" FROM todo_prev tp CROSS JOIN testcase c ON c.run_id = tp.run"
	" LEFT JOIN testcase p ON p.run_id = tp.prev AND p.test_id = c.test_id GROUP BY c.test_id;"
	"INSERT OR IGNORE INTO todo_sweep SELECT DISTINCT sweep_id FROM run"
	" WHERE id IN (SELECT id FROM todo_run) AND sweep_id IS NOT NULL;";
/* the sweeps just before and after each sweep of a new run (prev/next links, changes);
 * sweeps rendered for their badges only keep their neighbours */
static const char SQL_TODO_SWEEP_NEIGHBOURS[] =
	"INSERT OR IGNORE INTO todo_sweep SELECT x FROM (SELECT"
	" (SELECT p.id FROM sweep p WHERE (coalesce(p.started, 0), p.id)"
	"   < (coalesce(s.started, 0), s.id) ORDER BY coalesce(p.started, 0) DESC, p.id DESC"
	"   LIMIT 1) AS x FROM sweep s WHERE s.id IN (SELECT sweep_id FROM run"
	"   WHERE id IN (SELECT id FROM todo_run WHERE fresh))"
	" UNION ALL SELECT"
	" (SELECT p.id FROM sweep p WHERE (coalesce(p.started, 0), p.id)"
	"   > (coalesce(s.started, 0), s.id) ORDER BY coalesce(p.started, 0), p.id LIMIT 1)"
	" FROM sweep s WHERE s.id IN (SELECT sweep_id FROM run"
	"   WHERE id IN (SELECT id FROM todo_run WHERE fresh))) WHERE x IS NOT NULL";
static const char SQL_TODO_ALL_RECIPES[] =
	"INSERT OR IGNORE INTO todo_recipe SELECT DISTINCT recipe FROM run"
	" UNION SELECT recipe FROM canon_record";

/* pages expected, for the progress line: runs, their log pages and raw logs, the rest */
static const char SQL_TOTAL[] =
	"SELECT (SELECT count(*) FROM todo_run)"
	" + (SELECT coalesce(sum(1 + max(1, (coalesce(lines, 0) + 1999) / 2000)), 0) FROM file"
	"    WHERE kind = 'log' AND run_id IN (SELECT id FROM todo_run WHERE fresh))"
	" + (SELECT count(*) FROM todo_test) + 2 * (SELECT count(*) FROM todo_recipe)"
	" + (SELECT count(*) FROM todo_sweep) + (SELECT count(*) FROM todo_month) + 8";

const struct page_kind page_kinds[] = {
	{"assets", page_assets, KIND_ONE},
	{"docs-scan", page_docs_scan, KIND_EACH}, /* before the pages that list their citations */
	{"logs", page_logs, KIND_SHARED},
	{"runs", page_runs, KIND_SHARED},
	{"tests", page_tests, KIND_SHARED},
	{"badges", page_badges, KIND_SHARED},
	{"history", page_history, KIND_SHARED}, /* before the recipe pages that link to them */
	{"recipes", page_recipes, KIND_SHARED},
	{"sweeps", page_sweeps, KIND_SHARED},
	{"months", page_months, KIND_SHARED}, /* before index.html, which links them */
	{"signatures", page_signatures, KIND_SHARED},
	{"flakes", page_flakes, KIND_ONE},
	{"timeline", page_timeline, KIND_ONE},
	{"docs", page_docs, KIND_ONE},
	{"data", page_data, KIND_ONE},
	{"classdata", page_classdata, KIND_ONE},
	{"feed", page_feed, KIND_ONE},
	{"index", page_index, KIND_LAST},
	{NULL, NULL, KIND_ONE},
};

struct state {
	struct buf head;	/* renderer, options, schema version: a change means a full render */
	struct buf extra;	/* the fingerprint_sql[] values: a change re-renders the overviews */
	struct buf sources;	/* "sources KEY DIGEST" lines (sources.h) */
	int64_t runs, rowid, ingested;
	int64_t underived;	/* lowest rowid of a run not derived when rendered, 0: none */
	int64_t pruned, pruned_at; /* SQL_PRUNED: blobs pruned, latest prune (-1: unknown) */
};

static long abort_after = -1;	/* $CCR_RENDER_ABORT_AFTER: tests kill the render here */
static struct timespec last_progress;

/* ---- output: compare, stage, commit ---- */

static int full_path(struct render *r, const char *rel, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s/%s", r->out, rel);
	if (n < 0 || n >= PATH_MAX)
		return error("'%s/%s': path too long", r->out, rel);
	return 0;
}

/* the temp name beside rel: dir/.ccr-tmp.base */
static int tmp_path(struct render *r, const char *rel, char out[PATH_MAX])
{
	const char *slash = strrchr(rel, '/');
	int dl = slash ? (int)(slash - rel) + 1 : 0;
	int n = snprintf(out, PATH_MAX, "%s/%.*s" TMP_PREFIX "%s", r->out, dl, rel,
			 slash ? slash + 1 : rel);
	if (n < 0 || n >= PATH_MAX)
		return error("'%s/%s': path too long", r->out, rel);
	return 0;
}

/* mkdir -p of path's parent folder */
static int make_parents(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	*slash = '\0';
	int rc = 0;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		if (errno == ENOENT && make_parents(path) == 0 && mkdir(path, 0755) == 0)
			rc = 0;
		else if (errno != EEXIST)
			rc = error("'%s': cannot create folder: %s", path, strerror(errno));
	}
	*slash = '/';
	return rc;
}

static int same_file(struct render *r, const char *path, const void *p, size_t n)
{
	struct stat sb;
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size != n)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	buf_reset(&r->cmp);
	if (r->cmp.cap < n + 1) {
		r->cmp.data = xrealloc(r->cmp.data, n + 1);
		r->cmp.cap = n + 1;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, r->cmp.data + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	return got == n && memcmp(r->cmp.data, p, n) == 0;
}

static int show_progress = -1; /* progress_enabled(), asked once (it is a syscall) */

int render_mine(struct render *r)
{
	if (!r->shared)
		return 1;
	long i = r->row++;
	/* the next ticket is always past the items seen: tickets only grow */
	if (r->ticket < 0)
		r->ticket = atomic_fetch_add(&r->shared->next[r->kind], 1);
	if (i != r->ticket)
		return 0;
	r->ticket = -1;
	return 1;
}

static void draw_progress(struct render *r)
{
	if (show_progress < 0)
		show_progress = progress_enabled();
	if (!show_progress || r->worker)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - last_progress.tv_sec) * 1000 +
		  (now.tv_nsec - last_progress.tv_nsec) / 1000000;
	if (ms < 100)
		return;
	last_progress = now;
	long done = r->nstaged + r->nsame, written = r->nstaged;
	if (r->shared) {
		done = atomic_load(&r->shared->done);
		written = atomic_load(&r->shared->written);
	}
	progress("render: %ld/%ld pages (%ld written)", done, done > r->total ? done : r->total,
		 written);
}

static void count_page(struct render *r, int written)
{
	if (written)
		r->nstaged++;
	else
		r->nsame++;
	if (r->shared) {
		atomic_fetch_add(&r->shared->done, 1);
		if (written)
			atomic_fetch_add(&r->shared->written, 1);
	}
	draw_progress(r);
}

void render_progress(struct render *r)
{
	count_page(r, 0);
}

static int mark_dirty(struct render *r)
{
	char path[PATH_MAX];
	if (full_path(r, ".ccr/dirty", path) < 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return error("'%s': %s", path, strerror(errno));
	close(fd);
	return 0;
}

/* writes p[0..n) to fd; -1 (errno set) when it cannot */
static int write_all(int fd, const void *p, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = write(fd, (const char *)p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

int render_file(struct render *r, const struct url *u, const void *p, size_t n)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if (full_path(r, u->path, path) < 0)
		return -1;
	if (r->in_place) {
		/* a first render: the page itself is the "temp" file (see the top) */
		memcpy(tmp, path, strlen(path) + 1);
	} else if (tmp_path(r, u->path, tmp) < 0) {
		return -1;
	}
	if (r->in_place != IN_PLACE_FRESH && same_file(r, path, p, n)) {
		count_page(r, 0);
		return 0;
	}
	if (!r->nstaged && mark_dirty(r) < 0)
		return -1;
	/* folders are made only when missing: a failed mkdir costs as much as a create */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		if (make_parents(tmp) < 0)
			return -1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (fd < 0)
		return error("'%s': cannot write: %s", tmp, strerror(errno));
	if (write_all(fd, p, n) < 0) {
		error("'%s': cannot write: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		error("'%s': cannot write: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (!r->in_place)
		buf_add(&r->staged, u->path, u->len + 1);
	if (abort_after >= 0 && r->nstaged + 1 >= abort_after) {
		/* the test hook: die like `kill -9` of the render would (its workers die
		 * with the first process: PR_SET_PDEATHSIG) */
		if (r->worker && getppid() == r->first_pid)
			kill(r->first_pid, SIGKILL);
		raise(SIGKILL);
	}
	count_page(r, 1);
	return 0;
}

int render_page(struct render *r, const struct url *u, const struct html *h)
{
	return render_file(r, u, h->b.data ? h->b.data : "", h->b.len);
}

/* the pages one process staged: its list, and where each page kind's part ends */
struct staged_set {
	const struct buf *paths;
	const size_t *kind_end;	/* [RENDER_KINDS_MAX]; the last kind ends with the list */
};

static size_t kinds_count(void)
{
	size_t n = 0;
	while (page_kinds[n].name)
		n++;
	return n;
}

/* renames every staged temp file over its page: kind by kind, in pages.h's order
 * (leaves before the pages that link to them), each kind across the lists of the
 * processes that rendered it (sets[0..nsets)) */
static int commit_staged(struct render *r, const struct staged_set *sets, int nsets)
{
	int rc = 0;
	size_t nkinds = kinds_count();
	for (size_t k = 0; k < nkinds; k++) {
		for (int i = 0; i < nsets; i++) {
			const struct buf *b = sets[i].paths;
			size_t off = k ? sets[i].kind_end[k - 1] : 0;
			size_t end = k + 1 == nkinds ? b->len : sets[i].kind_end[k];
			while (off < end) {
				const char *rel = b->data + off;
				off += strlen(rel) + 1;
				char path[PATH_MAX], tmp[PATH_MAX];
				if (full_path(r, rel, path) < 0 || tmp_path(r, rel, tmp) < 0) {
					rc = -1;
					continue;
				}
				if (rename(tmp, path) < 0)
					rc = error("'%s': cannot rename into place: %s", path,
						   strerror(errno));
			}
		}
	}
	return rc;
}

/* after an error: remove what this render staged, so the site is byte-identical
 * again (a first render's pages stay: the next one compares them) */
static void discard_staged(struct render *r, const struct staged_set *sets, int nsets)
{
	for (int i = 0; i < nsets; i++) {
		const struct buf *b = sets[i].paths;
		for (size_t off = 0; off < b->len;) {
			const char *rel = b->data + off;
			off += strlen(rel) + 1;
			char tmp[PATH_MAX];
			if (tmp_path(r, rel, tmp) == 0)
				unlink(tmp);
		}
	}
	char dirty[PATH_MAX];
	if (!r->in_place && full_path(r, ".ccr/dirty", dirty) == 0)
		unlink(dirty);
}

static int clean_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	if (flag == FTW_F && !strncmp(path + ftw->base, TMP_PREFIX, strlen(TMP_PREFIX)))
		unlink(path);
	return 0;
}

/* a render was killed: remove its temp files (walks the site once); 1 when it was */
static int clean_after_kill(struct render *r)
{
	char path[PATH_MAX];
	if (full_path(r, ".ccr/dirty", path) < 0 || access(path, F_OK) < 0)
		return 0;
	info("'%s': removing the temp files of an interrupted render", r->out);
	nftw(r->out, clean_one, 32, FTW_PHYS);
	unlink(path);
	return 1;
}

/* ---- state ---- */

static int fingerprint(struct render *r, struct state *s)
{
	buf_reset(&s->head);
	buf_reset(&s->extra);
	/* the schema readers need: a migration that only adds an index is no reason for a
	 * full render */
	int schema = store_reader_schema(r->st);
	if (schema < 0)
		return store_error(r->st, "reading the store position");
	buf_addf(&s->head, "renderer %s\nbase-url %s\nstore %s\nschema %d\n", RENDER_VERSION,
		 r->base_url ? r->base_url : "", r->store_name, schema);
	if (r->docs) {
		/* a changed document may move back-links on any page: render them all */
		char dh[65];
		if (docs_fingerprint(r->docs, dh) < 0)
			return -1;
		buf_addf(&s->head, "docs %s\n", dh);
	}
	if (r->notes) {
		/* changed recipe notes: render again (recipe pages show them) */
		char nh[65];
		if (docs_fingerprint(r->notes, nh) < 0)
			return -1;
		buf_addf(&s->head, "notes %s\n", nh);
	}
	for (size_t i = 0; i < sizeof(fingerprint_sql) / sizeof(fingerprint_sql[0]); i++) {
		sqlite3_stmt *q = store_stmt(r->st, fingerprint_sql[i]);
		if (sqlite3_step(q) != SQLITE_ROW)
			return store_error(r->st, "reading the store position");
		buf_addf(&s->extra, "extra %s\n", col_text(q, 0));
		sqlite3_reset(q);
	}
	sqlite3_stmt *q = store_stmt(r->st, SQL_POSITION);
	if (sqlite3_step(q) != SQLITE_ROW)
		return store_error(r->st, "reading the store position");
	s->runs = sqlite3_column_int64(q, 0);
	s->rowid = sqlite3_column_int64(q, 1);
	s->ingested = sqlite3_column_int64(q, 2);
	s->underived = sqlite3_column_int64(q, 3);
	sqlite3_reset(q);
	q = store_stmt(r->st, SQL_PRUNED);
	if (sqlite3_step(q) != SQLITE_ROW)
		return store_error(r->st, "reading the store position");
	s->pruned = sqlite3_column_int64(q, 0);
	s->pruned_at = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	return 0;
}

/* reads OUT/.ccr/state; 0 when there is none or it is unreadable (a full render) */
static int state_load(struct render *r, struct state *s)
{
	char path[PATH_MAX];
	struct buf b;
	buf_init(&b, STATE_MAX);
	if (full_path(r, ".ccr/state", path) < 0 || access(path, F_OK) < 0)
		return 0;
	if (buf_read_file(&b, path) < 0) {
		buf_release(&b);
		return 0;
	}
	/* lines: "extra ..." fingerprints, "position R ROWID INGESTED [UNDERIVED]",
	 * "pruned N AT", the rest is head */
	int ok = 0;
	s->pruned = s->pruned_at = -1;
	for (char *line = b.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "pruned ", 7))
			sscanf(line, "pruned %" SCNd64 " %" SCNd64, &s->pruned, &s->pruned_at);
		else if (!strncmp(line, "position ", 9))
			ok = sscanf(line, "position %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64,
				    &s->runs, &s->rowid, &s->ingested, &s->underived) >= 3;
		else if (!strncmp(line, "sources ", 8))
			buf_addf(&s->sources, "%s\n", line);
		else
			buf_addf(strncmp(line, "extra ", 6) ? &s->head : &s->extra, "%s\n", line);
	}
	buf_release(&b);
	return ok;
}

/* the state file's text for s (what state_load() reads back) */
static void state_text(const struct state *s, struct buf *b)
{
	buf_add(b, s->head.data, s->head.len);
	buf_add(b, s->extra.data, s->extra.len);
	buf_addf(b, "position %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", s->runs,
		 s->rowid, s->ingested, s->underived);
	buf_add(b, s->sources.data, s->sources.len);
	buf_addf(b, "pruned %" PRId64 " %" PRId64 "\n", s->pruned, s->pruned_at);
}

static int state_save(struct render *r, const struct state *s)
{
	struct buf b = BUF_INIT;
	state_text(s, &b);
	char path[PATH_MAX], tmp[PATH_MAX];
	int rc = -1;
	if (full_path(r, ".ccr/state", path) == 0 && full_path(r, ".ccr/state.tmp", tmp) == 0) {
		FILE *f = fopen(tmp, "w");
		if (!f) {
			rc = error("'%s': %s", tmp, strerror(errno));
		} else {
			fwrite(b.data, 1, b.len, f);
			int bad = ferror(f);
			if (fclose(f) != 0 || bad)
				rc = error("'%s': cannot write", tmp);
			else if (rename(tmp, path) < 0)
				rc = error("'%s': %s", path, strerror(errno));
			else
				rc = 0;
		}
	}
	buf_release(&b);
	return rc;
}

static int same_buf(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

/* 1 when the logs pruned since the last render are only more of them: every blob
 * pruned then still is, and the newer ones all have a later time (SQL_TODO_PRUNED
 * finds them); 0 when some came back (or times went back): they cannot be found */
static int prunes_only_added(struct render *r, const struct state *old, const struct state *now)
{
	if (old->pruned < 0 || now->pruned < old->pruned)
		return 0;
	sqlite3_stmt *q = store_stmt(r->st, SQL_PRUNED_SINCE);
	bind_int(q, ":since", old->pruned_at);
	int64_t newer = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
	sqlite3_reset(q);
	return newer >= 0 && old->pruned + newer == now->pruned;
}

/* decides between a full render, an incremental one and nothing to do (r->full
 * set, or 1 returned), as the top of this file says; 0, 1, or -1 on error */
static int plan_decide(struct render *r, const struct state *old, int have_old,
		       const struct state *now)
{
	char idx[PATH_MAX];
	if (full_path(r, "index.html", idx) < 0)
		return -1;
	int pruned = have_old && (now->pruned != old->pruned || now->pruned_at != old->pruned_at);
	if (!r->full) {
		if (!have_old || !same_buf(&old->head, &now->head) || now->runs < old->runs ||
		    now->rowid < old->rowid || access(idx, F_OK) < 0) {
			info("'%s': rendering every page (%s)", r->out,
			     have_old ? "the store or the options changed" : "no earlier render");
			r->full = 1;
		} else if (pruned && !prunes_only_added(r, old, now)) {
			info("'%s': rendering every page (pruned logs came back)", r->out);
			r->full = 1;
		} else if (now->runs == old->runs && now->rowid == old->rowid &&
			   now->ingested == old->ingested && now->underived == old->underived &&
			   same_buf(&old->extra, &now->extra) && !pruned) {
			return 1;
		}
	}
	return 0;
}

/* fills the todo tables for the render plan_decide() chose; 0, or -1 on error */
static int plan_todo(struct render *r, const struct state *old, int have_old,
		     struct state *now)
{
	int pruned = have_old && (now->pruned != old->pruned || now->pruned_at != old->pruned_at);
	/* scans the run table once, on purpose: the overlap searches are then bounded
	 * by the longest run instead of by a guess */
	sqlite3_stmt *q = store_stmt(r->st, SQL_RUN_SPAN);
	if (sqlite3_step(q) != SQLITE_ROW)
		return store_error(r->st, "reading runs");
	r->run_span = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (store_exec(r->st, SQL_TODO_TABLES) < 0)
		return -1;
	if (r->full)
		return store_exec(r->st, SQL_TODO_FULL) < 0 ? -1
							    : sources_plan(r, &old->sources, &now->sources);
	/* runs not derived at the last render count as new: their classes came since */
	int64_t last = old->rowid;
	if (old->underived > 0 && old->underived - 1 < last)
		last = old->underived - 1;
	q = store_stmt(r->st, SQL_TODO_NEW_RUNS);
	bind_int(q, ":last", last);
	if (store_step_done(r->st, q) < 0)
		return -1;
	q = store_stmt(r->st, SQL_TODO_OVERLAP);
	bind_int(q, ":last", last);
	bind_int(q, ":span", r->run_span);
	if (store_step_done(r->st, q) < 0)
		return -1;
	if (store_exec(r->st, SQL_TODO_MONTHS) < 0 || sources_plan(r, &old->sources, &now->sources) < 0)
		return -1;
	if (store_exec(r->st, SQL_TODO_REST) < 0 || store_exec(r->st, SQL_TODO_SWEEP_NEIGHBOURS) < 0)
		return -1;
	if (!same_buf(&old->extra, &now->extra) && store_exec(r->st, SQL_TODO_ALL_RECIPES) < 0)
		return -1;
	if (pruned) {
		/* last, so the recipes, sweeps and other tests of these runs are not redone:
		 * only their run and log pages and their failures' test pages show logs */
		if (store_exec(r->st, SQL_PRUNED_RUNS) < 0)
			return -1;
		q = store_stmt(r->st, SQL_PRUNED_RUNS_FILL);
		bind_int(q, ":since", old->pruned_at);
		if (store_step_done(r->st, q) < 0 || store_exec(r->st, SQL_TODO_PRUNED) < 0)
			return -1;
	}
	return 0;
}

/* plan_todo(), then (the first process) the pages expected, for the progress line */
static int plan_fill(struct render *r, const struct state *old, int have_old,
		     struct state *now, const struct timespec *t0)
{
	if (plan_todo(r, old, have_old, now) < 0)
		return -1;
	if (r->worker)
		return 0;
	sqlite3_stmt *q = store_stmt(r->st, SQL_TOTAL);
	if (sqlite3_step(q) == SQLITE_ROW)
		r->total = (long)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info("'%s': planned in %.2f s", r->out,
	     (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
	return 0;
}

/* ---- the page kinds, in one process or several ---- */

static double tv_secs(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

/* opens the store for a render: read-only, a larger page cache, and one read
 * transaction for the whole render, so every page and the recorded position see
 * the same snapshot while collectors commit new runs (WAL) */
static int render_open(struct render *r, const char *db)
{
	r->st = store_open(db, STORE_READONLY);
	if (!r->st)
		return -1;
	char pragma[64];
	int pn = snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", RENDER_CACHE_KIB);
	if (pn < 0 || (size_t)pn >= sizeof(pragma) || store_exec(r->st, pragma) < 0 ||
	    store_exec(r->st, "BEGIN") < 0)
		return -1;
	/* a store no collector has migrated to 8 yet lacks it (render.h: CLASS_BY_SOURCES) */
	r->class_ix = store_has(r->st, "classification_sources");
	return 0;
}

static void render_close(struct render *r)
{
	if (r->st && !sqlite3_get_autocommit(store_db(r->st)))
		store_exec(r->st, "ROLLBACK");
	store_close(r->st);
	r->st = NULL;
}

enum { PASS_ALL, PASS_NOT_LAST, PASS_LAST };

/* runs the page kinds a pass asks for, in order, recording where each kind's staged
 * pages end; 0, or -1 (printed) when one failed */
static int run_kinds(struct render *r, int pass)
{
	for (int i = 0; page_kinds[i].name; i++) {
		const struct page_kind *k = &page_kinds[i];
		if ((pass == PASS_NOT_LAST && k->mode == KIND_LAST) ||
		    (pass == PASS_LAST && k->mode != KIND_LAST)) {
			if (pass == PASS_NOT_LAST)
				r->kind_end[i] = r->staged.len;
			continue;
		}
		r->kind = i;
		r->row = 0;
		r->ticket = -1;
		if (k->mode == KIND_ONE && !render_mine(r)) {
			r->kind_end[i] = r->staged.len;
			continue;
		}
		struct timespec k0, k1;
		struct rusage u0, u1;
		long before = r->nstaged + r->nsame;
		clock_gettime(CLOCK_MONOTONIC, &k0);
		getrusage(RUSAGE_SELF, &u0);
		/* a kind every process runs warns once: in the first process */
		int loud = verbosity;
		if (k->mode == KIND_EACH && r->worker)
			verbosity = -1;
		int krc = k->fn(r);
		verbosity = loud;
		clock_gettime(CLOCK_MONOTONIC, &k1);
		getrusage(RUSAGE_SELF, &u1);
		r->kind_end[i] = r->staged.len;
		char who[32] = "";
		if (r->shared)
			snprintf(who, sizeof(who), " [worker %d]", r->worker);
		info("'%s': %s: %ld pages in %.2f s (cpu %.2f user, %.2f sys)%s", r->out, k->name,
		     r->nstaged + r->nsame - before,
		     (double)(k1.tv_sec - k0.tv_sec) + (double)(k1.tv_nsec - k0.tv_nsec) / 1e9,
		     tv_secs(&u1.ru_utime) - tv_secs(&u0.ru_utime),
		     tv_secs(&u1.ru_stime) - tv_secs(&u0.ru_stime), who);
		if (krc < 0)
			return error("'%s': rendering %s failed; the previous site is kept", r->out,
				     k->name);
	}
	return 0;
}

/* a worker's report to the first process, through a pipe: this head, then the
 * state text it rendered from, then its staged paths */
struct report {
	int status;		/* 0 done, 1 failed (printed), 2 the store moved */
	int rejected;
	long nstaged, nsame;
	size_t state_len, staged_len;
	size_t kind_end[RENDER_KINDS_MAX];
};

struct worker {
	pid_t pid;
	int fd;			/* the report's read end */
	struct report rep;
	struct buf state, staged;
	int ok;			/* the whole report came, and the process exited 0 */
};

static int read_all(int fd, void *p, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = read(fd, (char *)p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

/* appends n bytes read from fd to b; -1 when they do not all come */
static int read_into(int fd, struct buf *b, size_t n)
{
	char chunk[65536];
	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		if (read_all(fd, chunk, k) < 0 || buf_add(b, chunk, k) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* one process's share of a parallel render: opens the store at its newest
 * snapshot, plans as the first process did (the same state read from disk, in
 * the memory it inherited), and renders the kinds of the pass. 0, -1 (printed),
 * or 2 when the store is not where the first process planned it (no-op now) */
static int share(struct render *r, const char *db, const struct state *old, int have_old,
		 struct state *now, int pass, const struct timespec *t0)
{
	if (render_open(r, db) < 0 || fingerprint(r, now) < 0)
		return -1;
	r->as_of = now->ingested;
	int p = plan_decide(r, old, have_old, now);
	if (p != 0)
		return p < 0 ? -1 : 2;
	if (plan_fill(r, old, have_old, now, t0) < 0)
		return -1;
	return run_kinds(r, pass);
}

/* a worker process: its share, then its report; returns its exit status */
static int worker_main(struct render *r, const char *db, const struct state *old,
		       int have_old, struct state *now, int fd)
{
	struct report rep;
	memset(&rep, 0, sizeof(rep));
	buf_init(&r->staged, 0);
	buf_init(&r->cmp, 0);
	r->nstaged = r->nsame = 0;
	/* the test hook: hold the workers back until a file exists (up to 30 s), so a
	 * test can commit runs between the first process's snapshot and theirs */
	const char *hold = getenv("CCR_RENDER_WORKER_WAIT");
	for (int i = 0; hold && *hold && i < 3000 && access(hold, F_OK) < 0; i++)
		usleep(10000);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = share(r, db, old, have_old, now, PASS_NOT_LAST, &t0);
	struct buf text = BUF_INIT;
	state_text(now, &text);
	rep.status = rc < 0 ? 1 : rc;
	rep.rejected = r->rejected;
	rep.nstaged = r->nstaged;
	rep.nsame = r->nsame;
	rep.state_len = text.len;
	rep.staged_len = r->staged.len;
	memcpy(rep.kind_end, r->kind_end, sizeof(rep.kind_end));
	int wrc = write_all(fd, &rep, sizeof(rep)) < 0 || write_all(fd, text.data, text.len) < 0 ||
		  write_all(fd, r->staged.data, r->staged.len) < 0;
	close(fd);
	render_close(r);
	buf_release(&text);
	buf_release(&r->staged);
	buf_release(&r->cmp);
	return wrc ? EXIT_USAGE : rep.status ? EXIT_REJECTED : EXIT_OK;
}

/* reads w's report and waits for it */
static void worker_collect(struct worker *w)
{
	buf_init(&w->state, STATE_MAX);
	buf_init(&w->staged, 0);
	int got = read_all(w->fd, &w->rep, sizeof(w->rep)) == 0 &&
		  read_into(w->fd, &w->state, w->rep.state_len) == 0 &&
		  read_into(w->fd, &w->staged, w->rep.staged_len) == 0;
	close(w->fd);
	int ws = 0;
	while (waitpid(w->pid, &ws, 0) < 0 && errno == EINTR)
		;
	/* a worker that failed said why itself; one killed could not */
	w->ok = got && WIFEXITED(ws) && (WEXITSTATUS(ws) == EXIT_OK || w->rep.status == 2);
	if (WIFSIGNALED(ws))
		error("render worker %d: killed by signal %d", (int)w->pid, WTERMSIG(ws));
}

/* how many processes render: --jobs, or the CPUs this process may run on */
static int default_jobs(void)
{
	cpu_set_t set;
	int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
							    : (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : n;
}

/*
 * The page kinds in jobs processes. The store connection is closed first (a
 * sqlite connection must not cross a fork); every process, this one included,
 * then opens the store, plans the same render and takes the items of the shared
 * kinds as it gets to them (render_mine). The others report what they staged and
 * the state they rendered from; this one renders index.html last and renames the
 * pages in kind by kind. Returns 0 when done, -1 when a process failed (every
 * staged page removed: the site is as it was), 1 when a collector committed
 * between the processes' snapshots (everything removed too: the caller renders
 * again in one process). now is the state this process rendered from.
 */
static int render_parallel(struct render *r, const char *db, const struct state *old,
			   int have_old, struct state *now, int jobs, const struct timespec *t0)
{
	struct render_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return error("render: cannot share memory with workers: %s", strerror(errno));
	for (int i = 0; i < RENDER_KINDS_MAX; i++)
		atomic_init(&sh->next[i], 0);
	atomic_init(&sh->done, 0);
	atomic_init(&sh->written, 0);
	render_close(r);
	r->shared = sh;
	r->first_pid = (int)getpid();
	struct worker *w = xcalloc((size_t)jobs, sizeof(*w));
	int n = 1;
	for (; n < jobs; n++) {
		int fds[2];
		if (pipe(fds) < 0) {
			warning("render: cannot start worker %d: %s", n, strerror(errno));
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			warning("render: cannot start worker %d: %s", n, strerror(errno));
			close(fds[0]);
			close(fds[1]);
			break;
		}
		if (pid == 0) {
			close(fds[0]);
			for (int i = 1; i < n; i++)
				close(w[i].fd);
			/* a killed render takes its workers with it */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != (pid_t)r->first_pid)
				_exit(EXIT_USAGE);
			r->worker = n;
			int status = worker_main(r, db, old, have_old, now, fds[1]);
			free(w);
			_exit(status);
		}
		close(fds[1]);
		w[n].pid = pid;
		w[n].fd = fds[0];
	}
	int rc = share(r, db, old, have_old, now, PASS_NOT_LAST, t0);
	struct buf text = BUF_INIT;
	state_text(now, &text);
	int failed = rc < 0, moved = rc == 2;
	struct staged_set *sets = xcalloc((size_t)n, sizeof(*sets));
	sets[0].paths = &r->staged;
	sets[0].kind_end = r->kind_end;
	for (int i = 1; i < n; i++) {
		worker_collect(&w[i]);
		sets[i].paths = &w[i].staged;
		sets[i].kind_end = w[i].rep.kind_end;
		if (!w[i].ok) {
			failed = 1;
			continue;
		}
		moved |= w[i].rep.status == 2 || !same_buf(&w[i].state, &text);
		r->nstaged += w[i].rep.nstaged;
		r->nsame += w[i].rep.nsame;
		r->rejected |= w[i].rep.rejected;
	}
	if (!failed && !moved) {
		r->shared = NULL; /* index.html: this process alone */
		failed = run_kinds(r, PASS_LAST) < 0;
	}
	if (failed || moved) {
		discard_staged(r, sets, n);
		buf_reset(&r->staged);
		rc = failed ? -1 : 1;
	} else {
		rc = commit_staged(r, sets, n);
	}
	for (int i = 1; i < n; i++) {
		buf_release(&w[i].state);
		buf_release(&w[i].staged);
	}
	free(sets);
	free(w);
	buf_release(&text);
	r->shared = NULL;
	munmap(sh, sizeof(*sh));
	return rc;
}

/* after the page kinds ran in this process (krc: their result): renames the staged
 * pages into place, or removes them all when a kind failed; 0 or -1 */
static int finish_serial(struct render *r, int krc)
{
	struct staged_set self = {&r->staged, r->kind_end};
	if (krc < 0) {
		discard_staged(r, &self, 1);
		return -1;
	}
	return commit_staged(r, &self, 1);
}

/* ---- the command ---- */

static const char render_usage[] =
	"render [--out DIR] [--docs DIR] [--notes DIR] [--base-url URL] [--full] [--jobs N]";

static int lock_out(struct render *r, int *fd)
{
	char path[PATH_MAX];
	if (full_path(r, ".ccr/lock", path) < 0)
		return -1;
	if (make_parents(path) < 0)
		return -1;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return error("'%s': %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return error("'%s': render in progress (another ccr render holds %s)",
				     r->out, path);
		return error("'%s': cannot lock: %s", path, strerror(errno));
	}
	return 0;
}

int cmd_render(int argc, char **argv)
{
	struct render r;
	memset(&r, 0, sizeof(r));
	r.out = "site";
	char *base = NULL;
	const char *jobs_arg = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **dst = NULL;
		if (!strcmp(a, "--full")) {
			r.full = 1;
			continue;
		} else if (!strcmp(a, "--jobs") || !strncmp(a, "--jobs=", 7)) {
			dst = &jobs_arg;
		} else if (!strcmp(a, "--out") || !strncmp(a, "--out=", 6)) {
			dst = &r.out;
		} else if (!strcmp(a, "--docs") || !strncmp(a, "--docs=", 7)) {
			dst = &r.docs;
		} else if (!strcmp(a, "--notes") || !strncmp(a, "--notes=", 8)) {
			dst = &r.notes;
		} else if (!strcmp(a, "--base-url") || !strncmp(a, "--base-url=", 11)) {
			dst = (const char **)&base;
		} else {
			return usage_error(render_usage);
		}
		const char *eq = strchr(a, '=');
		if (eq) {
			*dst = eq + 1;
		} else {
			if (++i >= argc)
				return usage_error(render_usage);
			*dst = argv[i];
		}
	}
	if (!*r.out)
		return usage_error(render_usage);
	int jobs_opt = 0;
	if (jobs_arg) {
		char *end;
		long j = strtol(jobs_arg, &end, 10);
		if (end == jobs_arg || *end || j < 1 || j > JOBS_MAX)
			return error("'%s': --jobs must be a number from 1 to %d", jobs_arg, JOBS_MAX),
			       EXIT_USAGE;
		jobs_opt = (int)j;
	}
	if (base) {
		if (!url_external_ok(base))
			return error("'%s': --base-url must be an http:// or https:// URL", base),
			       EXIT_USAGE;
		base = xstrdup(base);
		size_t n = strlen(base);
		while (n > 0 && base[n - 1] == '/')
			base[--n] = '\0';
		r.base_url = base;
	}
	const char *hook = getenv("CCR_RENDER_ABORT_AFTER");
	if (hook && *hook)
		abort_after = atol(hook);

	int status = EXIT_USAGE, lockfd = -1, have_old = 0;
	char dirty[PATH_MAX];
	struct state old, now;
	memset(&old, 0, sizeof(old));
	memset(&now, 0, sizeof(now));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	const char *slash = strrchr(cli.db, '/');
	r.store_name = slash ? slash + 1 : cli.db;
	if (render_open(&r, cli.db) < 0 || lock_out(&r, &lockfd) < 0)
		goto out;
	int interrupted = clean_after_kill(&r);
	if (fingerprint(&r, &now) < 0)
		goto out;
	have_old = state_load(&r, &old);
	{
		char idx[PATH_MAX];
		if (full_path(&r, "index.html", idx) < 0)
			goto out;
		/* no site to keep whole: write in place (see the top of this file) */
		if (!have_old && access(idx, F_OK) < 0)
			r.in_place = interrupted ? IN_PLACE_COMPARE : IN_PLACE_FRESH;
	}
	r.as_of = now.ingested;
	int p = plan_decide(&r, &old, have_old, &now);
	if (p < 0)
		goto out;
	if (p == 1) {
		/* the stylesheet and script come from the binary: a new ccr may bring new
		 * ones with no new data (comparing two small files writes nothing) */
		struct staged_set self = {&r.staged, r.kind_end};
		if (page_assets(&r) < 0 || commit_staged(&r, &self, 1) < 0)
			goto out;
		if (r.nstaged && full_path(&r, ".ccr/dirty", dirty) == 0)
			unlink(dirty);
		info("'%s': nothing new since the last render", r.out);
		status = EXIT_OK;
		goto out;
	}
	int jobs = jobs_opt ? jobs_opt : default_jobs(), rc;
	if (jobs > 1 && (r.full || now.runs - old.runs >= PARALLEL_MIN_RUNS)) {
		rc = render_parallel(&r, cli.db, &old, have_old, &now, jobs, &t0);
		if (rc == 1) {
			/* rare: a collector committed between the processes' snapshots */
			info("'%s': the store changed while the workers opened it; rendering in one"
			     " process", r.out);
			if (r.in_place == IN_PLACE_FRESH)
				r.in_place = IN_PLACE_COMPARE; /* the workers wrote pages in place */
			r.nstaged = r.nsame = 0;
			r.rejected = 0;
			render_close(&r);
			rc = share(&r, cli.db, &old, have_old, &now, PASS_ALL, &t0);
			if (rc == 2)
				rc = error("'%s': the store changed during the render", r.out);
			rc = rc < 0 ? rc : finish_serial(&r, 0);
		}
	} else {
		rc = plan_fill(&r, &old, have_old, &now, &t0);
		rc = finish_serial(&r, rc < 0 ? rc : run_kinds(&r, PASS_ALL));
	}
	progress_done();
	if (rc < 0 || state_save(&r, &now) < 0)
		goto out;
	if (full_path(&r, ".ccr/dirty", dirty) == 0)
		unlink(dirty);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (progress_enabled() || verbosity > 0)
		fprintf(stderr, "ccr: '%s': %ld pages written, %ld unchanged, in %.2f s%s\n",
			r.out, r.nstaged, r.nsame, secs, r.full ? " (full render)" : "");
	status = r.rejected ? EXIT_REJECTED : EXIT_OK;
out:
	progress_done();
	if (lockfd >= 0)
		close(lockfd);
	render_close(&r);
	buf_release(&r.staged);
	buf_release(&r.cmp);
	buf_release(&old.head);
	buf_release(&now.head);
	buf_release(&old.extra);
	buf_release(&now.extra);
	buf_release(&old.sources);
	buf_release(&now.sources);
	free(base);
	return status;
}
