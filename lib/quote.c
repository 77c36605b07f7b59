#include "quote.h"

size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (!n)
		return 0;
	unsigned char c = p[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

size_t utf8_seq(const unsigned char *p, size_t n)
{
	uint32_t cp;
	return utf8_decode(p, n, &cp);
}

static void hex_escape(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
	buf_add(out, e, 4);
}

static const char *quote(const char *s, size_t n, struct buf *out, int quotes)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_reset(out);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t l = utf8_seq(p + i, n - i);
			/* C1 controls (U+0080..U+009F, encoded C2 80..C2 9F) act on terminals too
			 */
			if (l == 0 || (l == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
				hex_escape(out, c);
				i++;
			} else {
				buf_add(out, p + i, l);
				i += l;
			}
			continue;
		}
		if (c == '\n')
			buf_adds(out, "\\n");
		else if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '\r')
			buf_adds(out, "\\r");
		else if (quotes && c == '\\')
			buf_adds(out, "\\\\");
		else if (quotes && c == '\'')
			buf_adds(out, "\\'");
		else if (c < 0x20 || c == 0x7f)
			hex_escape(out, c);
		else
			buf_addc(out, (char)c);
		i++;
	}
	return buf_str(out);
}

const char *quote_name(const char *s, size_t n, struct buf *out)
{
	return quote(s, n, out, 1);
}

const char *quote_text(const char *s, size_t n, struct buf *out)
{
	return quote(s, n, out, 0);
}

const char *utf8_clean(const char *s, size_t n, struct buf *out, int *changed)
{
	const unsigned char *p = (const unsigned char *)s;
	int ch = 0;
	size_t run = 0; /* start of the pending run of valid bytes */
	buf_reset(out);
	for (size_t i = 0; i < n;) {
		if (p[i] >= 0x01 && p[i] < 0x80) {
			i++;
			continue;
		}
		size_t l = p[i] ? utf8_seq(p + i, n - i) : 0;
		if (l) {
			i += l;
			continue;
		}
		buf_add(out, p + run, i - run);
		buf_add(out, "\xef\xbf\xbd", 3);
		ch = 1;
		run = ++i;
	}
	buf_add(out, p + run, n - run);
	if (changed)
		*changed = ch;
	return buf_str(out);
}
