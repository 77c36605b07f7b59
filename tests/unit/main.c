/* The unit test runner: runs every registered test, or those named on the command line. */
#include "t.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct entry {
	const char *name;
	t_fn *fn;
};

static struct entry tests[1024];
static int ntests;
static int failed_checks;
static const char *current;
static char tmpdir[512];

void t_register(const char *name, t_fn *fn)
{
	if (ntests < (int)(sizeof(tests) / sizeof(tests[0])))
		tests[ntests++] = (struct entry){name, fn};
}

int t_check(int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		if (!failed_checks)
			printf("not ok %s: %s:%d: %s\n", current, file, line, what);
		else
			printf("#   also %s:%d: %s\n", file, line, what);
		failed_checks++;
	}
	return ok;
}

int t_check_str(const char *got, const char *want, const char *what, const char *file, int line)
{
	int ok = (got == want) || (got && want && !strcmp(got, want));
	if (!ok) {
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s: got \"%.800s\", want \"%.800s\"", what,
			 got ? got : "(null)", want ? want : "(null)");
		t_check(0, msg, file, line);
	}
	return ok;
}

int t_check_int(int64_t got, int64_t want, const char *what, const char *file, int line)
{
	if (got != want) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: got %" PRId64 ", want %" PRId64, what, got, want);
		t_check(0, msg, file, line);
	}
	return got == want;
}

const char *t_tmpdir(void)
{
	char cmd[1100];
	snprintf(tmpdir, sizeof(tmpdir), "tests/out/unit/%s", current);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", tmpdir, tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot make %s\n", tmpdir);
	return tmpdir;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0;
	qsort(tests, (size_t)ntests, sizeof(tests[0]), cmp);
	for (int i = 0; i < ntests; i++) {
		if (argc > 1) {
			int want = 0;
			for (int a = 1; a < argc; a++)
				want |= strstr(tests[i].name, argv[a]) != NULL;
			if (!want)
				continue;
		}
		current = tests[i].name;
		failed_checks = 0;
		tests[i].fn();
		fflush(stdout);
		if (failed_checks) {
			fail++;
		} else {
			printf("ok %s\n", current);
			pass++;
		}
	}
	fprintf(stderr, "unit: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
