/* sources: classification digests per (recipe, version) and what they re-render (sources.h) */
#include "sources.h"
#include "../lib/msg.h"
#include "../lib/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hex digits kept of a key or a digest: 64 bits, so two groups of one site (a few
 * thousand) never collide by chance */
#define SRC_HEX 16

static const char SQL_SRC_TABLE[] =
	"CREATE TEMP TABLE src_digest(key TEXT PRIMARY KEY, digest TEXT NOT NULL) WITHOUT ROWID";
static const char SQL_SRC_GET[] = "SELECT digest FROM src_digest WHERE key = :key";
static const char SQL_SRC_PUT[] = "INSERT OR REPLACE INTO src_digest VALUES (:key, :digest)";
static const char SQL_SRC_ALL[] = "SELECT key, digest FROM src_digest ORDER BY key";
/* a full render: every row, grouped here (scans and sorts the table once, on purpose) */
static const char SQL_CLASS_ALL[] =
	"SELECT recipe, version, harness_ref, test_id, seq, state, load, excluded > 0"
	" FROM classification ORDER BY recipe, version, harness_ref, test_id";
/* one group: a seek per test of the recipe (index test_slug), as derive's count_group
 * does; through classification_recipe it scanned every version of the recipe's
 * history, most of an incremental render's planning at a year of nights. The index of
 * migration 8 holds every column read (the recipe is the test's: :recipe), so a seek
 * reads no ~700-byte row (render.h: CLASS_BY_SOURCES) */
#define SQL_CLASS_GROUP_BY(class_index)                                                            \
	"SELECT :recipe, version, harness_ref, test_id, seq, state, load, excluded > 0"            \
	" FROM classification " class_index                                                        \
	" WHERE test_id IN (SELECT id FROM test WHERE recipe = :recipe)"                           \
	" AND version = :version AND harness_ref = :href ORDER BY test_id"
static const char SQL_CLASS_GROUP[] = SQL_CLASS_GROUP_BY("");
static const char SQL_CLASS_GROUP_IX[] = SQL_CLASS_GROUP_BY(CLASS_BY_SOURCES);
/* the groups derive may have recounted: those of the runs to render so far (new and
 * overlapped ones), and those of the other runs of the new runs' sweeps (an incident
 * found in a sweep changes what its runs count) */
static const char SQL_CANDIDATES[] =
	"SELECT recipe, coalesce(version, ''), coalesce(harness_ref, '') FROM run"
	" WHERE id IN (SELECT id FROM todo_run)"
	" UNION SELECT recipe, coalesce(version, ''), coalesce(harness_ref, '') FROM run"
	" WHERE sweep_id IN"
	"  (SELECT sweep_id FROM run WHERE id IN (SELECT id FROM todo_run WHERE fresh))"
	" ORDER BY 1, 2, 3";
/* a group whose shown states changed: all its run pages */
static const char SQL_GROUP_RUNS[] =
	"INSERT OR IGNORE INTO todo_run(id) SELECT id FROM run WHERE recipe = :recipe"
	" AND (version = :version OR (:version = '' AND version IS NULL))"
	" AND (harness_ref = :href OR (:href = '' AND harness_ref IS NULL))";
/* the test pages showing this version's evidence: it failed there (or had failures
 * left out as an incident), so the version is a row of its "tags" table. A seek per
 * test of the recipe on (test_id, version): through classification_recipe it read
 * every row of every version of the recipe, most of the plan at a year of nights */
static const char SQL_GROUP_TESTS[] =
	"INSERT OR REPLACE INTO todo_test SELECT test_id, 1 FROM classification"
	" WHERE test_id IN (SELECT id FROM test WHERE recipe = :recipe) AND version = :version"
	" AND (failures > 0 OR excluded > 0)";
static const char SQL_GROUP_RECIPE[] = "INSERT OR IGNORE INTO todo_recipe VALUES (:recipe)";

static void group_key(const char *recipe, const char *version, const char *href,
		      char out[SRC_HEX + 1])
{
	struct sha256 s;
	char hex[65];
	sha256_init(&s);
	sha256_update(&s, recipe, strlen(recipe) + 1);
	sha256_update(&s, version, strlen(version) + 1);
	sha256_update(&s, href, strlen(href));
	sha256_final_hex(&s, hex);
	memcpy(out, hex, SRC_HEX);
	out[SRC_HEX] = '\0';
}

/* the row's part of its group's digest: columns 3.. of SQL_CLASS_* */
static void digest_row(struct sha256 *s, sqlite3_stmt *q)
{
	for (int i = 3; i < 8; i++) {
		const char *v = col_text(q, i);
		sha256_update(s, v, strlen(v) + 1);
	}
}

static void digest_end(struct sha256 *s, char out[SRC_HEX + 1])
{
	char hex[65];
	sha256_final_hex(s, hex);
	memcpy(out, hex, SRC_HEX);
	out[SRC_HEX] = '\0';
}

static int put(struct render *r, const char *key, const char *digest)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SRC_PUT);
	bind_text(q, ":key", key);
	bind_text(q, ":digest", digest);
	return store_step_done(r->st, q);
}

