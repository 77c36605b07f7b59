/*
 * derive: after each collect command, brings the derived tables of migration 2 up
 * to date for the runs it stored: failure signatures, infrastructure incidents and
 * the classification of every test (README "Classification" has the rules).
 *
 * Incremental: only runs missing from derived_run are looked at. Their
 * (recipe, version, harness ref) groups are recounted from their testcases, one
 * recipe at a time; the counts that changed go to d_fresh, then each test with
 * one is re-walked over its (few) classification rows to settle what depends on
 * the previous sources (fixed, failing_since, regression), and the walk writes
 * each row that changed, once: a night's commit is then its changed rows' pages.
 * Signature statistics are added to, not counted again. The whole derive is one
 * transaction: all of it or none.
 *
 * Queries: testcases are reached by run (testcase primary key) and runs by
 * (recipe, version, harness_ref) (index run_recipe_version); no query scans a
 * big table except the anti-join of run against derived_run (one row per run).
 * The small TEMP tables d_* drive every join: CROSS JOIN keeps them the outer loop
 * (the store has no ANALYZE statistics to tell the planner they are small).
 */
#include "collect.h"
#include "derive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/buf.h"
#include "../lib/msg.h"
#include "../lib/signature.h"
#include "../lib/timeutil.h"
#include "../lib/version.h"

/* an incident needs at least this many recipes failing alike: with fewer, a shared
 * cause is as likely a shared defect (two recipes on one base image) as the node */
#define INCIDENT_MIN_RECIPES 3
/* the longest a run can last, for finding the runs a new run overlapped without
 * reading a host's whole history: harness time limits are hours, not days */
#define RUN_MAX_SPAN (2 * 86400)
/* shown harness refs are cut to this many bytes: a commit's short form */
#define HARNESS_SHOWN 12

static const char sql_temp[] =
	"CREATE TEMP TABLE IF NOT EXISTS d_run (id TEXT PRIMARY KEY);"
	"CREATE TEMP TABLE IF NOT EXISTS d_sig (id TEXT PRIMARY KEY);"
	/* the failures of the new runs, by signature: what they add to its statistics */
	"CREATE TEMP TABLE IF NOT EXISTS d_occ (sig TEXT, run_id TEXT, test_id INTEGER,"
	" recipe TEXT, started INTEGER);"
	"CREATE INDEX IF NOT EXISTS temp.d_occ_sig ON d_occ (sig, started, run_id);"
	/* the signatures whose statistics are counted again over every occurrence */
	"CREATE TEMP TABLE IF NOT EXISTS d_recount (id TEXT PRIMARY KEY);"
	/* the counts of one recipe's rows that changed (have: the row exists), as
	 * count_group found them, until walk_test writes each row once */
	"CREATE TEMP TABLE IF NOT EXISTS d_fresh (test_id INTEGER, version TEXT,"
	" harness_ref TEXT, have INTEGER, passes INTEGER, failures INTEGER,"
	" isolated_passes INTEGER, isolated_failures INTEGER, isolation_runs INTEGER,"
	" excluded INTEGER, fail_overlap_min INTEGER, fail_overlap_max INTEGER, runs TEXT,"
	" isolated_runs TEXT, first_seen INTEGER, last_seen INTEGER, last_failed INTEGER,"
	" signature TEXT, PRIMARY KEY (test_id, version, harness_ref));"
	"CREATE TEMP TABLE IF NOT EXISTS d_sweep (id TEXT PRIMARY KEY);"
	"CREATE TEMP TABLE IF NOT EXISTS d_group (recipe TEXT, version TEXT, harness_ref TEXT,"
	" PRIMARY KEY (recipe, version, harness_ref));"
	"CREATE TEMP TABLE IF NOT EXISTS d_test (id INTEGER PRIMARY KEY);"
	"DELETE FROM d_run; DELETE FROM d_sig; DELETE FROM d_sweep; DELETE FROM d_group;"
	"DELETE FROM d_test; DELETE FROM d_occ; DELETE FROM d_recount; DELETE FROM d_fresh;";

/* ---- signatures ---- */

struct sig_fix {
	char *run_id;
	int64_t test_id;
	char id[SIGNATURE_ID_SIZE];
};

/*
 * (Re)computes the signature of every failed/error testcase of the new runs, and
 * notes each in d_occ. *derived_before is set when one of them had a signature
 * already: a run derived before (its derived_run row gone), whose occurrences the
 * statistics hold already.
 */
static int fill_signatures(struct store *st, int *derived_before)
{
	static const char q_fail[] =
		"SELECT tc.run_id, tc.test_id, tc.message, tc.details, tc.type, tc.signature,"
		"       r.recipe, r.started"
		"  FROM d_run d CROSS JOIN run r ON r.id = d.id"
		"  CROSS JOIN testcase tc ON tc.run_id = d.id"
		" WHERE tc.status IN ('failed', 'error')";
	static const char q_occ[] =
		"INSERT INTO d_occ (sig, run_id, test_id, recipe, started)"
		" VALUES (:sig, :run, :test, :recipe, :started)";
	static const char q_set[] =
		"UPDATE testcase SET signature = :sig WHERE run_id = :run AND test_id = :test";
	static const char q_sig[] =
		"INSERT INTO signature (id, text, example) VALUES (:id, :text, :example)"
		" ON CONFLICT (id) DO NOTHING";
	static const char q_dirty[] = "INSERT OR IGNORE INTO d_sig (id) VALUES (:id)";
	struct sig_fix *fix = NULL;
	size_t nfix = 0, alloc = 0;
	struct buf text = BUF_INIT;
	int rc = 0, r;
	sqlite3_stmt *s = store_stmt(st, q_fail);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		size_t len;
		const char *src = signature_source((const char *)sqlite3_column_text(s, 2),
						   (const char *)sqlite3_column_text(s, 3),
						   (const char *)sqlite3_column_text(s, 4), &len);
		char id[SIGNATURE_ID_SIZE];
		signature_make(src, len, &text, id);
		sqlite3_stmt *ins = store_stmt(st, q_sig);
		bind_text(ins, ":id", id);
		bind_textn(ins, ":text", text.data, text.len);
		/* the example: the first line of the raw message, as written */
		size_t eol = 0;
		while (eol < len && src[eol] != '\n' && src[eol] != '\r')
			eol++;
		bind_textn(ins, ":example", src, eol < SIGNATURE_INPUT_MAX ? eol : SIGNATURE_INPUT_MAX);
		if (store_step_done(st, ins) < 0)
			goto fail;
		sqlite3_stmt *d = store_stmt(st, q_dirty);
		bind_text(d, ":id", id);
		if (store_step_done(st, d) < 0)
			goto fail;
		d = store_stmt(st, q_occ);
		bind_text(d, ":sig", id);
		bind_text(d, ":run", col_text(s, 0));
		bind_int(d, ":test", sqlite3_column_int64(s, 1));
		bind_text(d, ":recipe", col_text(s, 6));
		bind_int(d, ":started", sqlite3_column_int64(s, 7));
		if (store_step_done(st, d) < 0)
			goto fail;
		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			*derived_before = 1;
		if (!strcmp(col_text(s, 5), id))
			continue;
		if (nfix == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			fix = xrealloc(fix, alloc * sizeof(*fix));
		}
		fix[nfix].run_id = xstrdup(col_text(s, 0));
		fix[nfix].test_id = sqlite3_column_int64(s, 1);
		memcpy(fix[nfix].id, id, sizeof(id));
		nfix++;
	}
	if (r != SQLITE_DONE)
		goto fail;
	sqlite3_reset(s);
	/* updated after the scan, so the scan never meets rows it changed */
	for (size_t i = 0; i < nfix; i++) {
		sqlite3_stmt *u = store_stmt(st, q_set);
		bind_text(u, ":sig", fix[i].id);
		bind_text(u, ":run", fix[i].run_id);
		bind_int(u, ":test", fix[i].test_id);
		if (store_step_done(st, u) < 0)
			goto fail;
	}
	goto out;
fail:
	rc = store_error(st, "cannot store failure signatures");
out:
	sqlite3_reset(s);
	for (size_t i = 0; i < nfix; i++)
		free(fix[i].run_id);
	free(fix);
	buf_release(&text);
	return rc;
}

