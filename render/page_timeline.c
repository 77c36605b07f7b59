/*
 * page_timeline: the canonical promote timeline.
 * Writes: timeline.html (every render that has anything new): one SVG lane per
 * recipe (a mark per promote attempt and record change, linked to its run; the
 * canonical version held between them), the canonical each recipe holds now, the
 * recipes not enrolled, and every event as a table. Also timeline_lane() for a
 * recipe page (timeline.h).
 * Queries: canon_timeline (view over canon_event and run.promote_*; index
 * run_promote), canon_current, canon_record, run by recipe (run_recipe_version)
 * for the latest tag, and one scan of run for the recipes not enrolled.
 */
#include "pages.h"
#include "layout.h"
#include "timeline.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* events drawn and listed on timeline.html (the newest): a few months of a fleet's
 * promotes. The page is rewritten every night, and each event costs ~800 bytes (a
 * mark and a table row), so it is ~200 KB at most, whatever the history; each
 * recipe page keeps its own recent events, each month page its runs' promotes */
#define TL_EVENTS_MAX 250
/* events on one recipe page (rewritten with each of its runs): a year or two of
 * promotes, ~50 KB at most; older attempts are in the month pages' runs tables */
#define TL_RECIPE_EVENTS_MAX 60
/* lanes drawn; more recipes than this are listed in the table only */
#define TL_LANES_MAX 400
/* SVG geometry, px */
#define TL_LABEL_W 180
#define TL_PLOT_W 760
#define TL_LANE_H 28
#define TL_AXIS_H 24
#define TL_RIGHT 16

/* one of two literals (html_lit takes literals only) */
#define LIT2(h, cond, a, b)                                                                        \
	do {                                                                                       \
		if (cond)                                                                          \
			html_lit((h), a);                                                          \
		else                                                                               \
			html_lit((h), b);                                                          \
	} while (0)

struct tl_event {
	char *recipe, *kind, *version, *prev, *run, *run_status;
	int64_t at;
};

struct tl_set {
	struct tl_event *v;
	size_t n, cap;
	int64_t more;	/* events left out (older than the ones kept) */
};

static const char SQL_EVENTS_ALL[] =
	"SELECT e.recipe, e.at, e.kind, e.version, e.prev_version, e.run_id, r.status,"
	" (SELECT count(*) FROM canon_timeline)"
	" FROM (SELECT * FROM canon_timeline ORDER BY at DESC, recipe DESC, kind DESC,"
	"  ifnull(run_id, '') DESC LIMIT :n) e LEFT JOIN run r ON r.id = e.run_id"
	" ORDER BY e.at, e.recipe, e.kind, ifnull(e.run_id, '')";

static const char SQL_EVENTS_RECIPE[] =
	"SELECT e.recipe, e.at, e.kind, e.version, e.prev_version, e.run_id, r.status,"
	" (SELECT count(*) FROM canon_timeline WHERE recipe = :r)"
	" FROM (SELECT * FROM canon_timeline WHERE recipe = :r ORDER BY at DESC, kind DESC,"
	"  ifnull(run_id, '') DESC LIMIT :n) e LEFT JOIN run r ON r.id = e.run_id"
	" ORDER BY e.at, e.kind, ifnull(e.run_id, '')";

/* the record held now, and since when (its ts, else when it was first seen) */
static const char SQL_CURRENT[] =
	"SELECT version, coalesce(ts, seen_at), status FROM canon_current WHERE recipe = :r";
static const char SQL_LAST_RECORD[] =
	"SELECT hash IS NULL, seen_at FROM canon_record WHERE recipe = :r ORDER BY seq DESC LIMIT 1";
static const char SQL_LATEST_TAG[] =
	"SELECT version FROM run WHERE recipe = :r AND version IS NOT NULL"
	" ORDER BY version COLLATE version DESC LIMIT 1";
