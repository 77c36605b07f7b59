#include "cli.h"

#include <stdio.h>

struct cli cli;

int usage_error(const char *text)
{
	fprintf(stderr, "ccr: usage: %s\n", text);
	return EXIT_USAGE;
}
