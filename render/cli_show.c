/*
 * `ccr show RUN-ID [--json]`: one run: its metadata, tiers, every testcase with
 * its message, its files. --json prints one object: the run object of
 * render/run_json.h plus ref, harness_ref, source, files [{name, kind, tier,
 * size, lines, hash, error}] and testcases [{tier, classname, name, slug,
 * status, time (seconds), message, type, file, details, attempts}] in tier then
 * run order. Unknown id: exit 2.
 */
#include "run_json.h"
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/store.h"
#include "../lib/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char SQL_SHOW_JSON[] =
    "SELECT json_set(" SQL_RUN_JSON_OBJECT ", '$.ref', r.ref, '$.harness_ref', r.harness_ref,"
    " '$.source', r.source,"
    " '$.files', json((SELECT json_group_array(json_object('name', name, 'kind', kind,"
    "   'tier', tier, 'size', size, 'lines', lines, 'hash', hash, 'error', error))"
    "   FROM (SELECT * FROM file WHERE run_id = r.id ORDER BY name, kind))),"
    " '$.testcases', json((SELECT json_group_array(json_object('tier', tier,"
    "   'classname', classname, 'name', name, 'slug', slug, 'status', status,"
    "   'time', time_ms / 1000.0, 'message', message, 'type', type, 'file', file,"
    "   'details', details, 'attempts', json(attempts)))"
    "   FROM (SELECT tc.tier, t.classname, t.name, t.slug, tc.status, tc.time_ms, tc.message,"
    "     tc.type, tc.file, tc.details, tc.attempts FROM testcase tc"
    "     JOIN test t ON t.id = tc.test_id"
    "     LEFT JOIN tier ti ON ti.run_id = tc.run_id AND ti.name = tc.tier"
    "     WHERE tc.run_id = r.id ORDER BY ti.seq, tc.seq))))"
    " FROM run r WHERE r.id = :id";

static const char SQL_SHOW_RUN[] =
    "SELECT id, recipe, version, trigger_kind, sweep_id, external_id, host, mode, started,"
    " finished, exit_code, status, overlap, promote_outcome, promote_version, promote_reason,"
    " ref, harness_ref, source FROM run WHERE id = :id";
static const char SQL_SHOW_TIERS[] =
    "SELECT name, status, tests, failures, errors, skipped, reason FROM tier"
    " WHERE run_id = :id ORDER BY seq, name";
static const char SQL_SHOW_CASES[] =
    "SELECT tc.tier, t.classname, t.name, tc.status, tc.time_ms, tc.message FROM testcase tc"
    " JOIN test t ON t.id = tc.test_id"
    " LEFT JOIN tier ti ON ti.run_id = tc.run_id AND ti.name = tc.tier"
    " WHERE tc.run_id = :id ORDER BY ti.seq, tc.seq";
static const char SQL_SHOW_FILES[] =
    "SELECT name, size, lines, error FROM file WHERE run_id = :id ORDER BY name, kind";

static struct buf q = BUF_INIT;

static const char *Q(const char *s)
{
	return quote_text(s, strlen(s), &q);
}

static void field(const char *label, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) != SQLITE_NULL)
		printf("%-10s %s\n", label, Q(col_text(s, i)));
}

static void time_field(const char *label, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return;
	char iso[21];
	time_fmt_iso(sqlite3_column_int64(s, i), iso);
	printf("%-10s %s\n", label, iso);
}

/* a multi-line text indented, each line escaped */
static void indented(const char *text, const char *indent)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		printf("%s%s\n", indent, quote_text(text, n, &q));
		text += n + (nl ? 1 : 0);
	}
}

static int show_text(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SHOW_RUN);
	bind_text(s, ":id", id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return 1;
	}
	field("run", s, 0);
	field("recipe", s, 1);
	field("version", s, 2);
	field("trigger", s, 3);
	field("sweep", s, 4);
	field("external", s, 5);
	field("host", s, 6);
	field("mode", s, 7);
	time_field("started", s, 8);
	time_field("finished", s, 9);
	field("exit code", s, 10);
	field("status", s, 11);
	field("overlap", s, 12);
	field("promote", s, 13);
	field("promoted", s, 14);
	field("why", s, 15);
	field("ref", s, 16);
	field("harness", s, 17);
	field("source", s, 18);
	sqlite3_reset(s);

	printf("\ntiers\n");
	s = store_stmt(st, SQL_SHOW_TIERS);
	bind_text(s, ":id", id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		printf("  %-10s %-11s %lld tests, %lld failed, %lld errors, %lld skipped\n",
		       Q(col_text(s, 0)), col_text(s, 1), (long long)sqlite3_column_int64(s, 2),
		       (long long)sqlite3_column_int64(s, 3), (long long)sqlite3_column_int64(s, 4),
		       (long long)sqlite3_column_int64(s, 5));
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			indented(col_text(s, 6), "             ");
	}
	sqlite3_reset(s);

	printf("\ntestcases\n");
	s = store_stmt(st, SQL_SHOW_CASES);
	bind_text(s, ":id", id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *cls = col_text(s, 1);
		printf("  %-10s %-8s ", Q(col_text(s, 0)), col_text(s, 3));
		if (*cls)
			printf("%s::", Q(cls));
		printf("%s", Q(col_text(s, 2)));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			printf(" (%.3fs)", (double)sqlite3_column_int64(s, 4) / 1000.0);
		printf("\n");
		if (sqlite3_column_type(s, 5) != SQLITE_NULL)
			indented(col_text(s, 5), "                        ");
	}
	sqlite3_reset(s);

	printf("\nfiles\n");
	s = store_stmt(st, SQL_SHOW_FILES);
	bind_text(s, ":id", id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		printf("  %s  %lld bytes", Q(col_text(s, 0)),
		       (long long)sqlite3_column_int64(s, 1));
		if (sqlite3_column_type(s, 2) != SQLITE_NULL)
			printf(", %lld lines", (long long)sqlite3_column_int64(s, 2));
		if (sqlite3_column_type(s, 3) != SQLITE_NULL)
			printf("  REJECTED: %s", Q(col_text(s, 3)));
		printf("\n");
	}
	sqlite3_reset(s);
	return 0;
}

static int show_json(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SHOW_JSON);
	bind_text(s, ":id", id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		fwrite(sqlite3_column_text(s, 0), 1, (size_t)sqlite3_column_bytes(s, 0), stdout);
		fputc('\n', stdout);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 1;
	return rc == SQLITE_ROW ? 0 : store_error(st, "reading the run");
}

int cmd_show(int argc, char **argv)
{
	const char *id = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' || id)
			return usage_error("show RUN-ID [--json]");
		else
			id = argv[i];
	}
	if (!id)
		return usage_error("show RUN-ID [--json]");
	struct store *st = store_open(cli.db, STORE_READONLY);
	if (!st)
		return EXIT_USAGE;
	int rc = json ? show_json(st, id) : show_text(st, id);
	if (rc > 0)
		error("'%s': no such run", quote_name(id, strlen(id), &q));
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = error("stdout: write error");
	store_close(st);
	buf_release(&q);
	return rc ? EXIT_USAGE : EXIT_OK;
}
