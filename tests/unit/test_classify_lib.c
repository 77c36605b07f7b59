/* unit tests of lib/version (tag order) and lib/signature (failure causes) */
#include "t.h"
#include "../../lib/buf.h"
#include "../../lib/signature.h"
#include "../../lib/version.h"

#include <string.h>

static int vsign(const char *a, const char *b)
{
	int c = version_cmp(a, b);
	return (c > 0) - (c < 0);
}

/* a < b, and the reverse, so the order is antisymmetric */
#define CHECK_LT(a, b)                                                                             \
	do {                                                                                       \
		CHECK_INT(vsign((a), (b)), -1);                                                    \
		CHECK_INT(vsign((b), (a)), 1);                                                     \
	} while (0)

TEST(version_semver_order)
{
	CHECK_LT("2.1.9+10.11.15", "2.1.10+10.11.16");
	CHECK_LT("0.8.1+3.5.0", "0.10.0+3.5.0");
	CHECK_LT("1.0.0+v1.6.870-0", "1.0.1+v1.6.870-0");
	CHECK_LT("9.9.9", "10.0.0");
	CHECK_LT("1.0.0", "1.0.1");
	CHECK_LT("99999999999999999999.0.0", "100000000000000000000.0.0");	/* no overflow */
	CHECK_INT(vsign("2.1.9+10.11.15", "2.1.9+10.11.15"), 0);
}

TEST(version_prerelease_rules)
{
	/* the example chain of semver 2.0.0 section 11 */
	const char *chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
			       "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"};
	for (size_t i = 0; i + 1 < sizeof(chain) / sizeof(*chain); i++)
		CHECK_LT(chain[i], chain[i + 1]);
	CHECK_LT("1.0.0-rc.1+x", "1.0.0+a");
}

TEST(version_label_tiebreak)
{
	/* same semver: the label by byte order, never equal unless identical */
	CHECK_LT("1.0.0+a", "1.0.0+b");
	CHECK_LT("1.0.0", "1.0.0+a");
	CHECK_LT("1.0.0", "1.0.0+");
	CHECK(version_cmp("1.0.0+10.11.15", "1.0.0+10.11.9") != 0);
}

TEST(version_not_semver_falls_back)
{
	CHECK(!version_is_semver("1.14.1-rootless_1"));
	CHECK(!version_is_semver("01.2.3"));
	CHECK(!version_is_semver("1.2"));
	CHECK(!version_is_semver("1.2.3-"));
	CHECK(!version_is_semver("1.2.3-a..b"));
	CHECK(!version_is_semver(""));
	CHECK(version_is_semver("1.0.0+v1.6.870-0"));
	CHECK(version_is_semver("1.2.3-rc.1"));
	/* non-semver tags first, among themselves by byte order */
	CHECK_LT("1.14.1-rootless_1", "0.0.1");
	CHECK_LT("1.14.1-rootless_1", "1.14.2-rootless_1");
	CHECK_LT("latest", "main");
	CHECK_LT(NULL, "1.14.1-rootless_1");
	CHECK_LT(NULL, "");
	CHECK_INT(vsign(NULL, NULL), 0);
	/* hostile bytes never crash */
	char big[600];
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CHECK_LT(big, "1.0.0");
	CHECK_LT("1.0.0-\xff", "1.0.0");
}

/* normalised text of msg */
static const char *sig(const char *msg, char id[SIGNATURE_ID_SIZE])
{
	static struct buf text;
	signature_make(msg, msg ? strlen(msg) : 0, &text, id);
	return buf_str(&text);
}

