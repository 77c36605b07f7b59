#include "store.h"
#include "msg.h"
#include "sha256.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <libdeflate.h>
#include <unistd.h>

/* between tries of the WAL switch on a store another collector is creating */
#define STORE_WAL_RETRY_MS 20

/* lib/schema.sql, turned into a string by the build (build/schema.c) */
extern const char ccr_schema_sql[];

struct cached {
	const char *sql;
	sqlite3_stmt *stmt;
	char *owned; /* sql when the store made the text (savepoints), freed at close */
	struct cached *next;
};

struct store {
	sqlite3 *db;
	char *path;
	struct cached *stmts;
	const char *tx_file;	/* where the open transaction began, NULL if none */
	int tx_line;
	uint64_t rollbacks;	/* store_rollbacks() */
	void *cache;		/* store_set_cache() */
	void (*cache_free)(void *);
	/* one compressor for every blob: its set-up costs more than a small input.
	 * libdeflate rather than zlib's deflate: at level 1 it is 1.7x as fast on logs
	 * and 1.8x on 1 KB JUnit files (0.13 s instead of 0.24 s for `make bench`'s
	 * 34 MB), and a little smaller; its output is the same RFC 1950 stream, which
	 * zlib would read back too */
	struct libdeflate_compressor *def;
	/* and one decompressor for reading them (store_get_blob): libdeflate inflates
	 * logs ~3x as fast as zlib's uncompress(): that was a third of a render's log pages */
	struct libdeflate_decompressor *inf;
	struct buf zbuf;
};

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_path(struct store *st)
{
	return st->path;
}

/* the store's file or folder cannot be written (chmod, read-only mount): said plainly */
static const char SAY_READONLY[] = "store is read-only (the file or its folder cannot be written)";

int store_error(struct store *st, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	if (code == SQLITE_BUSY || (code & 0xff) == SQLITE_BUSY)
		return error("'%s': store is busy (another collector holds it): %s", st->path, what);
	if ((code & 0xff) == SQLITE_READONLY)
		return error("'%s': %s: %s: %s", st->path, SAY_READONLY, what,
			     sqlite3_errmsg(st->db));
	return error("'%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_exec(struct store *st, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int code = sqlite3_extended_errcode(st->db) & 0xff;
		if (code == SQLITE_BUSY)
			error("'%s': store is busy (another collector holds it): %s", st->path,
			      err ? err : "locked");
		else if (code == SQLITE_READONLY)
			error("'%s': %s: %s", st->path, SAY_READONLY, err ? err : "read-only");
		else
			error("'%s': %s", st->path, err ? err : "sql error");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	struct cached *c;
	/* callers pass static SQL arrays: the pointer finds them without comparing text */
	for (c = st->stmts; c; c = c->next)
		if (c->sql == sql)
			break;
	for (struct cached *t = c ? NULL : st->stmts; t && !c; t = t->next)
		if (strcmp(t->sql, sql) == 0)
			c = t;
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		c->sql = sql;
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) !=
		    SQLITE_OK)
			die("'%s': cannot prepare: %s\n%s", st->path, sqlite3_errmsg(st->db), sql);
		c->next = st->stmts;
		st->stmts = c;
	}
	sqlite3_reset(c->stmt);
	sqlite3_clear_bindings(c->stmt);
	return c->stmt;
}

/*
 * sqlite3_bind_parameter_index() compares the name with each parameter in turn:
 * a third of the cost of binding a testcase's 16 columns. Callers pass string
 * literals, so (statement, name pointer) finds the index again; a hit is checked
 * against the statement's own name for that index, so a statement finalized
 * and another prepared at its address can never get a wrong index.
 */
#define PARAM_CACHE 1024 /* slots; a collect binds about 300 distinct names */

static struct {
	const sqlite3_stmt *s;
	const char *name;
	int i;
} param_cache[PARAM_CACHE];

