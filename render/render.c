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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
static const char SQL_SCHEMA_VERSION[] = "PRAGMA user_version";

/* what 'ccr prune' has dropped: blobs and the latest prune time. Scans blob on purpose
 * (no index on pruned_at; adding one needs a migration): it reads the table's leaf pages
 * only, never a log's bytes (a NULL pruned_at is told by the record header), ~35k page
 * reads and ~0.1 s for 180k blobs, as many as a large history has */
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
	" WITHOUT ROWID;";

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
	 * time; index testcase_test) */
	"INSERT OR IGNORE INTO todo_test SELECT c.test_id, max(c.status IN ('failed', 'error', 'flaky')"
	"  OR c.status IS NOT (SELECT p.status FROM testcase p WHERE p.test_id = c.test_id"
	"   AND p.run_id < c.run_id ORDER BY p.run_id DESC LIMIT 1))"
	" FROM testcase c WHERE c.run_id IN (SELECT id FROM todo_run) GROUP BY c.test_id;"
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
	{"assets", page_assets},
	{"docs-scan", page_docs_scan}, /* before the pages that list their citations */
	{"logs", page_logs},
	{"runs", page_runs},
	{"tests", page_tests},
	{"badges", page_badges},
	{"history", page_history}, /* before the recipe pages that link to them */
	{"recipes", page_recipes},
	{"sweeps", page_sweeps},
	{"months", page_months}, /* before index.html, which links them */
	{"signatures", page_signatures},
	{"flakes", page_flakes},
	{"timeline", page_timeline},
	{"docs", page_docs},
	{"data", page_data},
	{"classdata", page_classdata},
	{"feed", page_feed},
	{"index", page_index},
	{NULL, NULL},
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

static void draw_progress(struct render *r)
{
	if (show_progress < 0)
		show_progress = progress_enabled();
	if (!show_progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - last_progress.tv_sec) * 1000 +
		  (now.tv_nsec - last_progress.tv_nsec) / 1000000;
	if (ms < 100)
		return;
	last_progress = now;
	long done = r->nstaged + r->nsame;
	progress("render: %ld/%ld pages (%ld written)", done, done > r->total ? done : r->total,
		 r->nstaged);
}

