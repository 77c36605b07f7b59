/*
 * ingest: one run folder into the store (DESIGN.md "Run directory", "Store").
 *
 *  1. scan: list the run's files (run.json, results.json, junit/NAME.xml or NAME.xml,
 *     logs/ recursively), sorted by name, within the caps below;
 *  2. meta: read run.json and results.json with sqlite's JSON1 functions; what
 *     they lack comes from the options, then the folder name and file times;
 *     the run id is "<started, compact UTC>-<slug of recipe>";
 *  3. a run with that id already archived: hash the files, compare the manifest
 *     hash, write nothing (unchanged, or a conflict that keeps the archived run);
 *  4. else one transaction: every file's raw bytes (content-addressed blob) and
 *     row, each JUnit file's testcases in its own savepoint, results.json tests
 *     for tiers without JUnit, the tiers, the verdict, the sweep, the overlap.
 * Only store errors are fatal; a bad file is rejected alone (named on stderr,
 * archived raw with its reason), and its tier is 'error'.
 */
#include "ingest.h"
#include "junit.h"
#include "rundir.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/sha256.h"
#include "../lib/slug.h"
#include "../lib/timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A harness leaves a handful of files per tier; thousands mean the wrong folder
 * (a home directory, a whole runs/ tree) rather than one run. */
#define INGEST_MAX_FILES 10000
/* logs/ sub-folders followed this deep; deeper is a loop or not a run's logs */
#define INGEST_MAX_DEPTH 8
/* The JUnit reader takes the whole file in memory; a pytest report of a few
 * thousand tests is 1-5 MB, so 64 MB is a generator gone wrong. */
#define INGEST_MAX_JUNIT ((size_t)64 << 20)
/* A log is read whole and deflated in one go (peak memory about twice this);
 * a harness log over 256 MB is a runaway loop, and sqlite's default blob limit
 * is 1 GB. */
#define INGEST_MAX_LOG ((size_t)256 << 20)
/* run.json / results.json hold metadata and per-test summaries */
#define INGEST_MAX_META ((size_t)8 << 20)
/* a tier's reason (parse errors joined); each file keeps its own in full */
#define INGEST_MAX_REASON 2048

enum kind { K_META, K_JUNIT, K_LOG };
static const char *const kind_name[] = {"meta", "junit", "log"};

struct entry {
	char *name;	/* relative to the run folder, as stored: valid UTF-8 */
	char *path;	/* on disk, raw bytes; what messages name */
	enum kind kind;
	char *tier;	/* JUnit files only */
	int64_t mtime;
	char hash[65];	/* content hash once read, else "" */
	char *error;	/* why the file was rejected, else NULL */
	int reported;	/* error already printed */
};

/* a tier status stated by run.json or results.json */
struct decl {
	char *tier;
	const char *status;	/* static: a tier status word */
	char *reason;
	const char *from;	/* "run.json" | "results.json" */
};

struct meta {
	char *recipe, *version, *ref, *harness_ref, *host, *mode, *trigger, *sweep, *external_id;
	int64_t started, finished;	/* 0 = unknown */
	int exit_code;			/* -1 = unknown */
	char *promote_outcome, *promote_version, *promote_reason;
	int64_t promote_at;		/* 0 = unknown */
	struct decl *decl;
	size_t ndecl;
	char *results;			/* results.json text, for its tests; NULL if none */
	size_t results_len;
};

struct tier {
	char *name;
	int junit;		/* JUnit files of this tier, good or bad */
	int bad;		/* of which unreadable */
	int results_tests;	/* testcases taken from results.json */
	struct buf reason;
	const char *status;
	int64_t tests, failures, errors, skipped, passing, time_ms;
	int has_time;
	int seq;
};

struct ingest {
	struct store *st;
	const struct ingest_opts *o;
	const char *display;	/* the folder (or first file) as given, raw */
	char *base;		/* folder name for the recipe fallback, raw */
	char *source;
	struct entry *e;
	size_t n, alloc;
	struct meta m;
	char *sweep_id;
	int64_t started_fallback;
	char id[160];
	struct tier *t;
	size_t nt;
	struct buf data, q, tmp, cls, nm, attempts;
	int64_t seq;
	const char *log_evidence;	/* logs/harness.log, else the first log */
	struct ingest_report *rep;
};

void ingest_opts_init(struct ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exit_code = -1;
}

/* ---- small helpers ---- */

static const char *qname(struct ingest *in, const char *s)
{
	return quote_name(s, strlen(s), &in->q);
}

