/*
 * page_classdata: the classification and signature exports (README "data/classification"),
 * each file a bounded slice of the history, written one row at a time.
 *   data/classification/<recipe>/<version>[~<harness>].json  every classification row
 *                    of the recipe at one set of sources (version and harness ref: one
 *                    row per tier and test), by tier, test (url_class_version() names
 *                    it). Rendered for every set of sources of the versions the todo_run
 *                    runs touch, and of the later versions of their recipes
 *                    (collect/derive.c settles fixed, failing_since and regression along
 *                    a test's sources in order); every one in a full render. Older sources'
 *                    files never change (those of an older harness ref at the same
 *                    version are rendered, compared, and not written).
 *   data/classification/<recipe>/index.json  one object per such file of the recipe, by
 *                    version, then harness ref: recipe, version, harness_ref, url
 *                    (relative to data/), first/last seen, rows, and rows per state;
 *                    rendered for the recipes of the files above, an incremental render
 *                    copying the entries before the earliest version it renders from the
 *                    index it wrote before (old_index_prefix)
 *   data/classification.json  one object per recipe: its current sources (the version
 *                    and harness ref of its newest run), the file holding the state now
 *                    (the rows at those sources), its index, and rows per state there.
 *                    Small (~300 bytes a recipe): the state rows are not copied here,
 *                    so a night writes each of them once
 *   data/signatures.json  every signature with the tests it failed (README)
 * Queries: classification through test (index test_slug) and its primary key (test_id,
 * version, harness_ref); run by recipe (index run_recipe_started) for the newest run; todo_run's runs
 * and their sweeps (index run_sweep). A recipe's index in a full render (or without
 * the one written before) reads every classification row of the recipe, on purpose (one
 * object per set of sources); signature is scanned once for its export.
 */
#include "pages.h"

#include "../lib/version.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* one set of sources: a row per test, by primary key */
static const char SQL_CLASS_VERSION[] =
    "SELECT " SQL_CLASS_OBJECT " FROM test t CROSS JOIN classification c"
    " ON c.test_id = t.id AND c.version = :version AND c.harness_ref = :harness"
    " WHERE t.recipe = :recipe ORDER BY t.tier, t.classname, t.name";
/* each recipe's newest run (started, then id) gives its current sources; the state now
 * is the rows there (each a seek by primary key) */
static const char SQL_CLASS_NOW[] =
    "SELECT json_object('recipe', p.recipe, 'version', nullif(n.version, ''),"
    " 'harness_ref', nullif(n.harness_ref, ''), 'latest_run', n.id,"
    " 'url', CASE WHEN count(c.state) THEN"
    "  ccr_class_url(p.recipe, coalesce(n.version, ''), coalesce(n.harness_ref, '')) END,"
    " 'index', CASE WHEN EXISTS (SELECT 1 FROM classification h WHERE h.recipe = p.recipe)"
    "  THEN ccr_class_index_url(p.recipe) END, 'rows', count(c.state),"
    " 'states', json_object('passing', count(CASE c.state WHEN 'passing' THEN 1 END),"
    "  'new', count(CASE c.state WHEN 'new' THEN 1 END),"
    "  'deterministic', count(CASE c.state WHEN 'deterministic' THEN 1 END),"
    "  'flaky', count(CASE c.state WHEN 'flaky' THEN 1 END),"
    "  'fixed', count(CASE c.state WHEN 'fixed' THEN 1 END)))"
    " FROM (SELECT DISTINCT recipe FROM test) p"
    " CROSS JOIN run n ON n.id = (SELECT x.id FROM run x WHERE x.recipe = p.recipe"
    "  ORDER BY x.started DESC, x.id DESC LIMIT 1)"
    " LEFT JOIN test t ON t.recipe = p.recipe"
    " LEFT JOIN classification c ON c.test_id = t.id AND c.version = coalesce(n.version, '')"
    "  AND c.harness_ref = coalesce(n.harness_ref, '')"
    " GROUP BY p.recipe ORDER BY p.recipe";
/* a recipe index's entry for one set of sources, from its classification rows c */
#define CLASS_INDEX_ENTRY                                                                          \
	"SELECT json_object('recipe', :recipe, 'version', nullif(c.version, ''),"                 \
	" 'harness_ref', nullif(c.harness_ref, ''),"                                               \
	" 'url', ccr_class_url(:recipe, c.version, c.harness_ref),"                                \
	" 'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', min(c.first_seen), 'unixepoch'),"          \
	" 'last_seen', strftime('%Y-%m-%dT%H:%M:%SZ', max(c.last_seen), 'unixepoch'),"            \
	" 'rows', count(*), 'states', json_object('passing', sum(c.state = 'passing'),"           \
	"  'new', sum(c.state = 'new'), 'deterministic', sum(c.state = 'deterministic'),"         \
	"  'flaky', sum(c.state = 'flaky'), 'fixed', sum(c.state = 'fixed')))"
