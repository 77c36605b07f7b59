/*
 * logview: a log's bytes as HTML lines, and how a log is split into pages.
 *
 * Paging: page k (1-based) holds lines (k-1)*LOG_LINES_PER_PAGE+1 ..
 * k*LOG_LINES_PER_PAGE, whatever the log's length, so the URL of line n
 * (<log>.html#L<n>, or <log>.p<k>.html#L<n>) never changes as long as the log
 * does not (and a run's logs never change once archived).
 *
 * Lines: ANSI SGR colours (16 colours, bright, bold; 256-colour codes below 16)
 * become classes (f0-f15 foreground, g0-g15 background, b bold) on spans that
 * are closed at the end of every line and reopened on the next, so each line is
 * well-formed HTML on its own; every other escape sequence (cursor movement,
 * OSC titles, ...) is dropped. Invalid UTF-8 bytes are shown as \xNN, control
 * characters as their Unicode control pictures, and all text is escaped.
 */
#ifndef CCR_RENDER_LOGVIEW_H
#define CCR_RENDER_LOGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"

/* lines per log page: 2000 lines at a typical ~100 bytes (+ ~60 bytes of line
 * markup) keep a page near 300 KB, and under ~1 MB even when many lines are long */
#define LOG_LINES_PER_PAGE 2000
/* input bytes of one line shown; the rest is counted and left to the raw log
 * (a minified 5 MB JSON line would otherwise make one page of 25 MB) */
#define LOG_LINE_SHOWN 400

/* the colour state carried from line to line (-1 = terminal default) */
struct ansi {
	int fg, bg, bold;
};
#define ANSI_INIT {-1, -1, 0}

/* Appends line p[0..n) (without its '\n'; a trailing '\r' is dropped) as HTML,
 * at most LOG_LINE_SHOWN input bytes of it, updating *st. */
void log_line_html(struct html *h, const char *p, size_t n, struct ansi *st);

/*
 * 1 when the log's page shows log[0..n) byte for byte: one page, every line
 * ended by '\n' and at most LOG_LINE_SHOWN bytes, nothing but printable UTF-8
 * text and tabs (no escape sequences, CR or other controls, invalid bytes). Then
 * a raw copy beside the page would add nothing: the page's text is the log.
 */
int log_exact(const char *log, size_t n);

/* the number of pages of a log of `lines` lines (at least 1) */
int log_pages(int64_t lines);
/* the page holding line n (n >= 1) */
int log_page_of(int64_t n);
/* the first line of page k */
int64_t log_page_first(int k);

#endif
