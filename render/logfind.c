/* logfind: a failure's line in its run's logs (see logfind.h) */
#include "logfind.h"
#include "../lib/msg.h"

#include <stdlib.h>
#include <string.h>

/* the line the collector recorded, and whether its log's bytes are still stored
 * (primary keys of failure_line, file and blob) */
static const char SQL_RECORDED[] =
	"SELECT fl.log, fl.line, (SELECT b.pruned_at IS NULL FROM file f JOIN blob b"
	"  ON b.hash = f.hash WHERE f.run_id = fl.run_id AND f.name = fl.log)"
	" FROM failure_line fl WHERE fl.run_id = :run AND fl.test_id = :test";

void logfind_init(struct logfind *lf, struct store *st)
{
	memset(lf, 0, sizeof(*lf));
	lf->st = st;
	lf->budget = LOGFIND_PER_PAGE;
	/* a store no collector has migrated to 7 yet has no table failure_line */
	lf->have_recorded = store_has(st, "failure_line");
}

static void run_clear(struct logfind_run *c)
{
	free(c->run_id);
	runlogs_clear(&c->logs);
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
	if (runlogs_load(lf->st, run_id, &c->logs) < 0)
		return NULL;
	c->run_id = xstrdup(run_id);
	c->used = ++lf->clock;
	return c;
}

static int search(struct logfind *lf, const char *run_id, const char *name, const char *message,
		  char **log, int64_t *line)
{
	struct logfind_run *c = load(lf, run_id);
	if (!c)
		return -1;
	const char *found;
	if (!runlogs_find(&c->logs, name, message, &found, line))
		return runlogs_first(lf->st, run_id, log);
	*log = xstrdup(found);
	return 1;
}

/* the collector's answer: 1 found, 0 recorded as not found (*log: the first log),
 * 2 nothing usable recorded (no row, or its log pruned since: search), -1 error */
static int recorded(struct logfind *lf, const char *run_id, int64_t test_id, char **log,
		    int64_t *line)
{
	sqlite3_stmt *q = store_stmt(lf->st, SQL_RECORDED);
	bind_text(q, ":run", run_id);
	bind_int(q, ":test", test_id);
	int step = sqlite3_step(q), rc = 2;
	if (step == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_NULL) {
		rc = 0;
	} else if (step == SQLITE_ROW && sqlite3_column_int(q, 2)) {
		*log = xstrdup(col_text(q, 0));
		*line = sqlite3_column_int64(q, 1);
		rc = 1;
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = store_error(lf->st, "reading failure lines");
	}
	sqlite3_reset(q);
	return rc == 0 ? runlogs_first(lf->st, run_id, log) : rc;
}

int logfind(struct logfind *lf, const char *run_id, int64_t test_id, const char *name,
	    const char *message, char **log, int64_t *line)
{
	*log = NULL;
	*line = 0;
	int rc = lf->have_recorded ? recorded(lf, run_id, test_id, log, line) : 2;
	if (rc != 2)
		return rc;
	for (int i = 0; i < lf->nmemo; i++)
		if (!strcmp(lf->memo[i].run_id, run_id)) {
			*log = lf->memo[i].log ? xstrdup(lf->memo[i].log) : NULL;
			*line = lf->memo[i].line;
			return lf->memo[i].found;
		}
	if (lf->budget <= 0)
		return runlogs_first(lf->st, run_id, log);
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