/* 1 when the statement q (bound to :sig = sig and name = v or id) finds a row, 0 when
 * not, -1 on a store error */
static int sig_had(struct store *st, const char *q, const char *sig, const char *name,
		   const char *v, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":sig", sig);
	if (v)
		bind_text(s, name, v);
	else
		bind_int(s, name, id);
	int r = sqlite3_step(s);
	sqlite3_reset(s);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

/* the tests and recipes of sig's new failures that had none with it before (the
 * statements: update_signature_stats). 0, or -1 on a store error */
static int count_new(struct store *st, const char *sig, const char *q_pairs,
		     const char *q_test_had, const char *q_recipe_had, int64_t *tests,
		     int64_t *recipes)
{
	struct buf recipe = BUF_INIT;
	int r, in_recipe = 0, recipe_had = 0, rc = 0;
	*tests = *recipes = 0;
	/* reads d_occ while the others read testcase: nothing here writes */
	sqlite3_stmt *p = store_stmt(st, q_pairs);
	bind_text(p, ":sig", sig);
	for (;;) {
		r = sqlite3_step(p);
		const char *rname = r == SQLITE_ROW ? col_text(p, 0) : NULL;
		if (in_recipe && (!rname || strcmp(rname, buf_str(&recipe)))) {
			/* the last recipe's tests are all seen */
			int h = recipe_had ? 1
					   : sig_had(st, q_recipe_had, sig, ":recipe", buf_str(&recipe), 0);
			if (h < 0)
				goto fail;
			*recipes += !h;
			buf_reset(&recipe);
			in_recipe = recipe_had = 0;
		}
		if (r != SQLITE_ROW)
			break;
		if (!in_recipe) {
			buf_adds(&recipe, rname);
			in_recipe = 1;
		}
		int h = sig_had(st, q_test_had, sig, ":test", NULL, sqlite3_column_int64(p, 1));
		if (h < 0)
			goto fail;
		*tests += !h;
		recipe_had |= h;
	}
	if (r == SQLITE_DONE)
		goto out;
fail:
	rc = -1;
out:
	sqlite3_reset(p);
	buf_release(&recipe);
	return rc;
}

/*
 * The counts and first/last occurrence of every signature the new runs touched.
 * A signature's statistics cover every failure with it; those of runs derived
 * before are in its row, so the new runs' failures (d_occ) are added to them:
 * counting every occurrence again read the signature's whole history each night.
 * A signature counts again over every occurrence when that costs no more than
 * adding (the new occurrences are as many as the old: a first ingest of a
 * history), and all do when a new run was derived before (recount).
 */
static int update_signature_stats(struct store *st, int recount)
{
	/* every occurrence of the signatures in d_recount, through testcase_signature */
	static const char q_full[] =
		"WITH o AS (SELECT tc.signature AS sig, tc.run_id, tc.test_id, r.recipe, r.started"
		"             FROM d_recount d CROSS JOIN testcase tc ON tc.signature = d.id"
		"             CROSS JOIN run r ON r.id = tc.run_id),"
		"     a AS (SELECT sig, count(*) AS occ, count(DISTINCT run_id) AS runs,"
		"                  count(DISTINCT recipe) AS recipes, count(DISTINCT test_id) AS tests,"
		"                  min(started) AS fs, max(started) AS ls FROM o GROUP BY sig)"
		"UPDATE signature SET occurrences = a.occ, runs = a.runs, recipes = a.recipes,"
		"       tests = a.tests, first_seen = a.fs, last_seen = a.ls,"
		"       first_run = (SELECT o.run_id FROM o WHERE o.sig = a.sig"
		"                     ORDER BY o.started, o.run_id LIMIT 1),"
		"       last_run = (SELECT o.run_id FROM o WHERE o.sig = a.sig"
		"                    ORDER BY o.started DESC, o.run_id DESC LIMIT 1)"
		"  FROM a WHERE signature.id = a.sig";
	/* the message of the first run's failure with it, where there is one */
	static const char q_example[] =
		"UPDATE signature SET example = (SELECT substr(tc.message, 1, 4096) FROM testcase tc"
		"       WHERE tc.run_id = signature.first_run AND tc.signature = signature.id"
		"         AND tc.message IS NOT NULL ORDER BY tc.test_id LIMIT 1)"
		" WHERE id IN (SELECT id FROM d_recount) AND EXISTS (SELECT 1 FROM testcase tc"
		"       WHERE tc.run_id = signature.first_run AND tc.signature = signature.id"
		"         AND tc.message IS NOT NULL)";
	static const char q_all[] = "INSERT INTO d_recount (id) SELECT id FROM d_sig";
	/* per touched signature: what the new runs add, and the row as it stands */
	static const char q_add[] =
		"SELECT s.id, count(*), count(DISTINCT o.run_id), s.occurrences, s.first_seen,"
		"       s.first_run, s.last_seen, s.last_run"
		"  FROM d_occ o CROSS JOIN signature s ON s.id = o.sig GROUP BY s.id ORDER BY s.id";
	static const char q_first[] =
		"SELECT started, run_id FROM d_occ WHERE sig = :sig"
		" ORDER BY started, run_id LIMIT 1";
	static const char q_last[] =
		"SELECT started, run_id FROM d_occ WHERE sig = :sig"
		" ORDER BY started DESC, run_id DESC LIMIT 1";
	/* the tests and recipes of its new failures; for each, whether it had a failure
	 * with it before these runs. A test: its failures through testcase_test, the
	 * latest first (a failure that recurs is found at once; + keeps the planner
	 * off testcase_signature, every occurrence of the signature). A recipe had it
	 * when one of those tests had, else (a recipe new to it, or only its other
	 * tests had it) through the signature's occurrences, the latest first */
	static const char q_pairs[] =
		"SELECT DISTINCT recipe, test_id FROM d_occ WHERE sig = :sig ORDER BY recipe, test_id";
	static const char q_test_had[] =
		"SELECT 1 FROM testcase tc WHERE tc.test_id = :test"
		"   AND tc.status IN ('failed', 'error') AND +tc.signature = :sig"
		"   AND NOT EXISTS (SELECT 1 FROM d_run d WHERE d.id = tc.run_id)"
		" ORDER BY tc.run_id DESC LIMIT 1";
	static const char q_recipe_had[] =
		"SELECT 1 FROM testcase tc CROSS JOIN test t ON t.id = tc.test_id"
		" WHERE tc.signature = :sig AND t.recipe = :recipe"
		"   AND NOT EXISTS (SELECT 1 FROM d_run d WHERE d.id = tc.run_id)"
		" ORDER BY tc.run_id DESC LIMIT 1";
	static const char q_set[] =
		"UPDATE signature SET occurrences = occurrences + :occ, runs = runs + :runs,"
		"       recipes = recipes + :recipes, tests = tests + :tests,"
		"       first_seen = :fs, first_run = :fr, last_seen = :ls, last_run = :lr"
		" WHERE id = :sig";
	static const char q_example_one[] = "INSERT OR IGNORE INTO d_recount (id) VALUES (:sig)";
	struct sig_add {
		char id[SIGNATURE_ID_SIZE];
		int64_t occ, runs, fs, ls;
		char *fr, *lr;
		int first_moved;
	} *add = NULL;
	size_t n = 0, alloc = 0;
	int rc = -1, r;
	if (recount) {
		if (store_step_done(st, store_stmt(st, q_all)) < 0)
			goto out;
		goto full;
	}
	sqlite3_stmt *s = store_stmt(st, q_add);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t occ = sqlite3_column_int64(s, 1);
		if (sqlite3_column_int64(s, 3) <= occ) {
			/* as many new as old occurrences: counting all costs no more */
			sqlite3_stmt *d = store_stmt(st, q_example_one);
			bind_text(d, ":sig", col_text(s, 0));
			if (store_step_done(st, d) < 0) {
				sqlite3_reset(s);
				goto out;
			}
			continue;
		}
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			add = xrealloc(add, alloc * sizeof(*add));
		}
		struct sig_add *a = &add[n++];
		snprintf(a->id, sizeof(a->id), "%s", col_text(s, 0));
		a->occ = occ;
		a->runs = sqlite3_column_int64(s, 2);
		a->fs = sqlite3_column_int64(s, 4);
		a->fr = xstrdup(col_text(s, 5));
		a->ls = sqlite3_column_int64(s, 6);
		a->lr = xstrdup(col_text(s, 7));
		a->first_moved = 0;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE)
		goto out;
	/* the statements below read d_occ and testcase and write signature only */
	for (size_t i = 0; i < n; i++) {
		struct sig_add *a = &add[i];
		int64_t tests = 0, recipes = 0;
		s = store_stmt(st, q_first);
		bind_text(s, ":sig", a->id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(s, 0);
			const char *id = col_text(s, 1);
			/* the earliest by started, ties by the smallest id */
			if (t < a->fs || (t == a->fs && strcmp(id, a->fr) < 0)) {
				a->fs = t;
				free(a->fr);
				a->fr = xstrdup(id);
				a->first_moved = 1;
			}
		}
		sqlite3_reset(s);
		s = store_stmt(st, q_last);
		bind_text(s, ":sig", a->id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(s, 0);
			const char *id = col_text(s, 1);
			/* the latest by started, ties by the largest id */
			if (t > a->ls || (t == a->ls && strcmp(id, a->lr) > 0)) {
				a->ls = t;
				free(a->lr);
				a->lr = xstrdup(id);
			}
		}
		sqlite3_reset(s);
		if (count_new(st, a->id, q_pairs, q_test_had, q_recipe_had, &tests, &recipes) < 0)
			goto out;
		s = store_stmt(st, q_set);
		bind_int(s, ":occ", a->occ);
		bind_int(s, ":runs", a->runs);
		bind_int(s, ":recipes", recipes);
		bind_int(s, ":tests", tests);
		bind_int(s, ":fs", a->fs);
		bind_text(s, ":fr", a->fr);
		bind_int(s, ":ls", a->ls);
		bind_text(s, ":lr", a->lr);
		bind_text(s, ":sig", a->id);
		if (store_step_done(st, s) < 0)
			goto out;
		/* the example follows the first run: unchanged while it is */
		if (a->first_moved) {
			s = store_stmt(st, q_example_one);
			bind_text(s, ":sig", a->id);
			if (store_step_done(st, s) < 0)
				goto out;
		}
	}