static const char SQL_BEHIND[] =
	"SELECT count(DISTINCT version) FROM run WHERE recipe = :r AND version IS NOT NULL"
	" AND version > :v COLLATE version";
static const char SQL_ATTEMPTS[] =
	"SELECT count(*), sum(kind = 'failed') FROM canon_timeline WHERE recipe = :r"
	" AND kind IN ('promoted', 'advanced', 'failed')";
/* every recipe with a record or an attempt, for the "canonical now" table */
static const char SQL_ENROLLED[] =
	"SELECT recipe FROM canon_record UNION SELECT recipe FROM canon_timeline ORDER BY 1";
/* recipes with runs and neither a record nor a promote attempt (scans run on purpose:
 * one DISTINCT per render) */
static const char SQL_NOT_ENROLLED[] =
	"SELECT DISTINCT recipe FROM run WHERE recipe NOT IN (SELECT recipe FROM canon_record)"
	" AND recipe NOT IN (SELECT recipe FROM canon_timeline) ORDER BY recipe";

static char *dupn(sqlite3_stmt *q, int i)
{
	return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL : xstrdup(col_text(q, i));
}

static void tl_release(struct tl_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct tl_event *e = &s->v[i];
		free(e->recipe);
		free(e->kind);
		free(e->version);
		free(e->prev);
		free(e->run);
		free(e->run_status);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int tl_load(struct render *r, const char *recipe, struct tl_set *s)
{
	memset(s, 0, sizeof(*s));
	sqlite3_stmt *q = store_stmt(r->st, recipe ? SQL_EVENTS_RECIPE : SQL_EVENTS_ALL);
	if (recipe)
		bind_text(q, ":r", recipe);
	int64_t max = recipe ? TL_RECIPE_EVENTS_MAX : TL_EVENTS_MAX;
	bind_int(q, ":n", max);
	int step;
	int64_t total = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
		}
		struct tl_event *e = &s->v[s->n++];
		e->recipe = xstrdup(col_text(q, 0));
		e->at = sqlite3_column_int64(q, 1);
		e->kind = xstrdup(col_text(q, 2));
		e->version = dupn(q, 3);
		e->prev = dupn(q, 4);
		e->run = dupn(q, 5);
		e->run_status = dupn(q, 6);
		total = sqlite3_column_int64(q, 7);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		tl_release(s);
		return store_error(r->st, "reading the promote timeline");
	}
	s->more = total > (int64_t)s->n ? total - (int64_t)s->n : 0;
	return 0;
}

/* kinds that set the canonical version */
static int sets_version(const char *kind)
{
	return !strcmp(kind, "promoted") || !strcmp(kind, "advanced") ||
	       !strcmp(kind, "enrolled") || !strcmp(kind, "changed_unexplained");
}

/* "green but promote failed": a failed attempt after a run whose tiers all passed */
static int green_then_failed(const struct tl_event *e)
{
	return !strcmp(e->kind, "failed") && e->run_status &&
	       !strcmp(e->run_status, "promote_failed");
}

static void kind_words(struct html *h, const struct tl_event *e)
{
	const char *k = e->kind;
	html_lit(h, "<span class=\"ev ev-");
	html_attr(h, k);
	html_lit(h, "\">");
	if (!strcmp(k, "promoted"))
		html_lit(h, "\xe2\x86\x91 promoted");
	else if (!strcmp(k, "advanced"))
		html_lit(h, "\xe2\x87\xa1 advanced");
	else if (green_then_failed(e))
		html_lit(h, "\xe2\x9c\x93\xe2\x9c\x97 green, then promote failed");
	else if (!strcmp(k, "failed"))
		html_lit(h, "\xe2\x9c\x97 promote failed");
	else if (!strcmp(k, "enrolled"))
		html_lit(h, "\xe2\x96\xa0 first record");
	else if (!strcmp(k, "changed_unexplained"))
		html_lit(h, "? record changed, no run explains it");
	else if (!strcmp(k, "status"))
		html_lit(h, "\xc2\xb7 record status changed");
	else if (!strcmp(k, "removed"))
		html_lit(h, "\xe2\x88\x85 record removed");
	else
		html_text(h, k);
	html_lit(h, "</span>");
}

