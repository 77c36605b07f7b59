/*
 * page_data: the run and sweep JSON exports for scripts, written with sqlite's JSON
 * functions, one row at a time (each file holds a bounded slice of the history).
 *   data/runs/<YYYY-MM>.json  the runs that started in that UTC month, newest first,
 *                             as `ccr runs --json` prints them (render/run_json.h);
 *                             only the months of runs in todo_run are rendered (every
 *                             month in a full render), so old months are never rewritten
 *   data/runs.json            the runs of the last RUNS_RECENT_DAYS days before the
 *                             newest run's start: exactly `ccr runs --json --since T`
 *                             with T = that start - RUNS_RECENT_DAYS days
 *   data/sweeps.json          every sweep, newest first: id, host, started, finished,
 *                             runs, passed, failed (runs whose status is not passed)
 * Queries: run by started (index run_started) with tier by run_id; the months of the
 * todo_run runs; sweep with run by sweep_id (one row per sweep: small).
 */
#include "pages.h"
#include "run_json.h"

/* data/runs.json: a month of nightly sweeps, what a script polling the site needs;
 * older runs are in data/runs/<YYYY-MM>.json */
#define RUNS_RECENT_DAYS 31
/* "YYYY-MM" and its NUL */
#define MONTH_SIZE 8

/* the same rows and order as cli_runs.c's SQL_RUNS_JSON with --since */
static const char SQL_RUNS_SINCE[] =
    "SELECT " SQL_RUN_JSON_OBJECT " FROM run r WHERE r.started >= :since"
    " ORDER BY r.started DESC, r.id DESC";
static const char SQL_NEWEST_START[] = "SELECT max(started) FROM run";
static const char SQL_RUNS_MONTH[] =
    "SELECT " SQL_RUN_JSON_OBJECT " FROM run r"
    " WHERE r.started >= CAST(strftime('%s', :month || '-01') AS INTEGER)"
    " AND r.started < CAST(strftime('%s', :month || '-01', '+1 month') AS INTEGER)"
    " ORDER BY r.started DESC, r.id DESC";
/* every month with runs (a scan of index run_started, on purpose: full renders) */
static const char SQL_MONTHS_ALL[] =
    "SELECT DISTINCT strftime('%Y-%m', started, 'unixepoch') FROM run ORDER BY 1";
/* the months whose runs' objects may have changed: those of the new runs and of the
 * runs they overlapped (overlap counts), which started at most :span before the
 * earliest new run; todo_run's other runs (same sources, for badges) are older and
 * unchanged */
static const char SQL_MONTHS_TODO[] =
    "SELECT DISTINCT strftime('%Y-%m', r.started, 'unixepoch') FROM todo_run d"
    " CROSS JOIN run r ON r.id = d.id WHERE r.started >= (SELECT min(f.started)"
    "  FROM todo_run g CROSS JOIN run f ON f.id = g.id WHERE g.fresh) - :span ORDER BY 1";
static const char SQL_SWEEPS_JSON[] =
    "SELECT json_object('id', s.id, 'host', s.host,"
    " 'started', strftime('%Y-%m-%dT%H:%M:%SZ', s.started, 'unixepoch'),"
    " 'finished', strftime('%Y-%m-%dT%H:%M:%SZ', s.finished, 'unixepoch'),"
    " 'runs', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id),"
    " 'passed', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status = 'passed'),"
    " 'failed', (SELECT count(*) FROM run r WHERE r.sweep_id = s.id AND r.status <> 'passed'))"
    " FROM sweep s ORDER BY coalesce(s.started, 0) DESC, s.id DESC";

int json_add_rows(struct render *r, struct buf *b, long *n, sqlite3_stmt *q)
{
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		buf_adds(b, (*n)++ ? ",\n" : "[\n");
		buf_add(b, sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
	}
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_error(r->st, "exporting JSON");
}

int json_end(struct render *r, const struct url *u, struct buf *b, long n)
{
	buf_adds(b, n ? "\n]\n" : "[]\n"); /* as `ccr runs --json` prints them */
	int rc = render_file(r, u, b->data, b->len);
	buf_release(b);
	return rc;
}

int json_rows(struct render *r, const struct url *u, sqlite3_stmt *q)
{
	struct buf b = BUF_INIT;
	long n = 0;
	if (json_add_rows(r, &b, &n, q) < 0) {
		buf_release(&b);
		return -1;
	}
	return json_end(r, u, &b, n);
}

int json_array(struct render *r, const char *path, const char *sql)
{
	struct url u;
	url_page(&u, path);
	return json_rows(r, &u, store_stmt(r->st, sql));
}

/* data/runs/<month>.json for every month the todo tables touch */
static int runs_months(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, r->full ? SQL_MONTHS_ALL : SQL_MONTHS_TODO);
	if (!r->full)
		bind_int(q, ":span", r->run_span);
	/* the months first (a short list), so each month's query runs on its own */
	struct buf months = BUF_INIT;
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_type(q, 0) == SQLITE_NULL ||
		    (size_t)sqlite3_column_bytes(q, 0) != MONTH_SIZE - 1)
			continue; /* a start time beyond year 9999: no month file */
		buf_add(&months, sqlite3_column_text(q, 0), MONTH_SIZE - 1);
		buf_addc(&months, '\0');
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing the months of runs");
	for (size_t off = 0; !rc && off < months.len; off += MONTH_SIZE) {
		const char *month = months.data + off;
		struct url u;
		url_runs_month(&u, month);
		q = store_stmt(r->st, SQL_RUNS_MONTH);
		bind_text(q, ":month", month);
		rc = json_rows(r, &u, q);
	}
	buf_release(&months);
	return rc;
}

int page_data(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, SQL_NEWEST_START);
	if (sqlite3_step(q) != SQLITE_ROW)
		return store_error(r->st, "reading the newest run");
	int64_t newest = sqlite3_column_int64(q, 0); /* 0 without runs (none to list) */
	sqlite3_reset(q);
	struct url u;
	url_page(&u, "data/runs.json");
	q = store_stmt(r->st, SQL_RUNS_SINCE);
	bind_int(q, ":since", newest - (int64_t)RUNS_RECENT_DAYS * 86400);
	if (json_rows(r, &u, q) < 0 || runs_months(r) < 0 ||
	    json_array(r, "data/sweeps.json", SQL_SWEEPS_JSON) < 0)
		return -1;
	return 0;
}
