/* unit tests of render/notes.c: recipe notes through cmark, safely */
#include "t.h"
#include "../../render/html.h"
#include "../../render/notes.h"

#include <string.h>

static const char *notes_of(struct html *h, const char *md)
{
	html_reset(h, 2);
	notes_markdown(h, md, strlen(md));
	return buf_str(&h->b);
}

TEST(notes_headings_under_h2)
{
	struct html h;
	html_init(&h, NULL, 2);
	const char *s = notes_of(&h, "# Top\n\n## Sub\n\n###### Deep\n");
	CHECK(strstr(s, "<h3>Top</h3>"));
	CHECK(strstr(s, "<h4>Sub</h4>"));
	CHECK(strstr(s, "<h6>Deep</h6>")); /* 6 + 2 is capped at 6 */
	s = notes_of(&h, "### Only third level\n");
	CHECK(strstr(s, "<h3>Only third level</h3>"));
	html_release(&h);
}

TEST(notes_are_safe)
{
	struct html h;
	html_init(&h, NULL, 2);
	const char *s = notes_of(&h, "<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)>\n\n"
				     "[a](javascript:alert(1)) [b](https://example.org/x) [c](../../runs/r/index.html)\n");
	CHECK(!strstr(s, "<script"));
	CHECK(!strstr(s, "<img"));
	CHECK(!strstr(s, "javascript:"));
	CHECK(strstr(s, "href=\"https://example.org/x\""));
	CHECK(strstr(s, "href=\"../../runs/r/index.html\""));
	html_release(&h);
}

TEST(notes_invalid_utf8_replaced)
{
	struct html h;
	html_init(&h, NULL, 2);
	const char *s = notes_of(&h, "caf\xe9 \xff end\n");
	CHECK(strstr(s, "caf\xef\xbf\xbd \xef\xbf\xbd end"));
	html_release(&h);
}
