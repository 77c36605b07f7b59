/* unit tests of the renderer's pieces: escapers, URLs, ANSI logs, log paging */
#include "t.h"
#include "../../render/html.h"
#include "../../render/logview.h"
#include "../../render/url.h"

#include <string.h>

static const char *rt_text(struct html *h, const char *in, size_t n)
{
	html_reset(h, 0);
	html_textn(h, in, n);
	return buf_str(&h->b);
}

TEST(render_escape_text_table)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"plain", "plain"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a & b", "a &amp; b"},
		{"\"quoted\"", "&quot;quoted&quot;"},
		{"it's", "it&#39;s"},
		{"&amp;", "&amp;amp;"},
		{"tab\tnl\n", "tab\tnl\n"},
		{"end  \nx\t\n", "end&#32;&#32;\nx&#9;\n"},	/* no trailing whitespace in the source */
		{"bell\x07", "bell\xe2\x90\x87"},	/* U+2407 control picture */
		{"del\x7f", "del\xe2\x90\xa1"},
		{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"},	/* valid UTF-8 kept */
		{"bad\xff", "bad\xef\xbf\xbd"},			/* invalid byte: U+FFFD */
		{"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},	/* overlong '/' */
		{"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
		{"\xc2\x85", "\xef\xbf\xbd"},			/* C1 control */
		{"\xef\xbf\xbe", "\xef\xbf\xbd"},		/* noncharacter U+FFFE */
		{"\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd"},	/* truncated sequence */
	};
	struct html h;
	html_init(&h, NULL, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(rt_text(&h, cases[i].in, strlen(cases[i].in)), cases[i].want);
	/* a NUL inside data is shown, not a terminator */
	CHECK_STR(rt_text(&h, "a\0b", 3), "a\xe2\x90\x80" "b");
	/* attributes: same escaping, so a value cannot close its quotes */
	html_reset(&h, 0);
	html_attr(&h, "x\" onmouseover=\"alert(1)");
	CHECK_STR(buf_str(&h.b), "x&quot; onmouseover=&quot;alert(1)");
	html_release(&h);
}

TEST(render_escape_every_byte)
{
	/* whatever the input, the output holds no raw markup character */
	char in[256];
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	struct html h;
	html_init(&h, NULL, 0);
	const char *out = rt_text(&h, in, sizeof(in));
	CHECK(!strchr(out, '<') && !strchr(out, '>') && !strchr(out, '"') && !strchr(out, '\''));
	for (const char *p = out; *p; p++)
		if (*p == '&')
			CHECK(!strncmp(p, "&amp;", 5) || !strncmp(p, "&lt;", 4) ||
			      !strncmp(p, "&gt;", 4) || !strncmp(p, "&quot;", 6) || !strncmp(p, "&#39;", 5) ||
			      !strncmp(p, "&#32;", 5) || !strncmp(p, "&#9;", 4));
	html_release(&h);
}

TEST(render_url_relative_depths)
{
	struct html h;
	struct url u;
	html_init(&h, NULL, 0);
	url_run(&u, "20260618T001730Z-mumble");
	CHECK_STR(u.path, "runs/20260618T001730Z-mumble/index.html");
	CHECK_INT(url_depth(&u), 2);
	html_href(&h, &u, "install--t-1");
	CHECK_STR(buf_str(&h.b), "runs/20260618T001730Z-mumble/index.html#install--t-1");
	html_reset(&h, 2);
	url_page(&u, "index.html");
	html_href(&h, &u, NULL);
	CHECK_STR(buf_str(&h.b), "../../index.html");
	html_reset(&h, 4);
	url_test(&u, "gitea", "restore", "test_restore.x-1a2b3c4d");
	html_href(&h, &u, NULL);
	CHECK_STR(buf_str(&h.b), "../../../../recipes/gitea/tests/restore/test_restore.x-1a2b3c4d.html");
	CHECK_INT(url_depth(&u), 4);
	url_log(&u, "r1", "logs/harness.log", 1);
	CHECK_STR(u.path, "runs/r1/logs/harness.log.html");
	url_log(&u, "r1", "logs/harness.log", 3);
	CHECK_STR(u.path, "runs/r1/logs/harness.log.p3.html");
	url_log_raw(&u, "r1", "logs/harness.log");
	CHECK_STR(u.path, "runs/r1/logs/harness.log.txt");
	url_sweep(&u, "20260618-ci1");
	CHECK_STR(u.path, "sweeps/20260618-ci1.html");
	html_release(&h);
}

TEST(render_url_hostile_segments)
{
	struct url u;
	/* names that try to climb out or inject get slugs: no '/', no "..", no markup */
	url_recipe(&u, "../../etc/passwd");
	CHECK(!strstr(u.path + 8, "..") && !strchr(u.path + 8, '<'));
	CHECK_INT(url_depth(&u), 2);
	url_run(&u, "../x");
	CHECK_INT(url_depth(&u), 2);
	CHECK(!strstr(u.path, ".."));
	url_recipe(&u, "<script>alert(1)</script>");
	CHECK(!strpbrk(u.path, "<>\"'& "));
	/* two names differing only by case or by unsafe bytes get different slugs */
	struct url a, b;
	url_recipe(&a, "Gitea");
	url_recipe(&b, "gitea");
	CHECK(strcmp(a.path, b.path));
	url_recipe(&a, "a b");
	url_recipe(&b, "a-b");
	CHECK(strcmp(a.path, b.path));
	/* a log named like page 2 of another log does not take its URL */
	url_log(&a, "r", "logs/x.log", 2);
	url_log(&b, "r", "logs/x.log.p2", 1);
	CHECK(strcmp(a.path, b.path));
	url_log(&a, "r", "x.log", 1);
	url_log(&b, "r", "logs/x.log", 1);
	CHECK(strcmp(a.path, b.path));
	/* percent-encoding of a segment */
	struct buf e = BUF_INIT;
	url_seg_enc(&e, "a b/c?d#e%\"<", 12);
	CHECK_STR(buf_str(&e), "a%20b%2Fc%3Fd%23e%25%22%3C");
	buf_release(&e);
}

TEST(render_url_external_allowlist)
{
	CHECK(url_external_ok("https://ci.example.org/run/1"));
	CHECK(url_external_ok("HTTP://ci.example.org/"));
	CHECK(!url_external_ok("javascript:alert(1)"));
	CHECK(!url_external_ok("JavaScript:alert(1)"));
	CHECK(!url_external_ok(" https://x.org/"));
	CHECK(!url_external_ok("\thttps://x.org/"));
	CHECK(!url_external_ok("data:text/html,<script>"));
	CHECK(!url_external_ok("vbscript:msgbox"));
	CHECK(!url_external_ok("//evil.org/"));
	CHECK(!url_external_ok("/runs/x"));
	CHECK(!url_external_ok("https://x.org/\"onclick=\"alert(1)"));
	CHECK(!url_external_ok("https://x.org/a b"));
	CHECK(!url_external_ok("httpx://x.org/"));
	struct html h;
	html_init(&h, NULL, 0);
	html_external_link(&h, "javascript:alert(1)", "click");
	CHECK_STR(buf_str(&h.b), "click");
	html_release(&h);
}

static const char *rt_log(struct html *h, const char *line, struct ansi *st)
{
	html_reset(h, 0);
	log_line_html(h, line, strlen(line), st);
	return buf_str(&h->b);
}

TEST(render_ansi_lines)
{
	struct html h;
	html_init(&h, NULL, 0);
	struct ansi st = ANSI_INIT;
	CHECK_STR(rt_log(&h, "\033[1;31mERROR\033[0m ok", &st),
		  "<span class=\"f1 b\">ERROR</span> ok");
	/* colour carried to the next line, closed at each line end */
	CHECK_STR(rt_log(&h, "\033[32mgreen", &st), "<span class=\"f2\">green</span>");
	CHECK_STR(rt_log(&h, "still", &st), "<span class=\"f2\">still</span>");
	CHECK_STR(rt_log(&h, "\033[mreset", &st), "<span class=\"f2\"></span>reset");
	/* bright and background, 256-colour below 16 */
	CHECK_STR(rt_log(&h, "\033[94;41mx\033[0m", &st), "<span class=\"f12 g1\">x</span>");
	CHECK_STR(rt_log(&h, "\033[38;5;9mx\033[39m", &st), "<span class=\"f9\">x</span>");
	/* other sequences dropped: cursor moves, OSC titles, two-byte escapes */
	CHECK_STR(rt_log(&h, "a\033[2Kb\033]0;title\007c\033]8;;u\033\\d\033ce", &st), "abcde");
	/* markup, invalid bytes, CR, controls */
	CHECK_STR(rt_log(&h, "<b>&\xff\r", &st), "&lt;b&gt;&amp;<span class=\"x\">\\xFF</span>");
	CHECK_STR(rt_log(&h, "a\rb\x01", &st), "a\xe2\x90\x8d" "b\xe2\x90\x81");
	/* an unfinished escape at the end is dropped */
	CHECK_STR(rt_log(&h, "x\033[31", &st), "x");
	/* long lines are cut, and say how much */
	char big[LOG_LINE_SHOWN + 11];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	const char *out = rt_log(&h, big, &st);
	CHECK(strstr(out, " 10 more bytes in the raw log") != NULL);
	html_release(&h);
}

/* log_exact: only a log its one page shows byte for byte goes without a raw copy */
static int lx(const char *s)
{
	return log_exact(s, strlen(s));
}

TEST(render_log_exact)
{
	CHECK_INT(log_exact("", 0), 1);
	CHECK_INT(lx("plain\n\ttabbed \"quoted\" <b>&amp;</b>  \n"), 1);
	CHECK_INT(lx("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\n"), 1);
	CHECK_INT(lx("no final newline"), 0);
	CHECK_INT(lx("crlf\r\n"), 0);
	CHECK_INT(lx("\033[31mred\033[0m\n"), 0);
	CHECK_INT(lx("bell\a\n"), 0);
	CHECK_INT(lx("del\x7f\n"), 0);
	CHECK_INT(lx("bad \xff byte\n"), 0);
	CHECK_INT(lx("cut \xc3\n"), 0);
	CHECK_INT(lx("c1 \xc2\x85\n"), 0);
	CHECK_INT(lx("nonchar \xef\xbf\xbe\n"), 0);
	CHECK_INT(log_exact("nul\0\n", 5), 0);
	/* a line of exactly LOG_LINE_SHOWN bytes is shown whole; one more is cut */
	char line[LOG_LINE_SHOWN + 2];
	memset(line, 'a', LOG_LINE_SHOWN);
	line[LOG_LINE_SHOWN] = '\n';
	CHECK_INT(log_exact(line, LOG_LINE_SHOWN + 1), 1);
	memset(line, 'a', LOG_LINE_SHOWN + 1);
	line[LOG_LINE_SHOWN + 1] = '\n';
	CHECK_INT(log_exact(line, LOG_LINE_SHOWN + 2), 0);
	/* one page: LOG_LINES_PER_PAGE lines, not one more */
	char many[2 * (LOG_LINES_PER_PAGE + 1)];
	for (size_t i = 0; i < sizeof(many); i += 2) {
		many[i] = 'x';
		many[i + 1] = '\n';
	}
	CHECK_INT(log_exact(many, 2 * LOG_LINES_PER_PAGE), 1);
	CHECK_INT(log_exact(many, sizeof(many)), 0);
}

TEST(render_log_paging)
{
	CHECK_INT(log_pages(0), 1);
	CHECK_INT(log_pages(1), 1);
	CHECK_INT(log_pages(LOG_LINES_PER_PAGE), 1);
	CHECK_INT(log_pages(LOG_LINES_PER_PAGE + 1), 2);
	CHECK_INT(log_page_of(1), 1);
	CHECK_INT(log_page_of(LOG_LINES_PER_PAGE), 1);
	CHECK_INT(log_page_of(LOG_LINES_PER_PAGE + 1), 2);
	CHECK_INT(log_page_first(2), LOG_LINES_PER_PAGE + 1);
	/* every line's page is stable and holds it */
	for (int64_t n = 1; n < 5 * LOG_LINES_PER_PAGE; n += 777) {
		int k = log_page_of(n);
		CHECK(log_page_first(k) <= n && n < log_page_first(k + 1));
	}
}
