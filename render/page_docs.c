/*
 * page_docs: decisions documents (see docs.h for the reference forms).
 * Writes: docs/index.html and docs/<path>.html for every .md file under DIR of --docs.
 * Queries: run by id; run by (recipe, version) (run_recipe_version); canon_record
 * by recipe; test by (recipe, tier) (test_slug); signature by id; testcase by
 * run_id; sweep by id. Fills and reads the TEMP table doc_cite.
 *
 * Markdown goes through cmark (CMARK_OPT_VALIDATE_UTF8, never CMARK_OPT_UNSAFE)
 * and its tree is written by this file through the escaping HTML writer, so no
 * byte of a document reaches a page unescaped: raw HTML is shown as text, link
 * destinations other than http(s), fragments and site pages are dropped.
 * Debian's libcmark 0.30 has no GFM table extension: a paragraph whose first two
 * source lines are a table header and its delimiter row is drawn as a table here,
 * with code spans and references in its cells (other inline markup shows as typed).
 */
#include "docs.h"
#include "layout.h"
#include "pages.h"
#include "state.h"
#include "../lib/buf.h"
#include "../lib/msg.h"
#include "../lib/sha256.h"

#include <cmark.h>
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* headings per document listed in its contents */
#define DOCS_MAX_HEADINGS 2000
/* heading ids are cut here: long enough to read, short enough for a URL */
#define DOCS_ID_MAX 60
/* cells per table row */
#define DOCS_MAX_CELLS 64

struct heading {
	cmark_node *node;
	char *text;
	char id[DOCS_ID_MAX + 16];
	int level;
};

struct doc {
	char *rel;		/* path under --docs, e.g. "ops/DECISIONS.md" */
	char *title;
	struct url url;
	int url_ok;
	struct html h;		/* the rendered page, written by page_docs() */
	int rendered;
};

static struct {
	struct doc *v;
	size_t n, cap;
	int active;		/* doc_cite exists on this connection */
	int too_many;
	const char *root;	/* during the walk */
	size_t rootlen;
} docs;

/* ---- finding the documents ---- */

static int walk_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	const char *base = path + ftw->base;
	if (ftw->level > 0 && base[0] == '.')
		return flag == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	if (flag != FTW_F)
		return FTW_CONTINUE; /* folders go on; symlinks and the rest are not read */
	size_t n = strlen(base);
	if (n < 4 || strcmp(base + n - 3, ".md"))
		return FTW_CONTINUE;
	if (docs.n == DOCS_MAX_FILES) {
		docs.too_many = 1;
		return FTW_STOP;
	}
	if (docs.n == docs.cap) {
		docs.cap = docs.cap ? 2 * docs.cap : 16;
		docs.v = xrealloc(docs.v, docs.cap * sizeof(*docs.v));
	}
	struct doc *d = &docs.v[docs.n++];
	memset(d, 0, sizeof(*d));
	d->rel = xstrdup(path + docs.rootlen + 1);
	return FTW_CONTINUE;
}

static int cmp_doc(const void *a, const void *b)
{
	return strcmp(((const struct doc *)a)->rel, ((const struct doc *)b)->rel);
}

static void docs_free(void)
{
	for (size_t i = 0; i < docs.n; i++) {
		free(docs.v[i].rel);
		free(docs.v[i].title);
		html_release(&docs.v[i].h);
	}
	free(docs.v);
	docs.v = NULL;
	docs.n = docs.cap = 0;
}

