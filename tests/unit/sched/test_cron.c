/* SPDX-License-Identifier: ISC */
/*
 * test_cron.c: cron_parse() and cron_next() against hand-computed cases:
 * steps, ranges, names, month ends, leap years, the Vixie dom/dow rule,
 * expressions that never match, and every kind of parse error.
 */
#include "test.h"

#include "common/buf.h"
#include "common/timeutil.h"
#include "sched/cron.h"

static int64_t
at(const char *iso)
{
	int64_t t;

	if (time_parse_iso8601(iso, &t) == -1)
		test_fail(__FILE__, __LINE__, "bad time %s", iso);
	return t;
}

/* the next match of expr after `after`, as ISO 8601 (or "never") */
static const char *
next(const char *expr, const char *after)
{
	static char out[32];
	struct buf err = BUF_INIT;
	struct cron c;
	int64_t t;

	if (cron_parse(expr, &c, &err) == -1)
		test_fail(__FILE__, __LINE__, "cron_parse(%s): %s", expr,
		    err.buf);
	buf_release(&err);
	t = cron_next(&c, at(after));
	if (t == -1)
		return "never";
	time_format_iso8601(t, out, sizeof(out));
	return out;
}

/* the parse error of expr, or "" if it parses */
static const char *
perr(const char *expr)
{
	static char out[256];
	struct buf err = BUF_INIT;
	struct cron c;

	out[0] = '\0';
	if (cron_parse(expr, &c, &err) == -1)
		strlcpy(out, err.buf, sizeof(out));
	buf_release(&err);
	return out;
}

TEST(cron, every_minute_is_strictly_after)
{
	CHECK_STR_EQ(next("* * * * *", "2026-11-24T10:07:00Z"),
	    "2026-11-24T10:08:00Z");
	CHECK_STR_EQ(next("* * * * *", "2026-11-24T10:07:59Z"),
	    "2026-11-24T10:08:00Z");
	CHECK_STR_EQ(next("0 * * * *", "2026-11-24T10:00:00Z"),
	    "2026-11-24T11:00:00Z");
}

TEST(cron, steps_and_ranges)
{
	struct cron c;
	struct buf err = BUF_INIT;

	CHECK_STR_EQ(next("*/15 * * * *", "2026-11-24T10:07:30Z"),
	    "2026-11-24T10:15:00Z");
	CHECK_STR_EQ(next("*/15 * * * *", "2026-11-24T10:45:00Z"),
	    "2026-11-24T11:00:00Z");
	CHECK_OK(cron_parse("1-10/3 * * * *", &c, &err));
	CHECK_INT_EQ(c.minutes, (1u << 1) | (1u << 4) | (1u << 7) |
	    (1u << 10));
	CHECK_OK(cron_parse("5/20 * * * *", &c, &err));
	CHECK_INT_EQ(c.minutes, (1u << 5) | ((uint64_t)1 << 25) |
	    ((uint64_t)1 << 45));
	CHECK_OK(cron_parse("0,30 8-10 * * *", &c, &err));
	CHECK_INT_EQ(c.minutes, 1 | ((uint64_t)1 << 30));
	CHECK_INT_EQ(c.hours, (1u << 8) | (1u << 9) | (1u << 10));
	CHECK_STR_EQ(next("0,30 8-10 * * *", "2026-11-24T10:30:00Z"),
	    "2026-11-25T08:00:00Z");
	buf_release(&err);
}

TEST(cron, month_end_skips_short_months)
{
	/* April has 30 days: the 31st next comes in May */
	CHECK_STR_EQ(next("0 0 31 * *", "2026-04-15T00:00:00Z"),
	    "2026-05-31T00:00:00Z");
	/* after 31 May: June has 30, July has 31 */
	CHECK_STR_EQ(next("0 0 31 * *", "2026-05-31T00:00:00Z"),
	    "2026-07-31T00:00:00Z");
}

TEST(cron, year_end_rolls_over)
{
	CHECK_STR_EQ(next("0 0 1 1 *", "2026-12-31T23:59:00Z"),
	    "2027-01-01T00:00:00Z");
	CHECK_STR_EQ(next("@yearly", "2026-01-01T00:00:00Z"),
	    "2027-01-01T00:00:00Z");
	CHECK_STR_EQ(next("59 23 31 12 *", "2026-12-31T23:58:59Z"),
	    "2026-12-31T23:59:00Z");
}

TEST(cron, leap_years)
{
	CHECK_STR_EQ(next("0 0 29 2 *", "2026-03-01T00:00:00Z"),
	    "2028-02-29T00:00:00Z");
	/* 2100 is not a leap year: from 2096 the next one is 2104 */
	CHECK_STR_EQ(next("0 0 29 2 *", "2096-03-01T00:00:00Z"),
	    "2104-02-29T00:00:00Z");
}

