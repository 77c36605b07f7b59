/*
 * state: how pages show a failure's classification (badge + evidence in words).
 * Owned by the classification work (issue 4); pages call these where a test's
 * outcome is shown, and they print nothing until classification data exists.
 */
#ifndef CCR_RENDER_STATE_H
#define CCR_RENDER_STATE_H

#include <stdint.h>

#include "../lib/store.h"

struct html;

/* A badge for one test at one version: e.g. "deterministic" with its evidence
 * sentence as text beside or in a title. Writes nothing when unclassified. */
void state_badge(struct html *h, struct store *st, int64_t test_id, const char *version);

#endif