/* a recipe's index: its groups are sorted in memory, never the table's; the sources of
 * one version by harness ref (the group listings below read the index
 * classification_recipe alone, which holds no time) */
static const char SQL_CLASS_INDEX[] =
    CLASS_INDEX_ENTRY
    " FROM test t CROSS JOIN classification c ON c.test_id = t.id WHERE t.recipe = :recipe"
    " GROUP BY c.version, c.harness_ref"
    " ORDER BY c.version COLLATE version, c.version, c.harness_ref";
/* one set of sources' entry: its rows only (a seek per test through the primary key) */
static const char SQL_CLASS_INDEX_ONE[] =
    CLASS_INDEX_ENTRY
    " FROM test t CROSS JOIN classification c ON c.test_id = t.id AND c.version = :version"
    "  AND c.harness_ref = :harness WHERE t.recipe = :recipe GROUP BY c.version";
/* an entry of an index the last render wrote: its version, as the store has it */
static const char SQL_ENTRY_VERSION[] = "SELECT coalesce(json_extract(:e, '$.version'), '')";
/* every set of sources (a scan of index classification_recipe, on purpose: full
 * renders), in the order of the recipes' indexes */
static const char SQL_GROUPS_ALL[] =
    "SELECT DISTINCT recipe, version, harness_ref FROM classification"
    " ORDER BY 1, 2 COLLATE version, 2, 3";
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
    " SELECT DISTINCT c.recipe, c.version, c.harness_ref FROM m CROSS JOIN classification c"
    "  ON c.recipe = m.recipe AND c.version COLLATE version >= m.version"
    " ORDER BY 1, 2 COLLATE version, 2, 3";
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

/* SQL ccr_class_url(recipe, version, harness_ref): the sources' file relative to data/;
 * ccr_class_index_url(recipe): the recipe's index, the same way */
static void sql_class_url(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *recipe = (const char *)sqlite3_value_text(argv[0]);
	struct url u;
	if (argc == 3) {
		const char *version = (const char *)sqlite3_value_text(argv[1]);
		const char *harness = (const char *)sqlite3_value_text(argv[2]);
		url_class_version(&u, recipe ? recipe : "", version ? version : "",
				  harness ? harness : "");
	} else {
		url_class_index(&u, recipe ? recipe : "");
	}
	static const char data[] = "data/";
	sqlite3_result_text(ctx, u.path + strlen(data), (int)(u.len - strlen(data)),
			    SQLITE_TRANSIENT);
}

/* a recipe's index as the last render wrote it: each version's ~260 bytes, so a few
 * thousand versions; a bigger file is not ours, and the index is computed whole */
#define CLASS_INDEX_OLD_MAX (4 << 20)

/*
 * The entries of OUT/<u> (a recipe's index the last render wrote) whose versions sort
 * before first, appended to b (n counts them): an incremental render computes only the
 * versions from first on (SQL_GROUPS_TODO renders every version from the earliest
 * touched one on), and an older version's entry depends on its rows alone, which no
 * new run changed. The file is ours: "[\n", one entry a line, ",\n" between, "\n]\n"
 * (JSON strings hold no raw newline). 1 when copied, 0 when there is no such file or it
 * is not in that shape (then the caller computes every entry).
 */
static int old_index_prefix(struct render *r, const struct url *u, const char *first,
			    struct buf *b, long *n)
{
	char path[PATH_MAX];
	int len = snprintf(path, sizeof(path), "%s/%s", r->out, u->path);
	if (len < 0 || len >= (int)sizeof(path) || access(path, R_OK) < 0)
		return 0;
	struct buf old;
	buf_init(&old, CLASS_INDEX_OLD_MAX);
	int ok = buf_read_file(&old, path) == 0;
	const char *p = old.data, *end = old.data + old.len;
	if (ok && old.len == 3 && !memcmp(p, "[]\n", 3)) {
		buf_release(&old);
		return 1;
	}
	ok = ok && old.len >= 5 && !memcmp(p, "[\n", 2) && !memcmp(end - 3, "\n]\n", 3);
	for (p += 2; ok && p < end - 2;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t elen = (size_t)(eol - p);
		if (elen && p[elen - 1] == ',')
			elen--;
		sqlite3_stmt *q = store_stmt(r->st, SQL_ENTRY_VERSION);
		bind_textn(q, ":e", p, elen);
		ok = elen && *p == '{' && sqlite3_step(q) == SQLITE_ROW;
		if (ok && version_cmp(col_text(q, 0), first) >= 0) {
			sqlite3_reset(q);
			break; /* this one and the rest are computed again */
		}
		sqlite3_reset(q);
		if (ok) {
			buf_adds(b, (*n)++ ? ",\n" : "[\n");
			buf_add(b, p, elen);
		}
		p = eol + 1;
	}
	buf_release(&old);
	if (!ok) {
		buf_reset(b);
		*n = 0;
	}
	return ok;
}

