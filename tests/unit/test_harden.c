/* test_harden: inputs the fuzz targets found (tests/fuzz), kept as unit tests */
#include "t.h"
#include "../../render/url.h"

#include <string.h>

/* fuzz_url crash-3d2b4ccc: "\x06/,/" gave "docs/<s>/<s>/", ending in an empty segment */
TEST(harden_url_doc_trailing_slash)
{
	struct url u;
	CHECK_INT(url_doc(&u, "\x06/,/"), -1);
	CHECK_INT(url_doc(&u, "ops/"), -1);
	CHECK_INT(url_doc(&u, "/"), -1);
	CHECK_INT(url_doc(&u, "ops/decisions.md"), 0);
	CHECK_STR(u.path, "docs/ops/decisions.html");
	CHECK(u.path[u.len - 1] != '/');
}
