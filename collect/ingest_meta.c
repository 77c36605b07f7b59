/*
 * ingest_meta: the reading half of ingest (see ingest.c): list a run folder's
 * files within the caps, read run.json and results.json with sqlite's JSON1
 * functions, fill the rest from the options, the folder name and file times,
 * derive the run id, hash the manifest.
 */
#include "ingest_int.h"
#include "rundir.h"
#include "../lib/msg.h"
#include "../lib/quote.h"
#include "../lib/sha256.h"
#include "../lib/slug.h"
#include "../lib/timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const kind_name[3] = {"meta", "junit", "log"};

/* ---- small helpers ---- */

const char *ig_qname(struct ingest *in, const char *s)
{
	return quote_name(s, strlen(s), &in->q);
}

char *ig_clean_dup(struct ingest *in, const char *s, size_t n)
{
	return xstrdup(utf8_clean(s, n, &in->tmp, NULL));
}

/* rejects a file: remembers why; printed once, when the run is written */
void ig_reject(struct entry *e, const char *why)
{
	if (!e->error)
		e->error = xstrdup(why);
}

void ig_report_rejection(struct ingest *in, struct entry *e)
{
	if (!e->error || e->reported)
		return;
	e->reported = 1;
	in->rep->rejected++;
	error("'%s': %s", ig_qname(in, e->path), e->error);
}

static int ig_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

char *ig_path_join(const char *a, const char *b)
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
int ig_read_capped(const char *path, size_t cap, struct buf *b, const char **why)
{
	static char msg[96];
	/* O_NONBLOCK: a file swapped for a FIFO after the listing must not hang the
	 * collector in open(); fstat below then rejects it (no effect on regular files) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
		snprintf(msg, sizeof(msg),
			 "%lld bytes, over the limit of %zu MB for this kind of file",
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
		size_t want_now = b->cap - 1 - b->len;
		ssize_t r = read(fd, b->data + b->len, want_now);
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
		/* the size fstat saw, and less than asked for: the end (a file that grew
		 * filled the byte more); saves a read() per file */
		if ((size_t)r < want_now && b->len == (size_t)sb.st_size)
			break;
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

size_t ig_cap_of(enum kind k)
{
	return k == K_JUNIT ? INGEST_MAX_JUNIT : k == K_LOG ? INGEST_MAX_LOG : INGEST_MAX_META;
}

/* ---- 1. scan ---- */

int ig_add_entry(struct ingest *in, enum kind kind, const char *rel, const char *path,
		 const struct stat *sb)
{
	if (in->n >= INGEST_MAX_FILES)
		return error("'%s': more than %d files: not one run's folder",
			     ig_qname(in, in->display), INGEST_MAX_FILES);
	if (in->n == in->alloc) {
		in->alloc = in->alloc ? in->alloc * 2 : 32;
		in->e = xrealloc(in->e, in->alloc * sizeof(*in->e));
	}
	struct entry *e = &in->e[in->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->name = ig_clean_dup(in, rel, strlen(rel));
	e->path = xstrdup(path);
	e->mtime = (int64_t)sb->st_mtime;
	if (kind == K_JUNIT) {
		const char *slash = strrchr(e->name, '/');
		e->tier = xstrdup(rundir_tier_of(slash ? slash + 1 : e->name, &in->tmp));
	}
	return 0;
}

/* logs/ and its sub-folders: every regular file; symlinked folders are not followed */
static int ig_scan_logs(struct ingest *in, const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", ig_qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *path = ig_path_join(dir, de->d_name);
		char *r = ig_path_join(rel, de->d_name);
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode) && stat(path, &sb) == 0 &&
		    S_ISDIR(sb.st_mode)) {
			info("'%s': symlinked folder not followed", ig_qname(in, path));
		} else if (stat(path, &sb) < 0) {
			warning("'%s': %s", ig_qname(in, path), strerror(errno));
		} else if (S_ISREG(sb.st_mode)) {
			rc = ig_add_entry(in, K_LOG, r, path, &sb);
		} else if (S_ISDIR(sb.st_mode)) {
			if (depth >= INGEST_MAX_DEPTH)
				warning("'%s': deeper than %d folders; not read",
					ig_qname(in, path), INGEST_MAX_DEPTH);
			else
				rc = ig_scan_logs(in, path, r, depth + 1);
		}
		free(path);
		free(r);
	}
	closedir(d);
	return rc;
}

