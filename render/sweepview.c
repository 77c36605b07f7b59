/* sweepview: a sweep's summary, grid, changes and promotes (see sweepview.h) */
#include "sweepview.h"
#include "layout.h"
#include "state.h"
#include "../lib/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tiers shown as columns; more is not a harness we know, the run page lists all */
#define GRID_MAX_TIERS 16
/* runs in one sweep shown in its grid: a sweep over every recipe we know is ~100 */
#define GRID_MAX_ROWS 1000
/* a message in a list is one line: its head is enough to recognise it */
#define MESSAGE_SHOWN 200

static const char SQL_PREV[] =
	"SELECT p.id FROM sweep p, sweep s WHERE s.id = :id AND (coalesce(p.started, 0), p.id)"
	" < (coalesce(s.started, 0), s.id) ORDER BY coalesce(p.started, 0) DESC, p.id DESC LIMIT 1";
static const char SQL_NEXT[] =
	"SELECT p.id FROM sweep p, sweep s WHERE s.id = :id AND (coalesce(p.started, 0), p.id)"
	" > (coalesce(s.started, 0), s.id) ORDER BY coalesce(p.started, 0), p.id LIMIT 1";
static const char SQL_LATEST[] =
	"SELECT id FROM sweep ORDER BY coalesce(started, 0) DESC, id DESC LIMIT 1";
static const char SQL_SUMMARY[] =
	"SELECT s.started, s.finished, s.host, count(r.id), sum(r.status = 'passed'),"
	" sum(r.status = 'failed'), sum(r.status = 'error'), sum(r.status = 'promote_failed')"
	" FROM sweep s LEFT JOIN run r ON r.sweep_id = s.id WHERE s.id = :id";
static const char SQL_GRID_TIERS[] =
	"SELECT t.name FROM run r JOIN tier t ON t.run_id = r.id WHERE r.sweep_id = :id"
	" GROUP BY t.name ORDER BY min(t.seq), t.name";
static const char SQL_GRID_RUNS[] =
	"SELECT id, recipe, version, status, started FROM run WHERE sweep_id = :id"
	" ORDER BY recipe, started, id";
static const char SQL_GRID_CELLS[] =
	"SELECT name, status, tests, failures, errors FROM tier WHERE run_id = :run";
/*
 * What changed in sweep :id since sweep :prev, per test (kind 0 new failure, 1 fixed,
 * 2 newly flaky). Newly flaky: the test's classification at this run's sources is
 * 'flaky' and this sweep brought its first failure there, or a pass after a failure
 * there (its first pass, or one after a failing :prev), or it passed on a rerun, not
 * having done so in :prev; such a test is listed as newly flaky, not as a new failure
 * or a fix. "There" is judged from the runs before this one (run ids sort by time
 * within a recipe), never from the counts of later runs, so the page stays as it was.
 * EARLIER walks the few runs at the same sources (index run_recipe_version) and looks
 * the test up in each, rather than the test's whole history joined to its runs: at a
 * year of nightly runs that was 6x slower and most of the sweep pages' cost.
 */
#define EARLIER(statuses)                                                                          \
	"EXISTS (SELECT 1 FROM run rx CROSS JOIN testcase x ON x.run_id = rx.id"                  \
	" AND x.test_id = c.test_id WHERE rx.recipe = r.recipe AND rx.version IS r.version"        \
	" AND rx.harness_ref IS r.harness_ref AND rx.id < c.run_id AND x.status IN (" statuses "))"
#define SQL_CHANGES_BY(class_index)                                                                \
	"SELECT * FROM (SELECT CASE"                                                               \
	"  WHEN cl.state = 'flaky' AND ((c.status IN ('failed', 'error') AND NOT " EARLIER("'failed', 'error', 'flaky'") ")" \
	"   OR (c.status = 'passed' AND " EARLIER("'failed', 'error', 'flaky'")                    \
	"    AND (p.bad = 1 OR NOT " EARLIER("'passed', 'flaky'") "))"                             \
	"   OR (c.status = 'flaky' AND coalesce(p.flaky, 0) = 0)) THEN 2"                          \
	"  WHEN c.status = 'flaky' AND coalesce(p.flaky, 0) = 0 THEN 2"                            \
	"  WHEN c.status IN ('failed', 'error') AND coalesce(p.bad, 0) = 0 THEN 0"                 \
	"  WHEN c.status = 'passed' AND p.bad = 1 THEN 1 END AS kind,"                             \
	" t.id, t.recipe, t.tier, t.classname, t.name, t.slug, c.status, c.message, r.id, r.version," \
	" r.harness_ref"                                                                           \
	" FROM run r JOIN testcase c ON c.run_id = r.id JOIN test t ON t.id = c.test_id"           \
	" LEFT JOIN classification cl " class_index " ON cl.test_id = c.test_id"                   \
	"   AND cl.version = coalesce(r.version, '') AND cl.harness_ref = coalesce(r.harness_ref, '')" \
	" LEFT JOIN (SELECT c2.test_id AS test_id, max(c2.status IN ('failed', 'error')) AS bad,"  \
	"   max(c2.status = 'flaky') AS flaky FROM run r2 JOIN testcase c2 ON c2.run_id = r2.id"   \
	"   WHERE r2.sweep_id = :prev GROUP BY c2.test_id) p ON p.test_id = c.test_id"             \
	" WHERE r.sweep_id = :id) WHERE kind IS NOT NULL"                                          \
	" ORDER BY kind, recipe, tier, classname, name, 10"
