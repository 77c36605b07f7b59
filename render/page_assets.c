/*
 * page_assets: the stylesheet and the small optional script, from the copies
 * built into the binary (assets/, embedded by tools/embed.sh).
 * Writes: assets/style.css, assets/site.js. Queries: none.
 */
#include "pages.h"
#include "../lib/embed.h"

#include <stdio.h>
#include <string.h>

int page_assets(struct render *r)
{
	for (const struct embedded *e = embedded_files; e->name; e++) {
		char path[64];
		int n = snprintf(path, sizeof(path), "assets/%s", e->name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		struct url u;
		url_page(&u, path);
		if (render_file(r, &u, e->data, e->len) < 0)
			return -1;
	}
	return 0;
}
