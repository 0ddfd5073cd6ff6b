/* SPDX-License-Identifier: ISC */
/*
 * log.c: daemon and CLI logging, after OpenBSD's log.c.  Verbosity:
 * -1 quiet (warnings only), 0 info, 1 debug.
 */
#include "common/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/scrub.h"

static int log_stderr = 1;
static int verbose;
static const char *procname = "kiln";
static enum log_format format = LOG_PLAIN;

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
	format = f;
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
	if (format == LOG_JSON) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		buf_printf(&line, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\","
		    "\"proc\":\"%s\",\"msg\":\"", ts, now.tv_nsec / 1000000,
		    levels[pri & 7], procname);
		buf_add_json_str(&line, msg.buf, msg.len);
		buf_adds(&line, "\"}\n");
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
