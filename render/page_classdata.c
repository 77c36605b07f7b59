/*
 * page_classdata: the classification and signature exports (README "data/classification"),
 * each file a bounded slice of the history, written one row at a time.
 *   data/classification/<recipe>/<version>.json  every classification row of the recipe
 *                    at that version (all tiers, tests and harness refs), by tier, test,
 *                    then history order (url_class_version() names it). Rendered for the
 *                    (recipe, version) groups the todo_run runs touch, and for the later
 *                    versions of their recipes (collect/derive.c settles fixed,
 *                    failing_since and regression along a test's versions in order);
 *                    every group in a full render. An old version's file never changes.
 *   data/classification/index.json  one object per such file: recipe, version, url
 *                    (relative to data/), first/last seen, rows, and rows per state
 *   data/classification.json  "the state now": the rows at each recipe's current
 *                    sources (the version and harness ref of its newest run)
 *   data/signatures.json  every signature with the tests it failed (README)
 * Queries: classification through test (index test_slug) and its primary key (test_id,
 * version); run by recipe (index run_recipe_started) for the newest run; todo_run's runs
 * and their sweeps (index run_sweep). The index reads every classification row, a
 * recipe at a time, on purpose (one object per recipe and version); signature is
 * scanned once for its export.
 */
#include "pages.h"

#include <string.h>

/* one classification row (c) of a test (t) as README documents it */
/* clang-format off */
#define SQL_CLASS_OBJECT                                                                           \
	"json_object('recipe', c.recipe, 'tier', c.tier,"                                          \
	" 'test', t.classname || '::' || t.name, 'version', nullif(c.version, ''),"               \
	" 'harness_ref', nullif(c.harness_ref, ''), 'state', c.state,"                             \
	" 'load', json(CASE c.load WHEN 1 THEN 'true' ELSE 'false' END),"                          \
	" 'passes', c.passes, 'failures', c.failures,"                                             \
	" 'isolated_passes', c.isolated_passes, 'isolated_failures', c.isolated_failures,"         \
	" 'runs', json(c.runs), 'isolated_runs', json(c.isolated_runs),"                           \
	" 'isolation_runs', c.isolation_runs, 'excluded', c.excluded, 'signature', c.signature,"   \
	" 'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', c.first_seen, 'unixepoch'),"                \
	" 'last_seen', strftime('%Y-%m-%dT%H:%M:%SZ', c.last_seen, 'unixepoch'),"                  \
	" 'failing_since', c.failing_since,"                                                       \
	" 'regression', json(CASE c.regression WHEN 1 THEN 'true' ELSE 'false' END),"              \
	" 'prev_version', c.prev_version, 'evidence', c.evidence)"
/* clang-format on */

static const char SQL_CLASS_VERSION[] =
    "SELECT " SQL_CLASS_OBJECT " FROM test t CROSS JOIN classification c"
    " ON c.test_id = t.id AND c.version = :version WHERE t.recipe = :recipe"
    " ORDER BY t.tier, t.classname, t.name, c.seq";
/* each recipe's newest run (started, then id) gives its current sources */
static const char SQL_CLASS_NOW[] =
    "SELECT " SQL_CLASS_OBJECT " FROM (SELECT DISTINCT recipe FROM test) p"
    " CROSS JOIN run n ON n.id = (SELECT x.id FROM run x WHERE x.recipe = p.recipe"
    "  ORDER BY x.started DESC, x.id DESC LIMIT 1)"
    " CROSS JOIN test t ON t.recipe = p.recipe"
    " CROSS JOIN classification c ON c.test_id = t.id AND c.version = coalesce(n.version, '')"
    "  AND c.harness_ref = coalesce(n.harness_ref, '')"
    " ORDER BY t.recipe, t.tier, t.classname, t.name";
/* the index, a recipe at a time: its groups are sorted in memory, never the table's */
static const char SQL_CLASS_RECIPES[] = "SELECT DISTINCT recipe FROM test ORDER BY 1";
static const char SQL_CLASS_INDEX[] =
    "SELECT json_object('recipe', :recipe, 'version', nullif(c.version, ''),"
    " 'url', ccr_class_url(:recipe, c.version),"
    " 'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', min(c.first_seen), 'unixepoch'),"
    " 'last_seen', strftime('%Y-%m-%dT%H:%M:%SZ', max(c.last_seen), 'unixepoch'),"
    " 'rows', count(*), 'states', json_object('passing', sum(c.state = 'passing'),"
    "  'new', sum(c.state = 'new'), 'deterministic', sum(c.state = 'deterministic'),"
    "  'flaky', sum(c.state = 'flaky'), 'fixed', sum(c.state = 'fixed')))"
    " FROM test t CROSS JOIN classification c ON c.test_id = t.id WHERE t.recipe = :recipe"
    " GROUP BY c.version ORDER BY c.version COLLATE version, c.version";
static const char SQL_GROUPS_ALL[] =
    "SELECT DISTINCT recipe, version FROM classification ORDER BY 1, 2";
/* the groups of the todo_run runs and of the other runs in the new runs' sweeps (an
 * incident there changes their counts), then every version of those recipes from the
 * earliest such one on */
