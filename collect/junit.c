/*
 * junit.c: the streaming JUnit XML reader (see junit.h for the contract).
 *
 * How: libxml2's SAX2 parser (xmlParseDocument with our own callbacks), which
 * builds no tree. Text reaches us in pieces of a few hundred bytes and is
 * capped as it arrives, so a 50 MB <system-out> costs us JUNIT_MAX_OUTPUT.
 * Not xmlTextReader: it hands out a text node only once it is complete, so
 * such a file is rejected ("huge text node", libxml2's 10 MB limit) or held
 * whole (XML_PARSE_HUGE: 107 MB RSS for a 50 MB node). Not the push parser
 * either (which xmlTextReader runs on): in libxml2 2.9.14 it is quadratic on
 * a big CDATA section (`xmllint --push` or `--stream` on a 50 MB one: over
 * 30 s). The price of the pull parser: libxml2 copies the input once and
 * holds one CDATA section whole while reading it (both bounded by the file's
 * size, which the caller holds in memory anyway).
 *
 * Safety: XML_PARSE_NONET, no XML_PARSE_NOENT/DTDLOAD/DTDATTR, no getEntity
 * or externalSubset callbacks (nothing is ever loaded), and a file whose
 * DOCTYPE declares any entity is rejected when the declaration is seen,
 * before any reference to it can be expanded (billion laughs, XXE). Errors
 * come through the structured handler only; libxml2 prints nothing.
 *
 * Memory: every string the caller sees lives in one arena per file; the
 * parser reuses a few capped buffers (struct buf) for the testcase being read,
 * so the work per testcase is a handful of bump allocations.
 */
#include "junit.h"

#include "../lib/buf.h"
#include "../lib/msg.h"
#include "../lib/timeutil.h"

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libxml2 takes an int length; a JUnit file of 1 GB is not a test report */
#define JUNIT_MAX_FILE (1 << 30)
/* the <properties> of one testcase as JSON text; they are key=value labels */
#define JUNIT_MAX_PROPERTIES (64 * 1024)
/* attribute values parsed as numbers or compared as keywords (time, line,
 * status); anything longer is junk */
#define JUNIT_MAX_NUMBER 64
/* a reason for rejecting a file is one line */
#define JUNIT_MAX_ERROR 240

/* ---- arena ---------------------------------------------------------------- */

/* chunks of at least this size; bigger requests get a chunk of their own */
#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		if (a->head && n > ARENA_CHUNK) {
			/* a big one-off: keep filling the current chunk afterwards */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

/* ---- small helpers ---------------------------------------------------------- */

/* the longest prefix of s[0..n) of at most max bytes that does not split a
 * UTF-8 sequence */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	/* step back over continuation bytes to the start of the cut character */
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80 && max - k < 4)
		k--;
	return k;
}

/* n without an incomplete UTF-8 sequence at the end of s[0..n) (a buffer
 * that hit its cap may have stopped inside one) */
static size_t utf8_trim_tail(const char *s, size_t n)
{
	size_t k = n;
	while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
		k--;
	if (k == 0)
		return n;
	unsigned char lead = (unsigned char)s[k - 1];
	size_t want = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : 4;
	return n - (k - 1) < want ? k - 1 : n;
}

/* a copy of s[0..n) in the arena, cut at max with a visible marker */
static char *arena_capped(struct arena *a, const char *s, size_t n, size_t max, int cut,
			  int *truncated)
{
	if (n > max || cut) {
		char marker[64];
		size_t k = utf8_trim_tail(s, utf8_prefix(s, n, max));
		int m = snprintf(marker, sizeof(marker), "\n[... cut at %zu bytes]", k);
		if (m < 0 || (size_t)m >= sizeof(marker))
			m = 0;
		char *p = arena_alloc(a, k + (size_t)m + 1);
		memcpy(p, s, k);
		memcpy(p + k, marker, (size_t)m);
		p[k + (size_t)m] = '\0';
		*truncated = 1;
		return p;
	}
	return arena_strndup(a, s, n);
}

static int streq(const xmlChar *a, const char *b)
{
	return strcmp((const char *)a, b) == 0;
}

/* ---- time ------------------------------------------------------------------- */

int64_t junit_parse_time(const char *s)
{
	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	/* digits with optional thousands separators ("1,234.5"), or a decimal
	 * comma ("1,5") when there is no dot and the comma is not followed by
	 * exactly three digits */
	char clean[JUNIT_MAX_NUMBER];
	size_t n = 0;
	const char *p = s;
	int ndig = 0, seen_dot = 0, seen_exp = 0;
	if (*p == '+')
		p++;
	for (; *p; p++) {
		char c = *p;
		if (n + 2 >= sizeof(clean))
			return -1;
		if (c >= '0' && c <= '9') {
			clean[n++] = c;
			if (!seen_exp)
				ndig++;
		} else if (c == ',' && !seen_dot && !seen_exp && ndig > 0) {
			const char *q = p + 1;
			int k = 0;
			while (q[k] >= '0' && q[k] <= '9')
				k++;
			if (k == 3 && (q[k] == ',' || q[k] == '.' || q[k] == '\0' || q[k] == ' '))
				continue; /* a thousands separator */
			if (k > 0 && !strchr(q, '.') && !strchr(q, ',')) {
				clean[n++] = '.'; /* a decimal comma */
				seen_dot = 1;
			} else {
				return -1;
			}
		} else if (c == '.' && !seen_dot && !seen_exp) {
			clean[n++] = c;
			seen_dot = 1;
		} else if ((c == 'e' || c == 'E') && !seen_exp && ndig > 0) {
			clean[n++] = c;
			seen_exp = 1;
			if (p[1] == '-' || p[1] == '+')
				clean[n++] = *++p;
		} else {
			break;
		}
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p || ndig == 0)
		return -1;
	clean[n] = '\0';
	char *end;
	double v = strtod(clean, &end);
	if (*end || !isfinite(v) || v < 0)
		return -1;
	/* a century is not a test duration; also keeps the cast defined */
	if (v > 100.0 * 365 * 24 * 3600)
		return -1;
	return (int64_t)(v * 1000.0 + 0.5);
}

