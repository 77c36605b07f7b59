/* unit tests of classification (collect/derive.c): small stores written with SQL */
#include "t.h"
#include "../../collect/collect.h"
#include "../../collect/derive.h"
#include "../../lib/buf.h"
#include "../../lib/store.h"

#include <stdio.h>
#include <string.h>

static struct store *cl_open(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/ccr.db", t_tmpdir());
	return store_open(path, STORE_CREATE);
}

/* base time of the scripted histories: 2026-06-17T00:00:00Z */
#define T0 1781654400

struct cl_run {
	const char *id, *recipe, *version, *harness, *trigger, *sweep;
	int64_t started;
	int overlap;
	const char *status;	/* run.status; NULL = 'passed' */
};

static void cl_add_run(struct store *st, const struct cl_run *r)
{
	static const char q_sweep[] = "INSERT OR IGNORE INTO sweep (id) VALUES (:id)";
	static const char q[] =
		"INSERT INTO run (id, recipe, version, harness_ref, host, trigger_kind, sweep_id,"
		" started, finished, overlap, status, manifest_hash, ingested_at)"
		" VALUES (:id, :recipe, :version, :harness, 'node1', :trigger, :sweep, :started,"
		" :started + 600, :overlap, :status, 'x', 0)";
	if (r->sweep) {
		sqlite3_stmt *s = store_stmt(st, q_sweep);
		bind_text(s, ":id", r->sweep);
		CHECK_INT(store_step_done(st, s), 0);
	}
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":id", r->id);
	bind_text(s, ":recipe", r->recipe);
	bind_text(s, ":version", r->version);
	bind_text(s, ":harness", r->harness);
	bind_text(s, ":trigger", r->trigger ? r->trigger : (r->sweep ? "sweep" : "manual"));
	bind_text(s, ":sweep", r->sweep);
	bind_int(s, ":started", r->started);
	bind_int(s, ":overlap", r->overlap);
	bind_text(s, ":status", r->status ? r->status : "passed");
	CHECK_INT(store_step_done(st, s), 0);
}

/* one testcase; its test is created on first use */
static void cl_add_tc(struct store *st, const char *run, const char *tier, const char *name,
		      const char *status, const char *message)
{
	static const char q_test[] =
		"INSERT OR IGNORE INTO test (recipe, tier, classname, name, slug)"
		" SELECT recipe, :tier, 'tests.t', :name, :name FROM run WHERE id = :run";
	static const char q[] =
		"INSERT INTO testcase (run_id, test_id, tier, seq, status, message)"
		" SELECT :run, t.id, :tier, 0, :status, :message FROM test t, run r"
		"  WHERE r.id = :run AND t.recipe = r.recipe AND t.tier = :tier"
		"    AND t.classname = 'tests.t' AND t.name = :name";
	sqlite3_stmt *s = store_stmt(st, q_test);
	bind_text(s, ":tier", tier);
	bind_text(s, ":name", name);
	bind_text(s, ":run", run);
	CHECK_INT(store_step_done(st, s), 0);
	s = store_stmt(st, q);
	bind_text(s, ":run", run);
	bind_text(s, ":tier", tier);
	bind_text(s, ":name", name);
	bind_text(s, ":status", status);
	bind_text(s, ":message", message);
	CHECK_INT(store_step_done(st, s), 0);
	CHECK_INT(sqlite3_changes(store_db(st)), 1);
}

struct cl_got {
	char state[32], evidence[400], runs[400], since[64], prev[64], sig[16];
	int load, passes, failures, ipasses, ifailures, excluded, regression, found;
};

