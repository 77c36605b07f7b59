/*
 * canon: `ccr collect canon DIR`. Each DIR/<recipe>/canonical.json is compared
 * with the last record the store holds for that recipe; a difference becomes a
 * new canon_record row (nothing is overwritten) and an event, explained by the
 * run whose promote wrote it when there is one. Run promote attempts become
 * events too. Running it again on the same records adds nothing.
 */
#include "canon.h"
#include "collect.h"

#include "../lib/buf.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/sha256.h"
#include "../lib/timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* every promote attempt of a run that has no event yet; prev_version is the
 * record held just before it, as far as the records tell */
static const char SQL_ATTEMPTS[] =
	"INSERT OR IGNORE INTO canon_event(recipe, at, kind, version, prev_version, run_id,"
	" record_seq, seen_at)"
	" SELECT r.recipe, coalesce(r.promote_at, r.finished, r.started), r.promote_outcome,"
	"  r.promote_version,"
	"  (SELECT c.version FROM canon_record c WHERE c.recipe = r.recipe"
	"    AND coalesce(c.ts, c.seen_at) <= coalesce(r.promote_at, r.finished, r.started)"
	"    ORDER BY coalesce(c.ts, c.seen_at) DESC, c.seq DESC LIMIT 1),"
	"  r.id, NULL, :now"
	" FROM run r"
	" WHERE r.promote_outcome IN ('promoted', 'advanced', 'failed')"
	"  AND NOT EXISTS (SELECT 1 FROM canon_event e WHERE e.run_id = r.id)";

/* JSON1 reads the record; extraction only when it is a JSON object */
static const char SQL_PARSE[] =
	"SELECT ok, CASE WHEN ok THEN json_extract(:j, '$.recipe') END,"
	" CASE WHEN ok THEN json_extract(:j, '$.version') END,"
	" CASE WHEN ok THEN json_extract(:j, '$.commit') END,"
	" CASE WHEN ok THEN json_extract(:j, '$.status') END,"
	" CASE WHEN ok THEN json_extract(:j, '$.ts') END, valid"
	" FROM (SELECT valid, valid AND json_type(:j) = 'object' AS ok"
	"  FROM (SELECT json_valid(:j) AS valid))";

static const char SQL_LAST[] =
	"SELECT seq, hash, version, commit_ref, status, ts FROM canon_record"
	" WHERE recipe = :r ORDER BY seq DESC LIMIT 1";

static const char SQL_INSERT_RECORD[] =
	"INSERT INTO canon_record(recipe, seq, seen_at, hash, version, commit_ref, status, ts, raw)"
	" VALUES (:r, :seq, :now, :hash, :version, :commit, :status, :ts, :raw)";

/* the promote that explains a record change: same recipe and version, not yet
 * tied to a record, nearest to the record's ts (or the latest when ts is unknown) */
static const char SQL_EXPLAIN[] =
	"SELECT run_id FROM canon_event"
	" WHERE recipe = :r AND kind IN ('promoted', 'advanced') AND version = :version"
	"  AND record_seq IS NULL AND run_id IS NOT NULL"
	"  AND (:ts IS NULL OR abs(at - :ts) <= :window)"
	"  AND (:ts IS NOT NULL OR at <= :now)"
	" ORDER BY abs(at - coalesce(:ts, :now)), run_id LIMIT 1";

static const char SQL_TIE[] =
	"UPDATE canon_event SET record_seq = :seq, prev_version = :prev WHERE run_id = :run";

static const char SQL_EVENT[] =
	"INSERT OR IGNORE INTO canon_event(recipe, at, kind, version, prev_version, run_id,"
	" record_seq, seen_at) VALUES (:r, :at, :kind, :version, :prev, NULL, :seq, :now)";

static const char SQL_CURRENT[] = "SELECT recipe FROM canon_current ORDER BY recipe";

struct canon_prev {
	int64_t seq;	/* 0 = no record yet */
	int removed;	/* the last row is a removal */
	char *hash, *version, *commit, *status;
	int has_ts;
	int64_t ts;
};

static void prev_release(struct canon_prev *p)
{
	free(p->hash);
	free(p->version);
	free(p->commit);
	free(p->status);
	memset(p, 0, sizeof(*p));
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL : xstrdup(col_text(s, i));
}

static int load_prev(struct store *st, const char *recipe, struct canon_prev *p)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LAST);
	bind_text(s, ":r", recipe);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		p->seq = sqlite3_column_int64(s, 0);
		p->removed = sqlite3_column_type(s, 1) == SQLITE_NULL;
		p->hash = col_dup(s, 1);
		p->version = col_dup(s, 2);
		p->commit = col_dup(s, 3);
		p->status = col_dup(s, 4);
		p->has_ts = sqlite3_column_type(s, 5) != SQLITE_NULL;
		p->ts = sqlite3_column_int64(s, 5);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_error(st, "canonical record lookup");
	}
	sqlite3_reset(s);
	return 0;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int add_event(struct store *st, const char *recipe, int64_t at, const char *kind,
		     const char *version, const char *prev, int64_t seq, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_EVENT);
	bind_text(s, ":r", recipe);
	bind_int(s, ":at", at);
	bind_text(s, ":kind", kind);
	bind_text(s, ":version", version);
	bind_text(s, ":prev", prev);
	bind_int(s, ":seq", seq);
	bind_int(s, ":now", now);
	int rc = store_step_done(st, s);
	sqlite3_reset(s);
	return rc;
}

