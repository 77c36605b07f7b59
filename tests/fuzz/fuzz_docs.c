/* fuzz_docs: libFuzzer target for the evidence-reference matcher of the markdown
 * docs (render/page_docs.c, docs_ref_len). On any bytes and at every offset: no
 * read outside s[0..n) (ASan), a reference never runs past the end, and the same
 * input gives the same answer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../render/docs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees any read past the end */
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	for (size_t i = 0; i < size; i++) {
		size_t l = docs_ref_len(s, size, i);
		if (l > size - i || l != docs_ref_len(s, size, i))
			abort();
	}
	free(s);
	return 0;
}
