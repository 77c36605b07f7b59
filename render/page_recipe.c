/*
 * page_recipe: one recipe over time, in pages whose size does not grow with its
 * history.
 * recipes/<recipe>/index.html (for every recipe in todo_recipe), rewritten on
 * every render with a new run of the recipe:
 *  - its badge and latest status; its notes (--notes DIR/<recipe>.md, notes.h);
 *  - a pass-rate and a duration trend of its latest RECIPE_RECENT runs (svg.h);
 *  - those runs, newest first: tag, trigger, mode, overlap and load, the result
 *    of each tier (a tier that did not pass links to it on the run page), promote;
 *  - the test-history grid: each test of those runs x the runs (each column
 *    header links to its run, each cell that did not pass to the testcase's
 *    anchor, each row to the test page), failing tests first, with their
 *    classification (state_badge) at the latest tag;
 *  - links to the month pages; its canonical (timeline.h); the decisions
 *    documents citing it (docs.h).
 * recipes/<recipe>/history/<YYYY-MM>.html (for every (recipe, month) in
 * todo_month: months of new runs and of runs they overlapped): the runs started
 * in that UTC month and their grid, without classification, so a past month's
 * page never changes again.
 * Queries: todo_recipe, todo_month; run by (recipe, started) (index
 * run_recipe_started) joined to tier (primary key); testcase by (test_id, run_id)
 * (index testcase_test) for the grid. The page's runs go into the temp table
 * recipe_page_run, which the tier and grid queries read.
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

/* runs on the recipe page (runs table, trends, test-history grid): a month of nightly
 * sweeps and their re-runs, what fits a screen's width as grid columns. The page is
 * rewritten every night, so it stays this size whatever the history; older runs are
 * on the month pages, which stop changing once their month is over */
#define RECIPE_RECENT 30
/* runs listed on a month page: an hourly schedule for half a month; the rest counted */
#define RECIPE_MONTH_RUNS 400
/* grid columns on a month page: three runs a day; with ~20 bytes a passing cell and
 * RECIPE_GRID_TESTS rows that keeps a page under ~1 MB */
#define RECIPE_MONTH_GRID 100
/* tests (rows) in a grid; failing ones come first, so the cut drops the least red */
#define RECIPE_GRID_TESTS 300
/* tests that passed in every run of a grid: a list of names, not rows of cells (a
 * row of green cells says only that, in ~30 times the bytes) */
#define RECIPE_GREEN_TESTS 1000
/* tier columns in the runs table: the five of the harness and a few custom ones */
#define RECIPE_TIERS_SHOWN 12
/* month links on the recipe page: fifty years of history */
#define RECIPE_MONTHS_SHOWN 600

static const char SQL_TODO_RECIPES[] = "SELECT recipe FROM todo_recipe ORDER BY recipe";
static const char SQL_TODO_MONTHS[] = "SELECT recipe, month FROM todo_month ORDER BY recipe, month";
static const char SQL_RECIPE_COUNT[] =
	"SELECT count(*), coalesce(max(ingested_at), 0) FROM run WHERE recipe = :recipe";
/* the runs a page shows (this page's, then the next page's: emptied each time) */
static const char SQL_PAGE_TABLE[] = "CREATE TEMP TABLE IF NOT EXISTS recipe_page_run("
				     "id TEXT PRIMARY KEY, grid INTEGER NOT NULL) WITHOUT ROWID";
static const char SQL_PAGE_CLEAR[] = "DELETE FROM recipe_page_run";
static const char SQL_PAGE_ADD[] = "INSERT OR IGNORE INTO recipe_page_run VALUES (:id, :grid)";
#define RUN_COLS                                                                                   \
	"SELECT r.id, r.version, r.trigger_kind, r.external_id, r.mode, r.overlap, r.load_start,"  \
	" r.load_end, r.status, r.promote_outcome, r.started, r.finished,"                         \
	" (SELECT sum(tests - skipped) FROM tier WHERE run_id = r.id),"                            \
	" (SELECT sum(tests - skipped - failures - errors) FROM tier WHERE run_id = r.id),"        \
	" r.ingested_at FROM run r"
/* the recent runs with their testcase counts summed over tiers */
static const char SQL_RECIPE_RUNS[] =
	RUN_COLS " WHERE r.recipe = :recipe ORDER BY r.started DESC, r.id DESC LIMIT :n";
