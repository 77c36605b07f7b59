/*
 * ingest: one run folder into the store (DESIGN.md "Run directory", "Store").
 *
 *  1. scan (ingest_meta.c): list the run's files (run.json, results.json,
 *     junit/NAME.xml or NAME.xml, logs/ recursively), sorted by name, within
 *     the caps of ingest_int.h;
 *  2. meta (ingest_meta.c): read run.json and results.json with sqlite's JSON1
 *     functions; what they lack comes from the options, then the folder name
 *     and file times; the run id is "<started, compact UTC>-<slug of recipe>";
 *  3. a run with that id already archived: hash the files, compare the manifest
 *     hash, write nothing (unchanged, or a conflict that keeps the archived run);
 *  4. else one transaction: every file's raw bytes (content-addressed blob) and
 *     row, each JUnit file's testcases in its own savepoint, results.json tests
 *     for tiers without JUnit, the tiers, the verdict, the sweep, the overlap.
 * Only store errors are fatal; a bad file is rejected alone (named on stderr,
 * archived raw with its reason), and its tier is 'error'.
 */
#include "ingest_int.h"
#include "junit.h"
#include "rundir.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/sha256.h"
#include "../lib/slug.h"
#include "../lib/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ingest_opts_init(struct ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exit_code = -1;
}
/* ---- 3. an archived run: compare ---- */

static const char SQL_RUN_HASH[] = "SELECT manifest_hash FROM run WHERE id = :id";

/* 1 and the hash in out when the run is archived, 0 when not, -1 on error */
static int archived_hash(struct ingest *in, char out[65])
{
	sqlite3_stmt *s = store_stmt(in->st, SQL_RUN_HASH);
	bind_text(s, ":id", in->id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out, 65, "%s", col_text(s, 0));
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "run lookup");
	return 0;
}

static void compare_archived(struct ingest *in, const char *have)
{
	char mh[65];
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->e[i];
		const char *why;
		if (ig_read_capped(e->path, ig_cap_of(e->kind), &in->data, &why) < 0) {
			ig_reject(e, why);
			continue;
		}
		sha256_hex(in->data.data, in->data.len, e->hash);
		/* the same bytes again: a log 'ccr prune' dropped comes back */
		char h[65];
		if (store_blob_state(in->st, e->hash, NULL) == 2)
			store_put_blob(in->st, in->data.data ? in->data.data : "", in->data.len, h);
		in->rep->files++;
		in->rep->bytes += (int64_t)in->data.len;
	}
	ig_manifest_hash(in, mh);
	if (!strcmp(mh, have)) {
		in->rep->outcome = INGEST_UNCHANGED;
		if (verbosity >= 0)
			fprintf(stderr, "ccr: '%s': already archived as %s\n",
				ig_qname(in, in->display), in->id);
	} else {
		in->rep->outcome = INGEST_CONFLICT;
		error("'%s': run %s is archived already with other content; kept the archived one",
		      ig_qname(in, in->display), in->id);
	}
}

/* ---- 4. a new run: write ---- */

