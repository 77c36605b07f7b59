/*
 * state: how pages show a failure's classification (badge + evidence in words)
 * and its signature. Owned by the classification work (README "Classification");
 * pages call these where a test's outcome is shown. Queries: classification by
 * primary key (test_id, version); signature by primary key; testcase by primary key.
 */
#ifndef CCR_RENDER_STATE_H
#define CCR_RENDER_STATE_H

#include <stdint.h>

#include "../lib/store.h"

struct html;

/* A badge for one test at one version: symbol, word and colour, with its evidence
 * sentence beside it (and in the title). Sources of the version with several
 * harness refs: the latest. Writes nothing when unclassified or plainly passing.
 * version may be NULL (runs that recorded none). */
void state_badge(struct html *h, struct store *st, int64_t test_id, const char *version);

/* For a grid cell: the classification of the worst failing test of a run's tier
 * (deterministic, then new, flaky, load flake), that test's name in the title; or
 * "incident" when its failures belong to an infrastructure incident. Writes nothing
 * when the tier has no classified failure. */
void state_tier_badge(struct html *h, struct store *st, const char *run_id, const char *tier);

/* The state word of one test at one run's sources (version and harness ref, each
 * NULL when the run recorded none), without the evidence: its counts move with every
 * run, while the word holds for many. A link to test_page#tags, where the evidence
 * is. Writes nothing when unclassified or plainly passing. For pages that must change
 * only when a state they show changes (run pages, sweeps; render/sources.h re-renders
 * those). */
struct url;
void state_word(struct html *h, struct store *st, int64_t test_id, const char *version,
		const char *harness_ref, const struct url *test_page);

/* The badge alone for a state ("deterministic", ...; load 1 = load flake), title = evidence
 * (may be NULL). */
void state_badge_plain(struct html *h, const char *state, int load, const char *evidence);

/* For one failed testcase: "signature <text>" linking to signatures/<id>.html (which
 * says how often and where it was seen). Writes nothing when it has no signature. */
void state_signature_note(struct html *h, struct store *st, const char *run_id, int64_t test_id);

/* The URL of a signature's page: "signatures/<id>.html" (ids are 12 hex digits). */
void url_signature(struct url *u, const char *sig_id);

#endif
