/*
 * version: the order of recipe tags (DOMAIN.md: "semver before '+', a label after").
 *
 *   2.1.9+10.11.15 < 2.1.10+10.11.16      semver on the part before '+'
 *   1.0.0-rc.1 < 1.0.0                      semver 2.0.0 pre-release rules
 *   1.0.0+a < 1.0.0+b                       equal semver: the label by plain byte order
 *   1.14.1-rootless_1 < 0.1.0               a tag that is not semver sorts before every
 *                                           semver tag (such tags belong to old recipes),
 *                                           and among themselves by plain byte order
 * NULL (unknown version) sorts first. The order is total and deterministic: only
 * identical strings compare equal. Never fails, whatever the bytes.
 */
#ifndef CCR_VERSION_H
#define CCR_VERSION_H

#include <sqlite3.h>

/* <0, 0, >0 as a sorts before, with, after b; either may be NULL */
int version_cmp(const char *a, const char *b);

/* 1 when the part of tag before '+' is semver 2.0.0 (major.minor.patch[-pre]) */
int version_is_semver(const char *tag);

/* Registers the collation "version" on db (ORDER BY version COLLATE version).
 * 0, or an sqlite error code. */
int version_register(sqlite3 *db);

#endif
