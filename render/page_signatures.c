/*
 * page_signatures: one page per failure signature (its JSON export, and the
 * classification's, are render/page_classdata.c's).
 *   signatures/<id>.html       the cause: its normalised text, an example message, how
 *                              often, in which recipes and tests, since when, the
 *                              incidents it caused, and every occurrence (run, recipe,
 *                              tier, test, version, when)
 * Signature pages are rendered for the signatures seen in todo_run (every one on a
 * full render).
 * Queries: testcase by run (todo_run) and by signature (index testcase_signature);
 * run, test, signature by primary key.
 */
#include "pages.h"
#include "layout.h"
#include "docs.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

/* occurrences listed on a signature page, the newest: the page is rewritten whenever
 * the signature is seen again (nightly for a flaky test's), so its size must not grow
 * with the history: ~400 bytes each, ~80 KB. The "where" table counts every one per
 * test, and each test page lists its failures */
#define SIG_OCCURRENCES_SHOWN 200
/* tests listed in "where": every test of a few dozen recipes */
#define SIG_TESTS_SHOWN 500

static const char SQL_TODO_SIGS[] =
	"SELECT DISTINCT tc.signature FROM todo_run t CROSS JOIN testcase tc ON tc.run_id = t.id"
	" WHERE tc.signature IS NOT NULL ORDER BY 1";
static const char SQL_SIG[] =
	"SELECT text, example, occurrences, runs, recipes, tests, first_seen, last_seen,"
	"       first_run, last_run FROM signature WHERE id = :id";
static const char SQL_SIG_WHERE[] =
	"SELECT t.recipe, t.tier, t.classname, t.name, t.slug, count(*), min(r.started),"
	"       max(r.started)"
	"  FROM testcase tc JOIN run r ON r.id = tc.run_id JOIN test t ON t.id = tc.test_id"
	" WHERE tc.signature = :id GROUP BY tc.test_id"
	" ORDER BY t.recipe, t.tier, t.classname, t.name";
static const char SQL_SIG_OCC[] =
	"SELECT r.id, r.started, r.recipe, r.version, r.trigger_kind, t.tier, t.classname, t.name,"
	"       t.slug, tc.status, it.run_id IS NOT NULL"
	"  FROM testcase tc JOIN run r ON r.id = tc.run_id JOIN test t ON t.id = tc.test_id"
	"  LEFT JOIN incident_testcase it ON it.run_id = tc.run_id AND it.test_id = tc.test_id"
	" WHERE tc.signature = :id ORDER BY r.started DESC, r.id DESC, t.tier, t.classname, t.name";
/* "data as of" a signature page: the newest ingest of a run it was seen in (not the
 * store's newest, which moves every night while the page need not) */
static const char SQL_SIG_ASOF[] =
	"SELECT coalesce(max(r.ingested_at), 0) FROM testcase tc JOIN run r ON r.id = tc.run_id"
	" WHERE tc.signature = :id";
static const char SQL_SIG_INCIDENTS[] =
	"SELECT i.sweep_id, i.tier, i.recipes, i.of_recipes FROM incident i"
	" JOIN sweep s ON s.id = i.sweep_id WHERE i.signature = :id"
	" ORDER BY coalesce(s.started, 0) DESC, i.sweep_id DESC, i.tier";

static void test_link(struct html *h, const char *recipe, const char *tier, const char *cls,
		      const char *name, const char *slug)
{
	struct url ut;
	url_test(&ut, recipe, tier, slug);
	html_lit(h, "<a href=\"");
	html_href(h, &ut, NULL);
	html_lit(h, "\">");
	if (*cls) {
		html_lit(h, "<span class=\"cls\">");
		html_text(h, cls);
		html_lit(h, "::</span>");
	}
	html_text(h, name);
	html_lit(h, "</a>");
}

static void run_link(struct html *h, const char *run_id, int64_t started)
{
	struct url u;
	url_run(&u, run_id);
	html_lit(h, "<a href=\"");
	html_href(h, &u, NULL);
	html_lit(h, "\">");
	html_time(h, started);
	html_lit(h, "</a>");
}

static int where_table(struct render *r, struct html *h, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SIG_WHERE);
	bind_text(q, ":id", id);
	html_lit(h, "<h2 id=\"where\">Where</h2>\n<div class=\"scroll\"><table><thead><tr>"
		    "<th>recipe</th><th>tier</th><th>test</th><th>times</th><th>first</th>"
		    "<th>last</th></tr></thead><tbody>\n");
	int step;
	int64_t n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > SIG_TESTS_SHOWN)
			continue;
		struct url ur;
		url_recipe(&ur, col_text(q, 0));
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &ur, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a></td><td>");
		html_text(h, col_text(q, 1));
		html_lit(h, "</td><td>");
		test_link(h, col_text(q, 0), col_text(q, 1), col_text(q, 2), col_text(q, 3),
			  col_text(q, 4));
		html_lit(h, "</td><td>");
		html_int(h, sqlite3_column_int64(q, 5));
		html_lit(h, "</td><td>");
		html_time(h, sqlite3_column_int64(q, 6));
		html_lit(h, "</td><td>");
		html_time(h, sqlite3_column_int64(q, 7));
		html_lit(h, "</td></tr>\n");
	}
	sqlite3_reset(q);
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, n - SIG_TESTS_SHOWN, "tests");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing a signature's tests");
}