const char *junit_status_name(enum junit_status s)
{
	switch (s) {
	case JS_SKIPPED:
		return "skipped";
	case JS_XFAIL:
		return "xfail";
	case JS_PASSED:
		return "passed";
	case JS_FLAKY:
		return "flaky";
	case JS_FAILED:
		return "failed";
	case JS_ERROR:
		return "error";
	}
	return "error";
}

/* ---- parser state -------------------------------------------------------------- */

/* what an element means where it stands; decides where its text goes */
enum kind {
	K_OTHER, /* ignored, and so is its text */
	K_SUITE, /* testsuite or testsuites */
	K_CASE,
	K_FAILURE, /* the result children of a testcase: text -> details */
	K_ERROR,
	K_SKIPPED,
	K_SYSOUT, /* directly in a testcase */
	K_SYSERR,
	K_PROPERTIES,
	K_PROPERTY,
	K_RERUN_FAILURE, /* Surefire: failed again on a rerun */
	K_RERUN_ERROR,
	K_FLAKY_FAILURE, /* Surefire: failed, then passed on a rerun */
	K_FLAKY_ERROR,
	K_STACKTRACE, /* inside the four above */
};

/* the first result of each kind in a testcase supplies the message */
enum { R_FAIL, R_ERR, R_SKIP, R_FLAKY, R_N };

/* the testcase element being read */
struct cur {
	char *classname, *name, *file, *suite;
	int line;
	int64_t time_ms;
	char status_attr[16], result_attr[16]; /* GoogleTest, CTest; lowercased */
	int count[R_N];
	int skip_xfail;
	char *msg[R_N], *type[R_N];
	struct buf details, out, err, props;
	struct junit_attempt att[JUNIT_MAX_ATTEMPTS];
	size_t natt;
	int truncated;
	/* the result child being read */
	char *pend_msg, *pend_type;
	int64_t pend_time;
	char *prop_name, *prop_value;
};

/* per merged case, beside out->cases */
struct case_priv {
	uint64_t hash;
	enum junit_status worst, last;
	int any_bad; /* some attempt failed or errored */
	size_t seen; /* attempts seen, also those not kept */
};

struct jp {
	xmlParserCtxtPtr ctxt;
	struct junit_file *out;
	struct arena *arena;
	char error[JUNIT_MAX_ERROR];
	int depth;
	int root_seen;
	enum kind kinds[JUNIT_MAX_DEPTH + 2];
	const char *suites[JUNIT_MAX_DEPTH + 2]; /* innermost name per depth */
	struct cur cur;
	struct buf text; /* text of the current result/output element */
	struct buf pair; /* one property as JSON, reused */
	size_t cases_cap;
	struct case_priv *priv;
	uint32_t *htab; /* index+1 into cases, 0 = empty; power-of-two size */
	uint64_t seed;	/* of case_hash, different per parse */
	size_t hcap;
};

static void jp_vnote(struct jp *jp, const char *fmt, va_list ap)
{
	if (!jp->error[0]) {
		vsnprintf(jp->error, sizeof(jp->error), fmt, ap);
		if (!jp->error[0])
			snprintf(jp->error, sizeof(jp->error), "rejected");
	}
}

/* records why the file is rejected (the first reason wins); for libxml2's
 * error callback, which must not stop the parser: an error can be raised in
 * the middle of reading input, and xmlStopParser frees that input */
__attribute__((format(printf, 2, 3))) static void jp_note(struct jp *jp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	jp_vnote(jp, fmt, ap);
	va_end(ap);
}

/* records the reason and stops the parser; from our element and DTD
 * callbacks only */
__attribute__((format(printf, 2, 3))) static void jp_fail(struct jp *jp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	jp_vnote(jp, fmt, ap);
	va_end(ap);
	if (jp->ctxt)
		xmlStopParser(jp->ctxt);
}

/*
 * An attribute value as an arena string, cut at max. Without entity
 * substitution libxml2 hands out every '&' of an attribute value as "&#38;"
 * (for its tree builder to reparse); every '&' in the value comes from that,
 * so turning "&#38;" back into '&' is exact.
 */
static char *attr_value(struct jp *jp, const xmlChar *v, const xmlChar *end, size_t max,
			int *truncated)
{
	const char *s = (const char *)v;
	size_t n = (size_t)(end - v);
	if (memchr(s, '&', n)) {
		char *t = arena_alloc(jp->arena, n + 1);
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			t[m++] = s[i];
			if (s[i] == '&' && n - i >= 5 && !memcmp(s + i, "&#38;", 5))
				i += 4;
		}
		s = t;
		n = m;
	}
	return arena_capped(jp->arena, s, n, max, 0, truncated);
}

