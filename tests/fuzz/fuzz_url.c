/* fuzz_url: libFuzzer target for slugs (lib/slug.h) and site URLs (render/url.h).
 * The input is up to three NUL-separated names. Checks, on any bytes: slugs are
 * 1..SLUG_MAX bytes of [a-z0-9._-], never start with '.' or '-', and are a pure
 * function of their input; every page path is relative, made of [A-Za-z0-9._-]
 * segments with no empty, "." or ".." one (so "../" x depth + path never climbs
 * above the site root), fits URL_PATH_MAX and has the depth its slashes say;
 * url_external_ok() accepts only http(s) URLs free of spaces, controls, quotes
 * and angle brackets. Any broken promise aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../lib/slug.h"
#include "../../render/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slug(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SLUG_MAX || s[0] == '.' || s[0] == '-')
		abort();
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-'))
			abort();
}

static void check_path(const struct url *u, const char *prefix)
{
	if (u->len != strlen(u->path) || u->len == 0 || u->len >= URL_PATH_MAX ||
	    strncmp(u->path, prefix, strlen(prefix)))
		abort();
	int slashes = 0;
	const char *seg = u->path;
	for (const char *p = u->path;; p++) {
		if (*p == '/' || !*p) {
			size_t l = (size_t)(p - seg);
			if (l == 0 || (l == 1 && seg[0] == '.') ||
			    (l == 2 && seg[0] == '.' && seg[1] == '.'))
				abort();
			if (!*p)
				break;
			slashes++;
			seg = p + 1;
			continue;
		}
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			abort();
	}
	if (url_depth(u) != slashes)
		abort();
}

static void check_external(const char *s)
{
	if (!url_external_ok(s))
		return;
	if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* three C strings: the input split at its first two NULs */
	char *copy = malloc(size + 3);
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = copy[size + 2] = '\0';
	const char *a = copy;
	const char *b = a + strlen(a) + 1;
	if (b > copy + size)
		b = copy + size + 1;
	const char *c = b + strlen(b) + 1;
	if (c > copy + size + 1)
		c = copy + size + 2;

	char s1[SLUG_SIZE], s2[SLUG_SIZE];
	slug_name((const char *)data, size, s1);
	slug_name((const char *)data, size, s2);
	check_slug(s1);
	if (strcmp(s1, s2))
		abort();
	slug_test(a, b, s1);
	slug_test(a, b, s2);
	check_slug(s1);
	if (strcmp(s1, s2))
		abort();
	seg_run(a, s1);
	if (!s1[0] || s1[0] == '.' || s1[0] == '-' || strlen(s1) > SLUG_MAX)
		abort();

	struct url u;
	url_run(&u, a);
	check_path(&u, "runs/");
	url_log(&u, a, b, 1);
	check_path(&u, "runs/");
	url_log(&u, a, b, (int)(size % 1000) + 2);
	check_path(&u, "runs/");
	url_log_raw(&u, a, b);
	check_path(&u, "runs/");
	url_recipe(&u, a);
	check_path(&u, "recipes/");
	url_test(&u, a, b, c);
	check_path(&u, "recipes/");
	url_sweep(&u, c);
	check_path(&u, "sweeps/");
	url_badge(&u, b);
	check_path(&u, "badges/");
	if (url_doc(&u, a) == 0)
		check_path(&u, "docs/");
	check_external(a);
	free(copy);
	return 0;
}
