/*
 * unit tests of collect/junit.c: golden dumps of the fixtures that real tools
 * wrote (tests/fixtures/junit/DIALECT/NAME.xml beside NAME.expected), one targeted
 * check per DOMAIN.md point, and hostile input.
 *
 * CCR_JUNIT_REGEN=1 rewrites the .expected files instead of comparing; read
 * every rewritten one against its XML before committing it.
 */
#include "t.h"
#include "../../collect/junit.h"
#include "../../lib/buf.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers -------------------------------------------------------------------- */

static int jt_parse(const char *xml, struct junit_file *f)
{
	return junit_parse("test.xml", xml, strlen(xml), f);
}

static const struct junit_case *jt_find(const struct junit_file *f, const char *name)
{
	for (size_t i = 0; i < f->ncases; i++)
		if (!strcmp(f->cases[i].name, name))
			return &f->cases[i];
	return NULL;
}

static int jt_read(const char *path, struct buf *b)
{
	buf_init(b, 0);
	return buf_read_file(b, path);
}

/* s with newlines, tabs and control bytes made visible, cut at max bytes */
static void jt_esc(struct buf *o, const char *s, size_t max)
{
	if (!s) {
		buf_adds(o, "-");
		return;
	}
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			buf_adds(o, "\\n");
		else if (c == '\t')
			buf_adds(o, "\\t");
		else if (c == '\\')
			buf_adds(o, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(o, "\\x%02x", c);
		else
			buf_addc(o, (char)c);
	}
}

/* the golden form: a header line, then one line per case:
 * status | classname | name | time_ms | type | message (80 bytes) | attempts | truncated
 * and indented lines for attempts, output sizes and properties */
static void jt_dump(const struct junit_file *f, int rc, struct buf *o)
{
	buf_addf(o, "# rc=%d cases=%zu timestamp=%lld error=", rc, f->ncases,
		 (long long)f->timestamp);
	jt_esc(o, f->error, 200);
	buf_addc(o, '\n');
	for (size_t i = 0; i < f->ncases; i++) {
		const struct junit_case *c = &f->cases[i];
		buf_addf(o, "%s | ", junit_status_name(c->status));
		jt_esc(o, c->classname, 200);
		buf_adds(o, " | ");
		jt_esc(o, c->name, 200);
		buf_addf(o, " | %lld | ", (long long)c->time_ms);
		jt_esc(o, c->type, 80);
		buf_adds(o, " | ");
		jt_esc(o, c->message, 80);
		buf_addf(o, " | %zu | %d\n", c->nattempts, c->truncated);
		for (size_t a = 0; a < c->nattempts; a++) {
			buf_addf(o, "    attempt %s %lld ",
				 junit_status_name(c->attempts[a].status),
				 (long long)c->attempts[a].time_ms);
			jt_esc(o, c->attempts[a].message, 60);
			buf_addc(o, '\n');
		}
		if (c->details)
			buf_addf(o, "    details %zu bytes\n", strlen(c->details));
		if (c->system_out)
			buf_addf(o, "    system-out %zu bytes\n", strlen(c->system_out));
		if (c->system_err)
			buf_addf(o, "    system-err %zu bytes\n", strlen(c->system_err));
		if (c->properties) {
			buf_adds(o, "    properties ");
			jt_esc(o, c->properties, 200);
			buf_addc(o, '\n');
		}
		if (c->suite && strcmp(c->suite, "pytest")) {
			buf_adds(o, "    suite ");
			jt_esc(o, c->suite, 80);
			buf_addc(o, '\n');
		}
	}
}

/* ---- golden files ------------------------------------------------------------------ */

TEST(junit_golden_fixtures)
{
	glob_t g;
	int regen = getenv("CCR_JUNIT_REGEN") != NULL;
	CHECK_INT(glob("tests/fixtures/junit/*/*.xml", 0, NULL, &g), 0);
	CHECK(g.gl_pathc >= 11);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		struct buf xml, want, got = BUF_INIT;
		if (!CHECK(jt_read(path, &xml) == 0))
			continue;
		struct junit_file f;
		int rc = junit_parse(path, buf_str(&xml), xml.len, &f);
		jt_dump(&f, rc, &got);
		junit_file_release(&f);

		char exp[1024];
		size_t n = strlen(path) - 4;
		snprintf(exp, sizeof(exp), "%.*s.expected", (int)n, path);
		if (regen) {
			FILE *out = fopen(exp, "w");
			if (CHECK(out != NULL)) {
				fwrite(got.data, 1, got.len, out);
				CHECK(fclose(out) == 0);
			}
		} else if (CHECK(jt_read(exp, &want) == 0)) {
			if (strcmp(buf_str(&got), buf_str(&want))) {
				/* name the first differing line */
				const char *a = buf_str(&got), *b = buf_str(&want);
				while (*a && *a == *b)
					a++, b++;
				while (a > buf_str(&got) && a[-1] != '\n')
					a--;
				char what[600];
				snprintf(what, sizeof(what), "%s: golden differs at: %.200s", path,
					 a);
				t_check(0, what, __FILE__, __LINE__);
			}
			buf_release(&want);
		}
		buf_release(&got);
		buf_release(&xml);
	}
	globfree(&g);
}

