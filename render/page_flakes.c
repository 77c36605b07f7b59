/*
 * page_flakes: the triage page. Every test whose current state (its latest
 * sources, at its recipe's latest version) is a failure: deterministic failures
 * first, longest-lasting first; then flaky tests by failure rate; then new ones
 * waiting for evidence; then the infrastructure incidents left out of the counts.
 * Each row has data-recipe/data-tier attributes: assets/site.js adds recipe and
 * tier filters where JS runs; without it the page is complete.
 * Writes: flakes.html.
 * Queries: classification scanned once on purpose (latest row per test and latest
 * version per recipe: one row per test and version, far smaller than testcase);
 * then per listed row: classification, run and testcase by primary keys;
 * incident with sweep.
 */
#include "pages.h"
#include "layout.h"
#include "state.h"

#include <string.h>

/* rows listed per section: more than a morning's triage; the rest is counted */
#define FLAKES_SHOWN 500
/* incidents listed: a year of bad nights */
#define INCIDENTS_SHOWN 100

/* section 1 deterministic, 2 flaky, 3 new; ordered inside each as the page says */
static const char SQL_CURRENT[] =
	"WITH last AS (SELECT test_id, max(seq) AS seq FROM classification GROUP BY test_id),"
	"     lv AS (SELECT recipe, max(version COLLATE version) AS version FROM classification"
	"             GROUP BY recipe),"
	"     cur AS (SELECT c.*, CASE c.state WHEN 'deterministic' THEN 1 WHEN 'flaky' THEN 2"
	"                 ELSE 3 END AS section,"
	"                 (SELECT min(s.first_seen) FROM classification s"
	"                   WHERE s.test_id = c.test_id AND s.version = c.failing_since) AS since_at"
	"             FROM last JOIN classification c ON c.test_id = last.test_id"
	"              AND c.seq = last.seq"
	"             JOIN lv ON lv.recipe = c.recipe AND lv.version = c.version"
	"            WHERE c.state IN ('deterministic', 'flaky', 'new'))"
	"SELECT cur.section, cur.test_id, cur.recipe, cur.tier, t.classname, t.name, t.slug,"
	"       cur.version, cur.state, cur.load, cur.evidence, cur.signature, g.text,"
	"       cur.since_at, cur.last_failed, cur.failing_since,"
	"       (SELECT r.id FROM run r JOIN testcase tc ON tc.run_id = r.id"
	"                AND tc.test_id = cur.test_id"
	"         WHERE r.recipe = cur.recipe AND r.version IS nullif(cur.version, '')"
	"           AND r.harness_ref IS nullif(cur.harness_ref, '')"
	"           AND tc.status IN ('failed', 'error', 'flaky')"
	"         ORDER BY r.started DESC, r.id DESC LIMIT 1)"
	"  FROM cur JOIN test t ON t.id = cur.test_id LEFT JOIN signature g ON g.id = cur.signature"
	" ORDER BY cur.section,"
	"       CASE cur.section WHEN 1 THEN cur.since_at ELSE 0 END,"
	"       CASE cur.section WHEN 2 THEN -1.0 * cur.failures / (cur.passes + cur.failures)"
	"            ELSE 0 END,"
	"       CASE cur.section WHEN 2 THEN -cur.failures WHEN 3 THEN -cur.last_seen ELSE 0 END,"
	"       cur.recipe, cur.tier, t.classname, t.name";

static const char SQL_INCIDENTS[] =
	"SELECT i.sweep_id, i.tier, i.signature, g.text, i.recipes, i.of_recipes, i.testcases,"
	"       s.started"
	"  FROM incident i JOIN sweep s ON s.id = i.sweep_id LEFT JOIN signature g ON g.id = i.signature"
	" ORDER BY coalesce(s.started, 0) DESC, i.sweep_id DESC, i.tier, i.signature";

static const char *const section_title[] = {
	"",
	"Deterministic failures",
	"Flaky tests",
	"New failures, waiting for evidence",
};

