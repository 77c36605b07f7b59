/*
 * page_feed: an Atom feed with one entry per sweep (the latest FEED_SWEEPS):
 * its counts in the title, and what broke and what was fixed as content.
 * Links are absolute with --base-url (xml:base), else relative to the feed.
 * An incremental render copies the entries of sweeps not in todo_sweep from the
 * feed it wrote before: an entry depends only on its sweep and the one before it,
 * and render.c puts a sweep in todo_sweep whenever either changes (as it does for
 * the sweep pages, which show the same changes), so only a few entries a night are
 * computed instead of FEED_SWEEPS.
 * Writes: feed.atom.
 * Queries: sweep (latest first); todo_sweep by id; sweepview.c's changes per sweep.
 */
#include "pages.h"
#include "sweepview.h"
#include "../lib/timeutil.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* entries in the feed: three weeks of nightly sweeps; a reader polls daily, so older
 * entries only cost bytes rewritten each night (the sweep pages keep them): an entry
 * is ~14 KB at 60 recipes, and 50 of them were 0.7 MB written every night */
#define FEED_SWEEPS 20
/* tests listed per change list in an entry: a feed reader shows a summary; the
 * sweep page has the rest */
#define FEED_CHANGES 20

/* the feed read back: entries of FEED_SWEEPS sweeps with FEED_CHANGES tests each are
 * well under this; a bigger file is not ours, and is rebuilt */
#define FEED_OLD_MAX (16 << 20)

static const char SQL_IN_TODO_SWEEP[] = "SELECT 1 FROM todo_sweep WHERE id = :id";
static const char SQL_FEED_SWEEPS[] =
	"SELECT id, coalesce(finished, started, 0), (SELECT count(*) FROM run r WHERE r.sweep_id = s.id),"
	" (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status <> 'passed')"
	" FROM sweep s ORDER BY coalesce(started, 0) DESC, id DESC LIMIT :n";

/* text escaped for XML (the HTML escaper is also XML-safe) */
static void x(struct buf *b, const char *s)
{
	esc_html(b, s, strlen(s));
}

/* OUT/feed.atom as the last render wrote it, into old (left empty when there is none,
 * or in a full render: then every entry is computed) */
static void old_feed(struct render *r, struct buf *old)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/feed.atom", r->out);
	if (r->full || n < 0 || n >= (int)sizeof(path) || access(path, R_OK) < 0)
		return;
	buf_init(old, FEED_OLD_MAX);
	if (buf_read_file(old, path) < 0)
		buf_release(old);
}

/* the entry of old whose link line is link ("<link rel=... href=.../>"), from its
 * "<entry>" to its "</entry>\n", or NULL. Titles and content are escaped, so the
 * markup searched for occurs only as the feed's own. */
static const char *old_entry(const struct buf *old, const struct buf *link, size_t *len)
{
	static const char open[] = "<entry>\n", close[] = "</entry>\n";
	if (!old->len || !link->len)
		return NULL;
	const char *l = memmem(old->data, old->len, link->data, link->len);
	if (!l)
		return NULL;
	/* the nearest "<entry>\n" before the link, searched backwards: one entry's bytes */
	const char *start = NULL;
	for (size_t off = (size_t)(l - old->data); !start && off >= strlen(open); off--)
		if (!memcmp(old->data + off - strlen(open), open, strlen(open)))
			start = old->data + off - strlen(open);
	const char *end = memmem(l, old->len - (size_t)(l - old->data), close, strlen(close));
	if (!start || !end)
		return NULL;
	*len = (size_t)(end - start) + strlen(close);
	return start;
}

static int in_todo_sweep(struct render *r, const char *id)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_IN_TODO_SWEEP);
	bind_text(q, ":id", id);
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(r->st, "reading todo_sweep");
	return step == SQLITE_ROW;
}

