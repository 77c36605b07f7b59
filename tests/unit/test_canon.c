/* unit tests of collect/canon.c: canonical records changing across collects */
#include "t.h"
#include "../../collect/canon.h"
#include "../../lib/store.h"
#include "../../lib/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void canon_t_write(const char *dir, const char *recipe, const char *json)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, recipe);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/canonical.json", dir, recipe);
	if (!json) {
		unlink(path);
		return;
	}
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(json, f);
		fclose(f);
	}
}

static int64_t canon_t_time(const char *s)
{
	int64_t t = 0;
	time_parse(s, &t);
	return t;
}

/* a run as ingest would store it, with only what the promote timeline reads */
static void canon_t_run(struct store *st, const char *id, const char *recipe, const char *version,
			const char *status, const char *outcome, const char *at)
{
	sqlite3_stmt *s = store_stmt(
		st, "INSERT INTO run(id, recipe, version, trigger_kind, started, finished, status,"
		    " promote_outcome, promote_version, promote_at, manifest_hash, ingested_at)"
		    " VALUES (:id, :r, :v, 'sweep', :t - 3600, :t - 60, :status, :o, :v, :t, 'x', :t)");
	bind_text(s, ":id", id);
	bind_text(s, ":r", recipe);
	bind_text(s, ":v", version);
	bind_text(s, ":status", status);
	bind_text(s, ":o", outcome);
	bind_int(s, ":t", canon_t_time(at));
	CHECK_INT(sqlite3_step(s), SQLITE_DONE);
	sqlite3_reset(s);
}

/* "kind version prev run|-" of every timeline event of a recipe, in time order, joined by "; " */
static void canon_t_events(struct store *st, const char *recipe, char *out, size_t size)
{
	sqlite3_stmt *s = store_stmt(
		st, "SELECT kind, ifnull(version, '-'), ifnull(prev_version, '-'), ifnull(run_id, '-'),"
		    " record_seq IS NOT NULL FROM canon_timeline WHERE recipe = :r"
		    " ORDER BY at, kind, run_id");
	bind_text(s, ":r", recipe);
	size_t len = 0;
	out[0] = 0;
	while (sqlite3_step(s) == SQLITE_ROW && len < size) {
		int n = snprintf(out + len, size - len, "%s%s %s %s %s%s", len ? "; " : "",
				 col_text(s, 0), col_text(s, 1), col_text(s, 2), col_text(s, 3),
				 sqlite3_column_int(s, 4) ? " rec" : "");
		if (n < 0)
			break;
		len += (size_t)n;
	}
	sqlite3_reset(s);
}

