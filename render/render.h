/*
 * render: what every page kind shares: the render context, staged page output,
 * and the sets of things to render this time.
 *
 * How a render goes (render.c):
 *  1. lock OUT/.ccr/lock (flock; a second render exits 2 "render in progress");
 *  2. decide full or incremental from OUT/.ccr/state (see render.c) and fill the
 *     TEMP tables below with what must be rendered;
 *  3. every page kind in page_kinds[] (pages.h) builds its pages, leaves first
 *     (shared among --jobs processes when there is much to do: render.c);
 *     render_page() compares each with the file on disk and, only when the bytes
 *     differ, writes it to a temp file beside its target ("staged");
 *  4. when every page is staged without error, the temp files are renamed over
 *     their targets in the order they were staged (leaves before the pages that
 *     link to them), then the state is saved. An error or a kill before step 4
 *     leaves the previous site byte-identical; the next render removes the temp
 *     files (OUT/.ccr/dirty says there may be some). A first render (no old site
 *     in OUT) writes its pages in place instead, index.html last (render.c).
 *
 * The TEMP tables (on the read-only store connection; page kinds read them):
 *   todo_run(id, fresh)  runs whose run page is (re)written; fresh = 1 for runs new
 *                        since the last render (every run in a full render): only
 *                        those get log pages, which depend on nothing that changes
 *                        later (others are here for overlap counts or badges)
 *   todo_recipe(recipe)  recipes whose recipe page and badge are rewritten
 *   todo_test(test_id, changed)  tests with new outcomes; changed = 1 when one of
 *                        them is a failure, an error or a flaky pass, or differs from
 *                        the test's outcome in its run before (always 1 in a full
 *                        render), or sources.c found a new run at a version where it
 *                        failed (its evidence counts there moved). A test page that shows
 *                        only the test's failures and
 *                        changes of outcome (not every passing run) needs rewriting
 *                        only for changed = 1: about 1% of tests a night instead of
 *                        all of them (rewriting a file costs a delete: ~3k/s here).
 *   todo_sweep(id)       sweeps whose page is rewritten
 *   todo_month(recipe, month)  recipe month pages (recipes/<r>/history/<YYYY-MM>.html,
 *                        month of the run's UTC start) holding a new or overlapped run
 *   todo_prev(run, prev) an incremental render's runs and their recipe's run before
 *                        (for todo_test.changed)
 * Index, flakes, feed and data/ JSON are rebuilt on every render that has
 * anything new (they are cheap), and written only when their bytes changed.
 */
#ifndef CCR_RENDER_RENDER_H
#define CCR_RENDER_RENDER_H

#include <stdint.h>

#include "../lib/buf.h"
#include "../lib/store.h"
#include "html.h"
#include "url.h"

/* bump whenever the pages' markup changes, so the next render is a full one (the
 * stylesheet and script are compared on every render, even one with nothing new) */
#define RENDER_VERSION "ccr-render 5"

/*
 * A test's classification at one run's sources, read through the narrow index of
 * migration 8 instead of the table's rows (~700 bytes each, most of them the runs
 * counted): sqlite's planner takes the primary key, equal on the same columns, so the
 * queries name the index, when the store has it (render.class_ix). At a year of
 * nightly runs: run pages' badge lookups 0.33 -> 0.09 ms a run, sweep "changes"
 * 25 -> 9 ms a sweep.
 */
#define CLASS_BY_SOURCES "INDEXED BY classification_sources"

/* page kinds in pages.h's table, at most */
#define RENDER_KINDS_MAX 32

struct render_shared;

struct render {
	struct store *st;
	const char *out;	/* output folder */
	const char *base_url;	/* --base-url without a trailing '/', or NULL */
	const char *docs;	/* --docs folder (the docs pages' work), or NULL */
	const char *notes;	/* --notes folder: recipe notes <recipe>.md (notes.h), or NULL */
	int full;		/* every page (--full, or the state did not match) */
	enum {
		IN_PLACE_NO = 0,	/* stage every changed page, rename at the end */
		IN_PLACE_COMPARE,	/* a first render after an interrupted one: pages
					 * written in place, each compared with the file first */
		IN_PLACE_FRESH,		/* a first render: in place, nothing to compare with */
	} in_place;		/* render.c: no old site to keep whole */
	int64_t as_of;		/* latest run.ingested_at: "data as of" on aggregate pages */
	const char *store_name;	/* the store's file name, for footers */
	int64_t run_span;	/* the longest run in the store (seconds): bounds overlap searches */
	int class_ix;		/* the store has the index classification_sources (migration 8) */

	/* worker processes (render.c, --jobs): each opens the store, plans the same
	 * render and takes items of the shared page kinds from counters in memory
	 * they share, so each page is rendered by exactly one of them */
	int worker;		/* 0: the first process (it commits), 1..jobs-1: the others */
	int first_pid;		/* the first process's pid (a worker's parent) */
	struct render_shared *shared; /* NULL: a render in one process */
	int kind;		/* index in page_kinds[] of the kind being rendered */
	long row, ticket;	/* render_mine(): items seen in this kind, the one claimed */

	/* output (render.c) */
	struct buf staged;	/* site paths staged as temp files, NUL-separated, in order */
	size_t kind_end[RENDER_KINDS_MAX]; /* staged.len after each page kind: the
				 * renames go kind by kind across the processes */
	long nstaged;		/* pages written (staged) */
	long nsame;		/* pages whose bytes were unchanged: not written */
	long total;		/* expected pages, for progress */
	int rejected;		/* input shown as unreadable on a page: exit status 1 */
	struct buf cmp;		/* scratch: the existing file when comparing */
};

/*
 * Hands a finished page to the output: when OUT/u's bytes equal h's, nothing is
 * written; else they go to a temp file beside it, renamed in at the end of the
 * render. 0, or -1 with the error printed (the render then stops and keeps the
 * old site). h is left as it was (the caller resets or releases it).
 */
int render_page(struct render *r, const struct url *u, const struct html *h);
/* The same for raw bytes (assets, raw logs, JSON, feed). */
int render_file(struct render *r, const struct url *u, const void *p, size_t n);

/* counts one page towards the progress line without writing it */
void render_progress(struct render *r);

/*
 * 1 when this process renders the next item of a KIND_SHARED page kind (pages.h),
 * 0 when another one does. A shared kind asks once per item, in the order of its
 * driving query; every process sees the same items in the same order (one store
 * snapshot, checked), and the first to reach an item takes it. Always 1 when the
 * render runs in one process.
 */
int render_mine(struct render *r);

#endif
