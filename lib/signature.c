/* signature: failure messages normalised into causes; see signature.h */
#include "signature.h"
#include "sha256.h"

#include <string.h>

/* a quoted token longer than this is prose, not an id */
#define QUOTED_ID_MAX 64
/* base64-like: long enough not to catch words, and mixed enough not to catch names
 * (kebab-case names hold few digits and one case; tokens hold many or mix cases) */
#define B64_MIN 20
#define B64_MIN_DIGITS 4
/* hex run: 8 digits is the shortest id printed by restic, docker (short form is 12) */
#define HEX_MIN 8

static int dig(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int word(unsigned char c)
{
	return dig(c) || alpha(c) || c == '_';
}

static int hexd(unsigned char c)
{
	return dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int b64c(unsigned char c)
{
	return dig(c) || alpha(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
}

/* the byte at i, or 0 past the end */
#define AT(i) ((i) < n ? (unsigned char)s[(i)] : 0)

/* exactly k digits at s[i..]: returns 1 */
static int digits_k(const char *s, size_t n, size_t i, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (!dig(AT(i + j)))
			return 0;
	return 1;
}

static size_t m_uuid(const char *s, size_t n, size_t i)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	size_t p = i;
	for (int g = 0; g < 5; g++) {
		for (int k = 0; k < groups[g]; k++, p++)
			if (!hexd(AT(p)))
				return 0;
		if (g < 4 && AT(p) != '-')
			return 0;
		p += g < 4;
	}
	return word(AT(p)) ? 0 : p - i;
}

/* optional .fraction, then Z or +hh[:mm] */
static size_t time_tail(const char *s, size_t n, size_t p)
{
	if ((AT(p) == '.' || AT(p) == ',') && dig(AT(p + 1))) {
		p++;
		while (dig(AT(p)))
			p++;
	}
	if (AT(p) == 'Z')
		p++;
	else if ((AT(p) == '+' || AT(p) == '-') && digits_k(s, n, p + 1, 2)) {
		p += 3;
		if (AT(p) == ':' && digits_k(s, n, p + 1, 2))
			p += 3;
		else if (digits_k(s, n, p, 2))
			p += 2;
	}
	return p;
}

/* 2026-06-18[T ]00:17:30..., 20260618T001730Z, 00:17:30 */
static size_t m_time(const char *s, size_t n, size_t i)
{
	size_t p = i;
	if (digits_k(s, n, p, 4) && AT(p + 4) == '-' && digits_k(s, n, p + 5, 2) &&
	    AT(p + 7) == '-' && digits_k(s, n, p + 8, 2)) {
		p += 10;
		if ((AT(p) == 'T' || AT(p) == ' ') && digits_k(s, n, p + 1, 2) && AT(p + 3) == ':' &&
		    digits_k(s, n, p + 4, 2)) {
			p += 6;
			if (AT(p) == ':' && digits_k(s, n, p + 1, 2))
				p += 3;
			p = time_tail(s, n, p);
		}
	} else if (digits_k(s, n, p, 8) && AT(p + 8) == 'T' && digits_k(s, n, p + 9, 6)) {
		p += 15;
		if (AT(p) == 'Z')
			p++;
	} else {
		size_t h = dig(AT(p)) ? (dig(AT(p + 1)) ? 2 : 1) : 0;
		if (!h || AT(p + h) != ':' || !digits_k(s, n, p + h + 1, 2) ||
		    AT(p + h + 3) != ':' || !digits_k(s, n, p + h + 4, 2))
			return 0;
		p = time_tail(s, n, p + h + 6);
	}
	return dig(AT(p)) || alpha(AT(p)) ? 0 : p - i;
}

static size_t m_ipv4(const char *s, size_t n, size_t i)
{
	size_t p = i;
	for (int k = 0; k < 4; k++) {
		size_t d = 0;
		while (d < 4 && dig(AT(p + d)))
			d++;
		if (d == 0 || d > 3)
			return 0;
		p += d;
		if (k < 3 && AT(p) != '.')
			return 0;
		p += k < 3;
	}
	if (dig(AT(p)) || alpha(AT(p)) || (AT(p) == '.' && dig(AT(p + 1))))
		return 0;
	if (AT(p) == '/' && dig(AT(p + 1))) {	/* CIDR suffix */
		p++;
		while (dig(AT(p)))
			p++;
	}
	return p - i;
}

/* hex groups and colons, with "::" or seven colons, and at least one hex digit */
static size_t m_ipv6(const char *s, size_t n, size_t i)
{
	size_t p = i, colons = 0, hexes = 0;
	int dbl = 0;
	while (p < n && (hexd(AT(p)) || AT(p) == ':')) {
		if (AT(p) == ':') {
			colons++;
			if (AT(p + 1) == ':')
				dbl = 1;
		} else {
			hexes++;
		}
		p++;
	}
	if (!hexes || colons < 2 || (!dbl && colons != 7) || word(AT(p)))
		return 0;
	/* a trailing ":" belongs to the prose ("... ::1: connection refused") */
	if (AT(p - 1) == ':' && AT(p - 2) != ':')
		p--;
	return p - i;
}

/* (digits[.digits] unit)+ with units ns us ms s m h */
static size_t m_dur(const char *s, size_t n, size_t i)
{
	size_t p = i;
	int parts = 0;
	while (dig(AT(p))) {
		size_t q = p;
		while (dig(AT(q)))
			q++;
		if (AT(q) == '.' && dig(AT(q + 1))) {
			q++;
			while (dig(AT(q)))
				q++;
		}
		size_t u = 0;
		if ((AT(q) == 'n' || AT(q) == 'u' || AT(q) == 'm') && AT(q + 1) == 's')
			u = 2;
		else if (AT(q) == 0xc2 && AT(q + 1) == 0xb5 && AT(q + 2) == 's')	/* µs */
			u = 3;
		else if (AT(q) == 's' || AT(q) == 'm' || AT(q) == 'h')
			u = 1;
		if (!u)
			break;
		p = q + u;
		parts++;
	}
	return parts && !word(AT(p)) ? p - i : 0;
}

static size_t m_hex(const char *s, size_t n, size_t i)
{
	size_t p = i;
	if (AT(p) == '0' && (AT(p + 1) == 'x' || AT(p + 1) == 'X') && hexd(AT(p + 2))) {
		p += 2;
		while (hexd(AT(p)))
			p++;
		return word(AT(p)) ? 0 : p - i;
	}
	int letter = 0, digit = 0;
	while (hexd(AT(p))) {
		if (dig(AT(p)))
			digit = 1;
		else
			letter = 1;
		p++;
	}
	return p - i >= HEX_MIN && letter && digit && !word(AT(p)) ? p - i : 0;
}

static size_t m_b64(const char *s, size_t n, size_t i)
{
	size_t p = i, d = 0, lower = 0, upper = 0;
	while (b64c(AT(p))) {
		unsigned char c = AT(p);
		d += dig(c);
		lower += c >= 'a' && c <= 'z';
		upper += c >= 'A' && c <= 'Z';
		p++;
	}
	if (p - i < B64_MIN || !d || !(lower + upper))
		return 0;
	return d >= B64_MIN_DIGITS || (lower && upper) ? p - i : 0;
}

/* digits[.digits]... */
static size_t m_num(const char *s, size_t n, size_t i)
{
	size_t p = i;
	while (dig(AT(p))) {
		while (dig(AT(p)))
			p++;
		if (AT(p) == '.' && dig(AT(p + 1)))
			p++;
	}
	return p - i;
}

static const char *const tmp_prefixes[] = {
	"/tmp/", "/var/tmp/", "/var/folders/", "/private/var/folders/", "/private/tmp/",
	"/dev/shm/",
};

static size_t m_tmp(const char *s, size_t n, size_t i)
{
	for (size_t k = 0; k < sizeof(tmp_prefixes) / sizeof(*tmp_prefixes); k++) {
		size_t l = strlen(tmp_prefixes[k]);
		if (n - i >= l && !memcmp(s + i, tmp_prefixes[k], l)) {
			size_t p = i + l;
			while (p < n && !strchr(" \t\"'`,;:()[]<>{}", s[p]) && s[p] != '\0')
				p++;
			return p - i;
		}
	}
	return 0;
}

/* 'abc123def' (quote, no blank, letters and digits) */
static size_t m_quoted(const char *s, size_t n, size_t i)
{
	unsigned char q = AT(i);
	size_t p = i + 1, d = 0, l = 0;
	while (p < n && AT(p) != q && p - i <= QUOTED_ID_MAX) {
		unsigned char c = AT(p);
		if (!word(c) && c != '.' && c != '-')
			return 0;	/* ids only: paths, URLs and prose stay readable */
		d += dig(c);
		l += alpha(c);
		p++;
	}
	if (AT(p) != q || p - i - 1 < 6 || !d || !l)
		return 0;
	return p + 1 - i;
}

/* the mask for a match at s[i], or NULL; *len gets the matched length */
static const char *mask_at(const char *s, size_t n, size_t i, size_t *len)
{
	unsigned char c = AT(i);
	unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
	if (c == '/' && !word(prev) && prev != '.' && prev != '/' && prev != '-' &&
	    (*len = m_tmp(s, n, i)))
		return "<tmp>";
	if ((c == '\'' || c == '"') && (*len = m_quoted(s, n, i)))
		return c == '"' ? "\"<id>\"" : "'<id>'";
	if (word(prev) || !(hexd(c) || c == ':' || alpha(c)))
		return NULL;
	if ((*len = m_uuid(s, n, i)))
		return "<uuid>";
	if ((*len = m_time(s, n, i)))
		return "<time>";
	if ((*len = m_ipv4(s, n, i)))
		return "<ip>";
	if ((*len = m_ipv6(s, n, i)))
		return "<ip>";
	if ((*len = m_dur(s, n, i)))
		return "<dur>";
	if ((*len = m_b64(s, n, i)))
		return "<b64>";
	if ((*len = m_hex(s, n, i)))
		return "<hex>";
	if ((*len = m_num(s, n, i)))
		return "<n>";
	if (c == 'v' && dig(AT(i + 1)) && (*len = m_num(s, n, i + 1))) {
		(*len)++;
		return "v<n>";
	}
	return NULL;
}

/* length of a valid UTF-8 sequence at s[i], or 0 */
static size_t utf8_len(const char *s, size_t n, size_t i)
{
	unsigned char c = AT(i);
	size_t l = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (!l || i + l > n || (l == 2 && c < 0xc2))
		return 0;
	for (size_t k = 1; k < l; k++)
		if ((AT(i + k) & 0xc0) != 0x80)
			return 0;
	return l;
}

/* normalises one line into out (unbounded; cut by the caller) */
static void normalise(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = AT(i);
		size_t len = 0;
		const char *m = mask_at(s, n, i, &len);
		if (m) {
			buf_adds(out, m);
			i += len;
			continue;
		}
		if (c <= ' ' || c == 0x7f) {
			if (out->len && out->data[out->len - 1] != ' ')
				buf_addc(out, ' ');
			i++;
			continue;
		}
		size_t l = utf8_len(s, n, i);
		if (!l) {
			buf_addc(out, '?');	/* not UTF-8: a stable stand-in */
			i++;
			continue;
		}
		buf_add(out, s + i, l);
		i += l;
	}
}

/* a line worth reading: holds a letter or digit, and is not a traceback header */
static int meaningful(const char *s, size_t n)
{
	static const char tb[] = "Traceback (most recent call last):";
	if (n >= sizeof(tb) - 1 && !memcmp(s, tb, sizeof(tb) - 1))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (word((unsigned char)s[i]))
			return 1;
	return 0;
}

/* the next meaningful line at or after *pos, trimmed; 0 when none */
static int next_line(const char *s, size_t n, size_t *pos, const char **line, size_t *len)
{
	while (*pos < n) {
		size_t b = *pos, e = b;
		while (e < n && s[e] != '\n' && s[e] != '\r')
			e++;
		*pos = e + 1;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (meaningful(s + b, e - b)) {
			*line = s + b;
			*len = e - b;
			return 1;
		}
	}
	return 0;
}

void signature_make(const char *msg, size_t len, struct buf *text, char id[SIGNATURE_ID_SIZE])
{
	struct buf full = BUF_INIT;
	const char *line;
	size_t ll, pos = 0;
	if (!msg)
		len = 0;
	if (len > SIGNATURE_INPUT_MAX)
		len = SIGNATURE_INPUT_MAX;
	if (next_line(msg, len, &pos, &line, &ll)) {
		normalise(line, ll, &full);
		/* "AssertionError" alone says little: the next line holds the cause */
		if (!memchr(line, ' ', ll) && next_line(msg, len, &pos, &line, &ll)) {
			buf_addc(&full, ' ');
			normalise(line, ll, &full);
		}
	}
	while (full.len && full.data[full.len - 1] == ' ')
		full.len--;
	if (!full.len)
		buf_adds(&full, "(no message)");
	size_t cut = full.len;
	if (cut > SIGNATURE_TEXT_MAX) {
		cut = SIGNATURE_TEXT_MAX;
		/* never end inside a UTF-8 sequence */
		while (cut && ((unsigned char)full.data[cut] & 0xc0) == 0x80)
			cut--;
		while (cut && full.data[cut - 1] == ' ')
			cut--;
	}
	buf_reset(text);
	buf_add(text, full.data, cut);
	buf_release(&full);
	char hex[65];
	sha256_hex(text->data, text->len, hex);
	memcpy(id, hex, SIGNATURE_ID_LEN);
	id[SIGNATURE_ID_LEN] = '\0';
}

const char *signature_source(const char *message, const char *details, const char *type,
			     size_t *len)
{
	const char *line;
	size_t pos = 0;
	if (message && meaningful(message, strlen(message))) {
		*len = strlen(message);
		return message;
	}
	if (details && next_line(details, strnlen(details, SIGNATURE_INPUT_MAX), &pos, &line, len))
		return line;
	if (type && *type) {
		*len = strlen(type);
		return type;
	}
	*len = 0;
	return "";
}
