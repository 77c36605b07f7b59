/*
 * page_test: one test of one recipe and tier, across tags and runs:
 *  - per tag where it failed: its failures, errors and flaky runs, first and
 *    last, and its classification there (state_badge);
 *  - its failure messages grouped by signature (testcase.signature when the
 *    classifier set one, else the exact message), each group with its runs;
 *  - its failures and changes of outcome, newest first: tag, trigger, mode,
 *    overlap, outcome, duration, message; each linking to the testcase on its
 *    run page, and each failure to its log line (logfind.h: the first line of
 *    the run's logs that holds the test's name or its message; the log's top
 *    when none does).
 * A run where the test passed as it did the run before adds nothing to the page,
 * so the page stays byte-identical while a test keeps passing, and render.c
 * renders only the tests a new run changed (todo_test.changed): a failure, or an
 * outcome unlike the one before. Every other run is one step away, on the
 * recipe page's test-history grid and the run pages.
 * Writes: recipes/<recipe>/tests/<tier>/<test-slug>.html for every changed test.
 * Queries: todo_test join test; testcase by test_id (index testcase_test, in run
 * id order, which within a recipe is time order) join run (primary key); file
 * and blob for the log lines (logfind.c).
 */
#include "pages.h"
#include "docs.h"
#include "layout.h"
#include "logfind.h"
#include "logview.h"
#include "state.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rows listed (failures and changes), the newest: a flaky test's page is rewritten with
 * each of its failures, so its size must not grow with the history: ~500 bytes a
 * row, ~50 KB. Older runs are on the recipe's month pages (one grid row per test) */
#define TEST_ROWS_SHOWN 100
/* tags listed: older tags are history, the outcomes list still has them */
#define TEST_TAGS_SHOWN 50
/* signature groups listed, and runs listed per group */
#define TEST_GROUPS_SHOWN 20
#define TEST_GROUP_RUNS 10
/* the head of a message is enough in the outcomes list; a group shows more */
#define TEST_MESSAGE_SHOWN 200
#define TEST_GROUP_MESSAGE_SHOWN 4000

static const char SQL_TODO_TESTS[] =
	"SELECT t.id, t.recipe, t.tier, t.classname, t.name, t.slug FROM test t"
	" WHERE t.id IN (SELECT test_id FROM todo_test WHERE changed) ORDER BY t.id";
/* the test's first run is its lowest run id (ids sort by time within a recipe): one run
 * looked up, not every one */
static const char SQL_TEST_FIRST[] =
	"SELECT r.started FROM run r"
	" WHERE r.id = (SELECT min(run_id) FROM testcase WHERE test_id = :test)";
/* per tag where it failed; the bare r.id is the run of max(r.started) (SQLite's rule
 * for a lone max()) */
static const char SQL_TEST_TAGS[] =
	"SELECT r.version, sum(c.status = 'failed'), sum(c.status = 'error'),"
	" sum(c.status = 'flaky'), min(r.started), max(r.started), r.id"
	" FROM testcase c JOIN run r ON r.id = c.run_id"
	" WHERE c.test_id = :test AND c.status IN ('failed', 'error', 'flaky')"
	" GROUP BY r.version ORDER BY max(r.started) DESC, r.version";
#define GROUP_KEY                                                                                  \
	"CASE WHEN c.signature IS NOT NULL THEN 's' || c.signature"                                \
	" ELSE 'm' || coalesce(c.message, '') END"
static const char SQL_TEST_GROUPS[] =
	"SELECT " GROUP_KEY " AS k, count(*), min(r.started), max(r.started),"
	" count(DISTINCT coalesce(r.version, '')), max(c.signature IS NOT NULL)"
	" FROM testcase c JOIN run r ON r.id = c.run_id"
	" WHERE c.test_id = :test AND c.status IN ('failed', 'error')"
	" GROUP BY k ORDER BY max(r.started) DESC, k";
static const char SQL_GROUP_RUNS[] =
	"SELECT c.run_id, c.status, c.message, r.version, r.started FROM testcase c"
	" JOIN run r ON r.id = c.run_id WHERE c.test_id = :test"
	" AND c.status IN ('failed', 'error') AND " GROUP_KEY " = :k"
	" ORDER BY r.started DESC, r.id DESC LIMIT :n";
/* failures and changes of outcome (run ids sort by time within a recipe), the newest
 * :shown of them, and how many there are in all (column 12). The outcomes are read from
 * the index testcase_test alone; only the rows shown fetch their testcase and run. */