static int docs_find(const char *dir)
{
	docs_free();
	docs.root = dir;
	docs.rootlen = strlen(dir);
	while (docs.rootlen > 1 && dir[docs.rootlen - 1] == '/')
		docs.rootlen--;
	docs.too_many = 0;
	if (nftw(dir, walk_entry, 16, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		return error("'%s': %s", dir, strerror(errno));
	if (docs.too_many)
		warning("'%s': more than %d documents; the rest are not rendered", dir,
			DOCS_MAX_FILES);
	if (docs.n)
		qsort(docs.v, docs.n, sizeof(*docs.v), cmp_doc);
	return 0;
}

static int doc_read(const char *rel, struct buf *b)
{
	struct buf p = BUF_INIT;
	buf_addf(&p, "%.*s/%s", (int)docs.rootlen, docs.root, rel);
	buf_init(b, DOCS_MAX_BYTES);
	int rc = buf_read_file(b, buf_str(&p));
	buf_release(&p);
	return rc;
}

int docs_fingerprint(const char *dir, char out[65])
{
	out[0] = '\0';
	if (!dir)
		return 0;
	if (docs_find(dir) < 0)
		return -1;
	struct sha256 s;
	sha256_init(&s);
	for (size_t i = 0; i < docs.n; i++) {
		struct buf b;
		sha256_update(&s, docs.v[i].rel, strlen(docs.v[i].rel) + 1);
		if (doc_read(docs.v[i].rel, &b) == 0)
			sha256_update(&s, b.data ? b.data : "", b.len);
		buf_release(&b);
	}
	sha256_final_hex(&s, out);
	return 0;
}

/* ---- citations ---- */

static const char SQL_CITE_TABLE[] =
	"CREATE TEMP TABLE IF NOT EXISTS doc_cite("
	" kind TEXT NOT NULL,"	 /* run | test | recipe | signature */
	" key TEXT NOT NULL,"	 /* run id, test.id, recipe, signature id */
	" recipe TEXT,"		 /* the recipe it concerns (for recipe pages) */
	" doc TEXT NOT NULL,"	 /* document path under --docs */
	" section TEXT NOT NULL," /* heading text, or the document's title */
	" anchor TEXT NOT NULL," /* heading id, '' before the first heading */
	" seq INTEGER NOT NULL," /* order of first citation in the document */
	" PRIMARY KEY (kind, key, doc, anchor)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS temp.doc_cite_recipe ON doc_cite(recipe);"
	"DELETE FROM doc_cite;";

static const char SQL_CITE[] =
	"INSERT OR IGNORE INTO doc_cite(kind, key, recipe, doc, section, anchor, seq)"
	" VALUES (:kind, :key, :recipe, :doc, :section, :anchor, :seq)";

static const char SQL_CITED_BY_KEY[] =
	"SELECT doc, section, anchor FROM doc_cite WHERE kind = :kind AND key = :key"
	" GROUP BY doc, anchor ORDER BY doc, min(seq)";
static const char SQL_CITED_BY_RECIPE[] =
	"SELECT doc, section, anchor FROM doc_cite WHERE recipe = :key"
	" GROUP BY doc, anchor ORDER BY doc, min(seq)";

void docs_citations(struct html *h, struct render *r, const char *kind, const char *key)
{
	if (!docs.active)
		return;
	sqlite3_stmt *q = store_stmt(r->st, strcmp(kind, "recipe") ? SQL_CITED_BY_KEY
								  : SQL_CITED_BY_RECIPE);
	if (strcmp(kind, "recipe"))
		bind_text(q, ":kind", kind);
	bind_text(q, ":key", key);
	int first = 1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct url u;
		if (url_doc(&u, col_text(q, 0)) < 0)
			continue;
		if (first)
			html_lit(h, "<section class=\"cited\" id=\"cited\"><h2>Cited in</h2>\n<ul>\n");
		first = 0;
		const char *anchor = col_text(q, 2);
		html_lit(h, "<li><a href=\"");
		html_href(h, &u, *anchor ? anchor : NULL);
		html_lit(h, "\">");
		html_text(h, col_text(q, 0));
		html_lit(h, ": ");
		html_text(h, col_text(q, 1));
		html_lit(h, "</a></li>\n");
	}
	sqlite3_reset(q);
	if (!first)
		html_lit(h, "</ul></section>\n");
}

/* ---- one document ---- */

struct dctx {
	struct render *r;
	struct doc *d;
	struct html *h;
	const char *src;
	size_t srclen;
	size_t *lines;		/* offset of each line's start */
	size_t nlines;
	struct heading *hd;
	size_t nhd;
	const char *section, *anchor;
	int line;		/* line of the block being written, for messages */
	int in_link;
	int toc_pending;	/* the contents go after the title heading */
	int nrefs, seq;
	int broken;
};

struct target {
	struct url u;
	const char *frag;	/* NULL or a fragment (validated) */
	char fragbuf[256];
	char reason[200];	/* why it is broken */
};

static void cite(struct dctx *c, const char *kind, const char *key, const char *recipe)
{
	sqlite3_stmt *q = store_stmt(c->r->st, SQL_CITE);
	bind_text(q, ":kind", kind);
	bind_text(q, ":key", key);
	bind_text(q, ":recipe", recipe);
	bind_text(q, ":doc", c->d->rel);
	bind_text(q, ":section", c->section ? c->section : c->d->title);
	bind_text(q, ":anchor", c->anchor ? c->anchor : "");
	bind_int(q, ":seq", c->seq++);
	sqlite3_step(q);
	sqlite3_reset(q);
}

static const char SQL_RUN[] = "SELECT recipe FROM run WHERE id = :id";
static const char SQL_RECIPE_AT[] =
	"SELECT 1 FROM run WHERE recipe = :r AND version = :v"
	" UNION ALL SELECT 1 FROM canon_record WHERE recipe = :r AND version = :v LIMIT 1";
static const char SQL_RECIPE[] =
	"SELECT 1 FROM run WHERE recipe = :r UNION ALL SELECT 1 FROM canon_record WHERE recipe = :r"
	" LIMIT 1";
static const char SQL_TIER[] = "SELECT 1 FROM test WHERE recipe = :r AND tier = :t LIMIT 1";
static const char SQL_TEST[] =
	"SELECT id, slug FROM test WHERE recipe = :r AND tier = :t"
	" AND (name = :x OR slug = :x OR classname || '::' || name = :x OR name = :last)"
	" ORDER BY name != :x, id LIMIT 1";
static const char SQL_TEST_SLUG[] =
	"SELECT id FROM test WHERE recipe = :r AND tier = :t AND slug = :s LIMIT 1";
/* the recipe of its latest occurrence, for the recipe page's citations */
static const char SQL_SIG[] =
	"SELECT (SELECT recipe FROM run WHERE id = s.last_run) FROM signature s WHERE s.id = :id";
static const char SQL_SWEEP[] = "SELECT 1 FROM sweep WHERE id = :id";

/* the first column of a one-row lookup as a new string, NULL when there is no row */
static char *lookup(struct dctx *c, const char *sql, const char *k1, const char *v1,
		    const char *k2, const char *v2)
{
	if (!c) /* docs_ref_len(): no store to ask */
		return NULL;
	sqlite3_stmt *q = store_stmt(c->r->st, sql);
	bind_text(q, k1, v1);
	if (k2)
		bind_text(q, k2, v2);
	char *out = NULL;
	if (sqlite3_step(q) == SQLITE_ROW)
		out = xstrdup(col_text(q, 0));
	sqlite3_reset(q);
	return out;
}

static int std_tier(const char *t)
{
	static const char *const tiers[] = {"install", "upgrade", "backup", "restore", "custom"};
	for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		if (!strcmp(t, tiers[i]))
			return 1;
	return 0;
}

enum ref_kind { REF_NONE, REF_RUN, REF_AT, REF_TEST, REF_SIG };

struct ref {
	enum ref_kind kind;
	size_t len;		/* bytes of text it spans */
	size_t a, b;		/* REF_AT: '@' at a; REF_TEST: the two '/' at a and b */
};

static int is_lower_digit(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_namec(int c)
{
	return is_lower_digit(c) || c == '.' || c == '_' || c == '-';
}

static int is_wordc(int c)
{
	return is_namec(c) || (c >= 'A' && c <= 'Z') || c == '@' || c == '/' || c == ':' || c == '+';
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* trailing punctuation that ends a sentence rather than a reference */
static size_t trim_end(const char *s, size_t start, size_t end)
{
	while (end > start && (s[end - 1] == '.' || s[end - 1] == '-' || s[end - 1] == ':' ||
			       s[end - 1] == '_'))
		end--;
	return end;
}

static int digits_at(const char *s, size_t n, size_t i, size_t k)
{
	if (i + k > n)
		return 0;
	for (size_t j = 0; j < k; j++)
		if (s[i + j] < '0' || s[i + j] > '9')
			return 0;
	return 1;
}

/* the reference starting at s[i] (a word start), if any */
static struct ref match_ref(struct dctx *c, const char *s, size_t n, size_t i)
{
	struct ref ref = {REF_NONE, 0, 0, 0};
	/* run id: 20260618T001730Z-mumble */
	if (digits_at(s, n, i, 8) && i + 16 < n && s[i + 8] == 'T' && digits_at(s, n, i + 9, 6) &&
	    s[i + 15] == 'Z' && s[i + 16] == '-') {
		size_t j = i + 17;
		while (j < n && is_namec((unsigned char)s[j]))
			j++;
		j = trim_end(s, i + 17, j);
		if (j > i + 17) {
			ref.kind = REF_RUN;
			ref.len = j - i;
			return ref;
		}
	}
	/* sig:<12 hex> */
	if (i + 4 + 12 <= n && !strncmp(s + i, "sig:", 4)) {
		size_t j = i + 4;
		while (j < n && is_hex((unsigned char)s[j]))
			j++;
		if (j - i - 4 == 12 && (j == n || !is_wordc((unsigned char)s[j]) || s[j] == '.')) {
			ref.kind = REF_SIG;
			ref.len = 16;
			return ref;
		}
	}
	if (!is_lower_digit((unsigned char)s[i]))
		return ref;
	size_t j = i;
	while (j < n && is_namec((unsigned char)s[j]))
		j++;
	size_t name_end = trim_end(s, i, j);
	if (name_end != j)
		return ref; /* "end." is not a recipe followed by anything */
	/* recipe@version: the version starts with a digit */
	if (j + 1 < n && s[j] == '@' && s[j + 1] >= '0' && s[j + 1] <= '9') {
		size_t k = j + 1;
		while (k < n && (is_namec((unsigned char)s[k]) || s[k] == '+' || s[k] == '~' ||
				 (s[k] >= 'A' && s[k] <= 'Z')))
			k++;
		k = trim_end(s, j + 1, k);
		ref.kind = REF_AT;
		ref.len = k - i;
		ref.a = j - i;
		return ref;
	}
	/* recipe/tier/test, the tier one of the harness's or one the store knows */
	if (j + 1 < n && s[j] == '/') {
		size_t k = j + 1;
		while (k < n && (is_lower_digit((unsigned char)s[k]) || s[k] == '_' || s[k] == '-'))
			k++;
		if (k == j + 1 || k + 1 >= n || s[k] != '/')
			return ref;
		char tier[64], recipe[256];
		if (k - j - 1 >= sizeof(tier) || j - i >= sizeof(recipe))
			return ref;
		memcpy(tier, s + j + 1, k - j - 1);
		tier[k - j - 1] = '\0';
		memcpy(recipe, s + i, j - i);
		recipe[j - i] = '\0';
		if (!std_tier(tier)) {
			char *known = lookup(c, SQL_TIER, ":r", recipe, ":t", tier);
			if (!known)
				return ref;
			free(known);
		}
		size_t m = k + 1;
		while (m < n && (is_namec((unsigned char)s[m]) || s[m] == ':' || s[m] == '[' ||
				 s[m] == ']' || (s[m] >= 'A' && s[m] <= 'Z')))
			m++;
		m = trim_end(s, k + 1, m);
		if (m == k + 1)
			return ref;
		ref.kind = REF_TEST;
		ref.len = m - i;
		ref.a = j - i;
		ref.b = k - i;
	}
	return ref;
}

/* resolves a text reference: 1 with t->u set (and the citation recorded), 0 broken */
size_t docs_ref_len(const char *s, size_t n, size_t i)
{
	return i < n ? match_ref(NULL, s, n, i).len : 0;
}

static int resolve_ref(struct dctx *c, const char *s, const struct ref *ref, struct target *t)
{
	t->frag = NULL;
	char *text = xstrndup(s, ref->len);
	int ok = 0;
	switch (ref->kind) {
	case REF_RUN: {
		char *recipe = lookup(c, SQL_RUN, ":id", text, NULL, NULL);
		if (recipe) {
			url_run(&t->u, text);
			cite(c, "run", text, recipe);
			ok = 1;
		} else {
			snprintf(t->reason, sizeof(t->reason), "no such run");
		}
		free(recipe);
		break;
	}
	case REF_AT: {
		text[ref->a] = '\0';
		const char *recipe = text, *version = text + ref->a + 1;
		char *hit = lookup(c, SQL_RECIPE_AT, ":r", recipe, ":v", version);
		if (hit) {
			url_recipe(&t->u, recipe);
			cite(c, "recipe", recipe, recipe);
			ok = 1;
		} else {
			snprintf(t->reason, sizeof(t->reason), "no run or canonical of %.80s at %.80s",
				 recipe, version);
		}
		free(hit);
		break;
	}
	case REF_TEST: {
		text[ref->a] = '\0';
		text[ref->b] = '\0';
		const char *recipe = text, *tier = text + ref->a + 1, *name = text + ref->b + 1;
		const char *last = NULL;
		for (const char *p = name; (p = strstr(p, "::")); p += 2)
			last = p + 2;
		sqlite3_stmt *q = store_stmt(c->r->st, SQL_TEST);
		bind_text(q, ":r", recipe);
		bind_text(q, ":t", tier);
		bind_text(q, ":x", name);
		bind_text(q, ":last", last);
		if (sqlite3_step(q) == SQLITE_ROW) {
			char id[32];
			snprintf(id, sizeof(id), "%lld", (long long)sqlite3_column_int64(q, 0));
			url_test(&t->u, recipe, tier, col_text(q, 1));
			cite(c, "test", id, recipe);
			ok = 1;
		} else {
			snprintf(t->reason, sizeof(t->reason), "no test %.80s in %.60s %.40s", name,
				 recipe, tier);
		}
		sqlite3_reset(q);
		break;
	}
	case REF_SIG: {
		sqlite3_stmt *q = store_stmt(c->r->st, SQL_SIG);
		bind_text(q, ":id", text + 4);
		if (sqlite3_step(q) == SQLITE_ROW) {
			url_signature(&t->u, text + 4);
			cite(c, "signature", text + 4,
			     sqlite3_column_type(q, 0) == SQLITE_NULL ? NULL : col_text(q, 0));
			ok = 1;
		} else {
			snprintf(t->reason, sizeof(t->reason), "no such signature");
		}
		sqlite3_reset(q);
		break;
	}
	case REF_NONE:
		break;
	}
	free(text);
	return ok;
}

static void broken(struct dctx *c, const char *text, size_t n, const char *reason)
{
	c->broken++;
	c->r->rejected = 1;
	warning("'%s:%d': broken reference '%.*s': %s", c->d->rel, c->line, (int)(n > 200 ? 200 : n),
		text, reason);
	html_lit(c->h, "<span class=\"ref-broken\" title=\"broken reference: ");
	html_attr(c->h, reason);
	html_lit(c->h, "\">");
	html_textn(c->h, text, n);
	html_lit(c->h, " <small>[broken]</small></span>");
}

/* text with its references linked; code = write each piece inside <code> */
static void ref_text(struct dctx *c, const char *s, size_t n)
{
	if (c->in_link) {
		html_textn(c->h, s, n);
		return;
	}
	size_t plain = 0;
	for (size_t i = 0; i < n;) {
		int start = i == 0 || !is_wordc((unsigned char)s[i - 1]);
		struct ref ref = {REF_NONE, 0, 0, 0};
		if (start && c->nrefs < DOCS_MAX_REFS)
			ref = match_ref(c, s, n, i);
		if (ref.kind == REF_NONE) {
			i++;
			continue;
		}
		c->nrefs++;
		html_textn(c->h, s + plain, i - plain);
		struct target t;
		if (resolve_ref(c, s + i, &ref, &t)) {
			html_lit(c->h, "<a class=\"ref\" href=\"");
			html_href(c->h, &t.u, t.frag);
			html_lit(c->h, "\">");
			html_textn(c->h, s + i, ref.len);
			html_lit(c->h, "</a>");
		} else {
			broken(c, s + i, ref.len, t.reason);
		}
		i += ref.len;
		plain = i;
	}
	html_textn(c->h, s + plain, n - plain);
}

/* a code span: linked when it holds exactly one reference */
static void code_span(struct dctx *c, const char *s)
{
	size_t n = strlen(s);
	struct ref ref = {REF_NONE, 0, 0, 0};
	if (!c->in_link && n && c->nrefs < DOCS_MAX_REFS)
		ref = match_ref(c, s, n, 0);
	if (ref.kind != REF_NONE && ref.len == n) {
		c->nrefs++;
		struct target t;
		if (resolve_ref(c, s, &ref, &t)) {
			html_lit(c->h, "<a class=\"ref\" href=\"");
			html_href(c->h, &t.u, t.frag);
			html_lit(c->h, "\"><code>");
			html_text(c->h, s);
			html_lit(c->h, "</code></a>");
		} else {
			broken(c, s, n, t.reason);
		}
		return;
	}
	html_lit(c->h, "<code>");
	html_text(c->h, s);
	html_lit(c->h, "</code>");
}

/* ---- link destinations ---- */

static int path_char_ok(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '~' || ch == '-';
}

/* a document by path, relative to the citing document's folder, else to --docs */
static struct doc *doc_by_path(struct dctx *c, const char *p, size_t n)
{
	struct buf want = BUF_INIT;
	const char *slash = strrchr(c->d->rel, '/');
	struct doc *found = NULL;
	for (int pass = 0; pass < 2 && !found; pass++) {
		buf_reset(&want);
		if (pass == 0 && slash)
			buf_add(&want, c->d->rel, (size_t)(slash - c->d->rel) + 1);
		buf_add(&want, p, n);
		for (size_t i = 0; i < docs.n && !found; i++)
			if (!strcmp(docs.v[i].rel, buf_str(&want)))
				found = &docs.v[i];
	}
	buf_release(&want);
	return found;
}

/*
 * A markdown link destination relative to the site root (or a document): 1 with
 * t->u set, 0 when it names nothing (t->reason says why), -1 when it is not a
 * site link at all (the text is shown without a link).
 */
static int resolve_link(struct dctx *c, const char *dest, struct target *t)
{
	t->frag = NULL;
	if (!*dest)
		return -1;
	const char *hash = strchr(dest, '#');
	size_t n = hash ? (size_t)(hash - dest) : strlen(dest);
	if (hash) {
		size_t fl = strlen(hash + 1);
		if (fl >= sizeof(t->fragbuf)) {
			snprintf(t->reason, sizeof(t->reason), "fragment too long");
			return 0;
		}
		for (size_t i = 0; i < fl; i++) {
			if (!path_char_ok((unsigned char)hash[1 + i])) {
				snprintf(t->reason, sizeof(t->reason), "fragment is not an anchor");
				return 0;
			}
		}
		memcpy(t->fragbuf, hash + 1, fl + 1);
		t->frag = fl ? t->fragbuf : NULL;
	}
	while (n >= 2 && !strncmp(dest, "./", 2)) {
		dest += 2;
		n -= 2;
	}
	while (n >= 3 && !strncmp(dest, "../", 3)) {
		dest += 3;
		n -= 3;
	}
	if (!n) {
		snprintf(t->reason, sizeof(t->reason), "empty path");
		return 0;
	}
	/* another document */
	if (n > 3 && !strncmp(dest + n - 3, ".md", 3)) {
		struct doc *d = doc_by_path(c, dest, n);
		if (!d || !d->url_ok) {
			snprintf(t->reason, sizeof(t->reason), "no such document");
			return 0;
		}
		t->u = d->url;
		return 1;
	}
	/* a site page: slug characters only, as every site URL is made of */
	if (n >= sizeof(t->u.path)) {
		snprintf(t->reason, sizeof(t->reason), "not a page of the site");
		return 0;
	}
	char segs[8][SLUG_SIZE + 8];
	size_t ns = 0, s0 = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && dest[i] != '/') {
			if (!path_char_ok((unsigned char)dest[i])) {
				snprintf(t->reason, sizeof(t->reason), "not a page of the site");
				return 0;
			}
			continue;
		}
		if (i == s0 || ns == 8 || i - s0 >= sizeof(segs[0])) {
			snprintf(t->reason, sizeof(t->reason), "not a page of the site");
			return 0;
		}
		memcpy(segs[ns], dest + s0, i - s0);
		segs[ns][i - s0] = '\0';
		ns++;
		s0 = i + 1;
	}
	memcpy(t->u.path, dest, n);
	t->u.path[n] = '\0';
	t->u.len = n;
	const char *what = "no such page";
	int ok = 0;
	if (ns == 1) {
		static const char *const fixed[] = {"index.html", "flakes.html", "timeline.html",
						    "feed.atom"};
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			ok |= !strcmp(segs[0], fixed[i]);
	} else if (!strcmp(segs[0], "runs") && ns >= 3) {
		char *recipe = lookup(c, SQL_RUN, ":id", segs[1], NULL, NULL);
		if (recipe) {
			cite(c, "run", segs[1], recipe);
			ok = 1;
		} else {
			what = "no such run";
		}
		free(recipe);
	} else if (!strcmp(segs[0], "recipes") && ns >= 3) {
		char *hit = lookup(c, SQL_RECIPE, ":r", segs[1], NULL, NULL);
		if (!hit) {
			what = "no such recipe";
		} else if (ns == 3 && !strcmp(segs[2], "index.html")) {
			cite(c, "recipe", segs[1], segs[1]);
			ok = 1;
		} else if (ns == 5 && !strcmp(segs[2], "tests")) {
			size_t l = strlen(segs[4]);
			if (l > 5 && !strcmp(segs[4] + l - 5, ".html")) {
				segs[4][l - 5] = '\0';
				sqlite3_stmt *q = store_stmt(c->r->st, SQL_TEST_SLUG);
				bind_text(q, ":r", segs[1]);
				bind_text(q, ":t", segs[3]);
				bind_text(q, ":s", segs[4]);
				if (sqlite3_step(q) == SQLITE_ROW) {
					char id[32];
					snprintf(id, sizeof(id), "%lld",
						 (long long)sqlite3_column_int64(q, 0));
					cite(c, "test", id, segs[1]);
					ok = 1;
				} else {
					what = "no such test";
				}
				sqlite3_reset(q);
			}
		}
		free(hit);
	} else if (!strcmp(segs[0], "sweeps") && ns == 2) {
		size_t l = strlen(segs[1]);
		if (l > 5 && !strcmp(segs[1] + l - 5, ".html")) {
			segs[1][l - 5] = '\0';
			char *hit = lookup(c, SQL_SWEEP, ":id", segs[1], NULL, NULL);
			ok = hit != NULL;
			what = "no such sweep";
			free(hit);
		}
	} else if (!strcmp(segs[0], "signatures") && ns == 2) {
		size_t l = strlen(segs[1]);
		if (l > 5 && !strcmp(segs[1] + l - 5, ".html")) {
			segs[1][l - 5] = '\0';
			sqlite3_stmt *q = store_stmt(c->r->st, SQL_SIG);
			bind_text(q, ":id", segs[1]);
			if (sqlite3_step(q) == SQLITE_ROW) {
				cite(c, "signature", segs[1],
				     sqlite3_column_type(q, 0) == SQLITE_NULL ? NULL : col_text(q, 0));
				ok = 1;
			} else {
				what = "no such signature";
			}
			sqlite3_reset(q);
		}
	} else if (!strcmp(segs[0], "docs") || !strcmp(segs[0], "badges") ||
		   !strcmp(segs[0], "data") || !strcmp(segs[0], "assets")) {
		ok = 1; /* generated with the site; not checked one by one */
	}
	if (!ok)
		snprintf(t->reason, sizeof(t->reason), "%s", what);
	return ok;
}

/* ---- tables (cmark 0.30 has none) ---- */

static const char *line_at(struct dctx *c, int line, size_t *len)
{
	if (line < 1 || (size_t)line > c->nlines) {
		*len = 0;
		return "";
	}
	size_t a = c->lines[line - 1];
	size_t b = (size_t)line < c->nlines ? c->lines[line] : c->srclen;
	while (b > a && (c->src[b - 1] == '\n' || c->src[b - 1] == '\r'))
		b--;
	*len = b - a;
	return c->src + a;
}

/* splits a table row into cells (outer pipes dropped, "\|" kept, pipes in code spans kept) */
static size_t split_row(const char *s, size_t n, const char **cell, size_t *clen)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n && *s == '|') {
		s++;
		n--;
	}
	if (n && s[n - 1] == '|' && (n < 2 || s[n - 2] != '\\'))
		n--;
	size_t nc = 0, start = 0;
	int code = 0;
	for (size_t i = 0; i <= n && nc < DOCS_MAX_CELLS; i++) {
		if (i < n && s[i] == '`')
			code = !code;
		if (i < n && (s[i] != '|' || code || (i && s[i - 1] == '\\')))
			continue;
		size_t a = start, b = i;
		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		cell[nc] = s + a;
		clen[nc++] = b - a;
		start = i + 1;
	}
	return nc;
}

