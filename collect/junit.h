/*
 * junit: the streaming JUnit XML reader (libxml2 xmlTextReader).
 *
 * Reads every dialect DOMAIN.md lists (pytest xunit1/xunit2, Surefire with
 * rerun and flaky elements, go-junit-report, gotestsum, jest-junit, GoogleTest,
 * CTest) and any nesting of <testsuite>. Never a DOM of the whole file, never
 * network access, no DTD loading, no entity expansion.
 *
 * Implementation: libxml2's SAX2 parser with our callbacks (not xmlTextReader,
 * which must hold a whole text node: a 50 MB <system-out> would be rejected or
 * buffered whole); a DOCTYPE that declares any entity is rejected.
 *
 * Counts are recounted from the testcases; declared counts are ignored.
 * Duplicate (classname, name) pairs in one file are merged into one case: the
 * worst status wins (error > failed > flaky > passed > xfail > skipped), except
 * that a test whose last run passed after failed ones is flaky (a rerun that
 * passed: gotestsum --rerun-fails, or Surefire's flakyFailure); every attempt
 * is kept in `attempts`. The merged case takes message, type and details from
 * its worst attempt, sums the known times and joins system-out/err.
 *
 * Status of one <testcase>: <error> > <failure> > <skipped> (type
 * "pytest.xfail" = xfail) > Surefire flakyFailure/flakyError (flaky) >
 * GoogleTest/CTest attributes (result="suppressed", status="notrun" or
 * "disabled": skipped with type "disabled"; result/status "skipped": skipped;
 * status "fail": failed) > passed. Surefire rerunFailure/rerunError are kept
 * as attempts and do not change the result of the <failure>/<error> beside them.
 */
#ifndef CCR_JUNIT_H
#define CCR_JUNIT_H

#include <stddef.h>
#include <stdint.h>

/* ordered from best to worst, so merging duplicates takes the larger */
enum junit_status {
	JS_SKIPPED, /* skipped, and disabled (type "disabled") */
	JS_XFAIL,   /* pytest expected failure */
	JS_PASSED,
	JS_FLAKY, /* passed after failing (Surefire flakyFailure/flakyError, or a rerun) */
	JS_FAILED,
	JS_ERROR,
};

/* "passed", "failed", ... as stored in testcase.status */
const char *junit_status_name(enum junit_status s);

struct junit_attempt {
	enum junit_status status;
	char *message;	 /* may be NULL */
	int64_t time_ms; /* -1 = unknown */
};

struct junit_case {
	char *suite;	 /* innermost testsuite name, may be NULL */
	char *classname; /* never NULL ("" when absent) */
	char *name;	 /* never NULL */
	char *file;	 /* xunit1 file attribute, may be NULL */
	int line;	 /* line attribute as written (pytest xunit1: 0-based), -1 when absent */
	enum junit_status status;
	int64_t time_ms;  /* -1 = unknown (absent or junk) */
	char *message;	  /* failure/error/skip message: the first result element's
			   * message attribute, else the first line of its text
			   * (jest-junit); NULL if none */
	char *type;	  /* failure type attribute ("disabled" for disabled tests); NULL if none */
	char *details;	  /* traceback/body text, joined with "\n" when several
			   * (GoogleTest: one <failure> per failed assertion) */
	char *system_out; /* joined with "\n" when repeated */
	char *system_err;
	char *properties;		/* the testcase's <property name= value=> (or text) as
					 * compact JSON object text, in document order; NULL if none */
	struct junit_attempt *attempts; /* every attempt when there was more than one,
					 * in order; else NULL and nattempts 0 */
	size_t nattempts;		/* 0 or >= 2 (at most JUNIT_MAX_ATTEMPTS) */
	int truncated;			/* a field was cut at its limit (it ends with
					 * "\n[... cut at N bytes]"), or attempts were dropped */
};

struct junit_file {
	struct junit_case *cases; /* in document order of first appearance */
	size_t ncases;
	int64_t timestamp; /* first testsuite timestamp, -1 when none */
	char *error;	   /* why the file was rejected; NULL when it was read */
	/* private: the arena that owns every string above */
	void *arena;
};

/* Field limits, each with its reason. */
#define JUNIT_MAX_NAME                                                                             \
	(4 * 1024) /* a 100 KB test name is a generator bug; keep a recognisable prefix */
#define JUNIT_MAX_MESSAGE                                                                          \
	(8 * 1024) /* messages are one line in practice; signatures need no more */
#define JUNIT_MAX_DETAILS (256 * 1024) /* a traceback longer than this is not read by a person */
#define JUNIT_MAX_OUTPUT (256 * 1024)  /* system-out/err: the head shows the cause; logs keep all  \
					*/
#define JUNIT_MAX_DEPTH 64	       /* nested testsuites deeper than this are hostile */
#define JUNIT_MAX_CASES 200000	       /* one file; more is not a test report */
#define JUNIT_MAX_ATTEMPTS 32	       /* reruns kept per test */

/*
 * Parses data[0..len) (the whole file; name is used in messages only). Prints
 * nothing. Returns 0 and fills *out, or -1 with out->error set to a one-line
 * reason: "empty file", "not well-formed (line 3): <libxml2's words>",
 * "not UTF-8 (line 1)", "unsupported encoding (line 1): ...",
 * "not a JUnit report: root is <html>", "not a JUnit report: looks like HTML",
 * "encoding error (line 1): ...", "DTD with entities not allowed",
 * "nested deeper than 64 elements",
 * "more than 200000 testcases".
 * On -1, out->cases may still hold what was read before the error; callers
 * treat the file as rejected. Always call junit_file_release().
 */
int junit_parse(const char *name, const char *data, size_t len, struct junit_file *out);
void junit_file_release(struct junit_file *f);

/* Parses a JUnit `time` value leniently ("1.5", "1,234.5", "3", "  2.0 "):
 * milliseconds, or -1 for junk, negative or absent (NULL). */
int64_t junit_parse_time(const char *s);

#endif