/* ---- the SVG ---- */

struct tl_scale {
	int64_t t0, t1;
};

static int64_t xpos(const struct tl_scale *sc, int64_t t)
{
	if (t < sc->t0)
		t = sc->t0;
	if (t > sc->t1)
		t = sc->t1;
	return TL_LABEL_W + (t - sc->t0) * TL_PLOT_W / (sc->t1 - sc->t0);
}

static void svg_title(struct html *h, const struct tl_event *e)
{
	char when[17];
	time_fmt_short(e->at, when);
	html_lit(h, "<title>");
	html_text(h, when);
	html_lit(h, " ");
	html_text(h, e->recipe);
	html_lit(h, ": ");
	if (green_then_failed(e))
		html_lit(h, "green, then promote failed");
	else if (!strcmp(e->kind, "changed_unexplained"))
		html_lit(h, "record changed, no run explains it");
	else
		html_text(h, e->kind);
	if (e->version) {
		html_lit(h, " ");
		html_text(h, e->version);
	}
	if (e->run) {
		html_lit(h, " (run ");
		html_text(h, e->run);
		html_lit(h, ")");
	}
	html_lit(h, "</title>");
}

static void svg_mark(struct html *h, const struct tl_event *e, int64_t x, int64_t y)
{
	struct url u;
	if (e->run) {
		url_run(&u, e->run);
		html_lit(h, "<a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
	}
	html_lit(h, "<g class=\"mk mk-");
	html_attr(h, green_then_failed(e) ? "green-failed" : e->kind);
	html_lit(h, "\">");
	svg_title(h, e);
	const char *k = e->kind;
	if (!strcmp(k, "promoted")) {
		html_lit(h, "<circle r=\"6\" cx=\"");
		html_int(h, x);
		html_lit(h, "\" cy=\"");
		html_int(h, y);
		html_lit(h, "\"/>");
	} else if (!strcmp(k, "advanced")) {
		html_lit(h, "<path d=\"M");
		html_int(h, x);
		html_lit(h, " ");
		html_int(h, y - 7);
		html_lit(h, "l7 12h-14z\"/>");
	} else if (!strcmp(k, "failed")) {
		html_lit(h, "<path d=\"M");
		html_int(h, x - 5);
		html_lit(h, " ");
		html_int(h, y - 5);
		html_lit(h, "l10 10m0 -10l-10 10\"/>");
	} else {
		html_lit(h, "<rect width=\"8\" height=\"8\" x=\"");
		html_int(h, x - 4);
		html_lit(h, "\" y=\"");
		html_int(h, y - 4);
		html_lit(h, "\"/>");
	}
	html_lit(h, "</g>");
	if (e->run)
		html_lit(h, "</a>");
}

static void svg_held(struct html *h, const char *version, int64_t x0, int64_t x1, int64_t y)
{
	if (!version || x1 <= x0)
		return;
	html_lit(h, "<g class=\"held\"><title>canonical ");
	html_text(h, version);
	html_lit(h, "</title><rect x=\"");
	html_int(h, x0);
	html_lit(h, "\" y=\"");
	html_int(h, y + 5);
	html_lit(h, "\" width=\"");
	html_int(h, x1 - x0);
	html_lit(h, "\" height=\"");
	html_int(h, TL_LANE_H - 10);
	html_lit(h, "\" rx=\"3\"/>");
	/* the version as text when it fits (about 7 px a character) */
	if ((int64_t)strlen(version) * 7 + 16 < x1 - x0) {
		html_lit(h, "<text x=\"");
		html_int(h, x0 + 8);
		html_lit(h, "\" y=\"");
		html_int(h, y + TL_LANE_H / 2 + 4);
		html_lit(h, "\">");
		html_text(h, version);
		html_lit(h, "</text>");
	}
	html_lit(h, "</g>");
}

static void svg_axis(struct html *h, const struct tl_scale *sc, int64_t height)
{
	static const int64_t steps[] = {3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400};
	int64_t step = steps[sizeof(steps) / sizeof(steps[0]) - 1];
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((sc->t1 - sc->t0) / steps[i] <= 8) {
			step = steps[i];
			break;
		}
	}
	html_lit(h, "<g class=\"axis\">");
	for (int64_t t = (sc->t0 / step + 1) * step; t < sc->t1; t += step) {
		int64_t x = xpos(sc, t);
		char s[17];
		time_fmt_short(t, s); /* "2026-06-18 00:17" */
		html_lit(h, "<line x1=\"");
		html_int(h, x);
		html_lit(h, "\" x2=\"");
		html_int(h, x);
		html_lit(h, "\" y1=\"");
		html_int(h, TL_AXIS_H - 6);
		html_lit(h, "\" y2=\"");
		html_int(h, height);
		html_lit(h, "\"/>");
		/* a label that would run off the right edge is left out; the line stays */
		if (x + 80 > TL_LABEL_W + TL_PLOT_W + TL_RIGHT)
			continue;
		html_lit(h, "<text x=\"");
		html_int(h, x + 3);
		html_lit(h, "\" y=\"");
		html_int(h, TL_AXIS_H - 10);
		html_lit(h, "\">");
		/* dates for day steps and longer, hours within a day */
		if (step >= 86400)
			html_textn(h, s, 10);
		else
			html_textn(h, s + 5, 11);
		html_lit(h, "</text>");
	}
	html_lit(h, "</g>");
}

