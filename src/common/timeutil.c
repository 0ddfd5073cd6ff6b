/* SPDX-License-Identifier: ISC */
/*
 * timeutil.c: ISO 8601, durations and clocks.  Never gmtime/localtime
 * (banned: not thread-safe); timegm and gmtime_r only.
 */
#include "common/compat.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timeutil.h"

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int
time_parse_iso8601(const char *s, int64_t *out)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return -1;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p++ == '+' ? 1 : -1;
			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om))
				return -1;
		}
	}
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* reject 2026-02-31 and the like: timegm normalises them */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	if (sign)
		t -= sign * (oh * 3600 + om * 60);
	*out = (int64_t)t;
	return 0;
}

void
time_format(int64_t t, const char *fmt, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(out, outsz, fmt, &tm) == 0 && outsz)
		out[0] = '\0';
#pragma GCC diagnostic pop
}

/*
 * Days since 1970-01-01 to the civil date (proleptic Gregorian, as
 * glibc's gmtime_r): eras of 400 years from 0000-03-01.
 */
void
time_utc(int64_t t, struct time_utc *u)
{
	int64_t days = t / 86400, secs = t % 86400;
	int64_t era, doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	u->hour = (int)(secs / 3600);
	u->min = (int)(secs / 60 % 60);
	u->sec = (int)(secs % 60);
	days += 719468;		/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	u->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	u->year = yoe + era * 400 + (u->mon <= 2);
}

void
time_format_ymd(int64_t t, char out[16])
{
	struct time_utc u;
	int v;

	time_utc(t, &u);
	if (u.year < 1000 || u.year > 9999) {
		time_format(t, "%Y-%m-%d", out, 16);
		return;
	}
	v = (int)u.year;
	for (int k = 3; k >= 0; k--, v /= 10)
		out[k] = (char)('0' + v % 10);
	out[4] = '-';
	out[5] = (char)('0' + u.mon / 10);
	out[6] = (char)('0' + u.mon % 10);
	out[7] = '-';
	out[8] = (char)('0' + u.mday / 10);
	out[9] = (char)('0' + u.mday % 10);
	out[10] = '\0';
}

void
time_format_iso8601(int64_t t, char *out, size_t outsz)
{
	time_format(t, "%Y-%m-%dT%H:%M:%SZ", out, outsz);
}

int
duration_parse(const char *s, int64_t *secs)
{
	int64_t total = 0, v;
	const char *p = s;
	char *ep;

	if (!*s)
		return -1;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = strtoll(p, &ep, 10);
		if (v < 0 || v > 100LL * 365 * 86400)
			return -1;
		p = ep;
		switch (*p) {
		case 's': p++; break;
		case 'm': v *= 60; p++; break;
		case 'h': v *= 3600; p++; break;
		case 'd': v *= 86400; p++; break;
		case '\0':
			if (p != ep || total != 0)
				return -1;
			break;
		default:
			return -1;
		}
		total += v;
	}
	*secs = total;
	return 0;
}

int64_t
time_now(void)
{
	const char *fake = getenv("KILN_NOW");
	int64_t t;

	if (fake && time_parse_iso8601(fake, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
