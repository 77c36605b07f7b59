/*
 * page_index: the front page: the latest sweep (grid of recipes x tiers, what
 * changed since the sweep before, its promotes), the recent sweeps, recent runs
 * outside sweeps, links to the month pages (every sweep and run), every recipe.
 * Writes: index.html (last of all: every page it links to exists by then).
 * Queries: sweepview.c's; sweep (recent), run (recent non-sweep runs, recipes).
 */
#include "pages.h"
#include "layout.h"
#include "sweepview.h"

/* recent sweeps listed; older ones are on the month pages (page_months.c) */
#define INDEX_SWEEPS 30
/* recent runs outside sweeps (isolation, testme, manual) listed */
#define INDEX_OTHER_RUNS 30

static const char SQL_RECENT_SWEEPS[] =
	"SELECT s.id, s.started, (SELECT count(*) FROM run r WHERE r.sweep_id = s.id),"
	" (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status <> 'passed')"
	" FROM sweep s ORDER BY coalesce(s.started, 0) DESC, s.id DESC LIMIT :n";
static const char SQL_OTHER_RUNS[] =
	"SELECT id, recipe, version, trigger_kind, external_id, status, started FROM run"
	" WHERE trigger_kind <> 'sweep' ORDER BY started DESC, id DESC LIMIT :n";
/* every recipe: scans the run_recipe_started index once, on purpose */
static const char SQL_RECIPES[] =
	"SELECT r.recipe, count(*), max(r.started), (SELECT r2.status FROM run r2 WHERE"
	" r2.recipe = r.recipe ORDER BY r2.started DESC, r2.id DESC LIMIT 1)"
	" FROM run r GROUP BY r.recipe ORDER BY r.recipe";

static int recent_sweeps(struct html *h, struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECENT_SWEEPS);
	bind_int(q, ":n", INDEX_SWEEPS);
	int step, n = 0;
	html_lit(h, "<section><h2>Recent sweeps</h2>\n<ul class=\"sweeps\">\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct url u;
		url_sweep(&u, col_text(q, 0));
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a> ");
		html_time(h, sqlite3_column_int64(q, 1));
		html_lit(h, ": ");
		html_int(h, sqlite3_column_int64(q, 2));
		html_lit(h, " runs, ");
		html_int(h, sqlite3_column_int64(q, 3));
		html_lit(h, " not green</li>\n");
		n++;
	}
	sqlite3_reset(q);
	html_lit(h, "</ul>\n");
	if (!n)
		html_lit(h, "<p>No sweep yet.</p>\n");
	html_lit(h, "</section>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing sweeps");
}

static int other_runs(struct html *h, struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_OTHER_RUNS);
	bind_int(q, ":n", INDEX_OTHER_RUNS);
	int step, n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			html_lit(h, "<section><h2>Recent runs outside sweeps</h2>\n<div "
				    "class=\"scroll\"><table class=\"runs\">\n<thead><tr><th>run</th>"
				    "<th>recipe</th><th>version</th><th>trigger</th><th>started</th>"
				    "</tr></thead><tbody>\n");
		sweep_other_run(h, q);
	}
	sqlite3_reset(q);
	if (n)
		html_lit(h, "</tbody></table></div></section>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing runs");
}

static int recipes(struct html *h, struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPES);
	int step, n = 0;
	html_lit(h, "<section><h2>Recipes</h2>\n<ul class=\"recipes\">\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct url u;
		url_recipe(&u, col_text(q, 0));
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a> ");
		html_status(h, col_text(q, 3));
		html_lit(h, " <small>");
		html_int(h, sqlite3_column_int64(q, 1));
		html_lit(h, " runs, last ");
		html_time(h, sqlite3_column_int64(q, 2));
		html_lit(h, "</small></li>\n");
		n++;
	}
	sqlite3_reset(q);
	html_lit(h, "</ul>\n");
	if (!n)
		html_lit(h, "<p>The store holds no run yet: run <code>ccr collect</code>.</p>\n");
	html_lit(h, "</section>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing recipes");
}

int page_index(struct render *r)
{
	struct html h;
	struct url self;
	url_page(&self, "index.html");
	html_init(&h, r, 0);
	layout_begin(&h, "overview", NULL, 0);
	char latest[SWEEP_ID_MAX], prev[SWEEP_ID_MAX];
	int rc = sweep_latest(r, latest);
	if (rc > 0) {
		struct url u;
		url_sweep(&u, latest);
		html_lit(&h, "<h1>Latest sweep: <a href=\"");
		html_href(&h, &u, NULL);
		html_lit(&h, "\"><code>");
		html_text(&h, latest);
		html_lit(&h, "</code></a></h1>\n");
		int hp = sweep_neighbour(r, latest, -1, prev);
		if (hp < 0 || sweep_summary(&h, r, latest) < 0 || sweep_grid(&h, r, latest) < 0 ||
		    sweep_changes(&h, r, latest, hp > 0 ? prev : NULL, CHANGES_MAX, NULL) < 0 ||
		    sweep_promotes(&h, r, latest) < 0)
			rc = -1;
	} else if (rc == 0) {
		html_lit(&h, "<h1>Overview</h1>\n<p>No sweep has been collected yet.</p>\n");
	}
	if (rc >= 0 && (recent_sweeps(&h, r) < 0 || other_runs(&h, r) < 0 ||
			site_months_list(&h, r) < 0 || recipes(&h, r) < 0))
		rc = -1;
	if (rc >= 0) {
		layout_end(&h, r->as_of);
		rc = render_page(r, &self, &h);
	}
	html_release(&h);
	return rc < 0 ? -1 : 0;
}