static char *clean_dup(struct ingest *in, const char *s, size_t n)
{
	return xstrdup(utf8_clean(s, n, &in->tmp, NULL));
}

/* rejects a file: remembers why; printed once, when the run is written */
static void reject(struct entry *e, const char *why)
{
	if (!e->error)
		e->error = xstrdup(why);
}

static void report_rejection(struct ingest *in, struct entry *e)
{
	if (!e->error || e->reported)
		return;
	e->reported = 1;
	in->rep->rejected++;
	error("'%s': %s", qname(in, e->path), e->error);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

static char *path_join(const char *a, const char *b)
{
	struct buf p = BUF_INIT;
	buf_adds(&p, a);
	if (p.len && p.data[p.len - 1] != '/')
		buf_addc(&p, '/');
	buf_adds(&p, b);
	return buf_detach(&p, NULL);
}

/*
 * Reads a whole file into b (reset first) when it is at most cap bytes.
 * 0, or -1 with *why set (static or strerror text; not printed).
 */
static int read_capped(const char *path, size_t cap, struct buf *b, const char **why)
{
	static char msg[96];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	buf_reset(b);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -1;
	}
	if ((uint64_t)sb.st_size > cap) {
		snprintf(msg, sizeof(msg), "%lld bytes, over the limit of %zu MB for this kind of file",
			 (long long)sb.st_size, cap >> 20);
		*why = msg;
		close(fd);
		return -1;
	}
	/* room for the size seen, one byte more to notice growth, and the NUL */
	size_t want = (size_t)sb.st_size + 2;
	if (b->cap < want) {
		b->data = xrealloc(b->data, want);
		b->cap = want;
	}
	for (;;) {
		if (b->len + 1 >= b->cap) {
			/* the file grew while read: up to cap + 1 bytes tell it went over */
			size_t ncap = b->cap * 2 > cap + 2 ? cap + 2 : b->cap * 2;
			if (ncap <= b->cap)
				break;
			b->data = xrealloc(b->data, ncap);
			b->cap = ncap;
		}
		ssize_t r = read(fd, b->data + b->len, b->cap - 1 - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
	}
	if (b->len > cap) {
		snprintf(msg, sizeof(msg), "grew over the limit of %zu MB while read", cap >> 20);
		*why = msg;
		close(fd);
		return -1;
	}
	b->data[b->len] = '\0';
	close(fd);
	return 0;
}

static size_t cap_of(enum kind k)
{
	return k == K_JUNIT ? INGEST_MAX_JUNIT : k == K_LOG ? INGEST_MAX_LOG : INGEST_MAX_META;
}

/* ---- 1. scan ---- */

static int add_entry(struct ingest *in, enum kind kind, const char *rel, const char *path,
		     const struct stat *sb)
{
	if (in->n >= INGEST_MAX_FILES)
		return error("'%s': more than %d files: not one run's folder", qname(in, in->display),
			     INGEST_MAX_FILES);
	if (in->n == in->alloc) {
		in->alloc = in->alloc ? in->alloc * 2 : 32;
		in->e = xrealloc(in->e, in->alloc * sizeof(*in->e));
	}
	struct entry *e = &in->e[in->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->name = clean_dup(in, rel, strlen(rel));
	e->path = xstrdup(path);
	e->mtime = (int64_t)sb->st_mtime;
	if (kind == K_JUNIT) {
		const char *slash = strrchr(e->name, '/');
		e->tier = xstrdup(rundir_tier_of(slash ? slash + 1 : e->name, &in->tmp));
	}
	return 0;
}

/* logs/ and its sub-folders: every regular file; symlinked folders are not followed */
static int scan_logs(struct ingest *in, const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = path_join(dir, de->d_name);
		char *r = path_join(rel, de->d_name);
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode) && stat(path, &sb) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			info("'%s': symlinked folder not followed", qname(in, path));
		} else if (stat(path, &sb) < 0) {
			warning("'%s': %s", qname(in, path), strerror(errno));
		} else if (S_ISREG(sb.st_mode)) {
			rc = add_entry(in, K_LOG, r, path, &sb);
		} else if (S_ISDIR(sb.st_mode)) {
			if (depth >= INGEST_MAX_DEPTH)
				warning("'%s': deeper than %d folders; not read", qname(in, path),
					INGEST_MAX_DEPTH);
			else
				rc = scan_logs(in, path, r, depth + 1);
		}
		free(path);
		free(r);
	}
	closedir(d);
	return rc;
}