struct canon_fields {
	char *recipe, *version, *commit, *status, *ts_text;
};

static void fields_release(struct canon_fields *f)
{
	free(f->recipe);
	free(f->version);
	free(f->commit);
	free(f->status);
	free(f->ts_text);
}

/* 1 parsed, 0 not a JSON object (*why says what it is), -1 store error */
static int parse_record(struct store *st, const struct buf *raw, struct canon_fields *f,
			const char **why)
{
	*why = "not valid JSON";
	sqlite3_stmt *s = store_stmt(st, SQL_PARSE);
	bind_textn(s, ":j", raw->data ? raw->data : "", raw->len);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		/* JSON1 raises on bytes it cannot take at all: not a record */
		return rc == SQLITE_ERROR ? 0 : store_error(st, "canonical record parse");
	}
	int ok = sqlite3_column_int(s, 0);
	if (sqlite3_column_int(s, 6))
		*why = "not a JSON object";
	if (ok) {
		f->recipe = col_dup(s, 1);
		f->version = col_dup(s, 2);
		f->commit = col_dup(s, 3);
		f->status = col_dup(s, 4);
		f->ts_text = col_dup(s, 5);
	}
	sqlite3_reset(s);
	return ok ? 1 : 0;
}

/* One record: compare, store the change and its event. -1 on a store error;
 * 0 otherwise (a rejected record counts in rep). */
static int collect_one(struct store *st, const char *dir, const char *name, int64_t now,
		       struct canon_report *rep)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s/canonical.json", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		rep->rejected++;
		error("'%s/%s': path too long", dir, name);
		return 0;
	}
	struct buf raw;
	buf_init(&raw, CANON_MAX_BYTES);
	struct canon_fields f = {0};
	struct canon_prev prev = {0};
	int rc = 0;
	if (buf_read_file(&raw, path) < 0) {
		rep->rejected++;
		goto done;
	}
	rep->records++;
	const char *why;
	int p = parse_record(st, &raw, &f, &why);
	if (p < 0) {
		rc = -1;
		goto done;
	}
	if (!p) {
		rep->rejected++;
		error("'%s': %s", path, why);
		goto done;
	}
	if (f.recipe && strcmp(f.recipe, name)) {
		rep->rejected++;
		error("'%s': recipe '%s' does not match its folder", path, f.recipe);
		goto done;
	}
	int64_t ts = 0;
	int has_ts = f.ts_text && time_parse(f.ts_text, &ts) == 0;
	if (f.ts_text && !has_ts)
		warning("'%s': ts '%s' is not a time; using the time it was seen", path, f.ts_text);

	char hash[65];
	sha256_hex(raw.data ? raw.data : "", raw.len, hash);
	if (load_prev(st, name, &prev) < 0) {
		rc = -1;
		goto done;
	}
	if (prev.hash && !strcmp(prev.hash, hash))
		goto done; /* unchanged */

	int64_t seq = prev.seq + 1;
	sqlite3_stmt *s = store_stmt(st, SQL_INSERT_RECORD);
	bind_text(s, ":r", name);
	bind_int(s, ":seq", seq);
	bind_int(s, ":now", now);
	bind_text(s, ":hash", hash);
	bind_text(s, ":version", f.version);
	bind_text(s, ":commit", f.commit);
	bind_text(s, ":status", f.status);
	if (has_ts)
		bind_int(s, ":ts", ts);
	else
		bind_null(s, ":ts");
	bind_textn(s, ":raw", raw.data ? raw.data : "", raw.len);
	rc = store_step_done(st, s);
	sqlite3_reset(s);
	if (rc < 0)
		goto done;
	rep->changed++;

	/* a run whose promote wrote this record? */
	char *run = NULL;
	if (f.version) {
		s = store_stmt(st, SQL_EXPLAIN);
		bind_text(s, ":r", name);
		bind_text(s, ":version", f.version);
		if (has_ts)
			bind_int(s, ":ts", ts);
		else
			bind_null(s, ":ts");
		bind_int(s, ":window", CANON_MATCH_WINDOW);
		bind_int(s, ":now", now);
		int src = sqlite3_step(s);
		if (src == SQLITE_ROW)
			run = xstrdup(col_text(s, 0));
		sqlite3_reset(s);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = store_error(st, "canonical run lookup");
			goto done;
		}
	}
	const char *prev_version = prev.removed ? NULL : prev.version;
	if (run) {
		s = store_stmt(st, SQL_TIE);
		bind_int(s, ":seq", seq);
		bind_text(s, ":prev", prev_version);
		bind_text(s, ":run", run);
		rc = store_step_done(st, s);
		sqlite3_reset(s);
		free(run);
		if (rc == 0)
			rep->events++;
		goto done;
	}
	const char *kind;
	if (!prev.seq || prev.removed)
		kind = "enrolled";
	else if (same(prev.version, f.version) && same(prev.commit, f.commit) &&
		 prev.has_ts == has_ts && (!has_ts || prev.ts == ts))
		kind = "status";
	else
		kind = "changed_unexplained";
	/* a status change has no time of its own in the record: it is when we saw it */
	int64_t at = has_ts && strcmp(kind, "status") ? ts : now;
	rc = add_event(st, name, at, kind, f.version, prev_version, seq, now);
	if (rc == 0)
		rep->events++;
