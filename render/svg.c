/* svg: line charts and badges (see svg.h) */
#include "svg.h"
#include "html.h"

#include <string.h>

/* the chart's fixed coordinate system (the browser scales the viewBox to the page) */
enum {
	CH_W = 600,	/* width */
	CH_H = 140,	/* height */
	CH_LEFT = 72,	/* room for the y labels ("59 min 59 s") */
	CH_RIGHT = 8,
	CH_TOP = 10,
	CH_BOTTOM = 10,
	CH_PLOT_W = CH_W - CH_LEFT - CH_RIGHT,
	CH_PLOT_H = CH_H - CH_TOP - CH_BOTTOM,
};

static void value_text(struct html *h, enum svg_unit unit, int64_t v)
{
	if (unit == SVG_PERCENT) {
		html_int(h, v);
		html_lit(h, " %");
	} else {
		html_duration(h, v);
	}
}

/* "<label>: <value>" or just the value */
static void point_text(struct html *h, enum svg_unit unit, const struct svg_point *p)
{
	if (p->label && *p->label) {
		html_text(h, p->label);
		html_lit(h, ": ");
	}
	value_text(h, unit, p->v);
}

static void label_or_index(struct html *h, const struct svg_point *p, size_t i)
{
	if (p->label && *p->label) {
		html_text(h, p->label);
	} else {
		html_lit(h, "point ");
		html_int(h, (int64_t)i + 1);
	}
}

static void xy(struct html *h, int64_t x, int64_t y)
{
	html_int(h, x);
	html_lit(h, ",");
	html_int(h, y);
}

void svg_line_chart(struct html *h, const char *id, const char *title, enum svg_unit unit,
		    const struct svg_point *pts, size_t n)
{
	if (n > SVG_MAX_POINTS) {
		pts += n - SVG_MAX_POINTS;
		n = SVG_MAX_POINTS;
	}
	/* the figures the description states, and the axis top */
	size_t nval = 0, lo = 0, hi = 0, last = 0;
	for (size_t i = 0; i < n; i++) {
		if (pts[i].missing)
			continue;
		if (!nval || pts[i].v < pts[lo].v)
			lo = i;
		if (!nval || pts[i].v > pts[hi].v)
			hi = i;
		last = i;
		nval++;
	}
	if (!nval) {
		html_lit(h, "<p class=\"chart-none\">");
		html_text(h, title);
		html_lit(h, ": no data yet.</p>\n");
		return;
	}
	int64_t ymax = unit == SVG_PERCENT ? 100 : pts[hi].v;
	if (ymax <= 0)
		ymax = 1;

	html_lit(h, "<svg class=\"chart\" viewBox=\"0 0 600 140\" role=\"img\" aria-labelledby=\"");
	html_attr(h, id);
	html_lit(h, "-t ");
	html_attr(h, id);
	html_lit(h, "-d\">\n<title id=\"");
	html_attr(h, id);
	html_lit(h, "-t\">");
	html_text(h, title);
	html_lit(h, "</title>\n<desc id=\"");
	html_attr(h, id);
	html_lit(h, "-d\">");
	html_int(h, (int64_t)n);
	if (n == 1) {
		html_lit(h, " point");
	} else {
		html_lit(h, " points, oldest first, from ");
		label_or_index(h, &pts[0], 0);
		html_lit(h, " to ");
		label_or_index(h, &pts[n - 1], n - 1);
	}
	html_lit(h, ". Latest: ");
	point_text(h, unit, &pts[last]);
	html_lit(h, ". Lowest: ");
	point_text(h, unit, &pts[lo]);
	html_lit(h, ". Highest: ");
	point_text(h, unit, &pts[hi]);
	html_lit(h, ".");
	if (nval < n) {
		html_lit(h, " ");
		html_int(h, (int64_t)(n - nval));
		html_lit(h, " without a value.");
	}
	html_lit(h, "</desc>\n");

	/* axes and their two labels */
	html_lit(h, "<g class=\"axis\" stroke=\"currentColor\" stroke-opacity=\"0.4\">"
		    "<line x1=\"72\" y1=\"10\" x2=\"72\" y2=\"130\"/>"
		    "<line x1=\"72\" y1=\"130\" x2=\"592\" y2=\"130\"/></g>\n"
		    "<g class=\"ylabels\" fill=\"currentColor\" font-size=\"11\" text-anchor=\"end\">"
		    "<text x=\"66\" y=\"18\">");
	value_text(h, unit, ymax);
	html_lit(h, "</text><text x=\"66\" y=\"130\">");
	value_text(h, unit, 0);
	html_lit(h, "</text></g>\n");

	/* the line, broken at missing points */
	int open = 0;
	for (size_t i = 0; i < n; i++) {
		if (pts[i].missing) {
			if (open)
				html_lit(h, "\"/>\n");
			open = 0;
			continue;
		}
		int64_t v = pts[i].v < 0 ? 0 : pts[i].v > ymax ? ymax : pts[i].v;
		int64_t x = CH_LEFT + (n == 1 ? CH_PLOT_W / 2 : (int64_t)i * CH_PLOT_W / (int64_t)(n - 1));
		int64_t y = CH_TOP + CH_PLOT_H - v * CH_PLOT_H / ymax;
		if (!open)
			html_lit(h, "<polyline class=\"line\" fill=\"none\" stroke=\"currentColor\" "
				    "stroke-width=\"2\" points=\"");
		else
			html_lit(h, " ");
		xy(h, x, y);
		open = 1;
	}
	if (open)
		html_lit(h, "\"/>\n");

	/* a dot per point, with its own tooltip */
	html_lit(h, "<g class=\"points\" fill=\"currentColor\">");
	for (size_t i = 0; i < n; i++) {
		if (pts[i].missing)
			continue;
		int64_t v = pts[i].v < 0 ? 0 : pts[i].v > ymax ? ymax : pts[i].v;
		int64_t x = CH_LEFT + (n == 1 ? CH_PLOT_W / 2 : (int64_t)i * CH_PLOT_W / (int64_t)(n - 1));
		int64_t y = CH_TOP + CH_PLOT_H - v * CH_PLOT_H / ymax;
		html_lit(h, "\n<circle cx=\"");
		html_int(h, x);
		html_lit(h, "\" cy=\"");
		html_int(h, y);
		html_lit(h, "\" r=\"3\"><title>");
		point_text(h, unit, &pts[i]);
		html_lit(h, "</title></circle>");
	}
	html_lit(h, "</g>\n</svg>\n");
}