/* the classification of (recipe, test name) at version (and harness ref, '' = none) */
static struct cl_got cl_get(struct store *st, const char *recipe, const char *name,
			    const char *version, const char *harness)
{
	static const char q[] =
		"SELECT c.state, c.load, c.passes, c.failures, c.isolated_passes,"
		"       c.isolated_failures, c.excluded, c.regression, c.evidence, c.runs,"
		"       coalesce(c.failing_since, ''), coalesce(c.prev_version, ''),"
		"       coalesce(c.signature, '')"
		"  FROM classification c JOIN test t ON t.id = c.test_id"
		" WHERE c.recipe = :recipe AND t.name = :name AND c.version = :version"
		"   AND c.harness_ref = :harness";
	struct cl_got g;
	memset(&g, 0, sizeof(g));
	sqlite3_stmt *s = store_stmt(st, q);
	bind_text(s, ":recipe", recipe);
	bind_text(s, ":name", name);
	bind_text(s, ":version", version);
	bind_text(s, ":harness", harness);
	if (sqlite3_step(s) == SQLITE_ROW) {
		g.found = 1;
		snprintf(g.state, sizeof(g.state), "%s", col_text(s, 0));
		g.load = sqlite3_column_int(s, 1);
		g.passes = sqlite3_column_int(s, 2);
		g.failures = sqlite3_column_int(s, 3);
		g.ipasses = sqlite3_column_int(s, 4);
		g.ifailures = sqlite3_column_int(s, 5);
		g.excluded = sqlite3_column_int(s, 6);
		g.regression = sqlite3_column_int(s, 7);
		snprintf(g.evidence, sizeof(g.evidence), "%s", col_text(s, 8));
		snprintf(g.runs, sizeof(g.runs), "%s", col_text(s, 9));
		snprintf(g.since, sizeof(g.since), "%s", col_text(s, 10));
		snprintf(g.prev, sizeof(g.prev), "%s", col_text(s, 11));
		snprintf(g.sig, sizeof(g.sig), "%s", col_text(s, 12));
	}
	sqlite3_reset(s);
	return g;
}

static int64_t cl_count(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	return n;
}

TEST(classify_one_run_only)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-a", "a", "1.0.0+1", NULL, NULL, "s1", T0, 3, "failed"});
	cl_add_tc(st, "r1-a", "install", "test_ok", "passed", NULL);
	cl_add_tc(st, "r1-a", "restore", "test_restore", "failed",
		  "relation \"ci_marker\" does not exist");
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "a", "test_restore", "1.0.0+1", "");
	CHECK_STR(g.state, "new");
	CHECK_INT(g.failures, 1);
	CHECK_INT(g.passes, 0);
	CHECK_STR(g.runs, "[\"r1-a\"]");
	CHECK_STR(g.evidence, "new: failed its only run at 1.0.0+1, with 3 runs overlapping; not "
			      "yet known: an isolation re-run will tell");
	CHECK_INT(strlen(g.sig), 12);
	g = cl_get(st, "a", "test_ok", "1.0.0+1", "");
	CHECK_STR(g.state, "passing");
	CHECK_STR(g.evidence, "passing: passed 1 of 1 run at 1.0.0+1");
	/* nothing new: a second call changes nothing (derived_at would move with $CCR_NOW) */
	static const char fp[] = "SELECT count(*) * 1000 + sum(length(evidence) + seq + derived_at)"
				 "  FROM classification, derived_run";
	int64_t before = cl_count(st, fp);
	CHECK_INT(collect_after(st), 0);
	CHECK_INT(cl_count(st, fp), before);
	store_close(st);
}

