/* version: recipe tag order; see version.h */
#include "version.h"

#include <string.h>


/* the longest tag we order with semver; longer ones fall back to byte order
 * (no tag is this long; the bound keeps the collation's copies small) */
#define VERSION_MAX 256

struct semver {
	const char *num[3];	/* digit runs, no leading zeros */
	size_t numlen[3];
	const char *pre;	/* pre-release identifiers (after '-'), or NULL */
	size_t prelen;
	const char *label;	/* after '+', or NULL */
	size_t labellen;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* a numeric part: digits, no leading zero unless it is "0"; returns its length or 0 */
static size_t num_part(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(p[i]))
		i++;
	if (i == 0 || (i > 1 && p[0] == '0'))
		return 0;
	return i;
}

/* dot-separated non-empty identifiers of [0-9A-Za-z-]; numeric ones without leading zeros */
static int valid_idents(const char *p, size_t n)
{
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		int digits = 1;
		while (j < n && p[j] != '.') {
			if (!ident_char(p[j]))
				return 0;
			if (!is_digit(p[j]))
				digits = 0;
			j++;
		}
		if (j == i)
			return 0;
		if (digits && j - i > 1 && p[i] == '0')
			return 0;
		i = j + 1;
	}
	return 1;
}

static int parse(const char *s, size_t n, struct semver *v)
{
	memset(v, 0, sizeof(*v));
	const char *plus = memchr(s, '+', n);
	size_t core = plus ? (size_t)(plus - s) : n;
	if (plus) {
		v->label = plus + 1;
		v->labellen = n - core - 1;
	}
	size_t i = 0;
	for (int k = 0; k < 3; k++) {
		size_t l = num_part(s + i, core - i);
		if (!l)
			return -1;
		v->num[k] = s + i;
		v->numlen[k] = l;
		i += l;
		if (k < 2) {
			if (i >= core || s[i] != '.')
				return -1;
			i++;
		}
	}
	if (i == core)
		return 0;
	if (s[i] != '-' || !valid_idents(s + i + 1, core - i - 1))
		return -1;
	v->pre = s + i + 1;
	v->prelen = core - i - 1;
	return 0;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* byte order of two (pointer, length) strings */
static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return sign(c);
	return (an > bn) - (an < bn);
}

/* digit strings without leading zeros: longer is larger, else byte order */
static int num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	return sign(memcmp(a, b, an));
}

static int all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return 0;
	return n > 0;
}

/* semver 2.0.0 section 11: pre-release precedence, identifier by identifier */
static int pre_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	for (;;) {
		if (i >= an && j >= bn)
			return 0;
		if (i >= an)
			return -1;	/* fewer identifiers: lower */
		if (j >= bn)
			return 1;
		size_t ie = i, je = j;
		while (ie < an && a[ie] != '.')
			ie++;
		while (je < bn && b[je] != '.')
			je++;
		int ad = all_digits(a + i, ie - i), bd = all_digits(b + j, je - j);
		int c;
		if (ad && bd)
			c = num_cmp(a + i, ie - i, b + j, je - j);
		else if (ad != bd)
			c = ad ? -1 : 1;	/* numeric identifiers are lower */
		else
			c = bytes_cmp(a + i, ie - i, b + j, je - j);
		if (c)
			return c;
		i = ie + 1;
		j = je + 1;
	}
}

static int cmp_n(const char *a, size_t an, const char *b, size_t bn)
{
	struct semver va, vb;
	int sa = an <= VERSION_MAX && parse(a, an, &va) == 0;
	int sb = bn <= VERSION_MAX && parse(b, bn, &vb) == 0;
	if (sa != sb)
		return sa ? 1 : -1;
	if (!sa)
		return bytes_cmp(a, an, b, bn);
	for (int k = 0; k < 3; k++) {
		int c = num_cmp(va.num[k], va.numlen[k], vb.num[k], vb.numlen[k]);
		if (c)
			return c;
	}
	if (!va.pre != !vb.pre)
		return va.pre ? -1 : 1;
	if (va.pre) {
		int c = pre_cmp(va.pre, va.prelen, vb.pre, vb.prelen);
		if (c)
			return c;
	}
	/* equal precedence: the label, then the whole text, so the order is total */
	int c = bytes_cmp(va.label ? va.label : "", va.labellen, vb.label ? vb.label : "",
			  vb.labellen);
	if (c)
		return c;
	return bytes_cmp(a, an, b, bn);
}

int version_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return cmp_n(a, strlen(a), b, strlen(b));
}

int version_is_semver(const char *tag)
{
	struct semver v;
	size_t n = tag ? strlen(tag) : 0;
	return tag && n <= VERSION_MAX && parse(tag, n, &v) == 0;
}

static int collate(void *arg, int an, const void *a, int bn, const void *b)
{
	(void)arg;
	return cmp_n(a, (size_t)an, b, (size_t)bn);
}

int version_register(sqlite3 *db)
{
	return sqlite3_create_collation(db, "version", SQLITE_UTF8, NULL, collate);
}