static void section_begin(struct html *h, int sec)
{
	html_lit(h, "<h2 id=\"");
	html_attr(h, sec == 1 ? "deterministic" : sec == 2 ? "flaky" : "new");
	html_lit(h, "\">");
	html_text(h, section_title[sec]);
	html_lit(h, "</h2>\n<p>");
	/* the notes are fixed text with markup of their own */
	if (sec == 1)
		html_lit(h, "Fail on every counted run at the same sources: a defect (recipe, test or "
			    "harness). Longest-lasting first.");
	else if (sec == 2)
		html_lit(h, "Passed and failed at the same sources. A load flake failed only with other "
			    "runs overlapping and passed alone. Highest failure rate first.");
	else
		html_lit(h, "One failing run and no pass yet: an isolation re-run "
			    "(<code>ccr collect sweep --rerun-isolated N</code>) tells flake from "
			    "defect. Most recent first.");
	html_lit(h, "</p>\n<div class=\"scroll\"><table class=\"triage\"><thead><tr><th>state</th>"
		    "<th>test</th><th>version</th><th>evidence</th><th>signature</th>"
		    "<th>since</th><th>latest failure</th></tr></thead><tbody>\n");
}

static void section_end(struct html *h, int64_t shown, int64_t n)
{
	html_lit(h, "</tbody></table></div>\n");
	if (!n)
		html_lit(h, "<p class=\"none\">None.</p>\n");
	html_more(h, n - shown, "tests");
}

static void row(struct html *h, sqlite3_stmt *q)
{
	const char *recipe = col_text(q, 2), *tier = col_text(q, 3), *cls = col_text(q, 4);
	const char *slug = col_text(q, 6);
	struct url ut;
	url_test(&ut, recipe, tier, slug);
	html_lit(h, "<tr data-recipe=\"");
	html_attr(h, recipe);
	html_lit(h, "\" data-tier=\"");
	html_attr(h, tier);
	html_lit(h, "\"><td>");
	state_badge_plain(h, col_text(q, 8), sqlite3_column_int(q, 9), NULL);
	html_lit(h, "</td><td><a href=\"");
	html_href(h, &ut, NULL);
	html_lit(h, "\">");
	html_text(h, recipe);
	html_lit(h, " \xe2\x80\xba ");
	html_text(h, tier);
	html_lit(h, " \xe2\x80\xba ");
	html_text(h, col_text(q, 5));
	html_lit(h, "</a>");
	/* the class on a line of its own: names like tests.discourse.test_upgrade are long */
	if (*cls) {
		html_lit(h, "<br><small class=\"cls\">");
		html_text(h, cls);
		html_lit(h, "</small>");
	}
	html_lit(h, "</td><td class=\"ver\">");
	html_text(h, col_text(q, 7));
	html_lit(h, "</td><td>");
	html_text(h, col_text(q, 10));
	html_lit(h, "</td><td>");
	if (sqlite3_column_type(q, 11) != SQLITE_NULL) {
		struct url us;
		url_signature(&us, col_text(q, 11));
		html_lit(h, "<a href=\"");
		html_href(h, &us, NULL);
		html_lit(h, "\"><code>");
		html_text(h, col_text(q, 12));
		html_lit(h, "</code></a>");
	}
	html_lit(h, "</td><td>");
	if (sqlite3_column_type(q, 15) != SQLITE_NULL) {
		html_text(h, col_text(q, 15));
		html_lit(h, "<br>");
	}
	html_time(h, sqlite3_column_int64(q, 13));
	html_lit(h, "</td><td>");
	if (sqlite3_column_type(q, 16) != SQLITE_NULL) {
		struct url ur;
		char a[2 * SLUG_SIZE + 2];
		url_run(&ur, col_text(q, 16));
		anchor_test(tier, slug, a);
		html_lit(h, "<a href=\"");
		html_href(h, &ur, a);
		html_lit(h, "\">");
		html_time(h, sqlite3_column_int64(q, 14));
		html_lit(h, "</a>");
	}
	html_lit(h, "</td></tr>\n");
}