TEST(classify_deterministic_with_isolation)
{
	struct store *st = cl_open();
	const char *v = "2.1.9+10.11.15";
	cl_add_run(st, &(struct cl_run){"r1-m", "m", v, NULL, NULL, "s1", T0, 5, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-m", "m", v, NULL, NULL, "s2", T0 + 86400, 4, "failed"});
	cl_add_tc(st, "r1-m", "restore", "test_restore", "failed", "relation \"ci_marker\" does not exist");
	cl_add_tc(st, "r2-m", "restore", "test_restore", "error", "relation \"ci_marker\" does not exist");
	CHECK_INT(collect_after(st), 0);
	CHECK_STR(cl_get(st, "m", "test_restore", v, "").state, "deterministic");
	/* the isolation re-run, collected later: counted, and said so */
	cl_add_run(st, &(struct cl_run){"r3-m", "m", v, NULL, "isolation", NULL, T0 + 90000, 0, "failed"});
	cl_add_tc(st, "r3-m", "restore", "test_restore", "failed", "relation \"ci_marker\" does not exist");
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "m", "test_restore", v, "");
	CHECK_STR(g.state, "deterministic");
	CHECK_INT(g.failures, 3);
	CHECK_INT(g.ifailures, 1);
	CHECK_STR(g.evidence, "deterministic: 3 of 3 runs at 2.1.9+10.11.15 failed, 1 of them in isolation");
	CHECK_STR(g.runs, "[\"r1-m\",\"r2-m\",\"r3-m\"]");
	CHECK_STR(g.since, v);
	CHECK_INT(g.regression, 0);
	store_close(st);
}

TEST(classify_load_flake_and_plain_flake)
{
	struct store *st = cl_open();
	const char *v = "1.0.0+v1.6.870-0";
	/* mumble: red only in a heavy sweep, green twice alone */
	cl_add_run(st, &(struct cl_run){"r1-mu", "mumble", v, NULL, NULL, "s1", T0, 5, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-mu", "mumble", v, NULL, "isolation", NULL, T0 + 100, 0, NULL});
	cl_add_run(st, &(struct cl_run){"r3-mu", "mumble", v, NULL, "isolation", NULL, T0 + 200, 0, NULL});
	cl_add_tc(st, "r1-mu", "custom", "test_handshake", "failed", "handshake timed out after 60.0s");
	cl_add_tc(st, "r2-mu", "custom", "test_handshake", "passed", NULL);
	cl_add_tc(st, "r3-mu", "custom", "test_handshake", "passed", NULL);
	/* x: failed alone once, passed in a sweep: flaky, not a load flake */
	cl_add_run(st, &(struct cl_run){"r1-x", "x", "1.0.0", NULL, "manual", NULL, T0, 0, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-x", "x", "1.0.0", NULL, NULL, "s1", T0 + 10, 2, NULL});
	cl_add_tc(st, "r1-x", "custom", "test_t", "failed", "boom");
	cl_add_tc(st, "r2-x", "custom", "test_t", "passed", NULL);
	/* y: failed and passed, both under load, never alone: flaky, load not shown */
	cl_add_run(st, &(struct cl_run){"r1-y", "y", "1.0.0", NULL, NULL, "s1", T0, 2, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-y", "y", "1.0.0", NULL, NULL, "s2", T0 + 86400, 3, NULL});
	cl_add_tc(st, "r1-y", "custom", "test_t", "failed", "boom");
	cl_add_tc(st, "r2-y", "custom", "test_t", "passed", NULL);
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "mumble", "test_handshake", v, "");
	CHECK_STR(g.state, "flaky");
	CHECK_INT(g.load, 1);
	CHECK_INT(g.passes, 2);
	CHECK_INT(g.ipasses, 2);
	CHECK_STR(g.evidence, "load flake: failed 1 of 3, only with 5 runs overlapping; passed 2 of 2 "
			      "alone at 1.0.0+v1.6.870-0");
	g = cl_get(st, "x", "test_t", "1.0.0", "");
	CHECK_STR(g.state, "flaky");
	CHECK_INT(g.load, 0);
	g = cl_get(st, "y", "test_t", "1.0.0", "");
	CHECK_STR(g.state, "flaky");
	CHECK_INT(g.load, 0);
	CHECK_STR(g.evidence, "flaky: failed 1 of 2 at 1.0.0, passed 1");
	store_close(st);
}

TEST(classify_version_change_fixed_regression)
{
	struct store *st = cl_open();
	/* non-semver first, then semver: 1.14.1-rootless_1 < 2.1.9 < 2.1.10 < 2.1.11 */
	struct cl_run runs[] = {
		{"r0-m", "m", "1.14.1-rootless_1", NULL, NULL, "s0", T0 - 86400, 0, NULL},
		{"r1-m", "m", "2.1.9", NULL, NULL, "s1", T0, 1, "failed"},
		{"r2-m", "m", "2.1.9", NULL, NULL, "s2", T0 + 86400, 1, "failed"},
		{"r3-m", "m", "2.1.10", NULL, NULL, "s3", T0 + 2 * 86400, 1, NULL},
		{"r4-m", "m", "2.1.10", NULL, NULL, "s4", T0 + 3 * 86400, 1, NULL},
		{"r5-m", "m", "2.1.11", NULL, NULL, "s5", T0 + 4 * 86400, 1, "failed"},
	};
	/* stored out of order, in two collects: the history is still read by version */
	int order[] = {3, 5, 0, 1, 2, 4};
	for (int k = 0; k < 6; k++) {
		struct cl_run *r = &runs[order[k]];
		cl_add_run(st, r);
		int fails = !strcmp(r->version, "2.1.9") || !strcmp(r->version, "2.1.11");
		cl_add_tc(st, r->id, "restore", "test_restore", fails ? "failed" : "passed",
			  fails ? "relation \"ci_marker\" does not exist" : NULL);
		if (k == 2)
			CHECK_INT(collect_after(st), 0);
	}
	CHECK_INT(collect_after(st), 0);
	CHECK_STR(cl_get(st, "m", "test_restore", "1.14.1-rootless_1", "").state, "passing");
	struct cl_got g = cl_get(st, "m", "test_restore", "2.1.9", "");
	CHECK_STR(g.state, "deterministic");
	CHECK_INT(g.regression, 1);
	CHECK_STR(g.prev, "1.14.1-rootless_1");
	CHECK_STR(g.evidence, "deterministic: 2 of 2 runs at 2.1.9 failed, 0 of them in isolation; a "
			      "regression: passed at 1.14.1-rootless_1");
	g = cl_get(st, "m", "test_restore", "2.1.10", "");
	CHECK_STR(g.state, "fixed");
	CHECK_STR(g.evidence, "fixed: passed 2 of 2 runs at 2.1.10; failed at 2.1.9");
	g = cl_get(st, "m", "test_restore", "2.1.11", "");
	CHECK_STR(g.state, "new");
	CHECK_INT(g.regression, 1);
	CHECK_STR(g.prev, "2.1.10");
	CHECK_STR(g.since, "2.1.11");
	/* a version with only passes after a passing one is passing, not fixed again */
	cl_add_run(st, &(struct cl_run){"r6-m", "m", "2.1.12", NULL, NULL, "s6", T0 + 5 * 86400, 1, NULL});
	cl_add_tc(st, "r6-m", "restore", "test_restore", "passed", NULL);
	cl_add_run(st, &(struct cl_run){"r7-m", "m", "2.1.13", NULL, NULL, "s7", T0 + 6 * 86400, 1, NULL});
	cl_add_tc(st, "r7-m", "restore", "test_restore", "passed", NULL);
	CHECK_INT(collect_after(st), 0);
	CHECK_STR(cl_get(st, "m", "test_restore", "2.1.12", "").state, "fixed");
	CHECK_STR(cl_get(st, "m", "test_restore", "2.1.13", "").state, "passing");
	store_close(st);
}

TEST(classify_failing_streak_across_versions)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-d", "d", "0.8.0+3.5.0", NULL, NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-d", "d", "0.8.1+3.5.0", NULL, NULL, "s2", T0 + 86400, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r3-d", "d", "0.8.1+3.5.0", NULL, NULL, "s3", T0 + 2 * 86400, 1, "failed"});
	for (int i = 1; i <= 3; i++) {
		char id[16];
		snprintf(id, sizeof(id), "r%d-d", i);
		cl_add_tc(st, id, "upgrade", "test_head_official", "failed", "app image is bitnamilegacy/discourse:3.5.0");
	}
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "d", "test_head_official", "0.8.1+3.5.0", "");
	CHECK_STR(g.state, "deterministic");
	CHECK_STR(g.since, "0.8.0+3.5.0");
	CHECK_INT(g.regression, 0);
	CHECK_STR(g.evidence, "deterministic: 2 of 2 runs at 0.8.1+3.5.0 failed, 0 of them in "
			      "isolation; failing since 0.8.0+3.5.0");
	store_close(st);
}

TEST(classify_harness_ref_change_is_not_flakiness)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-k", "k", "1.0.0", "aaaa1111", NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-k", "k", "1.0.0", "bbbb2222", NULL, "s2", T0 + 86400, 1, NULL});
	cl_add_run(st, &(struct cl_run){"r3-k", "k", "1.0.0", "bbbb2222", NULL, "s3", T0 + 2 * 86400, 1, NULL});
	cl_add_tc(st, "r1-k", "install", "test_t", "failed", "boom");
	cl_add_tc(st, "r2-k", "install", "test_t", "passed", NULL);
	cl_add_tc(st, "r3-k", "install", "test_t", "passed", NULL);
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "k", "test_t", "1.0.0", "aaaa1111");
	CHECK_STR(g.state, "new");
	CHECK_STR(g.evidence, "new: failed its only run at 1.0.0 (harness aaaa1111), with 1 run "
			      "overlapping; not yet known: an isolation re-run will tell");
	g = cl_get(st, "k", "test_t", "1.0.0", "bbbb2222");
	CHECK_STR(g.state, "fixed");
	CHECK_INT(g.failures, 0);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM classification WHERE state = 'flaky'"), 0);
	store_close(st);
}