static int delimiter_row(const char *s, size_t n)
{
	int dashes = 0, pipes = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '-')
			dashes++;
		else if (ch == '|')
			pipes++;
		else if (ch != ':' && ch != ' ' && ch != '\t')
			return 0;
	}
	return dashes > 0 && pipes > 0;
}

static void link_open(struct dctx *c, const char *dest, int *mode);
static void link_close(struct dctx *c, int mode);

/* one cell: code spans, [text](dest) links and references; the rest as typed (escaped) */
static void table_cell(struct dctx *c, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n;) {
		if (s[i] == '[') {
			const char *mid = memchr(s + i, ']', n - i);
			const char *end = mid && mid + 1 < s + n && mid[1] == '(' ?
						  memchr(mid, ')', (size_t)(s + n - mid)) : NULL;
			if (end) {
				ref_text(c, buf_str(&b), b.len);
				buf_reset(&b);
				char *dest = xstrndup(mid + 2, (size_t)(end - mid - 2));
				int mode;
				link_open(c, dest, &mode);
				html_textn(c->h, s + i + 1, (size_t)(mid - s) - i - 1);
				link_close(c, mode);
				free(dest);
				i = (size_t)(end - s) + 1;
				continue;
			}
		}
		if (s[i] == '`') {
			const char *end = memchr(s + i + 1, '`', n - i - 1);
			if (end) {
				ref_text(c, buf_str(&b), b.len);
				buf_reset(&b);
				char *code = xstrndup(s + i + 1, (size_t)(end - s) - i - 1);
				code_span(c, code);
				free(code);
				i = (size_t)(end - s) + 1;
				continue;
			}
		}
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|')
			i++;
		buf_addc(&b, s[i]);
		i++;
	}
	ref_text(c, b.data ? b.data : "", b.len);
	buf_release(&b);
}