static const char SQL_GROUPS_TODO[] =
    "WITH g(recipe, version) AS ("
    "  SELECT r.recipe, coalesce(r.version, '') FROM todo_run d CROSS JOIN run r ON r.id = d.id"
    "  UNION SELECT s.recipe, coalesce(s.version, '') FROM todo_run d"
    "   CROSS JOIN run r ON r.id = d.id CROSS JOIN run s ON s.sweep_id = r.sweep_id"
    "   WHERE d.fresh),"
    " m(recipe, version) AS (SELECT recipe, min(version COLLATE version) FROM g GROUP BY recipe)"
    " SELECT DISTINCT c.recipe, c.version FROM m CROSS JOIN classification c"
    "  ON c.recipe = m.recipe AND c.version COLLATE version >= m.version ORDER BY 1, 2";
static const char SQL_SIGS_JSON[] =
    "SELECT json_object('id', g.id, 'text', g.text, 'example', g.example,"
    " 'occurrences', g.occurrences, 'runs', g.runs, 'recipes', g.recipes, 'tests', g.tests,"
    " 'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', g.first_seen, 'unixepoch'),"
    " 'last_seen', strftime('%Y-%m-%dT%H:%M:%SZ', g.last_seen, 'unixepoch'),"
    " 'first_run', g.first_run, 'last_run', g.last_run,"
    " 'where', (SELECT json_group_array(json(w.o)) FROM (SELECT json_object('recipe',"
    "   t.recipe, 'tier', t.tier, 'test', t.classname || '::' || t.name,"
    "   'occurrences', count(*), 'last_run', max(tc.run_id)) AS o"
    "   FROM testcase tc JOIN test t ON t.id = tc.test_id WHERE tc.signature = g.id"
    "   GROUP BY tc.test_id ORDER BY t.recipe, t.tier, t.classname, t.name) w))"
    " FROM signature g WHERE g.occurrences > 0 ORDER BY g.id";

/* SQL ccr_class_url(recipe, version): the group's file relative to data/ */
static void sql_class_url(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *recipe = (const char *)sqlite3_value_text(argv[0]);
	const char *version = (const char *)sqlite3_value_text(argv[1]);
	struct url u;
	url_class_version(&u, recipe ? recipe : "", version ? version : "");
	static const char data[] = "data/";
	sqlite3_result_text(ctx, u.path + strlen(data), (int)(u.len - strlen(data)),
			    SQLITE_TRANSIENT);
}

/* the per-version files of the groups to render */
static int class_versions(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, r->full ? SQL_GROUPS_ALL : SQL_GROUPS_TODO);
	/* the groups first (a short list), so each file's query runs on its own */
	struct buf groups = BUF_INIT;
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_add(&groups, col_text(q, 0), (size_t)sqlite3_column_bytes(q, 0) + 1);
		buf_add(&groups, col_text(q, 1), (size_t)sqlite3_column_bytes(q, 1) + 1);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing the classification's versions");
	for (size_t off = 0; !rc && off < groups.len;) {
		const char *recipe = groups.data + off;
		off += strlen(recipe) + 1;
		const char *version = groups.data + off;
		off += strlen(version) + 1;
		struct url u;
		url_class_version(&u, recipe, version);
		q = store_stmt(r->st, SQL_CLASS_VERSION);
		bind_text(q, ":recipe", recipe);
		bind_text(q, ":version", version);
		rc = json_rows(r, &u, q);
	}
	buf_release(&groups);
	return rc;
}

/* data/classification/index.json */
static int class_index(struct render *r)
{
	struct buf recipes = BUF_INIT, b = BUF_INIT;
	sqlite3_stmt *q = store_stmt(r->st, SQL_CLASS_RECIPES);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		buf_add(&recipes, col_text(q, 0), (size_t)sqlite3_column_bytes(q, 0) + 1);
	sqlite3_reset(q);
	int rc = step == SQLITE_DONE ? 0 : store_error(r->st, "listing recipes");
	long n = 0;
	for (size_t off = 0; !rc && off < recipes.len; off += strlen(recipes.data + off) + 1) {
		q = store_stmt(r->st, SQL_CLASS_INDEX);
		bind_text(q, ":recipe", recipes.data + off);
		rc = json_add_rows(r, &b, &n, q);
	}
	buf_release(&recipes);
	if (rc < 0) {
		buf_release(&b);
		return -1;
	}
	struct url u;
	url_page(&u, "data/classification/index.json");
	return json_end(r, &u, &b, n);
}

int page_classdata(struct render *r)
{
	if (sqlite3_create_function(store_db(r->st), "ccr_class_url", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_class_url, NULL,
				    NULL) != SQLITE_OK)
		return store_error(r->st, "registering ccr_class_url");
	if (class_versions(r) < 0 || class_index(r) < 0 ||
	    json_array(r, "data/classification.json", SQL_CLASS_NOW) < 0 ||
	    json_array(r, "data/signatures.json", SQL_SIGS_JSON) < 0)
		return -1;
	return 0;
}
