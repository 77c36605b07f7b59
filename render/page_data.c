/*
 * page_data: the run and sweep JSON exports for scripts, written with sqlite's JSON
 * functions, one row at a time (each file holds a bounded slice of the history).
 *   data/runs/<YYYY-MM-DD>.json  the runs that started on that UTC day, newest first,
 *                             as `ccr runs --json` prints them (render/run_json.h);
 *                             only the days of runs in todo_run are rendered (every
 *                             day in a full render), so old days are never rewritten
 *   data/runs/index.json      one object per day file, newest first: day, url
 *                             (relative to data/), runs, passed, failed
 *   data/runs.json            the runs of the last RUNS_RECENT_DAYS days before the
 *                             newest run's start: exactly `ccr runs --json --since T`
 *                             with T = that start - RUNS_RECENT_DAYS days
 *   data/sweeps.json          every sweep, newest first: id, host, started, finished,
 *                             runs, passed, failed (runs whose status is not passed)
 * Queries: run by started (index run_started) with tier by run_id; the days of the
 * todo_run runs; the index reads every run's start and status (a scan of run, on
 * purpose: ~25k rows at a year of nightly sweeps, a few ms); sweep with run by
 * sweep_id (one row per sweep: small).
 */
#include "pages.h"
#include "run_json.h"

/* data/runs.json: a week of nightly sweeps, what a script polling the site needs (one
 * that missed a weekend too); older runs are in data/runs/<YYYY-MM-DD>.json. A week is
 * ~0.4 MB at 60 recipes (31 days were 1.8 MB, rewritten every night) */
#define RUNS_RECENT_DAYS 7
/* "YYYY-MM-DD" and its NUL */
#define DAY_SIZE 11

/* the same rows and order as cli_runs.c's SQL_RUNS_JSON with --since */
static const char SQL_RUNS_SINCE[] =
    "SELECT " SQL_RUN_JSON_OBJECT " FROM run r WHERE r.started >= :since"
    " ORDER BY r.started DESC, r.id DESC";
static const char SQL_NEWEST_START[] = "SELECT max(started) FROM run";
static const char SQL_RUNS_DAY[] =
    "SELECT " SQL_RUN_JSON_OBJECT " FROM run r"
    " WHERE r.started >= CAST(strftime('%s', :day) AS INTEGER)"
    " AND r.started < CAST(strftime('%s', :day, '+1 day') AS INTEGER)"
    " ORDER BY r.started DESC, r.id DESC";
/* every day with runs (a scan of index run_started, on purpose: full renders) */
static const char SQL_DAYS_ALL[] =
    "SELECT DISTINCT strftime('%Y-%m-%d', started, 'unixepoch') FROM run ORDER BY 1";
/* the days whose runs' objects may have changed: those of the new runs and of the
 * runs they overlapped (overlap counts), which started at most :span before the
 * earliest new run; todo_run's other runs (same sources, for badges) are older and
 * unchanged */
static const char SQL_DAYS_TODO[] =
    "SELECT DISTINCT strftime('%Y-%m-%d', r.started, 'unixepoch') FROM todo_run d"
    " CROSS JOIN run r ON r.id = d.id WHERE r.started >= (SELECT min(f.started)"
    "  FROM todo_run g CROSS JOIN run f ON f.id = g.id WHERE g.fresh) - :span ORDER BY 1";
/* data/runs/index.json: the day files (days past year 9999 have none) */
static const char SQL_RUNS_INDEX[] =
    "SELECT json_object('day', d, 'url', 'runs/' || d || '.json', 'runs', count(*),"
    " 'passed', sum(status = 'passed'), 'failed', sum(status <> 'passed'))"
    " FROM (SELECT strftime('%Y-%m-%d', started, 'unixepoch') AS d, status FROM run)"
    " WHERE length(d) = 10 GROUP BY d ORDER BY d DESC";
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

/* data/runs/<day>.json for every day the todo tables touch */
static int runs_days(struct render *r)
{
	sqlite3_stmt *q = store_stmt(r->st, r->full ? SQL_DAYS_ALL : SQL_DAYS_TODO);
	if (!r->full)
		bind_int(q, ":span", r->run_span);
	/* the days first (a short list), so each day's query runs on its own */
	struct buf days = BUF_INIT;
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_type(q, 0) == SQLITE_NULL ||
		    (size_t)sqlite3_column_bytes(q, 0) != DAY_SIZE - 1)
			continue; /* a start time beyond year 9999: no day file */
		buf_add(&days, sqlite3_column_text(q, 0), DAY_SIZE - 1);
		buf_addc(&days, '\0');
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_error(r->st, "listing the days of runs");
	for (size_t off = 0; !rc && off < days.len; off += DAY_SIZE) {
		const char *day = days.data + off;
		struct url u;
		url_runs_day(&u, day);
		q = store_stmt(r->st, SQL_RUNS_DAY);
		bind_text(q, ":day", day);
		rc = json_rows(r, &u, q);
	}
	buf_release(&days);
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
	if (json_rows(r, &u, q) < 0 || runs_days(r) < 0 ||
	    json_array(r, "data/runs/index.json", SQL_RUNS_INDEX) < 0 ||
	    json_array(r, "data/sweeps.json", SQL_SWEEPS_JSON) < 0)
		return -1;
	return 0;
}
