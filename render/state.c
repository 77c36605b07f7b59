/* state: classification badges and signature notes on pages (see state.h) */
#include "state.h"
#include "html.h"
#include "url.h"

#include <stdio.h>
#include <string.h>

#include "../lib/signature.h"

void url_signature(struct url *u, const char *sig_id)
{
	char path[64];
	/* ids are written by collect as 12 hex digits; anything else is kept out of the path */
	size_t n = strspn(sig_id, "0123456789abcdef");
	if (n != SIGNATURE_ID_LEN || sig_id[n])
		sig_id = "invalid";
	snprintf(path, sizeof(path), "signatures/%s.html", sig_id);
	url_page(u, path);
}

/* the badge as a span, or as a link to link#frag when link is not NULL */
static void badge(struct html *h, const char *state, int load, const char *evidence,
		  const struct url *link, const char *frag)
{
	if (link) {
		html_lit(h, "<a class=\"cl cl-");
		html_attr(h, load ? "load" : state);
		html_lit(h, "\" href=\"");
		html_href(h, link, frag);
	} else {
		html_lit(h, "<span class=\"cl cl-");
		html_attr(h, load ? "load" : state);
	}
	html_lit(h, "\"");
	if (evidence) {
		html_lit(h, " title=\"");
		html_attr(h, evidence);
		html_lit(h, "\"");
	}
	html_lit(h, ">");
	/* a symbol and a word as well as the colour, so it reads without colour */
	if (load)
		html_lit(h, "\xe2\x89\x88 load flake");	/* ≈ */
	else if (!strcmp(state, "flaky"))
		html_lit(h, "\xe2\x89\x88 flaky");
	else if (!strcmp(state, "deterministic"))
		html_lit(h, "\xe2\x96\xa0 deterministic");	/* ■ */
	else if (!strcmp(state, "new"))
		html_lit(h, "\xe2\x97\x8b new");	/* ○ */
	else if (!strcmp(state, "fixed"))
		html_lit(h, "\xe2\x9c\x93 fixed");	/* ✓ */
	else if (!strcmp(state, "passing"))
		html_lit(h, "\xe2\x9c\x93 passing");
	else if (!strcmp(state, "incident"))
		html_lit(h, "\xe2\x9a\xa0 incident");	/* ⚠ */
	else
		html_text(h, state);
	if (link)
		html_lit(h, "</a>");
	else
		html_lit(h, "</span>");
}

void state_badge_plain(struct html *h, const char *state, int load, const char *evidence)
{
	badge(h, state, load, evidence, NULL, NULL);
}

void state_word(struct html *h, struct store *st, int64_t test_id, const char *version,
		const char *harness_ref, const struct url *test_page)
{
	static const char q[] = "SELECT state, load, excluded FROM classification"
				" WHERE test_id = :test AND version = :version AND harness_ref = :href";
	sqlite3_stmt *s = store_stmt(st, q);
	bind_int(s, ":test", test_id);
	bind_text(s, ":version", version ? version : "");
	bind_text(s, ":href", harness_ref ? harness_ref : "");
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *state = col_text(s, 0);
		if (strcmp(state, "passing") || sqlite3_column_int(s, 2))
			badge(h, state, sqlite3_column_int(s, 1),
			      "evidence on the test page", test_page,
			      "tags");
	}
	sqlite3_reset(s);
}

void state_badge(struct html *h, struct store *st, int64_t test_id, const char *version)
{
	static const char q[] =
		"SELECT state, load, evidence, excluded FROM classification"
		" WHERE test_id = :test AND version = :version ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, q);
	bind_int(s, ":test", test_id);
	bind_text(s, ":version", version ? version : "");
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *state = col_text(s, 0);
		/* a plainly passing test needs no badge: it would be on every green line */
		if (strcmp(state, "passing") || sqlite3_column_int(s, 3)) {
			state_badge_plain(h, state, sqlite3_column_int(s, 1), col_text(s, 2));
			html_lit(h, " <span class=\"cl-ev\">");
			html_text(h, col_text(s, 2));
			html_lit(h, "</span>");
		}
	}
	sqlite3_reset(s);
}

void state_signature_note(struct html *h, struct store *st, const char *run_id, int64_t test_id)
{
	/* the text only: how often it was seen moves with every run, and is on the
	 * signature's page (a run page changes only when a state it shows changes) */
	static const char q[] =
		"SELECT g.id, g.text FROM testcase tc JOIN signature g ON g.id = tc.signature"
		" WHERE tc.run_id = :run AND tc.test_id = :test";
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":run", run_id);
	bind_int(s, ":test", test_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		struct url u;
		url_signature(&u, col_text(s, 0));
		html_lit(h, "<div class=\"sig\">signature <a href=\"");
		html_href(h, &u, NULL);
		html_lit(h, "\"><code>");
		html_text(h, col_text(s, 1));
		html_lit(h, "</code></a> (where else and how often: on its page)</div>");
	}
	sqlite3_reset(s);
}

void state_tier_badge(struct html *h, struct store *st, const char *run_id, const char *tier)
{
	static const char q[] =
		"SELECT c.state, c.load, t.name, it.run_id IS NOT NULL,"
		"       (SELECT count(*) FROM testcase x WHERE x.run_id = tc.run_id AND x.tier = tc.tier"
		"         AND x.status IN ('failed', 'error'))"
		"  FROM testcase tc JOIN run r ON r.id = tc.run_id JOIN test t ON t.id = tc.test_id"
		"  LEFT JOIN incident_testcase it ON it.run_id = tc.run_id AND it.test_id = tc.test_id"
		"  LEFT JOIN classification c ON c.test_id = tc.test_id"
		"   AND c.version = coalesce(r.version, '') AND c.harness_ref = coalesce(r.harness_ref, '')"
		" WHERE tc.run_id = :run AND tc.tier = :tier AND tc.status IN ('failed', 'error')"
		" ORDER BY it.run_id IS NOT NULL, CASE c.state WHEN 'deterministic' THEN 0 WHEN 'new' THEN 1"
		"          WHEN 'flaky' THEN 2 + c.load ELSE 4 END, tc.seq LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":run", run_id);
	bind_text(s, ":tier", tier);
	if (sqlite3_step(s) == SQLITE_ROW) {
		int64_t more = sqlite3_column_int64(s, 4) - 1;
		struct buf title = BUF_INIT;
		if (sqlite3_column_int(s, 3)) {
			buf_adds(&title, "an infrastructure incident: most recipes of this sweep failed "
					 "this tier alike; not counted");
			state_badge_plain(h, "incident", 0, buf_str(&title));
		} else if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
			/* the test, not its evidence: that moves with every run (on the test page) */
			buf_adds(&title, col_text(s, 2));
			if (more > 0)
				buf_addf(&title, " (and %lld more failing %s)", (long long)more,
					 more == 1 ? "test" : "tests");
			state_badge_plain(h, col_text(s, 0), sqlite3_column_int(s, 1), buf_str(&title));
		}
		buf_release(&title);
	}
	sqlite3_reset(s);
}
