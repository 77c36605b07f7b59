/* unit tests of lib/: buffers, time, hashes, slugs, the store */
#include "t.h"
#include "../../lib/buf.h"
#include "../../lib/sha256.h"
#include "../../lib/slug.h"
#include "../../lib/store.h"
#include "../../lib/timeutil.h"

#include <stdio.h>
#include <string.h>

TEST(buf_cap_truncates)
{
	struct buf b;
	buf_init(&b, 5);
	CHECK_INT(buf_adds(&b, "abc"), 0);
	CHECK_INT(buf_adds(&b, "defg"), -1);
	CHECK_STR(buf_str(&b), "abcde");
	CHECK(b.truncated);
	CHECK_INT(buf_adds(&b, "x"), -1);
	CHECK_INT(b.len, 5);
	buf_release(&b);
}

TEST(buf_addf_large)
{
	struct buf b = BUF_INIT;
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	buf_addf(&b, "%s-%d", big, 42);
	CHECK_INT(b.len, 1002);
	CHECK(!strcmp(b.data + 999, "-42"));
	buf_release(&b);
}

TEST(sha256_known)
{
	char hex[65];
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 56 bytes: the padding spills into a second block */
	const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(s, strlen(s), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* the SHA-NI and portable block functions agree on every length around the block
 * and padding edges, fed whole and in odd pieces */
TEST(sha256_hw_matches_portable)
{
	static unsigned char data[4099];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	int hw = sha256_use_hw(1);
	if (!hw)
		fprintf(stderr, "sha256_hw_matches_portable: no SHA extensions here; portable only\n");
	int bad = 0;
	for (size_t n = 0; n < sizeof(data) && !bad; n += n < 200 ? 1 : 61) {
		char a[65], b[65], c[65];
		sha256_use_hw(1);
		sha256_hex(data, n, a);
		struct sha256 s;
		sha256_init(&s);
		for (size_t at = 0; at < n; at += 7) /* pieces cross block edges */
			sha256_update(&s, data + at, n - at < 7 ? n - at : 7);
		sha256_final_hex(&s, c);
		sha256_use_hw(0);
		sha256_hex(data, n, b);
		bad = !CHECK_STR(a, b) || !CHECK_STR(c, b);
	}
	sha256_use_hw(1);
	/* one million 'a': the FIPS 180-2 long vector, through both paths */
	static char ma[1000000];
	memset(ma, 'a', sizeof(ma));
	for (int on = 0; on < 2; on++) {
		char hex[65];
		sha256_use_hw(on);
		sha256_hex(ma, sizeof(ma), hex);
		CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	sha256_use_hw(1);
}

TEST(time_parse_forms)
{
	int64_t t;
	char out[21];
	CHECK_INT(time_parse("2026-06-18T00:17:30Z", &t), 0);
	time_fmt_iso(t, out);
	CHECK_STR(out, "2026-06-18T00:17:30Z");
	CHECK_INT(time_parse("20260618T001730Z", &t), 0);
	time_fmt_iso(t, out);
	CHECK_STR(out, "2026-06-18T00:17:30Z");
	CHECK_INT(time_parse("2026-06-18T02:17:30.123+02:00", &t), 0);
	time_fmt_iso(t, out);
	CHECK_STR(out, "2026-06-18T00:17:30Z");
	CHECK_INT(time_parse("2026-06-18 00:17:30", &t), 0);
	time_fmt_iso(t, out);
	CHECK_STR(out, "2026-06-18T00:17:30Z");
	CHECK_INT(time_parse("2026-06-18", &t), 0);
	time_fmt_iso(t, out);
	CHECK_STR(out, "2026-06-18T00:00:00Z");
	char c[17];
	time_fmt_compact(t, c);
	CHECK_STR(c, "20260618T000000Z");
}

TEST(time_parse_rejects)
{
	int64_t t;
	CHECK_INT(time_parse("", &t), -1);
	CHECK_INT(time_parse("yesterday", &t), -1);
	CHECK_INT(time_parse("2026-13-01T00:00:00Z", &t), -1);
	CHECK_INT(time_parse("2026-06-18T00:17:30Zjunk", &t), -1);
	CHECK_INT(time_parse("2026-06-18T25:00:00Z", &t), -1);
	CHECK_INT(time_parse("20260618", &t), -1);
}

TEST(slug_name_safe_and_hostile)
{
	char s[SLUG_SIZE];
	slug_name("mattermost-lts", 14, s);
	CHECK_STR(s, "mattermost-lts");
	slug_name("../../etc", 9, s);
	CHECK(!strchr(s, '/'));
	CHECK(s[0] != '.');
	char t[SLUG_SIZE];
	slug_name("Gitea", 5, t);
	char u[SLUG_SIZE];
	slug_name("gitea", 5, u);
	CHECK(strcmp(t, u) != 0); /* case differs: the slugs must too */
	slug_name("", 0, s);
	CHECK(s[0] != '\0');
}

TEST(slug_test_stable_distinct)
{
	char a[SLUG_SIZE], b[SLUG_SIZE], c[SLUG_SIZE];
	slug_test("tests.mattermost-lts.test_restore", "test_restore_returns_state", a);
	CHECK(!strncmp(a, "test_restore.test_restore_returns_state-", 40));
	CHECK_INT(strlen(a), 40 + 8);
	slug_test("tests.other.test_restore", "test_restore_returns_state", b);
	CHECK(strcmp(a, b) != 0);
	slug_test("tests.mattermost-lts.test_restore", "test_restore_returns_state", c);
	CHECK_STR(a, c);
	char big[5000];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	slug_test(big, "<script>alert(1)</script>", a);
	CHECK(strlen(a) <= SLUG_MAX);
	CHECK(!strpbrk(a, "<>/\"' "));
}

TEST(store_migrates_and_blobs_roundtrip)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/s.db", t_tmpdir());
	struct store *st = store_open(path, STORE_CREATE);
	CHECK(st != NULL);
	if (!st)
		return;
	char h1[65], h2[65];
	const char *text = "line one\n\033[31mred\033[0m\n\xff\xfe bad utf-8\n";
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_put_blob(st, text, strlen(text), h1), 0);
	CHECK_INT(store_put_blob(st, text, strlen(text), h2), 0);
	CHECK_INT(store_commit(st), 0);
	CHECK_STR(h1, h2);
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM blob");
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), 1);
	struct buf out = BUF_INIT;
	CHECK_INT(store_get_blob(st, h1, &out), 0);
	CHECK_INT(out.len, strlen(text));
	CHECK(!memcmp(out.data, text, out.len));
	buf_release(&out);
	store_close(st);
	/* reopening read-only finds the schema current */
	st = store_open(path, STORE_READONLY);
	CHECK(st != NULL);
	store_close(st);
}
