/* SPDX-License-Identifier: ISC */
/*
 * notify.c: see notify.h.  The incident record in the store:
 *   {"kind": "failed"|"stalled", "build": ID, "opened": T, "sent": T}
 */
#include "common/compat.h"

#include <curl/curl.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/scrub.h"
#include "common/timeutil.h"
#include "common/webhook.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "notify/notify.h"
#include "store/store.h"
#include "store/store_build.h"

#define INCIDENT_KEY "notify.incident"
#define LOG_TAIL 2000

struct payload {
	const char *data;
	size_t len, off;
};

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct payload *p = arg;
	size_t want = size * n;

	if (want > p->len - p->off)
		want = p->len - p->off;
	memcpy(dst, p->data + p->off, want);
	p->off += want;
	return want;
}

static int
send_email(const struct notify_email *e, const char *subject,
    const char *body, struct buf *err)
{
	struct buf msg = BUF_INIT;
	struct curl_slist *rcpt = NULL;
	struct payload pl;
	char date[64], from[320];
	const char *pw = e->password_env ? getenv(e->password_env) : NULL;
	CURLcode cc;
	CURL *h;
	int rc = 0;

	time_format(time_now(), "%a, %d %b %Y %H:%M:%S +0000", date,
	    sizeof(date));
	buf_printf(&msg, "Date: %s\r\nFrom: %s\r\nTo: ", date, e->from);
	for (size_t i = 0; i < e->nto; i++) {
		buf_printf(&msg, "%s%s", i ? ", " : "", e->to[i]);
		rcpt = curl_slist_append(rcpt, e->to[i]);
	}
	buf_printf(&msg, "\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Message-ID: <kiln.%lld.%ld@localhost>\r\n\r\n", subject,
	    (long long)time_now(), (long)getpid());
	/* bare LFs become CRLF; a leading '.' is doubled by curl */
	for (const char *p = body; *p; p++) {
		if (*p == '\n')
			buf_addch(&msg, '\r');
		buf_addch(&msg, *p);
	}
	buf_adds(&msg, "\r\n");
	pl.data = msg.buf;
	pl.len = msg.len;
	pl.off = 0;
	snprintf(from, sizeof(from), "<%s>", e->from);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, e->smtp);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &pl);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	if (e->starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (e->username) {
		curl_easy_setopt(h, CURLOPT_USERNAME, e->username);
		if (pw)
			curl_easy_setopt(h, CURLOPT_PASSWORD, pw);
	}
	cc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK) {
		/* the URL has no password (conf refuses one); no secret here */
		buf_setf(err, "notify: email: %s", curl_easy_strerror(cc));
		rc = -1;
	}
	curl_slist_free_all(rcpt);
	buf_release(&msg);
	return rc;
}

static int
send_webhook(const struct notify_webhook *w, const char *subject,
    const char *body, struct buf *err)
{
	json_t *j = json_object();
	struct buf why = BUF_INIT;
	const char *secret = w->secret_env ? getenv(w->secret_env) : NULL;
	char *s;
	long http = 0;
	int rc;

	json_object_set_new(j, "text", json_sprintf("*%s*\n%s", subject,
	    body));
	s = json_dumps(j, JSON_COMPACT);
	rc = webhook_post(w->url, s, secret, 1, &http, &why);
	if (rc == -1)
		buf_setf(err, "notify: webhook: %s", why.buf);
	buf_release(&why);
	free(s);
	json_decref(j);
	return rc;
}

int
notify_send(const struct notify_conf *nc, const char *site,
    const char *subject, const char *body, struct buf *err)
{
	struct buf subj = BUF_INIT, text = BUF_INIT;
	int rc = 0;

	/* every report goes out through here: no secret leaves in one */
	buf_printf(&subj, "[kiln] %s: %s", site, subject);
	scrub_buf(&subj);
	buf_adds(&text, body);
	scrub_buf(&text);
	if (nc->email && send_email(nc->email, subj.buf, text.buf, err) == -1)
		rc = -1;
	if (nc->webhook && send_webhook(nc->webhook, subj.buf, text.buf,
	    err) == -1)
		rc = -1;
	scrub_buf(err);
	buf_release(&subj);
	buf_release(&text);
	return rc;
}

static json_t *
incident_get(struct store *st)
{
	struct buf v = BUF_INIT, err = BUF_INIT;
	json_t *j = NULL;

	if (store_state_get(st, INCIDENT_KEY, &v, &err) == 0)
		j = json_loadb(v.buf, v.len, 0, NULL);
	buf_release(&v);
	buf_release(&err);
	return j;
}

