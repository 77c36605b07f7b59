/* fuzz_signature: libFuzzer target for the failure signature normaliser.
 * Checks the promises of lib/signature.h on any bytes: bounded text, valid
 * UTF-8 out, an id of 12 hex digits, and the same input giving the same id. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!l || i + l > n)
			return 0;
		for (size_t k = 1; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += l;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char ida[SIGNATURE_ID_SIZE], idb[SIGNATURE_ID_SIZE];
	signature_make((const char *)data, size, &a, ida);
	signature_make((const char *)data, size, &b, idb);
	if (a.len == 0 || a.len > SIGNATURE_TEXT_MAX || strlen(ida) != SIGNATURE_ID_LEN ||
	    strcmp(ida, idb) || a.len != b.len || memcmp(a.data, b.data, a.len) ||
	    !valid_utf8((const unsigned char *)a.data, a.len) || memchr(a.data, '\0', a.len))
		abort();
	buf_release(&a);
	buf_release(&b);
	return 0;
}