static char *attr_dup(struct jp *jp, const xmlChar *v, const xmlChar *end, size_t max)
{
	return attr_value(jp, v, end, max, &jp->cur.truncated);
}

/* an attribute value into a small NUL-terminated buffer ("" when too long) */
static void attr_small(const xmlChar *v, const xmlChar *end, char *dst, size_t size, int lower)
{
	size_t n = (size_t)(end - v);
	if (n >= size)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		char c = (char)v[i];
		dst[i] = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[n] = '\0';
}

/* SAX2 attributes: 5 pointers each: localname, prefix, URI, value, end */
#define ATTR_NAME(a, i) ((a)[5 * (i)])
#define ATTR_VALUE(a, i) ((a)[5 * (i) + 3])
#define ATTR_END(a, i) ((a)[5 * (i) + 4])

/* ---- testcase bookkeeping ---------------------------------------------------------- */

static void cur_reset(struct cur *c)
{
	c->classname = c->name = c->file = c->suite = NULL;
	c->line = -1;
	c->time_ms = -1;
	c->status_attr[0] = c->result_attr[0] = '\0';
	memset(c->count, 0, sizeof(c->count));
	c->skip_xfail = 0;
	memset(c->msg, 0, sizeof(c->msg));
	memset(c->type, 0, sizeof(c->type));
	buf_reset(&c->details);
	buf_reset(&c->out);
	buf_reset(&c->err);
	buf_reset(&c->props);
	c->natt = 0;
	c->truncated = 0;
	c->pend_msg = c->pend_type = NULL;
	c->pend_time = -1;
	c->prop_name = c->prop_value = NULL;
}

/* FNV-1a from a per-parse seed, then a final mix: test names come from
 * people who may write pull requests, and a fixed hash would let them pick
 * thousands of names in one bucket (quadratic probing) */