static const char SQL_CHANGES[] = SQL_CHANGES_BY("");
static const char SQL_CHANGES_IX[] = SQL_CHANGES_BY(CLASS_BY_SOURCES);
static const char SQL_PROMOTES[] =
	"SELECT id, recipe, promote_outcome, promote_version, promote_at, promote_reason, status"
	" FROM run WHERE sweep_id = :id AND promote_outcome IS NOT NULL ORDER BY recipe, id";

static int one_id(struct render *r, const char *sql, const char *id, char out[SWEEP_ID_MAX])
{
	sqlite3_stmt *q = store_stmt(r->st, sql);
	if (id)
		bind_text(q, ":id", id);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *v = col_text(q, 0);
		size_t n = strlen(v);
		if (n >= SWEEP_ID_MAX)
			n = SWEEP_ID_MAX - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		sqlite3_reset(q);
		return 1;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_error(r->st, "reading sweeps");
	return 0;
}

int sweep_neighbour(struct render *r, const char *id, int dir, char out[SWEEP_ID_MAX])
{
	return one_id(r, dir < 0 ? SQL_PREV : SQL_NEXT, id, out);
}

int sweep_latest(struct render *r, char out[SWEEP_ID_MAX])
{
	return one_id(r, SQL_LATEST, NULL, out);
}

int sweep_summary(struct html *h, struct render *r, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SUMMARY);
	bind_text(q, ":id", id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_error(r->st, "reading a sweep");
	}
	html_lit(h, "<p class=\"summary\">started ");
	html_time(h, sqlite3_column_int64(q, 0));
	html_lit(h, ", finished ");
	html_time(h, sqlite3_column_int64(q, 1));
	if (sqlite3_column_type(q, 2) != SQLITE_NULL) {
		html_lit(h, " on <code>");
		html_text(h, col_text(q, 2));
		html_lit(h, "</code>");
	}
	html_lit(h, "; ");
	html_int(h, sqlite3_column_int64(q, 3));
	html_lit(h, " runs: ");
	html_int(h, sqlite3_column_int64(q, 4));
	html_lit(h, " passed, ");
	html_int(h, sqlite3_column_int64(q, 5));
	html_lit(h, " failed, ");
	html_int(h, sqlite3_column_int64(q, 6));
	html_lit(h, " errored, ");
	html_int(h, sqlite3_column_int64(q, 7));
	html_lit(h, " green but promote failed</p>\n");
	sqlite3_reset(q);
	return 0;
}

