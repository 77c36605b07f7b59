/* notes: a recipe's markdown notes through cmark (see notes.h) */
#include "notes.h"
#include "../lib/msg.h"

#include <cmark.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* the notes sit under the page's <h2>Notes</h2>: their highest heading becomes <h3> */
#define NOTES_TOP_LEVEL 3

void notes_markdown(struct html *h, const char *p, size_t n)
{
	/* safe by default since cmark 0.29: no raw HTML, no dangerous URL schemes */
	const int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_node *doc = cmark_parse_document(p, n, opts);
	if (!doc)
		die("out of memory");
	/* shift every heading so the highest one is NOTES_TOP_LEVEL (capped at 6) */
	int top = 7;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_HEADING &&
		    cmark_node_get_heading_level(node) < top)
			top = cmark_node_get_heading_level(node);
	}
	cmark_iter_reset(it, doc, CMARK_EVENT_ENTER);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_HEADING) {
			int level = cmark_node_get_heading_level(node) - top + NOTES_TOP_LEVEL;
			cmark_node_set_heading_level(node, level > 6 ? 6 : level);
		}
	}
	cmark_iter_free(it);
	char *out = cmark_render_html(doc, opts);
	cmark_node_free(doc);
	if (!out)
		die("out of memory");
	/* cmark's own escaped output: the one place markup that is not a literal
	 * enters a page, and only from cmark in safe mode */
	html_raw_(h, out, strlen(out));
	free(out);
}

int notes_html(struct html *h, struct render *r, const char *recipe)
{
	if (!r || !r->notes)
		return 0;
	char seg[SLUG_SIZE], path[PATH_MAX];
	seg_name(recipe, seg);
	int len = snprintf(path, sizeof(path), "%s/%s.md", r->notes, seg);
	if (len < 0 || (size_t)len >= sizeof(path))
		return error("'%s': --notes path too long", r->notes);
	struct stat sb;
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return error("'%s': %s", path, strerror(errno));
	}
	html_lit(h, "<section id=\"notes\" class=\"notes\"><h2>Notes</h2>\n");
	if (sb.st_size > NOTES_MAX) {
		warning("'%s': notes longer than %d bytes: not shown", path, NOTES_MAX);
		html_lit(h, "<p class=\"warn\">The notes file is too long to show (limit ");
		html_int(h, NOTES_MAX / 1024);
		html_lit(h, " KiB).</p>\n</section>\n");
		return 0;
	}
	struct buf b;
	buf_init(&b, NOTES_MAX);
	if (buf_read_file(&b, path) < 0) {
		buf_release(&b);
		return -1;
	}
	notes_markdown(h, buf_str(&b), b.len);
	buf_release(&b);
	html_lit(h, "</section>\n");
	return 0;
}
