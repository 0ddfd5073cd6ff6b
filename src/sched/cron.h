/* SPDX-License-Identifier: ISC */
/*
 * cron.h: cron expressions (Vixie cron's five fields) and "the next
 * matching minute".
 *
 *	minute hour day-of-month month day-of-week
 *
 * Each field is "*", "a", "a-b" or a comma list of those, each optionally
 * followed by a step "/n" (every n-th value of the range; "a/n" runs from
 * a to the end of the field); months (jan..dec) and weekdays (sun..sat)
 * may be given by name, and day-of-week 7 is Sunday as well as 0.
 * "@hourly", "@daily" ("@midnight"), "@weekly", "@monthly", "@yearly"
 * ("@annually") are shorthands.  As in Vixie cron, when both
 * day-of-month and day-of-week are restricted (neither starts with "*"),
 * a day matches if EITHER matches.  All times are UTC.  Pure functions;
 * thread-safe.
 */
#ifndef KILN_CRON_H
#define KILN_CRON_H

struct buf;

struct cron {
	uint64_t minutes;	/* bit m: minute m (0..59) */
	uint32_t hours;		/* bit h: hour h (0..23) */
	uint32_t mdays;		/* bit d: day of month d (1..31) */
	uint16_t months;	/* bit m: month m (1..12) */
	uint8_t wdays;		/* bit w: weekday w (0 = Sunday .. 6) */
	bool mday_star;		/* day-of-month field started with '*' */
	bool wday_star;		/* day-of-week field started with '*' */
};

/*
 * Parse expr into *out.  Returns 0, or -1 with the reason in err (e.g.
 * "hour: 24 is out of range 0-23"); *out is then unspecified.
 */
int cron_parse(const char *expr, struct cron *out, struct buf *err);

/*
 * The first minute (UTC seconds, a multiple of 60) strictly after `after`
 * that matches c.  Returns -1 if none exists within the next 8 years
 * (e.g. "0 0 30 2 *": February 30th never comes).
 */
int64_t cron_next(const struct cron *c, int64_t after);

#endif