TEST(classify_skips_expected_na_and_promote_failed)
{
	struct store *st = cl_open();
	/* skips and xfails are not outcomes: one failure among them is still new */
	cl_add_run(st, &(struct cl_run){"r1-s", "s", "1.0.0", NULL, NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-s", "s", "1.0.0", NULL, NULL, "s2", T0 + 86400, 1, NULL});
	cl_add_run(st, &(struct cl_run){"r3-s", "s", "1.0.0", NULL, NULL, "s3", T0 + 2 * 86400, 1, NULL});
	cl_add_tc(st, "r1-s", "custom", "test_t", "failed", "boom");
	cl_add_tc(st, "r2-s", "custom", "test_t", "skipped", "not today");
	cl_add_tc(st, "r3-s", "custom", "test_t", "xfail", "known");
	cl_add_tc(st, "r2-s", "custom", "test_only_skipped", "skipped", NULL);
	/* an expected-NA tier: a tier row, no testcases */
	CHECK_INT(store_exec(st, "INSERT INTO tier (run_id, name, seq, status) VALUES"
				 " ('r2-s', 'upgrade', 1, 'expected_na')"), 0);
	/* bluesky-pds: every tier green, the promote failed */
	cl_add_run(st, &(struct cl_run){"r1-b", "b", "0.3.0+v0.4.219", NULL, NULL, "s1", T0, 1, "promote_failed"});
	cl_add_run(st, &(struct cl_run){"r2-b", "b", "0.3.0+v0.4.219", NULL, "isolation", NULL, T0 + 99, 0, "promote_failed"});
	cl_add_tc(st, "r1-b", "install", "test_install", "passed", NULL);
	cl_add_tc(st, "r2-b", "install", "test_install", "passed", NULL);
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "s", "test_t", "1.0.0", "");
	CHECK_STR(g.state, "new");
	CHECK_INT(g.passes + g.failures, 1);
	CHECK(!cl_get(st, "s", "test_only_skipped", "1.0.0", "").found);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM classification WHERE tier = 'upgrade'"), 0);
	g = cl_get(st, "b", "test_install", "0.3.0+v0.4.219", "");
	CHECK_STR(g.state, "passing");
	CHECK_INT(g.failures, 0);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM classification WHERE recipe = 'b' AND failures > 0"), 0);
	store_close(st);
}

TEST(classify_duplicate_and_rerun_testcases)
{
	struct store *st = cl_open();
	/* a test that failed then passed on rerun within one run (Surefire flakyFailure,
	 * duplicates merged by the reader into status 'flaky'): failed and passed at the
	 * same sources */
	cl_add_run(st, &(struct cl_run){"r1-f", "f", "1.0.0", NULL, NULL, "s1", T0, 0, NULL});
	cl_add_tc(st, "r1-f", "custom", "test_t", "flaky", "first attempt failed");
	cl_add_run(st, &(struct cl_run){"r2-f", "f", "1.0.0", NULL, NULL, "s2", T0 + 86400, 0, NULL});
	cl_add_tc(st, "r2-f", "custom", "test_t", "passed", NULL);
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "f", "test_t", "1.0.0", "");
	CHECK_STR(g.state, "flaky");
	CHECK_INT(g.passes, 2);
	CHECK_INT(g.failures, 1);
	CHECK_STR(g.runs, "[\"r1-f\",\"r2-f\"]");
	store_close(st);
}

