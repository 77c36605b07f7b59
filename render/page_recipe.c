/*
 * page_recipe: one recipe over time.
 *  - its badge and latest status;
 *  - its notes (--notes DIR/<recipe>.md, markdown through cmark, see notes.h);
 *  - a pass-rate and a duration trend of its recent runs (inline SVG, svg.h);
 *  - its recent runs, newest first: tag, trigger, mode, overlap and load, the
 *    result of each tier (linking to the tier on the run page), promote;
 *  - the test-history grid: each test of the recent runs x those runs, each cell
 *    linking to the testcase's anchor on the run page, each row to the test page,
 *    failing tests first, with their classification (state_badge) at the latest tag;
 *  - its canonical: version, since when, the promote lane (timeline.h);
 *  - the decisions documents citing it (docs.h).
 * Writes: recipes/<recipe>/index.html for every recipe in todo_recipe.
 * Queries: todo_recipe; run by (recipe, started) (index run_recipe_started) joined
 * to tier (primary key); testcase by run_id (primary key) and by (test_id, run_id)
 * (index testcase_test) for the grid, all bounded by RECIPE_RUNS_SHOWN.
 */
#include "pages.h"
#include "docs.h"
#include "layout.h"
#include "notes.h"
#include "state.h"
#include "svg.h"
#include "timeline.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* runs in the runs table and the trend charts: two months of nightly sweeps
 * plus their re-runs; older runs stay reachable from their sweeps and tests */
#define RECIPE_RUNS_SHOWN 60
/* runs (columns) in the test-history grid: what fits a screen's width */
#define RECIPE_GRID_RUNS 30
/* tests (rows) in the grid; failing ones come first, so the cut drops green rows */
#define RECIPE_GRID_TESTS 300
/* tier columns in the runs table: the five of the harness and a few custom ones */
#define RECIPE_TIERS_SHOWN 12

static const char SQL_TODO_RECIPES[] = "SELECT recipe FROM todo_recipe ORDER BY recipe";
static const char SQL_RECIPE_COUNT[] =
	"SELECT count(*), coalesce(max(ingested_at), 0) FROM run WHERE recipe = :recipe";
/* the recent runs with their testcase counts summed over tiers */
static const char SQL_RECIPE_RUNS[] =
	"SELECT r.id, r.version, r.trigger_kind, r.external_id, r.mode, r.overlap, r.load_start,"
	" r.load_end, r.status, r.promote_outcome, r.started, r.finished,"
	" (SELECT sum(tests - skipped) FROM tier WHERE run_id = r.id),"
	" (SELECT sum(tests - skipped - failures - errors) FROM tier WHERE run_id = r.id)"
	" FROM run r WHERE r.recipe = :recipe ORDER BY r.started DESC, r.id DESC LIMIT :n";
/* tier columns: every tier of the recent runs, in the harness's order */
static const char SQL_RECIPE_TIERS[] =
	"SELECT name FROM tier WHERE run_id IN (SELECT id FROM run WHERE recipe = :recipe"
	" ORDER BY started DESC, id DESC LIMIT :n) GROUP BY name ORDER BY min(seq), name";
static const char SQL_RUN_TIER[] =
	"SELECT status, failures + errors FROM tier WHERE run_id = :id AND name = :tier";
/* grid rows: the tests of the grid's runs, failing ones first */
static const char SQL_GRID_TESTS[] =
	"WITH recent AS (SELECT id FROM run WHERE recipe = :recipe"
	"  ORDER BY started DESC, id DESC LIMIT :n)"
	" SELECT t.id, t.tier, t.classname, t.name, t.slug,"
	"  max(c.status IN ('failed', 'error')) AS bad,"
	"  (SELECT min(x.seq) FROM tier x WHERE x.name = t.tier AND x.run_id IN recent) AS tseq"
	" FROM testcase c JOIN test t ON t.id = c.test_id WHERE c.run_id IN recent"
	" GROUP BY t.id ORDER BY bad DESC, tseq, t.tier, t.classname, t.name, t.id";
static const char SQL_GRID_CELLS[] =
	"SELECT run_id, status FROM testcase WHERE test_id = :test AND run_id IN"
	" (SELECT id FROM run WHERE recipe = :recipe ORDER BY started DESC, id DESC LIMIT :n)";

struct rrun {
	char *id, *version, *trigger, *external_id, *mode, *status, *promote;
	int64_t started, finished, overlap;
	int64_t counted, passed;	/* testcases that count (not skipped), and passed */
	int has_counts, has_load, has_finished;
	double load0, load1;
};

static void rrun_free(struct rrun *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rs[i].id);
		free(rs[i].version);
		free(rs[i].trigger);
		free(rs[i].external_id);
		free(rs[i].mode);
		free(rs[i].status);
		free(rs[i].promote);
	}
	free(rs);
}

