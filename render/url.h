/*
 * url: every URL of the site is built here, and only here.
 *
 * A struct url holds a page's path from the site root ("runs/<id>/index.html"),
 * made of segments that are slugs (lib/slug.h) or fixed words, so the same path
 * is the file's name under the output folder and, percent-encoded per segment,
 * the link to it. html_href() writes it relative to the page being written
 * ("../" x depth + path), so the site works from any prefix and from file://.
 * Only the feed and "copy link" make absolute URLs (url_abs(), with --base-url).
 *
 * The URL contract (DESIGN.md "Site URLs"):
 *   index.html, flakes.html, feed.atom, assets/<f>, data/<f>.json
 *   runs/<run>/index.html               anchors #<tier>, #<tier>--<test-slug>
 *   runs/<run>/logs/<log>.html          lines 1..LOG_LINES_PER_PAGE, anchors #L<n>
 *   runs/<run>/logs/<log>.p<k>.html     page k >= 2 of the same log
 *   runs/<run>/logs/<log>.txt           the raw log
 *   history/<YYYY-MM>.html              sweeps and other runs started in that UTC month
 *   recipes/<recipe>/index.html
 *   recipes/<recipe>/history/<YYYY-MM>.html   runs started in that UTC month
 *   recipes/<recipe>/tests/<tier>/<test-slug>.html
 *   sweeps/<sweep>.html
 *   badges/<recipe>.svg
 *   timeline.html, docs/index.html, docs/<folder>/<doc>.html (url_doc)
 *   data/runs/<YYYY-MM-DD>.json, data/classification/<recipe>/<version>[~<harness>].json,
 *   data/classification/<recipe>/index.json
 * <run> is the run id when it is already URL-safe (it always is when written by
 * collect), else its slug; <recipe>, <tier>, <log>, <sweep> are slug_name() of the
 * name; <test-slug> is the test.slug column (re-slugged if it were unsafe).
 */
#ifndef CCR_RENDER_URL_H
#define CCR_RENDER_URL_H

#include <stddef.h>

#include "../lib/buf.h"
#include "../lib/slug.h"

struct html;

/* longest path: runs/<slug>/logs/<slug>.p<k>.html or recipes/<s>/tests/<s>/<s>.html,
 * each slug at most SLUG_MAX bytes */
#define URL_PATH_MAX (6 * SLUG_SIZE + 64)

struct url {
	char path[URL_PATH_MAX];	/* from the site root, no leading '/' */
	size_t len;
};

/* A name as one safe path segment: slug_name() of it. */
void seg_name(const char *name, char out[SLUG_SIZE]);
/* A run id as a path segment: itself when made of [A-Za-z0-9._-] and not starting
 * with '.' or '-' (ids written by collect always are), else slug_name() of it. */
void seg_run(const char *run_id, char out[SLUG_SIZE]);
/* The anchor of a tier on the run page ("install") and of a testcase
 * ("install--test_x.test_y-1a2b3c4d"). */
void anchor_tier(const char *tier, char out[SLUG_SIZE]);
void anchor_test(const char *tier, const char *test_slug, char out[2 * SLUG_SIZE + 2]);

/* fixed pages: "index.html", "flakes.html", "feed.atom", "assets/style.css", "data/runs.json" */
void url_page(struct url *u, const char *fixed_path);
void url_run(struct url *u, const char *run_id);
/* log_name is file.name ("logs/harness.log": the "logs/" is left out);
 * page 1 is <log>.html, page k is <log>.p<k>.html */
void url_log(struct url *u, const char *run_id, const char *log_name, int page);
void url_log_raw(struct url *u, const char *run_id, const char *log_name);
void url_recipe(struct url *u, const char *recipe);
/* history/<YYYY-MM>.html: the sweeps and other runs started in that UTC month */
void url_site_month(struct url *u, const char *month);
/* recipes/<recipe>/history/<YYYY-MM>.html: the recipe's runs started in that UTC month */
void url_recipe_month(struct url *u, const char *recipe, const char *month);
void url_test(struct url *u, const char *recipe, const char *tier, const char *test_slug);
void url_sweep(struct url *u, const char *sweep_id);
void url_badge(struct url *u, const char *recipe);
/* data/runs/<day>.json; day is "YYYY-MM-DD" (UTC) */
void url_runs_day(struct url *u, const char *day);
/* data/classification/<recipe>/<version>[~<harness>].json, the classification rows of
 * one set of sources: <recipe> is slug_name() of the recipe (with the hash suffix forced
 * if that were "index.json", the name of the top index renders before ccr-render 4
 * wrote), <version> slug_name() of the version, URL_NO_VERSION for the empty one (runs
 * that recorded none; a version whose slug is URL_NO_VERSION or "index", the folder's
 * index, gets the hash suffix), <harness> slug_name() of the harness ref, left out with
 * its '~' when empty (slugs never hold '~') */
#define URL_NO_VERSION "unversioned"
void url_class_version(struct url *u, const char *recipe, const char *version,
		       const char *harness_ref);
/* data/classification/<recipe>/index.json: the recipe's version files */
void url_class_index(struct url *u, const char *recipe);

/* A decisions document: docs/<folder>/.../<name>.html for its path under --docs
 * ("ops/DECISIONS.md"): every folder and the name without ".md" through seg_name().
 * -1 when the path has more than URL_DOC_DEPTH parts (the page is not written). */
#define URL_DOC_DEPTH 4
int url_doc(struct url *u, const char *relpath);

/* how many directories deep a page at u lives (the depth for html_init) */
int url_depth(const struct url *u);

/*
 * Writes href="..." content for u relative to h's page (attribute-escaped and
 * percent-encoded per segment), with "#frag" when frag is not NULL.
 */
void html_href(struct html *h, const struct url *u, const char *frag);
/* Writes a bare fragment link "#frag" (percent-encoded, attribute-escaped). */
void html_href_frag(struct html *h, const char *frag);

/* Percent-encodes p[0..n) for one path segment or query value: everything but
 * [A-Za-z0-9._~-] becomes %XX. */
void url_seg_enc(struct buf *b, const char *p, size_t n);

/* Appends base + "/" + u's path (+ "#frag") to b; base is --base-url without a
 * trailing '/'. With base NULL appends the site-relative path only. */
void url_abs(struct buf *b, const char *base, const struct url *u, const char *frag);

/*
 * 1 when s may become an href: it starts with "http://" or "https://" (any case)
 * at its very first byte and holds no whitespace, control byte, quote or angle
 * bracket anywhere. Everything else (javascript:, data:, vbscript:, leading
 * spaces, relative paths from input) is 0.
 */
int url_external_ok(const char *s);
/* Writes <a href="s">text</a> when url_external_ok(s), else just the text. */
void html_external_link(struct html *h, const char *s, const char *text);

#endif