/* junit/: the *.xml files in it */
static int ig_scan_junit(struct ingest *in, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", ig_qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !ig_has_suffix(de->d_name, ".xml"))
			continue;
		char *path = ig_path_join(dir, de->d_name);
		char *r = ig_path_join("junit", de->d_name);
		struct stat sb;
		/* anything but a folder is listed: a dangling symlink or a FIFO is then
		 * rejected by name when read, and its tier counts a bad file, rather than
		 * the tier's results vanishing without a word */
		if (stat(path, &sb) == 0 ? !S_ISDIR(sb.st_mode) : lstat(path, &sb) == 0)
			rc = ig_add_entry(in, K_JUNIT, r, path, &sb);
		free(path);
		free(r);
	}
	closedir(d);
	return rc;
}

static int ig_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* sorts the entries by stored name and drops names that collide once cleaned */
void ig_sort_entries(struct ingest *in)
{
	if (in->n > 1) /* qsort of NULL, 0 is undefined */
		qsort(in->e, in->n, sizeof(*in->e), ig_entry_cmp);
	size_t o = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->e[i];
		if (o && !strcmp(in->e[o - 1].name, e->name)) {
			error("'%s': another file of this run has the same name; not read",
			      ig_qname(in, e->path));
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

int ig_scan_dir(struct ingest *in, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error("'%s': %s", ig_qname(in, dir), strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, ".."))
			continue;
		char *path = ig_path_join(dir, nm);
		struct stat sb;
		if (stat(path, &sb) < 0) {
			free(path);
			continue;
		}
		if (S_ISREG(sb.st_mode)) {
			if (!strcmp(nm, "run.json") || !strcmp(nm, "results.json"))
				rc = ig_add_entry(in, K_META, nm, path, &sb);
			else if (nm[0] != '.' && ig_has_suffix(nm, ".xml"))
				rc = ig_add_entry(in, K_JUNIT, nm, path, &sb);
		} else if (S_ISDIR(sb.st_mode)) {
			if (!strcmp(nm, "junit"))
				rc = ig_scan_junit(in, path);
			else if (!strcmp(nm, "logs"))
				rc = ig_scan_logs(in, path, "logs", 1);
		}
		free(path);
	}
	closedir(d);
	if (!rc)
		ig_sort_entries(in);
	return rc;
}

/* ---- 2. metadata ---- */

struct entry *ig_find_entry(struct ingest *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->e[i].name, name))
			return &in->e[i];
	return NULL;
}

/* a column as cleaned text, NULL for NULL or "" */
char *ig_col_dup(struct ingest *in, sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const char *t = (const char *)sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);
	if (!t || n <= 0)
		return NULL;
	return ig_clean_dup(in, t, (size_t)n);
}

static void ig_set_if_unset(char **dst, char *v)
{
	if (!*dst)
		*dst = v;
	else
		free(v);
}

/* a time column: ISO 8601 text or epoch seconds; 0 when absent; warns on junk */
static int64_t ig_col_time(struct ingest *in, sqlite3_stmt *s, int i, const struct entry *e,
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
			warning("'%s': %s: '%s' is not a time; ignored", ig_qname(in, e->path),
				field, col_text(s, i));
			t = 0;
		}
		break;
	default:
		break;
	}
	return t > 0 ? t : 0;
}

/* an integer column, or -1 */
static int ig_col_exit(sqlite3_stmt *s, int i)
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