/* a paragraph that is a table: written here, 1; else 0 */
static int table_para(struct dctx *c, cmark_node *p)
{
	int first = cmark_node_get_start_line(p), last = cmark_node_get_end_line(p);
	if (first < 1 || last <= first)
		return 0;
	size_t n0, n1;
	const char *l0 = line_at(c, first, &n0), *l1 = line_at(c, first + 1, &n1);
	if (!memchr(l0, '|', n0) || !delimiter_row(l1, n1))
		return 0;
	const char *cell[DOCS_MAX_CELLS];
	size_t clen[DOCS_MAX_CELLS];
	html_lit(c->h, "<div class=\"scroll\"><table class=\"doc-table\"><thead><tr>");
	size_t nc = split_row(l0, n0, cell, clen);
	for (size_t i = 0; i < nc; i++) {
		html_lit(c->h, "<th>");
		table_cell(c, cell[i], clen[i]);
		html_lit(c->h, "</th>");
	}
	html_lit(c->h, "</tr></thead><tbody>\n");
	for (int line = first + 2; line <= last; line++) {
		size_t n;
		const char *l = line_at(c, line, &n);
		c->line = line;
		size_t k = split_row(l, n, cell, clen);
		html_lit(c->h, "<tr>");
		for (size_t i = 0; i < k; i++) {
			html_lit(c->h, "<td>");
			table_cell(c, cell[i], clen[i]);
			html_lit(c->h, "</td>");
		}
		html_lit(c->h, "</tr>\n");
	}
	html_lit(c->h, "</tbody></table></div>\n");
	return 1;
}

