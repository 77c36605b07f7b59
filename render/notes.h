/*
 * notes: a recipe's notes, written by its operators in markdown, shown on the
 * recipe page.
 *
 * Where: NOTES/<recipe>.md, with NOTES the folder of `ccr render --notes DIR`
 * and <recipe> the recipe's URL segment (its name when that is already a slug,
 * see lib/slug.h), so any recipe name maps to one safe file name. No --notes, or
 * no such file: no notes section. (Not under --docs: every .md there is a
 * decisions document.) A changed notes folder makes the next render a full one
 * (render.c's state), so an edit shows at once.
 *
 * How: the bytes go through cmark with its safe defaults (raw HTML left out,
 * javascript:/vbscript:/file:/data: links dropped; never CMARK_OPT_UNSAFE) and
 * CMARK_OPT_VALIDATE_UTF8 (invalid UTF-8 becomes U+FFFD), after a check of their
 * size (NOTES_MAX).
 */
#ifndef CCR_RENDER_NOTES_H
#define CCR_RENDER_NOTES_H

#include "render.h"

/* a notes file longer than this is not notes; it is shown as a warning instead */
#define NOTES_MAX (256 * 1024)

/*
 * Writes <section id="notes"> with the rendered notes of recipe into h, or
 * nothing when there are none. A file that cannot be read is an error (-1,
 * printed): the render stops and keeps the old site; one over NOTES_MAX is a
 * warning and the page says so. 0 otherwise.
 */
int notes_html(struct html *h, struct render *r, const char *recipe);

/* the same for markdown already in memory (p[0..n)), for tests */
void notes_markdown(struct html *h, const char *p, size_t n);

#endif
