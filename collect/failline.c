/* failline: the log line of every failure of the runs being derived (see derive.h) */
#include "derive.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/msg.h"
#include "../lib/runlogs.h"

int derive_failure_lines(struct store *st)
{
	static const char q_fail[] =
		"SELECT tc.run_id, tc.test_id, t.name, tc.message FROM d_run d"
		" CROSS JOIN testcase tc ON tc.run_id = d.id CROSS JOIN test t ON t.id = tc.test_id"
		" WHERE tc.status IN ('failed', 'error') ORDER BY tc.run_id";
	static const char q_put[] =
		"INSERT OR REPLACE INTO failure_line (run_id, test_id, log, line)"
		" VALUES (:run, :test, :log, :line)";
	struct runlogs logs = {BUF_INIT, BUF_INIT, BUF_INIT};
	char *loaded = NULL; /* the run whose logs are in `logs` */
	int rc = 0, step;
	sqlite3_stmt *q = store_stmt(st, q_fail);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *run = col_text(q, 0);
		if (!loaded || strcmp(loaded, run)) {
			free(loaded);
			loaded = xstrdup(run);
			if ((rc = runlogs_load(st, run, &logs)) < 0)
				break;
		}
		const char *message = col_text(q, 3), *log;
		int64_t line;
		int found = runlogs_find(&logs, col_text(q, 2), *message ? message : NULL, &log, &line);
		sqlite3_stmt *put = store_stmt(st, q_put);
		bind_text(put, ":run", run);
		bind_int(put, ":test", sqlite3_column_int64(q, 1));
		if (found) {
			bind_text(put, ":log", log);
			bind_int(put, ":line", line);
		}
		if ((rc = store_step_done(st, put)) < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_error(st, "listing failures");
	sqlite3_reset(q);
	free(loaded);
	runlogs_clear(&logs);
	return rc;
}