static struct tier *tier_get(struct ingest *in, const char *name)
{
	for (size_t i = 0; i < in->nt; i++)
		if (!strcmp(in->t[i].name, name))
			return &in->t[i];
	in->t = xrealloc(in->t, (in->nt + 1) * sizeof(*in->t));
	struct tier *t = &in->t[in->nt++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	buf_init(&t->reason, INGEST_MAX_REASON);
	return t;
}

static void tier_reason(struct tier *t, const char *what)
{
	if (t->reason.len)
		buf_adds(&t->reason, "; ");
	buf_adds(&t->reason, what);
}

/* one testcase, from the JUnit reader or results.json */
struct tc {
	const char *tier, *file, *suite, *classname, *name, *status;
	int64_t time_ms; /* -1 unknown */
	const char *message, *type, *details, *system_out, *system_err, *properties;
	const char *attempts; /* JSON array text or NULL */
	int truncated;
};

static const char SQL_TEST_GET[] =
    "SELECT id FROM test WHERE recipe = :recipe AND tier = :tier AND classname = :classname"
    " AND name = :name";
static const char SQL_TEST_PUT[] = "INSERT INTO test(recipe, tier, classname, name, slug)"
				   " VALUES (:recipe, :tier, :classname, :name, :slug)";
static const char SQL_TC_PUT[] =
    "INSERT INTO testcase(run_id, test_id, tier, seq, file, suite, status, time_ms, message,"
    " type, details, system_out, system_err, properties, attempts, truncated)"
    " VALUES (:run, :test, :tier, :seq, :file, :suite, :status, :time_ms, :message, :type,"
    " :details, :system_out, :system_err, :properties, :attempts, :truncated)";
static const char SQL_TC_STATUS[] =
    "SELECT status, time_ms FROM testcase WHERE run_id = :run AND test_id = :test";
/* the same test twice in one tier (two files): keep the worst, every attempt */
static const char SQL_TC_MERGE[] =
    "UPDATE testcase SET attempts = (SELECT json_group_array(json(value)) FROM ("
    "   SELECT value FROM json_each(coalesce(testcase.attempts, json_array(json_object("
    "     'status', testcase.status, 'message', testcase.message, 'time_ms', testcase.time_ms))))"
    "   UNION ALL SELECT value FROM json_each(coalesce(:attempts, json_array(json_object("
    "     'status', :status, 'message', :message, 'time_ms', :time_ms))))"
    "   LIMIT :max)),"
    " status = CASE WHEN :take THEN :status ELSE status END,"
    " time_ms = CASE WHEN :take THEN :time_ms ELSE time_ms END,"
    " message = CASE WHEN :take THEN :message ELSE message END,"
    " type = CASE WHEN :take THEN :type ELSE type END,"
    " details = CASE WHEN :take THEN :details ELSE details END,"
    " file = CASE WHEN :take THEN :file ELSE file END,"
    " suite = CASE WHEN :take THEN :suite ELSE suite END,"
    " truncated = truncated OR :truncated"
    " WHERE run_id = :run AND test_id = :test";

static int case_rank(const char *s)
{
	static const char *const order[] = {"skipped", "xfail",	 "passed",
					    "flaky",   "failed", "error"};
	for (int i = 0; i < 6; i++)
		if (!strcmp(s, order[i]))
			return i;
	return -1;
}

/* is this sqlite error caused by the input (reject the file) rather than the store (fatal)? */
static int input_error(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CONSTRAINT || rc == SQLITE_TOOBIG || rc == SQLITE_MISMATCH;
}

/*
 * What ingest keeps on the store across the runs of one command (store_cache):
 *  - test ids by (recipe, tier, classname, name): a night's runs meet the same
 *    tests again, and the look-up was a fifth of the cost of a testcase. Rows of
 *    table test are never deleted or renumbered, so an id read or written stays
 *    right, except when a rollback took back the row it was written with: any
 *    rollback empties the ids;
 *  - a bound on the longest run, for the overlap search (span_bound).
 */
#define TEST_IDS_MAX 32768 /* ids kept (about 3 MB); past it the cache starts over */

struct ingest_cache {
	uint64_t rollbacks; /* store_rollbacks() when these ids were known good */
	size_t n, cap;	    /* entries; slots, a power of two */
	struct test_id {
		char *key; /* recipe NUL tier NUL classname NUL name, klen bytes; NULL: free slot */
		size_t klen;
		uint64_t hash;
		int64_t id;
	} *slot;
	/* the longest run in the store (finished - started, seconds), or more: the
	 * overlap search starts that far before a run (see write_run) */
	int64_t span_max;
	int span_known;
	int64_t data_version; /* PRAGMA data_version when span_max was read */
};

static void test_ids_clear(struct ingest_cache *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	t->n = 0;
}

static void ingest_cache_free(void *p)
{
	struct ingest_cache *t = p;
	test_ids_clear(t);
	free(t->slot);
	free(t);
}

/* the cache on in's store; its test ids emptied when a rollback happened since */
static struct ingest_cache *ingest_cache_of(struct ingest *in)
{
	struct ingest_cache *t = store_cache(in->st);
	if (!t) {
		t = xcalloc(1, sizeof(*t));
		t->cap = 1024;
		t->slot = xcalloc(t->cap, sizeof(*t->slot));
		t->rollbacks = store_rollbacks(in->st);
		store_set_cache(in->st, t, ingest_cache_free);
	}
	if (t->rollbacks != store_rollbacks(in->st)) {
		test_ids_clear(t);
		t->rollbacks = store_rollbacks(in->st);
	}
	return t;
}

/* the key of a test in in->key; returns its FNV-1a hash */
static uint64_t test_key(struct ingest *in, const struct tc *c)
{
	struct buf *k = &in->key;
	buf_reset(k);
	const char *part[4] = {in->m.recipe, c->tier, c->classname, c->name};
	for (int i = 0; i < 4; i++)
		buf_add(k, part[i], strlen(part[i]) + 1);
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->data[i]) * 1099511628211ULL;
	return h;
}

static struct test_id *test_ids_find(struct ingest_cache *t, const char *key, size_t klen,
				     uint64_t h)
{
	for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct test_id *e = &t->slot[i];
		if (!e->key || (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)))
			return e;
	}
}

static void test_ids_put(struct ingest_cache *t, const char *key, size_t klen, uint64_t h,
			 int64_t id)
{
	if (t->n >= TEST_IDS_MAX)
		test_ids_clear(t);
	if (2 * (t->n + 1) > t->cap) { /* at most half full: probes stay short */
		struct ingest_cache old = *t;
		t->cap *= 2;
		t->slot = xcalloc(t->cap, sizeof(*t->slot));
		for (size_t i = 0; i < old.cap; i++)
			if (old.slot[i].key)
				*test_ids_find(t, old.slot[i].key, old.slot[i].klen, old.slot[i].hash) =
				    old.slot[i];
		free(old.slot);
	}
	struct test_id *e = test_ids_find(t, key, klen, h);
	if (!e->key) {
		e->key = xmalloc(klen);
		memcpy(e->key, key, klen);
		e->klen = klen;
		e->hash = h;
		t->n++;
	}
	e->id = id;
}

/*
 * A tier's counts, kept as its testcases are written rather than read back
 * with a GROUP BY over the run's testcases (8% of an ingest): sign +1 adds a
 * stored testcase, -1 takes one back (a merge replaces it). Same rules as
 * tier.tests/failures/errors/skipped; passing counts passed, flaky and xfail.
 */
