/*
 * msg: messages to the user and allocation that cannot fail.
 *
 * Every message starts with "ccr: " and says the subject first, in quotes:
 *   ccr: 'junit/restore.xml': not well-formed (line 3)
 * die() is for main-level fatal errors only (exit 2); helpers call error(),
 * which prints and returns -1, and let the caller decide.
 */
#ifndef CCR_MSG_H
#define CCR_MSG_H

#include <stddef.h>

/* -1 = quiet (-q), 0 = normal, 1 = verbose (-v) */
extern int verbosity;

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* prints "ccr: <message>" on stderr; returns -1 */
__attribute__((format(printf, 1, 2))) int error(const char *fmt, ...);
/* prints "ccr: warning: <message>" unless quiet */
__attribute__((format(printf, 1, 2))) void warning(const char *fmt, ...);
/* prints "ccr: <message>" only with -v */
__attribute__((format(printf, 1, 2))) void info(const char *fmt, ...);
/* 1 when progress lines may be drawn: stderr is a terminal and not quiet */
int progress_enabled(void);
/* draws a one-line progress status (\r, cleared by progress_done) */
__attribute__((format(printf, 1, 2))) void progress(const char *fmt, ...);
void progress_done(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
