/* unit tests of render/logfind.c: a failure's line in its run's logs */
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
	CHECK_INT(logfind(&lf, "run-a", "test_thing", NULL, &log, &line), 1);
	CHECK_STR(log, "logs/b.log");
	CHECK_INT(line, 3);
	free(log);
	CHECK_INT(logfind(&lf, "run-b", "test_thing", "relation \"ci_marker\" does not exist\ntraceback...", &log, &line), 1);
	CHECK_STR(log, "logs/h.log");
	CHECK_INT(line, 2);
	free(log);
	/* not found: the top of the harness log, before the others by name */
	CHECK_INT(logfind(&lf, "run-c", "test_thing", "boom", &log, &line), 0);
	CHECK_STR(log, "logs/harness.log");
	CHECK_INT(line, 0);
	free(log);
	/* a run without logs: no link at all */
	CHECK_INT(logfind(&lf, "run-none", "test_thing", NULL, &log, &line), 0);
	CHECK(log == NULL);
	/* the answer for a run is remembered on the page */
	CHECK_INT(logfind(&lf, "run-a", "other", NULL, &log, &line), 1);
	CHECK_INT(line, 3);
	free(log);
	/* the per-page budget: once spent, the top of the first log */
	logfind_page(&lf);
	for (int i = 0; i < LOGFIND_PER_PAGE; i++) {
		char id[32];
		snprintf(id, sizeof(id), "run-x%d", i);
		logfind(&lf, id, "test_thing", NULL, &log, &line);
		free(log);
	}
	CHECK_INT(logfind(&lf, "run-a", "test_thing", NULL, &log, &line), 0);
	CHECK_STR(log, "logs/a.log");
	free(log);
	logfind_page(&lf);
	CHECK_INT(logfind(&lf, "run-a", "test_thing", NULL, &log, &line), 1);
	free(log);
	logfind_release(&lf);
	store_close(st);
}
