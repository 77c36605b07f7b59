/*
 * page_run: one run: its metadata (tag, ref, trigger, mode, host, load,
 * overlapping runs, exit code, duration, promote), its logs, and each tier with
 * every testcase; failures with message and traceback. Anchors #<tier> and
 * #<tier>--<test-slug>, each with a visible permalink and a "copy as markdown
 * link" button (shown where JS runs; absolute with --base-url).
 * Writes: runs/<run>/index.html for every run in todo_run.
 * Queries: todo_run join run; tier, testcase join test, file (logs) by run_id
 * (primary keys); run by (host, started) for overlapping runs.
 */
#include "pages.h"
#include "layout.h"
#include "docs.h"
#include "state.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* testcases shown per tier: a suite this big is generated; `ccr show` lists all */
#define RUN_CASES_SHOWN 2000
/* traceback / output bytes shown per testcase: the head shows the cause, and the
 * page stays near the ~1 MB budget with a few failures */
#define RUN_DETAILS_SHOWN (16 * 1024)
/* overlapping runs listed by name; the count is always shown */
#define RUN_OVERLAPS_SHOWN 50

static const char SQL_TODO_RUNS[] =
	"SELECT id, recipe, version, ref, harness_ref, host, mode, trigger_kind, sweep_id,"
	" external_id, started, finished, exit_code, load_start, load_end, overlap, status,"
	" promote_outcome, promote_version, promote_at, promote_reason, source, ingested_at"
	" FROM run WHERE id IN (SELECT id FROM todo_run) ORDER BY id";
static const char SQL_OVERLAPS[] =
	"SELECT id, recipe FROM run WHERE host = :host AND id <> :id"
	" AND started >= :start - :span AND started <= :end"
	" AND coalesce(finished, started) >= :start ORDER BY started, id LIMIT :n";
static const char SQL_RUN_LOGS[] =
	"SELECT f.name, f.size, f.lines, f.error, b.pruned_at FROM file f"
	" LEFT JOIN blob b ON b.hash = f.hash"
	" WHERE f.run_id = :id AND f.kind = 'log' ORDER BY f.name";
static const char SQL_RUN_TIERS[] =
	"SELECT name, status, reason, tests, failures, errors, skipped, time_ms FROM tier"
	" WHERE run_id = :id ORDER BY seq, name";
/* every testcase of the run in display order (tiers by seq, then document order),
 * read in one pass while the tiers are written */
static const char SQL_RUN_CASES[] =
	"SELECT c.tier, t.id, t.classname, t.name, t.slug, c.status, c.time_ms, c.message,"
	" c.type, c.details, c.system_out, c.system_err, c.truncated FROM testcase c"
	" JOIN tier tr ON tr.run_id = c.run_id AND tr.name = c.tier"
	" JOIN test t ON t.id = c.test_id WHERE c.run_id = :id"
	" ORDER BY tr.seq, tr.name, c.seq, t.id";

enum {
	R_ID, R_RECIPE, R_VERSION, R_REF, R_HREF, R_HOST, R_MODE, R_TRIGGER, R_SWEEP, R_EXT,
	R_STARTED, R_FINISHED, R_EXIT, R_LOAD0, R_LOAD1, R_OVERLAP, R_STATUS, R_POUT, R_PVER,
	R_PAT, R_PREASON, R_SOURCE, R_INGESTED
};

struct runinfo {
	const char *id, *recipe, *version, *harness_ref;
	char date[21];
	struct url self;
	int64_t *badged;	/* sorted test ids that may get a classification badge */
	size_t nbadged;
};

/*
 * The tests of the run whose classification at its sources is other than plainly
 * passing: state_word() writes nothing for the others, so it is asked only for
 * these (one query per run instead of one per testcase: a fifth of a full render).
 */
#define SQL_RUN_BADGED_BY(class_index)                                                             \
	"SELECT DISTINCT c.test_id FROM testcase c JOIN classification cl " class_index             \
	" ON cl.test_id = c.test_id AND cl.version = coalesce(:version, '')"                       \
	" AND cl.harness_ref = coalesce(:href, '')"                                                \
	" WHERE c.run_id = :id AND (cl.state <> 'passing' OR cl.excluded) ORDER BY 1"
static const char SQL_RUN_BADGED[] = SQL_RUN_BADGED_BY("");
static const char SQL_RUN_BADGED_IX[] = SQL_RUN_BADGED_BY(CLASS_BY_SOURCES);