/* ---- headings ---- */

static char *node_text(cmark_node *n)
{
	struct buf b = BUF_INIT;
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *x = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(x);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE))
			buf_adds(&b, cmark_node_get_literal(x));
		else if (ev == CMARK_EVENT_ENTER && t == CMARK_NODE_SOFTBREAK)
			buf_addc(&b, ' ');
	}
	cmark_iter_free(it);
	return buf_detach(&b, NULL);
}

static void heading_id(struct dctx *c, const char *text, char *out)
{
	size_t n = 0;
	for (const char *p = text; *p && n < DOCS_ID_MAX; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[n++] = (char)ch;
		else if (n && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	if (!n) {
		memcpy(out, "section", 8);
		n = 7;
	}
	out[n] = '\0';
	/* unique in the page: a second "Fix" is "fix-2" */
	char base[DOCS_ID_MAX + 1];
	memcpy(base, out, n + 1);
	for (int k = 2;; k++) {
		int taken = !strcmp(out, "cited") || !strcmp(out, "contents");
		for (size_t i = 0; i < c->nhd && !taken; i++)
			taken = !strcmp(c->hd[i].id, out);
		if (!taken)
			break;
		snprintf(out, DOCS_ID_MAX + 16, "%s-%d", base, k);
	}
}

static void collect_headings(struct dctx *c, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_HEADING ||
		    c->nhd == DOCS_MAX_HEADINGS)
			continue;
		struct heading *h = &c->hd[c->nhd];
		h->node = n;
		h->text = node_text(n);
		h->level = cmark_node_get_heading_level(n);
		heading_id(c, h->text, h->id);
		c->nhd++;
	}
	cmark_iter_free(it);
}