static char *dup_col(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL : xstrdup(col_text(q, i));
}

/* the recent runs, newest first, into *out; returns how many, -1 on error */
static long load_runs(struct render *r, const char *recipe, struct rrun **out)
{
	struct rrun *rs = xcalloc(RECIPE_RUNS_SHOWN, sizeof(*rs));
	long n = 0;
	int step;
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPE_RUNS);
	bind_text(q, ":recipe", recipe);
	bind_int(q, ":n", RECIPE_RUNS_SHOWN);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n >= RECIPE_RUNS_SHOWN)
			continue; /* LIMIT :n makes this impossible */
		struct rrun *x = &rs[n++];
		x->id = xstrdup(col_text(q, 0));
		x->version = dup_col(q, 1);
		x->trigger = dup_col(q, 2);
		x->external_id = dup_col(q, 3);
		x->mode = dup_col(q, 4);
		x->overlap = sqlite3_column_int64(q, 5);
		x->has_load = sqlite3_column_type(q, 6) != SQLITE_NULL;
		x->load0 = sqlite3_column_double(q, 6);
		x->load1 = sqlite3_column_double(q, 7);
		x->status = dup_col(q, 8);
		x->promote = dup_col(q, 9);
		x->started = sqlite3_column_int64(q, 10);
		x->has_finished = sqlite3_column_type(q, 11) != SQLITE_NULL;
		x->finished = sqlite3_column_int64(q, 11);
		x->has_counts = sqlite3_column_type(q, 12) != SQLITE_NULL;
		x->counted = sqlite3_column_int64(q, 12);
		x->passed = sqlite3_column_int64(q, 13);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		rrun_free(rs, (size_t)n);
		return store_error(r->st, "listing a recipe's runs");
	}
	*out = rs;
	return n;
}

/* "2026-06-17 00:10 · 1.2.0+3.4" for chart points */
static char *point_label(const struct rrun *x)
{
	char t[17];
	struct buf b = BUF_INIT;
	time_fmt_short(x->started, t);
	buf_adds(&b, t);
	if (x->version) {
		buf_adds(&b, " \xc2\xb7 ");
		buf_adds(&b, x->version);
	}
	return buf_detach(&b, NULL);
}

static void trends(struct html *h, const struct rrun *rs, long n)
{
	struct svg_point *rate = xcalloc((size_t)n + 1, sizeof(*rate));
	struct svg_point *dur = xcalloc((size_t)n + 1, sizeof(*dur));
	char **labels = xcalloc((size_t)n + 1, sizeof(*labels));
	for (long i = 0; i < n; i++) {
		const struct rrun *x = &rs[n - 1 - i]; /* oldest first */
		labels[i] = point_label(x);
		rate[i].label = dur[i].label = labels[i];
		rate[i].missing = !x->has_counts || x->counted <= 0;
		rate[i].v = rate[i].missing ? 0 : x->passed * 100 / x->counted;
		dur[i].missing = !x->has_finished || x->finished < x->started;
		dur[i].v = dur[i].missing ? 0 : (x->finished - x->started) * 1000;
	}
	html_lit(h, "<section id=\"trends\"><h2>Trends</h2>\n<div class=\"charts\">\n"
		    "<figure><figcaption>Pass rate (passed of the tests run)</figcaption>\n");
	svg_line_chart(h, "passrate", "Pass rate of the recent runs, oldest first", SVG_PERCENT,
		       rate, (size_t)n);
	html_lit(h, "</figure>\n<figure><figcaption>Run duration</figcaption>\n");
	svg_line_chart(h, "duration", "Duration of the recent runs, oldest first", SVG_MS, dur,
		       (size_t)n);
	html_lit(h, "</figure>\n</div></section>\n");
	for (long i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(rate);
	free(dur);
}

/* tier column names of the recent runs; returns how many (<= RECIPE_TIERS_SHOWN), -1 on error */
static int load_tiers(struct render *r, const char *recipe, char **tiers, int *more)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPE_TIERS);
	bind_text(q, ":recipe", recipe);
	bind_int(q, ":n", RECIPE_RUNS_SHOWN);
	int n = 0, step;
	*more = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n < RECIPE_TIERS_SHOWN)
			tiers[n++] = xstrdup(col_text(q, 0));
		else
			(*more)++;
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		while (n > 0)
			free(tiers[--n]);
		return store_error(r->st, "listing a recipe's tiers");
	}
	return n;
}