/* ---- time ------------------------------------------------------------------------------ */

TEST(junit_parse_time_forms)
{
	CHECK_INT(junit_parse_time("1.5"), 1500);
	CHECK_INT(junit_parse_time("1,234.5"), 1234500);
	CHECK_INT(junit_parse_time("3"), 3000);
	CHECK_INT(junit_parse_time("  2.0 "), 2000);
	CHECK_INT(junit_parse_time("0.000"), 0);
	CHECK_INT(junit_parse_time("0.0005"), 1);
	CHECK_INT(junit_parse_time("1e-3"), 1);
	CHECK_INT(junit_parse_time("1,5"), 1500);
	CHECK_INT(junit_parse_time("12,345,678"), 12345678000);
	CHECK_INT(junit_parse_time(NULL), -1);
	CHECK_INT(junit_parse_time(""), -1);
	CHECK_INT(junit_parse_time("junk"), -1);
	CHECK_INT(junit_parse_time("-1"), -1);
	CHECK_INT(junit_parse_time("NaN"), -1);
	CHECK_INT(junit_parse_time("nan"), -1);
	CHECK_INT(junit_parse_time("inf"), -1);
	CHECK_INT(junit_parse_time("1e999"), -1);
	CHECK_INT(junit_parse_time("1.2.3"), -1);
	CHECK_INT(junit_parse_time("1,23"), 1230);
	CHECK_INT(junit_parse_time("1,2,3"), -1);
	CHECK_INT(junit_parse_time("5s"), -1);
	CHECK_INT(junit_parse_time("."), -1);
	CHECK_INT(junit_parse_time("0x10"), -1);
}

TEST(junit_status_names)
{
	CHECK_STR(junit_status_name(JS_PASSED), "passed");
	CHECK_STR(junit_status_name(JS_FAILED), "failed");
	CHECK_STR(junit_status_name(JS_ERROR), "error");
	CHECK_STR(junit_status_name(JS_SKIPPED), "skipped");
	CHECK_STR(junit_status_name(JS_XFAIL), "xfail");
	CHECK_STR(junit_status_name(JS_FLAKY), "flaky");
}

/* ---- DOMAIN.md points, one by one ------------------------------------------------------- */

TEST(junit_pytest_teardown_duplicate)
{
	/* pytest: a call failure plus a teardown error = two testcases, one test */
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuites><testsuite name='pytest'>"
			   "<testcase classname='t' name='a' time='0.5'><failure "
			   "message='boom'>tb</failure></testcase>"
			   "<testcase classname='t' name='b' time='1'/>"
			   "<testcase classname='t' name='a' time='0.25'><error "
			   "message='teardown'>tb2</error></testcase>"
			   "</testsuite></testsuites>",
			   &f),
		  0);
	CHECK_INT(f.ncases, 2);
	const struct junit_case *a = jt_find(&f, "a");
	if (CHECK(a)) {
		CHECK_INT(a->status, JS_ERROR);
		CHECK_STR(a->message, "teardown");
		CHECK_INT(a->time_ms, 750);
		CHECK_INT(a->nattempts, 2);
		if (a->nattempts == 2) {
			CHECK_INT(a->attempts[0].status, JS_FAILED);
			CHECK_STR(a->attempts[0].message, "boom");
			CHECK_INT(a->attempts[0].time_ms, 500);
			CHECK_INT(a->attempts[1].status, JS_ERROR);
		}
	}
	CHECK_STR(f.cases[0].name, "a"); /* order of first appearance */
	CHECK_STR(f.cases[0].suite, "pytest");
	junit_file_release(&f);
}

TEST(junit_skipped_two_system_out)
{
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuite><testcase classname='c' name='s'>"
			   "<skipped type='pytest.skip' message='why'>f.py:3: why</skipped>"
			   "<system-out>one</system-out><system-err>e1</system-err>"
			   "<system-out>two</system-out><system-err>e2</system-err>"
			   "</testcase></testsuite>",
			   &f),
		  0);
	if (CHECK(f.ncases == 1)) {
		CHECK_INT(f.cases[0].status, JS_SKIPPED);
		CHECK_STR(f.cases[0].message, "why");
		CHECK_STR(f.cases[0].type, "pytest.skip");
		CHECK_STR(f.cases[0].details, "f.py:3: why");
		CHECK_STR(f.cases[0].system_out, "one\ntwo");
		CHECK_STR(f.cases[0].system_err, "e1\ne2");
	}
	junit_file_release(&f);
}

TEST(junit_xfail_and_cdata)
{
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuite><testcase name='x'><skipped type='pytest.xfail' "
			   "message='bug'/></testcase>"
			   "<testcase name='y'><failure><![CDATA[a < "
			   "b\nsecond]]></failure></testcase></testsuite>",
			   &f),
		  0);
	CHECK_INT(f.ncases, 2);
	CHECK_INT(f.cases[0].status, JS_XFAIL);
	CHECK_STR(f.cases[0].classname, "");
	CHECK_INT(f.cases[1].status, JS_FAILED);
	CHECK_STR(f.cases[1].message, "a < b");
	CHECK_STR(f.cases[1].details, "a < b\nsecond");
	junit_file_release(&f);
}

