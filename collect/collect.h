/* collect: what every collect command does once at its end. */
#ifndef CCR_COLLECT_H
#define CCR_COLLECT_H

#include "../lib/store.h"

/* Recomputes the derived tables (classification, signatures' occurrences) for
 * what the command stored. Called once, after the last run is committed, only when
 * something new was stored. -1 on a store error. */
int collect_after(struct store *st);

#endif