int sweep_grid(struct html *h, struct render *r, const char *id)
{
	char *tiers[GRID_MAX_TIERS];
	int ntiers = 0, rc = 0;
	sqlite3_stmt *q = store_stmt(r->st, SQL_GRID_TIERS);
	bind_text(q, ":id", id);
	while (sqlite3_step(q) == SQLITE_ROW && ntiers < GRID_MAX_TIERS)
		tiers[ntiers++] = xstrdup(col_text(q, 0));
	sqlite3_reset(q);

	html_lit(h, "<div class=\"scroll\"><table class=\"grid\">\n<thead><tr><th "
		    "scope=\"col\">recipe</th><th scope=\"col\">version</th><th "
		    "scope=\"col\">run</th>");
	for (int i = 0; i < ntiers; i++) {
		html_lit(h, "<th scope=\"col\">");
		html_text(h, tiers[i]);
		html_lit(h, "</th>");
	}
	html_lit(h, "</tr></thead>\n<tbody>\n");

	const char *cell_status[GRID_MAX_TIERS];
	char cell_text[GRID_MAX_TIERS][64];
	int64_t rows = 0;
	q = store_stmt(r->st, SQL_GRID_RUNS);
	bind_text(q, ":id", id);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (++rows > GRID_MAX_ROWS)
			continue;
		const char *run = col_text(q, 0), *recipe = col_text(q, 1);
		struct url ur, urun;
		url_recipe(&ur, recipe);
		url_run(&urun, run);
		html_lit(h, "<tr><th scope=\"row\"><a href=\"");
		html_href(h, &ur, NULL);
		html_lit(h, "\">");
		html_text(h, recipe);
		html_lit(h, "</a></th><td>");
		html_text(h, col_text(q, 2));
		html_lit(h, "</td><td><a href=\"");
		html_href(h, &urun, NULL);
		html_lit(h, "\">");
		html_status(h, col_text(q, 3));
		html_lit(h, "</a></td>");

		/* the run's tiers, placed in their columns (missing: "no run") */
		char *st_copy[GRID_MAX_TIERS] = {0};
		for (int i = 0; i < ntiers; i++) {
			cell_status[i] = NULL;
			cell_text[i][0] = '\0';
		}
		sqlite3_stmt *c = store_stmt(r->st, SQL_GRID_CELLS);
		bind_text(c, ":run", run);
		while (sqlite3_step(c) == SQLITE_ROW) {
			const char *name = col_text(c, 0);
			for (int i = 0; i < ntiers; i++) {
				if (strcmp(tiers[i], name))
					continue;
				st_copy[i] = xstrdup(col_text(c, 1));
				cell_status[i] = st_copy[i];
				int64_t tests = sqlite3_column_int64(c, 2);
				int64_t bad = sqlite3_column_int64(c, 3) + sqlite3_column_int64(c, 4);
				if (tests)
					snprintf(cell_text[i], sizeof(cell_text[i]),
						 bad ? "%lld/%lld failed" : "%lld tests",
						 (long long)(bad ? bad : tests), (long long)tests);
				break;
			}
		}
		sqlite3_reset(c);
		for (int i = 0; i < ntiers; i++) {
			const char *s = cell_status[i];
			html_lit(h, "<td class=\"cell c-");
			html_attr(h, s ? s : "none");
			html_lit(h, "\">");
			if (s) {
				char a[SLUG_SIZE];
				anchor_tier(tiers[i], a);
				html_lit(h, "<a href=\"");
				html_href(h, &urun, a);
				html_lit(h, "\">");
				html_status(h, s);
				html_lit(h, "</a>");
				if (cell_text[i][0]) {
					html_lit(h, " <small>");
					html_text(h, cell_text[i]);
					html_lit(h, "</small>");
				}
				if (status_is_bad(s)) {
					html_lit(h, " ");
					state_tier_badge(h, r->st, run, tiers[i]);
				}
			} else {
				html_status(h, NULL);
			}
			html_lit(h, "</td>");
			free(st_copy[i]);
		}
		html_lit(h, "</tr>\n");
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "reading a sweep's runs");
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, rows - GRID_MAX_ROWS, "runs");
	for (int i = 0; i < ntiers; i++)
		free(tiers[i]);
	return rc;
}

static void change_item(struct html *h, struct render *r, sqlite3_stmt *q)
{
	const char *recipe = col_text(q, 2), *tier = col_text(q, 3), *cls = col_text(q, 4),
		   *name = col_text(q, 5), *slug = col_text(q, 6), *run = col_text(q, 9);
	struct url ut, urun;
	char a[2 * SLUG_SIZE + 2];
	url_test(&ut, recipe, tier, slug);
	url_run(&urun, run);
	anchor_test(tier, slug, a);
	html_lit(h, "<li>");
	html_status(h, col_text(q, 7));
	html_lit(h, " <a href=\"");
	html_href(h, &ut, NULL);
	html_lit(h, "\">");
	html_text(h, recipe);
	html_lit(h, " \xe2\x80\xba ");
	html_text(h, tier);
	html_lit(h, " \xe2\x80\xba ");
	if (*cls) {
		html_text(h, cls);
		html_lit(h, "::");
	}
	html_text(h, name);
	html_lit(h, "</a> ");
	state_word(h, r->st, sqlite3_column_int64(q, 1), (const char *)sqlite3_column_text(q, 10),
		   (const char *)sqlite3_column_text(q, 11), &ut);
	html_lit(h, " <span class=\"ver\">");
	html_text(h, col_text(q, 10));
	html_lit(h, "</span> <a href=\"");
	html_href(h, &urun, a);
	html_lit(h, "\">run</a>");
	const char *msg = col_text(q, 8);
	if (*msg) {
		size_t n = strlen(msg);
		const char *nl = memchr(msg, '\n', n);
		if (nl)
			n = (size_t)(nl - msg);
		html_lit(h, "<br><code class=\"msg\">");
		html_textn(h, msg, n > MESSAGE_SHOWN ? MESSAGE_SHOWN : n);
		if (n > MESSAGE_SHOWN)
			html_lit(h, "\xe2\x80\xa6");
		html_lit(h, "</code>");
	}
	html_lit(h, "</li>\n");
}