TEST(junit_surefire_rerun_and_flaky)
{
	struct junit_file f;
	CHECK_INT(
	    jt_parse("<testsuite name='com.example.T' tests='3'>"
		     "<testcase name='rerun' classname='com.example.T' time='0.3'>"
		     "<failure message='first' type='java.lang.AssertionError'>trace1</failure>"
		     "<rerunFailure message='second' type='java.lang.AssertionError' "
		     "time='0.2'><stackTrace>trace2</stackTrace>"
		     "<system-out>rerun out</system-out></rerunFailure>"
		     "<rerunError message='third' "
		     "type='java.io.IOException'><stackTrace>t3</stackTrace></rerunError>"
		     "</testcase>"
		     "<testcase name='flaky' classname='com.example.T' time='1.0'>"
		     "<flakyFailure message='timing' "
		     "type='java.lang.AssertionError'><stackTrace>ft</stackTrace></flakyFailure>"
		     "<flakyError message='io' type='java.io.IOException'/>"
		     "</testcase></testsuite>",
		     &f),
	    0);
	const struct junit_case *r = jt_find(&f, "rerun"), *k = jt_find(&f, "flaky");
	if (CHECK(r && k)) {
		CHECK_INT(r->status, JS_FAILED);
		CHECK_STR(r->message, "first");
		CHECK_STR(r->type, "java.lang.AssertionError");
		CHECK_STR(r->details, "trace1");
		CHECK(r->system_out == NULL); /* the rerun's own output is not the test's */
		CHECK_INT(r->nattempts, 3);
		if (r->nattempts == 3) {
			CHECK_STR(r->attempts[1].message, "second");
			CHECK_INT(r->attempts[1].time_ms, 200);
			CHECK_INT(r->attempts[2].status, JS_ERROR);
		}
		CHECK_INT(k->status, JS_FLAKY);
		CHECK_STR(k->message, "timing");
		CHECK_STR(k->details, "ft");
		CHECK_INT(k->nattempts, 3);
		if (k->nattempts == 3) {
			CHECK_INT(k->attempts[0].status, JS_FAILED);
			CHECK_INT(k->attempts[1].status, JS_ERROR);
			CHECK_INT(k->attempts[2].status, JS_PASSED);
			CHECK_INT(k->attempts[2].time_ms, 1000);
		}
	}
	junit_file_release(&f);
}

TEST(junit_go_reruns_and_missing_attributes)
{
	/* gotestsum --rerun-fails: repeated testcases; no errors/skipped counts */
	struct junit_file f;
	CHECK_INT(
	    jt_parse("<testsuites tests='4' failures='1'><testsuite tests='4' failures='1' "
		     "name='example.com/m'>"
		     "<testcase classname='example.com/m' name='TestA' time='0.10'><failure "
		     "message='Failed' type=''>x_test.go:9: nope</failure></testcase>"
		     "<testcase classname='example.com/m' name='TestS' time='0.00'><skipped "
		     "message='x_test.go:12: needs docker'></skipped></testcase>"
		     "<testcase classname='example.com/m' name='TestA' time='0.20'></testcase>"
		     "<testcase classname='example.com/m' name='TestB' time='0.20'></testcase>"
		     "<testcase classname='example.com/m' name='TestB' time='0.30'><failure "
		     "message='Failed'>again</failure></testcase>"
		     "</testsuite></testsuites>",
		     &f),
	    0);
	CHECK_INT(f.ncases, 3);
	const struct junit_case *a = jt_find(&f, "TestA"), *s = jt_find(&f, "TestS"),
				*b = jt_find(&f, "TestB");
	if (CHECK(a && s && b)) {
		CHECK_INT(a->status, JS_FLAKY); /* failed, then passed on the rerun */
		CHECK_STR(a->message, "Failed");
		CHECK_INT(a->nattempts, 2);
		CHECK_INT(a->time_ms, 300);
		CHECK_INT(s->status, JS_SKIPPED);
		CHECK_STR(s->message, "x_test.go:12: needs docker");
		CHECK_INT(b->status,
			  JS_FAILED); /* passed, then failed: the last word is a failure */
		CHECK_STR(b->details, "again");
	}
	junit_file_release(&f);
}

TEST(junit_jest_text_only_failures)
{
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuites name='jest tests'><testsuite name='sum' "
			   "timestamp='2026-06-18T00:17:30'>"
			   "<testcase classname='sum adds' name='sum adds' time='0.004'>"
			   "<failure>\n  Error: expect(received).toBe(expected)\n\nExpected: "
			   "4\nReceived: 5</failure>"
			   "<failure>Error: second\n at x</failure>"
			   "</testcase></testsuite></testsuites>",
			   &f),
		  0);
	if (CHECK(f.ncases == 1)) {
		CHECK_INT(f.cases[0].status, JS_FAILED);
		CHECK_STR(f.cases[0].message, "Error: expect(received).toBe(expected)");
		CHECK(strstr(f.cases[0].details, "Received: 5\nError: second") != NULL);
		CHECK_INT(f.cases[0].nattempts, 0);
	}
	CHECK_INT(f.timestamp, 1781741850); /* UTC without Z */
	junit_file_release(&f);
}