/* Badge text: at most SVG_BADGE_MAX_CHARS code points of s, escaped into out;
 * returns how many characters were shown (for the width). */
static int badge_text(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0;
	int chars = 0;
	while (i < n && chars < SVG_BADGE_MAX_CHARS) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		i += len ? len : 1;
		chars++;
	}
	esc_html(out, (const char *)p, i);
	if (i < n) {
		buf_adds(out, "\xe2\x80\xa6"); /* … */
		chars++;
	}
	return chars;
}

static const char *badge_colour(const char *status)
{
	static const struct {
		const char *status, *colour;
	} colours[] = {
		{"passed", "#2e7d32"},	   {"failed", "#c62828"}, {"error", "#c62828"},
		{"promote_failed", "#e65100"}, {"flaky", "#8d6e00"},
	};
	for (size_t i = 0; status && i < sizeof(colours) / sizeof(colours[0]); i++)
		if (!strcmp(status, colours[i].status))
			return colours[i].colour;
	return "#616161";
}

/* Verdana-ish 11px: about 7 px a character, plus 5 px either side */
#define BADGE_CHAR_W 7
#define BADGE_PAD 10

void svg_badge(struct buf *out, const char *label, const char *message, const char *status)
{
	struct buf l = BUF_INIT, m = BUF_INIT;
	int lw = badge_text(&l, label) * BADGE_CHAR_W + BADGE_PAD;
	int mw = badge_text(&m, message) * BADGE_CHAR_W + BADGE_PAD;
	/* numbers through buf_addf, text (already escaped) appended as is */
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"20\" "
		      "role=\"img\" aria-label=\"", lw + mw);
	buf_add(out, buf_str(&l), l.len);
	buf_adds(out, ": ");
	buf_add(out, buf_str(&m), m.len);
	buf_adds(out, "\">\n<title>");
	buf_add(out, buf_str(&l), l.len);
	buf_adds(out, ": ");
	buf_add(out, buf_str(&m), m.len);
	buf_addf(out, "</title>\n<clipPath id=\"r\"><rect width=\"%d\" height=\"20\" rx=\"3\"/></clipPath>\n"
		      "<g clip-path=\"url(#r)\"><rect width=\"%d\" height=\"20\" fill=\"#555\"/>"
		      "<rect x=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/></g>\n"
		      "<g fill=\"#fff\" text-anchor=\"middle\" "
		      "font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">"
		      "<text x=\"%d\" y=\"14\">",
		 lw + mw, lw, lw, mw, badge_colour(status), lw / 2);
	buf_add(out, buf_str(&l), l.len);
	buf_addf(out, "</text><text x=\"%d\" y=\"14\">", lw + mw / 2);
	buf_add(out, buf_str(&m), m.len);
	buf_adds(out, "</text></g>\n</svg>\n");
	buf_release(&l);
	buf_release(&m);
}