full:
	/* d_recount: signatures to count in full, and those whose example moved; a
	 * full count of one whose example only moved gives what it holds already */
	if (store_step_done(st, store_stmt(st, q_full)) < 0 ||
	    store_step_done(st, store_stmt(st, q_example)) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(add[i].fr);
		free(add[i].lr);
	}
	free(add);
	if (rc < 0)
		return store_error(st, "cannot count failure signatures");
	return 0;
}

/* ---- incidents ---- */

/* the groups whose counts an incident of the touched sweeps changes (before and after) */
static const char q_incident_groups[] =
	"INSERT OR IGNORE INTO d_group (recipe, version, harness_ref)"
	" SELECT DISTINCT r.recipe, coalesce(r.version, ''), coalesce(r.harness_ref, '')"
	"   FROM d_sweep d CROSS JOIN incident_testcase it ON it.sweep_id = d.id"
	"   CROSS JOIN run r ON r.id = it.run_id";

static int update_incidents(struct store *st)
{
	static const char q_sweeps[] =
		"INSERT OR IGNORE INTO d_sweep (id) SELECT DISTINCT r.sweep_id FROM d_run d"
		"  CROSS JOIN run r ON r.id = d.id WHERE r.sweep_id IS NOT NULL";
	static const char q_del[] =
		"DELETE FROM incident_testcase WHERE sweep_id IN (SELECT id FROM d_sweep);"
		"DELETE FROM incident WHERE sweep_id IN (SELECT id FROM d_sweep);";
	static const char q_find[] =
		"WITH sr AS (SELECT r.id, r.recipe, r.sweep_id FROM d_sweep d"
		"             CROSS JOIN run r ON r.sweep_id = d.id),"
		"     tot AS (SELECT sweep_id, count(DISTINCT recipe) AS n FROM sr GROUP BY sweep_id),"
		"     f AS (SELECT sr.sweep_id, tc.tier, tc.signature,"
		"                  count(DISTINCT sr.recipe) AS recipes, count(*) AS tcs"
		"             FROM sr CROSS JOIN testcase tc ON tc.run_id = sr.id"
		"            WHERE tc.status IN ('failed', 'error') AND tc.signature IS NOT NULL"
		"            GROUP BY sr.sweep_id, tc.tier, tc.signature)"
		"INSERT INTO incident (sweep_id, tier, signature, recipes, of_recipes, testcases)"
		" SELECT f.sweep_id, f.tier, f.signature, f.recipes, tot.n, f.tcs"
		"   FROM f JOIN tot ON tot.sweep_id = f.sweep_id"
		"  WHERE f.recipes >= :min AND 2 * f.recipes >= tot.n";
	static const char q_tcs[] =
		"INSERT OR IGNORE INTO incident_testcase (run_id, test_id, sweep_id, tier, signature)"
		" SELECT tc.run_id, tc.test_id, i.sweep_id, i.tier, i.signature"
		"   FROM d_sweep d CROSS JOIN incident i ON i.sweep_id = d.id"
		"   CROSS JOIN run r ON r.sweep_id = i.sweep_id"
		"   CROSS JOIN testcase tc ON tc.run_id = r.id AND tc.tier = i.tier"
		"    AND tc.signature = i.signature AND tc.status IN ('failed', 'error')";
	if (store_step_done(st, store_stmt(st, q_sweeps)) < 0 ||
	    store_step_done(st, store_stmt(st, q_incident_groups)) < 0 ||
	    store_exec(st, q_del) < 0)
		return store_error(st, "cannot update incidents");
	sqlite3_stmt *s = store_stmt(st, q_find);
	bind_int(s, ":min", INCIDENT_MIN_RECIPES);
	if (store_step_done(st, s) < 0 || store_step_done(st, store_stmt(st, q_tcs)) < 0 ||
	    store_step_done(st, store_stmt(st, q_incident_groups)) < 0)
		return store_error(st, "cannot update incidents");
	return 0;
}

/* ---- counting one group ---- */

struct tally {
	int64_t test_id;
	int passes, failures, ipasses, ifailures, isolation, excluded;
	int ovl_min, ovl_max;
	int64_t first, last, last_failed;
	struct buf runs, iruns;	/* JSON array texts built from json_quote()d ids */
	char sig[SIGNATURE_ID_SIZE];
};

static void tally_reset(struct tally *t, int64_t test_id)
{
	t->test_id = test_id;
	t->passes = t->failures = t->ipasses = t->ifailures = t->isolation = t->excluded = 0;
	t->ovl_min = t->ovl_max = -1;
	t->first = t->last = t->last_failed = 0;
	buf_reset(&t->runs);
	buf_reset(&t->iruns);
	t->sig[0] = '\0';
}

static void json_push(struct buf *b, const char *quoted)
{
	buf_addc(b, b->len ? ',' : '[');
	buf_adds(b, quoted);
}

/* closes a JSON array opened by json_push (or writes an empty one) */
static void json_close(struct buf *b)
{
	buf_adds(b, b->len ? "]" : "[]");
}

/* the tests that had a row in a group before its count, by id: what the count
 * does not write again has no outcomes left, and its row goes */
struct had {
	int64_t *id;
	char *kept;
	size_t n;
};

static void had_keep(struct had *h, int64_t test_id)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->id[mid] < test_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->n && h->id[lo] == test_id)
		h->kept[lo] = 1;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int mark_dirty(struct store *st, int64_t test_id)
{
	static const char q_dirty[] = "INSERT OR IGNORE INTO d_test (id) VALUES (:id)";
	sqlite3_stmt *d = store_stmt(st, q_dirty);
	bind_int(d, ":id", test_id);
	return store_step_done(st, d);
}

/* 1 when column i holds the integer v (NULL when !set), else 0 */
static int same_int(sqlite3_stmt *s, int i, int set, int64_t v)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return !set;
	return set && sqlite3_column_int64(s, i) == v;
}

static int same_text(sqlite3_stmt *s, int i, const char *v, size_t n)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return v == NULL;
	const unsigned char *have = sqlite3_column_text(s, i);
	return v && (size_t)sqlite3_column_bytes(s, i) == n && !memcmp(have, v, n);
}

