/*
 * store: the sqlite file between collect and render (schema: lib/schema.sql).
 *
 * One struct store per open file. Statements are prepared once per SQL text and
 * cached on the store (store_stmt); every cached statement is finalized by
 * store_close(). A transaction left open at close is reported with the file and
 * line that began it, then rolled back.
 *
 * Errors: functions print "ccr: '<db>': <what>" and return -1 (or NULL).
 * A busy store (another collector holds the write lock longer than
 * STORE_BUSY_MS) is reported as "store is busy".
 */
#ifndef CCR_STORE_H
#define CCR_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct store;

enum {
	STORE_READONLY = 1,	/* render, runs, show: never write */
	STORE_CREATE = 2,	/* collect: create the file and migrate */
};

/* Opens (and with STORE_CREATE creates and migrates) the store at path.
 * A read-only open of a store with a newer schema than this binary knows is an
 * error; one with an older schema asks to run collect first, unless only
 * migrations marked "(readers need not wait)" are missing. NULL on error. */
struct store *store_open(const char *path, int flags);
/* The schema version as readers see it: the newest migration applied that readers
 * need (those marked "(readers need not wait)" do not count), so adding an index
 * does not make a render think the data changed. -1 on error. */
int store_reader_schema(struct store *st);
/* 1 when the store holds a table or index of this name, else 0 (also on error): for
 * readers of a store that a "(readers need not wait)" migration has not reached yet */
int store_has(struct store *st, const char *name);
/* Finalizes every statement, reports and rolls back an open transaction, closes. */
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);
const char *store_path(struct store *st);

/* The cached statement for this SQL text, reset and with bindings cleared;
 * prepared on first use. Dies on a prepare error (a bug, not bad input). */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* Runs SQL without results (may hold several statements). -1 on error. */
int store_exec(struct store *st, const char *sql);
/* Prints "ccr: '<db>': <what>: <sqlite message>", returns -1. */
int store_error(struct store *st, const char *what);

/* Bind by name (":name"); a missing name is a bug and dies. NULL text binds NULL. */
void bind_text(sqlite3_stmt *s, const char *name, const char *v);
void bind_textn(sqlite3_stmt *s, const char *name, const char *v, size_t n);
/* bind_text without sqlite's copy (a malloc and a memcpy per value), for the hot
 * inserts: v must stay as it is until the statement has been stepped and reset */
void bind_text_static(sqlite3_stmt *s, const char *name, const char *v);
void bind_int(sqlite3_stmt *s, const char *name, int64_t v);
void bind_double(sqlite3_stmt *s, const char *name, double v);
void bind_null(sqlite3_stmt *s, const char *name);
/* column text or "" for NULL; valid until the next step/reset */
const char *col_text(sqlite3_stmt *s, int i);
/* step a statement that returns no rows (or ignores them); -1 with the error printed */
int store_step_done(struct store *st, sqlite3_stmt *s);

/* BEGIN IMMEDIATE (waits for the write lock up to STORE_BUSY_MS); remembers where. */
#define store_begin(st) store_begin_at((st), __FILE__, __LINE__)
int store_begin_at(struct store *st, const char *file, int line);
int store_commit(struct store *st);
/* 1 when a transaction begun by store_begin() is open, else 0 */
int store_in_transaction(const struct store *st);
void store_rollback(struct store *st);
/* named savepoints inside a transaction, e.g. one per ingested file */
int store_savepoint(struct store *st, const char *name);
int store_release(struct store *st, const char *name);
void store_rollback_to(struct store *st, const char *name);
/* How many rollbacks (whole, or to a savepoint) this store has seen: a cache of
 * rows written in a transaction is stale once the count moved. */
uint64_t store_rollbacks(const struct store *st);
/* One private cache a caller keeps on the store across calls (collect's test ids):
 * store_set_cache() frees the one before with its free_fn, store_close() the last. */
void *store_cache(struct store *st);
void store_set_cache(struct store *st, void *cache, void (*free_fn)(void *));

/* Stores bytes once by SHA-256 (a zlib stream, RFC 1950, made by libdeflate).
 * Writes the hex hash to hash_out. 0, or -1 on a store error. */
int store_put_blob(struct store *st, const void *p, size_t n, char hash_out[65]);
/* 0 when no blob has this hash, 1 when its bytes are stored, 2 when 'ccr prune'
 * dropped them (*pruned_at, if not NULL, is then when; else 0); -1 on a store error.
 * store_put_blob() of the same bytes restores a pruned blob. */
int store_blob_state(struct store *st, const char *hash, int64_t *pruned_at);
/* Appends the raw bytes of a stored blob to out. -1 when missing or corrupt. */
int store_get_blob(struct store *st, const char *hash, struct buf *out);

/* how long a writer waits for another collector's transaction ($CCR_BUSY_MS overrides) */
#define STORE_BUSY_MS 30000

#endif
