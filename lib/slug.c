#include "slug.h"
#include "sha256.h"

#include <string.h>

static int safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* sanitise p[0..n) into out (room for max bytes + NUL); returns the length */
static size_t sanitise(const char *p, size_t n, char *out, size_t max)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o < max; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!safe_char(c))
			c = '-';
		if (c == '-' && o && out[o - 1] == '-')
			continue;
		if ((c == '.' || c == '-') && o == 0)
			continue;
		if (c == '.' && o && out[o - 1] == '.')
			continue;
		out[o++] = (char)c;
	}
	while (o && (out[o - 1] == '-' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
	return o;
}

static void add_hash(char *out, size_t o, const char hex[65])
{
	out[o] = '-';
	memcpy(out + o + 1, hex, 8);
	out[o + 9] = '\0';
}

void slug_name(const char *name, size_t len, char out[SLUG_SIZE])
{
	int already = len > 0 && len <= SLUG_MAX && name[0] != '.' && name[0] != '-';
	for (size_t i = 0; already && i < len; i++)
		already = safe_char((unsigned char)name[i]);
	if (already) {
		memcpy(out, name, len);
		out[len] = '\0';
		return;
	}
	char hex[65];
	sha256_hex(name, len, hex);
	size_t o = sanitise(name, len, out, SLUG_MAX - 9);
	if (!o)
		out[o++] = 'x';
	add_hash(out, o, hex);
}

void slug_test(const char *classname, const char *name, char out[SLUG_SIZE])
{
	struct sha256 s;
	char hex[65];
	sha256_init(&s);
	sha256_update(&s, classname, strlen(classname));
	sha256_update(&s, "", 1);
	sha256_update(&s, name, strlen(name));
	sha256_final_hex(&s, hex);

	char readable[SLUG_SIZE * 2];
	const char *last = strrchr(classname, '.');
	last = last ? last + 1 : classname;
	size_t llen = strlen(last), nlen = strlen(name);
	if (llen > SLUG_MAX)
		llen = SLUG_MAX;
	if (nlen > SLUG_MAX)
		nlen = SLUG_MAX;
	size_t r = 0;
	memcpy(readable, last, llen);
	r += llen;
	if (llen)
		readable[r++] = '.';
	memcpy(readable + r, name, nlen);
	r += nlen;
	size_t o = sanitise(readable, r, out, SLUG_MAX - 9);
	if (!o)
		out[o++] = 't';
	add_hash(out, o, hex);
}
