/*
 * page_test: MINIMAL test page (the test page work replaces this file): one
 * test's failures and changes of outcome across tags and runs, newest first.
 * A run where the test passed again, as it did the run before, is not listed,
 * so the page stays byte-identical night after night while the test keeps
 * passing, and only tests with todo_test.changed = 1 are rendered.
 * Writes: recipes/<recipe>/tests/<tier>/<test-slug>.html for every changed test.
 * Queries: todo_test join test; testcase by test_id (index testcase_test, ordered
 * by run id, which within a recipe is time order) join run for the rows shown.
 */
#include "pages.h"
#include "layout.h"
#include "docs.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

/* rows listed: failures and changes, newest first */
#define TEST_ROWS_SHOWN 100
/* the head of a message is enough in a history list */
#define TEST_MESSAGE_SHOWN 200

static const char SQL_TODO_TESTS[] =
	"SELECT t.id, t.recipe, t.tier, t.classname, t.name, t.slug FROM test t"
	" WHERE t.id IN (SELECT test_id FROM todo_test WHERE changed) ORDER BY t.id";
static const char SQL_TEST_CHANGES[] =
	"SELECT x.run_id, x.status, x.message, r.version, r.started, r.ingested_at, x.prev"
	" FROM (SELECT run_id, status, message, lag(status) OVER (ORDER BY run_id) AS prev"
	"   FROM testcase WHERE test_id = :test) x JOIN run r ON r.id = x.run_id"
	" WHERE x.prev IS NULL OR x.prev <> x.status OR x.status IN ('failed', 'error', 'flaky')"
	" ORDER BY x.run_id DESC";

static int one_test(struct render *r, struct html *h, sqlite3_stmt *t)
{
	int64_t test_id = sqlite3_column_int64(t, 0);
	const char *recipe = col_text(t, 1), *tier = col_text(t, 2), *cls = col_text(t, 3),
		   *name = col_text(t, 4), *slug = col_text(t, 5);
	struct url self, home, ur;
	url_test(&self, recipe, tier, slug);
	url_page(&home, "index.html");
	url_recipe(&ur, recipe);
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {recipe, &ur}, {name, NULL}};
	layout_begin(h, name, c, 3);
	html_lit(h, "<h1>");
	if (*cls) {
		html_text(h, cls);
		html_lit(h, "::");
	}
	html_text(h, name);
	html_lit(h, "</h1>\n<p>");
	html_text(h, recipe);
	html_lit(h, ", tier ");
	html_text(h, tier);
	html_lit(h, ". Failures and changes of outcome, newest first (a run that passed "
		    "like the one before is not listed).</p>\n<div class=\"scroll\"><table "
		    "class=\"runs\"><thead><tr><th>outcome</th><th>version</th><th>started</th>"
		    "<th>message</th></tr></thead><tbody>\n");
	char a[2 * SLUG_SIZE + 2];
	anchor_test(tier, slug, a);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TEST_CHANGES);
	bind_int(q, ":test", test_id);
	int64_t n = 0, as_of = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t ing = sqlite3_column_int64(q, 5);
		if (++n > TEST_ROWS_SHOWN)
			continue;
		if (ing > as_of)
			as_of = ing;
		struct url u;
		url_run(&u, col_text(q, 0));
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, a);
		html_lit(h, "\">");
		html_status(h, col_text(q, 1));
		html_lit(h, "</a> ");
		state_badge(h, r->st, test_id, (const char *)sqlite3_column_text(q, 3));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 3));
		html_lit(h, "</td><td>");
		html_time(h, sqlite3_column_int64(q, 4));
		html_lit(h, "</td><td><code class=\"msg\">");
		const char *m = col_text(q, 2);
		size_t ml = strlen(m);
		html_textn(h, m, ml > TEST_MESSAGE_SHOWN ? TEST_MESSAGE_SHOWN : ml);
		html_lit(h, "</code></td></tr>\n");
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a test's runs");
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, n - TEST_ROWS_SHOWN, "older rows");
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)test_id);
	docs_citations(h, r, "test", key);
	/* as of the newest row shown: a passing run adds no row, and changes nothing */
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_tests(struct render *r)
{
	struct html h;
	html_init(&h, r, 4);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_TESTS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = one_test(r, &h, q)) < 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing tests");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
