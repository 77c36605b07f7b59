/*
 * page_data: the JSON exports for scripts, written with sqlite's JSON functions.
 *   data/runs.json    every run, newest first, exactly as `ccr runs --json` prints
 *                     it (render/run_json.h)
 *   data/sweeps.json  every sweep, newest first: id, host, started, finished, runs,
 *                     passed, failed (runs whose status is not passed)
 * Queries: run (every row, on purpose) with tier by run_id; sweep with run by
 * sweep_id. The file is built in memory: ~700 bytes a run, 15 MB for 22k runs.
 */
#include "pages.h"
#include "run_json.h"

static const char SQL_RUNS_JSON[] =
	"SELECT " SQL_RUN_JSON_OBJECT " FROM run r ORDER BY r.started DESC, r.id DESC";
static const char SQL_SWEEPS_JSON[] =
	"SELECT json_object('id', s.id, 'host', s.host,"
	" 'started', strftime('%Y-%m-%dT%H:%M:%SZ', s.started, 'unixepoch'),"
	" 'finished', strftime('%Y-%m-%dT%H:%M:%SZ', s.finished, 'unixepoch'),"
	" 'runs', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id),"
	" 'passed', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status = 'passed'),"
	" 'failed', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status <> 'passed'))"
	" FROM sweep s ORDER BY coalesce(s.started, 0) DESC, s.id DESC";

int json_array(struct render *r, const char *path, const char *sql)
{
	struct buf b = BUF_INIT;
	sqlite3_stmt *q = store_stmt(r->st, sql);
	int step, n = 0;
	buf_adds(&b, "[");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_adds(&b, n++ ? ",\n" : "\n");
		buf_add(&b, sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
	}
	sqlite3_reset(q);
	buf_adds(&b, "\n]\n");
	int rc;
	if (step != SQLITE_DONE) {
		rc = store_error(r->st, "exporting JSON");
	} else {
		struct url u;
		url_page(&u, path);
		rc = render_file(r, &u, b.data, b.len);
	}
	buf_release(&b);
	return rc;
}

int page_data(struct render *r)
{
	if (json_array(r, "data/runs.json", SQL_RUNS_JSON) < 0 ||
	    json_array(r, "data/sweeps.json", SQL_SWEEPS_JSON) < 0)
		return -1;
	return 0;
}