static uint64_t case_hash(uint64_t seed, const char *classname, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ seed;
	for (const unsigned char *p = (const unsigned char *)classname; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL; /* a byte that never occurs in UTF-8 */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ULL;
	h ^= h >> 27;
	return h;
}

static void htab_put(struct jp *jp, uint64_t h, size_t idx)
{
	size_t mask = jp->hcap - 1;
	size_t i = (size_t)h & mask;
	while (jp->htab[i])
		i = (i + 1) & mask;
	jp->htab[i] = (uint32_t)(idx + 1);
}

static void htab_grow(struct jp *jp)
{
	size_t ncap = jp->hcap ? jp->hcap * 2 : 256;
	free(jp->htab);
	jp->htab = xcalloc(ncap, sizeof(*jp->htab));
	jp->hcap = ncap;
	for (size_t i = 0; i < jp->out->ncases; i++)
		htab_put(jp, jp->priv[i].hash, i);
}

/* index of the case with this identity, or -1 */
static long htab_find(struct jp *jp, uint64_t h, const char *classname, const char *name)
{
	if (!jp->hcap)
		return -1;
	size_t mask = jp->hcap - 1;
	for (size_t i = (size_t)h & mask; jp->htab[i]; i = (i + 1) & mask) {
		size_t idx = jp->htab[i] - 1;
		const struct junit_case *c = &jp->out->cases[idx];
		if (jp->priv[idx].hash == h && !strcmp(c->classname, classname) &&
		    !strcmp(c->name, name))
			return (long)idx;
	}
	return -1;
}

static int bad(enum junit_status s)
{
	return s == JS_FAILED || s == JS_ERROR;
}

/* the status of a case from its attempts: the worst one, except that a case
 * whose last attempt passed after failing ones is flaky (a rerun that passed:
 * gotestsum --rerun-fails writes it as repeated testcases, Surefire as
 * flakyFailure) */
static enum junit_status merged_status(const struct case_priv *p)
{
	if (p->last == JS_PASSED && p->any_bad)
		return JS_FLAKY;
	return p->worst;
}

static void priv_note(struct case_priv *p, enum junit_status s)
{
	if (!p->seen || s > p->worst)
		p->worst = s;
	p->last = s;
	p->any_bad |= bad(s);
	p->seen++;
}

/* one testcase element's outcome: Surefire's flaky elements are failures
 * then a pass; its rerun elements do not change the element's own result
 * (the <failure> or <error> beside them), as Surefire counts it */
static void priv_note_element(struct case_priv *p, enum junit_status st,
			      const struct junit_attempt *list, size_t nlist)
{
	if (st == JS_FLAKY)
		for (size_t i = 0; i < nlist; i++)
			priv_note(p, list[i].status);
	else
		priv_note(p, st);
}

/* appends an attempt to a case's list, growing it in the arena */
static void case_add_attempt(struct jp *jp, struct junit_case *c, const struct junit_attempt *a)
{
	if (c->nattempts >= JUNIT_MAX_ATTEMPTS) {
		c->truncated = 1;
		return;
	}
	/* capacity is the next power of two; grow by copying (bounded waste) */
	size_t n = c->nattempts;
	if (n == 0 || (n & (n - 1)) == 0) {
		size_t cap = n ? n * 2 : 2;
		struct junit_attempt *na = arena_alloc(jp->arena, cap * sizeof(*na));
		if (n)
			memcpy(na, c->attempts, n * sizeof(*na));
		c->attempts = na;
	}
	c->attempts[c->nattempts++] = *a;
}

/* "a" + "\n" + "b" in the arena, cut at max */
static char *join_text(struct jp *jp, char *a, const char *b, size_t max, int *truncated)
{
	if (!b)
		return a;
	if (!a)
		return arena_strndup(jp->arena, b, strlen(b));
	size_t la = strlen(a), lb = strlen(b);
	if (la >= max) /* already cut: keep it as it is */
		return a;
	char *p = arena_alloc(jp->arena, la + 1 + lb + 1);
	memcpy(p, a, la);
	p[la] = '\n';
	memcpy(p + la + 1, b, lb + 1);
	if (la + 1 + lb > max)
		return arena_capped(jp->arena, p, la + 1 + lb, max, 0, truncated);
	return p;
}

/* the first line of s, trimmed, as an arena string (NULL when blank) */
static char *first_line(struct jp *jp, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	size_t j = i;
	while (j < n && s[j] != '\n' && s[j] != '\r')
		j++;
	while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	if (j == i)
		return NULL;
	return arena_capped(jp->arena, s + i, j - i, JUNIT_MAX_MESSAGE, 0, &jp->cur.truncated);
}

/* a capped buf as an arena string (NULL when empty) */
static char *buf_to_arena(struct jp *jp, struct buf *b, size_t max)
{
	if (!b->len && !b->truncated)
		return NULL;
	return arena_capped(jp->arena, b->data ? b->data : "", b->len, max, b->truncated,
			    &jp->cur.truncated);
}

/* the end of a <testcase>: decide its status, merge it into the file's cases */
static void case_finish(struct jp *jp)
{
	struct cur *c = &jp->cur;
	enum junit_status st;
	int r = -1;
	const char *type_default = NULL;
	if (c->count[R_ERR]) {
		st = JS_ERROR;
		r = R_ERR;
	} else if (c->count[R_FAIL]) {
		st = JS_FAILED;
		r = R_FAIL;
	} else if (c->count[R_SKIP]) {
		st = c->skip_xfail ? JS_XFAIL : JS_SKIPPED;
		r = R_SKIP;
	} else if (c->count[R_FLAKY]) {
		st = JS_FLAKY;
		r = R_FLAKY;
	} else if (!strcmp(c->result_attr, "suppressed") || !strcmp(c->status_attr, "notrun") ||
		   !strcmp(c->status_attr, "disabled")) {
		/* GoogleTest DISABLED_ tests, CTest DISABLED tests: no child at all */
		st = JS_SKIPPED;
		type_default = "disabled";
	} else if (!strcmp(c->result_attr, "skipped") || !strcmp(c->status_attr, "skipped")) {
		st = JS_SKIPPED;
	} else if (!strcmp(c->status_attr, "fail") || !strcmp(c->status_attr, "failed") ||
		   !strcmp(c->result_attr, "failed")) {
		st = JS_FAILED;
	} else {
		st = JS_PASSED;
	}
	char *message = r >= 0 ? c->msg[r] : NULL;
	char *type = r >= 0 ? c->type[r] : NULL;
	if (!type && type_default)
		type = arena_strndup(jp->arena, type_default, strlen(type_default));

	/* this element's attempts: flaky reruns then the pass; or the result
	 * then its reruns; or just the result */
	struct junit_attempt own = {st, message, c->time_ms};
	struct junit_attempt list[JUNIT_MAX_ATTEMPTS + 1];
	size_t nlist = 0;
	if (st == JS_FLAKY) {
		for (size_t i = 0; i < c->natt; i++)
			list[nlist++] = c->att[i];
		own.status = JS_PASSED;
		own.message = NULL;
		list[nlist++] = own;
	} else {
		list[nlist++] = own;
		for (size_t i = 0; i < c->natt && nlist < JUNIT_MAX_ATTEMPTS; i++)
			list[nlist++] = c->att[i];
	}

	char *details = buf_to_arena(jp, &c->details, JUNIT_MAX_DETAILS);
	char *sysout = buf_to_arena(jp, &c->out, JUNIT_MAX_OUTPUT);
	char *syserr = buf_to_arena(jp, &c->err, JUNIT_MAX_OUTPUT);
	char *props = NULL;
	if (c->props.len) {
		buf_addc(&c->props, '}');
		props = arena_strndup(jp->arena, c->props.data, c->props.len);
	}

	struct junit_file *f = jp->out;
	uint64_t h = case_hash(jp->seed, c->classname, c->name);
	long idx = htab_find(jp, h, c->classname, c->name);
	if (idx < 0) {
		if (f->ncases >= JUNIT_MAX_CASES) {
			jp_fail(jp, "more than %d testcases", JUNIT_MAX_CASES);
			return;
		}
		if (f->ncases == jp->cases_cap) {
			jp->cases_cap = jp->cases_cap ? jp->cases_cap * 2 : 64;
			f->cases = xrealloc(f->cases, jp->cases_cap * sizeof(*f->cases));
			jp->priv = xrealloc(jp->priv, jp->cases_cap * sizeof(*jp->priv));
		}
		if ((f->ncases + 1) * 2 > jp->hcap)
			htab_grow(jp);
		struct junit_case *k = &f->cases[f->ncases];
		struct case_priv *p = &jp->priv[f->ncases];
		memset(k, 0, sizeof(*k));
		memset(p, 0, sizeof(*p));
		p->hash = h;
		k->suite = c->suite;
		k->classname = c->classname;
		k->name = c->name;
		k->file = c->file;
		k->line = c->line;
		k->time_ms = c->time_ms;
		k->message = message;
		k->type = type;
		k->details = details;
		k->system_out = sysout;
		k->system_err = syserr;
		k->properties = props;
		priv_note_element(p, st, list, nlist);
		if (nlist > 1)
			for (size_t i = 0; i < nlist; i++)
				case_add_attempt(jp, k, &list[i]);
		k->status = merged_status(p);
		k->truncated = c->truncated;
		htab_put(jp, h, f->ncases);
		f->ncases++;
		return;
	}

	/* a duplicate: a rerun, or pytest's second testcase for a teardown error */
	struct junit_case *k = &f->cases[idx];
	struct case_priv *p = &jp->priv[idx];
	if (!k->nattempts) {
		struct junit_attempt first = {k->status, k->message, k->time_ms};
		case_add_attempt(jp, k, &first);
	}
	enum junit_status before = p->worst;
	priv_note_element(p, st, list, nlist);
	for (size_t i = 0; i < nlist; i++)
		case_add_attempt(jp, k, &list[i]);
	if (st > before) {
		k->message = message;
		k->type = type;
		k->details = details;
	} else if (!k->details) {
		k->details = details;
	}
	k->status = merged_status(p);
	if (k->time_ms < 0)
		k->time_ms = c->time_ms;
	else if (c->time_ms >= 0)
		k->time_ms += c->time_ms;
	k->system_out = join_text(jp, k->system_out, sysout, JUNIT_MAX_OUTPUT, &k->truncated);
	k->system_err = join_text(jp, k->system_err, syserr, JUNIT_MAX_OUTPUT, &k->truncated);
	if (!k->properties)
		k->properties = props;
	k->truncated |= c->truncated;
}

/* ---- properties as JSON text -------------------------------------------------------- */

static void json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;
		if (ch == '"' || ch == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)ch);
		} else if (ch == '\n') {
			buf_adds(b, "\\n");
		} else if (ch == '\t') {
			buf_adds(b, "\\t");
		} else if (ch == '\r') {
			buf_adds(b, "\\r");
		} else if (ch < 0x20) {
			char e[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
			buf_adds(b, e);
		} else {
			buf_addc(b, (char)ch);
		}
	}
	buf_addc(b, '"');
}