static int tier_cell(struct html *h, struct render *r, const struct rrun *x, const char *tier)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RUN_TIER);
	bind_text(q, ":id", x->id);
	bind_text(q, ":tier", tier);
	int step = sqlite3_step(q);
	html_lit(h, "<td>");
	if (step == SQLITE_ROW) {
		struct url u;
		char a[SLUG_SIZE];
		url_run(&u, x->id);
		anchor_tier(tier, a);
		html_lit(h, "<a href=\"");
		html_href(h, &u, a);
		html_lit(h, "\">");
		html_status(h, col_text(q, 0));
		int64_t bad = sqlite3_column_int64(q, 1);
		if (bad > 0) {
			html_lit(h, " (");
			html_int(h, bad);
			html_lit(h, ")");
		}
		html_lit(h, "</a>");
	}
	html_lit(h, "</td>");
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(r->st, "reading a tier");
	return 0;
}

static int runs_table(struct html *h, struct render *r, const char *recipe, const struct rrun *rs,
		      long n, int64_t total)
{
	char *tiers[RECIPE_TIERS_SHOWN];
	int more;
	int nt = load_tiers(r, recipe, tiers, &more);
	if (nt < 0)
		return -1;
	int rc = 0;
	html_lit(h, "<section id=\"runs\"><h2>Runs</h2>\n<div class=\"scroll\"><table class=\"runs\">"
		    "<thead><tr><th scope=\"col\">started</th><th scope=\"col\">tag</th>"
		    "<th scope=\"col\">trigger</th><th scope=\"col\">mode</th>"
		    "<th scope=\"col\">overlap / load</th><th scope=\"col\">run</th>");
	for (int t = 0; t < nt; t++) {
		html_lit(h, "<th scope=\"col\">");
		html_text(h, tiers[t]);
		html_lit(h, "</th>");
	}
	html_lit(h, "<th scope=\"col\">promote</th></tr></thead>\n<tbody>\n");
	for (long i = 0; i < n && rc == 0; i++) {
		const struct rrun *x = &rs[i];
		struct url u;
		url_run(&u, x->id);
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_time(h, x->started);
		html_lit(h, "</a></td><td>");
		if (x->version)
			html_text(h, x->version);
		html_lit(h, "</td><td>");
		if (x->trigger)
			html_text(h, x->trigger);
		if (x->external_id) {
			html_lit(h, " ");
			html_text(h, x->external_id);
		}
		html_lit(h, "</td><td>");
		if (x->mode)
			html_text(h, x->mode);
		html_lit(h, "</td><td>");
		html_int(h, x->overlap);
		if (x->has_load) {
			char l[64];
			snprintf(l, sizeof(l), " / %.2f\xe2\x86\x92%.2f", x->load0, x->load1);
			html_text(h, l);
		}
		html_lit(h, "</td><td>");
		html_status(h, x->status);
		html_lit(h, "</td>");
		for (int t = 0; t < nt && rc == 0; t++)
			rc = tier_cell(h, r, x, tiers[t]);
		html_lit(h, "<td>");
		if (x->promote)
			html_text(h, x->promote);
		html_lit(h, "</td></tr>\n");
	}
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, total - n, "older runs (see the sweeps and the test pages)");
	if (more)
		html_more(h, more, "tiers");
	html_lit(h, "</section>\n");
	while (nt > 0)
		free(tiers[--nt]);
	return rc;
}

/* one grid row's cells: the test's status in each of the grid's runs */
static int grid_row(struct html *h, struct render *r, const char *recipe, int64_t test_id,
		    const char *tier, const char *slug, const struct rrun *rs, long ncols)
{
	const char *status[RECIPE_GRID_RUNS] = {0};
	char *keep[RECIPE_GRID_RUNS] = {0};
	sqlite3_stmt *q = store_stmt(r->st, SQL_GRID_CELLS);
	bind_int(q, ":test", test_id);
	bind_text(q, ":recipe", recipe);
	bind_int(q, ":n", ncols);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = col_text(q, 0);
		for (long i = 0; i < ncols; i++)
			if (!strcmp(rs[i].id, id)) {
				keep[i] = xstrdup(col_text(q, 1));
				status[i] = keep[i];
				break;
			}
	}
	sqlite3_reset(q);
	char a[2 * SLUG_SIZE + 2];
	anchor_test(tier, slug, a);
	for (long i = 0; i < ncols; i++) {
		if (!status[i]) {
			html_lit(h, "<td class=\"none\"></td>");
			continue;
		}
		struct url u;
		url_run(&u, rs[i].id);
		html_lit(h, "<td class=\"cell c-");
		html_attr(h, status[i]);
		html_lit(h, "\"><a href=\"");
		html_href(h, &u, a);
		html_lit(h, "\">");
		html_status(h, status[i]);
		html_lit(h, "</a></td>");
		free(keep[i]);
	}
	return step == SQLITE_DONE ? 0 : store_error(r->st, "reading the test grid");
}

