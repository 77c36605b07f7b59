/*
 * timeline: the canonical promote timeline (store: canon_timeline, canon_current,
 * canon_record; lib/schema.sql migration 3). timeline.html is page_timeline()
 * (pages.h); recipe pages call timeline_lane() for their own lane.
 */
#ifndef CCR_RENDER_TIMELINE_H
#define CCR_RENDER_TIMELINE_H

#include "render.h"

/*
 * Writes a recipe's "Canonical" section into h: whether it is enrolled, which
 * version is canonical now and since when, how far that is behind the latest tag
 * the runs know, its lane (SVG: a mark per promote attempt and record change,
 * linked to its run; the version held between them) and the same facts as a table.
 * 0, or -1 on a store error (printed).
 */
int timeline_lane(struct html *h, struct render *r, const char *recipe);

#endif
