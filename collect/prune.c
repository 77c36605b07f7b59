/*
 * prune: `ccr prune [--logs-older-than AGE] [--keep-logs N] [--vacuum]`.
 *
 * Drops the bytes of old logs from the store and keeps everything else: raw
 * JUnit, run.json, verdicts, testcases, signatures, classification. A run's logs
 * go when the run started before now - AGE and (with --keep-logs) it is not one
 * of the newest N runs of its recipe; with --keep-logs alone, every run but the
 * newest N per recipe. Blobs are shared by content: one still referenced by a
 * file of a kept run, or by a non-log file, stays. A pruned blob keeps its row
 * (hash, size, pruned_at) so log pages say "log pruned on <date>" at the same
 * URL; an ingest bringing the same bytes again restores them (store_put_blob).
 * One transaction; --vacuum then gives the freed pages back to the file system.
 */
#include "../lib/cli.h"
#include "../lib/msg.h"
#include "../lib/store.h"
#include "../lib/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char prune_usage[] = "prune [--logs-older-than AGE] [--keep-logs N] [--vacuum]\n"
				  "       AGE: a number and a unit, s m h d or w (90d, 12h)";

/* the runs whose logs go: every run matching each criterion given */
static const char SQL_PRUNE_RUNS[] =
	"CREATE TEMP TABLE prune_run(id TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TEMP TABLE prune_hash(hash TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TEMP TABLE keep_hash(hash TEXT PRIMARY KEY) WITHOUT ROWID;";
static const char SQL_PICK[] =
	"INSERT INTO prune_run SELECT id FROM"
	" (SELECT id, started, row_number() OVER"
	"   (PARTITION BY recipe ORDER BY started DESC, id DESC) AS k FROM run)"
	" WHERE (:cutoff IS NULL OR started < :cutoff) AND (:keep IS NULL OR k > :keep)";
/* scans file twice on purpose (no index on hash): linear, where a per-blob
 * NOT EXISTS would be files x blobs */
static const char SQL_HASHES[] =
	"INSERT OR IGNORE INTO prune_hash SELECT f.hash FROM file f"
	" WHERE f.kind = 'log' AND f.hash IS NOT NULL AND f.run_id IN (SELECT id FROM prune_run);"
	"INSERT OR IGNORE INTO keep_hash SELECT f.hash FROM file f WHERE f.hash IS NOT NULL"
	" AND (f.kind <> 'log' OR f.run_id NOT IN (SELECT id FROM prune_run));"
	"DELETE FROM prune_hash WHERE hash IN (SELECT hash FROM keep_hash);";
static const char SQL_COUNT[] = "SELECT count(*), coalesce(sum(size), 0) FROM blob"
				" WHERE pruned_at IS NULL AND hash IN (SELECT hash FROM prune_hash)";
static const char SQL_DROP[] = "UPDATE blob SET data = x'', pruned_at = :now"
			       " WHERE pruned_at IS NULL AND hash IN (SELECT hash FROM prune_hash)";

int cmd_prune(int argc, char **argv)
{
	int64_t age = -1, keep = -1;
	int vacuum = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		if (!strcmp(a, "--vacuum")) {
			vacuum = 1;
			continue;
		}
		if (!strcmp(a, "--logs-older-than") || !strcmp(a, "--keep-logs")) {
			if (i + 1 >= argc)
				return usage_error(prune_usage);
			v = argv[++i];
		} else if (!strncmp(a, "--logs-older-than=", 18)) {
			v = a + 18;
			a = "--logs-older-than";
		} else if (!strncmp(a, "--keep-logs=", 12)) {
			v = a + 12;
			a = "--keep-logs";
		} else {
			return usage_error(prune_usage);
		}
		if (!strcmp(a, "--logs-older-than")) {
			if ((age = time_parse_age(v)) < 0)
				return usage_error(prune_usage);
		} else {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (end == v || *end || n < 0)
				return usage_error(prune_usage);
			keep = n;
		}
	}
	if (age < 0 && keep < 0)
		return usage_error(prune_usage);

	int status = EXIT_USAGE;
	int64_t now = time_now();
	struct store *st = store_open(cli.db, STORE_CREATE);
	if (!st)
		return EXIT_USAGE;
	if (store_begin(st) < 0)
		goto out;
	if (store_exec(st, SQL_PRUNE_RUNS) < 0)
		goto rollback;
	sqlite3_stmt *q = store_stmt(st, SQL_PICK);
	if (age >= 0)
		bind_int(q, ":cutoff", now - age);
	else
		bind_null(q, ":cutoff");
	if (keep >= 0)
		bind_int(q, ":keep", keep);
	else
		bind_null(q, ":keep");
	if (store_step_done(st, q) < 0)
		goto rollback;
	int64_t runs = sqlite3_changes64(store_db(st));
	if (store_exec(st, SQL_HASHES) < 0)
		goto rollback;
	q = store_stmt(st, SQL_COUNT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		store_error(st, "counting logs");
		goto rollback;
	}
	int64_t blobs = sqlite3_column_int64(q, 0), bytes = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	q = store_stmt(st, SQL_DROP);
	bind_int(q, ":now", now);
	if (store_step_done(st, q) < 0)
		goto rollback;
	if (store_exec(st, "DROP TABLE prune_run; DROP TABLE prune_hash; DROP TABLE keep_hash") < 0)
		goto rollback;
	if (store_commit(st) < 0)
		goto out;
	if (verbosity >= 0)
		fprintf(stderr,
			"ccr: '%s': pruned %" PRId64 " log bodies (%" PRId64
			" bytes) of %" PRId64 " runs\n",
			cli.db, blobs, bytes, runs);
	if (vacuum && store_exec(st, "VACUUM") < 0)
		goto out;
	status = EXIT_OK;
	goto out;
rollback:
	store_rollback(st);
out:
	store_close(st);
	return status;
}