/* one lane: events [a, b) of one recipe, in time order */
static void svg_lane(struct html *h, const struct tl_set *s, size_t a, size_t b,
		     const struct tl_scale *sc, int64_t y, int link_label)
{
	const char *recipe = s->v[a].recipe;
	char id[SLUG_SIZE];
	seg_name(recipe, id);
	html_lit(h, "<g class=\"lane\" id=\"lane-");
	html_attr(h, id);
	html_lit(h, "\"><line class=\"base\" x1=\"");
	html_int(h, TL_LABEL_W);
	html_lit(h, "\" x2=\"");
	html_int(h, TL_LABEL_W + TL_PLOT_W);
	html_lit(h, "\" y1=\"");
	html_int(h, y + TL_LANE_H / 2);
	html_lit(h, "\" y2=\"");
	html_int(h, y + TL_LANE_H / 2);
	html_lit(h, "\"/>");
	if (link_label) {
		struct url u;
		url_recipe(&u, recipe);
		html_lit(h, "<a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
	}
	html_lit(h, "<text class=\"label\" x=\"4\" y=\"");
	html_int(h, y + TL_LANE_H / 2 + 4);
	html_lit(h, "\">");
	/* long names are cut: the table below has them whole */
	size_t len = strlen(recipe);
	if (len > 24) {
		html_textn(h, recipe, 22);
		html_lit(h, "\xe2\x80\xa6");
	} else {
		html_text(h, recipe);
	}
	html_lit(h, "</text>");
	if (link_label)
		html_lit(h, "</a>");
	/* the versions held: from the first event's "before" to the end */
	const char *held = s->v[a].prev;
	int64_t from = sc->t0;
	for (size_t i = a; i < b; i++) {
		const struct tl_event *e = &s->v[i];
		if (sets_version(e->kind) && e->version && (!held || strcmp(held, e->version))) {
			svg_held(h, held, xpos(sc, from), xpos(sc, e->at), y);
			held = e->version;
			from = e->at;
		} else if (!strcmp(e->kind, "removed")) {
			svg_held(h, held, xpos(sc, from), xpos(sc, e->at), y);
			held = NULL;
			from = e->at;
		}
	}
	svg_held(h, held, xpos(sc, from), xpos(sc, sc->t1), y);
	for (size_t i = a; i < b; i++)
		svg_mark(h, &s->v[i], xpos(sc, s->v[i].at), y + TL_LANE_H / 2);
	html_lit(h, "</g>\n");
}

/* the lanes of every recipe in s (sorted by recipe for drawing, events in time order) */
static int cmp_recipe_at(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;
	int c = strcmp(x->recipe, y->recipe);
	if (c)
		return c;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	c = strcmp(x->kind, y->kind);
	return c ? c : strcmp(x->run ? x->run : "", y->run ? y->run : "");
}

static void svg_lanes(struct html *h, struct render *r, const struct tl_set *s, int link_labels)
{
	if (!s->n)
		return;
	struct tl_set sorted = *s;
	sorted.v = xmalloc(s->n * sizeof(*s->v));
	memcpy(sorted.v, s->v, s->n * sizeof(*s->v));
	qsort(sorted.v, s->n, sizeof(*s->v), cmp_recipe_at);
	struct tl_scale sc = {s->v[0].at, s->v[s->n - 1].at};
	if (r->as_of > sc.t1)
		sc.t1 = r->as_of;
	int64_t pad = (sc.t1 - sc.t0) / 30;
	if (pad < 3600)
		pad = 3600;
	sc.t0 -= pad;
	sc.t1 += pad;
	size_t lanes = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!i || strcmp(sorted.v[i].recipe, sorted.v[i - 1].recipe))
			lanes++;
	if (lanes > TL_LANES_MAX)
		lanes = TL_LANES_MAX;
	int64_t height = TL_AXIS_H + (int64_t)lanes * TL_LANE_H + 4;
	html_lit(h, "<div class=\"scroll\"><svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\""
		    " role=\"img\" aria-label=\"promote timeline: the table below holds the same facts\""
		    " width=\"");
	html_int(h, TL_LABEL_W + TL_PLOT_W + TL_RIGHT);
	html_lit(h, "\" height=\"");
	html_int(h, height);
	html_lit(h, "\" viewBox=\"0 0 ");
	html_int(h, TL_LABEL_W + TL_PLOT_W + TL_RIGHT);
	html_lit(h, " ");
	html_int(h, height);
	html_lit(h, "\">\n");
	svg_axis(h, &sc, height);
	size_t lane = 0, a = 0;
	for (size_t i = 1; i <= s->n && lane < lanes; i++) {
		if (i < s->n && !strcmp(sorted.v[i].recipe, sorted.v[a].recipe))
			continue;
		svg_lane(h, &sorted, a, i, &sc, TL_AXIS_H + (int64_t)lane * TL_LANE_H, link_labels);
		lane++;
		a = i;
	}
	html_lit(h, "</svg></div>\n<p class=\"legend\"><span class=\"ev ev-promoted\">\xe2\x97\x8f "
		    "promoted</span> <span class=\"ev ev-advanced\">\xe2\x96\xb2 advanced</span> "
		    "<span class=\"ev ev-failed\">\xe2\x9c\x97 promote failed</span> "
		    "<span class=\"ev ev-other\">\xe2\x96\xa0 record change</span>; the bars are the "
		    "canonical version held. Marks link to their run.</p>\n");
	free(sorted.v);
}