TEST(signature_ip_and_port_one_cause)
{
	char a[SIGNATURE_ID_SIZE], b[SIGNATURE_ID_SIZE], c[SIGNATURE_ID_SIZE];
	CHECK_STR(sig("dial tcp 10.10.0.4:3000: connect: connection refused", a),
		  "dial tcp <ip>:<n>: connect: connection refused");
	sig("dial tcp 10.10.0.12:3000: connect: connection refused", b);
	CHECK_STR(a, b);
	CHECK_INT(strlen(a), SIGNATURE_ID_LEN);
	/* the caddy line from the journal, with every varying part */
	sig("Get \"http://app:3000/tls-check?domain=warm-bluesky-pds.ci.commoninternet.net\": dial "
	    "tcp 10.10.0.9:3000: connect: connection refused",
	    b);
	sig("Get \"http://app:3000/tls-check?domain=warm-bluesky-pds.ci.commoninternet.net\": dial "
	    "tcp 10.10.0.2:3000: connect: connection refused",
	    c);
	CHECK_STR(b, c);
	CHECK(strcmp(a, b) != 0);
	CHECK_STR(sig("dial tcp [fe80::1]:443: i/o timeout", a), "dial tcp [<ip>]:<n>: i/o timeout");
	CHECK_STR(sig("connect to ::1 port 5432 failed", a), "connect to <ip> port <n> failed");
}

TEST(signature_different_causes_differ)
{
	char ids[6][SIGNATURE_ID_SIZE];
	CHECK_STR(sig("psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist",
		      ids[0]),
		  "psycopg2.errors.UndefinedTable: relation \"ci_marker\" does not exist");
	sig("dial tcp 10.10.0.4:3000: connect: connection refused", ids[1]);
	CHECK_STR(sig("failed to save \"/etc/gitea/app.ini\": open /etc/gitea/app.ini: read-only "
		      "file system",
		      ids[2]),
		  "failed to save \"/etc/gitea/app.ini\": open /etc/gitea/app.ini: read-only file "
		  "system");
	CHECK_STR(sig("warm-bluesky-pds.ci.commoninternet.net: not healthy over HTTPS /xrpc/_health "
		      "(last status 0)",
		      ids[3]),
		  "warm-bluesky-pds.ci.commoninternet.net: not healthy over HTTPS /xrpc/_health "
		  "(last status <n>)");
	sig("AssertionError: app image is bitnamilegacy/discourse:3.5.0; expected "
	    "discourse/discourse:3.5.3",
	    ids[4]);
	sig("AssertionError: services ['app', 'db', 'redis', 'sidekiq'] still include sidekiq", ids[5]);
	for (int i = 0; i < 6; i++)
		for (int j = i + 1; j < 6; j++)
			CHECK(strcmp(ids[i], ids[j]) != 0);
	/* a different relation is a different cause */
	char other[SIGNATURE_ID_SIZE];
	sig("psycopg2.errors.UndefinedTable: relation \"users\" does not exist", other);
	CHECK(strcmp(ids[0], other) != 0);
}

TEST(signature_pytest_numbers)
{
	char a[SIGNATURE_ID_SIZE], b[SIGNATURE_ID_SIZE];
	CHECK_STR(sig("AssertionError: assert 3 == 4\n +  where 3 = len([...])", a),
		  "AssertionError: assert <n> == <n>");
	sig("AssertionError: assert 7 == 4\n +  where 7 = len([1, 2])", b);
	CHECK_STR(a, b);
	CHECK_STR(sig("assert 0.25 > 1.5", a), "assert <n> > <n>");
	/* digits inside words are names, not numbers */
	CHECK_STR(sig("sha256 mismatch in test_2 for h2c", a), "sha256 mismatch in test_2 for h2c");
	CHECK_STR(sig("handshake failed after 12 attempts (60.0s)", a),
		  "handshake failed after <n> attempts (<dur>)");
	CHECK_STR(sig("timed out after 1m30s waiting for 250ms tick", a),
		  "timed out after <dur> waiting for <dur> tick");
	CHECK_STR(sig("image v1.6.870 missing", a), "image v<n> missing");
}