static void tier_count(struct ingest *in, const char *tier, const char *status, int64_t time_ms,
		       int sign)
{
	struct tier *t = tier_get(in, tier);
	t->tests += sign;
	if (!strcmp(status, "failed"))
		t->failures += sign;
	else if (!strcmp(status, "error"))
		t->errors += sign;
	if (!strcmp(status, "skipped") || !strcmp(status, "xfail"))
		t->skipped += sign;
	if (!strcmp(status, "passed") || !strcmp(status, "flaky") || !strcmp(status, "xfail"))
		t->passing += sign;
	if (time_ms >= 0) {
		t->time_ms += sign * time_ms;
		t->ntime += sign;
	}
}

/* 0, 1 when the input was refused by the store (the file is rejected), -1 fatal */
static int put_case(struct ingest *in, const struct tc *c)
{
	struct store *st = in->st;
	struct ingest_cache *ids = ingest_cache_of(in);
	uint64_t h = test_key(in, c);
	struct test_id *known = test_ids_find(ids, in->key.data, in->key.len, h);
	int64_t test_id;
	int rc;
	if (known->key) {
		test_id = known->id;
	} else {
		sqlite3_stmt *s = store_stmt(st, SQL_TEST_GET);
		bind_text(s, ":recipe", in->m.recipe);
		bind_text(s, ":tier", c->tier);
		bind_text(s, ":classname", c->classname);
		bind_text(s, ":name", c->name);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			test_id = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
		} else if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			char slug[SLUG_SIZE];
			slug_test(c->classname, c->name, slug);
			s = store_stmt(st, SQL_TEST_PUT);
			bind_text(s, ":recipe", in->m.recipe);
			bind_text(s, ":tier", c->tier);
			bind_text(s, ":classname", c->classname);
			bind_text(s, ":name", c->name);
			bind_text(s, ":slug", slug);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			if (rc != SQLITE_DONE)
				return input_error(rc) ? 1 : store_error(st, "test insert");
			test_id = sqlite3_last_insert_rowid(store_db(st));
		} else {
			sqlite3_reset(s);
			return store_error(st, "test lookup");
		}
		test_ids_put(ids, in->key.data, in->key.len, h, test_id);
	}

	/* every text below outlives the step: no copies */
	sqlite3_stmt *s = store_stmt(st, SQL_TC_PUT);
	bind_text_static(s, ":run", in->id);
	bind_int(s, ":test", test_id);
	bind_text_static(s, ":tier", c->tier);
	bind_int(s, ":seq", in->seq);
	bind_text_static(s, ":file", c->file);
	bind_text_static(s, ":suite", c->suite);
	bind_text_static(s, ":status", c->status);
	if (c->time_ms >= 0)
		bind_int(s, ":time_ms", c->time_ms);
	bind_text_static(s, ":message", c->message);
	bind_text_static(s, ":type", c->type);
	bind_text_static(s, ":details", c->details);
	bind_text_static(s, ":system_out", c->system_out);
	bind_text_static(s, ":system_err", c->system_err);
	bind_text_static(s, ":properties", c->properties);
	bind_text_static(s, ":attempts", c->attempts);
	bind_int(s, ":truncated", c->truncated);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		in->seq++;
		in->rep->tests++;
		tier_count(in, c->tier, c->status, c->time_ms, 1);
		return 0;
	}
	if (rc != SQLITE_CONSTRAINT_PRIMARYKEY)
		return input_error(rc) ? 1 : store_error(st, "testcase insert");

	/* already there from another file of this tier: merge */
	s = store_stmt(st, SQL_TC_STATUS);
	bind_text(s, ":run", in->id);
	bind_int(s, ":test", test_id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_error(st, "testcase lookup");
	}
	int take = case_rank(c->status) > case_rank(col_text(s, 0));
	char old_status[16];
	snprintf(old_status, sizeof(old_status), "%s", col_text(s, 0));
	int64_t old_time = sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	s = store_stmt(st, SQL_TC_MERGE);
	bind_text(s, ":run", in->id);
	bind_int(s, ":test", test_id);
	bind_int(s, ":take", take);
	bind_int(s, ":max", JUNIT_MAX_ATTEMPTS);
	bind_text(s, ":attempts", c->attempts);
	bind_text(s, ":status", c->status);
	bind_text(s, ":message", c->message);
	if (c->time_ms >= 0)
		bind_int(s, ":time_ms", c->time_ms);
	bind_text(s, ":type", c->type);
	bind_text(s, ":details", c->details);
	bind_text(s, ":file", c->file);
	bind_text(s, ":suite", c->suite);
	bind_int(s, ":truncated", c->truncated);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return input_error(rc) ? 1 : store_error(st, "testcase merge");
	if (take) { /* status and time are the new case's now */
		tier_count(in, c->tier, old_status, old_time, -1);
		tier_count(in, c->tier, c->status, c->time_ms, 1);
	}
	return 0;
}

static const char SQL_ATTEMPT_ADD[] =
    "SELECT json_insert(coalesce(:a, '[]'), '$[#]',"
    " json_object('status', :status, 'message', :message, 'time_ms', :time_ms))";