static int param(sqlite3_stmt *s, const char *name)
{
	size_t h = (((uintptr_t)s >> 4) * 31 + ((uintptr_t)name >> 1)) % PARAM_CACHE;
	if (param_cache[h].s == s && param_cache[h].name == name) {
		const char *have = sqlite3_bind_parameter_name(s, param_cache[h].i);
		if (have && !strcmp(have, name))
			return param_cache[h].i;
	}
	int i = sqlite3_bind_parameter_index(s, name);
	if (!i)
		die("no parameter %s in: %s", name, sqlite3_sql(s));
	param_cache[h].s = s;
	param_cache[h].name = name;
	param_cache[h].i = i;
	return i;
}

void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
	if (v)
		sqlite3_bind_text(s, param(s, name), v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, param(s, name));
}

void bind_text_static(sqlite3_stmt *s, const char *name, const char *v)
{
	if (v)
		sqlite3_bind_text(s, param(s, name), v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, param(s, name));
}

void bind_textn(sqlite3_stmt *s, const char *name, const char *v, size_t n)
{
	if (v)
		sqlite3_bind_text64(s, param(s, name), v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
	else
		sqlite3_bind_null(s, param(s, name));
}

void bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
	sqlite3_bind_int64(s, param(s, name), v);
}

void bind_double(sqlite3_stmt *s, const char *name, double v)
{
	sqlite3_bind_double(s, param(s, name), v);
}

void bind_null(sqlite3_stmt *s, const char *name)
{
	sqlite3_bind_null(s, param(s, name));
}

const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

int store_step_done(struct store *st, sqlite3_stmt *s)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		return store_error(st, "write failed");
	return 0;
}

int store_begin_at(struct store *st, const char *file, int line)
{
	if (st->tx_file)
		die("transaction begun at %s:%d still open (new one at %s:%d)", st->tx_file,
		    st->tx_line, file, line);
	if (store_exec(st, "BEGIN IMMEDIATE") < 0)
		return -1;
	st->tx_file = file;
	st->tx_line = line;
	return 0;
}

int store_commit(struct store *st)
{
	if (store_exec(st, "COMMIT") < 0) {
		store_rollback(st);
		return -1;
	}
	st->tx_file = NULL;
	return 0;
}

int store_in_transaction(const struct store *st)
{
	return st->tx_file != NULL;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->tx_file = NULL;
	st->rollbacks++;
}

uint64_t store_rollbacks(const struct store *st)
{
	return st->rollbacks;
}

void *store_cache(struct store *st)
{
	return st->cache;
}

void store_set_cache(struct store *st, void *cache, void (*free_fn)(void *))
{
	if (st->cache && st->cache_free)
		st->cache_free(st->cache);
	st->cache = cache;
	st->cache_free = free_fn;
}

/* savepoints are taken per run and per JUnit file: prepared once, like any
 * statement (sqlite3_exec would parse the text each time) */
static int savepoint_sql(struct store *st, const char *verb, const char *name)
{
	char sql[128];
	int n = snprintf(sql, sizeof(sql), "%s \"%s\"", verb, name);
	if (n < 0 || (size_t)n >= sizeof(sql) || strchr(name, '"'))
		die("bad savepoint name '%s'", name);
	struct cached *c;
	for (c = st->stmts; c; c = c->next)
		if (c->owned && !strcmp(c->owned, sql))
			break;
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		c->owned = xstrdup(sql);
		c->sql = c->owned;
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) !=
		    SQLITE_OK)
			die("'%s': cannot prepare: %s\n%s", st->path, sqlite3_errmsg(st->db), sql);
		c->next = st->stmts;
		st->stmts = c;
	}
	int rc = sqlite3_step(c->stmt);
	sqlite3_reset(c->stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, sql);
	return 0;
}

int store_savepoint(struct store *st, const char *name)
{
	return savepoint_sql(st, "SAVEPOINT", name);
}

int store_release(struct store *st, const char *name)
{
	return savepoint_sql(st, "RELEASE", name);
}

void store_rollback_to(struct store *st, const char *name)
{
	savepoint_sql(st, "ROLLBACK TO", name);
	savepoint_sql(st, "RELEASE", name);
	st->rollbacks++;
}

/* PRAGMA user_version, or -1 */
static int user_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	return v;
}