TEST(classify_infrastructure_incident)
{
	struct store *st = cl_open();
	/* sweep s1: 4 recipes, 3 fail install alike (a node outage): an incident */
	const char *recipes[] = {"a", "b", "c", "d"};
	char id[32], msg[128];
	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "s1-%s", recipes[i]);
		cl_add_run(st, &(struct cl_run){id, recipes[i], "1.0.0", NULL, NULL, "s1", T0 + i, 3, i < 3 ? "failed" : NULL});
		snprintf(msg, sizeof(msg), "dial tcp 10.10.0.%d:2376: connect: connection refused", i + 2);
		cl_add_tc(st, id, "install", "test_install", i < 3 ? "error" : "passed", i < 3 ? msg : NULL);
		/* sweep s2 the next night: only a fails, with its own cause */
		snprintf(id, sizeof(id), "s2-%s", recipes[i]);
		cl_add_run(st, &(struct cl_run){id, recipes[i], "1.0.0", NULL, NULL, "s2", T0 + 86400 + i, 3, NULL});
		cl_add_tc(st, id, "install", "test_install", i == 0 ? "failed" : "passed", i == 0 ? "assert 1 == 2" : NULL);
	}
	CHECK_INT(collect_after(st), 0);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM incident"), 1);
	CHECK_INT(cl_count(st, "SELECT recipes * 10 + of_recipes FROM incident WHERE sweep_id = 's1' AND tier = 'install'"), 34);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM incident_testcase"), 3);
	/* b and c: their only failure was the incident: passing, with the exclusion said */
	struct cl_got g = cl_get(st, "b", "test_install", "1.0.0", "");
	CHECK_STR(g.state, "passing");
	CHECK_INT(g.excluded, 1);
	CHECK_INT(g.failures, 0);
	CHECK(strstr(g.evidence, "1 failure in an infrastructure incident not counted") != NULL);
	/* a: the incident is left out, its own failure counts once: new, not flaky */
	g = cl_get(st, "a", "test_install", "1.0.0", "");
	CHECK_STR(g.state, "new");
	CHECK_INT(g.failures, 1);
	/* the signatures are still kept and counted, incident or not */
	CHECK_INT(cl_count(st, "SELECT occurrences * 10 + recipes FROM signature WHERE text ="
			       " 'dial tcp <ip>:<n>: connect: connection refused'"), 33);
	/* two of four failing alike is not an incident */
	struct store *st2 = st;
	CHECK_INT(cl_count(st2, "SELECT count(*) FROM incident WHERE sweep_id = 's2'"), 0);
	store_close(st);
}