int sweep_changes(struct html *h, struct render *r, const char *id, const char *prev, int max,
		  struct sweep_delta *d)
{
	static const char *const titles[] = {"new failures", "fixed", "newly flaky"};
	int64_t counts[3] = {0, 0, 0};
	int open = -1, step;
	sqlite3_stmt *q = store_stmt(r->st, r->class_ix ? SQL_CHANGES_IX : SQL_CHANGES);
	bind_text(q, ":id", id);
	bind_text(q, ":prev", prev);
	html_lit(h, "<section class=\"changes\"><h2>What changed");
	if (prev) {
		struct url u;
		url_sweep(&u, prev);
		html_lit(h, " since <a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, prev);
		html_lit(h, "</a>");
	}
	html_lit(h, "</h2>\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(q, 0);
		if (kind < 0 || kind > 2)
			continue;
		if (kind != open) {
			if (open >= 0) {
				html_lit(h, "</ul>\n");
				html_more(h, counts[open] - max, titles[open]);
			}
			open = kind;
			html_lit(h, "<h3 class=\"k");
			html_int(h, kind);
			html_lit(h, "\">");
			html_text(h, titles[kind]);
			html_lit(h, "</h3>\n<ul class=\"tests\">\n");
		}
		if (++counts[kind] <= max)
			change_item(h, r, q);
	}
	sqlite3_reset(q);
	if (open >= 0) {
		html_lit(h, "</ul>\n");
		html_more(h, counts[open] - max, titles[open]);
	} else {
		html_lit(h, "<p>No new failures, nothing fixed, nothing newly flaky.</p>\n");
	}
	html_lit(h, "</section>\n");
	if (d) {
		d->broke = counts[0];
		d->fixed = counts[1];
		d->flaky = counts[2];
	}
	if (step != SQLITE_DONE)
		return store_error(r->st, "comparing sweeps");
	return 0;
}

int sweep_promotes(struct html *h, struct render *r, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_PROMOTES);
	bind_text(q, ":id", id);
	int step, n = 0;
	html_lit(h, "<section class=\"promotes\"><h2>Promotes</h2>\n");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			html_lit(h, "<ul>\n");
		struct url u;
		url_run(&u, col_text(q, 0));
		const char *outcome = col_text(q, 2);
		html_lit(h, "<li class=\"promote p-");
		html_attr(h, outcome);
		html_lit(h, "\"><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 1));
		html_lit(h, "</a> ");
		html_lit(h, "<strong>");
		if (!strcmp(outcome, "failed"))
			html_lit(h, "\xe2\x9c\x97 promote failed");
		else if (!strcmp(outcome, "promoted"))
			html_lit(h, "\xe2\x86\x91 promoted");
		else if (!strcmp(outcome, "advanced"))
			html_lit(h, "\xe2\x86\x97 advanced");
		else
			html_text(h, outcome);
		html_lit(h, "</strong> ");
		html_text(h, col_text(q, 3));
		html_lit(h, " ");
		html_time(h, sqlite3_column_int64(q, 4));
		if (sqlite3_column_type(q, 5) != SQLITE_NULL) {
			html_lit(h, ": ");
			html_text(h, col_text(q, 5));
		}
		html_lit(h, "</li>\n");
	}
	sqlite3_reset(q);
	if (n)
		html_lit(h, "</ul>\n");
	else
		html_lit(h, "<p>No promote was attempted in this sweep.</p>\n");
	html_lit(h, "</section>\n");
	if (step != SQLITE_DONE)
		return store_error(r->st, "reading promotes");
	return 0;
}

void sweep_other_run(struct html *h, sqlite3_stmt *q)
{
	struct url u, ur;
	url_run(&u, col_text(q, 0));
	url_recipe(&ur, col_text(q, 1));
	html_lit(h, "<tr><td><a href=\"");
	html_href(h, &u, NULL);
	html_lit(h, "\">");
	html_status(h, col_text(q, 5));
	html_lit(h, "</a></td><td><a href=\"");
	html_href(h, &ur, NULL);
	html_lit(h, "\">");
	html_text(h, col_text(q, 1));
	html_lit(h, "</a></td><td>");
	html_text(h, col_text(q, 2));
	html_lit(h, "</td><td>");
	html_text(h, col_text(q, 3));
	if (sqlite3_column_type(q, 4) != SQLITE_NULL) {
		html_lit(h, " ");
		html_text(h, col_text(q, 4));
	}
	html_lit(h, "</td><td>");
	html_time(h, sqlite3_column_int64(q, 6));
	html_lit(h, "</td></tr>\n");
}
