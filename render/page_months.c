/*
 * page_months: the site's history by month, so that the front page can stay small:
 * index.html lists the recent sweeps and links these pages for the rest.
 * Writes: history/<YYYY-MM>.html: the sweeps that started in that UTC month (each
 * with its runs and how many were not green) and the runs outside sweeps
 * (isolation, testme, manual) started in it. Nothing on it changes later but a new
 * run of one of its sweeps, so a past month's page is written once. Rendered for
 * every month in a full render, else for the months of the new runs and their
 * sweeps.
 * Queries: sweep (a scan of the small sweep table: one row a night); run by started
 * (index run_started) and by sweep (index run_sweep); for the months list, one scan
 * of run on purpose (the months of runs outside sweeps).
 */
#include "pages.h"
#include "layout.h"
#include "sweepview.h"
#include "../lib/msg.h"

#include <stdlib.h>
#include <string.h>

/* sweeps and runs listed on one month page: a sweep an hour, and as many runs
 * outside sweeps; more are counted */
#define MONTH_SWEEPS 800
#define MONTH_RUNS 800
/* month links on the front page: fifty years */
#define MONTHS_LISTED 600

#define SWEEP_MONTH "strftime('%Y-%m', coalesce(s.started, 0), 'unixepoch')"
#define RUN_MONTH "strftime('%Y-%m', started, 'unixepoch')"
static const char SQL_MONTHS_ALL[] =
	"SELECT " SWEEP_MONTH " FROM sweep s UNION"
	" SELECT " RUN_MONTH " FROM run WHERE trigger_kind <> 'sweep' ORDER BY 1 DESC";
static const char SQL_MONTHS_TODO[] =
	"SELECT " SWEEP_MONTH " FROM sweep s WHERE s.id IN"
	"  (SELECT sweep_id FROM run WHERE id IN (SELECT id FROM todo_run WHERE fresh))"
	" UNION SELECT " RUN_MONTH " FROM run WHERE id IN (SELECT id FROM todo_run WHERE fresh)"
	"  AND trigger_kind <> 'sweep' ORDER BY 1";
#define IN_MONTH(col)                                                                              \
	col " >= CAST(strftime('%s', :month || '-01') AS INTEGER) AND " col                       \
	    " < CAST(strftime('%s', :month || '-01', '+1 month') AS INTEGER)"
static const char SQL_MONTH_SWEEPS[] =
	"SELECT s.id, s.started, s.host, count(r.id), sum(r.status = 'passed'),"
	" sum(r.status IN ('failed', 'error')), sum(r.status = 'promote_failed'),"
	" max(r.ingested_at) FROM sweep s LEFT JOIN run r ON r.sweep_id = s.id"
	" WHERE " IN_MONTH("coalesce(s.started, 0)") " GROUP BY s.id"
	" ORDER BY coalesce(s.started, 0) DESC, s.id DESC";
static const char SQL_MONTH_RUNS[] =
	"SELECT id, recipe, version, trigger_kind, external_id, status, started, ingested_at"
	" FROM run WHERE " IN_MONTH("started") " AND trigger_kind <> 'sweep'"
	" ORDER BY started DESC, id DESC";

static int64_t sweeps_table(struct html *h, sqlite3_stmt *q, int64_t *as_of, int *step)
{
	int64_t n = 0;
	while ((*step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 7) > *as_of)
			*as_of = sqlite3_column_int64(q, 7);
		if (++n > MONTH_SWEEPS)
			continue;
		if (n == 1)
			html_lit(h, "<section id=\"sweeps\"><h2>Sweeps</h2>\n<div class=\"scroll\"><table "
				    "class=\"runs\"><thead><tr><th scope=\"col\">sweep</th>"
				    "<th scope=\"col\">started</th><th scope=\"col\">host</th>"
				    "<th scope=\"col\">runs</th><th scope=\"col\">passed</th>"
				    "<th scope=\"col\">failed</th><th scope=\"col\">promote failed</th>"
				    "</tr></thead>\n<tbody>\n");
		struct url u;
		url_sweep(&u, col_text(q, 0));
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a></td><td>");
		html_time(h, sqlite3_column_int64(q, 1));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 2));
		for (int i = 3; i <= 6; i++) {
			html_lit(h, "</td><td class=\"num\">");
			html_int(h, sqlite3_column_int64(q, i));
		}
		html_lit(h, "</td></tr>\n");
	}
	if (n) {
		html_lit(h, "</tbody></table></div>\n");
		html_more(h, n - MONTH_SWEEPS, "sweeps");
		html_lit(h, "</section>\n");
	}
	return n;
}

