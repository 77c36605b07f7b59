/* test_datasplit: the names of the split data/ exports (render/url.c) and the ages
 * `ccr runs --since` and `ccr prune` take (lib/timeutil.c) */
#include "t.h"
#include "../../lib/sha256.h"
#include "../../lib/timeutil.h"
#include "../../render/url.h"

#include <stdio.h>
#include <string.h>

TEST(datasplit_class_version_names)
{
	struct url u;
	url_class_version(&u, "gitea", "1.2.0", "");
	CHECK_STR(u.path, "data/classification/gitea/1.2.0.json");
	url_class_version(&u, "gitea", "", "");
	CHECK_STR(u.path, "data/classification/gitea/" URL_NO_VERSION ".json");
	/* a real version named like the reserved one gets the hash suffix */
	char hex[65], want[128];
	sha256_hex(URL_NO_VERSION, strlen(URL_NO_VERSION), hex);
	snprintf(want, sizeof(want), "data/classification/gitea/" URL_NO_VERSION "-%.8s.json", hex);
	url_class_version(&u, "gitea", URL_NO_VERSION, "");
	CHECK_STR(u.path, want);
	/* a version with '+' is sanitised and hashed; two such versions differ */
	struct url a, b;
	url_class_version(&a, "gitea", "1.2.0+5.9.4", "");
	url_class_version(&b, "gitea", "1.2.0-5.9.4", "");
	CHECK(strncmp(a.path, "data/classification/gitea/1.2.0-5.9.4-", 38) == 0);
	CHECK_STR(b.path, "data/classification/gitea/1.2.0-5.9.4.json");
	CHECK(strcmp(a.path, b.path) != 0);
	/* a recipe named like the folder's index cannot take its place; hostile names stay
	 * one segment */
	url_class_version(&u, "index.json", "1", "");
	CHECK(strcmp(u.path, "data/classification/index.json/1.json") != 0);
	CHECK(strncmp(u.path, "data/classification/index.json-", 31) == 0);
	url_class_version(&u, "../../etc", "../x", "");
	CHECK(strstr(u.path, "..") == NULL);
	int slashes = 0;
	for (const char *p = u.path; *p; p++)
		slashes += *p == '/';
	CHECK_INT(slashes, 3);
	/* a version named like the folder's index gets the hash suffix; the index is there */
	sha256_hex("index", 5, hex);
	snprintf(want, sizeof(want), "data/classification/gitea/index-%.8s.json", hex);
	url_class_version(&u, "gitea", "index", "");
	CHECK_STR(u.path, want);
	url_class_index(&u, "gitea");
	CHECK_STR(u.path, "data/classification/gitea/index.json");
	url_class_index(&u, "../x");
	CHECK(strstr(u.path, "..") == NULL);
	CHECK(strncmp(u.path, "data/classification/", 20) == 0);
	/* one file per set of sources: the harness ref after '~', which no slug holds */
	url_class_version(&u, "gitea", "1.2.0", "9c4d2e7a");
	CHECK_STR(u.path, "data/classification/gitea/1.2.0~9c4d2e7a.json");
	url_class_version(&u, "gitea", "", "9c4d2e7a");
	CHECK_STR(u.path, "data/classification/gitea/" URL_NO_VERSION "~9c4d2e7a.json");
	url_class_version(&a, "gitea", "1.2.0", "a~b");
	CHECK(strchr(a.path, '~') == strrchr(a.path, '~'));
	CHECK(strncmp(a.path, "data/classification/gitea/1.2.0~a-b-", 36) == 0);
	url_class_version(&b, "gitea", "1.2.0~a", "b");
	CHECK(strcmp(a.path, b.path) != 0);
	CHECK(strchr(b.path, '~') == strrchr(b.path, '~'));
	url_runs_day(&u, "2026-06-18");
	CHECK_STR(u.path, "data/runs/2026-06-18.json");
}

TEST(datasplit_parse_age)
{
	CHECK_INT(time_parse_age("31d"), 31 * 86400);
	CHECK_INT(time_parse_age("12h"), 12 * 3600);
	CHECK_INT(time_parse_age("2w"), 14 * 86400);
	CHECK_INT(time_parse_age("90s"), 90);
	CHECK_INT(time_parse_age("5m"), 300);
	CHECK_INT(time_parse_age("0d"), -1);
	CHECK_INT(time_parse_age("-1d"), -1);
	CHECK_INT(time_parse_age("+1d"), -1);
	CHECK_INT(time_parse_age("1"), -1);
	CHECK_INT(time_parse_age("d"), -1);
	CHECK_INT(time_parse_age("1dd"), -1);
	CHECK_INT(time_parse_age("2026-06-18"), -1);
	CHECK_INT(time_parse_age("99999999999999999w"), -1);
}
