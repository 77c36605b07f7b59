/* placeholder until its issue lands: reports that it is not built yet */
#include "../lib/cli.h"
#include "../lib/msg.h"

int cmd_show(int argc, char **argv)
{
	(void)argc;
	error("'%s': not implemented yet", argv[0]);
	return EXIT_USAGE;
}