static int load_badged(struct render *r, struct runinfo *ri)
{
	size_t cap = 0;
	ri->badged = NULL;
	ri->nbadged = 0;
	sqlite3_stmt *q = store_stmt(r->st, r->class_ix ? SQL_RUN_BADGED_IX : SQL_RUN_BADGED);
	bind_text(q, ":id", ri->id);
	bind_text(q, ":version", ri->version);
	bind_text(q, ":href", ri->harness_ref);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (ri->nbadged == cap) {
			cap = cap ? 2 * cap : 16;
			ri->badged = xrealloc(ri->badged, cap * sizeof(*ri->badged));
		}
		ri->badged[ri->nbadged++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_error(r->st, "reading classifications");
}

static int is_badged(const struct runinfo *ri, int64_t test_id)
{
	size_t lo = 0, hi = ri->nbadged;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ri->badged[mid] < test_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ri->nbadged && ri->badged[lo] == test_id;
}

static void dt(struct html *h, const char *term)
{
	html_lit(h, "<dt>");
	html_text(h, term);
	html_lit(h, "</dt><dd>");
}

static void dd_text(struct html *h, sqlite3_stmt *q, int col, const char *term)
{
	if (sqlite3_column_type(q, col) == SQLITE_NULL)
		return;
	dt(h, term);
	html_text(h, col_text(q, col));
	html_lit(h, "</dd>\n");
}

static void dd_load(struct html *h, sqlite3_stmt *q)
{
	if (sqlite3_column_type(q, R_LOAD0) == SQLITE_NULL &&
	    sqlite3_column_type(q, R_LOAD1) == SQLITE_NULL)
		return;
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%.2f at start, %.2f at end", sqlite3_column_double(q, R_LOAD0),
		 sqlite3_column_double(q, R_LOAD1));
	dt(h, "load (1 min)");
	html_text(h, tmp);
	html_lit(h, "</dd>\n");
}

static int overlaps(struct html *h, struct render *r, sqlite3_stmt *run)
{
	int64_t n = sqlite3_column_int64(run, R_OVERLAP);
	dt(h, "overlapping runs");
	html_int(h, n);
	if (n > 0 && sqlite3_column_type(run, R_HOST) != SQLITE_NULL) {
		int64_t start = sqlite3_column_int64(run, R_STARTED);
		int64_t end = sqlite3_column_type(run, R_FINISHED) == SQLITE_NULL
				      ? start
				      : sqlite3_column_int64(run, R_FINISHED);
		sqlite3_stmt *q = store_stmt(r->st, SQL_OVERLAPS);
		bind_text(q, ":host", col_text(run, R_HOST));
		bind_text(q, ":id", col_text(run, R_ID));
		bind_int(q, ":start", start);
		bind_int(q, ":end", end);
		bind_int(q, ":span", r->run_span);
		bind_int(q, ":n", RUN_OVERLAPS_SHOWN);
		int step, k = 0;
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			struct url u;
			url_run(&u, col_text(q, 0));
			if (k++)
				html_lit(h, ", ");
			else
				html_lit(h, ": ");
			html_lit(h, "<a href=\"");
			html_href(h, &u, NULL);
			html_lit(h, "\">");
			html_text(h, col_text(q, 1));
			html_lit(h, "</a>");
		}
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return store_error(r->st, "reading overlapping runs");
	}
	html_lit(h, "</dd>\n");
	return 0;
}