TEST(classify_incident_needs_three_recipes)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"s1-a", "a", "1.0.0", NULL, NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"s1-b", "b", "1.0.0", NULL, NULL, "s1", T0 + 1, 1, "failed"});
	cl_add_tc(st, "s1-a", "install", "test_install", "error", "no space left on device");
	cl_add_tc(st, "s1-b", "install", "test_install", "error", "no space left on device");
	CHECK_INT(collect_after(st), 0);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM incident"), 0);
	CHECK_STR(cl_get(st, "a", "test_install", "1.0.0", "").state, "new");
	/* a third recipe of the same sweep collected later turns it into an incident,
	 * and the first two are recounted */
	cl_add_run(st, &(struct cl_run){"s1-c", "c", "1.0.0", NULL, NULL, "s1", T0 + 2, 1, "failed"});
	cl_add_tc(st, "s1-c", "install", "test_install", "error", "no space left on device");
	CHECK_INT(collect_after(st), 0);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM incident"), 1);
	CHECK(!cl_get(st, "a", "test_install", "1.0.0", "").found);
	store_close(st);
}

TEST(classify_signatures_kept_per_testcase)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-b", "bluesky-pds", "0.3.0", NULL, NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-b", "bluesky-pds", "0.3.0", NULL, NULL, "s2", T0 + 86400, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r1-g", "gitea", "3.6.0", NULL, NULL, "s1", T0 + 5, 1, "failed"});
	cl_add_tc(st, "r1-b", "custom", "test_health", "failed", "dial tcp 10.10.0.4:3000: connect: connection refused");
	cl_add_tc(st, "r2-b", "custom", "test_health", "failed", "dial tcp 10.10.0.12:3000: connect: connection refused");
	cl_add_tc(st, "r1-g", "custom", "test_web", "failed", "dial tcp 10.10.0.9:3000: connect: connection refused\nmore");
	cl_add_tc(st, "r1-g", "install", "test_boot", "failed",
		  "failed to save \"/etc/gitea/app.ini\": open /etc/gitea/app.ini: read-only file system");
	CHECK_INT(collect_after(st), 0);
	CHECK_INT(cl_count(st, "SELECT count(DISTINCT signature) FROM testcase"), 2);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM testcase WHERE signature IS NULL"), 0);
	CHECK_INT(cl_count(st, "SELECT occurrences * 100 + runs * 10 + recipes FROM signature"
			       " WHERE text LIKE 'dial tcp%'"), 332);
	CHECK_INT(cl_count(st, "SELECT first_seen FROM signature WHERE text LIKE 'dial tcp%'"), T0);
	CHECK_INT(cl_count(st, "SELECT last_seen FROM signature WHERE text LIKE 'dial tcp%'"), T0 + 86400);
	CHECK_INT(cl_count(st, "SELECT count(*) FROM signature WHERE text LIKE 'dial tcp%'"
			       " AND example = 'dial tcp 10.10.0.4:3000: connect: connection refused'"), 1);
	struct cl_got g = cl_get(st, "bluesky-pds", "test_health", "0.3.0", "");
	CHECK_STR(g.state, "deterministic");
	store_close(st);
}

