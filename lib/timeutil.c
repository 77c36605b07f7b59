#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int Y, M, D, h = 0, m = 0, sec = 0;
	int compact = 0;
	if (!s || digits(&p, 4, &Y))
		return -1;
	if (*p == '-') {
		p++;
		if (digits(&p, 2, &M) || *p++ != '-' || digits(&p, 2, &D))
			return -1;
	} else {
		compact = 1;
		if (digits(&p, 2, &M) || digits(&p, 2, &D))
			return -1;
	}
	if (*p == 'T' || (*p == ' ' && !compact)) {
		p++;
		if (digits(&p, 2, &h))
			return -1;
		if (!compact && *p++ != ':')
			return -1;
		if (digits(&p, 2, &m))
			return -1;
		if (compact || *p == ':') {
			if (!compact)
				p++;
			if (digits(&p, 2, &sec))
				return -1;
		}
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	} else if (compact) {
		return -1;
	}
	int off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	*out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - off;
	return 0;
}

static void civil(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	gmtime_r(&tt, tm);
}

void time_fmt_iso(int64_t t, char out[21])
{
	struct tm tm;
	civil(t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_fmt_compact(int64_t t, char out[17])
{
	struct tm tm;
	civil(t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void time_fmt_short(int64_t t, char out[17])
{
	struct tm tm;
	civil(t, &tm);
	strftime(out, 17, "%Y-%m-%d %H:%M", &tm);
}

int64_t time_now(void)
{
	int64_t t;
	const char *env = getenv("CCR_NOW");
	if (env && *env && time_parse(env, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

int64_t time_parse_age(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (end == s || n <= 0 || *s == '+' || *s == ' ')
		return -1;
	int64_t unit;
	if (!strcmp(end, "s"))
		unit = 1;
	else if (!strcmp(end, "m"))
		unit = 60;
	else if (!strcmp(end, "h"))
		unit = 3600;
	else if (!strcmp(end, "d"))
		unit = 86400;
	else if (!strcmp(end, "w"))
		unit = 7 * 86400;
	else
		return -1;
	/* beyond ~290 billion years: the multiplication would overflow */
	if (n > INT64_MAX / unit)
		return -1;
	return (int64_t)n * unit;
}
