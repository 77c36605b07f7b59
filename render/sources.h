/*
 * sources: which pages show a classification that changed since the last render.
 *
 * Run pages and sweep grids show each failing test's state as a word (state.h:
 * "■ deterministic", "≈ flaky", ...) without the counts of its evidence (those live
 * on the test page), so a run page changes only when a state it shows changes. For
 * each sources group (recipe, version, harness ref; '' for what runs did not
 * record) a digest of what those pages can show is kept in OUT/.ccr/state, one line
 * "sources <key> <digest>" per group (key: 16 hex digits of SHA-256 of recipe, NUL,
 * version, NUL, harness ref; digest: 16 hex digits over every classification row of
 * the group: test, seq, state, load, whether failures were excluded). A group with
 * no line has the digest of no rows. A new harness ref is a new group: the runs of
 * the old one keep their pages.
 *
 * An incremental render recomputes the digest of every group the new runs can
 * have changed (collect/derive.c recounts the groups of new runs, of the runs they
 * overlapped, and of their sweeps' runs for incidents) and re-renders every run
 * page of a group whose digest moved: exactly the runs whose shown states may
 * have changed, however old (no cap, so no stale badge). For the same groups the
 * test pages listing a version with failures (their evidence counts move with
 * every run) and the recipe pages are rendered too.
 */
#ifndef CCR_RENDER_SOURCES_H
#define CCR_RENDER_SOURCES_H

#include "render.h"

/*
 * Plans the classification-driven part of a render. old: the "sources ..." lines
 * of the last state (may be empty); fills now (reset first) with the lines to save.
 * In a full render (r->full) only computes every group's digest. In an incremental
 * one, needs todo_run filled with the new runs (fresh = 1) and the runs they
 * overlapped, and adds to todo_run, todo_test, todo_recipe as described above.
 * 0, or -1 with the error printed.
 */
int sources_plan(struct render *r, const struct buf *old, struct buf *now);

#endif