/* the attempts of a case as a JSON array in in->attempts; NULL when one attempt */
static const char *attempts_json(struct ingest *in, const struct junit_case *jc)
{
	if (!jc->attempts || !jc->nattempts)
		return NULL;
	buf_reset(&in->attempts);
	int have = 0;
	for (size_t i = 0; i < jc->nattempts; i++) {
		const struct junit_attempt *a = &jc->attempts[i];
		sqlite3_stmt *s = store_stmt(in->st, SQL_ATTEMPT_ADD);
		if (have)
			bind_textn(s, ":a", in->attempts.data, in->attempts.len);
		bind_text(s, ":status", junit_status_name(a->status));
		bind_text(s, ":message", a->message);
		if (a->time_ms >= 0)
			bind_int(s, ":time_ms", a->time_ms);
		if (sqlite3_step(s) == SQLITE_ROW) {
			const char *t = col_text(s, 0);
			buf_reset(&in->attempts);
			buf_adds(&in->attempts, t);
			have = 1;
		}
		sqlite3_reset(s);
	}
	return have ? buf_str(&in->attempts) : NULL;
}

static const char SQL_FILE_PUT[] =
    "INSERT INTO file(run_id, kind, name, tier, hash, size, lines, error)"
    " VALUES (:run, :kind, :name, :tier, :hash, :size, :lines, :error)";

static int put_file_row(struct ingest *in, struct entry *e, int64_t size, int64_t lines)
{
	sqlite3_stmt *s = store_stmt(in->st, SQL_FILE_PUT);
	bind_text(s, ":run", in->id);
	bind_text(s, ":kind", kind_name[e->kind]);
	bind_text(s, ":name", e->name);
	bind_text(s, ":tier", e->tier);
	bind_text(s, ":hash", e->hash[0] ? e->hash : NULL);
	if (size >= 0)
		bind_int(s, ":size", size);
	else
		bind_int(s, ":size", 0);
	if (lines >= 0)
		bind_int(s, ":lines", lines);
	bind_text(s, ":error", e->error);
	int rc = store_step_done(in->st, s);
	sqlite3_reset(s);
	return rc;
}

/* a JUnit file's testcases, in a savepoint: 0, 1 when rejected, -1 fatal */
static int put_junit_cases(struct ingest *in, struct entry *e, struct junit_file *jf)
{
	if (store_savepoint(in->st, "file") < 0)
		return -1;
	int64_t seq0 = in->seq;
	int tests0 = in->rep->tests;
	struct tier t0 = *tier_get(in, e->tier); /* its counts, for a rollback */
	int rc = 0;
	for (size_t i = 0; i < jf->ncases && !rc; i++) {
		const struct junit_case *jc = &jf->cases[i];
		struct tc c = {
		    .tier = e->tier,
		    .file = e->name,
		    .suite = jc->suite,
		    .classname = jc->classname ? jc->classname : "",
		    .name = jc->name ? jc->name : "",
		    .status = junit_status_name(jc->status),
		    .time_ms = jc->time_ms,
		    .message = jc->message,
		    .type = jc->type,
		    .details = jc->details,
		    .system_out = jc->system_out,
		    .system_err = jc->system_err,
		    .properties = jc->properties,
		    .attempts = attempts_json(in, jc),
		    .truncated = jc->truncated,
		};
		rc = put_case(in, &c);
	}
	if (rc == 0)
		return store_release(in->st, "file");
	store_rollback_to(in->st, "file");
	in->seq = seq0;
	in->rep->tests = tests0;
	struct tier *t = tier_get(in, e->tier);
	t->tests = t0.tests, t->failures = t0.failures, t->errors = t0.errors;
	t->skipped = t0.skipped, t->passing = t0.passing, t->time_ms = t0.time_ms;
	t->ntime = t0.ntime;
	if (rc > 0)
		ig_reject(e, "refused by the store (a value over sqlite's limits)");
	return rc;
}

static int write_file(struct ingest *in, struct entry *e)
{
	const char *why;
	int64_t lines = -1;
	if (ig_read_capped(e->path, ig_cap_of(e->kind), &in->data, &why) < 0) {
		ig_reject(e, why);
		e->hash[0] = '\0';
		if (e->kind == K_JUNIT) {
			struct tier *t = tier_get(in, e->tier);
			t->junit++;
			t->bad++;
		}
		if (put_file_row(in, e, -1, -1) < 0)
			return -1;
		return 0;
	}
	in->rep->files++;
	in->rep->bytes += (int64_t)in->data.len;
	/* the raw bytes first, outside the file's savepoint: a rejected file is archived too */
	if (store_put_blob(in->st, in->data.data ? in->data.data : "", in->data.len, e->hash) < 0)
		return -1;
	if (e->kind == K_LOG) {
		lines = rundir_count_lines(in->data.data, in->data.len);
	} else if (e->kind == K_JUNIT) {
		struct tier *t = tier_get(in, e->tier);
		struct junit_file jf;
		memset(&jf, 0, sizeof(jf));
		t->junit++;
		int rc =
		    junit_parse(e->name, in->data.data ? in->data.data : "", in->data.len, &jf);
		if (rc < 0) {
			ig_reject(e, jf.error ? jf.error : "not a JUnit report");
		} else {
			rc = put_junit_cases(in, e, &jf);
			if (rc < 0) {
				junit_file_release(&jf);
				return -1;
			}
		}
		junit_file_release(&jf);
		if (e->error) {
			t = tier_get(in, e->tier); /* tier_get may have moved the array */
			t->bad++;
			struct buf r = BUF_INIT;
			buf_addf(&r, "%s: %s", e->name, e->error);
			tier_reason(t, buf_str(&r));
			buf_release(&r);
		}
	}
	return put_file_row(in, e, (int64_t)in->data.len, lines);
}