static void ig_add_decl(struct ingest *in, const char *tier, const char *status, char *reason,
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
static int ig_json_object_ok(struct ingest *in, struct entry *e)
{
	sqlite3_stmt *s = store_stmt(in->st, SQL_JSON_VALID);
	bind_textn(s, ":j", in->data.data ? in->data.data : "", in->data.len);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return store_error(in->st, "json check");
	if (!sqlite3_column_int(s, 0)) {
		ig_reject(e, in->data.len ? "not a JSON object" : "empty file");
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

static int ig_read_run_json(struct ingest *in, struct entry *e)
{
	struct meta *m = &in->m;
	int ok = ig_json_object_ok(in, e);
	if (ok <= 0)
		return ok;
	sqlite3_stmt *s = store_stmt(in->st, SQL_RUN_JSON);
	bind_textn(s, ":j", in->data.data, in->data.len);
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_error(in->st, "reading run.json");
	m->recipe = ig_col_dup(in, s, 0);
	m->version = ig_col_dup(in, s, 1);
	m->ref = ig_col_dup(in, s, 2);
	m->harness_ref = ig_col_dup(in, s, 3);
	m->host = ig_col_dup(in, s, 4);
	m->mode = ig_col_dup(in, s, 5);
	m->trigger = ig_col_dup(in, s, 6);
	m->sweep = ig_col_dup(in, s, 7);
	m->external_id = ig_col_dup(in, s, 8);
	m->started = ig_col_time(in, s, 9, e, "started");
	m->finished = ig_col_time(in, s, 10, e, "finished");
	m->exit_code = ig_col_exit(s, 11);
	m->promote_outcome = ig_col_dup(in, s, 12);
	m->promote_version = ig_col_dup(in, s, 13);
	m->promote_at = ig_col_time(in, s, 14, e, "promote.at");
	m->promote_reason = ig_col_dup(in, s, 15);
	sqlite3_reset(s);

	s = store_stmt(in->st, SQL_RUN_JSON_TIERS);
	bind_textn(s, ":j", in->data.data, in->data.len);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = ig_col_dup(in, s, 0);
		const char *st = rundir_tier_word(col_text(s, 1));
		if (!tier)
			continue;
		if (!st)
			warning("'%s': tiers.%s: status '%s' not understood; ignored",
				ig_qname(in, e->path), tier, col_text(s, 1));
		else
			ig_add_decl(in, tier, st, ig_col_dup(in, s, 2), "run.json");
		free(tier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "reading run.json tiers");
	if (m->mode && strcmp(m->mode, "cold") && strcmp(m->mode, "warm")) {
		warning("'%s': mode '%s' is neither cold nor warm; ignored", ig_qname(in, e->path),
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

static int ig_read_results_json(struct ingest *in, struct entry *e)
{
	struct meta *m = &in->m;
	int ok = ig_json_object_ok(in, e);
	if (ok <= 0)
		return ok;
	sqlite3_stmt *s = store_stmt(in->st, SQL_RESULTS_JSON);
	bind_textn(s, ":j", in->data.data, in->data.len);
	if (sqlite3_step(s) != SQLITE_ROW)
		return store_error(in->st, "reading results.json");
	/* run.json, read first, wins: results.json fills what it left out */
	ig_set_if_unset(&m->recipe, ig_col_dup(in, s, 0));
	ig_set_if_unset(&m->version, ig_col_dup(in, s, 1));
	ig_set_if_unset(&m->ref, ig_col_dup(in, s, 2));
	char *pr = ig_col_dup(in, s, 3);
	if (pr && pr[0] != '#') {
		struct buf b = BUF_INIT;
		buf_addf(&b, "#%s", pr);
		free(pr);
		pr = buf_detach(&b, NULL);
	}
	int has_pr = pr != NULL;
	ig_set_if_unset(&m->external_id, pr);
	if (!m->started)
		m->started = ig_col_time(in, s, 4, e, "started");
	if (!m->finished)
		m->finished = ig_col_time(in, s, 5, e, "finished");
	ig_set_if_unset(&m->host, ig_col_dup(in, s, 6));
	ig_set_if_unset(&m->trigger, ig_col_dup(in, s, 7));
	if (!m->trigger && has_pr)
		m->trigger = xstrdup("testme"); /* a run for a pull request is a testme run */
	if (m->exit_code < 0)
		m->exit_code = ig_col_exit(s, 8);
	ig_set_if_unset(&m->harness_ref, ig_col_dup(in, s, 9));
	sqlite3_reset(s);

	/* the recipe's EXPECTED_NA = {tier: reason}, then each stage's own status */
	int rc;
	s = store_stmt(in->st, SQL_RESULTS_NA);
	bind_textn(s, ":j", in->data.data, in->data.len);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = ig_col_dup(in, s, 0);
		if (tier)
			ig_add_decl(in, tier, "expected_na", ig_col_dup(in, s, 1), "results.json");
		free(tier);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_error(in->st, "reading results.json");
	s = store_stmt(in->st, SQL_RESULTS_STAGES);
	bind_textn(s, ":j", in->data.data, in->data.len);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *tier = ig_col_dup(in, s, 0);
		if (!tier)
			tier = ig_col_dup(in, s, 3);
		if (!tier)
			continue;
		const char *word = col_text(s, 1);
		const char *st = rundir_tier_word(word);
		if (!st && *word)
			warning("'%s': stage %s: status '%s' not understood; ignored",
				ig_qname(in, e->path), tier, word);
		/* a stage without a known status still names a tier */
		ig_add_decl(in, tier, st, ig_col_dup(in, s, 2), "results.json");
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
int ig_resolve_meta(struct ingest *in)
{
	struct meta *m = &in->m;
	const struct ingest_opts *o = in->o;
	/* run.json first: what it says wins over results.json */
	struct entry *ej = ig_find_entry(in, "run.json"), *er = ig_find_entry(in, "results.json");
	int njunit = 0;
	for (size_t i = 0; i < in->n; i++)
		njunit += in->e[i].kind == K_JUNIT;
	if (!ej && !er && !njunit) {
		error("'%s': no run.json, results.json or JUnit files: not a run folder",
		      ig_qname(in, in->display));
		return 1;
	}
	struct entry *metas[2] = {ej, er};
	for (int k = 0; k < 2; k++) {
		struct entry *e = metas[k];
		const char *why;
		if (!e)
			continue;
		if (ig_read_capped(e->path, INGEST_MAX_META, &in->data, &why) < 0) {
			ig_reject(e, why);
			continue;
		}
		if ((k == 0 ? ig_read_run_json(in, e) : ig_read_results_json(in, e)) < 0)
			return -1;
	}

	/* then the options */
	if (!m->recipe && o->recipe)
		m->recipe = ig_clean_dup(in, o->recipe, strlen(o->recipe));
	if (!m->version && o->version)
		m->version = ig_clean_dup(in, o->version, strlen(o->version));
	if (!m->host && o->host)
		m->host = ig_clean_dup(in, o->host, strlen(o->host));
	if (!m->trigger && o->trigger)
		m->trigger = ig_clean_dup(in, o->trigger, strlen(o->trigger));
	if (!m->sweep && o->sweep)
		m->sweep = ig_clean_dup(in, o->sweep, strlen(o->sweep));
	if (!m->external_id && o->external_id)
		m->external_id = ig_clean_dup(in, o->external_id, strlen(o->external_id));
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
		m->recipe = ig_clean_dup(in, r, strlen(r));
	}
	if (!m->started && rest)
		m->started = named_start;
	/* last, the earliest file time (changes when the files are copied without times) */
	if (!m->started) {
		for (size_t i = 0; i < in->n; i++)
			if (in->e[i].mtime > 0 && (!m->started || in->e[i].mtime < m->started))
				m->started = in->e[i].mtime;
	}
	if (m->recipe && strchr(m->recipe, '/')) {
		struct buf r = BUF_INIT;
		error("'%s': recipe '%s' has a '/': not a recipe name", ig_qname(in, in->display),
		      quote_name(m->recipe, strlen(m->recipe), &r));
		buf_release(&r);
		return 1;
	}
	if (!m->recipe || !*m->recipe) {
		error("'%s': no recipe name; give --recipe", ig_qname(in, in->display));
		return 1;
	}
	if (!m->started) {
		error("'%s': no start time; give --started", ig_qname(in, in->display));
		return 1;
	}
	if (m->finished && m->finished < m->started) {
		warning("'%s': finished before started; finish time ignored",
			ig_qname(in, in->display));
		m->finished = 0;
	}
	if (m->trigger) {
		size_t i;
		for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++)
			if (!strcmp(m->trigger, triggers[i]))
				break;
		if (i == sizeof(triggers) / sizeof(triggers[0])) {
			warning("'%s': trigger '%s' unknown; taken as manual",
				ig_qname(in, in->display), m->trigger);
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

static void ig_hash_field(struct sha256 *h, const char *key, const char *v)
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

static void ig_hash_int(struct sha256 *h, const char *key, int64_t v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)v);
	ig_hash_field(h, key, num);
}

/*
 * SHA-256 over the sorted (name, content hash) pairs and the effective
 * metadata (not the source path, the ingest time or load figures: the same run
 * from another place or via another command is the same run).
 */
void ig_manifest_hash(struct ingest *in, char out[65])
{
	struct sha256 h;
	struct meta *m = &in->m;
	sha256_init(&h);
	sha256_update(&h, "ccr-manifest-1", 15);
	for (size_t i = 0; i < in->n; i++) {
		struct entry *e = &in->e[i];
		ig_hash_field(&h, kind_name[e->kind], e->name);
		ig_hash_field(&h, "hash", e->hash[0] ? e->hash : e->error ? e->error : "");
	}
	ig_hash_field(&h, "recipe", m->recipe);
	ig_hash_field(&h, "version", m->version);
	ig_hash_field(&h, "ref", m->ref);
	ig_hash_field(&h, "harness_ref", m->harness_ref);
	ig_hash_field(&h, "host", m->host);
	ig_hash_field(&h, "mode", m->mode);
	ig_hash_field(&h, "trigger", m->trigger);
	ig_hash_field(&h, "sweep", in->sweep_id);
	ig_hash_field(&h, "external_id", m->external_id);
	ig_hash_int(&h, "started", m->started);
	ig_hash_int(&h, "finished", m->finished);
	ig_hash_int(&h, "exit_code", m->exit_code);
	ig_hash_field(&h, "promote_outcome", m->promote_outcome);
	ig_hash_field(&h, "promote_version", m->promote_version);
	ig_hash_int(&h, "promote_at", m->promote_at);
	ig_hash_field(&h, "promote_reason", m->promote_reason);
	sha256_final_hex(&h, out);
}