static int
incident_set(struct store *st, json_t *j, struct buf *err)
{
	char *s;
	int rc;

	if (!j)
		return store_state_delete(st, INCIDENT_KEY, err);
	s = json_dumps(j, JSON_COMPACT);
	rc = store_state_set(st, INCIDENT_KEY, s, strlen(s), err);
	free(s);
	return rc;
}

int
notify_build_failed(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t build, const char *error, const char *log,
    struct buf *err)
{
	struct buf body = BUF_INIT;
	json_t *inc = incident_get(st);
	size_t n = log ? strlen(log) : 0;
	char subj[128];
	int64_t now = time_now();
	int rc = 0;

	if (!nc->email && !nc->webhook) {
		json_decref(inc);
		return 0;
	}
	/*
	 * One report per incident: a further failure waits for a reminder.
	 * A stall is another kind of incident: the failure that follows
	 * it is news (the stall report said "not finished"), so it is
	 * reported at once and the incident becomes a failure.
	 */
	if (inc && strcmp(json_string_value(json_object_get(inc, "kind")) ?
	    json_string_value(json_object_get(inc, "kind")) : "", "failed")) {
		json_decref(inc);
		inc = NULL;
	}
	if (inc && json_integer_value(json_object_get(inc, "sent")) +
	    nc->remind_every > now) {
		json_decref(inc);
		return 0;
	}
	snprintf(subj, sizeof(subj), "%s: build %lld failed",
	    inc ? "reminder" : "broken", (long long)build);
	buf_printf(&body, "Build %lld failed after its retries.\n\nError: %s"
	    "\n\nThe requests it carried are still pending: the next build "
	    "takes them.\n\nLast lines of the build log:\n%s\n",
	    (long long)build, error ? error : "(none)",
	    n > LOG_TAIL ? log + n - LOG_TAIL : (log ? log : ""));
	if (notify_send(nc, site, subj, body.buf, err) == -1)
		rc = -1;
	if (!inc)
		inc = json_pack("{s:s, s:I, s:I}", "kind", "failed", "build",
		    (json_int_t)build, "opened", (json_int_t)now);
	json_object_set_new(inc, "sent", json_integer(now));
	json_object_set_new(inc, "build", json_integer(build));
	if (rc == 0 && incident_set(st, inc, err) == -1)
		rc = -1;
	json_decref(inc);
	buf_release(&body);
	return rc;
}

int
notify_build_succeeded(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t build, struct buf *err)
{
	json_t *inc = incident_get(st);
	struct buf body = BUF_INIT;
	char subj[128];
	int rc = 0;

	if (!inc)
		return 0;
	snprintf(subj, sizeof(subj), "recovered: build %lld succeeded",
	    (long long)build);
	buf_printf(&body, "Build %lld succeeded; the incident opened by "
	    "build %lld is over.\n", (long long)build,
	    (long long)json_integer_value(json_object_get(inc, "build")));
	if ((nc->email || nc->webhook) && notify_send(nc, site, subj,
	    body.buf, err) == -1)
		rc = -1;
	if (rc == 0 && incident_set(st, NULL, err) == -1)
		rc = -1;
	json_decref(inc);
	buf_release(&body);
	return rc;
}

int
notify_check(const struct notify_conf *nc, const char *site,
    struct store *st, int64_t stalled_default, size_t *reported,
    struct buf *err)
{
	struct build_stalled b;
	int64_t now = time_now(), after = nc->stalled_after ?
	    nc->stalled_after : stalled_default;
	json_t *inc;
	int rc;

	*reported = 0;
	if ((rc = store_build_stalled(st, now, after, &b, err)) != 0)
		return rc == 1 ? 0 : -1;
	inc = incident_get(st);
	if (!inc || json_integer_value(json_object_get(inc, "sent")) +
	    nc->remind_every <= now) {
		struct buf body = BUF_INIT;
		char subj[128];

		snprintf(subj, sizeof(subj), "%s: build %lld stalled",
		    inc ? "reminder" : "stalled", (long long)b.id);
		buf_printf(&body, "Build %lld started %lld s ago on %s and has "
		    "not finished; its last heartbeat was %lld s ago.\n",
		    (long long)b.id, (long long)(now - b.started_at), b.worker,
		    (long long)(now - b.heartbeat_at));
		if ((nc->email || nc->webhook) && notify_send(nc, site, subj,
		    body.buf, err) == -1)
			rc = -1;
		else
			(*reported)++;
		if (!inc)
			inc = json_pack("{s:s, s:I, s:I}", "kind", "stalled",
			    "build", (json_int_t)b.id, "opened",
			    (json_int_t)now);
		json_object_set_new(inc, "sent", json_integer(now));
		if (rc == 0)
			rc = incident_set(st, inc, err);
		buf_release(&body);
	}
	json_decref(inc);
	return rc;
}