TEST(signature_masks_ids_times_paths)
{
	char a[SIGNATURE_ID_SIZE], b[SIGNATURE_ID_SIZE];
	CHECK_STR(sig("container 3f2a9c81d4e5 exited; snapshot b0495d36 at / restored", a),
		  "container <hex> exited; snapshot <hex> at / restored");
	CHECK_STR(sig("request 123e4567-e89b-12d3-a456-426614174000 failed", a),
		  "request <uuid> failed");
	CHECK_STR(sig("at 2026-06-18T00:17:30.123+02:00 and 2026-06-18 00:17:30 and "
		      "20260618T001730Z and 00:17:30 on 2026-06-18",
		      a),
		  "at <time> and <time> and <time> and <time> on <time>");
	CHECK_STR(sig("cannot open /tmp/pytest-of-root/pytest-12/test_x0/app.log: no such file", a),
		  "cannot open <tmp>: no such file");
	sig("cannot open /tmp/pytest-of-root/pytest-13/test_y1/app.log: no such file", b);
	CHECK_STR(a, b);
	CHECK_STR(sig("cannot open /var/folders/xy/T/abc: denied", a), "cannot open <tmp>: denied");
	CHECK_STR(sig("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0 rejected", a),
		  "token <b64>.<b64> rejected");
	CHECK_STR(sig("task app.1.k3j4h5g6f7d8s9a0q1w2e3r4 failed", a), "task app.<n>.<b64> failed");
	CHECK_STR(sig("no such container 'warm_gitea_app.1.x8k2'", a),
		  "no such container '<id>'");
	CHECK_STR(sig("address 0xdeadbeef", a), "address <hex>");
	/* long words without digits are not base64 */
	CHECK_STR(sig("test_head_runs_official_image_not_bitnamilegacy failed", a),
		  "test_head_runs_official_image_not_bitnamilegacy failed");
}

TEST(signature_lines_whitespace_and_bounds)
{
	char a[SIGNATURE_ID_SIZE], b[SIGNATURE_ID_SIZE];
	CHECK_STR(sig("\n\n  AssertionError\n  relation \"ci_marker\" does not exist\nmore", a),
		  "AssertionError relation \"ci_marker\" does not exist");
	CHECK_STR(sig("Traceback (most recent call last):\n  boom   happened\t here\n", a),
		  "boom happened here");
	CHECK_STR(sig("", a), "(no message)");
	CHECK_STR(sig(NULL, b), "(no message)");
	CHECK_STR(a, b);
	CHECK_STR(sig(" \n --- \n", a), "(no message)");
	/* bounded, and never cut inside a UTF-8 sequence */
	char big[1000];
	for (size_t i = 0; i + 1 < sizeof(big); i += 2) {
		big[i] = (char)0xc3;
		big[i + 1] = (char)0xa9;	/* é */
	}
	big[sizeof(big) - 1] = 0;
	const char *t = sig(big, a);
	CHECK(strlen(t) <= SIGNATURE_TEXT_MAX);
	CHECK(strlen(t) % 2 == 0);
	/* invalid UTF-8 and control bytes become stable stand-ins */
	CHECK_STR(sig("bad \xff byte\x01here", a), "bad ? byte here");
	/* NUL is a byte like the others: the length is what counts */
	struct buf text = BUF_INIT;
	signature_make("a\0b 12", 6, &text, a);
	CHECK_STR(buf_str(&text), "a b <n>");
	buf_release(&text);
}

TEST(signature_source_fallbacks)
{
	size_t n;
	const char *s = signature_source(NULL, "\n  E   boom 1\nline2", "TypeError", &n);
	CHECK_INT(n, strlen("E   boom 1"));
	CHECK(!strncmp(s, "E   boom 1", n));
	s = signature_source("  ", NULL, "TypeError", &n);
	CHECK(!strncmp(s, "TypeError", n) && n == 9);
	s = signature_source(NULL, NULL, NULL, &n);
	CHECK_INT(n, 0);
	s = signature_source("msg", "details", "type", &n);
	CHECK(!strncmp(s, "msg", n) && n == 3);
}
