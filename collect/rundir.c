#include "rundir.h"
#include "../lib/timeutil.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *const tier_canonical[TIER_NCANON] = {"install", "upgrade", "backup", "restore",
						 "custom"};

int tier_canonical_index(const char *name)
{
	for (int i = 0; i < TIER_NCANON; i++)
		if (!strcmp(name, tier_canonical[i]))
			return i;
	return -1;
}

const char *rundir_tier_of(const char *base, struct buf *out)
{
	size_t n = strlen(base);
	const char *sep = strstr(base, "__");
	buf_reset(out);
	if (sep) {
		n = (size_t)(sep - base);
	} else if (n > 4 && !strcasecmp(base + n - 4, ".xml")) {
		n -= 4;
	}
	if (n == 0)
		buf_adds(out, "unknown");
	else
		buf_add(out, base, n);
	return buf_str(out);
}

const char *rundir_run_id_rest(const char *name, int64_t *started)
{
	char stamp[17];
	if (strlen(name) < 18 || name[16] != '-')
		return NULL;
	memcpy(stamp, name, 16);
	stamp[16] = '\0';
	/* only the exact compact form: time_parse also takes others */
	for (int i = 0; i < 16; i++) {
		int want_digit = i != 8 && i != 15;
		if (want_digit ? !isdigit((unsigned char)stamp[i])
			       : stamp[i] != (i == 8 ? 'T' : 'Z'))
			return NULL;
	}
	if (time_parse(stamp, started) < 0)
		return NULL;
	return name + 17;
}

int64_t rundir_count_lines(const char *p, size_t n)
{
	int64_t lines = 0;
	const char *end = p + n, *q = p;
	while (q < end && (q = memchr(q, '\n', (size_t)(end - q)))) {
		lines++;
		q++;
	}
	if (n && p[n - 1] != '\n')
		lines++;
	return lines;
}

const char *rundir_tier_status(int64_t failures, int64_t errors, int64_t passing, int bad_files)
{
	if (errors > 0 || bad_files > 0)
		return "error";
	if (failures > 0)
		return "failed";
	if (passing > 0)
		return "passed";
	return "skipped";
}

int rundir_tier_rank(const char *s)
{
	static const char *const order[] = {"expected_na", "skipped", "not_run",
					    "passed",	   "failed",  "error"};
	for (int i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++)
		if (!strcmp(s, order[i]))
			return i;
	return -1;
}

struct word {
	const char *in, *out;
};

static const char *lookup(const struct word *w, const char *s)
{
	char norm[32];
	size_t n = 0;
	if (!s)
		return NULL;
	/* case and separators do not matter: "Expected-NA" = "expected_na" */
	for (; *s && n < sizeof(norm) - 1; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '-' || c == ' ' || c == '/')
			c = '_';
		norm[n++] = (char)tolower(c);
	}
	if (*s)
		return NULL;
	norm[n] = '\0';
	for (; w->in; w++)
		if (!strcmp(norm, w->in))
			return w->out;
	return NULL;
}

static const struct word common_words[] = {
    {"pass", "passed"},	  {"passed", "passed"}, {"ok", "passed"},     {"success", "passed"},
    {"green", "passed"},  {"fail", "failed"},	{"failed", "failed"}, {"failure", "failed"},
    {"red", "failed"},	  {"error", "error"},	{"errored", "error"}, {"crash", "error"},
    {"crashed", "error"}, {"timeout", "error"}, {"skip", "skipped"},  {"skipped", "skipped"},
    {NULL, NULL},
};

const char *rundir_tier_word(const char *s)
{
	static const struct word tier_words[] = {
	    {"expected_na", "expected_na"},    {"na", "expected_na"},  {"n_a", "expected_na"},
	    {"not_applicable", "expected_na"}, {"not_run", "not_run"}, {"notrun", "not_run"},
	    {"unverified", "not_run"},	       {"pending", "not_run"}, {NULL, NULL},
	};
	const char *w = lookup(tier_words, s);
	return w ? w : lookup(common_words, s);
}

const char *rundir_case_word(const char *s)
{
	static const struct word case_words[] = {
	    {"xfail", "xfail"},	       {"xfailed", "xfail"},  {"flaky", "flaky"},
	    {"xpass", "passed"},       {"xpassed", "passed"}, {"disabled", "skipped"},
	    {"deselected", "skipped"}, {NULL, NULL},
	};
	const char *w = lookup(case_words, s);
	return w ? w : lookup(common_words, s);
}

void rundir_split_test(const char *id, struct buf *classname, struct buf *name)
{
	buf_reset(classname);
	buf_reset(name);
	const char *last = NULL;
	for (const char *p = strstr(id, "::"); p; p = strstr(p + 2, "::"))
		last = p;
	if (!last) {
		buf_adds(name, id);
		return;
	}
	buf_adds(name, last + 2);
	/* the part before: "a/b/test_x.py::TestA" -> "a.b.test_x.TestA" */
	for (const char *p = id; p < last;) {
		if (!strncmp(p, ".py::", 5) || (p + 3 == last && !strncmp(p, ".py", 3))) {
			p += 3;
			continue;
		}
		if (!strncmp(p, "::", 2)) {
			buf_addc(classname, '.');
			p += 2;
		} else if (*p == '/') {
			buf_addc(classname, '.');
			p++;
		} else {
			buf_addc(classname, *p++);
		}
	}
}

void rundir_crash_tiers(const int junit[TIER_NCANON], const int declared[TIER_NCANON],
			int exit_code, int out[TIER_NCANON])
{
	int last = -1;
	for (int i = 0; i < TIER_NCANON; i++) {
		out[i] = 0;
		if (junit[i])
			last = i;
	}
	if (exit_code <= 0)
		return;
	int first = 1;
	for (int i = last + 1; i < TIER_NCANON; i++) {
		if (junit[i] || declared[i])
			continue;
		out[i] = first ? 1 : 2;
		first = 0;
	}
}

const char *rundir_run_status(int ntiers, int any_error, int any_failed, int exit_code,
			      const char *promote_outcome)
{
	int promote_failed = promote_outcome && !strcmp(promote_outcome, "failed");
	if (any_error)
		return "error";
	if (any_failed)
		return "failed";
	if (ntiers == 0)
		return "error";
	if (exit_code > 0 && !promote_failed)
		return "error";
	if (promote_failed)
		return "promote_failed";
	return "passed";
}
