/* SPDX-License-Identifier: ISC */
/*
 * log.h: OpenBSD's log.c API (httpd, smtpd).  One line per event on
 * stderr, plain (`kiln: message`) or JSON (--log-format json), or syslog.
 * errno is preserved.  Thread-safe: each line is one write(2).
 */
#ifndef KILN_LOG_H
#define KILN_LOG_H

#include <stdarg.h>

enum log_format { LOG_PLAIN, LOG_JSON };

/* to_stderr: 1 = stderr, 0 = syslog with facility */
void log_init(int to_stderr, int facility);
void log_procinit(const char *name);
void log_setverbose(int v);
int log_getverbose(void);
void log_setformat(enum log_format f);
/* log.format of kiln.yaml: applies unless log_setformat() was called */
void log_setformat_default(enum log_format f);

/*
 * Structured fields of the calling thread (JSON format only): every line
 * it logs carries them after ts, level, proc and msg until they are
 * dropped, e.g. the build a worker runs and the phase it is in.  Keys
 * are static strings; setting a key again replaces its value; at most
 * LOG_FIELDS_MAX are kept (more are ignored).  Values are scrubbed of
 * secrets like the message.
 */
#define LOG_FIELDS_MAX 12
void log_field_str(const char *key, const char *val);
void log_field_int(const char *key, long long val);
void log_field_del(const char *key);
void log_field_clear(void);

struct buf;
/*
 * A stored log's line (a build's, a unit build's): LINE gets "TIME
 * text\n", TIME the current ISO 8601 time, and the daemon's log gets
 * "WHO: text" (log_info).
 */
void log_stamp(struct buf *line, const char *who, const char *fmt,
    va_list ap);

void log_warn(const char *, ...) PRINTF_LIKE(1, 2);
void log_warnx(const char *, ...) PRINTF_LIKE(1, 2);
void log_info_(const char *, ...) PRINTF_LIKE(1, 2);
void log_debug_(const char *, ...) PRINTF_LIKE(1, 2);
NORETURN void fatal(const char *, ...) PRINTF_LIKE(1, 2);
NORETURN void fatalx(const char *, ...) PRINTF_LIKE(1, 2);

/* level checked first: disabled logs cost nothing */
#define log_info(...)                        \
	do {                                 \
		if (log_getverbose() >= 0)   \
			log_info_(__VA_ARGS__); \
	} while (0)
#define log_debug(...)                        \
	do {                                  \
		if (log_getverbose() >= 1)    \
			log_debug_(__VA_ARGS__); \
	} while (0)

#endif
