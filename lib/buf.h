/*
 * buf: one growable byte buffer, modelled on git's strbuf.
 *
 * Invariants:
 *  - data is NULL until the first append; from then on data[len] == '\0', so
 *    data can be used as a C string when it holds no NUL bytes.
 *  - len never exceeds max (when max > 0). An append that would cross max
 *    stores what fits, sets `truncated` and returns -1; later appends are dropped.
 *    This is how every bound on input (message sizes, system-out) is enforced.
 *  - the buffer owns data; buf_release() frees it and resets to BUF_INIT.
 * Out of memory is fatal (die), so appends fail only on the cap.
 */
#ifndef CCR_BUF_H
#define CCR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* 0 = unbounded */
	int truncated;	/* set once an append hit max */
};

#define BUF_INIT {0}

void buf_init(struct buf *b, size_t max);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* empty the buffer, keep the allocation and max */
void buf_reset(struct buf *b);
/* free everything; b is BUF_INIT afterwards (max kept) */
void buf_release(struct buf *b);
/* hand data to the caller (never NULL: "" when empty); b is reset */
char *buf_detach(struct buf *b, size_t *len);
/* the contents as a C string, "" when empty (no allocation) */
const char *buf_str(const struct buf *b);
/* read a whole file; -1 with an error printed when it fails or exceeds max */
int buf_read_file(struct buf *b, const char *path);

#endif