static void metadata(struct html *h, struct render *r, sqlite3_stmt *q)
{
	html_lit(h, "<dl class=\"meta\">\n");
	dt(h, "run");
	html_lit(h, "<code>");
	html_text(h, col_text(q, R_ID));
	html_lit(h, "</code></dd>\n");
	dd_text(h, q, R_VERSION, "tag");
	dd_text(h, q, R_REF, "ref");
	dd_text(h, q, R_HREF, "harness ref");
	dt(h, "trigger");
	html_text(h, col_text(q, R_TRIGGER));
	if (sqlite3_column_type(q, R_EXT) != SQLITE_NULL) {
		html_lit(h, " ");
		html_text(h, col_text(q, R_EXT));
	}
	html_lit(h, "</dd>\n");
	if (sqlite3_column_type(q, R_SWEEP) != SQLITE_NULL) {
		struct url u;
		url_sweep(&u, col_text(q, R_SWEEP));
		dt(h, "sweep");
		html_lit(h, "<a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, R_SWEEP));
		html_lit(h, "</a></dd>\n");
	}
	dd_text(h, q, R_MODE, "mode");
	dd_text(h, q, R_HOST, "host");
	dt(h, "started");
	html_time(h, sqlite3_column_int64(q, R_STARTED));
	html_lit(h, "</dd>\n");
	if (sqlite3_column_type(q, R_FINISHED) != SQLITE_NULL) {
		dt(h, "finished");
		html_time(h, sqlite3_column_int64(q, R_FINISHED));
		html_lit(h, "</dd>\n");
		dt(h, "duration");
		html_duration(h, (sqlite3_column_int64(q, R_FINISHED) -
				  sqlite3_column_int64(q, R_STARTED)) * 1000);
		html_lit(h, "</dd>\n");
	}
	if (sqlite3_column_type(q, R_EXIT) != SQLITE_NULL) {
		dt(h, "exit code");
		html_int(h, sqlite3_column_int64(q, R_EXIT));
		if (sqlite3_column_int64(q, R_EXIT) == 124)
			html_lit(h, " (killed on timeout)");
		html_lit(h, "</dd>\n");
	}
	dd_load(h, q);
	overlaps(h, r, q);
	if (sqlite3_column_type(q, R_POUT) != SQLITE_NULL) {
		dt(h, "promote");
		html_text(h, col_text(q, R_POUT));
		if (sqlite3_column_type(q, R_PVER) != SQLITE_NULL) {
			html_lit(h, " ");
			html_text(h, col_text(q, R_PVER));
		}
		if (sqlite3_column_type(q, R_PAT) != SQLITE_NULL) {
			html_lit(h, " at ");
			html_time(h, sqlite3_column_int64(q, R_PAT));
		}
		if (sqlite3_column_type(q, R_PREASON) != SQLITE_NULL) {
			html_lit(h, ": ");
			html_text(h, col_text(q, R_PREASON));
		}
		/* the recipe's lane: this attempt among the others, and the canonical it left */
		struct url lane;
		url_recipe(&lane, col_text(q, R_RECIPE));
		html_lit(h, " (<a href=\"");
		html_href(h, &lane, "canonical");
		html_lit(h, "\">promote timeline</a>)</dd>\n");
	}
	if (sqlite3_column_type(q, R_SOURCE) != SQLITE_NULL) {
		dt(h, "source");
		html_external_link(h, col_text(q, R_SOURCE), col_text(q, R_SOURCE));
		html_lit(h, "</dd>\n");
	}
	html_lit(h, "</dl>\n");
}

static int logs(struct html *h, struct render *r, const struct runinfo *ri)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RUN_LOGS);
	bind_text(q, ":id", ri->id);
	int step, n = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!n++)
			html_lit(h, "<section id=\"logs\"><h2>Logs</h2>\n<ul class=\"logs\">\n");
		const char *name = col_text(q, 0);
		const char *shown = strncmp(name, "logs/", 5) ? name : name + 5;
		struct url u;
		url_log(&u, ri->id, name, 1);
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, shown);
		html_lit(h, "</a> <small>");
		html_int(h, sqlite3_column_int64(q, 2));
		html_lit(h, " lines, ");
		html_int(h, sqlite3_column_int64(q, 1));
		/* no link to the raw copy here: page_log writes one only where the page does
		 * not show the log exactly (log_exact), and its page links it then */
		if (sqlite3_column_type(q, 4) != SQLITE_NULL)
			html_lit(h, " bytes, pruned</small>"); /* the log page says when */
		else
			html_lit(h, " bytes</small>");
		if (sqlite3_column_type(q, 3) != SQLITE_NULL) {
			html_lit(h, " <span class=\"warn\">");
			html_text(h, col_text(q, 3));
			html_lit(h, "</span>");
		}
		html_lit(h, "</li>\n");
	}
	sqlite3_reset(q);
	if (n)
		html_lit(h, "</ul></section>\n");
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing logs");
}

/* the visible permalink of one anchor; site.js adds a "copy as markdown link"
 * button beside each, with its text from the page (h1 data-*, the tier's
 * data-tier, the testcase's name), so the page does not carry it twice */
static void permalink(struct html *h, const char *anchor)
{
	html_lit(h, " <a class=\"perma\" href=\"");
	html_href_frag(h, anchor);
	html_lit(h, "\" title=\"permalink\">#</a>");
}

static void shown_text(struct html *h, const char *p, size_t n, const char *cls)
{
	html_lit(h, "<pre class=\"");
	html_attr(h, cls);
	html_lit(h, "\">");
	html_textn(h, p, n > RUN_DETAILS_SHOWN ? RUN_DETAILS_SHOWN : n);
	if (n > RUN_DETAILS_SHOWN) {
		html_lit(h, "\n\xe2\x80\xa6 ");
		html_int(h, (int64_t)(n - RUN_DETAILS_SHOWN));
		html_lit(h, " more bytes (ccr show has them all)");
	}
	html_lit(h, "</pre>\n");
}