static struct heading *heading_of(struct dctx *c, cmark_node *n)
{
	for (size_t i = 0; i < c->nhd; i++)
		if (c->hd[i].node == n)
			return &c->hd[i];
	return NULL;
}

/* ---- the tree, written ---- */

enum { LINK_NONE = 1, LINK_OPEN, LINK_BROKEN };

static int tight_para(cmark_node *n)
{
	cmark_node *item = cmark_node_parent(n);
	if (!item || cmark_node_get_type(item) != CMARK_NODE_ITEM)
		return 0;
	cmark_node *list = cmark_node_parent(item);
	return list && cmark_node_get_list_tight(list);
}

/* opens a link to dest as link_enter() decides; *mode says what link_close() shuts */
static void link_open(struct dctx *c, const char *dest, int *modep)
{
	struct target t;
	int mode = LINK_NONE;
	if (url_external_ok(dest)) {
		html_lit(c->h, "<a href=\"");
		html_attr(c->h, dest);
		html_lit(c->h, "\" rel=\"noreferrer\">");
		mode = LINK_OPEN;
	} else if (dest[0] == '#' && dest[1]) {
		html_lit(c->h, "<a href=\"");
		html_href_frag(c->h, dest + 1);
		html_lit(c->h, "\">");
		mode = LINK_OPEN;
	} else if (!strchr(dest, ':') && dest[0] != '/' && !strchr(dest, '?')) {
		int rc = resolve_link(c, dest, &t);
		if (rc == 1) {
			html_lit(c->h, "<a href=\"");
			html_href(c->h, &t.u, t.frag);
			html_lit(c->h, "\">");
			mode = LINK_OPEN;
		} else if (rc == 0) {
			c->broken++;
			c->r->rejected = 1;
			warning("'%s:%d': broken reference '%.200s': %s", c->d->rel, c->line, dest,
				t.reason);
			html_lit(c->h, "<span class=\"ref-broken\" title=\"broken reference: ");
			html_attr(c->h, t.reason);
			html_lit(c->h, "\">");
			mode = LINK_BROKEN;
		}
	}
	/* anything else (javascript:, data:, mailto:, absolute paths): the text alone */
	*modep = mode;
	c->in_link++;
}