static void bind_tally(sqlite3_stmt *s, struct tally *t, const char *version, const char *harness)
{
	bind_int(s, ":test", t->test_id);
	bind_text(s, ":version", version);
	bind_text(s, ":harness", harness);
	bind_int(s, ":p", t->passes);
	bind_int(s, ":f", t->failures);
	bind_int(s, ":ip", t->ipasses);
	bind_int(s, ":if", t->ifailures);
	bind_int(s, ":iso", t->isolation);
	bind_int(s, ":ex", t->excluded);
	if (t->failures) {
		bind_int(s, ":omin", t->ovl_min);
		bind_int(s, ":omax", t->ovl_max);
		bind_int(s, ":lf", t->last_failed);
	}
	bind_textn(s, ":runs", t->runs.data, t->runs.len);
	bind_textn(s, ":iruns", t->iruns.data, t->iruns.len);
	bind_int(s, ":first", t->first);
	bind_int(s, ":last", t->last);
	bind_text(s, ":sig", t->sig[0] ? t->sig : NULL);
}

/*
 * A test's counts at one group, where they changed, go to d_fresh (and the test is
 * marked dirty): walk_test writes the row once with them and what they make of
 * its state. A row written, even with the values it held, is a page the commit
 * writes again (and, through state, an entry of classification_recipe moved).
 * 0, or -1 on a store error.
 */
static int tally_store(struct store *st, struct tally *t, const char *version, const char *harness,
		       struct had *had)
{
	static const char q_get[] =
		"SELECT passes, failures, isolated_passes, isolated_failures, isolation_runs,"
		"       excluded, fail_overlap_min, fail_overlap_max, runs, isolated_runs,"
		"       first_seen, last_seen, last_failed, signature"
		"  FROM classification"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	static const char q_fresh[] =
		"INSERT INTO d_fresh (test_id, version, harness_ref, have, passes, failures,"
		"  isolated_passes, isolated_failures, isolation_runs, excluded, fail_overlap_min,"
		"  fail_overlap_max, runs, isolated_runs, first_seen, last_seen, last_failed,"
		"  signature)"
		" VALUES (:test, :version, :harness, :have, :p, :f, :ip, :if, :iso, :ex, :omin,"
		"  :omax, :runs, :iruns, :first, :last, :lf, :sig)";
	if (t->test_id < 0 || t->passes + t->failures == 0)
		return 0; /* no outcomes: a row it had goes (count_group) */
	had_keep(had, t->test_id);
	json_close(&t->runs);
	json_close(&t->iruns);
	sqlite3_stmt *s = store_stmt(st, q_get);
	bind_int(s, ":test", t->test_id);
	bind_text(s, ":version", version);
	bind_text(s, ":harness", harness);
	int r = sqlite3_step(s), f = t->failures > 0;
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		sqlite3_reset(s);
		return -1;
	}
	int have = r == SQLITE_ROW;
	int same = have && same_int(s, 0, 1, t->passes) && same_int(s, 1, 1, t->failures) &&
		   same_int(s, 2, 1, t->ipasses) && same_int(s, 3, 1, t->ifailures) &&
		   same_int(s, 4, 1, t->isolation) && same_int(s, 5, 1, t->excluded) &&
		   same_int(s, 6, f, t->ovl_min) && same_int(s, 7, f, t->ovl_max) &&
		   same_text(s, 8, t->runs.data, t->runs.len) &&
		   same_text(s, 9, t->iruns.data, t->iruns.len) && same_int(s, 10, 1, t->first) &&
		   same_int(s, 11, 1, t->last) && same_int(s, 12, f, t->last_failed) &&
		   same_text(s, 13, t->sig[0] ? t->sig : NULL, strlen(t->sig));
	sqlite3_reset(s);
	if (same)
		return 0;
	s = store_stmt(st, q_fresh);
	bind_tally(s, t, version, harness);
	bind_int(s, ":have", have);
	if (store_step_done(st, s) < 0)
		return -1;
	return mark_dirty(st, t->test_id);
}

/*
 * Recounts every test of one group. Outcomes: passed -> pass; failed, error -> failure;
 * flaky (failed then passed within the run) -> both; skipped, xfail -> not counted.
 * Failures an incident left out are counted in `excluded` only.
 */
static int count_group(struct store *st, const char *recipe, const char *version,
		       const char *harness)
{
	/* the group's rows by primary key, one seek per test of the recipe (test_slug):
	 * through classification_recipe they were a scan of every row of the recipe,
	 * each version of its history */
	static const char q_old[] =
		"SELECT test_id FROM classification"
		" WHERE test_id IN (SELECT id FROM test WHERE recipe = :recipe)"
		"   AND version = :version AND harness_ref = :harness";
	static const char q_drop[] =
		"DELETE FROM classification"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	/* runs of the group through run_recipe_version, their testcases by primary key */
	static const char q[] =
		"SELECT tc.test_id, json_quote(r.id), r.started, r.overlap, r.trigger_kind,"
		"       tc.status, tc.signature, it.run_id IS NOT NULL"
		"  FROM run r CROSS JOIN testcase tc ON tc.run_id = r.id"
		"  LEFT JOIN incident_testcase it ON it.run_id = tc.run_id AND it.test_id = tc.test_id"
		" WHERE r.recipe = :recipe AND r.version IS :v AND r.harness_ref IS :h"
		"   AND tc.status IN ('passed', 'failed', 'error', 'flaky')"
		" ORDER BY tc.test_id, r.started, r.id";
	const char *v = *version ? version : NULL, *h = *harness ? harness : NULL;
	struct had had = {0};
	size_t alloc = 0;
	int r;
	sqlite3_stmt *s = store_stmt(st, q_old);
	bind_text(s, ":recipe", recipe);
	bind_text(s, ":version", version);
	bind_text(s, ":harness", harness);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (had.n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			had.id = xrealloc(had.id, alloc * sizeof(*had.id));
		}
		had.id[had.n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		free(had.id);
		return store_error(st, "cannot classify tests");
	}
	if (had.n)
		qsort(had.id, had.n, sizeof(*had.id), id_cmp);
	had.kept = xcalloc(had.n + 1, 1);

	struct tally t = {0};
	int rc = 0;
	t.test_id = -1;
	s = store_stmt(st, q);
	bind_text(s, ":recipe", recipe);
	bind_text(s, ":v", v);
	bind_text(s, ":h", h);
	/* rows are buffered per test, and stored when the next test begins: the insert
	 * writes classification, which this scan does not read */
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t test = sqlite3_column_int64(s, 0);
		if (test != t.test_id) {
			if (tally_store(st, &t, version, harness, &had) < 0)
				goto fail;
			tally_reset(&t, test);
		}
		const char *status = col_text(s, 5);
		int excluded = sqlite3_column_int(s, 7);
		int pass = !strcmp(status, "passed") || !strcmp(status, "flaky");
		int failed = !strcmp(status, "failed") || !strcmp(status, "error") ||
			     !strcmp(status, "flaky");
		if (excluded && failed) {
			t.excluded++;
			failed = 0;
		}
		if (!pass && !failed)
			continue;
		int overlap = sqlite3_column_int(s, 3);
		int alone = overlap == 0;
		int64_t started = sqlite3_column_int64(s, 2);
		if (!t.first)
			t.first = started;
		t.last = started;
		json_push(&t.runs, col_text(s, 1));
		if (alone)
			json_push(&t.iruns, col_text(s, 1));
		if (!strcmp(col_text(s, 4), "isolation"))
			t.isolation++;
		if (pass) {
			t.passes++;
			t.ipasses += alone;
		}
		if (failed) {
			t.failures++;
			t.ifailures += alone;
			if (t.ovl_min < 0 || overlap < t.ovl_min)
				t.ovl_min = overlap;
			if (overlap > t.ovl_max)
				t.ovl_max = overlap;
			t.last_failed = started;
			if (sqlite3_column_type(s, 6) != SQLITE_NULL)
				snprintf(t.sig, sizeof(t.sig), "%s", col_text(s, 6));
		}
	}
	if (r != SQLITE_DONE)
		goto fail;
	if (tally_store(st, &t, version, harness, &had) < 0)
		goto fail;
	sqlite3_reset(s);
	/* rows of tests left without outcomes (their failures went to an incident) */
	for (size_t i = 0; i < had.n; i++) {
		if (had.kept[i])
			continue;
		s = store_stmt(st, q_drop);
		bind_int(s, ":test", had.id[i]);
		bind_text(s, ":version", version);
		bind_text(s, ":harness", harness);
		if (store_step_done(st, s) < 0 || mark_dirty(st, had.id[i]) < 0)
			goto fail;
	}
	goto out;
