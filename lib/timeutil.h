/*
 * timeutil: strict parsing and formatting of times. Times are int64 seconds
 * since the Unix epoch, UTC, everywhere inside ccr; text only at the edges.
 */
#ifndef CCR_TIMEUTIL_H
#define CCR_TIMEUTIL_H

#include <stdint.h>

/*
 * Parses ISO 8601 date-times as harnesses and JUnit tools write them:
 *   2026-06-18T00:17:30Z, 2026-06-18T00:17:30.123+02:00, 2026-06-18 00:17:30,
 *   2026-06-18T00:17:30 (naive: taken as UTC, the only zone we can know),
 *   20260618T001730Z (compact, as canonical.json's "ts"), 2026-06-18 (midnight UTC).
 * Fractions are dropped. Returns 0 and sets *out, or -1 when s is not such a
 * time (nothing printed). Trailing text is an error.
 */
int time_parse(const char *s, int64_t *out);
/* 2026-06-18T00:17:30Z (21 bytes with NUL) */
void time_fmt_iso(int64_t t, char out[21]);
/* 20260618T001730Z (17 bytes with NUL), the form used in run ids */
void time_fmt_compact(int64_t t, char out[17]);
/* 2026-06-18 00:17 UTC-free short form for tables (17 bytes with NUL) */
void time_fmt_short(int64_t t, char out[17]);
/*
 * Parses an age: a positive count and a unit, s, m, h, d or w ("90d", "12h",
 * "31d"). Returns seconds, or -1 when s is not one (nothing printed).
 */
int64_t time_parse_age(const char *s);
/* now, UTC; honours $CCR_NOW (a time_parse()able string) so tests and the demo are reproducible */
int64_t time_now(void);

#endif
