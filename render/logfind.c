/* logfind: a failure's line in its run's logs (see logfind.h) */
#include "logfind.h"
#include "../lib/msg.h"

#include <stdlib.h>
#include <string.h>

/* logs whose bytes are stored: not unreadable ones (no hash), not pruned ones */
static const char SQL_RUN_LOGS[] =
	"SELECT f.name, f.hash, f.size FROM file f JOIN blob b ON b.hash = f.hash"
	" WHERE f.run_id = :id AND f.kind = 'log' AND b.pruned_at IS NULL"
	" ORDER BY f.name = 'logs/harness.log' DESC, f.name";

void logfind_init(struct logfind *lf, struct store *st)
{
	memset(lf, 0, sizeof(*lf));
	lf->st = st;
	lf->budget = LOGFIND_PER_PAGE;
}

static void run_clear(struct logfind_run *c)
{
	free(c->run_id);
	buf_release(&c->names);
	buf_release(&c->data);
	buf_release(&c->ends);
	memset(c, 0, sizeof(*c));
}

static void memo_clear(struct logfind *lf)
{
	for (int i = 0; i < lf->nmemo; i++) {
		free(lf->memo[i].run_id);
		free(lf->memo[i].log);
	}
	lf->nmemo = 0;
}

void logfind_release(struct logfind *lf)
{
	for (int i = 0; i < LOGFIND_CACHE; i++)
		run_clear(&lf->cache[i]);
	memo_clear(lf);
}

void logfind_page(struct logfind *lf)
{
	lf->budget = LOGFIND_PER_PAGE;
	memo_clear(lf);
}

/* the first log's name of a run, or NULL (no logs); -1 on error */
static int first_log(struct logfind *lf, const char *run_id, char **log)
{
	sqlite3_stmt *q = store_stmt(lf->st, SQL_RUN_LOGS);
	bind_text(q, ":id", run_id);
	int step = sqlite3_step(q);
	*log = step == SQLITE_ROW ? xstrdup(col_text(q, 0)) : NULL;
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(lf->st, "listing a run's logs");
	return 0;
}

/* the run's logs, read into a cache slot (the least recently used one) */
static struct logfind_run *load(struct logfind *lf, const char *run_id)
{
	struct logfind_run *c = &lf->cache[0];
	for (int i = 0; i < LOGFIND_CACHE; i++) {
		if (lf->cache[i].run_id && !strcmp(lf->cache[i].run_id, run_id)) {
			lf->cache[i].used = ++lf->clock;
			return &lf->cache[i];
		}
		if (lf->cache[i].used < c->used)
			c = &lf->cache[i];
	}
	run_clear(c);
	c->run_id = xstrdup(run_id);
	c->used = ++lf->clock;
	sqlite3_stmt *q = store_stmt(lf->st, SQL_RUN_LOGS);
	bind_text(q, ":id", run_id);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 2) > (int64_t)LOGFIND_MAX_BYTES)
			continue;
		if (store_get_blob(lf->st, col_text(q, 1), &c->data) < 0) {
			sqlite3_reset(q);
			run_clear(c);
			return NULL;
		}
		/* a NUL between logs, so no match spans two of them */
		buf_addc(&c->data, '\0');
		size_t end = c->data.len - 1;
		buf_add(&c->ends, &end, sizeof(end));
		buf_add(&c->names, col_text(q, 0), strlen(col_text(q, 0)) + 1);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		run_clear(c);
		store_error(lf->st, "reading a run's logs");
		return NULL;
	}
	return c;
}

/* offset of the first occurrence of needle[0..n) in c's data, or (size_t)-1 */
static size_t find(const struct logfind_run *c, const char *needle, size_t n)
{
	if (n < LOGFIND_MIN_NEEDLE || !c->data.len)
		return (size_t)-1;
	const char *p = memmem(c->data.data, c->data.len, needle, n);
	return p ? (size_t)(p - c->data.data) : (size_t)-1;
}

static int search(struct logfind *lf, const char *run_id, const char *name, const char *message,
		  char **log, int64_t *line)
{
	struct logfind_run *c = load(lf, run_id);
	if (!c)
		return -1;
	size_t at = name ? find(c, name, strlen(name)) : (size_t)-1;
	if (message) {
		size_t n = strcspn(message, "\r\n");
		if (n > LOGFIND_MAX_NEEDLE)
			n = LOGFIND_MAX_NEEDLE;
		size_t m = find(c, message, n);
		if (m < at)
			at = m;
	}
	if (at == (size_t)-1)
		return first_log(lf, run_id, log);
	/* which log, and the line within it */
	const size_t *ends = (const size_t *)(const void *)c->ends.data;
	size_t nlogs = c->ends.len / sizeof(size_t), start = 0, k = 0;
	while (k < nlogs && at > ends[k]) {
		start = ends[k] + 1;
		k++;
	}
	const char *nm = c->names.data;
	for (size_t i = 0; i < k; i++)
		nm += strlen(nm) + 1;
	int64_t ln = 1;
	for (const char *p = c->data.data + start, *e = c->data.data + at; p < e; p++)
		ln += *p == '\n';
	*log = xstrdup(nm);
	*line = ln;
	return 1;
}

int logfind(struct logfind *lf, const char *run_id, const char *name, const char *message,
	    char **log, int64_t *line)
{
	*log = NULL;
	*line = 0;
	for (int i = 0; i < lf->nmemo; i++)
		if (!strcmp(lf->memo[i].run_id, run_id)) {
			*log = lf->memo[i].log ? xstrdup(lf->memo[i].log) : NULL;
			*line = lf->memo[i].line;
			return lf->memo[i].found;
		}
	if (lf->budget <= 0)
		return first_log(lf, run_id, log);
	lf->budget--;
	int found = search(lf, run_id, name, message, log, line);
	if (found >= 0 && lf->nmemo < LOGFIND_PER_PAGE) {
		struct logfind_memo *m = &lf->memo[lf->nmemo++];
		m->run_id = xstrdup(run_id);
		m->log = *log ? xstrdup(*log) : NULL;
		m->line = *line;
		m->found = found;
	}
	return found;
}
