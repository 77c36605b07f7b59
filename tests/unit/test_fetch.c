/* unit tests of the listing reader of collect/fetch.c on autoindex pages */
#include "t.h"
#include "../../collect/fetch.h"
#include "../../lib/buf.h"

#include <stdio.h>
#include <string.h>

/* "name/|name|..." of a listing: folders with '/' */
static void fetch_t_names(const struct fetch_listing *l, char *out, size_t size)
{
	size_t len = 0;
	out[0] = 0;
	for (size_t i = 0; i < l->n && len < size; i++) {
		int n = snprintf(out + len, size - len, "%s%s%s", i ? "|" : "", l->entries[i].name,
				 l->entries[i].is_dir ? "/" : "");
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

static int fetch_t_parse(const char *fixture, struct fetch_listing *l)
{
	struct buf b = BUF_INIT;
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/fetch/%s", fixture);
	int rc = buf_read_file(&b, path);
	if (!rc)
		rc = fetch_parse_listing(b.data, b.len, l);
	buf_release(&b);
	return rc;
}

TEST(fetch_listing_nginx)
{
	struct fetch_listing l;
	char names[1024];
	CHECK_INT(fetch_t_parse("nginx-autoindex.html", &l), 0);
	fetch_t_names(&l, names, sizeof(names));
	/* ../, %2e%2e/ and a%2Fb/ are not entries of this folder */
	CHECK_STR(names, "20260618T001730Z-mumble/|20260618T003000Z-mattermost-lts/|run with space/|"
			 "caf\xc3\xa9.log|run.json");
	CHECK_STR(l.entries[2].href, "run%20with%20space/");
	CHECK(fetch_is_run_folder(&l));
	fetch_listing_release(&l);
}

TEST(fetch_listing_apache)
{
	struct fetch_listing l;
	char names[1024];
	CHECK_INT(fetch_t_parse("apache-autoindex.html", &l), 0);
	fetch_t_names(&l, names, sizeof(names));
	/* sort links (?C=N), the absolute parent, other origins, javascript:, mailto:, ./,
	 * fragments and deeper paths are dropped; junit/ is listed twice but kept once */
	CHECK_STR(names, "junit/|results.json|logs/");
	CHECK(fetch_is_run_folder(&l));
	fetch_listing_release(&l);
}

TEST(fetch_listing_hostile)
{
	struct fetch_listing l;
	const char *page = "<p><a href='x'>x</a><a href='%'>bad</a><a href='%zz'>bad</a>"
			   "<a href='a%00b'>nul</a><a href='.'>dot</a><a href=''>empty</a>"
			   "<a href='..'>up</a><a>nohref</a><a href='sub%2F'>enc</a><a href='ok/'>";
	CHECK_INT(fetch_parse_listing(page, strlen(page), &l), 0);
	char names[256];
	fetch_t_names(&l, names, sizeof(names));
	CHECK_STR(names, "x|ok/"); /* sub%2F decodes to a name with a slash */
	CHECK(!fetch_is_run_folder(&l));
	fetch_listing_release(&l);
	CHECK_INT(fetch_parse_listing("", 0, &l), -1);
}