/* junit/: the *.xml files in it */
static int scan_junit(struct ingest *in, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".xml"))
			continue;
		char *path = path_join(dir, de->d_name);
		char *r = path_join("junit", de->d_name);
		struct stat sb;
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = add_entry(in, K_JUNIT, r, path, &sb);
		free(path);
		free(r);
	}
	closedir(d);
	return rc;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* sorts the entries by stored name and drops names that collide once cleaned */
static void sort_entries(struct ingest *in)
{
	if (in->n > 1) /* qsort of NULL, 0 is undefined */
		qsort(in->e, in->n, sizeof(*in->e), entry_cmp);
	size_t o = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->e[i];
		if (o && !strcmp(in->e[o - 1].name, e->name)) {
			error("'%s': same name as '%s' once made valid UTF-8; not read",
			      qname(in, e->path), e->name);
			in->rep->rejected++;
			free(e->name);
			free(e->path);
			free(e->tier);
			continue;
		}
		in->e[o++] = *e;
	}
	in->n = o;
}

static int scan_dir(struct ingest *in, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, ".."))
			continue;
		char *path = path_join(dir, nm);
		struct stat sb;
		if (stat(path, &sb) < 0) {
			free(path);
			continue;
		}
		if (S_ISREG(sb.st_mode)) {
			if (!strcmp(nm, "run.json") || !strcmp(nm, "results.json"))
				rc = add_entry(in, K_META, nm, path, &sb);
			else if (nm[0] != '.' && has_suffix(nm, ".xml"))
				rc = add_entry(in, K_JUNIT, nm, path, &sb);
		} else if (S_ISDIR(sb.st_mode)) {
			if (!strcmp(nm, "junit"))
				rc = scan_junit(in, path);
			else if (!strcmp(nm, "logs"))
				rc = scan_logs(in, path, "logs", 1);
		}
		free(path);
	}
	closedir(d);
	if (!rc)
		sort_entries(in);
	return rc;
}

/* ---- 2. metadata ---- */

static struct entry *find_entry(struct ingest *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->e[i].name, name))
			return &in->e[i];
	return NULL;
}

/* a column as cleaned text, NULL for NULL or "" */
static char *col_dup(struct ingest *in, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const char *t = (const char *)sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);
	if (!t || n <= 0)
		return NULL;
	return clean_dup(in, t, (size_t)n);
}

static void set_if_unset(char **dst, char *v)
{
	if (!*dst)
		*dst = v;
	else
		free(v);
}

/* a time column: ISO 8601 text or epoch seconds; 0 when absent; warns on junk */
static int64_t col_time(struct ingest *in, sqlite3_stmt *s, int i, const struct entry *e,
			const char *field)
{
	int64_t t = 0;
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		t = sqlite3_column_int64(s, i);
		break;
	case SQLITE_TEXT:
		if (time_parse(col_text(s, i), &t) < 0) {
			warning("'%s': %s: '%s' is not a time; ignored", qname(in, e->path), field,
				col_text(s, i));
			t = 0;
		}
		break;
	default:
		break;
	}
	return t > 0 ? t : 0;
}

/* an integer column, or -1 */
static int col_exit(sqlite3_stmt *s, int i)
{
	int type = sqlite3_column_type(s, i);
	if (type == SQLITE_INTEGER)
		return sqlite3_column_int(s, i);
	if (type == SQLITE_TEXT) {
		char *end;
		long v = strtol(col_text(s, i), &end, 10);
		if (*col_text(s, i) && !*end && v >= 0 && v <= 255)
			return (int)v;
	}
	return -1;
}

static void add_decl(struct ingest *in, const char *tier, const char *status, char *reason,
		     const char *from)
{
	for (size_t i = 0; i < in->m.ndecl; i++)
		if (!strcmp(in->m.decl[i].tier, tier)) {
			free(reason); /* the first statement wins: run.json over results.json */
			return;
		}
	in->m.decl = xrealloc(in->m.decl, (in->m.ndecl + 1) * sizeof(*in->m.decl));
	in->m.decl[in->m.ndecl++] = (struct decl){xstrdup(tier), status, reason, from};
}

static const char SQL_JSON_VALID[] =
	"SELECT CASE WHEN json_valid(:j) THEN json_type(:j) = 'object' ELSE 0 END";

/* checks data is one JSON object; rejects e otherwise */
static int json_object_ok(struct ingest *in, struct entry *e)
{
	sqlite3_stmt *s = store_stmt(in->st, SQL_JSON_VALID);
	bind_textn(s, ":j", in->data.data ? in->data.data : "", in->data.len);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return store_error(in->st, "json check");
	if (!sqlite3_column_int(s, 0)) {
		reject(e, in->data.len ? "not a JSON object" : "empty file");
		return 0;
	}
	return 1;
}

