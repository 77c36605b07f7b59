/*
 * page_sweeps: one page per sweep: its summary, the recipes x tiers grid, what
 * changed since the previous sweep, its promotes, links to the previous and
 * next sweeps.
 * Writes: sweeps/<sweep>.html for every sweep in todo_sweep.
 * Queries: todo_sweep; sweepview.c's (sweep, run, tier, testcase, test).
 */
#include "pages.h"
#include "layout.h"
#include "sweepview.h"

#include <stdio.h>

static const char SQL_TODO_SWEEPS[] =
	"SELECT s.id, coalesce((SELECT max(r.ingested_at) FROM run r WHERE r.sweep_id = s.id), 0)"
	" FROM sweep s WHERE s.id IN (SELECT id FROM todo_sweep) ORDER BY s.id";

static int one_sweep(struct render *r, struct html *h, const char *id, int64_t as_of)
{
	char prev[SWEEP_ID_MAX], next[SWEEP_ID_MAX];
	int hp = sweep_neighbour(r, id, -1, prev), hn = sweep_neighbour(r, id, 1, next);
	if (hp < 0 || hn < 0)
		return -1;
	struct url self, home, u;
	url_sweep(&self, id);
	url_page(&home, "index.html");
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {id, NULL}};
	struct buf title = BUF_INIT;
	buf_addf(&title, "sweep %s", id);
	layout_begin(h, buf_str(&title), c, 2);
	buf_release(&title);
	html_lit(h, "<h1>Sweep <code>");
	html_text(h, id);
	html_lit(h, "</code></h1>\n<nav class=\"pager\" aria-label=\"neighbouring sweeps\">");
	if (hp > 0) {
		url_sweep(&u, prev);
		html_lit(h, "<a rel=\"prev\" href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">\xe2\x86\x90 ");
		html_text(h, prev);
		html_lit(h, "</a> ");
	}
	if (hn > 0) {
		url_sweep(&u, next);
		html_lit(h, "<a rel=\"next\" href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, next);
		html_lit(h, " \xe2\x86\x92</a>");
	}
	html_lit(h, "</nav>\n");
	if (sweep_summary(h, r, id) < 0 || sweep_grid(h, r, id) < 0 ||
	    sweep_changes(h, r, id, hp > 0 ? prev : NULL, CHANGES_MAX, NULL) < 0 || sweep_promotes(h, r, id) < 0)
		return -1;
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_sweeps(struct render *r)
{
	struct html h;
	html_init(&h, r, 1);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_SWEEPS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!render_mine(r))
			continue;
		char id[SWEEP_ID_MAX];
		const char *v = col_text(q, 0);
		snprintf(id, sizeof(id), "%s", v);
		if (one_sweep(r, &h, id, sqlite3_column_int64(q, 1)) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing sweeps");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