fail:
	rc = store_error(st, "cannot classify tests");
out:
	sqlite3_reset(s);
	buf_release(&t.runs);
	buf_release(&t.iruns);
	free(had.id);
	free(had.kept);
	return rc;
}

static int walk_tests(struct store *st);

static int count_groups(struct store *st)
{
	static const char q_groups[] =
		"INSERT OR IGNORE INTO d_group (recipe, version, harness_ref)"
		" SELECT DISTINCT r.recipe, coalesce(r.version, ''), coalesce(r.harness_ref, '')"
		"   FROM d_run d CROSS JOIN run r ON r.id = d.id";
	static const char q_list[] =
		"SELECT recipe, version, harness_ref FROM d_group ORDER BY recipe, version, harness_ref";
	/* a new run raises the overlap of the runs it overlapped, so their groups are
	 * recounted too (a superset: same host, times touching) */
	static const char q_overlapped[] =
		"INSERT OR IGNORE INTO d_group (recipe, version, harness_ref)"
		" SELECT DISTINCT o.recipe, coalesce(o.version, ''), coalesce(o.harness_ref, '')"
		"   FROM d_run d CROSS JOIN run n ON n.id = d.id"
		"   CROSS JOIN run o ON o.host = n.host AND o.started <= coalesce(n.finished, n.started)"
		"    AND o.started >= n.started - :span"
		"    AND coalesce(o.finished, o.started) >= n.started"
		"  WHERE n.host IS NOT NULL";
	sqlite3_stmt *ov = store_stmt(st, q_overlapped);
	bind_int(ov, ":span", RUN_MAX_SPAN);
	if (store_step_done(st, store_stmt(st, q_groups)) < 0 || store_step_done(st, ov) < 0)
		return store_error(st, "cannot classify tests");
	/* the group list is small (one row per recipe and version touched): copy it out,
	 * so counting may write while nothing reads d_group */
	char **g = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0, r;
	sqlite3_stmt *s = store_stmt(st, q_list);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (n + 3 > alloc) {
			alloc = alloc ? 2 * alloc : 48;
			g = xrealloc(g, alloc * sizeof(*g));
		}
		for (int k = 0; k < 3; k++)
			g[n++] = xstrdup(col_text(s, k));
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE)
		rc = store_error(st, "cannot classify tests");
	/* one recipe at a time: its groups counted into d_fresh, then its tests walked
	 * (a test is in one recipe), so d_fresh holds one recipe's changes at most */
	for (size_t i = 0; !rc && i < n; i += 3) {
		rc = count_group(st, g[i], g[i + 1], g[i + 2]);
		if (!rc && (i + 3 == n || strcmp(g[i], g[i + 3])))
			rc = walk_tests(st);
	}
	for (size_t i = 0; i < n; i++)
		free(g[i]);
	free(g);
	return rc;
}

/* ---- the walk over a test's history ---- */

struct row {
	char *version, *harness, *state, *failing_since, *prev_version, *evidence;
	int seq, regression, load;
	int passes, failures, ipasses, ifailures, isolation, excluded, omin, omax;
	int64_t first_seen;
	/* fresh (counts from d_fresh): the counts to write with it; have: the row exists,
	 * with old_excluded and old_seq (before this count) */
	int fresh, have, old_excluded, old_seq;
	char *runs, *iruns, *sig;
	int64_t last_seen, last_failed;
};

/* one of a test's rows as walk_start reads it: its seq (0: fresh, its counts in
 * d_fresh; old_seq: the seq it had) and primary key */
struct key {
	int seq, have, old_seq;
	size_t version, harness; /* offsets of NUL-terminated strings in walk.names */
};

/* what walking one test after another needs, kept from test to test */
struct walk {
	struct key *key;
	size_t nkey, akey;
	struct buf names;
	int *seqs;
	size_t aseqs;
	struct row *rows;
	size_t nrows, arows;
	struct buf ev;
};

static void walk_release(struct walk *w)
{
	free(w->key);
	buf_release(&w->names);
	free(w->seqs);
	free(w->rows);
	buf_release(&w->ev);
}

static const char *key_version(const struct walk *w, const struct key *k)
{
	return w->names.data + k->version;
}

static void row_free(struct row *r)
{
	free(r->runs);
	free(r->iruns);
	free(r->sig);
	free(r->version);
	free(r->harness);
	free(r->state);
	free(r->failing_since);
	free(r->prev_version);
	free(r->evidence);
}

static void add_version(struct buf *b, const char *version, const char *harness)
{
	buf_adds(b, *version ? version : "an unknown version");
	if (*harness)
		buf_addf(b, " (harness %.*s)", HARNESS_SHOWN, harness);
}

static const char *plural(int n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void derive_evidence(struct buf *b, const struct derive_counts *c, const char *state, int load,
		     const char *version, const char *harness, const char *failing_since,
		     int regression, const char *prev_version)
{
	int runs_alone = c->isolated_passes + c->isolated_failures;
	buf_reset(b);
	if (!strcmp(state, "passing") || !strcmp(state, "fixed")) {
		buf_addf(b, "%s: passed %d of %d %s at ", state, c->passes, c->passes,
			 plural(c->passes, "run", "runs"));
		add_version(b, version, harness);
		if (c->isolated_passes)
			buf_addf(b, ", %d of them alone", c->isolated_passes);
		if (!strcmp(state, "fixed")) {
			buf_adds(b, "; failed at ");
			buf_adds(b, prev_version && *prev_version ? prev_version
								   : "the previous sources");
		}
	} else if (!strcmp(state, "new")) {
		buf_adds(b, "new: failed its only run at ");
		add_version(b, version, harness);
		if (c->isolated_failures)
			buf_adds(b, ", in isolation");
		else
			buf_addf(b, ", with %d %s overlapping", c->overlap_max,
				 plural(c->overlap_max, "run", "runs"));
		buf_adds(b, "; not yet known: an isolation re-run will tell");
	} else if (!strcmp(state, "deterministic")) {
		buf_addf(b, "deterministic: %d of %d runs at ", c->failures, c->failures);
		add_version(b, version, harness);
		buf_addf(b, " failed, %d of them in isolation", c->isolated_failures);
	} else if (load) {
		buf_addf(b, "load flake: failed %d of %d, only with ", c->failures,
			 c->passes + c->failures);
		if (c->overlap_min == c->overlap_max)
			buf_addf(b, "%d %s overlapping", c->overlap_min,
				 plural(c->overlap_min, "run", "runs"));
		else
			buf_addf(b, "%d to %d runs overlapping", c->overlap_min, c->overlap_max);
		buf_addf(b, "; passed %d of %d alone", c->isolated_passes, runs_alone);
		buf_adds(b, " at ");
		add_version(b, version, harness);
	} else {
		buf_addf(b, "flaky: failed %d of %d at ", c->failures, c->passes + c->failures);
		add_version(b, version, harness);
		buf_addf(b, ", passed %d", c->passes);
		if (runs_alone)
			buf_addf(b, "; alone: passed %d of %d", c->isolated_passes, runs_alone);
	}
	if (regression && prev_version)
		buf_addf(b, "; a regression: passed at %s", *prev_version ? prev_version : "the previous sources");
	else if (failing_since && strcmp(failing_since, version))
		buf_addf(b, "; failing since %s", *failing_since ? failing_since : "an unknown version");
	if (c->excluded)
		buf_addf(b, "; %d %s in an infrastructure incident not counted", c->excluded,
			 plural(c->excluded, "failure", "failures"));
}

const char *derive_state(const struct derive_counts *c, int prev_failed, int *load)
{
	*load = 0;
	if (!c->failures)
		return prev_failed ? "fixed" : "passing";
	if (!c->passes)
		return c->failures == 1 ? "new" : "deterministic";
	/* every failure overlapped other runs (the fewest overlapping was > 0), and a run
	 * alone passed */
	*load = c->overlap_min > 0 && c->isolated_passes > 0;
	return "flaky";
}

/*
 * Rows of one version of a test (several harness refs) are in the order of
 * first_seen, then harness_ref: raises *before to the seq of the last old row of
 * this version that comes before one of its fresh rows (the earliest fresh one,
 * which is where the walk must start). Reads the keys walk_start left in w, and
 * each row's first_seen (a fresh row's from d_fresh). 0, or -1 on a store error.
 */
static int walk_same_version(struct store *st, const struct walk *w, int64_t test_id,
			     const char *version, int *before)
{
	static const char q_old[] =
		"SELECT first_seen FROM classification"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	static const char q_fresh[] =
		"SELECT first_seen FROM d_fresh"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	struct same {
		int seq;
		int64_t first_seen;
		const char *harness;
	} *v = xcalloc(w->nkey + 1, sizeof(*v));
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < w->nkey; i++) {
		const struct key *k = &w->key[i];
		if (strcmp(w->names.data + k->version, version))
			continue;
		sqlite3_stmt *s = store_stmt(st, k->seq ? q_old : q_fresh);
		bind_int(s, ":test", test_id);
		bind_text(s, ":version", version);
		bind_text(s, ":harness", w->names.data + k->harness);
		int r = sqlite3_step(s);
		v[n].seq = k->seq;
		v[n].first_seen = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		v[n++].harness = w->names.data + k->harness;
		sqlite3_reset(s);
		if (r != SQLITE_ROW) {
			rc = store_error(st, "cannot classify tests");
			goto out;
		}
	}
	/* insertion sort by (first_seen, harness_ref): a version has few harness refs */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			struct same *x = &v[j - 1], *y = &v[j];
			if (x->first_seen < y->first_seen ||
			    (x->first_seen == y->first_seen && strcmp(x->harness, y->harness) <= 0))
				break;
			struct same t = *x;
			*x = *y;
			*y = t;
		}
	int last_old = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].seq == 0)
			break; /* the first fresh row of this version: the old ones before it count */
		last_old = v[i].seq;
	}
	if (last_old > *before)
		*before = last_old;