static const char SQL_RUN_JSON[] =
	"SELECT json_extract(:j, '$.recipe'), json_extract(:j, '$.version'),"
	" json_extract(:j, '$.ref'), json_extract(:j, '$.harness_ref'),"
	" json_extract(:j, '$.host'), json_extract(:j, '$.mode'),"
	" json_extract(:j, '$.trigger'), json_extract(:j, '$.sweep'),"
	" json_extract(:j, '$.external_id'), json_extract(:j, '$.started'),"
	" json_extract(:j, '$.finished'), json_extract(:j, '$.exit_code'),"
	" json_extract(:j, '$.promote.outcome'), json_extract(:j, '$.promote.version'),"
	" json_extract(:j, '$.promote.at'), json_extract(:j, '$.promote.reason')";
static const char SQL_RUN_JSON_TIERS[] =
	"SELECT key, CASE type WHEN 'object' THEN json_extract(value, '$.status')"
	" WHEN 'text' THEN value END,"
	" CASE type WHEN 'object' THEN json_extract(value, '$.reason') END"
	" FROM json_each(:j, '$.tiers') WHERE key IS NOT NULL ORDER BY id";

static int read_run_json(struct ingest *in, struct entry *e)
{
	struct meta *m = &in->m;
	int ok = json_object_ok(in, e);
	if (ok <= 0)
		return ok;
	sqlite3_stmt *s = store_stmt(in->st, SQL_RUN_JSON);
	bind_textn(s, ":j", in->data.data, in->data.len);
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_error(in->st, "reading run.json");
	m->recipe = col_dup(in, s, 0);
	m->version = col_dup(in, s, 1);
	m->ref = col_dup(in, s, 2);
	m->harness_ref = col_dup(in, s, 3);
	m->host = col_dup(in, s, 4);
	m->mode = col_dup(in, s, 5);
	m->trigger = col_dup(in, s, 6);
	m->sweep = col_dup(in, s, 7);
	m->external_id = col_dup(in, s, 8);
	m->started = col_time(in, s, 9, e, "started");
	m->finished = col_time(in, s, 10, e, "finished");
	m->exit_code = col_exit(s, 11);
	m->promote_outcome = col_dup(in, s, 12);
	m->promote_version = col_dup(in, s, 13);
	m->promote_at = col_time(in, s, 14, e, "promote.at");
	m->promote_reason = col_dup(in, s, 15);
	sqlite3_reset(s);

	s = store_stmt(in->st, SQL_RUN_JSON_TIERS);
	bind_textn(s, ":j", in->data.data, in->data.len);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = col_dup(in, s, 0);
		const char *st = rundir_tier_word(col_text(s, 1));
		if (!tier)
			continue;
		if (!st)
			warning("'%s': tiers.%s: status '%s' not understood; ignored",
				qname(in, e->path), tier, col_text(s, 1));
		else
			add_decl(in, tier, st, col_dup(in, s, 2), "run.json");
		free(tier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "reading run.json tiers");
	if (m->mode && strcmp(m->mode, "cold") && strcmp(m->mode, "warm")) {
		warning("'%s': mode '%s' is neither cold nor warm; ignored", qname(in, e->path),
			m->mode);
		free(m->mode);
		m->mode = NULL;
	}
	return 0;
}

static const char SQL_RESULTS_JSON[] =
	"SELECT json_extract(:j, '$.recipe'), json_extract(:j, '$.version'),"
	" json_extract(:j, '$.ref'), json_extract(:j, '$.pr'), json_extract(:j, '$.started'),"
	" json_extract(:j, '$.finished'), json_extract(:j, '$.host'),"
	" json_extract(:j, '$.trigger'), json_extract(:j, '$.exit_code'),"
	" json_extract(:j, '$.harness_ref')";
/* stages as an array of {name, status, tests} or an object name -> {status, tests} */
static const char SQL_RESULTS_STAGES[] =
	"SELECT CASE WHEN type = 'object' THEN coalesce(json_extract(:j, fullkey || '.name'),"
	"   CASE WHEN typeof(key) = 'text' THEN key END) END,"
	" CASE WHEN type = 'object' THEN json_extract(:j, fullkey || '.status')"
	"   WHEN type = 'text' THEN value END,"
	" CASE WHEN type = 'object' THEN json_extract(:j, fullkey || '.reason') END,"
	" CASE WHEN typeof(key) = 'text' THEN key END"
	" FROM json_each(:j, '$.stages') ORDER BY id";
