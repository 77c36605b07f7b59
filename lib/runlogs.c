/* runlogs: a run's logs in memory, and a failure's line in them (see runlogs.h) */
#include "runlogs.h"
#include "msg.h"

#include <string.h>

/* logs whose bytes are stored: not unreadable ones (no hash), not pruned ones */
static const char SQL_RUN_LOGS[] =
	"SELECT f.name, f.hash, f.size FROM file f JOIN blob b ON b.hash = f.hash"
	" WHERE f.run_id = :id AND f.kind = 'log' AND b.pruned_at IS NULL"
	" ORDER BY f.name = 'logs/harness.log' DESC, f.name";

int runlogs_first(struct store *st, const char *run_id, char **log)
{
	sqlite3_stmt *q = store_stmt(st, SQL_RUN_LOGS);
	bind_text(q, ":id", run_id);
	int step = sqlite3_step(q);
	*log = step == SQLITE_ROW ? xstrdup(col_text(q, 0)) : NULL;
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_error(st, "listing a run's logs");
	return 0;
}

void runlogs_clear(struct runlogs *c)
{
	buf_release(&c->names);
	buf_release(&c->data);
	buf_release(&c->ends);
}

int runlogs_load(struct store *st, const char *run_id, struct runlogs *c)
{
	buf_reset(&c->names);
	buf_reset(&c->data);
	buf_reset(&c->ends);
	sqlite3_stmt *q = store_stmt(st, SQL_RUN_LOGS);
	bind_text(q, ":id", run_id);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 2) > (int64_t)RUNLOGS_MAX_BYTES)
			continue;
		if (store_get_blob(st, col_text(q, 1), &c->data) < 0) {
			sqlite3_reset(q);
			runlogs_clear(c);
			return -1;
		}
		buf_addc(&c->data, '\0');
		size_t end = c->data.len - 1;
		buf_add(&c->ends, &end, sizeof(end));
		buf_add(&c->names, col_text(q, 0), strlen(col_text(q, 0)) + 1);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		runlogs_clear(c);
		return store_error(st, "reading a run's logs");
	}
	return 0;
}

/* offset of the first occurrence of needle[0..n) in c's data, or (size_t)-1 */
static size_t find(const struct runlogs *c, const char *needle, size_t n)
{
	if (n < RUNLOGS_MIN_NEEDLE || !c->data.len)
		return (size_t)-1;
	const char *p = memmem(c->data.data, c->data.len, needle, n);
	return p ? (size_t)(p - c->data.data) : (size_t)-1;
}

int runlogs_find(const struct runlogs *c, const char *name, const char *message,
		 const char **log, int64_t *line)
{
	size_t at = name ? find(c, name, strlen(name)) : (size_t)-1;
	if (message) {
		size_t n = strcspn(message, "\r\n");
		if (n > RUNLOGS_MAX_NEEDLE)
			n = RUNLOGS_MAX_NEEDLE;
		size_t m = find(c, message, n);
		if (m < at)
			at = m;
	}
	if (at == (size_t)-1)
		return 0;
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
	*log = nm;
	*line = ln;
	return 1;
}