static void link_close(struct dctx *c, int mode)
{
	if (mode == LINK_OPEN)
		html_lit(c->h, "</a>");
	else if (mode == LINK_BROKEN)
		html_lit(c->h, " <small>[broken]</small></span>");
	c->in_link--;
}

static void link_enter(struct dctx *c, cmark_node *n, int image)
{
	const char *dest = cmark_node_get_url(n);
	int mode;
	link_open(c, dest ? dest : "", &mode);
	if (image)
		html_lit(c->h, "[image: ");
	cmark_node_set_user_data(n, (void *)(intptr_t)mode);
}

static void link_exit(struct dctx *c, cmark_node *n, int image)
{
	if (image)
		html_lit(c->h, "]");
	link_close(c, (int)(intptr_t)cmark_node_get_user_data(n));
}

static void write_toc(struct dctx *c);

static void write_tree(struct dctx *c, cmark_node *root)
{
	struct html *h = c->h;
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		int enter = ev == CMARK_EVENT_ENTER;
		if (enter && cmark_node_get_start_line(n) > 0 &&
		    cmark_node_get_type(n) < CMARK_NODE_FIRST_INLINE)
			c->line = cmark_node_get_start_line(n);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_PARAGRAPH:
			if (enter && table_para(c, n)) {
				cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
				break;
			}
			if (!tight_para(n)) {
				if (enter)
					html_lit(h, "<p>");
				else
					html_lit(h, "</p>\n");
			}
			break;
		case CMARK_NODE_HEADING: {
			struct heading *hd = heading_of(c, n);
			int level = cmark_node_get_heading_level(n);
			static const char *const open[] = {"<h1", "<h2", "<h3", "<h4", "<h5", "<h6"};
			static const char *const close[] = {"</h1>\n", "</h2>\n", "</h3>\n",
							    "</h4>\n", "</h5>\n", "</h6>\n"};
			if (level < 1 || level > 6)
				level = 6;
			if (enter) {
				html_raw_(h, open[level - 1], 3);
				if (hd) {
					html_lit(h, " id=\"");
					html_attr(h, hd->id);
					html_lit(h, "\"");
					c->section = hd->text;
					c->anchor = hd->id;
				}
				html_lit(h, ">");
			} else {
				html_raw_(h, close[level - 1], 6);
				if (c->toc_pending) {
					c->toc_pending = 0;
					write_toc(c);
				}
			}
			break;
		}
		case CMARK_NODE_BLOCK_QUOTE:
			if (enter)
				html_lit(h, "<blockquote>\n");
			else
				html_lit(h, "</blockquote>\n");
			break;
		case CMARK_NODE_LIST:
			if (cmark_node_get_list_type(n) == CMARK_ORDERED_LIST) {
				if (enter) {
					html_lit(h, "<ol");
					int start = cmark_node_get_list_start(n);
					if (start != 1) {
						html_lit(h, " start=\"");
						html_int(h, start);
						html_lit(h, "\"");
					}
					html_lit(h, ">\n");
				} else {
					html_lit(h, "</ol>\n");
				}
			} else if (enter) {
				html_lit(h, "<ul>\n");
			} else {
				html_lit(h, "</ul>\n");
			}
			break;
		case CMARK_NODE_ITEM:
			if (enter)
				html_lit(h, "<li>");
			else
				html_lit(h, "</li>\n");
			break;
		case CMARK_NODE_CODE_BLOCK:
			html_lit(h, "<pre><code>");
			html_text(h, cmark_node_get_literal(n));
			html_lit(h, "</code></pre>\n");
			break;
		case CMARK_NODE_HTML_BLOCK:
			/* raw HTML is never passed through: shown as the text it is */
			html_lit(h, "<pre class=\"raw-html\">");
			html_text(h, cmark_node_get_literal(n));
			html_lit(h, "</pre>\n");
			break;
		case CMARK_NODE_THEMATIC_BREAK:
			html_lit(h, "<hr>\n");
			break;
		case CMARK_NODE_TEXT: {
			const char *s = cmark_node_get_literal(n);
			ref_text(c, s, strlen(s));
			break;
		}
		case CMARK_NODE_SOFTBREAK:
			c->line++;
			html_lit(h, "\n");
			break;
		case CMARK_NODE_LINEBREAK:
			c->line++;
			html_lit(h, "<br>\n");
			break;
		case CMARK_NODE_CODE:
			code_span(c, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_HTML_INLINE:
			html_text(h, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_EMPH:
			if (enter)
				html_lit(h, "<em>");
			else
				html_lit(h, "</em>");
			break;
		case CMARK_NODE_STRONG:
			if (enter)
				html_lit(h, "<strong>");
			else
				html_lit(h, "</strong>");
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE: {
			int image = cmark_node_get_type(n) == CMARK_NODE_IMAGE;
			if (enter)
				link_enter(c, n, image);
			else
				link_exit(c, n, image);
			break;
		}
		default:
			break; /* document, custom nodes */
		}
	}
	cmark_iter_free(it);
}