static const char SQL_RESULTS_NA[] =
	"SELECT key, CASE WHEN type = 'text' THEN value END FROM json_each(:j, '$.expected_na')"
	" WHERE key IS NOT NULL ORDER BY id";

static int read_results_json(struct ingest *in, struct entry *e)
{
	struct meta *m = &in->m;
	int ok = json_object_ok(in, e);
	if (ok <= 0)
		return ok;
	sqlite3_stmt *s = store_stmt(in->st, SQL_RESULTS_JSON);
	bind_textn(s, ":j", in->data.data, in->data.len);
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_error(in->st, "reading results.json");
	/* run.json, read first, wins: results.json fills what it left out */
	set_if_unset(&m->recipe, col_dup(in, s, 0));
	set_if_unset(&m->version, col_dup(in, s, 1));
	set_if_unset(&m->ref, col_dup(in, s, 2));
	char *pr = col_dup(in, s, 3);
	if (pr && pr[0] != '#') {
		struct buf b = BUF_INIT;
		buf_addf(&b, "#%s", pr);
		free(pr);
		pr = buf_detach(&b, NULL);
	}
	int has_pr = pr != NULL;
	set_if_unset(&m->external_id, pr);
	if (!m->started)
		m->started = col_time(in, s, 4, e, "started");
	if (!m->finished)
		m->finished = col_time(in, s, 5, e, "finished");
	set_if_unset(&m->host, col_dup(in, s, 6));
	set_if_unset(&m->trigger, col_dup(in, s, 7));
	if (!m->trigger && has_pr)
		m->trigger = xstrdup("testme"); /* a run for a pull request is a testme run */
	if (m->exit_code < 0)
		m->exit_code = col_exit(s, 8);
	set_if_unset(&m->harness_ref, col_dup(in, s, 9));
	sqlite3_reset(s);

	/* the recipe's EXPECTED_NA = {tier: reason}, then each stage's own status */
	int rc;
	s = store_stmt(in->st, SQL_RESULTS_NA);
	bind_textn(s, ":j", in->data.data, in->data.len);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = col_dup(in, s, 0);
		if (tier)
			add_decl(in, tier, "expected_na", col_dup(in, s, 1), "results.json");
		free(tier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "reading results.json");
	s = store_stmt(in->st, SQL_RESULTS_STAGES);
	bind_textn(s, ":j", in->data.data, in->data.len);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = col_dup(in, s, 0);
		if (!tier)
			tier = col_dup(in, s, 3);
		if (!tier)
			continue;
		const char *word = col_text(s, 1);
		const char *st = rundir_tier_word(word);
		if (!st && *word)
			warning("'%s': stage %s: status '%s' not understood; ignored",
				qname(in, e->path), tier, word);
		/* a stage without a known status still names a tier */
		add_decl(in, tier, st, col_dup(in, s, 2), "results.json");
		free(tier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "reading results.json stages");
	m->results = xstrndup(in->data.data, in->data.len);
	m->results_len = in->data.len;
	return 0;
}

static const char *const triggers[] = {"sweep", "isolation", "testme", "manual"};

