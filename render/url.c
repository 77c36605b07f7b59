/* url: the site's URLs, built in one place (see url.h) */
#include "url.h"
#include "html.h"
#include "../lib/msg.h"
#include "../lib/sha256.h"

#include <stdio.h>
#include <string.h>

void seg_name(const char *name, char out[SLUG_SIZE])
{
	slug_name(name, strlen(name), out);
}

void seg_run(const char *run_id, char out[SLUG_SIZE])
{
	size_t n = strlen(run_id);
	int ok = n > 0 && n <= SLUG_MAX && run_id[0] != '.' && run_id[0] != '-';
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)run_id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	if (ok)
		memcpy(out, run_id, n + 1);
	else
		slug_name(run_id, n, out);
}

void anchor_tier(const char *tier, char out[SLUG_SIZE])
{
	seg_name(tier, out);
}

void anchor_test(const char *tier, const char *test_slug, char out[2 * SLUG_SIZE + 2])
{
	char t[SLUG_SIZE], s[SLUG_SIZE];
	seg_name(tier, t);
	seg_name(test_slug, s);
	snprintf(out, 2 * SLUG_SIZE + 2, "%s--%s", t, s);
}

/* u = the pieces joined; every piece is a slug or a fixed word, so it always fits */
static void build(struct url *u, const char *const *pieces, size_t n)
{
	u->len = 0;
	u->path[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(pieces[i]);
		if (u->len + l >= sizeof(u->path))
			die("url too long: %s...", u->path); /* a bug: pieces are bounded */
		memcpy(u->path + u->len, pieces[i], l);
		u->len += l;
		u->path[u->len] = '\0';
	}
}

void url_page(struct url *u, const char *fixed_path)
{
	const char *p[] = {fixed_path};
	build(u, p, 1);
}

void url_run(struct url *u, const char *run_id)
{
	char r[SLUG_SIZE];
	seg_run(run_id, r);
	const char *p[] = {"runs/", r, "/index.html"};
	build(u, p, 3);
}

/* out (slug_name() of name) with "-" and 8 hex digits of name's SHA-256 appended, as
 * slug_name() does for names that are not slugs already: for a slug that would take
 * a reserved or another name's place */
static void add_name_hash(const char *name, char out[SLUG_SIZE])
{
	char hex[65];
	sha256_hex(name, strlen(name), hex);
	size_t n = strlen(out);
	if (n > SLUG_MAX - 9)
		n = SLUG_MAX - 9;
	out[n] = '-';
	memcpy(out + n + 1, hex, 8);
	out[n + 9] = '\0';
}

/* A log's name (file.name, "logs/" left out) as a segment: slug_name(), except that
 * the hash suffix is forced when the slug ends in ".p<digits>" (which page k of
 * another log would also produce) or when the name was not under "logs/" (so
 * "x.log" and "logs/x.log" cannot share a page). */
static void seg_log(const char *name, char out[SLUG_SIZE])
{
	int under_logs = !strncmp(name, "logs/", 5) && name[5];
	seg_name(under_logs ? name + 5 : name, out);
	size_t n = strlen(out), i = n;
	while (i > 0 && out[i - 1] >= '0' && out[i - 1] <= '9')
		i--;
	int page_like = i < n && i >= 2 && out[i - 1] == 'p' && out[i - 2] == '.';
	if (under_logs && !page_like)
		return;
	add_name_hash(name, out);
}

void url_log(struct url *u, const char *run_id, const char *log_name, int page)
{
	char r[SLUG_SIZE], l[SLUG_SIZE], k[32] = "";
	seg_run(run_id, r);
	seg_log(log_name, l);
	if (page > 1)
		snprintf(k, sizeof(k), ".p%d", page);
	const char *p[] = {"runs/", r, "/logs/", l, k, ".html"};
	build(u, p, 6);
}

void url_log_raw(struct url *u, const char *run_id, const char *log_name)
{
	char r[SLUG_SIZE], l[SLUG_SIZE];
	seg_run(run_id, r);
	seg_log(log_name, l);
	const char *p[] = {"runs/", r, "/logs/", l, ".txt"};
	build(u, p, 5);
}

void url_recipe(struct url *u, const char *recipe)
{
	char r[SLUG_SIZE];
	seg_name(recipe, r);
	const char *p[] = {"recipes/", r, "/index.html"};
	build(u, p, 3);
}

/* "YYYY-MM" from strftime() as itself; anything else goes through the slug rule */
static void seg_month(const char *month, char out[SLUG_SIZE])
{
	if (strlen(month) == 7 && strspn(month, "0123456789-") == 7 && month[4] == '-')
		snprintf(out, SLUG_SIZE, "%s", month);
	else
		seg_name(month, out);
}

void url_site_month(struct url *u, const char *month)
{
	char m[SLUG_SIZE];
	seg_month(month, m);
	const char *p[] = {"history/", m, ".html"};
	build(u, p, 3);
}

void url_recipe_month(struct url *u, const char *recipe, const char *month)
{
	char r[SLUG_SIZE], m[SLUG_SIZE];
	seg_name(recipe, r);
	seg_month(month, m);
	const char *p[] = {"recipes/", r, "/history/", m, ".html"};
	build(u, p, 5);
}

