/*
 * signature: one failure cause, recognised across runs, tests and recipes.
 *
 * A failure message is normalised into a short text in which the parts that
 * vary between occurrences of the same cause are masked:
 *
 *   dial tcp 10.10.0.4:3000: connect: connection refused
 *   dial tcp 10.10.0.12:3000: connect: connection refused
 *     -> "dial tcp <ip>:<n>: connect: connection refused"   (one signature)
 *
 * Masks, each a fixed token: <uuid>, <time> (ISO 8601 dates and times, compact
 * 20260618T001730Z, HH:MM:SS), <ip> (IPv4, IPv6), <dur> (1.5s, 250ms, 1m30s),
 * <tmp> (paths under /tmp, /var/tmp, /var/folders, /private/var/folders, /dev/shm),
 * <b64> (runs of 20+ base64/url-safe characters mixing letters and digits),
 * <hex> (0x... and runs of 7+ hex digits holding a digit: commits, container ids),
 * <id> (a quoted token mixing letters and digits), <n> (any other number that
 * starts a word; digits inside words such as sha256 or test_2 are kept).
 * Whitespace runs become one space. The text is taken from the first meaningful
 * line of the message (two when the first is a bare exception name), cut at
 * SIGNATURE_TEXT_MAX bytes.
 *
 * The id is the first SIGNATURE_ID_LEN hex digits of SHA-256 of the text.
 */
#ifndef CCR_SIGNATURE_H
#define CCR_SIGNATURE_H

#include <stddef.h>

#include "buf.h"

/* a signature is read in a table cell and must tell causes apart: 200 bytes hold
 * the cause of every message in DOMAIN.md and the journal with room to spare */
#define SIGNATURE_TEXT_MAX 200
/* 48 bits: no collision among the few thousand causes one store will ever hold */
#define SIGNATURE_ID_LEN 12
#define SIGNATURE_ID_SIZE (SIGNATURE_ID_LEN + 1)
/* bytes of message looked at: the cause is in its first lines */
#define SIGNATURE_INPUT_MAX 4096

/*
 * Normalises msg[0..len) (any bytes; NUL ends nothing) into text (reset first,
 * at most SIGNATURE_TEXT_MAX bytes, owned by the caller) and its id. An empty or
 * blank message gives the text "(no message)". Never fails.
 */
void signature_make(const char *msg, size_t len, struct buf *text, char id[SIGNATURE_ID_SIZE]);

/*
 * The text a failed testcase's signature is made from: its message, else the
 * first non-blank line of its details, else its type. Any may be NULL. Returns
 * a pointer into one of them (or "") and sets *len.
 */
const char *signature_source(const char *message, const char *details, const char *type,
			     size_t *len);

#endif