static void write_toc(struct dctx *c)
{
	size_t shown = 0;
	for (size_t i = 0; i < c->nhd; i++)
		shown += c->hd[i].level >= 2 && c->hd[i].level <= 4;
	if (shown < 2)
		return;
	html_lit(c->h, "<nav class=\"toc\" id=\"contents\" aria-label=\"contents\"><h2>Contents</h2>"
		       "\n<ul>\n");
	for (size_t i = 0; i < c->nhd; i++) {
		struct heading *hd = &c->hd[i];
		if (hd->level < 2 || hd->level > 4)
			continue;
		html_lit(c->h, "<li class=\"toc-");
		html_int(c->h, hd->level);
		html_lit(c->h, "\"><a href=\"");
		html_href_frag(c->h, hd->id);
		html_lit(c->h, "\">");
		html_text(c->h, hd->text);
		html_lit(c->h, "</a></li>\n");
	}
	html_lit(c->h, "</ul></nav>\n");
}

static int render_doc(struct render *r, struct doc *d)
{
	struct buf src;
	if (doc_read(d->rel, &src) < 0) {
		r->rejected = 1;
		buf_release(&src);
		return 0; /* named on stderr; the other documents go on */
	}
	cmark_node *root = cmark_parse_document(src.data ? src.data : "", src.len,
						CMARK_OPT_VALIDATE_UTF8);
	struct dctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.d = d;
	c.h = &d->h;
	c.src = src.data ? src.data : "";
	c.srclen = src.len;
	size_t cap = 64;
	c.lines = xmalloc(cap * sizeof(*c.lines));
	c.lines[c.nlines++] = 0;
	for (size_t i = 0; i < c.srclen; i++) {
		if (c.src[i] != '\n' || i + 1 == c.srclen)
			continue;
		if (c.nlines == cap) {
			cap *= 2;
			c.lines = xrealloc(c.lines, cap * sizeof(*c.lines));
		}
		c.lines[c.nlines++] = i + 1;
	}
	c.hd = xcalloc(DOCS_MAX_HEADINGS, sizeof(*c.hd));
	collect_headings(&c, root);
	for (size_t i = 0; i < c.nhd && !d->title; i++)
		if (c.hd[i].level == 1)
			d->title = xstrdup(c.hd[i].text);
	if (!d->title)
		d->title = xstrdup(d->rel);

	struct url home, index;
	url_page(&home, "index.html");
	url_page(&index, "docs/index.html");
	html_init(&d->h, r, url_depth(&d->url));
	struct crumb cr[] = {{"overview", &home}, {"docs", &index}, {d->rel, NULL}};
	layout_begin(&d->h, d->title, cr, 3);
	html_lit(&d->h, "<article class=\"doc\">\n");
	if (!c.nhd || c.hd[0].level != 1) {
		html_lit(&d->h, "<h1>");
		html_text(&d->h, d->rel);
		html_lit(&d->h, "</h1>\n");
		write_toc(&c);
	} else {
		c.toc_pending = 1; /* after the document's own title */
	}
	write_tree(&c, root);
	html_lit(&d->h, "</article>\n");
	if (c.broken) {
		html_lit(&d->h, "<p class=\"ref-broken-count\">");
		html_int(&d->h, c.broken);
		if (c.broken == 1)
			html_lit(&d->h, " reference");
		else
			html_lit(&d->h, " references");
		html_lit(&d->h, " in this document do not resolve (marked [broken]).</p>\n");
	}
	layout_end(&d->h, r->as_of);
	d->rendered = 1;
	for (size_t i = 0; i < c.nhd; i++)
		free(c.hd[i].text);
	free(c.hd);
	free(c.lines);
	cmark_node_free(root);
	buf_release(&src);
	return 0;
}

int page_docs_scan(struct render *r)
{
	docs.active = 0;
	if (!r->docs)
		return 0;
	if (docs_find(r->docs) < 0)
		return -1;
	if (store_exec(r->st, SQL_CITE_TABLE) < 0)
		return -1;
	docs.active = 1;
	for (size_t i = 0; i < docs.n; i++) {
		struct doc *d = &docs.v[i];
		d->url_ok = url_doc(&d->url, d->rel) == 0;
		if (!d->url_ok) {
			warning("'%s': deeper than %d folders; not rendered", d->rel, URL_DOC_DEPTH);
			r->rejected = 1;
		}
	}
	for (size_t i = 0; i < docs.n; i++)
		if (docs.v[i].url_ok && render_doc(r, &docs.v[i]) < 0)
			return -1;
	return 0;
}

int page_docs(struct render *r)
{
	if (!r->docs)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < docs.n && !rc; i++)
		if (docs.v[i].rendered)
			rc = render_page(r, &docs.v[i].url, &docs.v[i].h);
	if (!rc) {
		struct html h;
		struct url self, home;
		url_page(&self, "docs/index.html");
		url_page(&home, "index.html");
		html_init(&h, r, url_depth(&self));
		struct crumb cr[] = {{"overview", &home}, {"docs", NULL}};
		layout_begin(&h, "decisions documents", cr, 2);
		html_lit(&h, "<h1>Documents</h1>\n<ul class=\"docs\">\n");
		for (size_t i = 0; i < docs.n; i++) {
			struct doc *d = &docs.v[i];
			if (!d->rendered)
				continue;
			html_lit(&h, "<li><a href=\"");
			html_href(&h, &d->url, NULL);
			html_lit(&h, "\">");
			html_text(&h, d->title);
			html_lit(&h, "</a> <small>");
			html_text(&h, d->rel);
			html_lit(&h, "</small></li>\n");
		}
		html_lit(&h, "</ul>\n");
		if (!docs.n)
			html_lit(&h, "<p>No documents.</p>\n");
		layout_end(&h, r->as_of);
		rc = render_page(r, &self, &h);
		html_release(&h);
	}
	docs_free();
	return rc;
}
