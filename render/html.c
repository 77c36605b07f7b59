/* html: the escaping HTML writer (see html.h) */
#include "html.h"
#include "../lib/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void html_init(struct html *h, struct render *r, int depth)
{
	buf_init(&h->b, 0);
	h->depth = depth;
	h->r = r;
}

void html_reset(struct html *h, int depth)
{
	buf_reset(&h->b);
	h->depth = depth;
}

void html_release(struct html *h)
{
	buf_release(&h->b);
}

void html_raw_(struct html *h, const char *lit, size_t n)
{
	buf_add(&h->b, lit, n);
}

static void add_cp(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/* characters HTML forbids in text: C1 controls and noncharacters */
static int forbidden_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	       (cp & 0xfffe) == 0xfffe;
}

void html_ws_before_eol(struct buf *b)
{
	size_t n = 0;
	while (n < b->len && (b->data[b->len - 1 - n] == ' ' || b->data[b->len - 1 - n] == '\t'))
		n++;
	if (!n)
		return;
	char ws[64];
	if (n > sizeof(ws))
		n = sizeof(ws); /* longer runs keep the rest: still valid, just not tidy */
	memcpy(ws, b->data + b->len - n, n);
	b->len -= n;
	b->data[b->len] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (ws[i] == ' ')
			buf_add(b, "&#32;", 5);
		else
			buf_add(b, "&#9;", 4);
	}
}

/* quotes: escape " and ' too (attributes, and text anywhere else than a log) */
static void esc_any(struct buf *b, const char *p, size_t n, int quotes)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = s[i];
		/* the common case: plain printable ASCII, copied in runs */
		if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' &&
		    ((c != '"' && c != '\'') || !quotes)) {
			i++;
			continue;
		}
		if (i > run)
			buf_add(b, s + run, i - run);
		if (c == '&') {
			buf_add(b, "&amp;", 5);
			i++;
		} else if (c == '<') {
			buf_add(b, "&lt;", 4);
			i++;
		} else if (c == '>') {
			buf_add(b, "&gt;", 4);
			i++;
		} else if (c == '"') {
			buf_add(b, "&quot;", 6);
			i++;
		} else if (c == '\'') {
			buf_add(b, "&#39;", 5);
			i++;
		} else if (c == '\n') {
			html_ws_before_eol(b);
			buf_add(b, s + i, 1);
			i++;
		} else if (c == '\t' || c == '\r') {
			buf_add(b, s + i, 1);
			i++;
		} else if (c < 0x20) {
			add_cp(b, 0x2400u + c); /* control picture: visible, valid */
			i++;
		} else if (c == 0x7f) {
			add_cp(b, 0x2421);
			i++;
		} else {
			uint32_t cp;
			size_t len = utf8_decode(s + i, n - i, &cp);
			if (!len) {
				add_cp(b, 0xfffd);
				i++;
			} else if (forbidden_cp(cp)) {
				add_cp(b, 0xfffd);
				i += len;
			} else {
				buf_add(b, s + i, len);
				i += len;
			}
		}
		run = i;
	}
	if (i > run)
		buf_add(b, s + run, i - run);
}

void esc_html(struct buf *b, const char *p, size_t n)
{
	esc_any(b, p, n, 1);
}

void esc_text(struct buf *b, const char *p, size_t n)
{
	esc_any(b, p, n, 0);
}

void html_textn(struct html *h, const char *p, size_t n)
{
	esc_html(&h->b, p, n);
}

void html_text(struct html *h, const char *s)
{
	if (s)
		esc_html(&h->b, s, strlen(s));
}

void html_attr(struct html *h, const char *s)
{
	if (s)
		esc_html(&h->b, s, strlen(s));
}

void html_attrn(struct html *h, const char *p, size_t n)
{
	esc_html(&h->b, p, n);
}

void html_int(struct html *h, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	buf_add(&h->b, tmp + i, sizeof(tmp) - i);
}

void html_time(struct html *h, int64_t t)
{
	if (t <= 0) {
		html_lit(h, "?");
		return;
	}
	char iso[21], sh[17];
	time_fmt_iso(t, iso);
	time_fmt_short(t, sh);
	html_lit(h, "<time datetime=\"");
	html_attr(h, iso);
	html_lit(h, "\">");
	html_text(h, sh);
	html_lit(h, "</time>");
}

void html_duration(struct html *h, int64_t ms)
{
	char tmp[64];
	int n;
	if (ms < 0) {
		html_lit(h, "?");
		return;
	}
	if (ms < 1000)
		n = snprintf(tmp, sizeof(tmp), "%" PRId64 " ms", ms);
	else if (ms < 60000)
		n = snprintf(tmp, sizeof(tmp), "%" PRId64 ".%" PRId64 " s", ms / 1000,
			     (ms % 1000) / 100);
	else if (ms < 3600000)
		n = snprintf(tmp, sizeof(tmp), "%" PRId64 " min %" PRId64 " s", ms / 60000,
			     (ms / 1000) % 60);
	else
		n = snprintf(tmp, sizeof(tmp), "%" PRId64 " h %" PRId64 " min", ms / 3600000,
			     (ms / 60000) % 60);
	if (n > 0 && (size_t)n < sizeof(tmp))
		html_text(h, tmp);
}