/* the runs started in one UTC month ("YYYY-MM"; index run_recipe_started) */
static const char SQL_MONTH_RUNS[] =
	RUN_COLS " WHERE r.recipe = :recipe"
	" AND r.started >= CAST(strftime('%s', :month || '-01') AS INTEGER)"
	" AND r.started < CAST(strftime('%s', :month || '-01', '+1 month') AS INTEGER)"
	" ORDER BY r.started DESC, r.id DESC";
/* the months with runs, newest first (reads the recipe's runs from index
 * run_recipe_started: a few thousand rows after years of nightly sweeps) */
static const char SQL_MONTHS[] =
	"SELECT strftime('%Y-%m', started, 'unixepoch') AS m, count(*) FROM run"
	" WHERE recipe = :recipe GROUP BY m ORDER BY m DESC";
/* tier columns: every tier of the page's runs, in the harness's order */
static const char SQL_RECIPE_TIERS[] =
	"SELECT name FROM tier WHERE run_id IN (SELECT id FROM recipe_page_run)"
	" GROUP BY name ORDER BY min(seq), name";
static const char SQL_RUN_TIER[] =
	"SELECT status, failures + errors FROM tier WHERE run_id = :id AND name = :tier";
/* grid rows: the tests of the grid's runs, failing ones first, those that passed in
 * every run where they ran last (they become a list, not rows) */
static const char SQL_GRID_TESTS[] =
	"WITH g AS (SELECT id FROM recipe_page_run WHERE grid)"
	" SELECT t.id, t.tier, t.classname, t.name, t.slug,"
	"  max(c.status IN ('failed', 'error')) AS bad, min(c.status = 'passed') AS green,"
	"  (SELECT min(x.seq) FROM tier x WHERE x.name = t.tier AND x.run_id IN g) AS tseq"
	" FROM testcase c JOIN test t ON t.id = c.test_id WHERE c.run_id IN g"
	" GROUP BY t.id ORDER BY bad DESC, green, tseq, t.tier, t.classname, t.name, t.id";
static const char SQL_GRID_CELLS[] =
	"SELECT run_id, status FROM testcase WHERE test_id = :test AND run_id IN"
	" (SELECT id FROM recipe_page_run WHERE grid)";

struct rrun {
	char *id, *version, *trigger, *external_id, *mode, *status, *promote;
	int64_t started, finished, overlap, ingested;
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

/*
 * The runs of q (bound, RUN_COLS), newest first, at most max into *out, and into
 * recipe_page_run (the first ngrid of them as grid columns). Returns how many were
 * kept, -1 on error; *more counts the rows left out.
 */
static long load_runs(struct render *r, sqlite3_stmt *q, long max, long ngrid, struct rrun **out,
		      int64_t *more)
{
	struct rrun *rs = xcalloc((size_t)max, sizeof(*rs));
	long n = 0;
	int step;
	*more = 0;
	if (store_exec(r->st, SQL_PAGE_TABLE) < 0 || store_exec(r->st, SQL_PAGE_CLEAR) < 0) {
		sqlite3_reset(q);
		free(rs);
		return -1;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n >= max) {
			(*more)++;
			continue;
		}
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
		x->ingested = sqlite3_column_int64(q, 14);
	}
	sqlite3_reset(q);
	int rc = step == SQLITE_DONE ? 0 : store_error(r->st, "listing a recipe's runs");
	for (long i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *a = store_stmt(r->st, SQL_PAGE_ADD);
		bind_text(a, ":id", rs[i].id);
		bind_int(a, ":grid", i < ngrid);
		rc = store_step_done(r->st, a);
	}
	if (rc < 0) {
		rrun_free(rs, (size_t)n);
		return -1;
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

/* tier column names of the page's runs; returns how many (<= RECIPE_TIERS_SHOWN), -1 on error */
static int load_tiers(struct render *r, char **tiers, int *more)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RECIPE_TIERS);
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

/* a passing cell is its symbol alone (the legend says so): most cells of a green
 * history are, and with a link and a word each they were four fifths of the page */
static void cell_pass(struct html *h)
{
	html_lit(h, "<td class=\"p\">\xe2\x9c\x93</td>");
}

static int tier_cell(struct html *h, struct render *r, const struct rrun *x, const char *tier)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RUN_TIER);
	bind_text(q, ":id", x->id);
	bind_text(q, ":tier", tier);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW && !strcmp(col_text(q, 0), "passed")) {
		cell_pass(h);
	} else if (step == SQLITE_ROW) {
		struct url u;
		char a[SLUG_SIZE];
		url_run(&u, x->id);
		anchor_tier(tier, a);
		html_lit(h, "<td><a href=\"");
		html_href(h, &u, a);
		html_lit(h, "\">");
		html_status(h, col_text(q, 0));
		int64_t bad = sqlite3_column_int64(q, 1);
		if (bad > 0) {
			html_lit(h, " (");
			html_int(h, bad);
			html_lit(h, ")");
		}
		html_lit(h, "</a></td>");
	} else {
		html_lit(h, "<td></td>");
	}
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(r->st, "reading a tier");
	return 0;
}

