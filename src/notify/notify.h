/* SPDX-License-Identifier: ISC */
/*
 * notify.h: reports of broken and stalled builds, by email (SMTP through
 * libcurl, STARTTLS and auth supported) and by webhook (Slack-compatible
 * JSON), to the recipients of kiln.yaml's notify section.
 *
 * One report per incident, a reminder every notify.remind_every while it
 * lasts, and a "recovered" message when a later build succeeds.  The open
 * incident is kept in the store (state "notify.incident"), so the CLI and
 * the daemon agree.  Messages carry the build id, the error and the log
 * tail; the SMTP password is read from password_env and never printed.
 */
#ifndef KILN_NOTIFY_H
#define KILN_NOTIFY_H

struct buf;
struct notify_conf;
struct store;

/* send one message to every configured channel; -1 with err */
int notify_send(const struct notify_conf *nc, const char *site,
    const char *subject, const char *body, struct buf *err);
/* a build failed after its last attempt */
int notify_build_failed(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t build, const char *error, const char *log,
    struct buf *err);
/* a build succeeded: closes an open incident with a "recovered" message */
int notify_build_succeeded(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t build, struct buf *err);
/*
 * Check for stalled builds (running past stalled_after by start time, or
 * a missed heartbeat) and send due reminders.  *reported counts messages.
 */
int notify_check(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t stalled_after_default, size_t *reported,
    struct buf *err);

#endif
