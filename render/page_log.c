/*
 * page_log: every log of a run, as pages of LOG_LINES_PER_PAGE numbered lines
 * with an anchor per line (#L120; #L120-L140 highlighted where JS runs, and
 * forwarded to the page holding the line), ANSI colours as classes, and the
 * raw bytes as a download where the pages do not already hold them exactly.
 * Writes: runs/<run>/logs/<log>.html, <log>.p<k>.html (k >= 2), and <log>.txt
 * unless the log is shown byte for byte on one page (log_exact(): then the page
 * is the log, and site.js offers its text as the download), for every log file
 * of every fresh run in todo_run (a log never changes later).
 * Queries: todo_run join run join file (kind 'log'); blob by hash.
 *
 * A line is `<a id="L<n>" href="#L<n>"><n></a>TEXT\n`: the anchor, the link to
 * it and the number shown in one element, and no element around the line (the
 * stylesheet lights a targeted or .hl line across the page from its number), so
 * the markup costs ~24 bytes plus three times the number's digits per line.
 */
#include "pages.h"
#include "layout.h"
#include "logview.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* logs larger than this are not shown (their pages and raw copy would hold the
 * whole log in memory twice); the page says so. 64 MB is ~500k lines. */
#define LOG_VIEW_MAX (64u * 1024 * 1024)

static const char SQL_TODO_LOGS[] =
	"SELECT r.id, r.recipe, r.ingested_at, f.name, f.hash, f.size, f.lines FROM run r"
	" JOIN file f ON f.run_id = r.id AND f.kind = 'log'"
	" WHERE r.id IN (SELECT id FROM todo_run WHERE fresh) ORDER BY r.id, f.name";

struct logctx {
	const char *run, *recipe, *name, *shown;
	int64_t as_of;
	int pages;
	enum { RAW_FILE, RAW_PAGE, RAW_NONE } raw_kind; /* the download: <log>.txt, the
			 * page's own text (log_exact), none (pruned, missing) */
	struct url raw;
};

static void page_head(struct html *h, const struct logctx *l, int page, int64_t lines)
{
	struct url home, ur, urun, self;
	url_page(&home, "index.html");
	url_recipe(&ur, l->recipe);
	url_run(&urun, l->run);
	url_log(&self, l->run, l->name, page);
	html_reset(h, url_depth(&self));
	struct crumb c[] = {{"overview", &home}, {l->recipe, &ur}, {l->run, &urun}, {l->shown, NULL}};
	struct buf title = BUF_INIT;
	buf_addf(&title, "%s %s", l->shown, l->run);
	layout_begin(h, buf_str(&title), c, 4);
	buf_release(&title);
	html_lit(h, "<h1>");
	html_text(h, l->shown);
	html_lit(h, "</h1>\n<p id=\"loginfo\">");
	html_int(h, lines);
	if (l->raw_kind == RAW_FILE) {
		html_lit(h, " lines. <a download href=\"");
		html_href(h, &l->raw, NULL);
		html_lit(h, "\">Download the raw log</a>.</p>\n");
	} else if (l->raw_kind == RAW_PAGE) {
		html_lit(h, " lines, shown exactly as logged.</p>\n");
	} else {
		html_lit(h, " lines.</p>\n");
	}
	if (l->pages > 1) {
		html_lit(h, "<nav class=\"pager\" aria-label=\"log pages\">lines:");
		for (int k = 1; k <= l->pages; k++) {
			int64_t a = log_page_first(k), b = a + LOG_LINES_PER_PAGE - 1;
			if (b > lines)
				b = lines;
			html_lit(h, " ");
			if (k == page) {
				html_lit(h, "<strong>");
			} else {
				struct url u;
				url_log(&u, l->run, l->name, k);
				html_lit(h, "<a href=\"");
				html_href(h, &u, NULL);
				html_lit(h, "\">");
			}
			html_int(h, a);
			html_lit(h, "\xe2\x80\x93");
			html_int(h, b);
			if (k == page)
				html_lit(h, "</strong>");
			else
				html_lit(h, "</a>");
		}
		html_lit(h, "</nav>\n");
	}
	char seg[SLUG_SIZE];
	/* the page's own file name without ".html" tells the script how siblings are named */
	url_log(&self, l->run, l->name, 1);
	const char *base = strrchr(self.path, '/') + 1;
	size_t blen = strlen(base) - strlen(".html");
	memcpy(seg, base, blen);
	seg[blen] = '\0';
	html_lit(h, "<pre class=\"log\" id=\"log\" data-log=\"");
	html_attr(h, seg);
	html_lit(h, "\" data-lpp=\"");
	html_int(h, LOG_LINES_PER_PAGE);
	html_lit(h, "\" data-page=\"");
	html_int(h, page);
	html_lit(h, "\" data-pages=\"");
	html_int(h, l->pages);
	if (l->raw_kind == RAW_PAGE)
		html_lit(h, "\" data-exact=\"1"); /* site.js: the download is this text */
	html_lit(h, "\">");
}