static int incidents(struct render *r, struct html *h)
{
	html_lit(h, "<h2 id=\"incidents\">Infrastructure incidents</h2>\n<p>Sweeps in which at "
		    "least 3 recipes, and at least half of them, failed the same tier with the same "
		    "signature. Their failures are left out of the counts above.</p>\n"
		    "<div class=\"scroll\"><table class=\"incidents\"><thead><tr><th>sweep</th>"
		    "<th>tier</th><th>signature</th><th>recipes</th><th>failures left out</th>"
		    "</tr></thead><tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_INCIDENTS);
	int step;
	int64_t n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > INCIDENTS_SHOWN)
			continue;
		struct url us, ug;
		url_sweep(&us, col_text(q, 0));
		url_signature(&ug, col_text(q, 2));
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &us, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a> ");
		html_time(h, sqlite3_column_int64(q, 7));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 1));
		html_lit(h, "</td><td><a href=\"");
		html_href(h, &ug, NULL);
		html_lit(h, "\"><code>");
		html_text(h, col_text(q, 3));
		html_lit(h, "</code></a></td><td>");
		html_int(h, sqlite3_column_int64(q, 4));
		html_lit(h, " of ");
		html_int(h, sqlite3_column_int64(q, 5));
		html_lit(h, "</td><td>");
		html_int(h, sqlite3_column_int64(q, 6));
		html_lit(h, "</td></tr>\n");
	}
	sqlite3_reset(q);
	html_lit(h, "</tbody></table></div>\n");
	if (!n)
		html_lit(h, "<p class=\"none\">None.</p>\n");
	html_more(h, n - INCIDENTS_SHOWN, "incidents");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing incidents");
}

int page_flakes(struct render *r)
{
	struct html h;
	struct url self, home;
	url_page(&self, "flakes.html");
	url_page(&home, "index.html");
	html_init(&h, r, 0);
	struct crumb c[] = {{"overview", &home}, {"flakes", NULL}};
	layout_begin(&h, "flakes and failures", c, 2);
	html_lit(&h, "<h1>Flakes and failures</h1>\n<p>Every test failing at its recipe's latest "
		     "version, classified over the runs at the same sources (version and harness "
		     "ref). <a href=\"#deterministic\">deterministic</a> \xc2\xb7 "
		     "<a href=\"#flaky\">flaky</a> \xc2\xb7 <a href=\"#new\">new</a> \xc2\xb7 "
		     "<a href=\"#incidents\">incidents</a></p>\n"
		     "<form class=\"filter\" hidden data-target=\"table.triage\">"
		     "<label>recipe <select data-key=\"recipe\"><option value=\"\">all</option>"
		     "</select></label> <label>tier <select data-key=\"tier\"><option value=\"\">all"
		     "</option></select></label></form>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_CURRENT);
	int step, sec = 0;
	int64_t n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int s = sqlite3_column_int(q, 0);
		while (sec < s) {
			if (sec)
				section_end(&h, n < FLAKES_SHOWN ? n : FLAKES_SHOWN, n);
			section_begin(&h, ++sec);
			n = 0;
		}
		if (++n <= FLAKES_SHOWN)
			row(&h, q);
	}
	sqlite3_reset(q);
	while (sec < 3) {
		if (sec)
			section_end(&h, n < FLAKES_SHOWN ? n : FLAKES_SHOWN, n);
		section_begin(&h, ++sec);
		n = 0;
	}
	section_end(&h, n < FLAKES_SHOWN ? n : FLAKES_SHOWN, n);
	int rc = -1;
	if (step != SQLITE_DONE)
		store_error(r->st, "listing flaky tests");
	else if (incidents(r, &h) == 0) {
		layout_end(&h, r->as_of);
		rc = render_page(r, &self, &h);
	}
	html_release(&h);
	return rc;
}
