/*
 * html: the one HTML writer. Every page is built in memory by these functions,
 * then handed to out.h, which writes it only when its bytes changed.
 *
 * Escaped by default: one function per context.
 *   html_text()   element text: & < > " ' escaped; invalid UTF-8, C0/C1 controls and
 *                 noncharacters become U+FFFD (a control picture for C0), so input
 *                 can never produce invalid markup.
 *   html_attr()   a double-quoted attribute value (same escaping as text).
 *   html_href()   (url.h) a URL inside the site, relative to this page.
 *   url_seg_enc() (url.h) percent-encoding of one path segment / query value.
 *   html_lit()    raw markup: STRING LITERALS ONLY. The macro pastes "" around its
 *                 argument, so passing a variable fails to compile.
 * No page calls printf-style functions with data on its output.
 */
#ifndef CCR_RENDER_HTML_H
#define CCR_RENDER_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/quote.h" /* utf8_decode() */

struct render;

struct html {
	struct buf b;		/* the page so far; owned, freed by html_release() */
	int depth;		/* directories between the site root and this page:
				 * "../" x depth reaches the root (index.html: 0) */
	struct render *r;	/* the render this page belongs to (may be NULL in tests) */
};

/* starts an empty page at the given depth */
void html_init(struct html *h, struct render *r, int depth);
/* empties the page for reuse (keeps the allocation) */
void html_reset(struct html *h, int depth);
void html_release(struct html *h);

/* raw markup from a string literal only (see above) */
#define html_lit(h, s) html_raw_((h), "" s "", sizeof("" s "") - 1)
void html_raw_(struct html *h, const char *lit, size_t n);

void html_text(struct html *h, const char *s);
void html_textn(struct html *h, const char *p, size_t n);
/* double-quoted attribute value content (the quotes are written by the caller's html_lit) */
void html_attr(struct html *h, const char *s);
void html_attrn(struct html *h, const char *p, size_t n);
/* a decimal integer (needs no escaping) */
void html_int(struct html *h, int64_t v);
/* a time as <time datetime="ISO">YYYY-MM-DD HH:MM</time>; "?" when t <= 0 */
void html_time(struct html *h, int64_t t);
/* a duration in milliseconds as "1.5 s", "2 min 3 s", "1 h 2 min"; "?" when < 0 */
void html_duration(struct html *h, int64_t ms);

/*
 * The escaper on its own, for other outputs (Atom XML, attribute values built
 * elsewhere): appends p[0..n) to b escaped for HTML/XML text and attributes.
 */
void esc_html(struct buf *b, const char *p, size_t n);
/*
 * The same for element text only, where quotes need no escaping (log lines:
 * " and ' are common there, and &quot; is six bytes for one).
 */
void esc_text(struct buf *b, const char *p, size_t n);

/*
 * Spaces and tabs at the end of b become &#32; / &#9;, so no line of the page
 * source ends in whitespace (validators flag it; it is invisible either way).
 * esc_html() does this before every newline of its input.
 */
void html_ws_before_eol(struct buf *b);


#endif