/* Applies every "-- migration N" section of the schema with N > user_version. */
static int migrate(struct store *st, int have)
{
	const char *p = ccr_schema_sql;
	const char *mark = "-- migration ";
	int applied = have;
	while ((p = strstr(p, mark))) {
		int n = atoi(p + strlen(mark));
		const char *body = strchr(p, '\n');
		if (!body)
			break;
		const char *end = strstr(body, mark);
		size_t len = end ? (size_t)(end - body) : strlen(body);
		p = body;
		if (n <= have)
			continue;
		char *sql = xstrndup(body, len);
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", n);
		int rc = store_begin(st);
		/* another collector may have migrated while this one waited for the lock */
		int now = rc ? -1 : user_version(st);
		if (now >= n) {
			rc = store_commit(st);
			free(sql);
			if (rc)
				return -1;
			applied = n;
			continue;
		}
		if (!rc)
			rc = store_exec(st, sql);
		if (!rc)
			rc = store_exec(st, pragma);
		if (!rc)
			rc = store_commit(st);
		else
			store_rollback(st);
		free(sql);
		if (rc) {
			error("'%s': migration %d failed", st->path, n);
			return -1;
		}
		applied = n;
	}
	return applied;
}

/* the newest migration; with readers set, the newest one that readers need: one whose
 * header line says READERS_NEED_NOT_WAIT (an index: a store without it gives the same
 * answers, slower) is skipped, so render, runs and show still open a store that no
 * collector has migrated yet */
#define READERS_NEED_NOT_WAIT "(readers need not wait)"
static int schema_latest_upto(int readers, int upto)
{
	const char *p = ccr_schema_sql, *mark = "-- migration ";
	int latest = 0;
	while ((p = strstr(p, mark))) {
		p += strlen(mark);
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		int n = atoi(p);
		if (n <= upto &&
		    (!readers || !memmem(p, len, READERS_NEED_NOT_WAIT, strlen(READERS_NEED_NOT_WAIT))))
			latest = n;
	}
	return latest;
}

static int schema_latest(int readers)
{
	return schema_latest_upto(readers, INT_MAX);
}

int store_reader_schema(struct store *st)
{
	int have = user_version(st);
	return have < 0 ? -1 : schema_latest_upto(1, have);
}

int store_has(struct store *st, const char *name)
{
	static const char q_has[] = "SELECT count(*) FROM sqlite_master WHERE name = :name";
	sqlite3_stmt *q = store_stmt(st, q_has);
	bind_text(q, ":name", name);
	int has = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
	sqlite3_reset(q);
	return has;
}

/*
 * A WAL store whose folder cannot be written (and that has no -wal file left,
 * so the file alone holds every commit) cannot make its -shm index: sqlite then
 * refuses even to read it. Reopen it as immutable, which needs no -shm. Safe
 * because a writer would first have to create the -wal file in that folder.
 * 0 when reopened, -1 when this does not apply or fails.
 */
