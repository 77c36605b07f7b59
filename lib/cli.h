/*
 * cli: what every command shares: the common options (already taken out of
 * argv by main) and the exit statuses of DESIGN.md.
 */
#ifndef CCR_CLI_H
#define CCR_CLI_H

enum {
	EXIT_OK = 0,		/* all done */
	EXIT_REJECTED = 1,	/* done, but some input was rejected (each named on stderr) */
	EXIT_USAGE = 2,		/* usage or environment error */
};

struct cli {
	const char *db;		/* --db, $CCR_DB, or "ccr.db" */
};
extern struct cli cli;

/* every command: argv[0] is the command's own name; returns an exit status */
typedef int cmd_fn(int argc, char **argv);

cmd_fn cmd_collect_sweep, cmd_collect_ingest, cmd_collect_fetch, cmd_collect_canon;
cmd_fn cmd_render, cmd_runs, cmd_show, cmd_prune;

/* prints "ccr: usage: <text>" and returns EXIT_USAGE */
int usage_error(const char *text);

#endif