/* the stored digest of key into out; the digest of no rows when there is none */
static int get(struct render *r, const char *key, char out[SRC_HEX + 1])
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_SRC_GET);
	bind_text(q, ":key", key);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		snprintf(out, SRC_HEX + 1, "%s", col_text(q, 0));
	} else {
		struct sha256 s;
		sha256_init(&s);
		digest_end(&s, out);
	}
	sqlite3_reset(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_error(r->st, "reading digests");
}

/* old "sources KEY DIGEST" lines into src_digest */
static int load(struct render *r, const struct buf *old)
{
	const char *p = old->data, *end = old->data + old->len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char key[SRC_HEX + 1], digest[SRC_HEX + 1];
		/* "sources " + key + " " + digest; anything else is ignored (a full render
		 * follows a state it cannot read anyway) */
		if (n == 8 + SRC_HEX + 1 + SRC_HEX && !memcmp(p, "sources ", 8)) {
			memcpy(key, p + 8, SRC_HEX);
			key[SRC_HEX] = '\0';
			memcpy(digest, p + 8 + SRC_HEX + 1, SRC_HEX);
			digest[SRC_HEX] = '\0';
			if (put(r, key, digest) < 0)
				return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* stores the digest s of group ("recipe\0version\0harness ref\0") */
static int group_end(struct render *r, const char *group, struct sha256 *s)
{
	const char *version = group + strlen(group) + 1;
	const char *href = version + strlen(version) + 1;
	char key[SRC_HEX + 1], digest[SRC_HEX + 1];
	group_key(group, version, href, key);
	digest_end(s, digest);
	return put(r, key, digest);
}

static int all_groups(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_CLASS_ALL);
	struct sha256 s;
	char *group = NULL;
	size_t glen = 0;
	struct buf now = BUF_INIT;
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		/* the group: recipe, version, harness ref, NUL-separated */
		buf_reset(&now);
		for (int i = 0; i < 3; i++)
			buf_add(&now, col_text(q, i), strlen(col_text(q, i)) + 1);
		if (!group || glen != now.len || memcmp(group, now.data, glen)) {
			if (group)
				rc = group_end(r, group, &s);
			free(group);
			group = xmalloc(now.len);
			memcpy(group, now.data, now.len);
			glen = now.len;
			sha256_init(&s);
		}
		digest_row(&s, q);
	}
	sqlite3_reset(q);
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(r->st, "reading classifications");
	if (rc == 0 && group)
		rc = group_end(r, group, &s);
	free(group);
	buf_release(&now);
	return rc;
}

static int group_exec(struct render *r, const char *sql, const char *recipe, const char *version,
		      const char *href)
{
	sqlite3_stmt *q = store_stmt(r->st, sql);
	bind_text(q, ":recipe", recipe);
	if (version)
		bind_text(q, ":version", version);
	if (href)
		bind_text(q, ":href", href);
	return store_step_done(r->st, q);
}

/* one candidate group of an incremental render */
static int one_group(struct render *r, const char *recipe, const char *version, const char *href)
{
	sqlite3_stmt *q = store_stmt(r->st, r->class_ix ? SQL_CLASS_GROUP_IX : SQL_CLASS_GROUP);
	bind_text(q, ":recipe", recipe);
	bind_text(q, ":version", version);
	bind_text(q, ":href", href);
	struct sha256 s;
	sha256_init(&s);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		digest_row(&s, q);
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		return store_error(r->st, "reading classifications");
	char key[SRC_HEX + 1], was[SRC_HEX + 1], digest[SRC_HEX + 1];
	digest_end(&s, digest);
	group_key(recipe, version, href, key);
	if (get(r, key, was) < 0)
		return -1;
	if (strcmp(was, digest) &&
	    (group_exec(r, SQL_GROUP_RUNS, recipe, version, href) < 0 || put(r, key, digest) < 0))
		return -1;
	if (group_exec(r, SQL_GROUP_TESTS, recipe, version, NULL) < 0 ||
	    group_exec(r, SQL_GROUP_RECIPE, recipe, NULL, NULL) < 0)
		return -1;
	return 0;
}

static int candidates(struct render *r)
{
	/* copied out first: one_group() adds to todo_run, which this query reads */
	struct buf names = BUF_INIT;
	sqlite3_stmt *q = store_stmt(r->st, SQL_CANDIDATES);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		for (int i = 0; i < 3; i++)
			buf_add(&names, col_text(q, i), strlen(col_text(q, i)) + 1);
	sqlite3_reset(q);
	int rc = step == SQLITE_DONE ? 0 : store_error(r->st, "listing sources");
	for (size_t off = 0; rc == 0 && off < names.len;) {
		const char *recipe = names.data + off;
		off += strlen(recipe) + 1;
		const char *version = names.data + off;
		off += strlen(version) + 1;
		const char *href = names.data + off;
		off += strlen(href) + 1;
		rc = one_group(r, recipe, version, href);
	}
	buf_release(&names);
	return rc;
}

int sources_plan(struct render *r, const struct buf *old, struct buf *now)
{
	buf_reset(now);
	if (store_exec(r->st, SQL_SRC_TABLE) < 0)
		return -1;
	if (r->full ? all_groups(r) < 0 : load(r, old) < 0 || candidates(r) < 0)
		return -1;
	sqlite3_stmt *q = store_stmt(r->st, SQL_SRC_ALL);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		buf_addf(now, "sources %s %s\n", col_text(q, 0), col_text(q, 1));
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_error(r->st, "listing digests");
}