static void legend(struct html *h)
{
	html_lit(h, "<p class=\"note\">\xe2\x9c\x93 = passed; every other cell links to the run "
		    "(the tier, or the testcase) and says what happened.</p>\n");
}

static int runs_table(struct html *h, struct render *r, const struct rrun *rs, long n)
{
	char *tiers[RECIPE_TIERS_SHOWN];
	int more;
	int nt = load_tiers(r, tiers, &more);
	if (nt < 0)
		return -1;
	int rc = 0;
	html_lit(h, "<div class=\"scroll\"><table class=\"runs\">"
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
		html_lit(h, "</td>");
		if (x->status && !strcmp(x->status, "passed")) {
			cell_pass(h);
		} else {
			html_lit(h, "<td>");
			html_status(h, x->status);
			html_lit(h, "</td>");
		}
		for (int t = 0; t < nt && rc == 0; t++)
			rc = tier_cell(h, r, x, tiers[t]);
		html_lit(h, "<td>");
		if (x->promote)
			html_text(h, x->promote);
		html_lit(h, "</td></tr>\n");
	}
	html_lit(h, "</tbody></table></div>\n");
	if (more)
		html_more(h, more, "tiers");
	while (nt > 0)
		free(tiers[--nt]);
	return rc;
}

/* one grid row's cells: the test's status in each of the grid's runs */
static int grid_row(struct html *h, struct render *r, int64_t test_id, const char *tier,
		    const char *slug, const struct rrun *rs, long ncols)
{
	char **status = xcalloc((size_t)ncols + 1, sizeof(*status));
	sqlite3_stmt *q = store_stmt(r->st, SQL_GRID_CELLS);
	bind_int(q, ":test", test_id);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = col_text(q, 0);
		for (long i = 0; i < ncols; i++)
			if (!status[i] && !strcmp(rs[i].id, id)) {
				status[i] = xstrdup(col_text(q, 1));
				break;
			}
	}
	sqlite3_reset(q);
	char a[2 * SLUG_SIZE + 2];
	anchor_test(tier, slug, a);
	for (long i = 0; i < ncols; i++) {
		if (!status[i]) {
			html_lit(h, "<td></td>");
		} else if (!strcmp(status[i], "passed")) {
			cell_pass(h);
		} else {
			struct url u;
			url_run(&u, rs[i].id);
			html_lit(h, "<td class=\"cell c-");
			html_attr(h, status[i]);
			html_lit(h, "\"><a href=\"");
			html_href(h, &u, a);
			html_lit(h, "\">");
			html_status(h, status[i]);
			html_lit(h, "</a></td>");
		}
		free(status[i]);
	}
	free(status);
	return step == SQLITE_DONE ? 0 : store_error(r->st, "reading the test grid");
}

/*
 * The test-history grid of the first ncols runs of rs (recipe_page_run's grid runs),
 * newest on the left. badge_version: the version whose classification each row
 * shows (the recipe page's latest); NULL with no_badges for month pages, which show
 * none (a badge changes with later runs, an archive page must not).
 */
