/* unit tests of render/logfind.c and lib/runlogs.c: a failure's line in its run's logs */
#include "t.h"
#include "../../lib/store.h"
#include "../../render/logfind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char lf_run_sql[] =
	"INSERT INTO run (id, recipe, trigger_kind, started, status, manifest_hash, ingested_at)"
	" VALUES (:id, 'r', 'manual', 0, 'failed', 'x', 0)";
static const char lf_file_sql[] =
	"INSERT INTO file (run_id, kind, name, hash, size) VALUES (:id, 'log', :name, :hash, :size)";

static void lf_add_log(struct store *st, const char *run, const char *name, const char *text)
{
	char hash[65];
	CHECK_INT(store_put_blob(st, text, strlen(text), hash), 0);
	sqlite3_stmt *s = store_stmt(st, lf_file_sql);
	bind_text(s, ":id", run);
	bind_text(s, ":name", name);
	bind_text(s, ":hash", hash);
	bind_int(s, ":size", (int64_t)strlen(text));
	CHECK_INT(store_step_done(st, s), 0);
}

static void lf_add_run(struct store *st, const char *run)
{
	sqlite3_stmt *s = store_stmt(st, lf_run_sql);
	bind_text(s, ":id", run);
	CHECK_INT(store_step_done(st, s), 0);
}

TEST(logfind_lines_across_logs)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/lf.db", t_tmpdir());
	struct store *st = store_open(path, STORE_CREATE);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_INT(store_begin(st), 0);
	lf_add_run(st, "run-a");
	lf_add_run(st, "run-b");
	lf_add_run(st, "run-c");
	/* a.log is searched first (by name); the test shows in b.log at line 3 */
	lf_add_log(st, "run-a", "logs/a.log", "one\ntwo\nthree\n");
	lf_add_log(st, "run-a", "logs/b.log", "x\ny\nFAILED test_mod.py::test_thing - boom\nz\n");
	/* the message's first line is found before the name when it comes first */
	lf_add_log(st, "run-b", "logs/h.log", "a\nE   relation \"ci_marker\" does not exist\nb\ntest_thing\n");
	lf_add_log(st, "run-c", "logs/app.log", "nothing here\n");
	lf_add_log(st, "run-c", "logs/harness.log", "nor here\n");
	CHECK_INT(store_commit(st), 0);

	struct logfind lf;
	logfind_init(&lf, st);
	char *log;
	int64_t line;
	CHECK_INT(logfind(&lf, "run-a", 1, "test_thing", NULL, &log, &line), 1);
	CHECK_STR(log, "logs/b.log");
	CHECK_INT(line, 3);
	free(log);
	CHECK_INT(logfind(&lf, "run-b", 1, "test_thing", "relation \"ci_marker\" does not exist\ntraceback...", &log, &line), 1);
	CHECK_STR(log, "logs/h.log");
	CHECK_INT(line, 2);
	free(log);
	/* not found: the top of the harness log, before the others by name */
	CHECK_INT(logfind(&lf, "run-c", 1, "test_thing", "boom", &log, &line), 0);
	CHECK_STR(log, "logs/harness.log");
	CHECK_INT(line, 0);
	free(log);
	/* a run without logs: no link at all */
	CHECK_INT(logfind(&lf, "run-none", 1, "test_thing", NULL, &log, &line), 0);
	CHECK(log == NULL);
	/* the answer for a run is remembered on the page */
	CHECK_INT(logfind(&lf, "run-a", 1, "other", NULL, &log, &line), 1);
	CHECK_INT(line, 3);
	free(log);
	/* the per-page budget: once spent, the top of the first log */
	logfind_page(&lf);
	for (int i = 0; i < LOGFIND_PER_PAGE; i++) {
		char id[32];
		snprintf(id, sizeof(id), "run-x%d", i);
		logfind(&lf, id, 1, "test_thing", NULL, &log, &line);
		free(log);
	}
	CHECK_INT(logfind(&lf, "run-a", 1, "test_thing", NULL, &log, &line), 0);
	CHECK_STR(log, "logs/a.log");
	free(log);
	logfind_page(&lf);
	CHECK_INT(logfind(&lf, "run-a", 1, "test_thing", NULL, &log, &line), 1);
	free(log);
	logfind_release(&lf);

	/* lines the collector recorded are used as they are, beyond the page's budget */
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_exec(st, "INSERT INTO failure_line VALUES ('run-a', 7, 'logs/a.log', 2),"
				 " ('run-b', 7, NULL, NULL), ('run-c', 7, 'logs/app.log', 1)"), 0);
	CHECK_INT(store_commit(st), 0);
	logfind_init(&lf, st);
	lf.budget = 0;
	CHECK_INT(logfind(&lf, "run-a", 7, "test_thing", NULL, &log, &line), 1);
	CHECK_STR(log, "logs/a.log");
	CHECK_INT(line, 2);
	free(log);
	/* recorded as shown nowhere: the top of the first log, no search */
	CHECK_INT(logfind(&lf, "run-b", 7, "test_thing", NULL, &log, &line), 0);
	CHECK_STR(log, "logs/h.log");
	free(log);
	/* a recorded log pruned since: searched again among the logs left */
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_exec(st, "UPDATE blob SET pruned_at = 1, data = x'' WHERE hash IN"
				 " (SELECT hash FROM file WHERE run_id = 'run-c' AND name = 'logs/app.log')"), 0);
	CHECK_INT(store_commit(st), 0);
	lf.budget = 1;
	CHECK_INT(logfind(&lf, "run-c", 7, "test_thing", "nor here", &log, &line), 1);
	CHECK_STR(log, "logs/harness.log");
	CHECK_INT(line, 1);
	free(log);
	logfind_release(&lf);
	store_close(st);
}

TEST(runlogs_find_first_of_name_or_message)
{
	struct runlogs c = {BUF_INIT, BUF_INIT, BUF_INIT};
	const char *names = "logs/harness.log\0logs/app.log";
	buf_add(&c.names, names, strlen(names) + 1 + strlen("logs/app.log") + 1);
	const char *a = "start\nE  AssertionError: expected 3\n", *b = "x\ntest_widget ok\n";
	buf_add(&c.data, a, strlen(a));
	buf_addc(&c.data, '\0');
	size_t end = c.data.len - 1;
	buf_add(&c.ends, &end, sizeof(end));
	buf_add(&c.data, b, strlen(b));
	buf_addc(&c.data, '\0');
	end = c.data.len - 1;
	buf_add(&c.ends, &end, sizeof(end));
	const char *log;
	int64_t line;
	/* the message (first line only) shows first, in the first log */
	CHECK_INT(runlogs_find(&c, "test_widget", "AssertionError: expected 3\nmore", &log, &line), 1);
	CHECK_STR(log, "logs/harness.log");
	CHECK_INT(line, 2);
	/* the name, in the second log, counted from that log's first line */
	CHECK_INT(runlogs_find(&c, "test_widget", NULL, &log, &line), 1);
	CHECK_STR(log, "logs/app.log");
	CHECK_INT(line, 2);
	/* needles shorter than RUNLOGS_MIN_NEEDLE match nothing */
	CHECK_INT(runlogs_find(&c, "x", "start", &log, &line), 0);
	runlogs_clear(&c);
}