/* ---- the table ---- */

static void events_table(struct html *h, const struct tl_set *s, int with_recipe)
{
	if (!s->n) {
		html_lit(h, "<p>No promote attempts and no canonical records yet.</p>\n");
		return;
	}
	html_lit(h, "<div class=\"scroll\"><table class=\"timeline-events\"><thead><tr><th>when</th>");
	if (with_recipe)
		html_lit(h, "<th>recipe</th>");
	html_lit(h, "<th>event</th><th>version</th><th>canonical before</th><th>run</th>"
		    "</tr></thead><tbody>\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct tl_event *e = &s->v[i];
		html_lit(h, "<tr class=\"ev-row ev-");
		html_attr(h, green_then_failed(e) ? "green-failed" : e->kind);
		html_lit(h, "\"><td>");
		html_time(h, e->at);
		html_lit(h, "</td><td>");
		if (with_recipe) {
			struct url u;
			url_recipe(&u, e->recipe);
			html_lit(h, "<a href=\"");
			html_href(h, &u, NULL);
			html_lit(h, "\">");
			html_text(h, e->recipe);
			html_lit(h, "</a></td><td>");
		}
		kind_words(h, e);
		html_lit(h, "</td><td>");
		if (e->version)
			html_text(h, e->version);
		html_lit(h, "</td><td>");
		if (e->prev)
			html_text(h, e->prev);
		html_lit(h, "</td><td>");
		if (e->run) {
			struct url u;
			url_run(&u, e->run);
			html_lit(h, "<a href=\"");
			html_href(h, &u, NULL);
			html_lit(h, "\">");
			html_text(h, e->run);
			html_lit(h, "</a> ");
			html_status(h, e->run_status);
		}
		html_lit(h, "</td></tr>\n");
	}
	html_lit(h, "</tbody></table></div>\n");
	html_more(h, s->more, "older events (promote attempts are in each recipe's month pages)");
}

