/*
 * page_recipe: MINIMAL recipe page (the recipe page work replaces this file):
 * the recipe's runs, newest first.
 * Writes: recipes/<recipe>/index.html for every recipe in todo_recipe.
 * Queries: todo_recipe; run by (recipe, started) (index run_recipe_started).
 */
#include "pages.h"
#include "layout.h"
#include "docs.h"
#include "timeline.h"
#include "../lib/msg.h"

#include <stdlib.h>

/* runs listed on the page; older ones stay reachable from their sweeps */
#define RECIPE_RUNS_SHOWN 200

static const char SQL_TODO_RECIPES[] =
	"SELECT recipe FROM todo_recipe ORDER BY recipe";
static const char SQL_RECIPE_RUNS[] =
	"SELECT id, version, trigger_kind, status, started, ingested_at FROM run"
	" WHERE recipe = :recipe ORDER BY started DESC, id DESC";

static int one_recipe(struct render *r, struct html *h, const char *recipe)
{
	struct url self, home;
	url_recipe(&self, recipe);
	url_page(&home, "index.html");
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {recipe, NULL}};
	layout_begin(h, recipe, c, 2);
	html_lit(h, "<h1>");
	html_text(h, recipe);
	html_lit(h, "</h1>\n<div class=\"scroll\"><table class=\"runs\"><thead><tr><th>run</th>"
		    "<th>version</th><th>trigger</th><th>started</th></tr></thead><tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPE_RUNS);
	bind_text(q, ":recipe", recipe);
	int64_t n = 0, as_of = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t ing = sqlite3_column_int64(q, 5);
		if (ing > as_of)
			as_of = ing;
		if (++n > RECIPE_RUNS_SHOWN)
			continue;
		struct url u;
		url_run(&u, col_text(q, 0));
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_status(h, col_text(q, 3));
		html_lit(h, "</a></td><td>");
		html_text(h, col_text(q, 1));
		html_lit(h, "</td><td>");
		html_text(h, col_text(q, 2));
		html_lit(h, "</td><td>");
		html_time(h, sqlite3_column_int64(q, 4));
		html_lit(h, "</td></tr>\n");
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing a recipe's runs");
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, n - RECIPE_RUNS_SHOWN, "older runs");
	if (timeline_lane(h, r, recipe) < 0)
		return -1;
	docs_citations(h, r, "recipe", recipe);
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

int page_recipes(struct render *r)
{
	struct html h;
	html_init(&h, r, 2);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_RECIPES);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		char *recipe = xstrdup(col_text(q, 0));
		rc = one_recipe(r, &h, recipe);
		free(recipe);
		if (rc < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing recipes");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