TEST(junit_gtest_status_result)
{
	struct junit_file f;
	CHECK_INT(
	    jt_parse(
		"<testsuites><testsuite name='S'>"
		"<testcase name='Ok' status='run' result='completed' time='0.001' classname='S'/>"
		"<testcase name='DISABLED_Off' status='notrun' result='suppressed' time='0' "
		"classname='S'/>"
		"<testcase name='Two' status='run' result='completed' time='0' classname='S'>"
		"<failure message='a.cc:3&#x0A;Expected: 1' type=''><![CDATA[a.cc:3\nExpected: "
		"1]]></failure>"
		"<failure message='a.cc:4&#x0A;Expected: 2' type=''><![CDATA[a.cc:4\nExpected: "
		"2]]></failure>"
		"</testcase>"
		"<testcase name='Skip' status='run' result='skipped' time='0' "
		"classname='S'><skipped message='a.cc:9&#x0A;why'/></testcase>"
		"</testsuite></testsuites>",
		&f),
	    0);
	CHECK_INT(f.ncases, 4);
	const struct junit_case *off = jt_find(&f, "DISABLED_Off"), *two = jt_find(&f, "Two");
	if (CHECK(off && two)) {
		CHECK_INT(off->status, JS_SKIPPED);
		CHECK_STR(off->type, "disabled");
		CHECK_INT(two->status, JS_FAILED);
		CHECK_STR(two->message, "a.cc:3\nExpected: 1");
		CHECK_STR(two->details, "a.cc:3\nExpected: 1\na.cc:4\nExpected: 2");
		CHECK_INT(two->nattempts, 0);
	}
	CHECK_INT(jt_find(&f, "Ok")->status, JS_PASSED);
	CHECK_INT(jt_find(&f, "Skip")->status, JS_SKIPPED);
	junit_file_release(&f);
}

TEST(junit_ctest_bare_suite)
{
	struct junit_file f;
	CHECK_INT(jt_parse("<?xml version='1.0' encoding='UTF-8'?>\n<testsuite name='Linux' "
			   "tests='3' time='2'>"
			   "<testcase name='ok' classname='ok' time='3' "
			   "status='run'><system-out>fine</system-out></testcase>"
			   "<testcase name='off' classname='off' time='0' status='disabled'/>"
			   "<testcase name='bad' classname='bad' time='1' status='fail'><failure "
			   "message='Failed'/></testcase>"
			   "</testsuite>",
			   &f),
		  0);
	CHECK_INT(f.ncases, 3);
	CHECK_INT(f.cases[0].time_ms, 3000);
	CHECK_STR(f.cases[0].system_out, "fine");
	CHECK_INT(f.cases[1].status, JS_SKIPPED);
	CHECK_STR(f.cases[1].type, "disabled");
	CHECK_INT(f.cases[2].status, JS_FAILED);
	junit_file_release(&f);
}

TEST(junit_nesting_recount_and_time_junk)
{
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuites tests='99'><testsuite name='outer' tests='1' "
			   "timestamp='2026-06-18T02:17:30+02:00'>"
			   "<testsuite name='inner'><testsuite name='innermost'>"
			   "<testcase name='deep' time='1,234.5'/></testsuite>"
			   "<testcase name='mid' time='junk'/></testsuite>"
			   "<testcase name='top' time='NaN'/></testsuite></testsuites>",
			   &f),
		  0);
	CHECK_INT(f.ncases, 3);
	CHECK_STR(f.cases[0].suite, "innermost");
	CHECK_INT(f.cases[0].time_ms, 1234500);
	CHECK_STR(f.cases[1].suite, "inner");
	CHECK_INT(f.cases[1].time_ms, -1);
	CHECK_STR(f.cases[2].suite, "outer");
	CHECK_INT(f.cases[2].time_ms, -1);
	CHECK_INT(f.timestamp, 1781741850); /* the offset is honoured */
	junit_file_release(&f);
}

TEST(junit_properties_json)
{
	struct junit_file f;
	CHECK_INT(
	    jt_parse(
		"<testsuite><properties><property name='suite-level' value='ignored'/></properties>"
		"<testcase name='p'><properties><property name='a' value='x&amp;y'/>"
		"<property name='q\"' value='line&#10;two\\'/><property name='t'>text "
		"value</property>"
		"</properties></testcase></testsuite>",
		&f),
	    0);
	if (CHECK(f.ncases == 1))
		CHECK_STR(f.cases[0].properties,
			  "{\"a\":\"x&y\",\"q\\\"\":\"line\\ntwo\\\\\",\"t\":\"text value\"}");
	junit_file_release(&f);
}