static const char SQL_TEST_ROWS[] =
	"SELECT x.run_id, x.status, tc.message, tc.time_ms, r.version, r.started, r.trigger_kind,"
	" r.external_id, r.mode, r.overlap, r.ingested_at, x.prev, x.total FROM (SELECT run_id,"
	"  status, prev, count(*) OVER () AS total FROM (SELECT run_id, status,"
	"   lag(status) OVER (ORDER BY run_id) AS prev FROM testcase WHERE test_id = :test)"
	"  WHERE prev IS NULL OR prev <> status OR status IN ('failed', 'error', 'flaky')"
	"  ORDER BY run_id DESC LIMIT :shown) x"
	" JOIN run r ON r.id = x.run_id"
	" JOIN testcase tc ON tc.run_id = x.run_id AND tc.test_id = :test"
	" ORDER BY x.run_id DESC";

struct testinfo {
	int64_t id;
	const char *recipe, *tier, *name, *slug;
	char anchor[2 * SLUG_SIZE + 2];
	struct logfind *lf;
};

static int is_failure(const char *status)
{
	return !strcmp(status, "failed") || !strcmp(status, "error");
}

/* a link to the failure's log line (or the log's top); nothing when the run has no log */
static int log_link(struct html *h, const struct testinfo *ti, const char *run_id,
		    const char *message)
{
	char *log;
	int64_t line;
	int found = logfind(ti->lf, run_id, ti->id, ti->name, *message ? message : NULL, &log, &line);
	if (found < 0)
		return -1;
	if (!log)
		return 0;
	struct url u;
	url_log(&u, run_id, log, found ? log_page_of(line) : 1);
	html_lit(h, " <a class=\"loglink\" href=\"");
	if (found) {
		char frag[32];
		snprintf(frag, sizeof(frag), "L%lld", (long long)line);
		html_href(h, &u, frag);
		html_lit(h, "\">log line ");
		html_int(h, line);
	} else {
		html_href(h, &u, NULL);
		html_lit(h, "\">log");
	}
	html_lit(h, "</a>");
	free(log);
	return 0;
}

static void run_link(struct html *h, const struct testinfo *ti, const char *run_id, int64_t started)
{
	struct url u;
	url_run(&u, run_id);
	html_lit(h, "<a href=\"");
	html_href(h, &u, ti->anchor);
	html_lit(h, "\">");
	html_time(h, started);
	html_lit(h, "</a>");
}

static int tags(struct html *h, struct render *r, const struct testinfo *ti)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_TEST_TAGS);
	bind_int(q, ":test", ti->id);
	int64_t n = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > TEST_TAGS_SHOWN)
			continue;
		if (n == 1)
			html_lit(h, "<section id=\"tags\"><h2>Tags where it failed</h2>\n<div "
				    "class=\"scroll\"><table><thead><tr><th scope=\"col\">tag</th>"
				    "<th scope=\"col\">failed</th><th scope=\"col\">error</th>"
				    "<th scope=\"col\">flaky</th><th scope=\"col\">state</th>"
				    "<th scope=\"col\">first failure</th><th scope=\"col\">last failure</th>"
				    "</tr></thead>\n<tbody>\n");
		int has_version = sqlite3_column_type(q, 0) != SQLITE_NULL;
		html_lit(h, "<tr><td>");
		if (has_version)
			html_text(h, col_text(q, 0));
		else
			html_lit(h, "<em>unknown</em>");
		html_lit(h, "</td>");
		for (int i = 1; i <= 3; i++) {
			html_lit(h, "<td class=\"num\">");
			html_int(h, sqlite3_column_int64(q, i));
			html_lit(h, "</td>");
		}
		html_lit(h, "<td>");
		state_badge(h, r->st, ti->id, has_version ? col_text(q, 0) : NULL);
		html_lit(h, "</td><td>");
		html_time(h, sqlite3_column_int64(q, 4));
		html_lit(h, "</td><td>");
		run_link(h, ti, col_text(q, 6), sqlite3_column_int64(q, 5));
		html_lit(h, "</td></tr>\n");
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a test's tags");
	if (n) {
		html_lit(h, "</tbody></table></div>\n");
		html_more(h, n - TEST_TAGS_SHOWN, "older tags");
		html_lit(h, "</section>\n");
	}
	return 0;
}