static const char SQL_RESULTS_TESTS[] =
    "SELECT coalesce(json_extract(:j, s.fullkey || '.name'),"
    "   CASE WHEN typeof(s.key) = 'text' THEN s.key END),"
    " json_extract(:j, t.fullkey || '.name'), json_extract(:j, t.fullkey || '.status'),"
    " json_extract(:j, t.fullkey || '.ms'), json_extract(:j, t.fullkey || '.message')"
    " FROM json_each(:j, '$.stages') AS s, json_each(:j, s.fullkey || '.tests') AS t"
    " WHERE s.type = 'object' AND t.type = 'object' ORDER BY s.id, t.id";

/* results.json tests, for the tiers that have no JUnit file */
static int put_results_tests(struct ingest *in)
{
	if (!in->m.results)
		return 0;
	struct entry *e = ig_find_entry(in, "results.json");
	sqlite3_stmt *s = store_stmt(in->st, SQL_RESULTS_TESTS);
	bind_textn(s, ":j", in->m.results, in->m.results_len);
	int rc, bad = 0;
	/* rows are copied out first: put_case resets other statements, not this one,
	 * but the text must outlive each step */
	struct row {
		char *tier, *id, *status, *message;
		int64_t ms;
	} *rows = NULL;
	size_t nrows = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = ig_col_dup(in, s, 0), *id = ig_col_dup(in, s, 1);
		if (!tier || !id) {
			free(tier);
			free(id);
			continue;
		}
		rows = xrealloc(rows, (nrows + 1) * sizeof(*rows));
		rows[nrows++] = (struct row){
		    tier, id, ig_col_dup(in, s, 2), ig_col_dup(in, s, 4),
		    sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 3)};
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		rc = store_error(in->st, "reading results.json tests");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < nrows && !rc; i++) {
		struct row *r = &rows[i];
		struct tier *t = tier_get(in, r->tier);
		if (t->junit)
			continue; /* JUnit is the source of testcases where there is some */
		const char *st = rundir_case_word(r->status);
		struct buf msg = BUF_INIT;
		if (!st) {
			buf_addf(&msg, "status '%s' in results.json not understood",
				 r->status ? r->status : "");
			st = "error";
			bad++;
		}
		rundir_split_test(r->id, &in->cls, &in->nm);
		struct tc c = {
		    .tier = r->tier,
		    .file = "results.json",
		    .classname = buf_str(&in->cls),
		    .name = buf_str(&in->nm),
		    .status = st,
		    .time_ms = r->ms >= 0 ? r->ms : -1,
		    .message = msg.len ? buf_str(&msg) : r->message,
		};
		rc = put_case(in, &c);
		buf_release(&msg);
		if (rc > 0) {
			ig_reject(e, "a test refused by the store (a value over sqlite's limits)");
			rc = 0;
		}
		t = tier_get(in, r->tier);
		t->results_tests++;
	}
	if (bad)
		warning("'%s': %d test status(es) not understood; stored as error",
			ig_qname(in, e ? e->path : in->display), bad);
out:
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].tier);
		free(rows[i].id);
		free(rows[i].status);
		free(rows[i].message);
	}
	free(rows);
	return rc < 0 ? -1 : 0;
}

static const char SQL_TIER_PUT[] =
    "INSERT INTO tier(run_id, name, seq, status, reason, tests, failures, errors, skipped,"
    " time_ms) VALUES (:run, :name, :seq, :status, :reason, :tests, :failures, :errors,"
    " :skipped, :time_ms)";

static int tier_cmp(const void *a, const void *b)
{
	const struct tier *x = a, *y = b;
	int i = tier_canonical_index(x->name), j = tier_canonical_index(y->name);
	if (i < 0)
		i = TIER_NCANON;
	if (j < 0)
		j = TIER_NCANON;
	if (i != j)
		return i - j;
	return strcmp(x->name, y->name);
}

static const struct decl *decl_of(struct ingest *in, const char *tier)
{
	for (size_t i = 0; i < in->m.ndecl; i++)
		if (!strcmp(in->m.decl[i].tier, tier))
			return &in->m.decl[i];
	return NULL;
}