static void property_finish(struct jp *jp)
{
	struct cur *c = &jp->cur;
	if (!c->prop_name)
		return;
	const char *value = c->prop_value;
	if (!value) {
		int cut = 0;
		value = arena_capped(jp->arena, buf_str(&jp->text), jp->text.len, JUNIT_MAX_MESSAGE,
				     jp->text.truncated, &cut);
		c->truncated |= cut;
	}
	struct buf *pair = &jp->pair;
	buf_reset(pair);
	json_str(pair, c->prop_name);
	buf_addc(pair, ':');
	json_str(pair, value);
	/* +2: the comma or brace before, the closing brace after */
	if (c->props.len + pair->len + 2 > JUNIT_MAX_PROPERTIES) {
		c->truncated = 1;
	} else {
		buf_addc(&c->props, c->props.len ? ',' : '{');
		buf_add(&c->props, pair->data, pair->len);
	}
}

/* ---- SAX callbacks -------------------------------------------------------------------- */

static enum kind classify(enum kind parent, const xmlChar *name)
{
	switch (parent) {
	case K_SUITE:
		if (streq(name, "testsuite") || streq(name, "testsuites"))
			return K_SUITE;
		if (streq(name, "testcase"))
			return K_CASE;
		return K_OTHER;
	case K_CASE:
		if (streq(name, "failure"))
			return K_FAILURE;
		if (streq(name, "error"))
			return K_ERROR;
		if (streq(name, "skipped"))
			return K_SKIPPED;
		if (streq(name, "system-out"))
			return K_SYSOUT;
		if (streq(name, "system-err"))
			return K_SYSERR;
		if (streq(name, "properties"))
			return K_PROPERTIES;
		if (streq(name, "rerunFailure"))
			return K_RERUN_FAILURE;
		if (streq(name, "rerunError"))
			return K_RERUN_ERROR;
		if (streq(name, "flakyFailure"))
			return K_FLAKY_FAILURE;
		if (streq(name, "flakyError"))
			return K_FLAKY_ERROR;
		return K_OTHER;
	case K_PROPERTIES:
		return streq(name, "property") ? K_PROPERTY : K_OTHER;
	case K_RERUN_FAILURE:
	case K_RERUN_ERROR:
	case K_FLAKY_FAILURE:
	case K_FLAKY_ERROR:
		return streq(name, "stackTrace") ? K_STACKTRACE : K_OTHER;
	default:
		return K_OTHER;
	}
}

static void start_suite(struct jp *jp, int nattr, const xmlChar **attrs)
{
	const char *name = jp->suites[jp->depth - 1];
	for (int i = 0; i < nattr; i++) {
		const xmlChar *a = ATTR_NAME(attrs, i);
		if (streq(a, "name")) {
			int cut = 0;
			name = attr_value(jp, ATTR_VALUE(attrs, i), ATTR_END(attrs, i),
					  JUNIT_MAX_NAME, &cut);
		} else if (streq(a, "timestamp") && jp->out->timestamp < 0) {
			char ts[JUNIT_MAX_NUMBER];
			int64_t t;
			attr_small(ATTR_VALUE(attrs, i), ATTR_END(attrs, i), ts, sizeof(ts), 0);
			if (ts[0] && time_parse(ts, &t) == 0)
				jp->out->timestamp = t;
		}
	}
	jp->suites[jp->depth] = name;
}