static int group_runs(struct html *h, struct render *r, const struct testinfo *ti, const char *key)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_GROUP_RUNS);
	bind_int(q, ":test", ti->id);
	bind_text(q, ":k", key);
	bind_int(q, ":n", TEST_GROUP_RUNS);
	int step, k = 0, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (k++ == 0) {
			/* the newest message of the group stands for it */
			const char *m = col_text(q, 2);
			size_t ml = strlen(m);
			html_lit(h, "<pre class=\"msg\">");
			html_textn(h, m, ml > TEST_GROUP_MESSAGE_SHOWN ? TEST_GROUP_MESSAGE_SHOWN : ml);
			if (ml > TEST_GROUP_MESSAGE_SHOWN)
				html_lit(h, "\xe2\x80\xa6");
			html_lit(h, "</pre>\n<ul class=\"runs\">");
		}
		char *run_id = xstrdup(col_text(q, 0));
		char *msg = xstrdup(col_text(q, 2));
		html_lit(h, "<li>");
		run_link(h, ti, run_id, sqlite3_column_int64(q, 4));
		if (sqlite3_column_type(q, 3) != SQLITE_NULL) {
			html_lit(h, " ");
			html_text(h, col_text(q, 3));
		}
		html_lit(h, " ");
		html_status(h, col_text(q, 1));
		rc = log_link(h, ti, run_id, msg);
		html_lit(h, "</li>");
		free(run_id);
		free(msg);
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a failure group's runs");
	if (k)
		html_lit(h, "</ul>\n");
	return 0;
}

static int groups(struct html *h, struct render *r, const struct testinfo *ti)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_TEST_GROUPS);
	bind_int(q, ":test", ti->id);
	int64_t n = 0;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > TEST_GROUPS_SHOWN)
			continue;
		if (n == 1)
			html_lit(h, "<section id=\"failures\"><h2>Failures by signature</h2>\n");
		char *key = xstrdup(col_text(q, 0));
		int64_t count = sqlite3_column_int64(q, 1), tags_n = sqlite3_column_int64(q, 4);
		html_lit(h, "<div class=\"group\" id=\"failure-");
		html_int(h, n);
		html_lit(h, "\"><p><strong>");
		html_int(h, count);
		if (count == 1)
			html_lit(h, " failure");
		else
			html_lit(h, " failures");
		html_lit(h, "</strong> at ");
		html_int(h, tags_n);
		if (tags_n == 1)
			html_lit(h, " tag");
		else
			html_lit(h, " tags");
		html_lit(h, ", first ");
		html_time(h, sqlite3_column_int64(q, 2));
		html_lit(h, ", last ");
		html_time(h, sqlite3_column_int64(q, 3));
		if (sqlite3_column_int64(q, 5))
			html_lit(h, " (one signature: varying numbers, addresses and ids are masked)");
		else
			html_lit(h, " (the same message)");
		html_lit(h, "</p>\n");
		rc = group_runs(h, r, ti, key);
		html_lit(h, "</div>\n");
		free(key);
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_error(r->st, "grouping a test's failures");
	if (n) {
		html_more(h, n - TEST_GROUPS_SHOWN, "older failure groups");
		html_lit(h, "</section>\n");
	}
	return 0;
}