TEST(classify_state_rules_direct)
{
	struct derive_counts c = {.passes = 0, .failures = 0};
	int load;
	c.passes = 3;
	CHECK_STR(derive_state(&c, 0, &load), "passing");
	CHECK_STR(derive_state(&c, 1, &load), "fixed");
	c.passes = 0;
	c.failures = 1;
	CHECK_STR(derive_state(&c, 0, &load), "new");
	c.failures = 2;
	CHECK_STR(derive_state(&c, 1, &load), "deterministic");
	c.passes = 1;
	c.overlap_min = 0;
	c.isolated_passes = 1;
	CHECK_STR(derive_state(&c, 0, &load), "flaky");
	CHECK_INT(load, 0);	/* one failure ran alone */
	c.overlap_min = 2;
	c.overlap_max = 4;
	derive_state(&c, 0, &load);
	CHECK_INT(load, 1);
	c.isolated_passes = 0;
	derive_state(&c, 0, &load);
	CHECK_INT(load, 0);	/* no pass alone */
	struct buf b = BUF_INIT;
	c.isolated_passes = 1;
	c.isolated_failures = 0;
	derive_evidence(&b, &c, "flaky", 1, "1.0.0", "", NULL, 0, NULL);
	CHECK_STR(buf_str(&b), "load flake: failed 2 of 3, only with 2 to 4 runs overlapping; passed 1 of 1 alone at 1.0.0");
	buf_release(&b);
}

TEST(classify_recounts_runs_a_new_run_overlapped)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-o", "o", "1.0.0", NULL, NULL, "s1", T0, 0, "failed"});
	cl_add_tc(st, "r1-o", "custom", "test_t", "failed", "boom");
	CHECK_INT(collect_after(st), 0);
	CHECK(strstr(cl_get(st, "o", "test_t", "1.0.0", "").evidence, "in isolation") != NULL);
	/* another recipe's run on the same host, ingested later, overlapped it: ingest
	 * raises r1-o's overlap, and r1-o's group must be recounted */
	cl_add_run(st, &(struct cl_run){"r1-p", "p", "1.0.0", NULL, NULL, "s1", T0 + 60, 1, NULL});
	cl_add_tc(st, "r1-p", "custom", "test_t", "passed", NULL);
	CHECK_INT(store_exec(st, "UPDATE run SET overlap = 1 WHERE id = 'r1-o'"), 0);
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "o", "test_t", "1.0.0", "");
	CHECK_INT(g.ifailures, 0);
	CHECK(strstr(g.evidence, "with 1 run overlapping") != NULL);
	store_close(st);
}