static void start_case(struct jp *jp, int nattr, const xmlChar **attrs)
{
	struct cur *c = &jp->cur;
	cur_reset(c);
	c->suite = (char *)jp->suites[jp->depth - 1];
	for (int i = 0; i < nattr; i++) {
		const xmlChar *a = ATTR_NAME(attrs, i), *v = ATTR_VALUE(attrs, i),
			      *e = ATTR_END(attrs, i);
		char small[JUNIT_MAX_NUMBER];
		if (streq(a, "name")) {
			c->name = attr_dup(jp, v, e, JUNIT_MAX_NAME);
		} else if (streq(a, "classname")) {
			c->classname = attr_dup(jp, v, e, JUNIT_MAX_NAME);
		} else if (streq(a, "time")) {
			attr_small(v, e, small, sizeof(small), 0);
			c->time_ms = small[0] ? junit_parse_time(small) : -1;
		} else if (streq(a, "file")) {
			c->file = attr_dup(jp, v, e, JUNIT_MAX_NAME);
		} else if (streq(a, "line")) {
			attr_small(v, e, small, sizeof(small), 0);
			char *end;
			long l = strtol(small, &end, 10);
			c->line = small[0] && !*end && l >= 0 && l <= 100000000 ? (int)l : -1;
		} else if (streq(a, "status")) {
			attr_small(v, e, c->status_attr, sizeof(c->status_attr), 1);
		} else if (streq(a, "result")) {
			attr_small(v, e, c->result_attr, sizeof(c->result_attr), 1);
		}
	}
	if (!c->name)
		c->name = arena_strndup(jp->arena, "", 0);
	if (!c->classname)
		c->classname = arena_strndup(jp->arena, "", 0);
}

/* <failure>, <error>, <skipped> and the Surefire rerun/flaky elements */
static void start_result(struct jp *jp, enum kind k, int nattr, const xmlChar **attrs)
{
	struct cur *c = &jp->cur;
	c->pend_msg = c->pend_type = NULL;
	c->pend_time = -1;
	for (int i = 0; i < nattr; i++) {
		const xmlChar *a = ATTR_NAME(attrs, i), *v = ATTR_VALUE(attrs, i),
			      *e = ATTR_END(attrs, i);
		if (v == e) {
			continue; /* message="" or type="" (GoogleTest, CTest) says nothing */
		} else if (streq(a, "message")) {
			c->pend_msg = attr_dup(jp, v, e, JUNIT_MAX_MESSAGE);
		} else if (streq(a, "type")) {
			c->pend_type = attr_dup(jp, v, e, JUNIT_MAX_MESSAGE);
		} else if (streq(a, "time")) {
			char small[JUNIT_MAX_NUMBER];
			attr_small(v, e, small, sizeof(small), 0);
			c->pend_time = small[0] ? junit_parse_time(small) : -1;
		}
	}
	if (k == K_SKIPPED && c->pend_type && !strcmp(c->pend_type, "pytest.xfail"))
		c->skip_xfail = 1;
	jp->text.max = k == K_FAILURE || k == K_ERROR || k == K_SKIPPED ? JUNIT_MAX_DETAILS
									: JUNIT_MAX_MESSAGE;
	buf_reset(&jp->text);
}

static void end_result(struct jp *jp, enum kind k)
{
	struct cur *c = &jp->cur;
	char *msg = c->pend_msg;
	if (!msg) /* jest-junit: no message attribute, the message is the text's first line */
		msg = first_line(jp, buf_str(&jp->text), jp->text.len);
	if (k == K_FAILURE || k == K_ERROR || k == K_SKIPPED) {
		int r = k == K_FAILURE ? R_FAIL : k == K_ERROR ? R_ERR : R_SKIP;
		if (!c->count[r]) {
			c->msg[r] = msg;
			c->type[r] = c->pend_type;
		}
		c->count[r]++;
		/* several bodies (GoogleTest: one per failed assertion) are joined */
		if (jp->text.len || jp->text.truncated) {
			if (c->details.len)
				buf_addc(&c->details, '\n');
			buf_add(&c->details, jp->text.data, jp->text.len);
			if (jp->text.truncated)
				c->details.truncated = 1;
		}
		return;
	}
	/* rerun and flaky elements are attempts of their own */
	enum junit_status s = k == K_RERUN_ERROR || k == K_FLAKY_ERROR ? JS_ERROR : JS_FAILED;
	if (k == K_FLAKY_FAILURE || k == K_FLAKY_ERROR) {
		if (!c->count[R_FLAKY]) {
			c->msg[R_FLAKY] = msg;
			c->type[R_FLAKY] = c->pend_type;
			if (!c->details.len && jp->text.len)
				buf_add(&c->details, jp->text.data, jp->text.len);
		}
		c->count[R_FLAKY]++;
	}
	if (c->natt < JUNIT_MAX_ATTEMPTS - 1)
		c->att[c->natt++] = (struct junit_attempt){s, msg, c->pend_time};
	else
		c->truncated = 1;
}

