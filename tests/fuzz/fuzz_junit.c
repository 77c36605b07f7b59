/* fuzz_junit: libFuzzer target for the JUnit reader (collect/junit.c).
 * Any bytes must parse or be rejected without a crash, leak or runaway time,
 * and what is read must keep the promises of collect/junit.h: names never
 * NULL, every text within its cap (plus the cut marker) and valid UTF-8,
 * properties valid JSON, attempts 0 or 2..JUNIT_MAX_ATTEMPTS. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../collect/junit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the longest cut marker: "\n[... cut at 18446744073709551615 bytes]" */
#define FUZZ_MARKER 48

static int fz_utf8(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t n = strlen(p);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		if (!l || i + l > n)
			return 0;
		for (size_t k = 1; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += l;
	}
	return 1;
}

static void fz_text(const char *s, size_t cap)
{
	if (!s)
		return;
	if (strlen(s) > cap + FUZZ_MARKER || !fz_utf8(s))
		abort();
}

static int fz_json_valid(const char *s)
{
	static sqlite3 *db;
	static sqlite3_stmt *st;
	if (!db) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT json_valid(?1) AND json_type(?1) = 'object'", -1,
				       &st, NULL) != SQLITE_OK)
			abort();
	}
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct junit_file f;
	int rc = junit_parse("fuzz.xml", (const char *)data, size, &f);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (!f.error || !*f.error))
		abort();
	if (f.ncases > JUNIT_MAX_CASES)
		abort();
	for (size_t i = 0; i < f.ncases; i++) {
		const struct junit_case *c = &f.cases[i];
		if (!c->classname || !c->name || c->status < JS_SKIPPED || c->status > JS_ERROR)
			abort();
		if (c->time_ms < -1)
			abort();
		fz_text(c->classname, JUNIT_MAX_NAME);
		fz_text(c->name, JUNIT_MAX_NAME);
		fz_text(c->suite, JUNIT_MAX_NAME);
		fz_text(c->file, JUNIT_MAX_NAME);
		fz_text(c->message, JUNIT_MAX_MESSAGE);
		fz_text(c->type, JUNIT_MAX_MESSAGE);
		fz_text(c->details, JUNIT_MAX_DETAILS);
		fz_text(c->system_out, JUNIT_MAX_OUTPUT);
		fz_text(c->system_err, JUNIT_MAX_OUTPUT);
		if (c->properties && !fz_json_valid(c->properties))
			abort();
		if (c->nattempts == 1 || c->nattempts > JUNIT_MAX_ATTEMPTS ||
		    (c->nattempts && !c->attempts) || (!c->nattempts && c->attempts))
			abort();
		for (size_t a = 0; a < c->nattempts; a++) {
			fz_text(c->attempts[a].message, JUNIT_MAX_MESSAGE);
			if (c->attempts[a].status < JS_SKIPPED || c->attempts[a].status > JS_ERROR)
				abort();
		}
	}
	junit_file_release(&f);

	/* the time parser on the same bytes, as a C string */
	if (size < 256) {
		char s[256];
		memcpy(s, data, size);
		s[size] = '\0';
		if (junit_parse_time(s) < -1)
			abort();
	}
	return 0;
}
