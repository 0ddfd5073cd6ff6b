/* SPDX-License-Identifier: ISC */
/*
 * cron.c: cron expressions, parsed into bitmasks, and the next match.
 *
 * Design: a field is a bitmask of the values it allows, so matching a time
 * is five bit tests.  cron_next() does not step minute by minute: it walks
 * down from the largest unit, and whenever a unit does not match it jumps
 * to the start of the next one (next month at 00:00 on day 1, next day at
 * 00:00, next hour at :00) and starts over, letting timegm() normalise the
 * calendar (month lengths, leap years).  That makes at most a few thousand
 * steps for the worst case, an expression matching once every four years,
 * and bounds the search at 8 years so that expressions that never match
 * ("0 0 31 2 *") end with -1 instead of looping.
 *
 * The day rule is Vixie cron's: if either day field starts with '*' both
 * must match (a '*' matches everything); if both are restricted, a day
 * matches when either does.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "sched/cron.h"

#define CRON_MAX_EXPR	256
#define CRON_MAX_YEARS	8

struct field {
	const char *name;
	int min, max;
	const char *const *names;	/* names[i] is value min + i */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec", NULL
};
static const char *const wday_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day-of-week", 0, 7, wday_names },	/* 7 is Sunday too */
};

static const struct {
	const char *name;
	const char *expr;
} shorthands[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* one value: a number or (for months and weekdays) a 3-letter name */
static int
parse_value(const struct field *f, const char **sp, int *out, struct buf *err)
{
	const char *s = *sp;
	long v = 0;
	size_t i, n;

	if (isdigit((unsigned char)*s)) {
		for (n = 0; isdigit((unsigned char)s[n]); n++) {
			v = v * 10 + (s[n] - '0');
			if (v > 1000)
				break;
		}
		while (isdigit((unsigned char)s[n]))
			n++;
		if (v < f->min || v > f->max) {
			buf_setf(err, "%s: %.*s is out of range %d-%d", f->name,
			    (int)(n > 10 ? 10 : n), s, f->min, f->max);
			return -1;
		}
		*sp = s + n;
		*out = (int)v;
		return 0;
	}
	if (f->names && isalpha((unsigned char)*s)) {
		for (n = 0; isalpha((unsigned char)s[n]); n++)
			;
		for (i = 0; n == 3 && f->names[i]; i++) {
			if (strncasecmp(s, f->names[i], 3) == 0) {
				*sp = s + n;
				*out = f->min + (int)i;
				return 0;
			}
		}
		buf_setf(err, "%s: unknown name '%.*s'", f->name,
		    (int)(n > 10 ? 10 : n), s);
		return -1;
	}
	if (*s == '\0')
		buf_setf(err, "%s: missing value", f->name);
	else if (isprint((unsigned char)*s))
		buf_setf(err, "%s: unexpected '%c'", f->name, *s);
	else
		buf_setf(err, "%s: unexpected byte 0x%02x", f->name,
		    (unsigned char)*s);
	return -1;
}

/* one field "item,item,..." into a mask of values min..max */
static int
parse_field(const struct field *f, const char *s, uint64_t *mask,
    struct buf *err)
{
	int lo, hi, step, v;
	bool single;

	*mask = 0;
	for (;;) {
		if (*s == '*') {
			lo = f->min;
			hi = f->max;
			single = false;
			s++;
		} else {
			if (parse_value(f, &s, &lo, err) == -1)
				return -1;
			hi = lo;
			single = true;
			if (*s == '-') {
				single = false;
				s++;
				if (parse_value(f, &s, &hi, err) == -1)
					return -1;
				if (hi < lo) {
					buf_setf(err, "%s: range %d-%d is "
					    "backwards", f->name, lo, hi);
					return -1;
				}
			}
		}
		step = 1;
		if (*s == '/') {
			s++;
			if (!isdigit((unsigned char)*s)) {
				buf_setf(err, "%s: a step needs a number",
				    f->name);
				return -1;
			}
			step = 0;
			while (isdigit((unsigned char)*s)) {
				if (step <= 1000)
					step = step * 10 + (*s - '0');
				s++;
			}
			if (step < 1 || step > f->max) {
				buf_setf(err, "%s: step must be 1-%d",
				    f->name, f->max);
				return -1;
			}
			if (single)	/* "a/n": from a to the end */
				hi = f->max;
		}
		for (v = lo; v <= hi; v += step)
			*mask |= (uint64_t)1 << v;
		if (*s == '\0')
			return 0;
		if (*s != ',') {
			if (isprint((unsigned char)*s))
				buf_setf(err, "%s: unexpected '%c'", f->name,
				    *s);
			else
				buf_setf(err, "%s: unexpected byte 0x%02x",
				    f->name, (unsigned char)*s);
			return -1;
		}
		s++;
	}
}

int
cron_parse(const char *expr, struct cron *out, struct buf *err)
{
	char copy[CRON_MAX_EXPR], *fv[5], *p;
	const char *q;
	uint64_t mask;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*expr))
		expr++;
	if (*expr == '@') {
		for (i = 0; i < NELEM(shorthands); i++) {
			n = strlen(shorthands[i].name);
			if (strncmp(expr, shorthands[i].name, n) == 0) {
				q = expr + n;
				while (isspace((unsigned char)*q))
					q++;
				if (*q == '\0')
					return cron_parse(shorthands[i].expr,
					    out, err);
			}
		}
		buf_setf(err, "unknown shorthand (use @hourly, @daily, "
		    "@weekly, @monthly or @yearly)");
		return -1;
	}
	if (strlcpy(copy, expr, sizeof(copy)) >= sizeof(copy)) {
		buf_setf(err, "expression is too long");
		return -1;
	}
	n = 0;
	p = copy;
	for (;;) {
		while (isspace((unsigned char)*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == 5) {
			n++;
			break;
		}
		fv[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	if (n != 5) {
		buf_setf(err, "expected 5 fields (minute hour day-of-month "
		    "month day-of-week), got %s%zu", n > 5 ? "more than " : "",
		    n > 5 ? (size_t)5 : n);
		return -1;
	}
	for (i = 0; i < 5; i++) {
		if (parse_field(&fields[i], fv[i], &mask, err) == -1)
			return -1;
		switch (i) {
		case 0:
			out->minutes = mask;
			break;
		case 1:
			out->hours = (uint32_t)mask;
			break;
		case 2:
			out->mdays = (uint32_t)mask;
			out->mday_star = fv[i][0] == '*';
			break;
		case 3:
			out->months = (uint16_t)mask;
			break;
		case 4:
			if (mask & (1u << 7))
				mask |= 1;	/* 7 is Sunday */
			out->wdays = (uint8_t)(mask & 0x7f);
			out->wday_star = fv[i][0] == '*';
			break;
		}
	}
	return 0;
}

static bool
day_matches(const struct cron *c, const struct tm *tm)
{
	bool md = (c->mdays >> tm->tm_mday) & 1;
	bool wd = (c->wdays >> tm->tm_wday) & 1;

	if (c->mday_star || c->wday_star)
		return md && wd;
	return md || wd;
}

int64_t
cron_next(const struct cron *c, int64_t after)
{
	struct tm tm;
	time_t t;
	int end_year;

	if (after < 0)
		after = -60;
	t = (time_t)(after - after % 60 + 60);
	if (!gmtime_r(&t, &tm))
		return -1;
	end_year = tm.tm_year + CRON_MAX_YEARS;
	while (tm.tm_year <= end_year) {
		if (!((c->months >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!day_matches(c, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = 0;
		} else if (!((c->hours >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
		} else if (!((c->minutes >> tm.tm_min) & 1)) {
			tm.tm_min++;
		} else {
			return (int64_t)timegm(&tm);
		}
		tm.tm_sec = 0;
		tm.tm_isdst = 0;
		/* normalise (and recompute tm_wday) */
		t = timegm(&tm);
		if (t == (time_t)-1 || !gmtime_r(&t, &tm))
			return -1;
	}
	return -1;
}
