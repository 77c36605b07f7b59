/* sha256: FIPS 180-4 SHA-256, used to address stored bytes by content. */
#ifndef CCR_SHA256_H
#define CCR_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* hex digest of p[0..n): 64 lowercase hex digits and a NUL */
void sha256_hex(const void *p, size_t n, char out[65]);
/* finish s into 64 hex digits and a NUL */
void sha256_final_hex(struct sha256 *s, char out[65]);
/* on = 1: use the CPU's SHA extensions when it has them (the default, decided at
 * the first hash); on = 0: the portable code. Returns 1 when they are used now.
 * The digests are the same; tests compare the two. Not thread-safe against a
 * hash running at the same time. */
int sha256_use_hw(int on);

#endif