void render_progress(struct render *r)
{
	r->nsame++;
	draw_progress(r);
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
		render_progress(r);
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
	size_t done = 0;
	while (done < n) {
		ssize_t k = write(fd, (const char *)p + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			error("'%s': cannot write: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		done += (size_t)k;
	}
	if (close(fd) < 0) {
		error("'%s': cannot write: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (!r->in_place)
		buf_add(&r->staged, u->path, u->len + 1);
	r->nstaged++;
	if (abort_after >= 0 && r->nstaged >= abort_after)
		raise(SIGKILL); /* the test hook: die like `kill -9` would */
	draw_progress(r);
	return 0;
}

int render_page(struct render *r, const struct url *u, const struct html *h)
{
	return render_file(r, u, h->b.data ? h->b.data : "", h->b.len);
}

/* renames every staged temp file over its page, in staging order */
static int commit_staged(struct render *r)
{
	int rc = 0;
	for (size_t off = 0; off < r->staged.len;) {
		const char *rel = r->staged.data + off;
		off += strlen(rel) + 1;
		char path[PATH_MAX], tmp[PATH_MAX];
		if (full_path(r, rel, path) < 0 || tmp_path(r, rel, tmp) < 0) {
			rc = -1;
			continue;
		}
		if (rename(tmp, path) < 0)
			rc = error("'%s': cannot rename into place: %s", path, strerror(errno));
	}
	return rc;
}

/* after an error: remove what this render staged */
static void discard_staged(struct render *r)
{
	for (size_t off = 0; off < r->staged.len;) {
		const char *rel = r->staged.data + off;
		off += strlen(rel) + 1;
		char tmp[PATH_MAX];
		if (tmp_path(r, rel, tmp) == 0)
			unlink(tmp);
	}
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
	sqlite3_stmt *q = store_stmt(r->st, SQL_SCHEMA_VERSION);
	if (sqlite3_step(q) != SQLITE_ROW)
		return store_error(r->st, "reading the store position");
	buf_addf(&s->head, "renderer %s\nbase-url %s\nstore %s\nschema %d\n", RENDER_VERSION,
		 r->base_url ? r->base_url : "", r->store_name, sqlite3_column_int(q, 0));
	sqlite3_reset(q);
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
		q = store_stmt(r->st, fingerprint_sql[i]);
		if (sqlite3_step(q) != SQLITE_ROW)
			return store_error(r->st, "reading the store position");
		buf_addf(&s->extra, "extra %s\n", col_text(q, 0));
		sqlite3_reset(q);
	}
	q = store_stmt(r->st, SQL_POSITION);
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

static int state_save(struct render *r, const struct state *s)
{
	struct buf b = BUF_INIT;
	buf_add(&b, s->head.data, s->head.len);
	buf_add(&b, s->extra.data, s->extra.len);
	buf_addf(&b, "position %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", s->runs,
		 s->rowid, s->ingested, s->underived);
	buf_add(&b, s->sources.data, s->sources.len);
	buf_addf(&b, "pruned %" PRId64 " %" PRId64 "\n", s->pruned, s->pruned_at);
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

/* fills the todo tables; returns 0, 1 when there is nothing to do, -1 on error */
static int plan(struct render *r, const struct state *old, int have_old, struct state *now)
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

/* ---- the command ---- */

static double tv_secs(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

static const char render_usage[] =
	"render [--out DIR] [--docs DIR] [--notes DIR] [--base-url URL] [--full]";

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
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **dst = NULL;
		if (!strcmp(a, "--full")) {
			r.full = 1;
			continue;
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
	r.st = store_open(cli.db, STORE_READONLY);
	if (!r.st)
		goto out;
	{
		char pragma[64];
		int pn = snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%d", RENDER_CACHE_KIB);
		if (pn < 0 || (size_t)pn >= sizeof(pragma) || store_exec(r.st, pragma) < 0)
			goto out;
	}
	/* one read transaction for the whole render: every page and the recorded
	 * position see the same snapshot while collectors commit new runs (WAL) */
	if (store_exec(r.st, "BEGIN") < 0)
		goto out;
	if (lock_out(&r, &lockfd) < 0)
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
	int p = plan(&r, &old, have_old, &now);
	if (p < 0)
		goto out;
	if (p == 1) {
		/* the stylesheet and script come from the binary: a new ccr may bring new
		 * ones with no new data (comparing two small files writes nothing) */
		if (page_assets(&r) < 0 || commit_staged(&r) < 0)
			goto out;
		if (r.nstaged && full_path(&r, ".ccr/dirty", dirty) == 0)
			unlink(dirty);
		info("'%s': nothing new since the last render", r.out);
		status = EXIT_OK;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info("'%s': planned in %.2f s", r.out,
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	sqlite3_stmt *q = store_stmt(r.st, SQL_TOTAL);
	if (sqlite3_step(q) == SQLITE_ROW)
		r.total = (long)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);

	for (const struct page_kind *k = page_kinds; k->name; k++) {
		struct timespec k0, k1;
		struct rusage u0, u1;
		long before = r.nstaged + r.nsame;
		clock_gettime(CLOCK_MONOTONIC, &k0);
		getrusage(RUSAGE_SELF, &u0);
		int krc = k->fn(&r);
		clock_gettime(CLOCK_MONOTONIC, &k1);
		getrusage(RUSAGE_SELF, &u1);
		info("'%s': %s: %ld pages in %.2f s (cpu %.2f user, %.2f sys)", r.out, k->name,
		     r.nstaged + r.nsame - before,
		     (double)(k1.tv_sec - k0.tv_sec) + (double)(k1.tv_nsec - k0.tv_nsec) / 1e9,
		     tv_secs(&u1.ru_utime) - tv_secs(&u0.ru_utime),
		     tv_secs(&u1.ru_stime) - tv_secs(&u0.ru_stime));
		if (krc < 0) {
			error("'%s': rendering %s failed; the previous site is kept", r.out,
			      k->name);
			discard_staged(&r);
			/* nothing of this render is left: the site is byte-identical again
			 * (a first render's pages stay: the next one compares them) */
			if (!r.in_place && full_path(&r, ".ccr/dirty", dirty) == 0)
				unlink(dirty);
			goto out;
		}
	}
	progress_done();
	struct timespec c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &c0);
	if (commit_staged(&r) < 0 || state_save(&r, &now) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &c1);
	info("'%s': %ld pages %s in %.2f s", r.out, r.nstaged,
	     r.in_place ? "written in place (first render)" : "renamed into place",
	     (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9);
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
	if (r.st && !sqlite3_get_autocommit(store_db(r.st)))
		store_exec(r.st, "ROLLBACK");
	store_close(r.st);
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