done:
	prev_release(&prev);
	fields_release(&f);
	buf_release(&raw);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the recipe folders of DIR, sorted (so events are stored in a stable order) */
static char **list_recipes(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		error("'%s': %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		struct stat sb;
		int len = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len < 0 || (size_t)len >= sizeof(path) || stat(path, &sb) || !S_ISDIR(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*count = n;
	return names ? names : xcalloc(1, sizeof(*names));
}

/* recipes holding a record that has no canonical.json in DIR any more */
static int collect_removals(struct store *st, const char *dir, char **names, size_t n,
			    int64_t now, struct canon_report *rep)
{
	char **gone = NULL;
	size_t ngone = 0, cap = 0;
	sqlite3_stmt *s = store_stmt(st, SQL_CURRENT);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *r = col_text(s, 0);
		char path[4096];
		int len = snprintf(path, sizeof(path), "%s/%s/canonical.json", dir, r);
		struct stat sb;
		if (bsearch(&r, names, n, sizeof(*names), cmp_str) && len > 0 &&
		    (size_t)len < sizeof(path) && stat(path, &sb) == 0)
			continue;
		if (ngone == cap) {
			cap = cap ? 2 * cap : 8;
			gone = xrealloc(gone, cap * sizeof(*gone));
		}
		gone[ngone++] = xstrdup(r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(gone);
		return store_error(st, "canonical records");
	}
	int ret = 0;
	for (size_t i = 0; i < ngone && !ret; i++) {
		struct canon_prev prev = {0};
		if (load_prev(st, gone[i], &prev) < 0) {
			ret = -1;
			break;
		}
		s = store_stmt(st, SQL_INSERT_RECORD);
		bind_text(s, ":r", gone[i]);
		bind_int(s, ":seq", prev.seq + 1);
		bind_int(s, ":now", now);
		bind_null(s, ":hash");
		bind_null(s, ":version");
		bind_null(s, ":commit");
		bind_null(s, ":status");
		bind_null(s, ":ts");
		bind_null(s, ":raw");
		ret = store_step_done(st, s);
		sqlite3_reset(s);
		if (!ret)
			ret = add_event(st, gone[i], now, "removed", NULL, prev.version, prev.seq + 1,
					now);
		if (!ret) {
			rep->removed++;
			rep->events++;
		}
		prev_release(&prev);
	}
	for (size_t i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	return ret;
}

int canon_collect(struct store *st, const char *dir, int64_t now, struct canon_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	size_t n = 0;
	char **names = list_recipes(dir, &n);
	if (!names)
		return -1;
	int rc = store_begin(st);
	if (rc < 0)
		goto out;
	/* attempts first, so record changes can be tied to the run that made them */
	sqlite3_stmt *s = store_stmt(st, SQL_ATTEMPTS);
	bind_int(s, ":now", now);
	rc = store_step_done(st, s);
	sqlite3_reset(s);
	if (!rc)
		rep->events += sqlite3_changes(store_db(st));
	for (size_t i = 0; i < n && !rc; i++) {
		char path[4096];
		struct stat sb;
		int len = snprintf(path, sizeof(path), "%s/%s/canonical.json", dir, names[i]);
		if (len < 0 || (size_t)len >= sizeof(path) || stat(path, &sb))
			continue; /* a folder without a record: handled as a removal */
		rc = collect_one(st, dir, names[i], now, rep);
	}
	if (!rc)
		rc = collect_removals(st, dir, names, n, now, rep);
	if (!rc)
		rc = store_commit(st);
	else
		store_rollback(st);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int cmd_collect_canon(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			return usage_error("collect canon DIR");
		if (dir)
			return usage_error("collect canon takes one DIR");
		dir = argv[i];
	}
	if (!dir)
		return usage_error("collect canon DIR");
	struct store *st = store_open(cli.db, STORE_CREATE);
	if (!st)
		return EXIT_USAGE;
	struct canon_report rep;
	int rc = canon_collect(st, dir, time_now(), &rep);
	store_close(st);
	if (rc < 0)
		return EXIT_USAGE;
	info("'%s': %d records, %d changed, %d removed, %d events", dir, rep.records, rep.changed,
	     rep.removed, rep.events);
	return rep.rejected ? EXIT_REJECTED : EXIT_OK;
}