static void detail_block(struct html *h, sqlite3_stmt *c, int col, const char *summary, int open)
{
	if (sqlite3_column_type(c, col) == SQLITE_NULL)
		return;
	const char *p = (const char *)sqlite3_column_text(c, col);
	size_t n = (size_t)sqlite3_column_bytes(c, col);
	if (!n)
		return;
	if (open)
		html_lit(h, "<details open><summary>");
	else
		html_lit(h, "<details><summary>");
	html_text(h, summary);
	html_lit(h, "</summary>");
	shown_text(h, p, n, summary);
	html_lit(h, "</details>\n");
}

/* the testcases of one tier: the rows of c (positioned by *step) while their tier is
 * this one; leaves c on the first row of the next tier */
static int testcases(struct html *h, struct render *r, const struct runinfo *ri, const char *tier,
		     sqlite3_stmt *c, int *step)
{
	int64_t n = 0;
	html_lit(h, "<ul class=\"cases\">\n");
	for (; *step == SQLITE_ROW && !strcmp(col_text(c, 0), tier); *step = sqlite3_step(c)) {
		if (++n > RUN_CASES_SHOWN)
			continue;
		int64_t test_id = sqlite3_column_int64(c, 1);
		const char *cls = col_text(c, 2), *name = col_text(c, 3), *slug = col_text(c, 4),
			   *status = col_text(c, 5);
		char a[2 * SLUG_SIZE + 2];
		anchor_test(tier, slug, a);
		struct url ut;
		url_test(&ut, ri->recipe, tier, slug);
		int bad = status_is_bad(status) || !strcmp(status, "flaky");
		html_lit(h, "<li id=\"");
		html_attr(h, a);
		if (bad)
			html_lit(h, "\" class=\"case bad\">");
		else
			html_lit(h, "\" class=\"case\">");
		html_status(h, status);
		html_lit(h, " <a class=\"name\" href=\"");
		html_href(h, &ut, NULL);
		html_lit(h, "\">");
		if (*cls) {
			html_lit(h, "<span class=\"cls\">");
			html_text(h, cls);
			html_lit(h, "::</span>");
		}
		html_text(h, name);
		html_lit(h, "</a> ");
		if (is_badged(ri, test_id))
			state_word(h, r->st, test_id, ri->version, ri->harness_ref, &ut);
		html_lit(h, " <small>");
		html_duration(h, sqlite3_column_type(c, 6) == SQLITE_NULL ? -1
									   : sqlite3_column_int64(c, 6));
		html_lit(h, "</small>");
		permalink(h, a);
		if (sqlite3_column_type(c, 7) != SQLITE_NULL && *col_text(c, 7)) {
			const char *m = col_text(c, 7);
			html_lit(h, "\n");
			shown_text(h, m, strlen(m), "message");
		}
		if (bad)
			state_signature_note(h, r->st, ri->id, test_id);
		if (bad || !strcmp(status, "skipped") || !strcmp(status, "xfail")) {
			detail_block(h, c, 9, "traceback", bad);
			detail_block(h, c, 10, "system-out", 0);
			detail_block(h, c, 11, "system-err", 0);
		}
		if (sqlite3_column_int(c, 12))
			html_lit(h, "<p class=\"warn\">Some text of this testcase was cut at its "
				    "size limit when it was collected.</p>\n");
		html_lit(h, "</li>\n");
	}
	html_lit(h, "</ul>\n");
	html_more(h, n - RUN_CASES_SHOWN, "testcases (ccr show lists them all)");
	return *step == SQLITE_ROW || *step == SQLITE_DONE ? 0 : store_error(r->st, "reading testcases");
}