/* failures and changes of outcome; *as_of is the newest ingest among the rows shown */
static int outcomes(struct html *h, struct render *r, const struct testinfo *ti, int64_t *as_of)
{
	html_lit(h, "<section id=\"outcomes\"><h2>Failures and changes</h2>\n<p class=\"note\">"
		    "Newest first: every run where it failed, errored or was flaky, and every run whose "
		    "outcome differs from the run before. A run that passed like the one before is "
		    "not listed (the recipe page's test history shows each run).</p>\n"
		    "<div class=\"scroll\"><table class=\"runs\"><thead><tr>"
		    "<th scope=\"col\">started</th><th scope=\"col\">tag</th>"
		    "<th scope=\"col\">trigger</th><th scope=\"col\">mode</th>"
		    "<th scope=\"col\">overlap</th><th scope=\"col\">outcome</th>"
		    "<th scope=\"col\">duration</th><th scope=\"col\">message</th></tr></thead>\n"
		    "<tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_TEST_ROWS);
	bind_int(q, ":test", ti->id);
	bind_int(q, ":shown", TEST_ROWS_SHOWN);
	int64_t n = 0;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		n = sqlite3_column_int64(q, 12);
		if (sqlite3_column_int64(q, 10) > *as_of)
			*as_of = sqlite3_column_int64(q, 10);
		char *run_id = xstrdup(col_text(q, 0));
		char *status = xstrdup(col_text(q, 1));
		char *msg = xstrdup(col_text(q, 2));
		html_lit(h, "<tr><td>");
		run_link(h, ti, run_id, sqlite3_column_int64(q, 5));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 4));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 6));
		if (sqlite3_column_type(q, 7) != SQLITE_NULL) {
			html_lit(h, " ");
			html_text(h, col_text(q, 7));
		}
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 8));
		html_lit(h, "</td><td class=\"num\">");
		html_int(h, sqlite3_column_int64(q, 9));
		html_lit(h, "</td><td>");
		html_status(h, status);
		if (sqlite3_column_type(q, 11) != SQLITE_NULL && strcmp(col_text(q, 11), status)) {
			html_lit(h, " <small>(was ");
			html_text(h, status_word(col_text(q, 11)));
			html_lit(h, ")</small>");
		}
		html_lit(h, "</td><td class=\"num\">");
		if (sqlite3_column_type(q, 3) != SQLITE_NULL)
			html_duration(h, sqlite3_column_int64(q, 3));
		html_lit(h, "</td><td>");
		size_t ml = strlen(msg);
		if (ml) {
			html_lit(h, "<code class=\"msg\">");
			html_textn(h, msg, ml > TEST_MESSAGE_SHOWN ? TEST_MESSAGE_SHOWN : ml);
			if (ml > TEST_MESSAGE_SHOWN)
				html_lit(h, "\xe2\x80\xa6");
			html_lit(h, "</code>");
		}
		if (is_failure(status))
			rc = log_link(h, ti, run_id, msg);
		html_lit(h, "</td></tr>\n");
		free(run_id);
		free(status);
		free(msg);
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a test's runs");
	html_lit(h, "</tbody></table></div>\n");
	if (n > TEST_ROWS_SHOWN) {
		struct url ur;
		url_recipe(&ur, ti->recipe);
		html_more(h, n - TEST_ROWS_SHOWN, "older rows");
		html_lit(h, "<p class=\"note\">Every run of the test is in the recipe's <a href=\"");
		html_href(h, &ur, "history");
		html_lit(h, "\">month pages</a>.</p>\n");
	}
	html_lit(h, "</section>\n");
	return 0;
}

static int one_test(struct render *r, struct html *h, struct logfind *lf, sqlite3_stmt *t)
{
	struct testinfo ti = {
		.id = sqlite3_column_int64(t, 0),
		.recipe = col_text(t, 1),
		.tier = col_text(t, 2),
		.name = col_text(t, 4),
		.slug = col_text(t, 5),
		.lf = lf,
	};
	const char *cls = col_text(t, 3);
	anchor_test(ti.tier, ti.slug, ti.anchor);
	struct url self, home, ur;
	url_test(&self, ti.recipe, ti.tier, ti.slug);
	url_page(&home, "index.html");
	url_recipe(&ur, ti.recipe);
	html_reset(h, url_depth(&self));
	logfind_page(lf);

	sqlite3_stmt *q = store_stmt(r->st, SQL_TEST_FIRST);
	bind_int(q, ":test", ti.id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_error(r->st, "reading a test's first run");
	}
	int64_t first = sqlite3_column_int64(q, 0), as_of = 0;
	sqlite3_reset(q);

	struct crumb c[] = {{"overview", &home}, {ti.recipe, &ur}, {ti.name, NULL}};
	layout_begin(h, ti.name, c, 3);
	html_lit(h, "<h1>");
	html_text(h, ti.name);
	html_lit(h, "</h1>\n<dl class=\"meta\"><dt>recipe</dt><dd><a href=\"");
	html_href(h, &ur, NULL);
	html_lit(h, "\">");
	html_text(h, ti.recipe);
	html_lit(h, "</a></dd><dt>tier</dt><dd>");
	html_text(h, ti.tier);
	html_lit(h, "</dd>");
	if (*cls) {
		html_lit(h, "<dt>class</dt><dd><code>");
		html_text(h, cls);
		html_lit(h, "</code></dd>");
	}
	html_lit(h, "<dt>first seen</dt><dd>");
	html_time(h, first);
	html_lit(h, "</dd></dl>\n");

	if (tags(h, r, &ti) < 0 || groups(h, r, &ti) < 0 || outcomes(h, r, &ti, &as_of) < 0)
		return -1;
	char key[24];
	snprintf(key, sizeof(key), "%lld", (long long)ti.id);
	docs_citations(h, r, "test", key);
	/* as of the newest row shown: a run that adds no row changes nothing */
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_tests(struct render *r)
{
	struct html h;
	struct logfind lf;
	html_init(&h, r, 4);
	logfind_init(&lf, r->st);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_TESTS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (render_mine(r) && (rc = one_test(r, &h, &lf, q)) < 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing tests");
	sqlite3_reset(q);
	logfind_release(&lf);
	html_release(&h);
	return rc;
}
