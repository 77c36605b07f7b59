/*
 * ccr: CI sweep reports. main() takes the common options out of argv and hands
 * the rest to one command from the table below. Only main exits.
 */
#include "lib/cli.h"
#include "lib/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CCR_VERSION
#define CCR_VERSION "0.1.0"
#endif

static const char usage_text[] =
	"usage: ccr [--db FILE] [-q|-v] COMMAND [ARGS]\n"
	"\n"
	"  collect sweep  --harness CMD --recipes LIST|@FILE [--jobs N] [--timeout SECS]\n"
	"                 [--trigger T] [--runs DIR] [--sweep ID] [--rerun-isolated N]\n"
	"                                       run the harness per recipe and archive each run\n"
	"  collect ingest RUNDIR|JUNIT.xml ... [--recipe R] [--version V] [--trigger T]\n"
	"                 [--started TIME] [--finished TIME] [--host H] [--sweep ID]\n"
	"                 [--external-id X] [--exit-code N]\n"
	"                                       archive run folders a harness left\n"
	"  collect fetch  URL ... [--jobs N] [--timeout SECS] [--retries N] [--max-size BYTES]\n"
	"                                       archive run folders served over HTTP(S)\n"
	"  collect canon  DIR                   record canonical records DIR/<recipe>/canonical.json\n"
	"  render [--out DIR] [--docs DIR] [--notes DIR] [--base-url URL] [--full] [--jobs N]\n"
	"                                       write the static site (default site/)\n"
	"  runs [--recipe R] [--since TIME] [--limit N] [--json]\n"
	"                                       list runs, newest first, with per-tier counts\n"
	"                                       (TIME: 2026-06-18T00:17:30Z, 2026-06-18, or 31d ago)\n"
	"  show RUN-ID [--json]                 one run: tiers, every testcase, messages\n"
	"  prune [--logs-older-than AGE] [--keep-logs N] [--vacuum]\n"
	"                                       drop old log bodies (AGE: 90d, 12h; N per recipe)\n"
	"\n"
	"common options:\n"
	"  --db FILE    the store (default $CCR_DB, else ./ccr.db)\n"
	"  -q           quiet: errors only\n"
	"  -v           verbose\n"
	"  --help       this text\n"
	"  --version    print the version\n"
	"\n"
	"exit status: 0 all done; 1 done, but some input was rejected; 2 usage or environment error\n";

static const struct {
	const char *group, *name;
	cmd_fn *fn;
} commands[] = {
	{"collect", "sweep", cmd_collect_sweep},
	{"collect", "ingest", cmd_collect_ingest},
	{"collect", "fetch", cmd_collect_fetch},
	{"collect", "canon", cmd_collect_canon},
	{NULL, "render", cmd_render},
	{NULL, "runs", cmd_runs},
	{NULL, "show", cmd_show},
	{NULL, "prune", cmd_prune},
};

int main(int argc, char **argv)
{
	/* take the common options out of argv, wherever they stand (before "--") */
	int n = 1;
	int help = 0;
	cli.db = getenv("CCR_DB");
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		} else if (!strcmp(a, "--db")) {
			if (++i >= argc)
				return usage_error("--db needs a FILE");
			cli.db = argv[i];
		} else if (!strncmp(a, "--db=", 5)) {
			cli.db = a + 5;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			verbosity = -1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbosity = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help = 1;
		} else if (!strcmp(a, "--version") && n == 1) {
			/* only before the command: `collect ingest --version V` is the recipe's */
			printf("ccr %s\n", CCR_VERSION);
			return EXIT_OK;
		} else {
			argv[n++] = a;
		}
	}
	argv[n] = NULL;
	argc = n;
	if (!cli.db || !*cli.db)
		cli.db = "ccr.db";
	if (help || argc < 2) {
		fputs(usage_text, help ? stdout : stderr);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	const char *cmd = argv[1];
	const char *sub = argc > 2 ? argv[2] : NULL;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].group) {
			if (strcmp(cmd, commands[i].group) || !sub || strcmp(sub, commands[i].name))
				continue;
			return commands[i].fn(argc - 2, argv + 2);
		}
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	if (!strcmp(cmd, "collect"))
		fprintf(stderr, "ccr: usage: collect needs sweep, ingest, fetch or canon\n");
	else
		fprintf(stderr, "ccr: '%s': no such command; see 'ccr --help'\n", cmd);
	return EXIT_USAGE;
}