static int tiers(struct html *h, struct render *r, const struct runinfo *ri)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_RUN_TIERS);
	bind_text(q, ":id", ri->id);
	int step, rc = 0;
	/* copy the tier rows first: the testcases are read while they are written */
	struct tierrow {
		char *name, *status, *reason;
		int64_t tests, failures, errors, skipped, time_ms;
	} *rows = NULL;
	size_t nrows = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		rows = xrealloc(rows, (nrows + 1) * sizeof(*rows));
		struct tierrow *t = &rows[nrows++];
		t->name = xstrdup(col_text(q, 0));
		t->status = xstrdup(col_text(q, 1));
		t->reason = sqlite3_column_type(q, 2) == SQLITE_NULL ? NULL : xstrdup(col_text(q, 2));
		t->tests = sqlite3_column_int64(q, 3);
		t->failures = sqlite3_column_int64(q, 4);
		t->errors = sqlite3_column_int64(q, 5);
		t->skipped = sqlite3_column_int64(q, 6);
		t->time_ms = sqlite3_column_type(q, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 7);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "reading tiers");
	if (!nrows && rc == 0)
		html_lit(h, "<p>This run recorded no tier.</p>\n");
	sqlite3_stmt *c = store_stmt(r->st, SQL_RUN_CASES);
	bind_text(c, ":id", ri->id);
	int cstep = sqlite3_step(c);
	for (size_t i = 0; i < nrows && rc == 0; i++) {
		struct tierrow *t = &rows[i];
		char a[SLUG_SIZE];
		anchor_tier(t->name, a);
		html_lit(h, "<section class=\"tier\" id=\"");
		html_attr(h, a);
		html_lit(h, "\" data-tier=\"");
		html_attr(h, t->name);
		html_lit(h, "\"><h2>");
		html_text(h, t->name);
		html_lit(h, " ");
		html_status(h, t->status);
		permalink(h, a);
		html_lit(h, "</h2>\n<p class=\"counts\">");
		html_int(h, t->tests);
		html_lit(h, " tests, ");
		html_int(h, t->failures);
		html_lit(h, " failed, ");
		html_int(h, t->errors);
		html_lit(h, " errors, ");
		html_int(h, t->skipped);
		html_lit(h, " skipped, ");
		html_duration(h, t->time_ms);
		html_lit(h, "</p>\n");
		if (t->reason) {
			html_lit(h, "<p class=\"reason\">");
			html_text(h, t->reason);
			html_lit(h, "</p>\n");
		}
		rc = testcases(h, r, ri, t->name, c, &cstep);
		html_lit(h, "</section>\n");
	}
	sqlite3_reset(c);
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].status);
		free(rows[i].reason);
	}
	free(rows);
	return rc;
}

static int one_run(struct render *r, struct html *h, sqlite3_stmt *q)
{
	struct runinfo ri;
	ri.id = col_text(q, R_ID);
	ri.recipe = col_text(q, R_RECIPE);
	ri.version = sqlite3_column_type(q, R_VERSION) == SQLITE_NULL ? NULL : col_text(q, R_VERSION);
	ri.harness_ref = sqlite3_column_type(q, R_HREF) == SQLITE_NULL ? NULL : col_text(q, R_HREF);
	time_fmt_iso(sqlite3_column_int64(q, R_STARTED), ri.date);
	ri.date[10] = '\0'; /* the date part */
	url_run(&ri.self, ri.id);
	struct url home, ur;
	url_page(&home, "index.html");
	url_recipe(&ur, ri.recipe);
	html_reset(h, url_depth(&ri.self));
	struct crumb c[] = {{"overview", &home}, {ri.recipe, &ur}, {ri.id, NULL}};
	struct buf title = BUF_INIT;
	buf_addf(&title, "%s %s run %s", ri.recipe, ri.version ? ri.version : "", ri.id);
	layout_begin(h, buf_str(&title), c, 3);
	buf_release(&title);
	/* what site.js needs for "copy as markdown link" */
	html_lit(h, "<h1 id=\"run\" data-recipe=\"");
	html_attr(h, ri.recipe);
	html_lit(h, "\" data-version=\"");
	html_attr(h, ri.version ? ri.version : "");
	html_lit(h, "\" data-date=\"");
	html_attr(h, ri.date);
	if (r->base_url) {
		struct buf abs = BUF_INIT;
		url_abs(&abs, r->base_url, &ri.self, NULL);
		html_lit(h, "\" data-base=\"");
		html_attr(h, buf_str(&abs));
		buf_release(&abs);
	}
	html_lit(h, "\"><a href=\"");
	html_href(h, &ur, NULL);
	html_lit(h, "\">");
	html_text(h, ri.recipe);
	html_lit(h, "</a> ");
	html_text(h, ri.version ? ri.version : "(unknown tag)");
	html_lit(h, " ");
	html_status(h, col_text(q, R_STATUS));
	html_lit(h, "</h1>\n");
	metadata(h, r, q);
	int rc = load_badged(r, &ri);
	if (rc == 0)
		rc = logs(h, r, &ri);
	if (rc == 0)
		rc = tiers(h, r, &ri);
	free(ri.badged);
	if (rc < 0)
		return -1;
	docs_citations(h, r, "run", ri.id);
	layout_end(h, sqlite3_column_int64(q, R_INGESTED));
	return render_page(r, &ri.self, h);
}

int page_runs(struct render *r)
{
	struct html h;
	html_init(&h, r, 2);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_RUNS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (render_mine(r) && (rc = one_run(r, &h, q)) < 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing runs");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
