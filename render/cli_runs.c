/*
 * `ccr runs [--recipe R] [--since TIME] [--limit N] [--json]`: the archived runs,
 * newest first (started DESC, id DESC), with per-tier counts. --since keeps the
 * runs that started at or after TIME (a time_parse() time, or an age such as
 * "31d" back from now). --json prints one JSON array of run objects
 * (render/run_json.h), streamed row by row; data/runs.json is this with --since.
 */
#include "run_json.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/store.h"
#include "../lib/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char runs_usage[] = "runs [--recipe R] [--since TIME] [--limit N] [--json]";

/* uses index run_started (a range with --since); LIMIT -1 = all; :since is the
 * smallest int64 without --since */
static const char SQL_RUNS_JSON[] =
    "SELECT " SQL_RUN_JSON_OBJECT " FROM run r WHERE r.started >= :since"
    " AND (:recipe IS NULL OR r.recipe = :recipe) ORDER BY r.started DESC, r.id DESC LIMIT :limit";
static const char SQL_RUNS[] =
    "SELECT r.id, r.status, r.version, r.trigger_kind, r.started FROM run r"
    " WHERE r.started >= :since AND (:recipe IS NULL OR r.recipe = :recipe)"
    " ORDER BY r.started DESC, r.id DESC LIMIT :limit";
static const char SQL_RUN_TIERS[] =
    "SELECT name, status, tests, failures, errors FROM tier WHERE run_id = :id"
    " ORDER BY seq, name";

/* one tier as a short table cell: install=passed(12) upgrade=failed(2/10) */
static void tier_cell(struct buf *b, sqlite3_stmt *s, struct buf *q)
{
	const char *name = col_text(s, 0), *status = col_text(s, 1);
	long long tests = sqlite3_column_int64(s, 2), failures = sqlite3_column_int64(s, 3),
		  errors = sqlite3_column_int64(s, 4);
	if (b->len)
		buf_addc(b, ' ');
	buf_adds(b, quote_text(name, strlen(name), q));
	buf_addc(b, '=');
	if (!strcmp(status, "expected_na"))
		buf_adds(b, "n/a");
	else
		buf_adds(b, status);
	if (failures || errors)
		buf_addf(b, "(%lld/%lld)", failures + errors, tests);
	else if (tests)
		buf_addf(b, "(%lld)", tests);
}

static int print_text(struct store *st, const char *recipe, int64_t since, long long limit)
{
	sqlite3_stmt *s = store_stmt(st, SQL_RUNS);
	bind_text(s, ":recipe", recipe);
	bind_int(s, ":since", since);
	bind_int(s, ":limit", limit);
	struct buf q = BUF_INIT, cell = BUF_INIT, tiers = BUF_INIT;
	int rc, n = 0;
	/* the tier statement is another cached statement: stepping it does not reset s */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!n++)
			printf("%-40s %-14s %-20s %-9s %-16s %s\n", "RUN", "STATUS", "VERSION",
			       "TRIGGER", "STARTED", "TIERS (failed/tests)");
		char started[17];
		time_fmt_short(sqlite3_column_int64(s, 4), started);
		const char *id = col_text(s, 0), *version = col_text(s, 2);
		printf("%-40s ", quote_text(id, strlen(id), &q));
		printf("%-14s ", col_text(s, 1));
		printf("%-20s ", *version ? quote_text(version, strlen(version), &q) : "-");
		printf("%-9s %-16s ", col_text(s, 3), started);
		sqlite3_stmt *t = store_stmt(st, SQL_RUN_TIERS);
		bind_text(t, ":id", id);
		buf_reset(&tiers);
		while (sqlite3_step(t) == SQLITE_ROW)
			tier_cell(&tiers, t, &q);
		sqlite3_reset(t);
		printf("%s\n", buf_str(&tiers));
	}
	sqlite3_reset(s);
	buf_release(&q);
	buf_release(&cell);
	buf_release(&tiers);
	if (rc != SQLITE_DONE)
		return store_error(st, "listing runs");
	if (!n && verbosity >= 0)
		fprintf(stderr, "ccr: no runs%s\n", recipe ? " of this recipe" : "");
	return 0;
}

static int print_json(struct store *st, const char *recipe, int64_t since, long long limit)
{
	sqlite3_stmt *s = store_stmt(st, SQL_RUNS_JSON);
	bind_text(s, ":recipe", recipe);
	bind_int(s, ":since", since);
	bind_int(s, ":limit", limit);
	int rc, n = 0;
	fputs("[", stdout);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fputs(n++ ? ",\n" : "\n", stdout);
		fwrite(sqlite3_column_text(s, 0), 1, (size_t)sqlite3_column_bytes(s, 0), stdout);
	}
	sqlite3_reset(s);
	fputs(n ? "\n]\n" : "]\n", stdout);
	if (rc != SQLITE_DONE)
		return store_error(st, "listing runs");
	return 0;
}

int cmd_runs(int argc, char **argv)
{
	const char *recipe = NULL;
	long long limit = -1;
	int64_t since = INT64_MIN;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--recipe") && i + 1 < argc) {
			recipe = argv[++i];
		} else if (!strncmp(a, "--recipe=", 9)) {
			recipe = a + 9;
		} else if ((!strcmp(a, "--since") && i + 1 < argc) || !strncmp(a, "--since=", 8)) {
			const char *v = a[7] == '=' ? a + 8 : argv[++i];
			int64_t age = time_parse_age(v);
			if (age >= 0)
				since = time_now() - age;
			else if (time_parse(v, &since) < 0)
				return usage_error(
				    "--since takes a time (2026-06-18T00:17:30Z, 2026-06-18)"
				    " or an age (31d, 12h)");
		} else if ((!strcmp(a, "--limit") && i + 1 < argc) || !strncmp(a, "--limit=", 8)) {
			const char *v = a[7] == '=' ? a + 8 : argv[++i];
			char *end;
			limit = strtoll(v, &end, 10);
			if (!*v || *end || limit < 0)
				return usage_error("--limit takes a number >= 0");
		} else {
			return usage_error(runs_usage);
		}
	}
	struct store *st = store_open(cli.db, STORE_READONLY);
	if (!st)
		return EXIT_USAGE;
	int rc = json ? print_json(st, recipe, since, limit) : print_text(st, recipe, since, limit);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = error("stdout: write error");
	store_close(st);
	return rc < 0 ? EXIT_USAGE : EXIT_OK;
}