static void on_start(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nns, const xmlChar **ns, int nattr, int ndefaulted, const xmlChar **attrs)
{
	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
	struct jp *jp = ud;
	if (jp->error[0])
		return;
	if (jp->depth >= JUNIT_MAX_DEPTH) {
		jp_fail(jp, "nested deeper than %d elements", JUNIT_MAX_DEPTH);
		return;
	}
	enum kind parent = jp->kinds[jp->depth];
	jp->depth++;
	enum kind k;
	if (jp->depth == 1) {
		jp->root_seen = 1;
		if (!streq(localname, "testsuites") && !streq(localname, "testsuite")) {
			jp_fail(jp, "not a JUnit report: root is <%.40s>", (const char *)localname);
			return;
		}
		k = K_SUITE;
	} else {
		k = classify(parent, localname);
	}
	jp->kinds[jp->depth] = k;
	jp->suites[jp->depth] = jp->suites[jp->depth - 1];
	switch (k) {
	case K_SUITE:
		start_suite(jp, nattr, attrs);
		break;
	case K_CASE:
		start_case(jp, nattr, attrs);
		break;
	case K_FAILURE:
	case K_ERROR:
	case K_SKIPPED:
	case K_RERUN_FAILURE:
	case K_RERUN_ERROR:
	case K_FLAKY_FAILURE:
	case K_FLAKY_ERROR:
		start_result(jp, k, nattr, attrs);
		break;
	case K_SYSOUT:
	case K_SYSERR:
		jp->text.max = JUNIT_MAX_OUTPUT;
		buf_reset(&jp->text);
		break;
	case K_PROPERTY:
		jp->cur.prop_name = jp->cur.prop_value = NULL;
		for (int i = 0; i < nattr; i++) {
			const xmlChar *a = ATTR_NAME(attrs, i);
			if (streq(a, "name"))
				jp->cur.prop_name = attr_dup(jp, ATTR_VALUE(attrs, i),
							     ATTR_END(attrs, i), JUNIT_MAX_NAME);
			else if (streq(a, "value"))
				jp->cur.prop_value =
				    attr_dup(jp, ATTR_VALUE(attrs, i), ATTR_END(attrs, i),
					     JUNIT_MAX_MESSAGE);
		}
		jp->text.max = JUNIT_MAX_MESSAGE;
		buf_reset(&jp->text);
		break;
	default:
		break;
	}
}

static void on_end(void *ud, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)localname, (void)prefix, (void)uri;
	struct jp *jp = ud;
	if (jp->error[0] || jp->depth <= 0)
		return;
	enum kind k = jp->kinds[jp->depth];
	struct cur *c = &jp->cur;
	switch (k) {
	case K_CASE:
		case_finish(jp);
		break;
	case K_FAILURE:
	case K_ERROR:
	case K_SKIPPED:
	case K_RERUN_FAILURE:
	case K_RERUN_ERROR:
	case K_FLAKY_FAILURE:
	case K_FLAKY_ERROR:
		end_result(jp, k);
		break;
	case K_SYSOUT:
	case K_SYSERR: {
		struct buf *b = k == K_SYSOUT ? &c->out : &c->err;
		if (b->len && jp->text.len)
			buf_addc(b, '\n');
		buf_add(b, jp->text.data, jp->text.len);
		if (jp->text.truncated)
			b->truncated = 1;
		break;
	}
	case K_PROPERTY:
		property_finish(jp);
		break;
	default:
		break;
	}
	jp->depth--;
}

static void on_text(void *ud, const xmlChar *s, int len)
{
	struct jp *jp = ud;
	switch (jp->kinds[jp->depth]) {
	case K_FAILURE:
	case K_ERROR:
	case K_SKIPPED:
	case K_SYSOUT:
	case K_SYSERR:
	case K_PROPERTY:
	case K_RERUN_FAILURE:
	case K_RERUN_ERROR:
	case K_FLAKY_FAILURE:
	case K_FLAKY_ERROR:
	case K_STACKTRACE:
		if (!jp->text.truncated)
			buf_add(&jp->text, s, (size_t)len);
		break;
	default:
		break;
	}
}

static void on_entity_decl(void *ud, const xmlChar *name, int type, const xmlChar *publicId,
			   const xmlChar *systemId, xmlChar *content)
{
	(void)name, (void)type, (void)publicId, (void)systemId, (void)content;
	jp_fail(ud, "DTD with entities not allowed");
}

static void on_unparsed_entity_decl(void *ud, const xmlChar *name, const xmlChar *publicId,
				    const xmlChar *systemId, const xmlChar *notationName)
{
	(void)name, (void)publicId, (void)systemId, (void)notationName;
	jp_fail(ud, "DTD with entities not allowed");
}

