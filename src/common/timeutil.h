/* SPDX-License-Identifier: ISC */
/*
 * timeutil.h: wall-clock times as int64 seconds since the epoch (UTC),
 * ISO 8601 in and out, durations ("30m", "1h", "7d"), and a monotonic
 * clock for timers (STYLE H29).  Thread-safe.
 */
#ifndef KILN_TIMEUTIL_H
#define KILN_TIMEUTIL_H

/*
 * Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z",
 * "+HH:MM", "-HH:MM" or nothing (UTC).  A space may stand for 'T'.
 * Returns 0, or -1 if s is not such a time.
 */
int time_parse_iso8601(const char *s, int64_t *out);
/* "2026-11-24T14:50:55Z"; out: at least 21 bytes */
void time_format_iso8601(int64_t t, char *out, size_t outsz);
/* strftime in UTC, e.g. "%e %B %Y" for the human form */
void time_format(int64_t t, const char *fmt, char *out, size_t outsz);
/* the UTC calendar fields of T */
struct time_utc {
	int64_t year;
	int mon, mday, hour, min, sec;	/* mon 1-12, mday 1-31 */
};
/*
 * What gmtime_r gives for T, by arithmetic alone: gmtime_r takes the
 * time zone lock for every call, and a sitemap formats a date per URL.
 */
void time_utc(int64_t t, struct time_utc *u);
/* "YYYY-MM-DD" of T, as time_format's "%Y-%m-%d"; out: 16 bytes */
void time_format_ymd(int64_t t, char out[16]);
/* "90s", "30m", "1h", "7d", "1h30m" or a plain number of seconds */
int duration_parse(const char *s, int64_t *secs);
/* wall clock, seconds; KILN_NOW (ISO 8601) overrides it for tests */
int64_t time_now(void);
/* monotonic milliseconds */
int64_t mono_ms(void);

#endif