/* counts, statuses and rows of every tier; sets *any_error, *any_failed */
static int put_tiers(struct ingest *in, int *any_error, int *any_failed)
{
	sqlite3_stmt *s;
	int rc;
	/* the counts came with the testcases (tier_count) */
	/* tiers stated by run.json / results.json */
	for (size_t i = 0; i < in->m.ndecl; i++)
		tier_get(in, in->m.decl[i].tier);

	/* statuses of tiers with results, and of declared ones */
	int junit[TIER_NCANON] = {0}, declared[TIER_NCANON] = {0}, crash[TIER_NCANON];
	for (size_t i = 0; i < in->nt; i++) {
		struct tier *t = &in->t[i];
		const struct decl *d = decl_of(in, t->name);
		int ci = tier_canonical_index(t->name);
		if (t->junit || t->results_tests) {
			t->status = rundir_tier_status(t->failures, t->errors, t->passing, t->bad);
			/* a stated failure the testcases do not show (a failed deploy) still counts
			 */
			if (d && d->status &&
			    rundir_tier_rank(d->status) > rundir_tier_rank(t->status)) {
				t->status = d->status;
				if (d->reason)
					tier_reason(t, d->reason);
				else {
					struct buf r = BUF_INIT;
					buf_addf(&r, "%s says %s", d->from, d->status);
					tier_reason(t, buf_str(&r));
					buf_release(&r);
				}
			}
			if (ci >= 0)
				junit[ci] = 1;
		} else if (d && d->status) {
			t->status = d->status;
			if (d->reason) {
				tier_reason(t, d->reason);
			} else {
				struct buf r = BUF_INIT;
				if (!strcmp(d->status, "expected_na"))
					buf_addf(&r, "declared expected-NA in %s", d->from);
				else
					buf_addf(&r, "%s says %s", d->from, d->status);
				tier_reason(t, buf_str(&r));
				buf_release(&r);
			}
			if (ci >= 0)
				declared[ci] = 1;
		} else {
			t->status = "not_run"; /* named, no results, no status */
			if (ci >= 0)
				declared[ci] = 1;
		}
	}

	/* the harness crashed: the first canonical tier missing after the last JUnit is the error
	 */
	rundir_crash_tiers(junit, declared, in->m.exit_code, crash);
	for (int i = 0; i < TIER_NCANON; i++) {
		if (!crash[i])
			continue;
		struct tier *t = tier_get(in, tier_canonical[i]);
		struct buf r = BUF_INIT;
		if (crash[i] == 1) {
			t->status = "error";
			buf_addf(&r, "no JUnit: harness exited %d", in->m.exit_code);
			if (in->log_evidence)
				buf_addf(&r, " (see %s)", in->log_evidence);
			else
				buf_adds(&r, " (no log archived)");
		} else {
			t->status = "not_run";
			buf_addf(&r, "not run: the harness stopped at %s", tier_canonical[i - 1]);
			for (int j = i - 1; j >= 0; j--)
				if (crash[j] == 1) {
					buf_reset(&r);
					buf_addf(&r, "not run: the harness stopped at %s",
						 tier_canonical[j]);
					break;
				}
		}
		tier_reason(t, buf_str(&r));
		buf_release(&r);
	}

	if (in->nt > 1) /* qsort of NULL, 0 is undefined: a run can have no tier */
		qsort(in->t, in->nt, sizeof(*in->t), tier_cmp);
	*any_error = *any_failed = 0;
	for (size_t i = 0; i < in->nt; i++) {
		struct tier *t = &in->t[i];
		t->seq = (int)i;
		*any_error |= !strcmp(t->status, "error");
		*any_failed |= !strcmp(t->status, "failed");
		s = store_stmt(in->st, SQL_TIER_PUT);
		bind_text(s, ":run", in->id);
		bind_text(s, ":name", t->name);
		bind_int(s, ":seq", t->seq);
		bind_text(s, ":status", t->status);
		bind_text(s, ":reason", t->reason.len ? buf_str(&t->reason) : NULL);
		bind_int(s, ":tests", t->tests);
		bind_int(s, ":failures", t->failures);
		bind_int(s, ":errors", t->errors + t->bad); /* +1 per unreadable file */
		bind_int(s, ":skipped", t->skipped);
		if (t->ntime > 0)
			bind_int(s, ":time_ms", t->time_ms);
		rc = store_step_done(in->st, s);
		sqlite3_reset(s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static const char SQL_SWEEP_PUT[] =
    "INSERT INTO sweep(id, host, started, finished) VALUES (:id, :host, :started, :finished)"
    " ON CONFLICT(id) DO UPDATE SET host = coalesce(sweep.host, excluded.host),"
    " started = min(coalesce(sweep.started, excluded.started),"
    "   coalesce(excluded.started, sweep.started)),"
    " finished = max(coalesce(sweep.finished, excluded.finished),"
    "   coalesce(excluded.finished, sweep.finished))";
static const char SQL_RUN_PUT[] =
    "INSERT INTO run(id, recipe, version, ref, harness_ref, host, mode, trigger_kind, sweep_id,"
    " external_id, started, finished, exit_code, load_start, load_end, overlap, status,"
    " promote_outcome, promote_version, promote_at, promote_reason, source, manifest_hash,"
    " ingested_at) VALUES (:id, :recipe, :version, :ref, :harness_ref, :host, :mode,"
    " :trigger, :sweep, :external_id, :started, :finished, :exit_code, :load_start,"
    " :load_end, 0, 'error', :promote_outcome, :promote_version, :promote_at,"
    " :promote_reason, :source, '', :now)";
/* runs on the same host whose [started, finished] intersect this one's
 * (sharing only an end second does not count: back-to-back runs did not overlap).
 * Such a run started after :lo, this run's start less the longest run's span:
 * without that bound the search read the host's whole history, every run. */
static const char SQL_OVERLAP_COUNT[] =
    "SELECT count(*) FROM run WHERE host = :host AND id <> :id AND finished IS NOT NULL"
    " AND started < :finished AND started >= :lo AND finished > :started";
static const char SQL_OVERLAP_BUMP[] =
    "UPDATE run SET overlap = overlap + 1 WHERE host = :host AND id <> :id"
    " AND finished IS NOT NULL AND started < :finished AND started >= :lo"
    " AND finished > :started";
/* scans table run: once per command, and again only after another collector
 * committed (PRAGMA data_version moved), so the bound covers its runs too */
static const char SQL_SPAN_MAX[] =
    "SELECT coalesce(max(finished - started), 0) FROM run WHERE finished IS NOT NULL";
static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

/* an upper bound on finished - started of every run in the store but this one:
 * 0, or -1 on a store error */
static int span_bound(struct ingest *in, int64_t *out)
{
	struct ingest_cache *t = ingest_cache_of(in);
	sqlite3_stmt *s = store_stmt(in->st, SQL_DATA_VERSION);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_error(in->st, "data version");
	}
	int64_t dv = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (!t->span_known || dv != t->data_version) {
		s = store_stmt(in->st, SQL_SPAN_MAX);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return store_error(in->st, "longest run");
		}
		int64_t m = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		/* never lower it: runs this command wrote are in it, stored or rolled back */
		if (!t->span_known || m > t->span_max)
			t->span_max = m;
		t->span_known = 1;
		t->data_version = dv;
	}
	*out = t->span_max;
	return 0;
}
static const char SQL_RUN_DONE[] =
    "UPDATE run SET status = :status, overlap = :overlap, manifest_hash = :hash WHERE id = :id";

static void bind_opt_text(sqlite3_stmt *s, const char *name, const char *v)
{
	bind_text(s, name, v);
}

static void bind_opt_time(sqlite3_stmt *s, const char *name, int64_t t)
{
	if (t > 0)
		bind_int(s, name, t);
	else
		bind_null(s, name);
}

static int write_run(struct ingest *in)
{
	struct store *st = in->st;
	struct meta *m = &in->m;
	sqlite3_stmt *s;
	if (in->sweep_id) {
		s = store_stmt(st, SQL_SWEEP_PUT);
		bind_text(s, ":id", in->sweep_id);
		bind_text(s, ":host", m->host);
		bind_int(s, ":started", m->started);
		bind_int(s, ":finished", m->finished ? m->finished : m->started);
		if (store_step_done(st, s) < 0)
			return -1;
	}
	s = store_stmt(st, SQL_RUN_PUT);
	bind_text(s, ":id", in->id);
	bind_text(s, ":recipe", m->recipe);
	bind_opt_text(s, ":version", m->version);
	bind_opt_text(s, ":ref", m->ref);
	bind_opt_text(s, ":harness_ref", m->harness_ref);
	bind_opt_text(s, ":host", m->host);
	bind_opt_text(s, ":mode", m->mode);
	bind_text(s, ":trigger", m->trigger);
	bind_opt_text(s, ":sweep", in->sweep_id);
	bind_opt_text(s, ":external_id", m->external_id);
	bind_int(s, ":started", m->started);
	bind_opt_time(s, ":finished", m->finished);
	if (m->exit_code >= 0)
		bind_int(s, ":exit_code", m->exit_code);
	if (in->o->has_load) {
		bind_double(s, ":load_start", in->o->load_start);
		bind_double(s, ":load_end", in->o->load_end);
	}
	bind_opt_text(s, ":promote_outcome", m->promote_outcome);
	bind_opt_text(s, ":promote_version", m->promote_version);
	bind_opt_time(s, ":promote_at", m->promote_at);
	bind_opt_text(s, ":promote_reason", m->promote_reason);
	bind_opt_text(s, ":source", in->source);
	bind_int(s, ":now", time_now());
	if (store_step_done(st, s) < 0)
		return -1;

	for (size_t i = 0; i < in->n; i++)
		if (in->e[i].kind == K_LOG &&
		    (!in->log_evidence || !strcmp(in->e[i].name, "logs/harness.log")))
			in->log_evidence = in->e[i].name;
	for (size_t i = 0; i < in->n; i++) {
		if (verbosity > 0)
			progress("%s: %s", in->id, in->e[i].name);
		if (write_file(in, &in->e[i]) < 0)
			return -1;
	}
	if (put_results_tests(in) < 0)
		return -1;
	int any_error = 0, any_failed = 0;
	if (put_tiers(in, &any_error, &any_failed) < 0)
		return -1;
	const char *status =
	    rundir_run_status((int)in->nt, any_error, any_failed, m->exit_code, m->promote_outcome);

	int64_t overlap = 0, span = 0;
	if (m->host && m->finished) {
		if (span_bound(in, &span) < 0)
			return -1;
		s = store_stmt(st, SQL_OVERLAP_COUNT);
		bind_text(s, ":host", m->host);
		bind_text(s, ":id", in->id);
		bind_int(s, ":started", m->started);
		bind_int(s, ":finished", m->finished);
		bind_int(s, ":lo", m->started - span);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return store_error(st, "overlap");
		}
		overlap = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		s = store_stmt(st, SQL_OVERLAP_BUMP);
		bind_text(s, ":host", m->host);
		bind_text(s, ":id", in->id);
		bind_int(s, ":started", m->started);
		bind_int(s, ":finished", m->finished);
		bind_int(s, ":lo", m->started - span);
		if (store_step_done(st, s) < 0)
			return -1;
		/* this run is in the store now: the bound covers it for the next ones */
		struct ingest_cache *t = ingest_cache_of(in);
		if (m->finished - m->started > t->span_max)
			t->span_max = m->finished - m->started;
	}
	char mh[65];
	ig_manifest_hash(in, mh);
	s = store_stmt(st, SQL_RUN_DONE);
	bind_text(s, ":status", status);
	bind_int(s, ":overlap", overlap);
	bind_text(s, ":hash", mh);
	bind_text(s, ":id", in->id);
	return store_step_done(st, s);
}