static int64_t runs_table(struct html *h, sqlite3_stmt *q, int64_t *as_of, int *step)
{
	int64_t n = 0;
	while ((*step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 7) > *as_of)
			*as_of = sqlite3_column_int64(q, 7);
		if (++n > MONTH_RUNS)
			continue;
		if (n == 1)
			html_lit(h, "<section id=\"other\"><h2>Runs outside sweeps</h2>\n<div "
				    "class=\"scroll\"><table class=\"runs\"><thead><tr>"
				    "<th scope=\"col\">run</th><th scope=\"col\">recipe</th>"
				    "<th scope=\"col\">version</th><th scope=\"col\">trigger</th>"
				    "<th scope=\"col\">started</th></tr></thead>\n<tbody>\n");
		sweep_other_run(h, q);
	}
	if (n) {
		html_lit(h, "</tbody></table></div>\n");
		html_more(h, n - MONTH_RUNS, "runs");
		html_lit(h, "</section>\n");
	}
	return n;
}

static int one_month(struct render *r, struct html *h, const char *month)
{
	struct url self, home;
	url_site_month(&self, month);
	url_page(&home, "index.html");
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {month, NULL}};
	struct buf title = BUF_INIT;
	buf_addf(&title, "sweeps and runs in %s", month);
	layout_begin(h, buf_str(&title), c, 2);
	buf_release(&title);
	html_lit(h, "<h1>Sweeps and runs started in ");
	html_text(h, month);
	html_lit(h, " (UTC)</h1>\n");
	int64_t as_of = 0;
	int step;
	sqlite3_stmt *q = store_stmt(r->st, SQL_MONTH_SWEEPS);
	bind_text(q, ":month", month);
	int64_t n = sweeps_table(h, q, &as_of, &step);
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a month's sweeps");
	q = store_stmt(r->st, SQL_MONTH_RUNS);
	bind_text(q, ":month", month);
	n += runs_table(h, q, &as_of, &step);
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a month's runs");
	if (!n)
		html_lit(h, "<p>No sweep and no run outside sweeps started this month.</p>\n");
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_months(struct render *r)
{
	struct html h;
	html_init(&h, r, 1);
	sqlite3_stmt *q = store_stmt(r->st, r->full ? SQL_MONTHS_ALL : SQL_MONTHS_TODO);
	/* copied out first: one_month() runs other statements */
	struct buf months = BUF_INIT;
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		buf_add(&months, col_text(q, 0), strlen(col_text(q, 0)) + 1);
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing months");
	for (size_t off = 0; rc == 0 && off < months.len;) {
		const char *m = months.data + off;
		off += strlen(m) + 1;
		if (render_mine(r))
			rc = one_month(r, &h, m);
	}
	buf_release(&months);
	html_release(&h);
	return rc;
}

int site_months_list(struct html *h, struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_MONTHS_ALL);
	int64_t n = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > MONTHS_LISTED)
			continue;
		if (n == 1)
			html_lit(h, "<section id=\"months\"><h2>Every sweep and run, by month</h2>\n"
				    "<ul class=\"months\">\n");
		struct url u;
		url_site_month(&u, col_text(q, 0));
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a></li>\n");
	}
	sqlite3_reset(q);
	if (n) {
		html_lit(h, "</ul>\n");
		html_more(h, n - MONTHS_LISTED, "months");
		html_lit(h, "</section>\n");
	}
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing months");
}
