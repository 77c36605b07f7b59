/* derive: recomputes derived tables after a collect; filled by the classification issue */
#include "collect.h"

int collect_after(struct store *st)
{
	(void)st;
	return 0;
}
