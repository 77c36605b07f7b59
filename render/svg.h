/*
 * svg: small charts and badges as SVG, without JavaScript.
 *
 * Output is deterministic: integer coordinates only (in a fixed viewBox that the
 * browser scales), points in the caller's order, no clock, no random ids. Every
 * chart is accessible: role="img" with a <title> (the caller's) and a <desc>
 * that says the figures in words, and each point carries its own <title>
 * (a tooltip and what a screen reader reads).
 */
#ifndef CCR_RENDER_SVG_H
#define CCR_RENDER_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"

struct html;

/* how values are read and labelled */
enum svg_unit {
	SVG_PERCENT,	/* 0..100; axis from 0 to 100 % */
	SVG_MS,		/* milliseconds; axis from 0 to the largest value, labelled as durations */
};

struct svg_point {
	int64_t v;		/* the value in the chart's unit */
	int missing;		/* no value here: the line has a gap */
	const char *label;	/* what the point is (e.g. "2026-06-17 00:10 1.2.0"): its tooltip;
				 * text (escaped); may be NULL */
};

/* at most this many points are drawn (the oldest are left out): a chart wider
 * than its runs table says nothing more, and the output stays small */
#define SVG_MAX_POINTS 200

/*
 * Writes an inline <svg> line chart of pts[0..n) (oldest first) into h.
 * id: a page-unique identifier made of [a-z0-9-] (a string literal, e.g.
 * "passrate"), used for the aria ids. title: the chart's name (text, escaped).
 * A missing point breaks the line; a lone point between gaps is still drawn as a
 * dot. With n == 0 (or every point missing) it writes a short "no data" note
 * instead of an empty chart.
 */
void svg_line_chart(struct html *h, const char *id, const char *title, enum svg_unit unit,
		    const struct svg_point *pts, size_t n);

/*
 * A shields-like badge as a standalone SVG file: "<label> | <message>", the
 * message on a colour chosen by status (a status as in testcase/run status, or
 * NULL for "no run"). Appends the whole document to out. label and message are
 * text (escaped; invalid UTF-8 replaced); long ones are cut at SVG_BADGE_MAX_CHARS.
 */
void svg_badge(struct buf *out, const char *label, const char *message, const char *status);

/* characters of label or message shown on a badge; longer is cut with "…" */
#define SVG_BADGE_MAX_CHARS 40

#endif