out:
	free(v);
	return rc;
}

/*
 * Where the walk of a test starts, so that a night costs the same whatever the
 * length of the history. Rows keep the seq the last walk gave them (1..n in the
 * order by version COLLATE version, first_seen, harness_ref); count_group put
 * the rows whose counts changed, or that are new, in d_fresh (they are fresh:
 * seq 0 here) and dropped those left without outcomes (a gap in 1..n), whose
 * old seq is then missing too. A row before the first change is as
 * the last walk left it, so the walk starts at the row before that change (whose
 * evidence may name the harness because of its new neighbour), with the row
 * before it for context: its stored failures, version and failing_since are what
 * a walk from the beginning would hold there.
 * Reads seq and the primary key only: they sit before the rows' long run lists,
 * which a whole walk read from overflow pages for every version of the test;
 * they stay in w->key for walk_test.
 * Sets *from to the seq of the first row to read (the context row when *from >
 * 1; 1 = the whole history, no context); 0 and *from = 0 when nothing changed;
 * -1 on a store error.
 */
static int walk_start(struct store *st, struct walk *w, int64_t test_id, int *from)
{
	/* through the narrow index (migration 8), a page or two a test: the table's
	 * rows of a test at a year of versions fill ~5 (the planner would take the
	 * primary key, on the same leading columns) */
	static const char q[] =
		"SELECT seq, version, harness_ref FROM classification INDEXED BY classification_sources"
		" WHERE test_id = :test";
	static const char q_fresh[] =
		"SELECT version, harness_ref, have FROM d_fresh WHERE test_id = :test";
	int r;
	size_t nold = 0, nfresh = 0;
	w->nkey = 0;
	buf_reset(&w->names);
	sqlite3_stmt *s = store_stmt(st, q);
	bind_int(s, ":test", test_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (w->nkey == w->akey) {
			w->akey = w->akey ? 2 * w->akey : 64;
			w->key = xrealloc(w->key, w->akey * sizeof(*w->key));
		}
		struct key *k = &w->key[w->nkey++];
		k->seq = k->old_seq = sqlite3_column_int(s, 0);
		k->have = 1;
		k->version = w->names.len;
		buf_add(&w->names, col_text(s, 1), (size_t)sqlite3_column_bytes(s, 1) + 1);
		k->harness = w->names.len;
		buf_add(&w->names, col_text(s, 2), (size_t)sqlite3_column_bytes(s, 2) + 1);
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE)
		return store_error(st, "cannot classify tests");
	/* the rows count_group found changed or new are fresh (seq 0) */
	s = store_stmt(st, q_fresh);
	bind_int(s, ":test", test_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = col_text(s, 0), *h = col_text(s, 1);
		struct key *k = NULL;
		for (size_t i = 0; sqlite3_column_int(s, 2) && i < w->nkey && !k; i++)
			if (!strcmp(w->names.data + w->key[i].version, v) &&
			    !strcmp(w->names.data + w->key[i].harness, h))
				k = &w->key[i];
		if (!k) {
			if (w->nkey == w->akey) {
				w->akey = w->akey ? 2 * w->akey : 64;
				w->key = xrealloc(w->key, w->akey * sizeof(*w->key));
			}
			k = &w->key[w->nkey++];
			k->have = 0;
			k->old_seq = 0;
			k->version = w->names.len;
			buf_add(&w->names, v, (size_t)sqlite3_column_bytes(s, 0) + 1);
			k->harness = w->names.len;
			buf_add(&w->names, h, (size_t)sqlite3_column_bytes(s, 1) + 1);
		}
		k->seq = 0;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE)
		return store_error(st, "cannot classify tests");
	for (size_t i = 0; i < w->nkey; i++) {
		if (w->key[i].seq > 0)
			nold++;
		else
			nfresh++;
	}
	/* the first seq missing from 1..: a dropped or recounted row (or none: nold + 1).
	 * The old seqs in order, as a count of each (seqs[nold + 1]: those past nold) */
	if (nold + 2 > w->aseqs) {
		w->aseqs = 2 * (nold + 2);
		w->seqs = xrealloc(w->seqs, w->aseqs * sizeof(*w->seqs));
	}
	memset(w->seqs, 0, (nold + 2) * sizeof(*w->seqs));
	size_t imax = 0; /* the old row with the highest seq */
	for (size_t i = 0; i < w->nkey; i++) {
		int sq = w->key[i].seq;
		if (sq <= 0)
			continue;
		w->seqs[(size_t)sq <= nold ? (size_t)sq : nold + 1]++;
		if (sq > w->key[imax].seq || w->key[imax].seq <= 0)
			imax = i;
	}
	int gap = (int)nold + 1;
	size_t at = 0; /* sorted, the seq at index at would be at + 1 */
	for (size_t sq = 1; sq <= nold && gap == (int)nold + 1; sq++)
		for (int c = 0; c < w->seqs[sq]; c++, at++)
			if (sq != at + 1) {
				gap = (int)at + 1;
				break;
			}
	if (gap == (int)nold + 1 && at < nold)
		gap = (int)at + 1; /* the rest are past nold */
	if (gap == (int)nold + 1 && !nfresh) {
		*from = 0; /* nothing of this test changed */
		return 0;
	}
	int start = gap - 1; /* the row before the first change */
	for (size_t k = 0; k < w->nkey && start > 0; k++) {
		if (w->key[k].seq > 0)
			continue;
		/* the row a fresh one follows: the last old row of a lower version, or
		 * of the same version (another harness ref) and before it by first_seen */
		const char *fresh = key_version(w, &w->key[k]);
		int before = 0, same = 0;
		/* version_cmp parses both tags: a night's fresh row is most often the
		 * latest version, below which is the old row with the highest seq */
		int below_last = nold && version_cmp(key_version(w, &w->key[imax]), fresh) < 0;
		for (size_t i = 0; i < w->nkey; i++) {
			if (w->key[i].seq <= 0)
				continue;
			/* only identical tags compare equal (lib/version.h) */
			same |= !strcmp(key_version(w, &w->key[i]), fresh);
			if (below_last || w->key[i].seq <= before)
				continue;
			if (version_cmp(key_version(w, &w->key[i]), fresh) < 0)
				before = w->key[i].seq;
		}
		if (below_last)
			before = w->key[imax].seq;
		if (same && walk_same_version(st, w, test_id, fresh, &before) < 0)
			return -1;
		if (before < start)
			start = before;
	}
	*from = start > 1 ? start - 1 : 1;
	return 0;
}