TEST(junit_entities_in_attributes)
{
	/* every way of writing '&' and '<' in an attribute comes out as the character */
	struct junit_file f;
	CHECK_INT(jt_parse("<testsuite><testcase classname='a&amp;b' "
			   "name='&lt;&#38;&#x26;&amp;#38;&gt;'/></testsuite>",
			   &f),
		  0);
	if (CHECK(f.ncases == 1)) {
		CHECK_STR(f.cases[0].classname, "a&b");
		CHECK_STR(f.cases[0].name, "<&&&#38;>");
	}
	junit_file_release(&f);
}

/* ---- hostile input ------------------------------------------------------------------------ */

static double jt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* no field of any case holds s */
static int jt_nowhere(const struct junit_file *f, const char *s)
{
	for (size_t i = 0; i < f->ncases; i++) {
		const struct junit_case *c = &f->cases[i];
		const char *fields[] = {c->suite,      c->classname, c->name,	 c->file,
					c->message,    c->type,	     c->details, c->system_out,
					c->system_err, c->properties};
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			if (fields[k] && strstr(fields[k], s))
				return 0;
	}
	return 1;
}

/* parses xml, which must be rejected with a reason starting with want */
static void jt_rejected(const char *xml, size_t len, const char *want, const char *file, int line)
{
	struct junit_file f;
	int rc = junit_parse("hostile.xml", xml, len, &f);
	char what[400];
	snprintf(what, sizeof(what), "rejected with \"%s...\", got rc=%d error=\"%s\"", want, rc,
		 f.error ? f.error : "(null)");
	t_check(rc == -1 && f.error && !strncmp(f.error, want, strlen(want)), what, file, line);
	junit_file_release(&f);
}
#define REJECTED(xml, want) jt_rejected((xml), strlen(xml), (want), __FILE__, __LINE__)

TEST(junit_billion_laughs)
{
	const char *xml =
	    "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
	    "<!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
	    "<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>"
	    "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>"
	    "<!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>"
	    "<!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>"
	    "<!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>"
	    "<!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>"
	    "<!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>"
	    "<!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>]>"
	    "<testsuite><testcase name='&lol9;'><failure "
	    "message='&lol9;'>&lol9;</failure></testcase></testsuite>";
	double t0 = jt_now();
	REJECTED(xml, "DTD with entities not allowed");
	CHECK(jt_now() - t0 < 1.0);
}

TEST(junit_external_entities)
{
	const char *file_xxe =
	    "<?xml version='1.0'?><!DOCTYPE t [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
	    "<testsuite><testcase name='&xxe;'><failure "
	    "message='&xxe;'>&xxe;</failure></testcase></testsuite>";
	const char *http_xxe =
	    "<?xml version='1.0'?><!DOCTYPE t [<!ENTITY xxe SYSTEM 'http://127.0.0.1:9/x'>]>"
	    "<testsuite><testcase name='&xxe;'/></testsuite>";
	const char *param_xxe =
	    "<?xml version='1.0'?><!DOCTYPE t [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]>"
	    "<testsuite><testcase name='x'/></testsuite>";
	/* an external DTD is never loaded: the file reads as if it had none */
	const char *ext_dtd =
	    "<?xml version='1.0'?><!DOCTYPE testsuite SYSTEM 'file:///etc/passwd'>"
	    "<testsuite><testcase name='x'><system-out>o</system-out></testcase></testsuite>";
	const char *ext_dtd_http =
	    "<?xml version='1.0'?><!DOCTYPE testsuite SYSTEM 'http://127.0.0.1:9/x.dtd'>"
	    "<testsuite><testcase name='y'/></testsuite>";
	const char *undeclared = "<testsuite><testcase name='&xxe;'/></testsuite>";
	double t0 = jt_now();
	REJECTED(file_xxe, "DTD with entities not allowed");
	REJECTED(http_xxe, "DTD with entities not allowed");
	REJECTED(param_xxe, "DTD with entities not allowed");
	REJECTED(undeclared, "not well-formed (line 1)");
	struct junit_file f;
	CHECK_INT(jt_parse(ext_dtd, &f), 0);
	CHECK_INT(f.ncases, 1);
	CHECK(jt_nowhere(&f, "root:"));
	junit_file_release(&f);
	CHECK_INT(jt_parse(ext_dtd_http, &f), 0);
	CHECK_INT(f.ncases, 1);
	junit_file_release(&f);
	/* and whatever the verdict, /etc/passwd never shows up anywhere */
	const char *all[] = {file_xxe, param_xxe, ext_dtd};
	for (size_t i = 0; i < 3; i++) {
		jt_parse(all[i], &f);
		CHECK(jt_nowhere(&f, "root:"));
		CHECK(!f.error || !strstr(f.error, "root:"));
		junit_file_release(&f);
	}
	CHECK(jt_now() - t0 < 1.0);
}