/* data/classification/<recipe>/index.json; sources: the (version, harness ref) pairs
 * rendered this time (store form, each string NUL-terminated, in the index's order; nv
 * pairs) */
static int class_index(struct render *r, const char *recipe, const char *sources, long nv)
{
	struct buf b = BUF_INIT;
	long n = 0;
	struct url u;
	url_class_index(&u, recipe);
	int rc = 0;
	if (!r->full && nv && old_index_prefix(r, &u, sources, &b, &n)) {
		for (const char *v = sources; !rc && nv--;) {
			const char *h = v + strlen(v) + 1;
			sqlite3_stmt *q = store_stmt(r->st, SQL_CLASS_INDEX_ONE);
			bind_text(q, ":recipe", recipe);
			bind_text(q, ":version", v);
			bind_text(q, ":harness", h);
			rc = json_add_rows(r, &b, &n, q);
			v = h + strlen(h) + 1;
		}
	} else {
		sqlite3_stmt *q = store_stmt(r->st, SQL_CLASS_INDEX);
		bind_text(q, ":recipe", recipe);
		rc = json_add_rows(r, &b, &n, q);
	}
	if (rc < 0) {
		buf_release(&b);
		return -1;
	}
	return json_end(r, &u, &b, n);
}

/* the files of the sources to render, and their recipes' indexes */
static int class_versions(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, r->full ? SQL_GROUPS_ALL : SQL_GROUPS_TODO);
	/* the groups first (a short list), so each file's query runs on its own */
	struct buf groups = BUF_INIT;
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_add(&groups, col_text(q, 0), (size_t)sqlite3_column_bytes(q, 0) + 1);
		buf_add(&groups, col_text(q, 1), (size_t)sqlite3_column_bytes(q, 1) + 1);
		buf_add(&groups, col_text(q, 2), (size_t)sqlite3_column_bytes(q, 2) + 1);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing the classification's versions");
	/* the groups come by recipe, each recipe's in its index's order: the index after them */
	struct buf vs = BUF_INIT; /* the recipe's (version, harness ref) so far */
	long nv = 0;
	for (size_t off = 0; !rc && off < groups.len;) {
		const char *recipe = groups.data + off;
		off += strlen(recipe) + 1;
		const char *version = groups.data + off;
		off += strlen(version) + 1;
		const char *harness = groups.data + off;
		off += strlen(harness) + 1;
		buf_add(&vs, version, strlen(version) + 1);
		buf_add(&vs, harness, strlen(harness) + 1);
		nv++;
		struct url u;
		url_class_version(&u, recipe, version, harness);
		q = store_stmt(r->st, SQL_CLASS_VERSION);
		bind_text(q, ":recipe", recipe);
		bind_text(q, ":version", version);
		bind_text(q, ":harness", harness);
		rc = json_rows(r, &u, q);
		if (!rc && (off == groups.len || strcmp(recipe, groups.data + off))) {
			rc = class_index(r, recipe, vs.data, nv);
			buf_reset(&vs);
			nv = 0;
		}
	}
	buf_release(&vs);
	buf_release(&groups);
	return rc;
}

int page_classdata(struct render *r)
{
	sqlite3 *db = store_db(r->st);
	if (sqlite3_create_function(db, "ccr_class_url", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				    NULL, sql_class_url, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "ccr_class_index_url", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_class_url, NULL,
				    NULL) != SQLITE_OK)
		return store_error(r->st, "registering ccr_class_url");
	if (class_versions(r) < 0 || json_array(r, "data/classification.json", SQL_CLASS_NOW) < 0 ||
	    json_array(r, "data/signatures.json", SQL_SIGS_JSON) < 0)
		return -1;
	return 0;
}