/* fills the run's metadata and id. 0, 1 when the folder is no run (named on stderr), -1 */
static int resolve_meta(struct ingest *in)
{
	struct meta *m = &in->m;
	const struct ingest_opts *o = in->o;
	/* run.json first: what it says wins over results.json */
	struct entry *ej = find_entry(in, "run.json"), *er = find_entry(in, "results.json");
	int njunit = 0;
	for (size_t i = 0; i < in->n; i++)
		njunit += in->e[i].kind == K_JUNIT;
	if (!ej && !er && !njunit) {
		error("'%s': no run.json, results.json or JUnit files: not a run folder",
		      qname(in, in->display));
		return 1;
	}
	struct entry *metas[2] = {ej, er};
	for (int k = 0; k < 2; k++) {
		struct entry *e = metas[k];
		const char *why;
		if (!e)
			continue;
		if (read_capped(e->path, INGEST_MAX_META, &in->data, &why) < 0) {
			reject(e, why);
			continue;
		}
		if ((k == 0 ? read_run_json(in, e) : read_results_json(in, e)) < 0)
			return -1;
	}

	/* then the options */
	if (!m->recipe && o->recipe)
		m->recipe = clean_dup(in, o->recipe, strlen(o->recipe));
	if (!m->version && o->version)
		m->version = clean_dup(in, o->version, strlen(o->version));
	if (!m->host && o->host)
		m->host = clean_dup(in, o->host, strlen(o->host));
	if (!m->trigger && o->trigger)
		m->trigger = clean_dup(in, o->trigger, strlen(o->trigger));
	if (!m->sweep && o->sweep)
		m->sweep = clean_dup(in, o->sweep, strlen(o->sweep));
	if (!m->external_id && o->external_id)
		m->external_id = clean_dup(in, o->external_id, strlen(o->external_id));
	if (!m->started)
		m->started = o->started > 0 ? o->started : 0;
	if (!m->finished)
		m->finished = o->finished > 0 ? o->finished : 0;
	if (m->exit_code < 0)
		m->exit_code = o->exit_code;

	/* then the folder's name, "<compact start>-<recipe>" when named like a run id */
	int64_t named_start = 0;
	const char *rest = in->base ? rundir_run_id_rest(in->base, &named_start) : NULL;
	if (!m->recipe && in->base) {
		const char *r = rest ? rest : in->base;
		m->recipe = clean_dup(in, r, strlen(r));
	}
	if (!m->started && rest)
		m->started = named_start;
	/* last, the earliest file time (changes when the files are copied without times) */
	if (!m->started) {
		for (size_t i = 0; i < in->n; i++)
			if (in->e[i].mtime > 0 && (!m->started || in->e[i].mtime < m->started))
				m->started = in->e[i].mtime;
	}
	if (!m->recipe || !*m->recipe || strchr(m->recipe, '/')) {
		error("'%s': no usable recipe name%s%s; give --recipe", qname(in, in->display),
		      m->recipe ? " in " : "", m->recipe ? qname(in, m->recipe) : "");
		return 1;
	}
	if (!m->started) {
		error("'%s': no start time; give --started", qname(in, in->display));
		return 1;
	}
	if (m->finished && m->finished < m->started) {
		warning("'%s': finished before started; finish time ignored",
			qname(in, in->display));
		m->finished = 0;
	}
	if (m->trigger) {
		size_t i;
		for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++)
			if (!strcmp(m->trigger, triggers[i]))
				break;
		if (i == sizeof(triggers) / sizeof(triggers[0])) {
			warning("'%s': trigger '%s' unknown; taken as manual", qname(in, in->display),
				m->trigger);
			free(m->trigger);
			m->trigger = NULL;
		}
	}
	if (!m->trigger)
		m->trigger = xstrdup("manual");
	if (!strcmp(m->trigger, "sweep")) {
		if (m->sweep) {
			in->sweep_id = xstrdup(m->sweep);
		} else {
			/* grouped by host and UTC start date: "<YYYYMMDD>-<host>" */
			char day[17], hs[SLUG_SIZE];
			const char *h = m->host ? m->host : "unknown";
			time_fmt_compact(m->started, day);
			day[8] = '\0';
			slug_name(h, strlen(h), hs);
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s-%s", day, hs);
			in->sweep_id = buf_detach(&b, NULL);
		}
	}
	char stamp[17], rs[SLUG_SIZE];
	time_fmt_compact(m->started, stamp);
	slug_name(m->recipe, strlen(m->recipe), rs);
	int w = snprintf(in->id, sizeof(in->id), "%s-%s", stamp, rs);
	if (w < 0 || (size_t)w >= sizeof(in->id))
		die("run id too long"); /* cannot happen: 16 + 1 + SLUG_MAX */
	memcpy(in->rep->run_id, in->id, sizeof(in->id));
	return 0;
}

/* ---- manifest ---- */

static void hash_field(struct sha256 *h, const char *key, const char *v)
{
	sha256_update(h, key, strlen(key) + 1);
	if (!v) {
		sha256_update(h, "N", 1);
		return;
	}
	uint64_t n = strlen(v);
	sha256_update(h, "S", 1);
	sha256_update(h, &n, sizeof(n));
	sha256_update(h, v, n);
}

static void hash_int(struct sha256 *h, const char *key, int64_t v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)v);
	hash_field(h, key, num);
}

/*
 * SHA-256 over the sorted (name, content hash) pairs and the effective
 * metadata (not the source path, the ingest time or load figures: the same run
 * from another place or via another command is the same run).
 */
