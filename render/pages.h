/*
 * pages: the table of page kinds. Each lives in its own render/page_<kind>.c,
 * exports one function, and says in its head comment which URLs it writes and
 * which queries it runs. render.c calls them in this table's order, which is
 * the order pages appear on disk: leaves before the pages that link to them
 * (logs, runs, then tests, badges, recipes, sweeps, then flakes, data, feed,
 * and index.html last).
 */
#ifndef CCR_RENDER_PAGES_H
#define CCR_RENDER_PAGES_H

#include "render.h"

/* renders every page of its kind that the todo tables ask for; 0 or -1 */
typedef int page_fn(struct render *r);

/* who runs a page kind when a render is shared by worker processes (render.c) */
enum kind_mode {
	KIND_SHARED,	/* every process runs it and takes the items render_mine() gives it */
	KIND_ONE,	/* one process runs it: the first to get there */
	KIND_EACH,	/* every process runs it, writing nothing (docs-scan: what it finds
			 * is read by the later kinds of the same process) */
	KIND_LAST,	/* the first process, after the others finished (index.html) */
};

struct page_kind {
	const char *name;
	page_fn *fn;
	enum kind_mode mode;
};

page_fn page_assets, page_logs, page_runs, page_tests, page_recipes, page_badges, page_sweeps,
	page_flakes, page_data, page_feed, page_index;
/* render/page_signatures.c (classification): signatures/<id>.html */
page_fn page_signatures;
/* render/page_classdata.c: data/classification/<recipe>/<version>.json, their index,
 * data/classification.json and data/signatures.json */
page_fn page_classdata;
/* render/page_recipe.c: recipes/<recipe>/history/<YYYY-MM>.html for todo_month */
page_fn page_history;
/* render/page_months.c: history/<YYYY-MM>.html (sweeps and other runs by month), and
 * the list of links to them (on index.html); 0 or -1 */
page_fn page_months;
int site_months_list(struct html *h, struct render *r);
/* render/page_timeline.c: timeline.html */
page_fn page_timeline;

/* render/page_data.c: writes data/<file>.json as a JSON array, one element per row of
 * sql (each row one json_object() text), in the query's order; 0 or -1 */
int json_array(struct render *r, const char *path, const char *sql);
/* the same for the page u from q, a statement with its values bound (it is reset) */
int json_rows(struct render *r, const struct url *u, sqlite3_stmt *q);
/* one file from several statements: json_add_rows() appends q's rows to b (n counts the
 * elements so far, start at 0; q is reset), json_end() closes the array, hands it to
 * render_file() and releases b; 0 or -1 */
int json_add_rows(struct render *r, struct buf *b, long *n, sqlite3_stmt *q);
int json_end(struct render *r, const struct url *u, struct buf *b, long n);

/* terminated by {NULL, NULL} */
extern const struct page_kind page_kinds[];

#endif