static void on_error(void *ud, xmlErrorPtr e)
{
	struct jp *jp = ud;
	if (!e || e->level < XML_ERR_ERROR || jp->error[0])
		return;
	char msg[160];
	const char *m = e->message ? e->message : "";
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	memcpy(msg, m, n);
	msg[n] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
		msg[0] = (char)(msg[0] - 'A' + 'a');
	/* errors without a context (encoding conversion) carry no line */
	int line = e->line > 0 ? e->line : jp->ctxt && jp->ctxt->input ? jp->ctxt->input->line : 0;
	if (e->domain == XML_FROM_I18N || e->domain == XML_FROM_IO)
		jp_note(jp, "encoding error (line %d): %s", line, msg);
	else if (strstr(m, "not proper UTF-8") || e->code == XML_ERR_INVALID_ENCODING)
		jp_note(jp, "not UTF-8 (line %d)", line);
	else if (e->code == XML_ERR_UNSUPPORTED_ENCODING)
		jp_note(jp, "unsupported encoding (line %d): %s", line, msg);
	else
		jp_note(jp, "not well-formed (line %d): %s", line, msg);
}

/* libxml2's unstructured messages: everything also arrives structured */
__attribute__((format(printf, 2, 3))) static void on_generic_error(void *ud, const char *fmt, ...)
{
	(void)ud, (void)fmt;
}

/* ---- entry points -------------------------------------------------------------------------- */

static int looks_like_html(const char *d, size_t n)
{
	size_t i = 0;
	if (n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return (n - i >= 14 && !strncasecmp(d + i, "<!doctype html", 14)) ||
	       (n - i >= 5 && !strncasecmp(d + i, "<html", 5));
}

int junit_parse(const char *name, const char *data, size_t len, struct junit_file *out)
{
	(void)name; /* callers name the file in their messages */
	memset(out, 0, sizeof(*out));
	out->timestamp = -1;
	struct arena *arena = xcalloc(1, sizeof(*arena));
	out->arena = arena;

	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	if (i == len) {
		out->error = arena_strndup(arena, "empty file", 10);
		return -1;
	}

	static xmlSAXHandler sax;
	if (sax.initialized != XML_SAX2_MAGIC) {
		xmlInitParser();
		memset(&sax, 0, sizeof(sax));
		sax.startElementNs = on_start;
		sax.endElementNs = on_end;
		sax.characters = on_text;
		sax.cdataBlock = on_text;
		sax.entityDecl = on_entity_decl;
		sax.unparsedEntityDecl = on_unparsed_entity_decl;
		sax.serror = on_error;
		sax.initialized = XML_SAX2_MAGIC;
	}

	struct jp *jp = xcalloc(1, sizeof(*jp));
	jp->out = out;
	jp->arena = arena;
	jp->seed = ((uint64_t)(uintptr_t)jp ^ (uint64_t)time(NULL)) * 0x9E3779B97F4A7C15ULL;
	jp->kinds[0] = K_SUITE; /* so the root is classified like a suite */
	buf_init(&jp->text, JUNIT_MAX_OUTPUT);
	buf_init(&jp->cur.details, JUNIT_MAX_DETAILS);
	buf_init(&jp->cur.out, JUNIT_MAX_OUTPUT);
	buf_init(&jp->cur.err, JUNIT_MAX_OUTPUT);
	buf_init(&jp->cur.props, JUNIT_MAX_PROPERTIES);

	/* HUGE lifts libxml2's 10 MB limit on one attribute value or CDATA section
	 * (text is capped by us as it streams by; depth is bounded by
	 * JUNIT_MAX_DEPTH) */
	if (len > JUNIT_MAX_FILE) {
		jp_note(jp, "larger than %d bytes", JUNIT_MAX_FILE);
		goto done;
	}
	jp->ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
	if (!jp->ctxt || !jp->ctxt->sax)
		die("out of memory");
	memcpy(jp->ctxt->sax, &sax, sizeof(sax));
	jp->ctxt->userData = jp;
	xmlCtxtUseOptions(jp->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_HUGE);
	/* errors raised without a parser context (encoding conversion, I/O) go
	 * to libxml2's global handlers, which print to stderr: catch them too */
	xmlStructuredErrorFunc old_serror = xmlStructuredError;
	void *old_serror_ctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(jp, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlParseDocument(jp->ctxt);
	xmlSetStructuredErrorFunc(old_serror_ctx, old_serror);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	if (!jp->error[0] && !jp->ctxt->wellFormed)
		jp_note(jp, "not well-formed (line %d)", xmlSAX2GetLineNumber(jp->ctxt));
done:
	if (!jp->error[0] && !jp->root_seen)
		jp_note(jp, "empty file");
	if (jp->error[0] && !jp->root_seen && looks_like_html(data, len))
		snprintf(jp->error, sizeof(jp->error), "not a JUnit report: looks like HTML");

	int rc = 0;
	if (jp->error[0]) {
		out->error = arena_strndup(arena, jp->error, strlen(jp->error));
		rc = -1;
	}
	/* libxml2 builds a stand-in document to record entity declarations "for
	 * expat compatibility in SAX mode"; it is ours to free */
	if (jp->ctxt) {
		if (jp->ctxt->myDoc)
			xmlFreeDoc(jp->ctxt->myDoc);
		xmlFreeParserCtxt(jp->ctxt);
	}
	buf_release(&jp->text);
	buf_release(&jp->pair);
	buf_release(&jp->cur.details);
	buf_release(&jp->cur.out);
	buf_release(&jp->cur.err);
	buf_release(&jp->cur.props);
	free(jp->priv);
	free(jp->htab);
	free(jp);
	return rc;
}

void junit_file_release(struct junit_file *f)
{
	if (!f)
		return;
	free(f->cases);
	if (f->arena)
		arena_free(f->arena);
	memset(f, 0, sizeof(*f));
	f->timestamp = -1;
}