int page_feed(struct render *r)
{
	struct buf b = BUF_INIT;
	struct html content;
	html_init(&content, r, 0);
	struct url self, home;
	url_page(&self, "feed.atom");
	url_page(&home, "index.html");
	char iso[21];
	time_fmt_iso(r->as_of, iso);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	if (r->base_url) {
		buf_adds(&b, " xml:base=\"");
		x(&b, r->base_url);
		buf_adds(&b, "/\"");
	}
	buf_adds(&b, ">\n<title>ccr sweeps</title>\n<id>");
	if (r->base_url) {
		struct buf id = BUF_INIT;
		url_abs(&id, r->base_url, &self, NULL);
		x(&b, buf_str(&id));
		buf_release(&id);
	} else {
		buf_adds(&b, "urn:ccr:sweeps");
	}
	buf_adds(&b, "</id>\n<updated>");
	buf_adds(&b, iso);
	buf_adds(&b, "</updated>\n<generator>ccr</generator>\n<link rel=\"alternate\" href=\"index.html\"/>\n");

	sqlite3_stmt *q = store_stmt(r->st, SQL_FEED_SWEEPS);
	bind_int(q, ":n", FEED_SWEEPS);
	/* copy the ids first: the changes query reuses statements */
	struct buf ids = BUF_INIT, old = BUF_INIT, link = BUF_INIT;
	old_feed(r, &old);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_adds(&ids, col_text(q, 0));
		buf_addf(&ids, "%c%lld %lld %lld", 0, (long long)sqlite3_column_int64(q, 1),
			 (long long)sqlite3_column_int64(q, 2), (long long)sqlite3_column_int64(q, 3));
		buf_addc(&ids, 0);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing sweeps");
	for (size_t off = 0; rc == 0 && off < ids.len;) {
		const char *id = ids.data + off;
		off += strlen(id) + 1;
		const char *nums = ids.data + off;
		off += strlen(nums) + 1;
		long long at = 0, runs = 0, bad = 0;
		sscanf(nums, "%lld %lld %lld", &at, &runs, &bad);
		struct url u;
		url_sweep(&u, id);
		buf_reset(&link);
		buf_adds(&link, "<link rel=\"alternate\" href=\"");
		struct buf href = BUF_INIT;
		url_abs(&href, NULL, &u, NULL);
		x(&link, buf_str(&href));
		buf_release(&href);
		buf_adds(&link, "\"/>\n");
		size_t elen;
		const char *e = old.len ? old_entry(&old, &link, &elen) : NULL;
		int todo = e ? in_todo_sweep(r, id) : 1;
		if (todo < 0) {
			rc = -1;
			break;
		}
		if (!todo) {
			buf_add(&b, e, elen);
			continue;
		}
		char prev[SWEEP_ID_MAX];
		int hp = sweep_neighbour(r, id, -1, prev);
		struct sweep_delta d;
		html_reset(&content, 0);
		if (hp < 0 || sweep_changes(&content, r, id, hp > 0 ? prev : NULL, FEED_CHANGES, &d) < 0) {
			rc = -1;
			break;
		}
		time_fmt_iso(at, iso);
		buf_adds(&b, "<entry>\n<title>");
		struct buf t = BUF_INIT;
		buf_addf(&t, "sweep %s: %lld of %lld runs not green; %lld new failures, %lld fixed",
			 id, bad, runs, (long long)d.broke, (long long)d.fixed);
		x(&b, buf_str(&t));
		buf_release(&t);
		buf_adds(&b, "</title>\n<id>");
		if (r->base_url) {
			struct buf abs = BUF_INIT;
			url_abs(&abs, r->base_url, &u, NULL);
			x(&b, buf_str(&abs));
			buf_release(&abs);
		} else {
			buf_adds(&b, "urn:ccr:sweep:");
			struct buf enc = BUF_INIT;
			url_seg_enc(&enc, id, strlen(id));
			x(&b, buf_str(&enc));
			buf_release(&enc);
		}
		buf_adds(&b, "</id>\n<updated>");
		buf_adds(&b, iso);
		buf_adds(&b, "</updated>\n");
		buf_add(&b, link.data, link.len);
		buf_adds(&b, "<content type=\"html\">");
		esc_html(&b, content.b.data ? content.b.data : "", content.b.len);
		buf_adds(&b, "</content>\n</entry>\n");
	}
	buf_adds(&b, "</feed>\n");
	if (rc == 0)
		rc = render_file(r, &self, b.data, b.len);
	buf_release(&ids);
	buf_release(&old);
	buf_release(&link);
	buf_release(&b);
	html_release(&content);
	(void)home;
	return rc;
}