static int page_tail(struct render *r, struct html *h, const struct logctx *l, int page)
{
	html_lit(h, "</pre>\n");
	layout_end(h, l->as_of);
	struct url self;
	url_log(&self, l->run, l->name, page);
	return render_page(r, &self, h);
}

static int one_log(struct render *r, struct html *h, struct logctx *l, const char *hash,
		   int64_t size, int64_t nlines)
{
	struct buf data;
	buf_init(&data, LOG_VIEW_MAX);
	url_log_raw(&l->raw, l->run, l->name);
	int missing = 0;
	int64_t pruned_at = 0;
	int state = store_blob_state(r->st, hash, &pruned_at);
	if (state < 0) {
		buf_release(&data);
		return -1;
	}
	if (state == 2) {
		/* 'ccr prune' dropped the bytes: the page stays, at the same URL, and says so */
		char day[21];
		time_fmt_iso(pruned_at, day);
		day[10] = '\0';
		l->pages = 1;
		l->raw_kind = RAW_NONE;
		page_head(h, l, 1, nlines > 0 ? nlines : 0);
		html_lit(h, "</pre>\n<p class=\"warn\">Log pruned on ");
		html_text(h, day);
		html_lit(h, ".</p>\n<pre>");
		int rc = page_tail(r, h, l, 1);
		buf_release(&data);
		return rc;
	}
	if (size > (int64_t)LOG_VIEW_MAX) {
		missing = 1;
	} else if (store_get_blob(r->st, hash, &data) < 0) {
		r->rejected = 1;
		missing = 1;
	}
	if (missing) {
		l->pages = 1;
		l->raw_kind = RAW_NONE;
		page_head(h, l, 1, 0);
		html_lit(h, "</pre>\n<p class=\"warn\">");
		if (size > (int64_t)LOG_VIEW_MAX)
			html_lit(h, "This log is too large to show here.");
		else
			html_lit(h, "This log's bytes are missing from the store or corrupt.");
		html_lit(h, "</p>\n<pre>");
		int rc = page_tail(r, h, l, 1);
		buf_release(&data);
		return rc;
	}
	/* the raw copy first (a leaf the pages link to), unless the page holds the log
	 * exactly: then a second copy would only cost a file (most of a full render's
	 * time is creating files) */
	l->raw_kind = log_exact(data.data, data.len) ? RAW_PAGE : RAW_FILE;
	if (l->raw_kind == RAW_FILE &&
	    render_file(r, &l->raw, data.data ? data.data : "", data.len) < 0) {
		buf_release(&data);
		return -1;
	}
	int64_t lines = 0;
	for (const char *c = data.data, *end = data.data + data.len;
	     c < end && (c = memchr(c, '\n', (size_t)(end - c))); c++)
		lines++;
	if (data.len && data.data[data.len - 1] != '\n')
		lines++;
	l->pages = log_pages(lines);
	struct ansi st = ANSI_INIT;
	int page = 1, rc = 0;
	int64_t n = 0;
	page_head(h, l, page, lines);
	size_t pos = 0;
	while (pos < data.len && rc == 0) {
		const char *p = data.data + pos;
		const char *nl = memchr(p, '\n', data.len - pos);
		size_t len = nl ? (size_t)(nl - p) : data.len - pos;
		pos += len + (nl ? 1 : 0);
		n++;
		if (log_page_of(n) != page) {
			rc = page_tail(r, h, l, page);
			page = log_page_of(n);
			page_head(h, l, page, lines);
		}
		char num[24]; /* the line number's digits, written three times */
		size_t nd = 0;
		for (int64_t v = n; v; v /= 10)
			num[sizeof(num) - ++nd] = (char)('0' + v % 10);
		const char *d = num + sizeof(num) - nd;
		html_lit(h, "<a id=\"L");
		buf_add(&h->b, d, nd);
		html_lit(h, "\" href=\"#L");
		buf_add(&h->b, d, nd);
		html_lit(h, "\">");
		buf_add(&h->b, d, nd);
		html_lit(h, "</a>");
		log_line_html(h, p, len, &st);
		html_lit(h, "\n");
	}
	if (rc == 0)
		rc = page_tail(r, h, l, page);
	buf_release(&data);
	return rc;
}

int page_logs(struct render *r)
{
	struct html h;
	html_init(&h, r, 3);
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_LOGS);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!render_mine(r))
			continue;
		struct logctx l;
		memset(&l, 0, sizeof(l));
		char *run = xstrdup(col_text(q, 0)), *recipe = xstrdup(col_text(q, 1)),
		     *name = xstrdup(col_text(q, 3)), *hash = xstrdup(col_text(q, 4));
		l.run = run;
		l.recipe = recipe;
		l.name = name;
		l.shown = strncmp(name, "logs/", 5) || !name[5] ? name : name + 5;
		l.as_of = sqlite3_column_int64(q, 2);
		rc = one_log(r, &h, &l, hash, sqlite3_column_int64(q, 5),
			     sqlite3_column_int64(q, 6));
		free(run);
		free(recipe);
		free(name);
		free(hash);
		if (rc < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing logs");
	sqlite3_reset(q);
	html_release(&h);
	return rc;
}