static int reopen_immutable(struct store *st, const char *path)
{
	struct buf wal = BUF_INIT, uri = BUF_INIT;
	buf_adds(&wal, path);
	buf_adds(&wal, "-wal");
	int have_wal = access(buf_str(&wal), F_OK) == 0;
	buf_release(&wal);
	if (have_wal || access(path, R_OK) < 0)
		return -1;
	buf_adds(&uri, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			buf_addc(&uri, (char)*p);
		else
			buf_addf(&uri, "%%%02X", *p);
	}
	buf_adds(&uri, "?immutable=1");
	sqlite3_close(st->db);
	st->db = NULL;
	int rc = sqlite3_open_v2(buf_str(&uri), &st->db,
				 SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	buf_release(&uri);
	return rc == SQLITE_OK ? 0 : -1;
}

struct store *store_open(const char *path, int flags)
{
	struct store *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	/* one thread per store: sqlite's per-connection mutex only costs (1.5% of an
	 * ingest); and no memory statistics, whose global mutex every malloc takes */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused once sqlite is running: fine */
	int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		if (st->db)
			error("'%s': cannot open: %s", path, sqlite3_errmsg(st->db));
		else
			error("'%s': cannot open", path);
		goto fail;
	}
	/* $CCR_BUSY_MS shortens the wait, so tests can see "store is busy" without 30 s.
	 * Set before the first read: a render opening the store while a collector holds
	 * it read "database is locked" as an unreadable store (faults.sh, now and then) */
	const char *busy = getenv("CCR_BUSY_MS");
	int busy_ms = busy && *busy ? atoi(busy) : STORE_BUSY_MS;
	sqlite3_busy_timeout(st->db, busy_ms > 0 ? busy_ms : STORE_BUSY_MS);
	if ((flags & STORE_READONLY) && user_version(st) < 0) {
		if (reopen_immutable(st, path) < 0) {
			error("'%s': cannot open: %s", path, sqlite3_errmsg(st->db));
			goto fail;
		}
		sqlite3_busy_timeout(st->db, busy_ms > 0 ? busy_ms : STORE_BUSY_MS);
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (!(flags & STORE_READONLY)) {
		/* two collectors creating one store at once: switching the new file to WAL
		 * can meet the other's lock with no busy wait (sqlite refuses rather than
		 * risk a deadlock), so that one switch is retried for up to the busy time */
		for (int waited = 0; waited < busy_ms; waited += STORE_WAL_RETRY_MS) {
			int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
			if ((rc & 0xff) != SQLITE_BUSY)
				break;
			usleep(STORE_WAL_RETRY_MS * 1000);
		}
		if (store_exec(st, "PRAGMA journal_mode = WAL") < 0)
			goto fail;
		store_exec(st, "PRAGMA synchronous = NORMAL");
		/* a collector writes tens of MB per sweep: a 16 MB page cache keeps the
		 * indexes it updates in memory (a third of the reads of the 2 MB default),
		 * and checkpointing every 64 MB of WAL instead of 4 MB cuts the fsyncs
		 * tenfold, and copies a page that several commits rewrote (an index's
		 * hot tail) into the file once per checkpoint (8192 pages, 32 MB, wrote
		 * 10% more over 4k runs of the large bench history); the WAL file is
		 * trimmed back to 64 MB after a checkpoint */
		store_exec(st, "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384;"
			       " PRAGMA journal_size_limit = 67108864");
		/* savepoints (one per run of a batch, one per JUnit file) copy every page they
		 * change into a sub-journal, a temp file by default: 400 MB of write() calls
		 * for a 27 MB store. In memory it is a memcpy, truncated at each release; the
		 * derive step's small TEMP tables live there too */
		store_exec(st, "PRAGMA temp_store = MEMORY");
	}
	if (store_exec(st, "PRAGMA foreign_keys = ON") < 0)
		goto fail;
	/* ORDER BY ... COLLATE version: recipe tags in semver order (lib/version.h) */
	if (version_register(st->db) != SQLITE_OK) {
		store_error(st, "cannot register the version collation");
		goto fail;
	}
	int have = user_version(st);
	if (have < 0) {
		store_error(st, "not a ccr store");
		goto fail;
	}
	int latest = schema_latest(0);
	if (have > latest) {
		error("'%s': schema version %d is newer than this ccr knows (%d)", path, have,
		      latest);
		goto fail;
	}
	if (have < latest) {
		if ((flags & STORE_READONLY) && have >= schema_latest(1))
			return st; /* only migrations readers need not wait for are missing */
		if (flags & STORE_READONLY) {
			if (have == 0)
				error("'%s': no ccr store here; run 'ccr collect' first", path);
			else
				error("'%s': schema version %d is older than %d; run 'ccr collect' to migrate",
				      path, have, latest);
			goto fail;
		}
		if (migrate(st, have) < 0)
			goto fail;
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->tx_file) {
		error("'%s': transaction begun at %s:%d left open; rolled back", st->path,
		      st->tx_file, st->tx_line);
		store_rollback(st);
	}
	for (struct cached *c = st->stmts, *next; c; c = next) {
		next = c->next;
		sqlite3_finalize(c->stmt);
		free(c->owned);
		free(c);
	}
	store_set_cache(st, NULL, NULL);
	if (st->def)
		libdeflate_free_compressor(st->def);
	if (st->inf)
		libdeflate_free_decompressor(st->inf);
	buf_release(&st->zbuf);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static const char SQL_BLOB_HAS[] = "SELECT coalesce(pruned_at, 0) FROM blob WHERE hash = :h";
static const char SQL_BLOB_PUT[] = "INSERT INTO blob(hash, size, data) VALUES (:h, :size, :data)";
/* bytes of a pruned blob come back with a new run holding them */
static const char SQL_BLOB_RESTORE[] =
	"UPDATE blob SET data = :data, pruned_at = NULL WHERE hash = :h AND size = :size";

int store_blob_state(struct store *st, const char *hash, int64_t *pruned_at)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BLOB_HAS);
	bind_text(s, ":h", hash);
	int rc = sqlite3_step(s);
	int64_t at = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "blob lookup");
	if (pruned_at)
		*pruned_at = at;
	return rc == SQLITE_DONE ? 0 : at ? 2 : 1;
}
static const char SQL_BLOB_GET[] = "SELECT size, data FROM blob WHERE hash = :h";