static int canon_t_count(struct store *st, const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	sqlite3_stmt *s = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

TEST(canon_records_across_collects)
{
	const char *tmp = t_tmpdir();
	char dir[600], db[600];
	snprintf(dir, sizeof(dir), "%s/warm", tmp);
	snprintf(db, sizeof(db), "%s/canon.db", tmp);
	mkdir(dir, 0777);
	struct store *st = store_open(db, STORE_CREATE);
	CHECK(st != NULL);
	if (!st)
		return;
	struct canon_report rep;
	char ev[2048];

	/* collect 1: gitea promoted by a run; mumble's record predates every run;
	 * keycloak has a folder and no record (not enrolled) */
	canon_t_run(st, "20260617T040000Z-gitea", "gitea", "3.5.3", "passed", "promoted",
		    "2026-06-17T05:03:00Z");
	canon_t_write(dir, "gitea",
		      "{\"recipe\": \"gitea\", \"version\": \"3.5.3\", \"commit\": \"2b82eba\","
		      " \"status\": \"idle\", \"ts\": \"20260617T050314Z\"}");
	canon_t_write(dir, "mumble",
		      "{\"recipe\": \"mumble\", \"version\": \"1.0.0+v1.6.870-0\", \"status\": \"idle\","
		      " \"ts\": \"20260617T180501Z\"}");
	canon_t_write(dir, "discourse", "{\"version\": \"1.0.0+3.3.1\", \"ts\": \"20260610T000000Z\"}");
	canon_t_write(dir, "keycloak", NULL);
	CHECK_INT(canon_collect(st, dir, canon_t_time("2026-06-17T20:00:00Z"), &rep), 0);
	CHECK_INT(rep.records, 3);
	CHECK_INT(rep.changed, 3);
	CHECK_INT(rep.rejected, 0);
	canon_t_events(st, "gitea", ev, sizeof(ev));
	CHECK_STR(ev, "promoted 3.5.3 - 20260617T040000Z-gitea rec");
	canon_t_events(st, "mumble", ev, sizeof(ev));
	CHECK_STR(ev, "enrolled 1.0.0+v1.6.870-0 - - rec");
	canon_t_events(st, "keycloak", ev, sizeof(ev));
	CHECK_STR(ev, "");

	/* the same records again: nothing new */
	int records = canon_t_count(st, "canon_record"), events = canon_t_count(st, "canon_event");
	CHECK_INT(canon_collect(st, dir, canon_t_time("2026-06-17T21:00:00Z"), &rep), 0);
	CHECK_INT(rep.changed + rep.removed + rep.events, 0);
	CHECK_INT(canon_t_count(st, "canon_record"), records);
	CHECK_INT(canon_t_count(st, "canon_event"), events);

	/* collect 2: gitea green then its advance failed (record untouched but for its
	 * status); mumble re-promoted in place at a new ts; a broken record is rejected */
	canon_t_run(st, "20260618T010000Z-gitea", "gitea", "3.6.0", "promote_failed", "failed",
		    "2026-06-18T02:10:00Z");
	canon_t_run(st, "20260617T230000Z-mumble", "mumble", "1.0.0+v1.6.870-0", "passed", "promoted",
		    "2026-06-18T00:17:00Z");
	canon_t_write(dir, "gitea",
		      "{\"recipe\": \"gitea\", \"version\": \"3.5.3\", \"commit\": \"2b82eba\","
		      " \"status\": \"deployed\", \"ts\": \"20260617T050314Z\"}");
	canon_t_write(dir, "mumble",
		      "{\"recipe\": \"mumble\", \"version\": \"1.0.0+v1.6.870-0\", \"status\": \"idle\","
		      " \"ts\": \"20260618T001730Z\"}");
	canon_t_write(dir, "bad", "{\"recipe\": \"bad\", \"version\": ");
	CHECK_INT(canon_collect(st, dir, canon_t_time("2026-06-18T03:00:00Z"), &rep), 0);
	CHECK_INT(rep.rejected, 1);
	CHECK_INT(rep.changed, 2);
	canon_t_events(st, "gitea", ev, sizeof(ev));
	CHECK_STR(ev, "promoted 3.5.3 - 20260617T040000Z-gitea rec; "
		      "failed 3.6.0 3.5.3 20260618T010000Z-gitea; "
		      "status 3.5.3 3.5.3 - rec");
	canon_t_events(st, "mumble", ev, sizeof(ev));
	CHECK_STR(ev, "enrolled 1.0.0+v1.6.870-0 - - rec; "
		      "promoted 1.0.0+v1.6.870-0 1.0.0+v1.6.870-0 20260617T230000Z-mumble rec");

	/* a run ingested after the last collect shows on the timeline at once */
	canon_t_run(st, "20260619T010000Z-gitea", "gitea", "3.6.1", "passed", "advanced",
		    "2026-06-19T02:00:00Z");
	canon_t_events(st, "gitea", ev, sizeof(ev));
	CHECK(strstr(ev, "; advanced 3.6.1 - 20260619T010000Z-gitea") != NULL);

	/* collect 3: gitea's record shows the advance; mumble's record is gone;
	 * discourse changed with no run behind it */
	canon_t_write(dir, "gitea",
		      "{\"recipe\": \"gitea\", \"version\": \"3.6.1\", \"commit\": \"77aa01\","
		      " \"status\": \"idle\", \"ts\": \"20260619T020107Z\"}");
	canon_t_write(dir, "mumble", NULL);
	canon_t_write(dir, "discourse", "{\"version\": \"1.1.0+3.3.2\", \"ts\": \"20260619T000000Z\"}");
	CHECK_INT(canon_collect(st, dir, canon_t_time("2026-06-19T03:00:00Z"), &rep), 0);
	CHECK_INT(rep.removed, 1);
	canon_t_events(st, "gitea", ev, sizeof(ev));
	CHECK(strstr(ev, "; advanced 3.6.1 3.5.3 20260619T010000Z-gitea rec") != NULL);
	canon_t_events(st, "mumble", ev, sizeof(ev));
	CHECK(strstr(ev, "; removed - 1.0.0+v1.6.870-0 - rec") != NULL);
	canon_t_events(st, "discourse", ev, sizeof(ev));
	CHECK_STR(ev, "enrolled 1.0.0+3.3.1 - - rec; changed_unexplained 1.1.0+3.3.2 1.0.0+3.3.1 - rec");
	/* the bad record is neither stored nor taken for a removal */
	canon_t_events(st, "bad", ev, sizeof(ev));
	CHECK_STR(ev, "");

	/* nothing is lost: every record version is kept */
	sqlite3_stmt *s = store_stmt(st, "SELECT group_concat(ifnull(status, 'removed'), ',')"
					 " FROM (SELECT status FROM canon_record WHERE recipe = 'gitea'"
					 " ORDER BY seq)");
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_STR(col_text(s, 0), "idle,deployed,idle");
	sqlite3_reset(s);
	s = store_stmt(st, "SELECT group_concat(recipe || '=' || version, ',')"
			   " FROM (SELECT recipe, version FROM canon_current ORDER BY recipe)");
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_STR(col_text(s, 0), "discourse=1.1.0+3.3.2,gitea=3.6.1");
	sqlite3_reset(s);

	/* and again: idempotent */
	records = canon_t_count(st, "canon_record");
	events = canon_t_count(st, "canon_event");
	CHECK_INT(canon_collect(st, dir, canon_t_time("2026-06-19T04:00:00Z"), &rep), 0);
	CHECK_INT(canon_t_count(st, "canon_record"), records);
	CHECK_INT(canon_t_count(st, "canon_event"), events);

	/* a missing DIR is an error */
	CHECK_INT(canon_collect(st, "/nonexistent/warm", 0, &rep), -1);
	store_close(st);
}
