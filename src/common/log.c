/* SPDX-License-Identifier: ISC */
/*
 * log.c: daemon and CLI logging, after OpenBSD's log.c.  Verbosity:
 * -1 quiet (warnings only), 0 info, 1 debug.
 */
#include "common/compat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/scrub.h"
#include "common/timeutil.h"

static int log_stderr = 1;
static int verbose;
static const char *procname = "kiln";
/* atomic: a SIGHUP reload sets it while other threads log */
static atomic_int format = LOG_PLAIN;
static atomic_int format_set;	/* by --log-format: kiln.yaml does not override */

struct log_field {
	const char *key;
	char val[256];
	int is_int;
};
static _Thread_local struct log_field fields[LOG_FIELDS_MAX];
static _Thread_local size_t nfields;

void
log_init(int to_stderr, int facility)
{
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog("kiln", LOG_PID | LOG_NDELAY, facility);
}

void
log_procinit(const char *name)
{
	if (name)
		procname = name;
}

void
log_setverbose(int v)
{
	verbose = v;
}

int
log_getverbose(void)
{
	return verbose;
}

void
log_setformat(enum log_format f)
{
	atomic_store(&format, f);
	atomic_store(&format_set, 1);
}

void
log_setformat_default(enum log_format f)
{
	if (!atomic_load(&format_set))
		atomic_store(&format, f);
}

static struct log_field *
field_slot(const char *key)
{
	for (size_t i = 0; i < nfields; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	if (nfields == LOG_FIELDS_MAX)
		return NULL;
	fields[nfields].key = key;
	return &fields[nfields++];
}

void
log_field_str(const char *key, const char *val)
{
	struct log_field *f = field_slot(key);

	if (!f)
		return;
	strlcpy(f->val, val ? val : "", sizeof(f->val));
	f->is_int = 0;
}

void
log_field_int(const char *key, long long val)
{
	struct log_field *f = field_slot(key);

	if (!f)
		return;
	snprintf(f->val, sizeof(f->val), "%lld", val);
	f->is_int = 1;
}

void
log_field_del(const char *key)
{
	for (size_t i = 0; i < nfields; i++) {
		if (strcmp(fields[i].key, key) != 0)
			continue;
		memmove(&fields[i], &fields[i + 1],
		    (nfields - i - 1) * sizeof(fields[0]));
		nfields--;
		return;
	}
}

void
log_field_clear(void)
{
	nfields = 0;
}

static void vlog(int, const char *, va_list, const char *) PRINTF_LIKE(2, 0);

static void
vlog(int pri, const char *fmt, va_list ap, const char *errstr)
{
	struct buf line = BUF_INIT, msg = BUF_INIT;
	static const char *levels[] = { "emerg", "alert", "crit", "error",
		"warning", "notice", "info", "debug" };
	char ts[32];
	struct timespec now;
	struct tm tm;

	buf_vprintf(&msg, fmt, ap);
	if (errstr) {
		buf_adds(&msg, ": ");
		buf_adds(&msg, errstr);
	}
	/* no secret reaches a log (scrub.h) */
	scrub_buf(&msg);
	if (!log_stderr) {
		syslog(pri, "%s", msg.buf);
		buf_release(&msg);
		return;
	}
	if (atomic_load(&format) == LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		buf_printf(&line, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\","
		    "\"proc\":\"%s\",\"msg\":\"", ts, now.tv_nsec / 1000000,
		    levels[pri & 7], procname);
		buf_add_json_str(&line, msg.buf, msg.len);
		buf_addch(&line, '"');
		for (size_t i = 0; i < nfields; i++) {
			struct buf v = BUF_INIT;

			buf_adds(&v, fields[i].val);
			scrub_buf(&v);
			buf_printf(&line, ",\"%s\":", fields[i].key);
			if (fields[i].is_int)
				buf_add(&line, v.buf, v.len);
			else {
				buf_addch(&line, '"');
				buf_add_json_str(&line, v.buf, v.len);
				buf_addch(&line, '"');
			}
			buf_release(&v);
		}
		buf_adds(&line, "}\n");
	} else {
		buf_printf(&line, "%s: %s\n", procname, msg.buf);
	}
	if (write(STDERR_FILENO, line.buf, line.len) == -1) {
		/* nowhere left to report it */
	}
	buf_release(&line);
	buf_release(&msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
	errno = saved;
}

void
log_info_(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
	errno = saved;
}

void
log_debug_(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
log_stamp(struct buf *line, const char *who, const char *fmt, va_list ap)
{
	char ts[32];
	size_t at;

	time_format_iso8601(time_now(), ts, sizeof(ts));
	buf_printf(line, "%s ", ts);
	at = line->len;
	buf_vprintf(line, fmt, ap);
	log_info("%s: %s", who, line->buf + at);
	buf_addch(line, '\n');
}