int store_put_blob(struct store *st, const void *p, size_t n, char hash_out[65])
{
	sha256_hex(p, n, hash_out);
	int state = store_blob_state(st, hash_out, NULL);
	if (state < 0)
		return -1;
	if (state == 1)
		return 0;

	if (!st->def) {
		/* level 1: logs compress well anyway, and ingest must stay near parse speed */
		st->def = libdeflate_alloc_compressor(1);
		if (!st->def)
			die("libdeflate: out of memory");
	}
	size_t bound = libdeflate_zlib_compress_bound(st->def, n);
	buf_reset(&st->zbuf);
	if (st->zbuf.cap < bound + 1) {
		st->zbuf.data = xrealloc(st->zbuf.data, bound + 1);
		st->zbuf.cap = bound + 1;
	}
	size_t zlen = libdeflate_zlib_compress(st->def, p, n, st->zbuf.data, bound);
	if (!zlen)
		die("libdeflate: output over its own bound");

	sqlite3_stmt *s = store_stmt(st, state == 2 ? SQL_BLOB_RESTORE : SQL_BLOB_PUT);
	bind_text(s, ":h", hash_out);
	bind_int(s, ":size", (int64_t)n);
	sqlite3_bind_blob64(s, param(s, ":data"), st->zbuf.data, zlen, SQLITE_STATIC);
	int rc = store_step_done(st, s);
	sqlite3_reset(s);
	return rc;
}

int store_get_blob(struct store *st, const char *hash, struct buf *out)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BLOB_GET);
	bind_text(s, ":h", hash);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return error("'%s': blob %.12s missing", st->path, hash);
		return store_error(st, "blob read");
	}
	size_t size = (size_t)sqlite3_column_int64(s, 0);
	const void *z = sqlite3_column_blob(s, 1);
	size_t zlen = (size_t)sqlite3_column_bytes(s, 1);
	size_t start = out->len;
	/* make room for size bytes, then inflate straight into the buffer */
	if (out->max && size > out->max - out->len) {
		sqlite3_reset(s);
		return error("'%s': blob %.12s is %zu bytes, over the limit", st->path, hash, size);
	}
	if (out->cap < out->len + size + 1) {
		out->data = xrealloc(out->data, out->len + size + 1);
		out->cap = out->len + size + 1;
	}
	if (!st->inf && !(st->inf = libdeflate_alloc_decompressor()))
		die("libdeflate: out of memory");
	size_t dlen = 0;
	enum libdeflate_result zrc = libdeflate_zlib_decompress(st->inf, z, zlen, out->data + start,
								size, &dlen);
	sqlite3_reset(s);
	if (zrc != LIBDEFLATE_SUCCESS || dlen != size) {
		out->data[start] = '\0';
		return error("'%s': blob %.12s is corrupt", st->path, hash);
	}
	out->len = start + size;
	out->data[out->len] = '\0';
	return 0;
}