TEST(cron, never_matches)
{
	CHECK_STR_EQ(next("0 0 30 2 *", "2026-01-01T00:00:00Z"), "never");
	CHECK_STR_EQ(next("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z"),
	    "never");
}

TEST(cron, dom_or_dow_when_both_restricted)
{
	/* 2026-11-24 is a Tuesday; Monday 30 Nov comes before 1 Dec */
	CHECK_STR_EQ(next("0 12 1 * mon", "2026-11-24T12:00:00Z"),
	    "2026-11-30T12:00:00Z");
	/* then the 1st (a Tuesday) matches by day of month */
	CHECK_STR_EQ(next("0 12 1 * mon", "2026-11-30T13:00:00Z"),
	    "2026-12-01T12:00:00Z");
}

TEST(cron, dom_and_dow_when_one_is_star)
{
	/* "*\/2" starts with '*': both must match (an odd day AND Monday) */
	CHECK_STR_EQ(next("0 0 */2 * mon", "2026-11-24T00:00:00Z"),
	    "2026-12-07T00:00:00Z");
	/* Saturday 28 Nov: next weekday morning is Monday 30 Nov */
	CHECK_STR_EQ(next("0 9 * * mon-fri", "2026-11-28T10:00:00Z"),
	    "2026-11-30T09:00:00Z");
}

TEST(cron, names_and_sunday_seven)
{
	CHECK_STR_EQ(next("0 0 1 jan,JUL *", "2026-02-01T00:00:00Z"),
	    "2026-07-01T00:00:00Z");
	CHECK_STR_EQ(next("0 0 * * 7", "2026-11-24T10:00:00Z"),
	    "2026-11-29T00:00:00Z");
	CHECK_STR_EQ(next("0 0 * * sun", "2026-11-24T10:00:00Z"),
	    "2026-11-29T00:00:00Z");
	CHECK_STR_EQ(next("0 0 * * 5-7", "2026-11-24T10:00:00Z"),
	    "2026-11-27T00:00:00Z");
}

TEST(cron, shorthands)
{
	CHECK_STR_EQ(next("@hourly", "2026-11-24T10:07:00Z"),
	    "2026-11-24T11:00:00Z");
	CHECK_STR_EQ(next("@daily", "2026-11-24T10:07:00Z"),
	    "2026-11-25T00:00:00Z");
	CHECK_STR_EQ(next("@weekly", "2026-11-24T10:07:00Z"),
	    "2026-11-29T00:00:00Z");
	CHECK_STR_EQ(next("@monthly", "2026-11-24T10:07:00Z"),
	    "2026-12-01T00:00:00Z");
	CHECK_STR_EQ(next("  @daily  ", "2026-11-24T10:07:00Z"),
	    "2026-11-25T00:00:00Z");
}

TEST(cron, parse_errors)
{
	CHECK_STR_EQ(perr("60 * * * *"), "minute: 60 is out of range 0-59");
	CHECK_STR_EQ(perr("* 24 * * *"), "hour: 24 is out of range 0-23");
	CHECK_STR_EQ(perr("* * 0 * *"),
	    "day-of-month: 0 is out of range 1-31");
	CHECK_STR_EQ(perr("* * * 13 *"), "month: 13 is out of range 1-12");
	CHECK_STR_EQ(perr("* * * * 8"),
	    "day-of-week: 8 is out of range 0-7");
	CHECK_STR_EQ(perr("* * * *"), "expected 5 fields (minute hour "
	    "day-of-month month day-of-week), got 4");
	CHECK_STR_EQ(perr("* * * * * *"), "expected 5 fields (minute hour "
	    "day-of-month month day-of-week), got more than 5");
	CHECK_STR_EQ(perr(""), "expected 5 fields (minute hour "
	    "day-of-month month day-of-week), got 0");
	CHECK_STR_EQ(perr("5-3 * * * *"), "minute: range 5-3 is backwards");
	CHECK_STR_EQ(perr("*/0 * * * *"), "minute: step must be 1-59");
	CHECK_STR_EQ(perr("*/ * * * *"), "minute: a step needs a number");
	CHECK_STR_EQ(perr("1,,2 * * * *"), "minute: unexpected ','");
	CHECK_STR_EQ(perr("* * * foo *"), "month: unknown name 'foo'");
	CHECK_STR_EQ(perr("* * * * monday"),
	    "day-of-week: unknown name 'monday'");
	CHECK_STR_EQ(perr("mon * * * *"), "minute: unexpected 'm'");
	CHECK_STR_EQ(perr("1x * * * *"), "minute: unexpected 'x'");
	CHECK_STR_EQ(perr("@often"), "unknown shorthand (use @hourly, "
	    "@daily, @weekly, @monthly or @yearly)");
	CHECK_STR_EQ(perr("99999999999999 * * * *"),
	    "minute: 9999999999 is out of range 0-59");
	CHECK_STR_EQ(perr("*/5 * * * *"), "");
}
