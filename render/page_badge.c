/*
 * page_badge: a shields-like badge per recipe, for READMEs and dashboards:
 * "<recipe> | <status word of its latest run>" (svg.h), coloured by status.
 * Writes: badges/<recipe>.svg for every recipe in todo_recipe.
 * Queries: todo_recipe; the latest run by (recipe, started) (index run_recipe_started).
 */
#include "pages.h"
#include "layout.h"
#include "svg.h"
#include "../lib/msg.h"

#include <stdlib.h>

static const char SQL_TODO_BADGES[] =
	"SELECT t.recipe, (SELECT r.status FROM run r WHERE r.recipe = t.recipe"
	" ORDER BY r.started DESC, r.id DESC LIMIT 1) FROM todo_recipe t ORDER BY t.recipe";

int page_badges(struct render *r)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *q = store_stmt(r->st, SQL_TODO_BADGES);
	int rc = 0, step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!render_mine(r))
			continue;
		const char *status = (const char *)sqlite3_column_text(q, 1);
		struct url u;
		url_badge(&u, col_text(q, 0));
		buf_reset(&b);
		svg_badge(&b, col_text(q, 0), status_word(status), status);
		if ((rc = render_file(r, &u, buf_str(&b), b.len)) < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "listing badges");
	sqlite3_reset(q);
	buf_release(&b);
	return rc;
}