static int incidents_list(struct render *r, struct html *h, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SIG_INCIDENTS);
	bind_text(q, ":id", id);
	int step, n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			html_lit(h, "<h2 id=\"incidents\">Infrastructure incidents</h2>\n<ul>\n");
		struct url us;
		url_sweep(&us, col_text(q, 0));
		html_lit(h, "<li><a href=\"");
		html_href(h, &us, NULL);
		html_lit(h, "\">sweep ");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a>: ");
		html_text(h, col_text(q, 1));
		html_lit(h, " failed this way in ");
		html_int(h, sqlite3_column_int64(q, 2));
		html_lit(h, " of ");
		html_int(h, sqlite3_column_int64(q, 3));
		html_lit(h, " recipes; left out of the classification counts</li>\n");
	}
	sqlite3_reset(q);
	if (n)
		html_lit(h, "</ul>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing a signature's incidents");
}

static int occurrences(struct render *r, struct html *h, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SIG_OCC);
	bind_text(q, ":id", id);
	html_lit(h, "<h2 id=\"occurrences\">Every occurrence</h2>\n<div class=\"scroll\"><table>"
		    "<thead><tr><th>run</th><th>recipe</th><th>version</th><th>trigger</th>"
		    "<th>tier</th><th>test</th><th>status</th></tr></thead><tbody>\n");
	int step;
	int64_t n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > SIG_OCCURRENCES_SHOWN)
			continue;
		const char *tier = col_text(q, 5), *slug = col_text(q, 8);
		struct url u;
		char a[2 * SLUG_SIZE + 2];
		url_run(&u, col_text(q, 0));
		anchor_test(tier, slug, a);
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, a);
		html_lit(h, "\">");
		html_time(h, sqlite3_column_int64(q, 1));
		html_lit(h, "</a></td><td>");
		html_text(h, col_text(q, 2));
		html_lit(h, "</td><td class=\"ver\">");
		html_text(h, col_text(q, 3));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 4));
		html_lit(h, "</td><td>");
		html_text(h, tier);
		html_lit(h, "</td><td>");
		test_link(h, col_text(q, 2), tier, col_text(q, 6), col_text(q, 7), slug);
		html_lit(h, "</td><td>");
		html_status(h, col_text(q, 9));
		if (sqlite3_column_int(q, 10))
			html_lit(h, " <small>(incident, not counted)</small>");
		html_lit(h, "</td></tr>\n");
	}
	sqlite3_reset(q);
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, n - SIG_OCCURRENCES_SHOWN, "older occurrences (counted per test above)");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing a signature's occurrences");
}

static int signature_page(struct render *r, struct html *h, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SIG);
	bind_text(q, ":id", id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return 0;	/* not derived yet: collect makes it */
	}
	struct url self, home, flakes;
	url_signature(&self, id);
	url_page(&home, "index.html");
	url_page(&flakes, "flakes.html");
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {"flakes", &flakes}, {id, NULL}};
	char title[64];
	snprintf(title, sizeof(title), "signature %s", id);
	layout_begin(h, title, c, 3);
	html_lit(h, "<h1>Signature <code>");
	html_text(h, id);
	html_lit(h, "</code></h1>\n<pre class=\"sigtext\">");
	html_text(h, col_text(q, 0));
	html_lit(h, "</pre>\n");
	if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
		html_lit(h, "<p>For example: <code class=\"msg\">");
		html_text(h, col_text(q, 1));
		html_lit(h, "</code></p>\n");
	}
	int64_t occ = sqlite3_column_int64(q, 2), runs = sqlite3_column_int64(q, 3);
	int64_t recipes = sqlite3_column_int64(q, 4), tests = sqlite3_column_int64(q, 5);
	html_lit(h, "<p class=\"sigsum\">Seen ");
	html_int(h, occ);
	html_lit(h, " times in ");
	html_int(h, runs);
	html_lit(h, " runs, ");
	html_int(h, recipes);
	html_lit(h, " recipes and ");
	html_int(h, tests);
	html_lit(h, " tests; first ");
	run_link(h, col_text(q, 8), sqlite3_column_int64(q, 6));
	html_lit(h, ", last ");
	run_link(h, col_text(q, 9), sqlite3_column_int64(q, 7));
	html_lit(h, ".</p>\n");
	sqlite3_reset(q);
	if (where_table(r, h, id) < 0 || incidents_list(r, h, id) < 0 ||
	    occurrences(r, h, id) < 0)
		return -1;
	docs_citations(h, r, "signature", id);
	q = store_stmt(r->st, SQL_SIG_ASOF);
	bind_text(q, ":id", id);
	int64_t as_of = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_signatures(struct render *r)
{
	/* the ids first (a short list), so the pages' own queries run on their own */
	struct buf ids = BUF_INIT;
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_SIGS);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_adds(&ids, col_text(q, 0));
		buf_addc(&ids, '\0');
	}
	sqlite3_reset(q);
	int rc = 0;
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing signatures");
	struct html h;
	html_init(&h, r, 1);
	for (size_t i = 0; !rc && i < ids.len; i += strlen(ids.data + i) + 1) {
		if (!render_mine(r))
			continue;
		rc = signature_page(r, &h, ids.data + i);
	}
	html_release(&h);
	buf_release(&ids);
	return rc;
}
