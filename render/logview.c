/* logview: ANSI logs to HTML lines, and log paging (see logview.h) */
#include "logview.h"

#include <string.h>

int log_pages(int64_t lines)
{
	if (lines <= 0)
		return 1;
	return (int)((lines + LOG_LINES_PER_PAGE - 1) / LOG_LINES_PER_PAGE);
}

int log_page_of(int64_t n)
{
	if (n < 1)
		return 1;
	return (int)((n - 1) / LOG_LINES_PER_PAGE) + 1;
}

int64_t log_page_first(int k)
{
	return (int64_t)(k - 1) * LOG_LINES_PER_PAGE + 1;
}

static int ansi_default(const struct ansi *s)
{
	return s->fg < 0 && s->bg < 0 && !s->bold;
}

static void span_open(struct html *h, const struct ansi *s)
{
	if (ansi_default(s))
		return;
	html_lit(h, "<span class=\"");
	int sp = 0;
	if (s->fg >= 0) {
		html_lit(h, "f");
		html_int(h, s->fg);
		sp = 1;
	}
	if (s->bg >= 0) {
		if (sp)
			html_lit(h, " ");
		html_lit(h, "g");
		html_int(h, s->bg);
		sp = 1;
	}
	if (s->bold) {
		if (sp)
			html_lit(h, " ");
		html_lit(h, "b");
	}
	html_lit(h, "\">");
}

static void span_close(struct html *h, const struct ansi *s)
{
	if (!ansi_default(s))
		html_lit(h, "</span>");
}

/* applies SGR parameters p[0..n) ("1;31", "", "38;5;9") to s */
static void sgr(struct ansi *s, const char *p, size_t n)
{
	int v[32], nv = 0, cur = -1;
	for (size_t i = 0; i <= n && nv < 32; i++) {
		if (i == n || p[i] == ';' || p[i] == ':') {
			v[nv++] = cur < 0 ? 0 : cur;
			cur = -1;
		} else if (p[i] >= '0' && p[i] <= '9') {
			cur = (cur < 0 ? 0 : cur) * 10 + (p[i] - '0');
			if (cur > 100000)
				cur = 100000;
		}
	}
	for (int i = 0; i < nv; i++) {
		int c = v[i];
		if (c == 0) {
			s->fg = s->bg = -1;
			s->bold = 0;
		} else if (c == 1) {
			s->bold = 1;
		} else if (c == 22) {
			s->bold = 0;
		} else if (c >= 30 && c <= 37) {
			s->fg = c - 30;
		} else if (c == 39) {
			s->fg = -1;
		} else if (c >= 40 && c <= 47) {
			s->bg = c - 40;
		} else if (c == 49) {
			s->bg = -1;
		} else if (c >= 90 && c <= 97) {
			s->fg = c - 90 + 8;
		} else if (c >= 100 && c <= 107) {
			s->bg = c - 100 + 8;
		} else if ((c == 38 || c == 48) && i + 1 < nv) {
			int *dst = c == 38 ? &s->fg : &s->bg;
			if (v[i + 1] == 5 && i + 2 < nv) {
				*dst = v[i + 2] < 16 ? v[i + 2] : -1;
				i += 2;
			} else if (v[i + 1] == 2) {
				*dst = -1; /* true colour: not in our 16; shown plain */
				i += 4;
			}
		}
	}
}

/* ASCII bytes as a bitmap of the 128 codes (every byte >= 0x80 is outside): printable
 * ASCII and tab but & < >, written to the page as they are */
#define BIT(c) (UINT64_C(1) << ((c) & 63))
static const uint64_t ascii_as_is[2] = {
	(BIT('\t') | UINT64_C(0xffffffff00000000)) & ~BIT('&') & ~BIT('<') & ~BIT('>'),
	~BIT(0x7f)};

static inline int byte_in(const uint64_t set[2], unsigned char c)
{
	return c < 128 && (set[c >> 6] >> (c & 63)) & 1;
}

/* text without escape sequences: invalid bytes as \xNN, \r as a control picture. Runs
 * of bytes that need nothing are copied whole: most of a log is such runs */
