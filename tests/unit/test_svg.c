/* unit tests of render/svg.c: charts and badges */
#include "t.h"
#include "../../render/html.h"
#include "../../render/svg.h"

#include <libxml/parser.h>
#include <string.h>

static size_t svg_count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* 1 when s is a well-formed XML document (libxml2, no network, no entities) */
static int svg_well_formed(const char *s, size_t n)
{
	xmlDocPtr d = xmlReadMemory(s, (int)n, "t.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!d)
		return 0;
	xmlFreeDoc(d);
	return 1;
}

/* the chart wrapped as a standalone document, to check it is well-formed XML */
static int svg_chart_well_formed(const struct html *h)
{
	return svg_well_formed(h->b.data, h->b.len);
}

TEST(svg_chart_points_and_axis)
{
	struct svg_point p[] = {
		{100, 0, "run 1"}, {50, 0, "run 2"}, {0, 0, "run 3"}, {100, 0, "run 4"},
	};
	struct html h;
	html_init(&h, NULL, 0);
	svg_line_chart(&h, "passrate", "Pass rate", SVG_PERCENT, p, 4);
	const char *s = buf_str(&h.b);
	CHECK(svg_chart_well_formed(&h));
	CHECK(strstr(s, "role=\"img\" aria-labelledby=\"passrate-t passrate-d\""));
	CHECK(strstr(s, "<title id=\"passrate-t\">Pass rate</title>"));
	/* the description says the figures: 4 points, latest 100, lowest 0 (run 3) */
	CHECK(strstr(s, "4 points, oldest first, from run 1 to run 4. Latest: run 4: 100 %. "
			"Lowest: run 3: 0 %. Highest: run 1: 100 %.</desc>"));
	/* x spread over the plot (72..592), y from 10 (100 %) to 130 (0 %) */
	CHECK(strstr(s, "points=\"72,10 245,70 418,130 592,10\""));
	CHECK_INT(svg_count(s, "<circle "), 4);
	CHECK(strstr(s, "<title>run 2: 50 %</title>"));
	CHECK(!strstr(s, "<script"));
	html_release(&h);
}

TEST(svg_chart_gap_breaks_line)
{
	struct svg_point p[] = {{1000, 0, NULL}, {2000, 0, NULL}, {0, 1, NULL}, {4000, 0, NULL}, {0, 1, NULL}};
	struct html h;
	html_init(&h, NULL, 0);
	svg_line_chart(&h, "dur", "Duration", SVG_MS, p, 5);
	const char *s = buf_str(&h.b);
	CHECK(svg_chart_well_formed(&h));
	CHECK_INT(svg_count(s, "<polyline "), 2);
	CHECK_INT(svg_count(s, "<circle "), 3);
	CHECK(strstr(s, "2 without a value."));
	/* the axis top is the largest value; x of point 4 of 5 is 72 + 3 * 520 / 4 */
	CHECK(strstr(s, "points=\"462,10\""));
	html_release(&h);
}

TEST(svg_chart_escapes_and_is_deterministic)
{
	struct svg_point p[] = {{42, 0, "<script>alert(1)</script> & \"q\""}, {7, 0, "\xff\xfe bad utf-8"}};
	struct html a, b;
	html_init(&a, NULL, 0);
	html_init(&b, NULL, 0);
	svg_line_chart(&a, "c", "<b>title</b>", SVG_PERCENT, p, 2);
	svg_line_chart(&b, "c", "<b>title</b>", SVG_PERCENT, p, 2);
	CHECK_INT(a.b.len, b.b.len);
	CHECK(!memcmp(a.b.data, b.b.data, a.b.len));
	const char *s = buf_str(&a.b);
	CHECK(!strstr(s, "<script>"));
	CHECK(!strstr(s, "<b>"));
	CHECK(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"));
	CHECK(svg_chart_well_formed(&a));
	html_release(&a);
	html_release(&b);
}

TEST(svg_chart_edge_cases)
{
	struct html h;
	html_init(&h, NULL, 0);
	svg_line_chart(&h, "e", "Empty", SVG_PERCENT, NULL, 0);
	CHECK(strstr(buf_str(&h.b), "no data yet"));
	CHECK(!strstr(buf_str(&h.b), "<svg"));
	html_reset(&h, 0);
	/* one point: centred; out-of-range values clamp to the axis */
	struct svg_point one = {250, 0, "x"};
	svg_line_chart(&h, "e", "One", SVG_PERCENT, &one, 1);
	CHECK(strstr(buf_str(&h.b), "points=\"332,10\""));
	CHECK(strstr(buf_str(&h.b), "1 point."));
	html_reset(&h, 0);
	/* all zero durations: no division by zero, the line lies on the axis */
	struct svg_point z[] = {{0, 0, NULL}, {0, 0, NULL}};
	svg_line_chart(&h, "z", "Zero", SVG_MS, z, 2);
	CHECK(strstr(buf_str(&h.b), "points=\"72,130 592,130\""));
	html_reset(&h, 0);
	/* more than SVG_MAX_POINTS: only the newest are drawn */
	static struct svg_point many[SVG_MAX_POINTS + 50];
	for (int i = 0; i < SVG_MAX_POINTS + 50; i++)
		many[i] = (struct svg_point){i, 0, NULL};
	svg_line_chart(&h, "m", "Many", SVG_MS, many, SVG_MAX_POINTS + 50);
	CHECK_INT(svg_count(buf_str(&h.b), "<circle "), SVG_MAX_POINTS);
	CHECK(svg_chart_well_formed(&h));
	html_release(&h);
}

TEST(svg_badge_document)
{
	struct buf b = BUF_INIT;
	svg_badge(&b, "<img src=x onerror=alert(1)>", "fail", "failed");
	CHECK(svg_well_formed(b.data, b.len));
	CHECK(!strstr(b.data, "<img"));
	CHECK(strstr(b.data, "&lt;img src=x onerror=alert(1)&gt;"));
	CHECK(strstr(b.data, "fill=\"#c62828\""));
	CHECK(strstr(b.data, "<title>"));
	buf_reset(&b);
	svg_badge(&b, "gitea", "pass", "passed");
	/* width: (5 + 4 characters) * 7 + 2 * 10 */
	CHECK(strstr(b.data, "width=\"83\" height=\"20\""));
	CHECK(strstr(b.data, "fill=\"#2e7d32\""));
	buf_reset(&b);
	/* long labels are cut at a character boundary, with an ellipsis */
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	longname[SVG_BADGE_MAX_CHARS - 1] = '\xc3'; /* a two-byte é across the cut */
	longname[SVG_BADGE_MAX_CHARS] = '\xa9';
	svg_badge(&b, longname, "no run", NULL);
	CHECK(svg_well_formed(b.data, b.len));
	CHECK(strstr(b.data, "\xc3\xa9\xe2\x80\xa6"));
	CHECK(strstr(b.data, "fill=\"#616161\""));
	buf_release(&b);
}