static int grid(struct html *h, struct render *r, const char *recipe, const struct rrun *rs,
		long ncols, int badges, const char *badge_version)
{
	html_lit(h, "<div class=\"scroll\"><table class=\"history\"><thead><tr>"
		    "<th scope=\"col\">test</th><th scope=\"col\">tier</th>");
	for (long i = 0; i < ncols; i++) {
		char t[17];
		struct url u;
		url_run(&u, rs[i].id);
		time_fmt_short(rs[i].started, t);
		html_lit(h, "<th scope=\"col\"><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\" title=\"");
		html_attr(h, t);
		if (rs[i].version) {
			html_lit(h, " ");
			html_attr(h, rs[i].version);
		}
		html_lit(h, "\">");
		/* "06-17" fits a narrow column; the title has the rest */
		html_textn(h, t + 5, 5);
		html_lit(h, "</a></th>");
	}
	html_lit(h, "</tr></thead>\n<tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_GRID_TESTS);
	int64_t rows = 0, green = 0;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int is_green = sqlite3_column_int(q, 6);
		if (is_green) {
			if (++green == 1)
				html_lit(h, "</tbody></table></div>\n<p class=\"green\">Passed in every "
					    "run above where they ran: ");
			else if (green <= RECIPE_GREEN_TESTS)
				html_lit(h, " \xc2\xb7 ");
		}
		if (is_green ? green > RECIPE_GREEN_TESTS : ++rows > RECIPE_GRID_TESTS)
			continue;
		int64_t test_id = sqlite3_column_int64(q, 0);
		char *tier = xstrdup(col_text(q, 1));
		char *slug = xstrdup(col_text(q, 4));
		const char *cls = col_text(q, 2), *name = col_text(q, 3);
		struct url u;
		url_test(&u, recipe, tier, slug);
		if (!is_green)
			html_lit(h, "<tr><th scope=\"row\">");
		html_lit(h, "<a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\" title=\"");
		html_attr(h, tier);
		if (*cls) {
			html_lit(h, ": ");
			html_attr(h, cls);
		}
		html_lit(h, "\">");
		html_text(h, name);
		html_lit(h, "</a>");
		if (badges) {
			html_lit(h, " ");
			state_badge(h, r->st, test_id, badge_version);
		}
		if (!is_green) {
			html_lit(h, "</th><td>");
			html_text(h, tier);
			html_lit(h, "</td>");
			rc = grid_row(h, r, test_id, tier, slug, rs, ncols);
			html_lit(h, "</tr>\n");
		}
		free(tier);
		free(slug);
	}
	sqlite3_reset(q);
	if (rc < 0)
		return -1;
	if (step != SQLITE_DONE)
		return store_error(r->st, "listing the test grid");
	if (green) {
		html_lit(h, ".</p>\n");
		html_more(h, green - RECIPE_GREEN_TESTS, "tests that passed");
	} else {
		html_lit(h, "</tbody></table></div>\n");
	}
	if (rows + green == 0)
		html_lit(h, "<p>No testcases in these runs.</p>\n");
	html_more(h, rows - RECIPE_GRID_TESTS, "tests");
	return 0;
}

/* the month pages, newest first, with their run counts */
static int months(struct html *h, struct render *r, const char *recipe)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_MONTHS);
	bind_text(q, ":recipe", recipe);
	int64_t n = 0;
	int step;
	html_lit(h, "<section id=\"history\"><h2>History by month</h2>\n<p class=\"note\">Every run "
		    "with its test-history grid, one page per month (UTC start); a past month's page "
		    "never changes.</p>\n<ul class=\"months\">\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > RECIPE_MONTHS_SHOWN)
			continue;
		struct url u;
		int64_t c = sqlite3_column_int64(q, 1);
		url_recipe_month(&u, recipe, col_text(q, 0));
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, "</a> ");
		html_int(h, c);
		if (c == 1)
			html_lit(h, " run</li>\n");
		else
			html_lit(h, " runs</li>\n");
	}
	sqlite3_reset(q);
	html_lit(h, "</ul>\n");
	html_more(h, n - RECIPE_MONTHS_SHOWN, "months");
	html_lit(h, "</section>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing a recipe's months");
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
	int64_t total = sqlite3_column_int64(q, 0), as_of = sqlite3_column_int64(q, 1), more;
	sqlite3_reset(q);

	struct rrun *rs = NULL;
	q = store_stmt(r->st, SQL_RECIPE_RUNS);
	bind_text(q, ":recipe", recipe);
	bind_int(q, ":n", RECIPE_RECENT);
	long n = load_runs(r, q, RECIPE_RECENT, RECIPE_RECENT, &rs, &more);
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
		html_lit(h, "<section id=\"runs\"><h2>Runs</h2>\n<p class=\"note\">The latest ");
		html_int(h, n);
		html_lit(h, " runs, newest first; every run is on its month's page (<a href=\"#history\">"
			    "history by month</a>).</p>\n");
		legend(h);
		rc = runs_table(h, r, rs, n);
		html_lit(h, "</section>\n");
	}
	if (rc == 0) {
		html_lit(h, "<section id=\"tests\"><h2>Test history</h2>\n<p class=\"note\">The "
			    "recipe's tests in its latest ");
		html_int(h, n);
		html_lit(h, " runs, newest on the left; failing tests first, with their "
			    "classification at the latest tag.</p>\n");
		rc = grid(h, r, recipe, rs, n, 1, n > 0 ? rs[0].version : NULL);
		html_lit(h, "</section>\n");
	}
	if (rc == 0)
		rc = months(h, r, recipe);
	if (rc == 0)
		rc = timeline_lane(h, r, recipe);
	rrun_free(rs, (size_t)n);
	if (rc < 0)
		return -1;
	docs_citations(h, r, "recipe", recipe);
	layout_end(h, as_of);
	return render_page(r, &self, h);
}

