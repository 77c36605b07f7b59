/*
 * t.h: the unit test framework. A test is a function declared with TEST(name);
 * CHECK* record failures and go on. Output is one line per test, "ok NAME" or
 * "not ok NAME: file:line: what", counted by tests/run.sh.
 */
#ifndef CCR_T_H
#define CCR_T_H

#include <stddef.h>
#include <stdint.h>

typedef void t_fn(void);
void t_register(const char *name, t_fn *fn);
int t_check(int ok, const char *what, const char *file, int line);
int t_check_str(const char *got, const char *want, const char *what, const char *file, int line);
int t_check_int(int64_t got, int64_t want, const char *what, const char *file, int line);
/* a fresh empty folder for this test under tests/out/unit/ (caller must not free) */
const char *t_tmpdir(void);

#define TEST(name)                                                                                 \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void reg_##name(void)                                  \
	{                                                                                          \
		t_register(#name, name);                                                           \
	}                                                                                          \
	static void name(void)

#define CHECK(c) t_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_STR(got, want) t_check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) t_check_int((int64_t)(got), (int64_t)(want), #got, __FILE__, __LINE__)

#endif