static const char *cl_join(char **list)
{
	static struct buf out;
	buf_reset(&out);
	for (char **p = list; *p; p++)
		buf_addf(&out, "%s%s", out.len ? "," : "", *p);
	return buf_str(&out);
}

TEST(classify_isolation_candidates)
{
	struct store *st = cl_open();
	/* sweep s1: m new failure; mu failure already has an isolated pass; b promote
	 * failed, never alone; ok passed; e errored, but ran alone at that version before */
	cl_add_run(st, &(struct cl_run){"r0-mu", "mu", "1.0.0", NULL, "isolation", NULL, T0 - 9000, 0, NULL});
	cl_add_tc(st, "r0-mu", "custom", "test_h", "passed", NULL);
	cl_add_run(st, &(struct cl_run){"r0-e", "e", "1.0.0", NULL, "isolation", NULL, T0 - 5000, 0, NULL});
	cl_add_tc(st, "r0-e", "install", "test_i", "passed", NULL);
	cl_add_run(st, &(struct cl_run){"r1-m", "m", "1.0.0", NULL, NULL, "s1", T0, 3, "failed"});
	cl_add_tc(st, "r1-m", "restore", "test_r", "failed", "relation \"ci_marker\" does not exist");
	cl_add_run(st, &(struct cl_run){"r1-mu", "mu", "1.0.0", NULL, NULL, "s1", T0 + 1, 3, "failed"});
	cl_add_tc(st, "r1-mu", "custom", "test_h", "failed", "handshake timed out");
	cl_add_run(st, &(struct cl_run){"r1-b", "b", "0.3.0", NULL, NULL, "s1", T0 + 2, 3, "promote_failed"});
	cl_add_tc(st, "r1-b", "install", "test_i", "passed", NULL);
	cl_add_run(st, &(struct cl_run){"r1-ok", "ok", "1.0.0", NULL, NULL, "s1", T0 + 3, 3, NULL});
	cl_add_tc(st, "r1-ok", "install", "test_i", "passed", NULL);
	cl_add_run(st, &(struct cl_run){"r1-e", "e", "1.0.0", NULL, NULL, "s1", T0 + 4, 3, "error"});
	CHECK_INT(collect_after(st), 0);
	char **list;
	size_t n;
	CHECK_INT(derive_isolation_candidates(st, "s1", 10, &list, &n), 0);
	CHECK_STR(cl_join(list), "b,m");
	CHECK_INT(n, 2);
	derive_free_list(list);
	CHECK_INT(derive_isolation_candidates(st, "s1", 1, &list, &n), 0);
	CHECK_STR(cl_join(list), "b");
	derive_free_list(list);
	/* after m's isolation re-run (failed again): deterministic, with isolated evidence */
	cl_add_run(st, &(struct cl_run){"r2-m", "m", "1.0.0", NULL, "isolation", NULL, T0 + 9000, 0, "failed"});
	cl_add_tc(st, "r2-m", "restore", "test_r", "failed", "relation \"ci_marker\" does not exist");
	CHECK_INT(collect_after(st), 0);
	CHECK_STR(cl_get(st, "m", "test_r", "1.0.0", "").state, "deterministic");
	CHECK_INT(derive_isolation_candidates(st, "s1", 10, &list, &n), 0);
	CHECK_STR(cl_join(list), "b");
	derive_free_list(list);
	store_close(st);
}

TEST(classify_unknown_version)
{
	struct store *st = cl_open();
	cl_add_run(st, &(struct cl_run){"r1-u", "u", NULL, NULL, NULL, "s1", T0, 1, "failed"});
	cl_add_run(st, &(struct cl_run){"r2-u", "u", NULL, NULL, NULL, "s2", T0 + 86400, 1, "failed"});
	cl_add_tc(st, "r1-u", "install", "test_t", "failed", "boom 1");
	cl_add_tc(st, "r2-u", "install", "test_t", "failed", "boom 2");
	CHECK_INT(collect_after(st), 0);
	struct cl_got g = cl_get(st, "u", "test_t", "", "");
	CHECK_STR(g.state, "deterministic");
	CHECK_STR(g.evidence, "deterministic: 2 of 2 runs at an unknown version failed, 0 of them in isolation");
	store_close(st);
}