TEST(junit_bad_files)
{
	REJECTED("", "empty file");
	REJECTED("  \n\t ", "empty file");
	REJECTED("<testsuite><testcase name='a'>", "not well-formed (line 1)");
	REJECTED("<testsuite>\n<testcase name='a'/>\n<testcase name='b'",
		 "not well-formed (line 3)");
	REJECTED("<html><body>502 Bad Gateway</body></html>", "not a JUnit report: root is <html>");
	REJECTED("<!DOCTYPE html>\n<html><head><title>x</title></head><body><br></body></html>",
		 "not a JUnit report: root is <html>");
	REJECTED("<!doctype html>\n<html><body><br></body></html>",
		 "not a JUnit report: looks like HTML");
	REJECTED("not xml at all", "not well-formed (line 1)");
	REJECTED("{\"json\": true}", "not well-formed (line 1)");
	REJECTED("<testsuite><testcase name='caf\xe9'/></testsuite>", "not UTF-8 (line 1)");
	REJECTED("<testsuite><testcase name='a'><failure>\xff\xfe</failure></testcase></testsuite>",
		 "not UTF-8 (line 1)");
	REJECTED("<?xml version='1.0' encoding='no-such-charset'?><testsuite/>",
		 "unsupported encoding");
	REJECTED("<testsuite><testcase name='a'/></testsuite><testsuite/>",
		 "not well-formed (line 1)");
	/* NUL bytes inside the file */
	jt_rejected("<testsuite>\0<testcase/></testsuite>", 33, "not well-formed", __FILE__,
		    __LINE__);
	/* a declared encoding other than UTF-8 is fine */
	struct junit_file f;
	CHECK_INT(jt_parse("<?xml version='1.0' encoding='ISO-8859-1'?><testsuite><testcase "
			   "name='caf\xe9'/></testsuite>",
			   &f),
		  0);
	if (CHECK(f.ncases == 1))
		CHECK_STR(f.cases[0].name, "caf\xc3\xa9");
	junit_file_release(&f);
}

TEST(junit_deep_nesting)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 100000; i++)
		buf_adds(&b, "<testsuite>");
	double t0 = jt_now();
	jt_rejected(b.data, b.len, "nested deeper than 64 elements", __FILE__, __LINE__);
	buf_reset(&b);
	/* just within the limit is fine */
	for (int i = 0; i < JUNIT_MAX_DEPTH - 1; i++)
		buf_adds(&b, "<testsuite>");
	buf_adds(&b, "<testcase name='deep'/>");
	for (int i = 0; i < JUNIT_MAX_DEPTH - 1; i++)
		buf_adds(&b, "</testsuite>");
	struct junit_file f;
	CHECK_INT(junit_parse("deep.xml", b.data, b.len, &f), 0);
	CHECK_INT(f.ncases, 1);
	junit_file_release(&f);
	CHECK(jt_now() - t0 < 1.0);
	buf_release(&b);
}

TEST(junit_huge_fields_are_cut)
{
	/* a 100 KB name and a 50 MB system-out (in CDATA and as text), made here */
	const size_t big = 50u << 20;
	struct buf b = BUF_INIT;
	buf_adds(&b, "<testsuite><testcase classname='c' name='");
	for (size_t i = 0; i < 100 * 1024; i++)
		buf_addc(&b, (char)('a' + i % 26));
	buf_adds(&b, "'><system-out><![CDATA[");
	char line[1024];
	memset(line, 'x', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	for (size_t i = 0; i < big / sizeof(line); i++)
		buf_add(&b, line, sizeof(line));
	buf_adds(&b, "]]></system-out><system-err>");
	for (size_t i = 0; i < big / 10 / sizeof(line); i++)
		buf_add(&b, line, sizeof(line));
	buf_adds(&b, "</system-err><failure message='");
	for (size_t i = 0; i < 100 * 1024; i++)
		buf_addc(&b, (i % 100) ? 'm' : '\xc3'), buf_addc(&b, (i % 100) ? 'm' : '\xa9');
	buf_adds(&b, "'/></testcase></testsuite>");
	double t0 = jt_now();
	struct junit_file f;
	CHECK_INT(junit_parse("huge.xml", b.data, b.len, &f), 0);
	double dt = jt_now() - t0;
	if (CHECK(f.ncases == 1)) {
		const struct junit_case *c = &f.cases[0];
		CHECK(c->truncated);
		CHECK(strlen(c->name) < JUNIT_MAX_NAME + 64);
		CHECK(!strncmp(c->name, "abcdefghijklmnopqrstuvwxyz", 26));
		CHECK(strstr(c->name, "[... cut at 4096 bytes]") != NULL);
		CHECK(strlen(c->system_out) < JUNIT_MAX_OUTPUT + 64);
		CHECK(strstr(c->system_out, "[... cut at") != NULL);
		CHECK(strlen(c->system_err) < JUNIT_MAX_OUTPUT + 64);
		CHECK(strlen(c->message) < JUNIT_MAX_MESSAGE + 64);
		CHECK(strstr(c->message, "\n[... cut at") != NULL);
		/* the cut never splits a UTF-8 sequence */
		const char *m = strstr(c->message, "\n[... cut at");
		CHECK(m && ((unsigned char)m[-1] < 0x80));
		CHECK_INT(c->status, JS_FAILED);
	}
	junit_file_release(&f);
	/* linear: about 0.1 s here, a few seconds under the sanitizers on a busy machine */
	CHECK(dt < 30.0);
	buf_release(&b);
}

TEST(junit_limits_on_cases_and_attempts)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<testsuite>");
	for (int i = 0; i < 100; i++)
		buf_adds(&b,
			 "<testcase classname='c' name='again'><failure message='x'/></testcase>");
	buf_adds(&b, "<testcase classname='c' name='again'/></testsuite>");
	struct junit_file f;
	CHECK_INT(junit_parse("reruns.xml", b.data, b.len, &f), 0);
	if (CHECK(f.ncases == 1)) {
		CHECK_INT(f.cases[0].nattempts, JUNIT_MAX_ATTEMPTS);
		CHECK(f.cases[0].truncated);
		CHECK_INT(f.cases[0].status, JS_FLAKY); /* the last run passed */
	}
	junit_file_release(&f);
	buf_release(&b);
}