static void manifest_hash(struct ingest *in, char out[65])
{
	struct sha256 h;
	struct meta *m = &in->m;
	sha256_init(&h);
	sha256_update(&h, "ccr-manifest-1", 15);
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->e[i];
		hash_field(&h, kind_name[e->kind], e->name);
		hash_field(&h, "hash", e->hash[0] ? e->hash : e->error ? e->error : "");
	}
	hash_field(&h, "recipe", m->recipe);
	hash_field(&h, "version", m->version);
	hash_field(&h, "ref", m->ref);
	hash_field(&h, "harness_ref", m->harness_ref);
	hash_field(&h, "host", m->host);
	hash_field(&h, "mode", m->mode);
	hash_field(&h, "trigger", m->trigger);
	hash_field(&h, "sweep", in->sweep_id);
	hash_field(&h, "external_id", m->external_id);
	hash_int(&h, "started", m->started);
	hash_int(&h, "finished", m->finished);
	hash_int(&h, "exit_code", m->exit_code);
	hash_field(&h, "promote_outcome", m->promote_outcome);
	hash_field(&h, "promote_version", m->promote_version);
	hash_int(&h, "promote_at", m->promote_at);
	hash_field(&h, "promote_reason", m->promote_reason);
	sha256_final_hex(&h, out);
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
		if (read_capped(e->path, cap_of(e->kind), &in->data, &why) < 0) {
			reject(e, why);
			continue;
		}
		sha256_hex(in->data.data, in->data.len, e->hash);
		in->rep->files++;
		in->rep->bytes += (int64_t)in->data.len;
	}
	manifest_hash(in, mh);
	if (!strcmp(mh, have)) {
		in->rep->outcome = INGEST_UNCHANGED;
		if (verbosity >= 0)
			fprintf(stderr, "ccr: '%s': already archived as %s\n", qname(in, in->display),
				in->id);
	} else {
		in->rep->outcome = INGEST_CONFLICT;
		error("'%s': run %s is archived already with other content; kept the archived one",
		      qname(in, in->display), in->id);
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
static const char SQL_TEST_PUT[] =
	"INSERT INTO test(recipe, tier, classname, name, slug)"
	" VALUES (:recipe, :tier, :classname, :name, :slug)";
static const char SQL_TC_PUT[] =
	"INSERT INTO testcase(run_id, test_id, tier, seq, file, suite, status, time_ms, message,"
	" type, details, system_out, system_err, properties, attempts, truncated)"
	" VALUES (:run, :test, :tier, :seq, :file, :suite, :status, :time_ms, :message, :type,"
	" :details, :system_out, :system_err, :properties, :attempts, :truncated)";
static const char SQL_TC_STATUS[] =
	"SELECT status FROM testcase WHERE run_id = :run AND test_id = :test";
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
	static const char *const order[] = {"skipped", "xfail", "passed", "flaky", "failed", "error"};
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

/* 0, 1 when the input was refused by the store (the file is rejected), -1 fatal */
static int put_case(struct ingest *in, const struct tc *c)
{
	struct store *st = in->st;
	sqlite3_stmt *s = store_stmt(st, SQL_TEST_GET);
	bind_text(s, ":recipe", in->m.recipe);
	bind_text(s, ":tier", c->tier);
	bind_text(s, ":classname", c->classname);
	bind_text(s, ":name", c->name);
	int rc = sqlite3_step(s);
	int64_t test_id;
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

	s = store_stmt(st, SQL_TC_PUT);
	bind_text(s, ":run", in->id);
	bind_int(s, ":test", test_id);
	bind_text(s, ":tier", c->tier);
	bind_int(s, ":seq", in->seq);
	bind_text(s, ":file", c->file);
	bind_text(s, ":suite", c->suite);
	bind_text(s, ":status", c->status);
	if (c->time_ms >= 0)
		bind_int(s, ":time_ms", c->time_ms);
	bind_text(s, ":message", c->message);
	bind_text(s, ":type", c->type);
	bind_text(s, ":details", c->details);
	bind_text(s, ":system_out", c->system_out);
	bind_text(s, ":system_err", c->system_err);
	bind_text(s, ":properties", c->properties);
	bind_text(s, ":attempts", c->attempts);
	bind_int(s, ":truncated", c->truncated);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE) {
		in->seq++;
		in->rep->tests++;
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
	if (rc > 0)
		reject(e, "refused by the store (a value over sqlite's limits)");
	return rc;
}

static int write_file(struct ingest *in, struct entry *e)
{
	const char *why;
	int64_t lines = -1;
	if (read_capped(e->path, cap_of(e->kind), &in->data, &why) < 0) {
		reject(e, why);
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
		int rc = junit_parse(e->name, in->data.data ? in->data.data : "", in->data.len, &jf);
		if (rc < 0) {
			reject(e, jf.error ? jf.error : "not a JUnit report");
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
	struct entry *e = find_entry(in, "results.json");
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
		char *tier = col_dup(in, s, 0), *id = col_dup(in, s, 1);
		if (!tier || !id) {
			free(tier);
			free(id);
			continue;
		}
		rows = xrealloc(rows, (nrows + 1) * sizeof(*rows));
		rows[nrows++] = (struct row){tier, id, col_dup(in, s, 2), col_dup(in, s, 4),
					     sqlite3_column_type(s, 3) == SQLITE_NULL
						     ? -1
						     : sqlite3_column_int64(s, 3)};
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
			reject(e, "a test refused by the store (a value over sqlite's limits)");
			rc = 0;
		}
		t = tier_get(in, r->tier);
		t->results_tests++;
	}
	if (bad)
		warning("'%s': %d test status(es) not understood; stored as error",
			qname(in, e ? e->path : in->display), bad);
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

static const char SQL_TIER_COUNTS[] =
	"SELECT tier, count(*), sum(status = 'failed'), sum(status = 'error'),"
	" sum(status IN ('skipped', 'xfail')), sum(status IN ('passed', 'flaky', 'xfail')),"
	" sum(time_ms), count(time_ms)"
	" FROM testcase WHERE run_id = :run GROUP BY tier";
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
	sqlite3_stmt *s = store_stmt(in->st, SQL_TIER_COUNTS);
	bind_text(s, ":run", in->id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct tier *t = tier_get(in, col_text(s, 0));
		t->tests = sqlite3_column_int64(s, 1);
		t->failures = sqlite3_column_int64(s, 2);
		t->errors = sqlite3_column_int64(s, 3);
		t->skipped = sqlite3_column_int64(s, 4);
		t->passing = sqlite3_column_int64(s, 5);
		t->time_ms = sqlite3_column_int64(s, 6);
		t->has_time = sqlite3_column_int64(s, 7) > 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "tier counts");

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
			/* a stated failure the testcases do not show (a failed deploy) still counts */
			if (d && d->status && rundir_tier_rank(d->status) > rundir_tier_rank(t->status)) {
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

	/* the harness crashed: the first canonical tier missing after the last JUnit is the error */
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
		if (t->has_time)
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
 * (sharing only an end second does not count: back-to-back runs did not overlap) */
static const char SQL_OVERLAP_COUNT[] =
	"SELECT count(*) FROM run WHERE host = :host AND id <> :id AND finished IS NOT NULL"
	" AND started < :finished AND finished > :started";
static const char SQL_OVERLAP_BUMP[] =
	"UPDATE run SET overlap = overlap + 1 WHERE host = :host AND id <> :id"
	" AND finished IS NOT NULL AND started < :finished AND finished > :started";
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

	int64_t overlap = 0;
	if (m->host && m->finished) {
		s = store_stmt(st, SQL_OVERLAP_COUNT);
		bind_text(s, ":host", m->host);
		bind_text(s, ":id", in->id);
		bind_int(s, ":started", m->started);
		bind_int(s, ":finished", m->finished);
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
		if (store_step_done(st, s) < 0)
			return -1;
	}
	char mh[65];
	manifest_hash(in, mh);
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
	char **strs[] = {&m->recipe,	      &m->version,	   &m->ref,
			 &m->harness_ref,     &m->host,		   &m->mode,
			 &m->trigger,	      &m->sweep,	   &m->external_id,
			 &m->promote_outcome, &m->promote_version, &m->promote_reason,
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
}

/* after the scan: metadata, then compare or write. 0 or -1 (store error) */
static int ingest_run(struct ingest *in)
{
	struct ingest_report *rep = in->rep;
	int rc = resolve_meta(in);
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
		if (store_begin(in->st) < 0)
			return -1;
		/* another collector may have stored it since the look-up */
		rc = archived_hash(in, have);
		if (rc == 0)
			rc = write_run(in) < 0 ? -1 : 2;
		if (rc == 2 && store_commit(in->st) < 0)
			return -1;
		if (rc != 2)
			store_rollback(in->st);
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
		report_rejection(in, &in->e[i]);
	info("'%s': archived as %s (%d files, %d tests)", qname(in, in->display), in->id, rep->files,
	     rep->tests);
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
		return clean_dup(in, in->o->source, strlen(in->o->source));
	char *rp = realpath(p, NULL);
	char *out = clean_dup(in, rp ? rp : p, strlen(rp ? rp : p));
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
	if (scan_dir(&in, dir) < 0) {
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
			error("'%s': %s", qname(&in, paths[i]), why);
			ingest_release(&in);
			return 0;
		}
		const char *slash = strrchr(paths[i], '/');
		char *rel = path_join("junit", slash ? slash + 1 : paths[i]);
		int rc = add_entry(&in, K_JUNIT, rel, paths[i], &sb);
		free(rel);
		if (rc < 0) {
			ingest_release(&in);
			return 0;
		}
	}
	sort_entries(&in);
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