static int grid(struct html *h, struct render *r, const char *recipe, const struct rrun *rs, long n)
{
	long ncols = n < RECIPE_GRID_RUNS ? n : RECIPE_GRID_RUNS;
	const char *latest_version = n > 0 ? rs[0].version : NULL;
	html_lit(h, "<section id=\"tests\"><h2>Test history</h2>\n<p class=\"note\">The recipe's "
		    "tests in its latest ");
	html_int(h, ncols);
	html_lit(h, " runs, newest on the left; failing tests first. Each cell links to the "
		    "testcase in its run.</p>\n<div class=\"scroll\"><table class=\"history\"><thead><tr>"
		    "<th scope=\"col\">test</th><th scope=\"col\">tier</th>");
	for (long i = 0; i < ncols; i++) {
		char t[17];
		time_fmt_short(rs[i].started, t);
		html_lit(h, "<th scope=\"col\"><span title=\"");
		html_attr(h, t);
		if (rs[i].version) {
			html_lit(h, " ");
			html_attr(h, rs[i].version);
		}
		html_lit(h, "\">");
		/* "06-17" fits a narrow column; the title has the rest */
		html_textn(h, t + 5, 5);
		html_lit(h, "</span></th>");
	}
	html_lit(h, "</tr></thead>\n<tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_GRID_TESTS);
	bind_text(q, ":recipe", recipe);
	bind_int(q, ":n", ncols);
	int64_t rows = 0;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++rows > RECIPE_GRID_TESTS)
			continue;
		int64_t test_id = sqlite3_column_int64(q, 0);
		char *tier = xstrdup(col_text(q, 1));
		char *slug = xstrdup(col_text(q, 4));
		const char *cls = col_text(q, 2), *name = col_text(q, 3);
		struct url u;
		url_test(&u, recipe, tier, slug);
		html_lit(h, "<tr><th scope=\"row\"><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\"");
		if (*cls) {
			html_lit(h, " title=\"");
			html_attr(h, cls);
			html_lit(h, "\"");
		}
		html_lit(h, ">");
		html_text(h, name);
		html_lit(h, "</a> ");
		state_badge(h, r->st, test_id, latest_version);
		html_lit(h, "</th><td>");
		html_text(h, tier);
		html_lit(h, "</td>");
		rc = grid_row(h, r, recipe, test_id, tier, slug, rs, ncols);
		html_lit(h, "</tr>\n");
		free(tier);
		free(slug);
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing the test grid");
	html_lit(h, "</tbody></table></div>\n");
	if (rows == 0)
		html_lit(h, "<p>No testcases in these runs.</p>\n");
	html_more(h, rows - RECIPE_GRID_TESTS, "tests (all passing in these runs)");
	html_lit(h, "</section>\n");
	return 0;
}

static int one_recipe(struct render *r, struct html *h, const char *recipe)
{
	struct url self, home, badge;
	url_recipe(&self, recipe);
	url_page(&home, "index.html");
	url_badge(&badge, recipe);
	html_reset(h, url_depth(&self));

	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPE_COUNT);
	bind_text(q, ":recipe", recipe);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_error(r->st, "counting a recipe's runs");
	}
	int64_t total = sqlite3_column_int64(q, 0), as_of = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);

	struct rrun *rs = NULL;
	long n = load_runs(r, recipe, &rs);
	if (n < 0)
		return -1;

	struct crumb c[] = {{"overview", &home}, {recipe, NULL}};
	layout_begin(h, recipe, c, 2);
	html_lit(h, "<h1>");
	html_text(h, recipe);
	html_lit(h, "</h1>\n<p class=\"summary\"><img class=\"badge\" src=\"");
	html_href(h, &badge, NULL);
	html_lit(h, "\" alt=\"\"> ");
	html_int(h, total);
	if (total == 1)
		html_lit(h, " run");
	else
		html_lit(h, " runs");
	if (n > 0) {
		html_lit(h, "; latest ");
		html_time(h, rs[0].started);
		if (rs[0].version) {
			html_lit(h, " at ");
			html_text(h, rs[0].version);
		}
		html_lit(h, ": ");
		html_status(h, rs[0].status);
	}
	html_lit(h, ".</p>\n");

	int rc = notes_html(h, r, recipe);
	if (rc == 0) {
		trends(h, rs, n);
		rc = runs_table(h, r, recipe, rs, n, total);
	}
	if (rc == 0)
		rc = grid(h, r, recipe, rs, n);
	if (rc == 0)
		rc = timeline_lane(h, r, recipe);
	rrun_free(rs, (size_t)n);
	if (rc < 0)
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