/* ---- the same points on the real tools' output ---------------------------------------- */

static int jt_load(const char *path, struct junit_file *f)
{
	struct buf b;
	if (jt_read(path, &b) < 0) {
		memset(f, 0, sizeof(*f));
		return -2;
	}
	int rc = junit_parse(path, buf_str(&b), b.len, f);
	buf_release(&b);
	return rc;
}

TEST(junit_real_pytest)
{
	struct junit_file f;
	CHECK_INT(jt_load("tests/fixtures/junit/pytest/xunit2.xml", &f), 0);
	CHECK_INT(f.ncases, 18); /* 19 testcase elements, one test twice */
	const struct junit_case *c = jt_find(&f, "test_fail_and_teardown_error");
	if (CHECK(c)) {
		CHECK_INT(c->status, JS_ERROR);
		CHECK_INT(c->nattempts, 2);
		CHECK(c->nattempts == 2 && c->attempts[0].status == JS_FAILED &&
		      !strncmp(c->attempts[0].message, "AssertionError: call failed", 27));
	}
	c = jt_find(&f, "test_output_then_skip");
	if (CHECK(c)) {
		CHECK_INT(c->status, JS_SKIPPED);
		/* two <system-out>, joined */
		const char *o = c->system_out, *first = strstr(o, "printed before skipping");
		CHECK(first && strstr(first + 1, "printed before skipping"));
	}
	c = jt_find(&f, "test_xfail");
	CHECK(c && c->status == JS_XFAIL);
	c = jt_find(&f, "test_xpass_strict");
	CHECK(c && c->status == JS_FAILED);
	c = jt_find(&f, "test_params[quote\"amp&lt<]");
	CHECK(c && c->status == JS_PASSED);
	c = jt_find(&f, "test_record_property");
	CHECK(c && c->properties &&
	      !strcmp(c->properties,
		      "{\"recipe\":\"gitea\",\"ticket\":\"a \\\"quoted\\\" <value>\"}"));
	junit_file_release(&f);
	CHECK_INT(jt_load("tests/fixtures/junit/pytest/xunit1.xml", &f), 0);
	c = jt_find(&f, "test_fail_with_message");
	if (CHECK(c)) {
		CHECK_STR(c->file, "test_sample.py");
		CHECK_INT(c->line,
			  11); /* as written: pytest counts from 0, the def is on line 12 */
	}
	junit_file_release(&f);
}

TEST(junit_real_gtest_jest_ctest_gotestsum)
{
	struct junit_file f;
	CHECK_INT(jt_load("tests/fixtures/junit/gtest/sample.xml", &f), 0);
	const struct junit_case *c = jt_find(&f, "DISABLED_NotYet");
	CHECK(c && c->status == JS_SKIPPED && c->type && !strcmp(c->type, "disabled"));
	c = jt_find(&f, "TwoFailedAssertions");
	CHECK(c && c->status == JS_FAILED && strstr(c->details, "first assertion") &&
	      strstr(c->details, "second assertion") && !c->type);
	c = jt_find(&f, "Skipped");
	CHECK(c && c->status == JS_SKIPPED && strstr(c->message, "needs a GPU"));
	junit_file_release(&f);

	CHECK_INT(jt_load("tests/fixtures/junit/jest/sample.xml", &f), 0);
	c = jt_find(&f, "teardown fails twice");
	CHECK(c && c->status == JS_FAILED &&
	      !strcmp(c->message, "Error: expect(received).toEqual(expected) // deep equality") &&
	      strstr(c->details, "afterEach broke"));
	junit_file_release(&f);

	CHECK_INT(jt_load("tests/fixtures/junit/ctest/sample.xml", &f), 0);
	c = jt_find(&f, "disabled_one");
	CHECK(c && c->status == JS_SKIPPED && !strcmp(c->type, "disabled"));
	c = jt_find(&f, "fails");
	CHECK(c && c->status == JS_FAILED && !c->message && strstr(c->system_out, "broken"));
	junit_file_release(&f);

	CHECK_INT(jt_load("tests/fixtures/junit/gotestsum/rerun.xml", &f), 0);
	c = jt_find(&f, "TestFlaky");
	CHECK(c && c->status == JS_FLAKY && c->nattempts == 2 &&
	      strstr(c->details, "connection refused"));
	junit_file_release(&f);
	CHECK_INT(jt_load("tests/fixtures/junit/gotestsum/sample.xml", &f), 0);
	c = jt_find(&f, "TestSkipped");
	CHECK(c && c->status == JS_SKIPPED && strstr(c->message, "needs docker"));
	junit_file_release(&f);

	CHECK_INT(jt_load("tests/fixtures/junit/surefire/TEST-example.ExampleTests.xml", &f), 0);
	c = jt_find(&f, "failsAssertionOnlyFirstAttempt");
	CHECK(c && c->status == JS_FLAKY);
	c = jt_find(&f, "failsAssertionAlways");
	CHECK(c && c->status == JS_FAILED && c->nattempts == 3);
	c = jt_find(&f, "alwaysPasses");
	CHECK(c && c->time_ms == 1234567);
	junit_file_release(&f);
}