void url_test(struct url *u, const char *recipe, const char *tier, const char *test_slug)
{
	char r[SLUG_SIZE], t[SLUG_SIZE], s[SLUG_SIZE];
	seg_name(recipe, r);
	seg_name(tier, t);
	seg_name(test_slug, s);
	const char *p[] = {"recipes/", r, "/tests/", t, "/", s, ".html"};
	build(u, p, 7);
}

void url_sweep(struct url *u, const char *sweep_id)
{
	char s[SLUG_SIZE];
	seg_name(sweep_id, s);
	const char *p[] = {"sweeps/", s, ".html"};
	build(u, p, 3);
}

void url_badge(struct url *u, const char *recipe)
{
	char r[SLUG_SIZE];
	seg_name(recipe, r);
	const char *p[] = {"badges/", r, ".svg"};
	build(u, p, 3);
}

int url_depth(const struct url *u)
{
	int d = 0;
	for (size_t i = 0; i < u->len; i++)
		d += u->path[i] == '/';
	return d;
}

static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '~' || c == '-';
}

void url_seg_enc(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	while (k < n && unreserved((unsigned char)p[k]))
		k++;
	if (k == n) { /* the usual case: a slug */
		buf_add(b, p, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (unreserved(c)) {
			buf_addc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(b, e, 3);
		}
	}
}

/* the path, each '/'-separated segment percent-encoded */
static void enc_path(struct buf *b, const char *path, size_t len)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			url_seg_enc(b, path + start, i - start);
			if (i < len)
				buf_addc(b, '/');
			start = i + 1;
		}
	}
}

void html_href(struct html *h, const struct url *u, const char *frag)
{
	/* segments are slugs: encoding them gives plain [a-z0-9._-], which needs no
	 * attribute escaping; the fragment is encoded the same way */
	for (int i = 0; i < h->depth; i++)
		html_lit(h, "../");
	enc_path(&h->b, u->path, u->len);
	if (frag) {
		html_lit(h, "#");
		url_seg_enc(&h->b, frag, strlen(frag));
	}
}

void html_href_frag(struct html *h, const char *frag)
{
	html_lit(h, "#");
	url_seg_enc(&h->b, frag, strlen(frag));
}

void url_abs(struct buf *b, const char *base, const struct url *u, const char *frag)
{
	if (base && *base) {
		buf_adds(b, base);
		buf_addc(b, '/');
	}
	enc_path(b, u->path, u->len);
	if (frag) {
		buf_addc(b, '#');
		url_seg_enc(b, frag, strlen(frag));
	}
}

int url_external_ok(const char *s)
{
	if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' ||
		    *p == '>' || *p == '\\' || *p == '`')
			return 0;
	return 1;
}

void html_external_link(struct html *h, const char *s, const char *text)
{
	if (!url_external_ok(s)) {
		html_text(h, text);
		return;
	}
	html_lit(h, "<a rel=\"nofollow noopener\" href=\"");
	html_attr(h, s);
	html_lit(h, "\">");
	html_text(h, text);
	html_lit(h, "</a>");
}

int url_doc(struct url *u, const char *relpath)
{
	char segs[URL_DOC_DEPTH][SLUG_SIZE];
	const char *pieces[2 * URL_DOC_DEPTH + 2];
	size_t n = 0, k = 0;
	pieces[k++] = "docs/";
	const char *p = relpath;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!slash && len > 3 && !strcmp(p + len - 3, ".md"))
			len -= 3;
		if (n == URL_DOC_DEPTH)
			return -1;
		slug_name(p, len, segs[n]);
		pieces[k++] = segs[n++];
		pieces[k++] = slash ? "/" : ".html";
		if (!slash)
			break;
		p = slash + 1;
	}
	/* "a/" names a folder, not a document: the path would end in an empty segment
	 * (found by tests/fuzz/fuzz_url.c) */
	if (!n || !*p)
		return -1;
	build(u, pieces, k);
	return 0;
}

void url_runs_day(struct url *u, const char *day)
{
	char d[SLUG_SIZE];
	seg_name(day, d);
	const char *p[] = {"data/runs/", d, ".json"};
	build(u, p, 3);
}

/* a recipe's folder under data/classification/ */
static void seg_class_recipe(const char *recipe, char r[SLUG_SIZE])
{
	seg_name(recipe, r);
	if (!strcmp(r, "index.json"))
		add_name_hash(recipe, r); /* the name of the top index before ccr-render 4 */
}

void url_class_version(struct url *u, const char *recipe, const char *version,
		       const char *harness_ref)
{
	char r[SLUG_SIZE], v[SLUG_SIZE], h[SLUG_SIZE] = "";
	seg_class_recipe(recipe, r);
	if (!*version) {
		memcpy(v, URL_NO_VERSION, sizeof(URL_NO_VERSION));
	} else {
		seg_name(version, v);
		/* the folder's own names: its versionless file and its index */
		if (!strcmp(v, URL_NO_VERSION) || !strcmp(v, "index"))
			add_name_hash(version, v);
	}
	if (*harness_ref)
		seg_name(harness_ref, h);
	/* '~' joins them: no slug holds one, so no two pairs share a name (an unreserved
	 * character in URLs: nothing to encode) */
	const char *p[] = {"data/classification/", r, "/", v, *h ? "~" : "", h, ".json"};
	build(u, p, 7);
}

void url_class_index(struct url *u, const char *recipe)
{
	char r[SLUG_SIZE];
	seg_class_recipe(recipe, r);
	const char *p[] = {"data/classification/", r, "/index.json"};
	build(u, p, 3);
}