/* the columns of a walked row, from column 0 of s on (the two reads of walk_test) */
static void row_read(sqlite3_stmt *s, struct row *w)
{
	w->state = xstrdup(col_text(s, 0));
	w->failing_since = sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL
								    : xstrdup(col_text(s, 1));
	w->regression = sqlite3_column_int(s, 2);
	w->prev_version = sqlite3_column_type(s, 3) == SQLITE_NULL ? NULL
								   : xstrdup(col_text(s, 3));
	w->evidence = xstrdup(col_text(s, 4));
	w->passes = sqlite3_column_int(s, 5);
	w->failures = sqlite3_column_int(s, 6);
	w->ipasses = sqlite3_column_int(s, 7);
	w->ifailures = sqlite3_column_int(s, 8);
	w->isolation = sqlite3_column_int(s, 9);
	w->excluded = sqlite3_column_int(s, 10);
	w->omin = sqlite3_column_int(s, 11);
	w->omax = sqlite3_column_int(s, 12);
	w->load = sqlite3_column_int(s, 13);
	w->first_seen = sqlite3_column_int64(s, 14);
}

/* the walk's order: version COLLATE version, first_seen, harness_ref (a total
 * order: two rows of a test differ in version or harness ref) */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = version_cmp(x->version, y->version);
	if (c)
		return c;
	if (x->first_seen != y->first_seen)
		return x->first_seen < y->first_seen ? -1 : 1;
	return strcmp(x->harness, y->harness);
}