static void log_text(struct html *h, const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (i < n && byte_in(ascii_as_is, p[i]))
			i++;
		buf_add(&h->b, p + run, i - run);
		if (i == n)
			break;
		if (p[i] == '\r') { /* a lone CR (progress bars) would break the line in <pre> */
			html_lit(h, "\xe2\x90\x8d");
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = p[i] < 0x80 ? 1 : utf8_decode(p + i, n - i, &cp);
		if (len) { /* & < >, controls, a UTF-8 character: escaped or shown */
			esc_text(&h->b, (const char *)p + i, len);
			i += len;
			continue;
		}
		static const char hex[] = "0123456789ABCDEF";
		char x[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
		html_lit(h, "<span class=\"x\">");
		html_textn(h, x, 4);
		html_lit(h, "</span>");
		i++;
	}
}

int log_exact(const char *log, size_t n)
{
	const unsigned char *p = (const unsigned char *)log;
	if (!n)
		return 1;
	if (p[n - 1] != '\n')
		return 0; /* the page ends every line with one */
	int64_t lines = 0;
	size_t line_start = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '\n') {
			if (i - line_start > LOG_LINE_SHOWN || ++lines > LOG_LINES_PER_PAGE)
				return 0;
			line_start = ++i;
		} else if ((unsigned char)(c - 0x20) < 0x5f || c == '\t') {
			i++; /* printable ASCII: the common case, in one tight loop */
			while (i < n && ((unsigned char)(p[i] - 0x20) < 0x5f || p[i] == '\t'))
				i++;
		} else if (c < 0x80) {
			return 0; /* ESC (colours), CR, other controls: shown otherwise */
		} else {
			uint32_t cp;
			size_t len = utf8_decode(p + i, n - i, &cp);
			/* invalid bytes, C1 controls and noncharacters are shown otherwise
			 * (html.c's esc_html) */
			if (!len || (cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
			    (cp & 0xfffe) == 0xfffe)
				return 0;
			i += len;
		}
	}
	return 1;
}

void log_line_html(struct html *h, const char *line, size_t n, struct ansi *st)
{
	const unsigned char *p = (const unsigned char *)line;
	if (n && p[n - 1] == '\r')
		n--;
	size_t cut = 0;
	if (n > LOG_LINE_SHOWN) {
		cut = n - LOG_LINE_SHOWN;
		n = LOG_LINE_SHOWN;
	}
	span_open(h, st);
	size_t i = 0, run = 0;
	while (i < n) {
		const unsigned char *esc = memchr(p + i, 0x1b, n - i);
		if (!esc)
			break;
		i = (size_t)(esc - p);
		log_text(h, p + run, i - run);
		size_t j = i + 1;
		if (j < n && p[j] == '[') { /* CSI: parameters, intermediates, a final byte */
			j++;
			size_t ps = j;
			while (j < n && p[j] >= 0x30 && p[j] <= 0x3f)
				j++;
			size_t pe = j;
			while (j < n && p[j] >= 0x20 && p[j] <= 0x2f)
				j++;
			if (j < n && p[j] >= 0x40 && p[j] <= 0x7e) {
				if (p[j] == 'm') {
					span_close(h, st);
					sgr(st, (const char *)p + ps, pe - ps);
					span_open(h, st);
				}
				j++;
			}
		} else if (j < n && p[j] == ']') { /* OSC: up to BEL or ESC \ */
			j++;
			while (j < n && p[j] != 0x07 && !(p[j] == 0x1b && j + 1 < n && p[j + 1] == '\\'))
				j++;
			if (j < n)
				j += p[j] == 0x07 ? 1 : 2;
		} else if (j < n) {
			j++; /* a two-byte escape (ESC c, ESC 7, ...) */
		}
		i = run = j;
	}
	log_text(h, p + run, n - run);
	html_ws_before_eol(&h->b); /* the line's '\n' follows */
	span_close(h, st);
	if (cut) {
		html_lit(h, "<span class=\"cut\"> \xe2\x80\xa6 ");
		html_int(h, (int64_t)cut);
		html_lit(h, " more bytes in the raw log</span>");
	}
}
