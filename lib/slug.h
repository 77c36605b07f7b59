/*
 * slug: names from input turned into URL path segments and file names.
 *
 * Every slug is lowercase [a-z0-9._-], never empty, never starts with '.' or
 * '-', at most SLUG_MAX bytes, and is a pure function of its input, so URLs stay
 * stable when the store is rebuilt. Slugs cannot contain '/', so no input can
 * name a path outside the output folder.
 */
#ifndef CCR_SLUG_H
#define CCR_SLUG_H

#include <stddef.h>

/* room for the longest slug plus NUL */
#define SLUG_MAX 100
#define SLUG_SIZE (SLUG_MAX + 1)

/*
 * For names that are usually already safe (recipes, tiers, log names): the name
 * itself when it is already a slug, else its sanitised form plus "-" and 8 hex
 * digits of its SHA-256, so two different names never share a slug.
 */
void slug_name(const char *name, size_t len, char out[SLUG_SIZE]);

/*
 * For a test: "<last dot component of classname>.<name>" sanitised, plus "-" and
 * 8 hex digits of SHA-256(classname NUL name), always: tests from different
 * classes with the same name get different slugs.
 */
void slug_test(const char *classname, const char *name, char out[SLUG_SIZE]);

#endif
