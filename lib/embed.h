/* embed: files from assets/ compiled into the binary (see tools/embed.awk) */
#ifndef CCR_EMBED_H
#define CCR_EMBED_H

#include <stddef.h>

struct embedded {
	const char *name;	/* file name, e.g. "style.css" */
	const char *data;
	size_t len;
};

/* terminated by an entry with name NULL */
extern const struct embedded embedded_files[];

#endif