TEST(junit_cut_keeps_utf8_whole)
{
	/* 300 KB of two-byte characters after one ASCII byte: the 256 KB cap falls
	 * inside a character, in the text buffer and in the attribute */
	struct buf b = BUF_INIT;
	buf_adds(&b, "<testsuite><testcase name='n'><system-out>a");
	for (int i = 0; i < 150000; i++)
		buf_adds(&b, "\xc3\xa9");
	buf_adds(&b, "</system-out><failure message='a");
	for (int i = 0; i < 5000; i++)
		buf_adds(&b, "\xc3\xa9");
	buf_adds(&b, "'/></testcase></testsuite>");
	struct junit_file f;
	CHECK_INT(junit_parse("utf8.xml", b.data, b.len, &f), 0);
	if (CHECK(f.ncases == 1)) {
		const char *o = f.cases[0].system_out, *m = strstr(o, "\n[... cut at ");
		CHECK(m && (unsigned char)m[-1] == 0xa9 && (unsigned char)m[-2] == 0xc3);
		CHECK(m && !strncmp(m, "\n[... cut at 262143 bytes]", 27));
		m = strstr(f.cases[0].message, "\n[... cut at ");
		CHECK(m && (unsigned char)m[-1] == 0xa9 && (unsigned char)m[-2] == 0xc3);
	}
	junit_file_release(&f);
	buf_release(&b);
}

TEST(junit_too_many_testcases)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "<testsuite>");
	for (int i = 0; i <= JUNIT_MAX_CASES; i++)
		buf_addf(&b, "<testcase name='t%d'/>", i);
	buf_adds(&b, "</testsuite>");
	jt_rejected(b.data, b.len, "more than 200000 testcases", __FILE__, __LINE__);
	buf_release(&b);
}

TEST(junit_other_encodings_and_silence)
{
	/* UTF-16LE with a byte order mark reads like UTF-8 */
	const char *doc = "<testsuite><testcase name='caf\xc3\xa9'/></testsuite>";
	struct buf u16 = BUF_INIT;
	buf_add(&u16, "\xff\xfe", 2);
	for (const char *p = doc; *p; p++) {
		if (!strncmp(p, "\xc3\xa9", 2)) {
			buf_add(&u16, "\xe9\x00", 2);
			p++;
		} else {
			buf_addc(&u16, *p);
			buf_addc(&u16, '\0');
		}
	}
	struct junit_file f;
	CHECK_INT(junit_parse("utf16.xml", u16.data, u16.len, &f), 0);
	if (CHECK(f.ncases == 1))
		CHECK_STR(f.cases[0].name, "caf\xc3\xa9");
	junit_file_release(&f);

	/* a broken UTF-16 file is rejected, and libxml2 prints nothing itself */
	const char *errpath = "tests/out/unit/junit-stderr.txt";
	fflush(stderr);
	int saved = dup(2);
	FILE *cap = fopen(errpath, "w+");
	if (!CHECK(saved >= 0 && cap))
		return;
	dup2(fileno(cap), 2);
	buf_add(&u16, "\x00\xd8\x08\x00\x0a\x3c", 6); /* a lone surrogate, then junk */
	int rc = junit_parse("bad16.xml", u16.data, u16.len, &f);
	char why[300];
	snprintf(why, sizeof(why), "%s", f.error ? f.error : "");
	junit_file_release(&f);
	int rc2 = junit_parse("bad16b.xml", u16.data + 2, u16.len - 3, &f);
	junit_file_release(&f);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK_INT(rc, -1);
	CHECK(!strncmp(why, "encoding error", 14) || !strncmp(why, "not well-formed", 15));
	CHECK_INT(rc2, -1);
	fseek(cap, 0, SEEK_END);
	CHECK_INT(ftell(cap), 0);
	fclose(cap);
	buf_release(&u16);
}
