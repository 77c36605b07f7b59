/*
 * quote: bytes from outside (file names, folder names, JSON strings) made safe
 * for a terminal message and for a TEXT column.
 */
#ifndef CCR_QUOTE_H
#define CCR_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Decodes one UTF-8 sequence at p[0..n): returns its length (1..4) and sets *cp,
 * or returns 0 for an invalid byte (overlong, surrogate, truncated, > U+10FFFF)
 * and when n is 0.
 */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* Length of the valid UTF-8 sequence at p[0..n) (1..4), or 0: utf8_decode without the value. */
size_t utf8_seq(const unsigned char *p, size_t n);

/*
 * A name as it can be printed inside '...' in a message: printable text and
 * valid UTF-8 are kept; control characters (C0, DEL, C1), invalid UTF-8 bytes,
 * '\\' and '\'' become C escapes (\n, \t, \x1b, \xff, \\, \'), so a hostile name
 * can neither move the cursor nor forge a line. Resets out and returns its text
 * (valid until out changes; out owns it).
 */
const char *quote_name(const char *s, size_t n, struct buf *out);

/* quote_name() for text shown as it is (a table cell, a message body):
 * the same escapes except '\\' and '\'', which stay as they are */
const char *quote_text(const char *s, size_t n, struct buf *out);

/*
 * The same text as valid UTF-8 for storage: every byte that is not part of a
 * valid sequence, and every NUL, becomes U+FFFD. Resets out and returns its
 * text. Returns the text and sets *changed (when not NULL) to 1 when anything
 * was replaced.
 */
const char *utf8_clean(const char *s, size_t n, struct buf *out, int *changed);

#endif
