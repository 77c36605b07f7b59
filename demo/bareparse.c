/*
 * bareparse: the bench's baseline. Parses JUnit files with libxml2's streaming
 * reader and does nothing else: no storing, no compressing, no indexing. What
 * `ccr collect ingest` costs beyond this is what ccr adds.
 *
 *   bareparse FILE...      or      bareparse - < list-of-paths
 *
 * Each file is read whole into memory and walked node by node with one reused
 * xmlTextReader (what a careful ingester does), counting <testcase> elements.
 * Prints "files N bytes N testcases N bad N" on stdout. Exit 0, 1 when a file
 * was not well-formed, 2 when one could not be read.
 */
#include "../lib/buf.h"
#include "../lib/msg.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <string.h>

static xmlTextReaderPtr reader;
static unsigned long long nfiles, nbytes, ncases, nbad;

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int parse_one(const char *path, struct buf *b)
{
	buf_reset(b);
	if (buf_read_file(b, path) < 0)
		return -1;
	nfiles++;
	nbytes += b->len;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	int rc;
	if (!reader)
		reader = xmlReaderForMemory(b->data, (int)b->len, path, NULL, opts);
	else if (xmlReaderNewMemory(reader, b->data, (int)b->len, path, NULL, opts) < 0)
		return error("'%s': cannot reset the reader", path);
	if (!reader)
		die("out of memory");
	while ((rc = xmlTextReaderRead(reader)) == 1) {
		if (xmlTextReaderNodeType(reader) == XML_READER_TYPE_ELEMENT &&
		    !strcmp((const char *)xmlTextReaderConstLocalName(reader), "testcase"))
			ncases++;
	}
	if (rc < 0)
		nbad++;
	return 0;
}

int main(int argc, char **argv)
{
	struct buf b = BUF_INIT, line = BUF_INIT;
	int status = 0;
	xmlSetGenericErrorFunc(NULL, silent);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-")) {
			if (parse_one(argv[i], &b) < 0)
				status = 2;
			continue;
		}
		/* paths on stdin, one a line */
		int c;
		while ((c = getchar()) != EOF) {
			if (c != '\n') {
				buf_addc(&line, (char)c);
				continue;
			}
			if (line.len && parse_one(line.data, &b) < 0)
				status = 2;
			buf_reset(&line);
		}
		if (line.len && parse_one(line.data, &b) < 0)
			status = 2;
	}
	if (reader)
		xmlFreeTextReader(reader);
	buf_release(&b);
	buf_release(&line);
	printf("files %llu bytes %llu testcases %llu bad %llu\n", nfiles, nbytes, ncases, nbad);
	return status ? status : nbad ? 1 : 0;
}