/* ---- a recipe's canonical, in words ---- */

/* writes the canonical-now sentence; *enrolled tells the caller whether to draw */
static int canonical_now(struct html *h, struct render *r, const char *recipe, int table_row)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_CURRENT);
	bind_text(q, ":r", recipe);
	char *version = NULL;
	int64_t since = 0;
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		version = xstrdup(col_text(q, 0));
		since = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(r->st, "reading a canonical record");

	int removed = 0;
	int64_t removed_at = 0;
	q = store_stmt(r->st, SQL_LAST_RECORD);
	bind_text(q, ":r", recipe);
	if (sqlite3_step(q) == SQLITE_ROW) {
		removed = sqlite3_column_int(q, 0);
		removed_at = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	int64_t attempts = 0, failed = 0;
	q = store_stmt(r->st, SQL_ATTEMPTS);
	bind_text(q, ":r", recipe);
	if (sqlite3_step(q) == SQLITE_ROW) {
		attempts = sqlite3_column_int64(q, 0);
		failed = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	char *latest = NULL;
	q = store_stmt(r->st, SQL_LATEST_TAG);
	bind_text(q, ":r", recipe);
	if (sqlite3_step(q) == SQLITE_ROW)
		latest = xstrdup(col_text(q, 0));
	sqlite3_reset(q);
	int64_t behind = 0;
	if (version) {
		q = store_stmt(r->st, SQL_BEHIND);
		bind_text(q, ":r", recipe);
		bind_text(q, ":v", version);
		if (sqlite3_step(q) == SQLITE_ROW)
			behind = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	}

	if (table_row) {
		struct url u;
		url_recipe(&u, recipe);
		html_lit(h, "<tr><td><a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\">");
		html_text(h, recipe);
		html_lit(h, "</a></td><td>");
	} else {
		html_lit(h, "<p class=\"canon-now\">");
	}
	if (version) {
		if (!table_row)
			html_lit(h, "Canonical: ");
		html_lit(h, "<strong>");
		html_text(h, version);
		html_lit(h, "</strong>");
		LIT2(h, table_row, "</td><td>", " since ");
		html_time(h, since);
		LIT2(h, table_row, "</td><td>", "; ");
		if (!latest || !behind) {
			html_lit(h, "at the latest tag");
		} else {
			html_int(h, behind);
			LIT2(h, behind == 1, " tag behind ", " tags behind ");
			html_text(h, latest);
		}
	} else if (removed) {
		LIT2(h, table_row, "none</td><td>", "No canonical: its record was removed ");
		html_time(h, removed_at);
		LIT2(h, table_row, "</td><td>record removed", ".");
	} else if (attempts) {
		LIT2(h, table_row, "none</td><td></td><td>", "Enrolled, no canonical record: ");
		html_int(h, attempts);
		LIT2(h, attempts == 1, " promote attempt", " promote attempts");
		if (failed) {
			html_lit(h, ", ");
			html_int(h, failed);
			html_lit(h, " failed");
		}
	} else {
		LIT2(h, table_row, "</td><td></td><td>", "");
		html_lit(h, "Not enrolled: no canonical record and no promote attempt.");
	}
	LIT2(h, table_row, "</td></tr>\n", "</p>\n");
	free(version);
	free(latest);
	return 0;
}

int timeline_lane(struct html *h, struct render *r, const char *recipe)
{
	struct tl_set s;
	html_lit(h, "<section class=\"canonical\" id=\"canonical\"><h2>Canonical</h2>\n");
	if (canonical_now(h, r, recipe, 0) < 0 || tl_load(r, recipe, &s) < 0)
		return -1;
	svg_lanes(h, r, &s, 0);
	events_table(h, &s, 0);
	struct url t;
	url_page(&t, "timeline.html");
	html_lit(h, "<p><a href=\"");
	html_href(h, &t, NULL);
	html_lit(h, "\">every recipe's timeline</a></p>\n</section>\n");
	tl_release(&s);
	return 0;
}

int page_timeline(struct render *r)
{
	struct html h;
	struct url self, home;
	url_page(&self, "timeline.html");
	url_page(&home, "index.html");
	html_init(&h, r, 0);
	struct crumb c[] = {{"overview", &home}, {"timeline", NULL}};
	layout_begin(&h, "promote timeline", c, 2);
	html_lit(&h, "<h1>Promote timeline</h1>\n<p>Every promote and advance attempt of the "
		     "canonicals, and every change of their records, in time order.</p>\n");
	struct tl_set s;
	int rc = -1;
	if (tl_load(r, NULL, &s) < 0)
		goto out;
	svg_lanes(&h, r, &s, 1);

	html_lit(&h, "<h2 id=\"now\">Canonical now</h2>\n<div class=\"scroll\"><table class=\"canon-now\">"
		     "<thead><tr><th>recipe</th><th>canonical</th><th>since</th><th>latest tag</th>"
		     "</tr></thead><tbody>\n");
	sqlite3_stmt *q = store_stmt(r->st, SQL_ENROLLED);
	int step;
	char **names = NULL;
	size_t n = 0, cap = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(col_text(q, 0));
	}
	sqlite3_reset(q);
	int bad = step != SQLITE_DONE;
	for (size_t i = 0; i < n; i++) {
		if (!bad && canonical_now(&h, r, names[i], 1) < 0)
			bad = 1;
		free(names[i]);
	}
	free(names);
	if (bad) {
		store_error(r->st, "listing canonicals");
		tl_release(&s);
		goto out;
	}
	html_lit(&h, "</tbody></table></div>\n");

	q = store_stmt(r->st, SQL_NOT_ENROLLED);
	int first = 1;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct url u;
		url_recipe(&u, col_text(q, 0));
		LIT2(&h, first, "<p class=\"not-enrolled\">Not enrolled (runs, but no canonical "
				"record and no promote attempt): ", ", ");
		first = 0;
		html_lit(&h, "<a href=\"");
		html_href(&h, &u, NULL);
		html_lit(&h, "\">");
		html_text(&h, col_text(q, 0));
		html_lit(&h, "</a>");
	}
	sqlite3_reset(q);
	if (!first)
		html_lit(&h, ".</p>\n");
	if (step != SQLITE_DONE) {
		store_error(r->st, "listing recipes not enrolled");
		tl_release(&s);
		goto out;
	}
	html_lit(&h, "<h2 id=\"events\">Events</h2>\n");
	events_table(&h, &s, 1);
	tl_release(&s);
	layout_end(&h, r->as_of);
	rc = render_page(r, &self, &h);
out:
	html_release(&h);
	return rc;
}
