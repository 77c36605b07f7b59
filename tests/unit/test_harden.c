/* test_harden: inputs the fuzz targets found (tests/fuzz), kept as unit tests */
#include "t.h"
#include "../../render/docs.h"
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

/* docs_ref_len: the matcher the docs pages link with, callable alone for fuzz_docs */
TEST(harden_docs_ref_len)
{
	const char *s = "see 20260618T001730Z-mumble, then";
	CHECK_INT(docs_ref_len(s, strlen(s), 4), strlen("20260618T001730Z-mumble"));
	CHECK_INT(docs_ref_len(s, strlen(s), 0), 0);
	/* cut short: no reference runs past the end */
	CHECK_INT(docs_ref_len(s, 12, 4), 0);
	CHECK_INT(docs_ref_len(s, strlen(s), strlen(s)), 0);
}