/* ---- the whole ---- */

static void ingest_release(struct ingest *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->e[i].name);
		free(in->e[i].path);
		free(in->e[i].tier);
		free(in->e[i].error);
	}
	free(in->e);
	struct meta *m = &in->m;
	char **strs[] = {&m->recipe,
			 &m->version,
			 &m->ref,
			 &m->harness_ref,
			 &m->host,
			 &m->mode,
			 &m->trigger,
			 &m->sweep,
			 &m->external_id,
			 &m->promote_outcome,
			 &m->promote_version,
			 &m->promote_reason,
			 &m->results};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	for (size_t i = 0; i < m->ndecl; i++) {
		free(m->decl[i].tier);
		free(m->decl[i].reason);
	}
	free(m->decl);
	for (size_t i = 0; i < in->nt; i++) {
		free(in->t[i].name);
		buf_release(&in->t[i].reason);
	}
	free(in->t);
	free(in->sweep_id);
	free(in->base);
	free(in->source);
	buf_release(&in->data);
	buf_release(&in->q);
	buf_release(&in->tmp);
	buf_release(&in->cls);
	buf_release(&in->nm);
	buf_release(&in->attempts);
	buf_release(&in->key);
}

/* after the scan: metadata, then compare or write. 0 or -1 (store error) */
static int ingest_run(struct ingest *in)
{
	struct ingest_report *rep = in->rep;
	int rc = ig_resolve_meta(in);
	if (rc != 0) {
		if (rc > 0)
			rep->outcome = INGEST_FAILED;
		return rc < 0 ? -1 : 0;
	}
	char have[65];
	rc = archived_hash(in, have);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* the run's own transaction, or a savepoint in the caller's batch */
		int own = !store_in_transaction(in->st);
		if ((own ? store_begin(in->st) : store_savepoint(in->st, "run")) < 0)
			return -1;
		/* another collector may have stored it since the look-up */
		rc = archived_hash(in, have);
		if (rc == 0)
			rc = write_run(in) < 0 ? -1 : 2;
		if (rc == 2 && (own ? store_commit(in->st) : store_release(in->st, "run")) < 0)
			return -1;
		if (rc != 2 && own)
			store_rollback(in->st);
		else if (rc != 2)
			store_rollback_to(in->st, "run");
		if (rc < 0)
			return -1;
	}
	if (rc == 1) {
		compare_archived(in, have);
		rep->rejected = 0; /* the files were judged when the run was archived */
		return 0;
	}
	rep->outcome = INGEST_STORED;
	for (size_t i = 0; i < in->n; i++)
		ig_report_rejection(in, &in->e[i]);
	info("'%s': archived as %s (%d files, %d tests)", ig_qname(in, in->display), in->id,
	     rep->files, rep->tests);
	return 0;
}