static struct row *row_push(struct walk *w)
{
	if (w->nrows == w->arows) {
		w->arows = w->arows ? 2 * w->arows : 16;
		w->rows = xrealloc(w->rows, w->arows * sizeof(*w->rows));
	}
	struct row *r = &w->rows[w->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

/*
 * Reads the rows from seq `from` on and the fresh ones into w->rows, in the walk's
 * order, each by its primary key (walk_start read the keys): an old row from
 * classification; a fresh one's counts from d_fresh, with the state it has now
 * if it exists (only a change of state moves its index entries). 0, or -1 on a
 * store error.
 */
static int walk_read(struct store *st, struct walk *w, int64_t test_id, int from)
{
	static const char q_key[] =
		"SELECT state, failing_since, regression, prev_version, evidence, passes, failures,"
		"       isolated_passes, isolated_failures, isolation_runs, excluded,"
		"       coalesce(fail_overlap_min, 0), coalesce(fail_overlap_max, 0), load,"
		"       first_seen"
		"  FROM classification"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	static const char q_fresh[] =
		"SELECT passes, failures, isolated_passes, isolated_failures, isolation_runs,"
		"       excluded, coalesce(fail_overlap_min, 0), coalesce(fail_overlap_max, 0),"
		"       runs, isolated_runs, first_seen, last_seen, last_failed, signature"
		"  FROM d_fresh"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	static const char q_state[] =
		"SELECT state, load, excluded FROM classification"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	for (size_t i = 0; i < w->nkey; i++) {
		const struct key *k = &w->key[i];
		if (k->seq < from && k->seq != 0)
			continue;
		const char *v = w->names.data + k->version, *h = w->names.data + k->harness;
		sqlite3_stmt *s = store_stmt(st, k->seq ? q_key : q_fresh);
		bind_int(s, ":test", test_id);
		bind_text_static(s, ":version", v);
		bind_text_static(s, ":harness", h);
		int r = sqlite3_step(s);
		if (r != SQLITE_ROW) {
			sqlite3_reset(s);
			return store_error(st, "cannot classify tests");
		}
		struct row *w_ = row_push(w);
		w_->version = xstrdup(v);
		w_->harness = xstrdup(h);
		w_->seq = k->seq;
		if (k->seq) {
			row_read(s, w_);
			w_->have = 1;
			sqlite3_reset(s);
			continue;
		}
		w_->fresh = 1;
		w_->have = k->have;
		w_->old_seq = k->old_seq;
		w_->passes = sqlite3_column_int(s, 0);
		w_->failures = sqlite3_column_int(s, 1);
		w_->ipasses = sqlite3_column_int(s, 2);
		w_->ifailures = sqlite3_column_int(s, 3);
		w_->isolation = sqlite3_column_int(s, 4);
		w_->excluded = sqlite3_column_int(s, 5);
		w_->omin = sqlite3_column_int(s, 6);
		w_->omax = sqlite3_column_int(s, 7);
		w_->runs = xstrdup(col_text(s, 8));
		w_->iruns = xstrdup(col_text(s, 9));
		w_->first_seen = sqlite3_column_int64(s, 10);
		w_->last_seen = sqlite3_column_int64(s, 11);
		w_->last_failed = sqlite3_column_int64(s, 12);
		w_->sig = sqlite3_column_type(s, 13) == SQLITE_NULL ? NULL : xstrdup(col_text(s, 13));
		w_->evidence = xstrdup("");
		sqlite3_reset(s);
		if (!k->have) {
			w_->state = xstrdup(""); /* a new row: any state is a change */
			continue;
		}
		s = store_stmt(st, q_state);
		bind_int(s, ":test", test_id);
		bind_text_static(s, ":version", v);
		bind_text_static(s, ":harness", h);
		r = sqlite3_step(s);
		w_->state = xstrdup(r == SQLITE_ROW ? col_text(s, 0) : "");
		w_->load = r == SQLITE_ROW ? sqlite3_column_int(s, 1) : 0;
		w_->old_excluded = r == SQLITE_ROW ? sqlite3_column_int(s, 2) : 0;
		sqlite3_reset(s);
		if (r != SQLITE_ROW)
			return store_error(st, "cannot classify tests");
	}
	qsort(w->rows, w->nrows, sizeof(*w->rows), row_cmp);
	return 0;
}

/* a fresh row's counts, as tally_store bound them (excluded where with_excluded) */
static void bind_row_counts(sqlite3_stmt *u, const struct row *w, int with_excluded)
{
	bind_int(u, ":p", w->passes);
	bind_int(u, ":f", w->failures);
	bind_int(u, ":ip", w->ipasses);
	bind_int(u, ":if", w->ifailures);
	bind_int(u, ":iso", w->isolation);
	if (with_excluded)
		bind_int(u, ":ex", w->excluded);
	if (w->failures) {
		bind_int(u, ":omin", w->omin);
		bind_int(u, ":omax", w->omax);
		bind_int(u, ":lf", w->last_failed);
	}
	bind_text(u, ":runs", w->runs);
	bind_text(u, ":iruns", w->iruns);
	bind_int(u, ":first", w->first_seen);
	bind_int(u, ":last", w->last_seen);
	bind_text(u, ":sig", w->sig);
}

static int walk_test(struct store *st, struct walk *wk, int64_t test_id)
{
	static const char q_set[] =
		"UPDATE classification SET seq = :seq, state = :state, load = :load,"
		"       failing_since = :since, regression = :reg, prev_version = :prev,"
		"       evidence = :ev"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	/* the same where seq, state, load and excluded stay: a column an UPDATE sets
	 * moves the row's entries in the indexes on it (classification_recipe and _state
	 * on state, classification_sources on all four), whatever the value, and each
	 * is a page more to commit */
	static const char q_set_same[] =
		"UPDATE classification SET"
		"       failing_since = :since, regression = :reg, prev_version = :prev,"
		"       evidence = :ev"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	/* a fresh row: its counts too, or the whole row where it is new */
#define COUNTS_SET                                                                          \
	" passes = :p, failures = :f, isolated_passes = :ip, isolated_failures = :if,"     \
	" isolation_runs = :iso, fail_overlap_min = :omin,"                                  \
	" fail_overlap_max = :omax, runs = :runs, isolated_runs = :iruns, first_seen = :first," \
	" last_seen = :last, last_failed = :lf, signature = :sig,"
	static const char q_fresh[] =
		"UPDATE classification SET seq = :seq, state = :state, load = :load, excluded = :ex,"
		COUNTS_SET
		"       failing_since = :since, regression = :reg, prev_version = :prev,"
		"       evidence = :ev"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
	static const char q_fresh_same[] =
		"UPDATE classification SET" COUNTS_SET
		"       failing_since = :since, regression = :reg, prev_version = :prev,"
		"       evidence = :ev"
		" WHERE test_id = :test AND version = :version AND harness_ref = :harness";
#undef COUNTS_SET
	static const char q_new[] =
		"INSERT INTO classification (test_id, recipe, tier, version, harness_ref, seq, state,"
		"  load, passes, failures, isolated_passes, isolated_failures, isolation_runs,"
		"  excluded, fail_overlap_min, fail_overlap_max, runs, isolated_runs, first_seen,"
		"  last_seen, last_failed, failing_since, regression, prev_version, signature,"
		"  evidence)"
		" SELECT :test, recipe, tier, :version, :harness, :seq, :state, :load, :p, :f, :ip,"
		"  :if, :iso, :ex, :omin, :omax, :runs, :iruns, :first, :last, :lf, :since, :reg,"
		"  :prev, :sig, :ev"
		"  FROM test WHERE id = :test";
	struct buf *ev = &wk->ev;
	int rc = 0, from = 0;
	if (walk_start(st, wk, test_id, &from) < 0)
		return -1;
	if (!from)
		return 0;
	wk->nrows = 0;
again:
	if (walk_read(st, wk, test_id, from) < 0) {
		rc = -1;
		goto out;
	}
	struct row *rows = wk->rows;
	size_t n = wk->nrows;
	if (from > 1 && (!n || rows[0].seq != from)) {
		/* not the context row walk_start promised (seqs not as a walk left them):
		 * walk the whole history */
		for (size_t i = 0; i < n; i++)
			row_free(&rows[i]);
		wk->nrows = 0;
		from = 1;
		goto again;
	}
	const char *since = NULL;	/* start of the current failing streak */
	/* from > 1: rows[0] is the context row, as the last walk left it */
	size_t first = from > 1 ? 1 : 0;
	int base = from > 1 ? from - 1 : 0; /* rows[i] is at seq base + i + 1 */
	if (first)
		since = rows[0].failing_since;
	for (size_t i = first; i < n; i++) {
		struct row *w = &rows[i], *p = i ? &rows[i - 1] : NULL;
		struct derive_counts c = {
			.passes = w->passes, .failures = w->failures, .isolated_passes = w->ipasses,
			.isolated_failures = w->ifailures, .isolation_runs = w->isolation,
			.excluded = w->excluded, .overlap_min = w->omin, .overlap_max = w->omax,
		};
		int load;
		const char *state = derive_state(&c, p && p->failures > 0, &load);
		if (!w->failures)
			since = NULL;
		else if (!since)
			since = w->version;
		int regression = w->failures > 0 && p && p->failures == 0;
		const char *prev = p ? p->version : NULL;
		/* the harness ref is named only where it tells sources of one version apart */
		int multi = (p && !strcmp(p->version, w->version)) ||
			    (i + 1 < n && !strcmp(rows[i + 1].version, w->version));
		derive_evidence(ev, &c, state, load, w->version, multi ? w->harness : "", since,
				regression, prev);
		/* write only what changed: most rows of a long history stay as they were */
		if (w->seq == base + (int)i + 1 && !strcmp(w->state, state) &&
		    w->regression == regression && w->load == load && !strcmp(w->evidence, buf_str(ev)) &&
		    !(since ? !w->failing_since || strcmp(since, w->failing_since)
			    : w->failing_since != NULL) &&
		    !(prev ? !w->prev_version || strcmp(prev, w->prev_version)
			   : w->prev_version != NULL))
			continue;
		/* the columns indexes hold besides the key, as they were */
		int seq = base + (int)i + 1;
		int keep = w->have && !strcmp(w->state, state) && w->load == load &&
			   (w->fresh ? w->old_excluded == w->excluded && w->old_seq == seq
				     : w->seq == seq);
		const char *q = !w->fresh ? (keep ? q_set_same : q_set)
			      : !w->have  ? q_new
			      : keep	  ? q_fresh_same
					  : q_fresh;
		sqlite3_stmt *u = store_stmt(st, q);
		if (!keep) {
			bind_int(u, ":seq", seq);
			bind_text(u, ":state", state);
			bind_int(u, ":load", load);
		}
		if (w->fresh)
			bind_row_counts(u, w, !keep);
		bind_text(u, ":since", since);
		bind_int(u, ":reg", regression);
		bind_text(u, ":prev", prev);
		bind_text(u, ":ev", buf_str(ev));
		bind_int(u, ":test", test_id);
		bind_text(u, ":version", w->version);
		bind_text(u, ":harness", w->harness);
		if (store_step_done(st, u) < 0) {
			rc = store_error(st, "cannot classify tests");
			break;
		}
	}
out:
	for (size_t i = 0; i < wk->nrows; i++)
		row_free(&wk->rows[i]);
	wk->nrows = 0;
	return rc;
}

static int walk_tests(struct store *st)
{
	static const char q[] = "SELECT id FROM d_test WHERE id > :after ORDER BY id LIMIT 1";
	struct walk w = {0};
	int64_t after = -1;
	int rc = 0;
	/* one id at a time: walking writes classification, never d_test */
	for (;;) {
		sqlite3_stmt *s = store_stmt(st, q);
		bind_int(s, ":after", after);
		int r = sqlite3_step(s);
		if (r == SQLITE_DONE)
			break;
		if (r != SQLITE_ROW) {
			rc = store_error(st, "cannot classify tests");
			break;
		}
		after = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if ((rc = walk_test(st, &w, after)) < 0)
			break;
	}
	walk_release(&w);
	/* every fresh row is written: the next recipe starts afresh */
	if (!rc && store_exec(st, "DELETE FROM d_fresh; DELETE FROM d_test;") < 0)
		rc = -1;
	return rc;
}

int collect_after(struct store *st)
{
	static const char q_new[] =
		"INSERT INTO d_run (id) SELECT id FROM run r"
		" WHERE NOT EXISTS (SELECT 1 FROM derived_run d WHERE d.run_id = r.id)";
	static const char q_done[] =
		"INSERT OR REPLACE INTO derived_run (run_id, derived_at) SELECT id, :now FROM d_run";
	if (store_begin(st) < 0)
		return -1;
	if (store_exec(st, sql_temp) < 0)
		goto fail;
	if (store_step_done(st, store_stmt(st, q_new)) < 0)
		goto fail;
	if (sqlite3_changes(store_db(st)) == 0)
		return store_commit(st);
	sqlite3_stmt *s;
	int derived_before = 0;
	if (fill_signatures(st, &derived_before) < 0 ||
	    update_signature_stats(st, derived_before) < 0 ||
	    update_incidents(st) < 0 || count_groups(st) < 0 || derive_failure_lines(st) < 0)
		goto fail;
	s = store_stmt(st, q_done);
	bind_int(s, ":now", time_now());
	if (store_step_done(st, s) < 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}

int derive_isolation_candidates(struct store *st, const char *sweep_id, int max, char ***recipes,
				size_t *n)
{
	static const char q[] =
		"SELECT r.recipe FROM run r"
		" WHERE r.sweep_id = :sweep AND r.status <> 'passed'"
		"   AND (EXISTS (SELECT 1 FROM testcase tc JOIN classification c"
		"                 ON c.test_id = tc.test_id AND c.version = coalesce(r.version, '')"
		"                AND c.harness_ref = coalesce(r.harness_ref, '')"
		"                WHERE tc.run_id = r.id AND tc.status IN ('failed', 'error', 'flaky')"
		"                  AND (c.state = 'new'"
		"                       OR c.isolated_passes + c.isolated_failures = 0))"
		"        OR (r.status IN ('error', 'promote_failed')"
		"            AND NOT EXISTS (SELECT 1 FROM run o WHERE o.recipe = r.recipe"
		"                 AND o.version IS r.version AND o.harness_ref IS r.harness_ref"
		"                 AND o.overlap = 0)))"
		" GROUP BY r.recipe ORDER BY r.recipe LIMIT :max";
	char **list = xcalloc(1, sizeof(*list));
	size_t len = 0;
	int r;
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":sweep", sweep_id);
	bind_int(s, ":max", max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		list = xrealloc(list, (len + 2) * sizeof(*list));
		list[len++] = xstrdup(col_text(s, 0));
		list[len] = NULL;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		derive_free_list(list);
		return store_error(st, "cannot choose isolation re-runs");
	}
	*recipes = list;
	*n = len;
	return 0;
}

void derive_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