/* recipes/<recipe>/history/<month>.html: every run of the month, its grid, no
 * classification; a month over is never rewritten (only its own runs change it) */
static int one_month(struct render *r, struct html *h, const char *recipe, const char *month)
{
	struct url self, home, ur;
	url_recipe_month(&self, recipe, month);
	url_page(&home, "index.html");
	url_recipe(&ur, recipe);
	html_reset(h, url_depth(&self));

	struct rrun *rs = NULL;
	int64_t more;
	sqlite3_stmt *q = store_stmt(r->st, SQL_MONTH_RUNS);
	bind_text(q, ":recipe", recipe);
	bind_text(q, ":month", month);
	long n = load_runs(r, q, RECIPE_MONTH_RUNS, RECIPE_MONTH_GRID, &rs, &more);
	if (n < 0)
		return -1;
	int64_t as_of = 0;
	for (long i = 0; i < n; i++)
		if (rs[i].ingested > as_of)
			as_of = rs[i].ingested;

	struct crumb c[] = {{"overview", &home}, {recipe, &ur}, {month, NULL}};
	struct buf title = BUF_INIT;
	buf_addf(&title, "%s runs in %s", recipe, month);
	layout_begin(h, buf_str(&title), c, 3);
	buf_release(&title);
	html_lit(h, "<h1><a href=\"");
	html_href(h, &ur, NULL);
	html_lit(h, "\">");
	html_text(h, recipe);
	html_lit(h, "</a>: runs started in ");
	html_text(h, month);
	html_lit(h, " (UTC)</h1>\n<p class=\"summary\">");
	html_int(h, n + more);
	if (n + more == 1)
		html_lit(h, " run.");
	else
		html_lit(h, " runs.");
	html_lit(h, " Classifications, which change with later runs, are on the recipe page and the "
		    "test pages.</p>\n<section id=\"runs\"><h2>Runs</h2>\n");
	legend(h);
	int rc = runs_table(h, r, rs, n);
	html_more(h, more, "runs of this month (see the sweeps)");
	html_lit(h, "</section>\n");
	if (rc == 0) {
		long ncols = n < RECIPE_MONTH_GRID ? n : RECIPE_MONTH_GRID;
		html_lit(h, "<section id=\"tests\"><h2>Test history</h2>\n<p class=\"note\">The "
			    "recipe's tests in ");
		if (ncols < n + more) {
			html_lit(h, "the latest ");
			html_int(h, ncols);
			html_lit(h, " runs of the month");
		} else {
			html_lit(h, "the month's runs");
		}
		html_lit(h, ", newest on the left; failing tests first.</p>\n");
		rc = grid(h, r, recipe, rs, ncols, 0, NULL);
		html_lit(h, "</section>\n");
	}
	rrun_free(rs, (size_t)n);
	if (rc < 0)
		return -1;
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
		if (!render_mine(r))
			continue;
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

int page_history(struct render *r)
{
	struct html h;
	html_init(&h, r, 3);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_MONTHS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!render_mine(r))
			continue;
		char *recipe = xstrdup(col_text(q, 0)), *month = xstrdup(col_text(q, 1));
		rc = one_month(r, &h, recipe, month);
		free(recipe);
		free(month);
		if (rc < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing recipe months");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