static void report_init(struct ingest_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->outcome = INGEST_FAILED;
}

/* the last path component of the real path of p, or of p itself */
static char *base_of(const char *p)
{
	char *rp = realpath(p, NULL);
	const char *s = rp ? rp : p;
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		n--;
	const char *b = s + n;
	while (b > s && b[-1] != '/')
		b--;
	char *out = xstrndup(b, (size_t)(s + n - b));
	free(rp);
	return out;
}

static char *source_of(struct ingest *in, const char *p)
{
	if (in->o->source)
		return ig_clean_dup(in, in->o->source, strlen(in->o->source));
	char *rp = realpath(p, NULL);
	char *out = ig_clean_dup(in, rp ? rp : p, strlen(rp ? rp : p));
	free(rp);
	return out;
}

int ingest_dir(struct store *st, const char *dir, const struct ingest_opts *o,
	       struct ingest_report *rep)
{
	struct ingest in = {.st = st, .o = o, .display = dir, .rep = rep};
	in.m.exit_code = -1;
	report_init(rep);
	int rc = 0;
	if (ig_scan_dir(&in, dir) < 0) {
		ingest_release(&in);
		return 0; /* named on stderr; rep->outcome is INGEST_FAILED */
	}
	in.base = base_of(dir);
	in.source = source_of(&in, dir);
	rc = ingest_run(&in);
	ingest_release(&in);
	return rc;
}

int ingest_files(struct store *st, char *const *paths, size_t n, const struct ingest_opts *o,
		 struct ingest_report *rep)
{
	struct ingest in = {.st = st, .o = o, .display = n ? paths[0] : "", .rep = rep};
	in.m.exit_code = -1;
	report_init(rep);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		const char *why = NULL;
		if (stat(paths[i], &sb) < 0)
			why = strerror(errno);
		else if (!S_ISREG(sb.st_mode))
			why = "not a regular file";
		if (why) {
			error("'%s': %s", ig_qname(&in, paths[i]), why);
			ingest_release(&in);
			return 0;
		}
		const char *slash = strrchr(paths[i], '/');
		char *rel = ig_path_join("junit", slash ? slash + 1 : paths[i]);
		int rc = ig_add_entry(&in, K_JUNIT, rel, paths[i], &sb);
		free(rel);
		if (rc < 0) {
			ingest_release(&in);
			return 0;
		}
	}
	ig_sort_entries(&in);
	if (n) {
		char *dir = xstrdup(paths[0]);
		char *slash = strrchr(dir, '/');
		if (slash) {
			slash[slash == dir ? 1 : 0] = '\0';
		} else {
			free(dir);
			dir = xstrdup(".");
		}
		in.base = base_of(dir);
		in.source = source_of(&in, dir);
		free(dir);
	}
	int rc = ingest_run(&in);
	ingest_release(&in);
	return rc;
}
