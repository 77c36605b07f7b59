/* unit tests of the pure pieces of ingest: quoting, UTF-8 cleaning, run folder rules */
#include "t.h"
#include "../../lib/buf.h"
#include "../../lib/quote.h"
#include "../../collect/rundir.h"

#include <string.h>

TEST(quote_name_escapes_controls_and_bad_utf8)
{
	struct buf b = BUF_INIT;
	const char hostile[] = "a b\n'<script>'\033[31m\xff\\\xc2\x9b"
			       "é";
	CHECK_STR(quote_name(hostile, sizeof(hostile) - 1, &b),
		  "a b\\n\\'<script>\\'\\x1b[31m\\xff\\\\\\xc2\\x9bé");
	CHECK_STR(quote_text("it's C:\\x\t", 10, &b), "it's C:\\x\\t");
	CHECK_STR(quote_name("", 0, &b), "");
	buf_release(&b);
}

TEST(utf8_seq_rejects_invalid_forms)
{
	CHECK_INT(utf8_seq((const unsigned char *)"a", 1), 1);
	CHECK_INT(utf8_seq((const unsigned char *)"\xc3\xa9", 2), 2);
	CHECK_INT(utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);	      /* overlong '/' */
	CHECK_INT(utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0);     /* surrogate */
	CHECK_INT(utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	CHECK_INT(utf8_seq((const unsigned char *)"\xe2\x82", 2), 0);	      /* truncated */
	CHECK_INT(utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
}

TEST(utf8_clean_replaces_bad_bytes)
{
	struct buf b = BUF_INIT;
	int changed = -1;
	CHECK_STR(utf8_clean("ok é", 5, &b, &changed), "ok é");
	CHECK_INT(changed, 0);
	CHECK_STR(utf8_clean("a\xff"
			     "b\0c",
			     5, &b, &changed),
		  "a\xef\xbf\xbd"
		  "b\xef\xbf\xbd"
		  "c");
	CHECK_INT(changed, 1);
	CHECK_STR(utf8_clean("", 0, &b, NULL), "");
	buf_release(&b);
}

TEST(rundir_tier_of_names)
{
	struct buf b = BUF_INIT;
	CHECK_STR(rundir_tier_of("upgrade__cc-ci__test_upgrade.xml", &b), "upgrade");
	CHECK_STR(rundir_tier_of("custom__x.xml", &b), "custom");
	CHECK_STR(rundir_tier_of("junit.xml", &b), "junit");
	CHECK_STR(rundir_tier_of("REPORT.XML", &b), "REPORT");
	CHECK_STR(rundir_tier_of("__odd.xml", &b), "unknown");
	CHECK_STR(rundir_tier_of(".xml", &b), ".xml");
	buf_release(&b);
}

TEST(rundir_run_id_rest_only_exact_form)
{
	int64_t t = 0;
	const char *r = rundir_run_id_rest("20260618T001730Z-mumble", &t);
	CHECK(r && !strcmp(r, "mumble"));
	CHECK_INT(t, 1781741850);
	CHECK(rundir_run_id_rest("20260618T001730Z-", &t) == NULL);
	CHECK(rundir_run_id_rest("2026-06-18T00:17-mumble", &t) == NULL);
	CHECK(rundir_run_id_rest("mumble", &t) == NULL);
	CHECK(rundir_run_id_rest("20261318T001730Z-x", &t) == NULL); /* month 13 */
}

TEST(rundir_count_lines_last_line)
{
	CHECK_INT(rundir_count_lines("", 0), 0);
	CHECK_INT(rundir_count_lines("a", 1), 1);
	CHECK_INT(rundir_count_lines("a\n", 2), 1);
	CHECK_INT(rundir_count_lines("a\nb", 3), 2);
	CHECK_INT(rundir_count_lines("\n\n\0x", 4), 3);
}

TEST(rundir_tier_status_rules)
{
	CHECK_STR(rundir_tier_status(0, 0, 3, 0), "passed");
	CHECK_STR(rundir_tier_status(1, 0, 3, 0), "failed");
	CHECK_STR(rundir_tier_status(1, 1, 3, 0), "error");
	CHECK_STR(rundir_tier_status(0, 0, 3, 1), "error"); /* an unreadable file */
	CHECK_STR(rundir_tier_status(0, 0, 0, 0), "skipped");
	CHECK(rundir_tier_rank("error") > rundir_tier_rank("failed"));
	CHECK(rundir_tier_rank("failed") > rundir_tier_rank("passed"));
	CHECK(rundir_tier_rank("passed") > rundir_tier_rank("expected_na"));
	CHECK_INT(rundir_tier_rank("bogus"), -1);
}

TEST(rundir_status_words)
{
	CHECK_STR(rundir_tier_word("Expected-NA"), "expected_na");
	CHECK_STR(rundir_tier_word("n/a"), "expected_na");
	CHECK_STR(rundir_tier_word("PASS"), "passed");
	CHECK_STR(rundir_tier_word("skip"), "skipped");
	CHECK_STR(rundir_tier_word("unverified"), "not_run");
	CHECK(rundir_tier_word("maybe") == NULL);
	CHECK(rundir_tier_word(NULL) == NULL);
	CHECK(rundir_tier_word("a-very-long-word-that-is-no-status-at-all") == NULL);
	CHECK_STR(rundir_case_word("xfailed"), "xfail");
	CHECK_STR(rundir_case_word("fail"), "failed");
	CHECK(rundir_case_word("expected_na") == NULL);
}

TEST(rundir_split_test_like_pytest)
{
	struct buf c = BUF_INIT, n = BUF_INIT;
	rundir_split_test("tests/custom/test_x.py::TestA::test_b", &c, &n);
	CHECK_STR(buf_str(&c), "tests.custom.test_x.TestA");
	CHECK_STR(buf_str(&n), "test_b");
	rundir_split_test("test_restore.py::test_restore_returns_state", &c, &n);
	CHECK_STR(buf_str(&c), "test_restore");
	CHECK_STR(buf_str(&n), "test_restore_returns_state");
	rundir_split_test("plain name", &c, &n);
	CHECK_STR(buf_str(&c), "");
	CHECK_STR(buf_str(&n), "plain name");
	rundir_split_test("t.py::test[a::b]", &c, &n);
	CHECK_STR(buf_str(&n), "b]");
	buf_release(&c);
	buf_release(&n);
}

TEST(rundir_crash_rule)
{
	int junit[5] = {1, 0, 0, 0, 0}, decl[5] = {0, 1, 0, 0, 0}, out[5];
	rundir_crash_tiers(junit, decl, 1, out);
	/* install ran, upgrade expected-NA: backup is the crash, the rest never ran */
	CHECK(out[0] == 0 && out[1] == 0 && out[2] == 1 && out[3] == 2 && out[4] == 2);
	rundir_crash_tiers(junit, decl, 0, out);
	CHECK(!out[0] && !out[1] && !out[2] && !out[3] && !out[4]);
	rundir_crash_tiers(junit, decl, -1, out); /* unknown exit: no guessing */
	CHECK(!out[2]);
	int all[5] = {1, 1, 1, 1, 1}, none[5] = {0};
	rundir_crash_tiers(all, none, 2, out);
	CHECK(!out[0] && !out[1] && !out[2] && !out[3] && !out[4]);
	rundir_crash_tiers(none, none, 2, out);
	CHECK(out[0] == 1 && out[1] == 2 && out[4] == 2);
	/* a gap before the last JUnit is not the crash */
	int gap[5] = {1, 0, 1, 0, 0};
	rundir_crash_tiers(gap, none, 1, out);
	CHECK(out[1] == 0 && out[3] == 1 && out[4] == 2);
}

TEST(rundir_run_status_rules)
{
	CHECK_STR(rundir_run_status(5, 0, 0, 0, NULL), "passed");
	CHECK_STR(rundir_run_status(5, 0, 1, 1, NULL), "failed");
	CHECK_STR(rundir_run_status(5, 1, 1, 1, NULL), "error");
	CHECK_STR(rundir_run_status(5, 0, 0, 0, "failed"), "promote_failed");
	CHECK_STR(rundir_run_status(5, 0, 0, 1, "failed"), "promote_failed");
	CHECK_STR(rundir_run_status(5, 0, 0, 3, NULL), "error"); /* crashed after green tiers */
	CHECK_STR(rundir_run_status(5, 0, 0, -1, "promoted"), "passed");
	CHECK_STR(rundir_run_status(0, 0, 0, 0, NULL), "error");
}
