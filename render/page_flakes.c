/*
 * page_flakes: PLACEHOLDER list until the classification work fills it: the
 * tests that passed only on a rerun (status 'flaky') in the most recent runs.
 * Writes: flakes.html.
 * Queries: run by started (index run_started, the latest FLAKES_RUNS runs);
 * testcase by run_id; test.
 */
#include "pages.h"
#include "layout.h"
#include "state.h"

/* how far back the placeholder looks: about a week of nightly sweeps */
#define FLAKES_RUNS 500
/* rows listed */
#define FLAKES_SHOWN 200

static const char SQL_FLAKY[] =
	"SELECT t.id, t.recipe, t.tier, t.classname, t.name, t.slug, r.id, r.version, r.started"
	" FROM (SELECT id, version, started FROM run ORDER BY started DESC, id DESC LIMIT :n) r"
	" JOIN testcase c ON c.run_id = r.id JOIN test t ON t.id = c.test_id"
	" WHERE c.status = 'flaky' ORDER BY r.started DESC, r.id, t.tier, t.classname, t.name";

int page_flakes(struct render *r)
{
	struct html h;
	struct url self, home;
	url_page(&self, "flakes.html");
	url_page(&home, "index.html");
	html_init(&h, r, 0);
	struct crumb c[] = {{"overview", &home}, {"flakes", NULL}};
	layout_begin(&h, "flakes", c, 2);
	html_lit(&h, "<h1>Flakes</h1>\n<p>Tests that passed only when rerun, in the latest ");
	html_int(&h, FLAKES_RUNS);
	html_lit(&h, " runs. (The classification of every failure as flaky or deterministic "
		     "will be listed here.)</p>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_FLAKY);
	bind_int(q, ":n", FLAKES_RUNS);
	int step;
	int64_t n = 0;
	html_lit(&h, "<ul class=\"tests\" id=\"flakes\">\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > FLAKES_SHOWN)
			continue;
		const char *recipe = col_text(q, 1), *tier = col_text(q, 2), *slug = col_text(q, 5);
		struct url ut, urun;
		char a[2 * SLUG_SIZE + 2];
		url_test(&ut, recipe, tier, slug);
		url_run(&urun, col_text(q, 6));
		anchor_test(tier, slug, a);
		html_lit(&h, "<li>");
		html_status(&h, "flaky");
		html_lit(&h, " <a href=\"");
		html_href(&h, &ut, NULL);
		html_lit(&h, "\">");
		html_text(&h, recipe);
		html_lit(&h, " \xe2\x80\xba ");
		html_text(&h, tier);
		html_lit(&h, " \xe2\x80\xba ");
		html_text(&h, col_text(q, 4));
		html_lit(&h, "</a> ");
		state_badge(&h, r->st, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 7));
		html_text(&h, col_text(q, 7));
		html_lit(&h, " <a href=\"");
		html_href(&h, &urun, a);
		html_lit(&h, "\">");
		html_time(&h, sqlite3_column_int64(q, 8));
		html_lit(&h, "</a></li>\n");
	}
	sqlite3_reset(q);
	html_lit(&h, "</ul>\n");
	if (!n)
		html_lit(&h, "<p>None.</p>\n");
	html_more(&h, n - FLAKES_SHOWN, "flaky outcomes");
	int rc = -1;
	if (step != SQLITE_DONE) {
		store_error(r->st, "listing flaky tests");
	} else {
		layout_end(&h, r->as_of);
		rc = render_page(r, &self, &h);
	}
	html_release(&h);
	return rc;
}
