/* SPDX-License-Identifier: ISC */
/*
 * admin.c: the editors' web admin under /admin/ (issue #14): server-side
 * HTML from kiln's own Mustache (src/render/tmpl.h) with templates, CSS
 * and JS embedded from share/admin/ (common/skel.h), every action a plain
 * form (POST, then a 303 to a page that shows the result: no resubmit on
 * reload), so nothing needs JavaScript.
 *
 * Who may do what is the route table (route.c, rows RF_ADMIN): the
 * session cookie stands for a bearer token.  admin_admit() runs when the
 * headers are in, before any body is read: it finds the session, sends a
 * browser without one to the login form (303, ?next= the page it asked
 * for), refuses a role too low (403) and caps the body.  admin_dispatch()
 * checks the CSRF token of every POST (403 without it), then runs the
 * handler; writes take the daemon's write lock like the API's and are in
 * the audit log under the user's name.  The security rules themselves
 * are in admin_auth.c (decisions 0120-0122).
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <microhttpd.h>
#include <sys/socket.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/linediff.h"
#include "common/log.h"
#include "common/passwd.h"
#include "common/path.h"
#include "common/skel.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "notify/notify.h"
#include "http/admin.h"
#include "http/admin_auth.h"
#include "http/admin_int.h"
#include "http/http_int.h"
#include "http/route.h"
#include "queue/queue.h"
#include "render/tmpl.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_user.h"

/* ---- embedded files ---- */

static const struct skel_file *
embedded(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);

	for (const struct skel_file *f = skel_files; f->name; f++)
		if (!strncmp(f->name, prefix, n) && !strcmp(f->name + n, name))
			return f;
	return NULL;
}

static int
load_template(void *arg, const char *name, struct buf *src, struct buf *err)
{
	char file[128];
	const struct skel_file *f;

	(void)arg;
	(void)err;
	snprintf(file, sizeof(file), "%s.mustache", name);
	if (!(f = embedded("admin/templates/", file)))
		return 1;
	buf_add(src, f->data, f->len);
	return 0;
}

int
admin_start(struct http *h, struct buf *err)
{
	static const char *const names[] = { "layout", "login", "logout",
		"error", "pages", "page_edit", "page_delete", "revisions",
		"revision", "compare", "builds", "build", "build_rollback",
		"audit", "media" };
	struct admin *a = xcalloc(1, sizeof(*a));

	a->tmpl = tmpl_set_new(load_template, NULL);
	admin_rl_init(&a->rl);
	h->admin = a;
	/* parse every template now: a broken one fails the start */
	for (size_t i = 0; i < NELEM(names); i++)
		if (!tmpl_set_get(a->tmpl, names[i], err)) {
			if (!err->len)
				buf_setf(err, "admin: no template '%s'",
				    names[i]);
			return -1;
		}
	passwd_dummy_hash();
	return 0;
}

void
admin_stop(struct http *h)
{
	if (!h->admin)
		return;
	tmpl_set_free(h->admin->tmpl);
	admin_rl_destroy(&h->admin->rl);
	free(h->admin);
	h->admin = NULL;
}

bool
admin_url(const char *url)
{
	return !strncmp(url, "/admin", 6) && (url[6] == '\0' || url[6] == '/');
}

/* ---- replies ---- */

enum MHD_Result
admin_send(struct MHD_Connection *conn, const char *url, const struct reply *rp,
    const char *type, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	char n[32];

	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	admin_security_headers(r, url);
	if (rp->location)
		MHD_add_response_header(r, "Location", rp->location);
	for (size_t i = 0; i < NELEM(rp->cookies); i++)
		if (rp->cookies[i])
			MHD_add_response_header(r, "Set-Cookie",
			    rp->cookies[i]);
	if (rp->retry_after > 0) {
		snprintf(n, sizeof(n), "%lld", (long long)rp->retry_after);
		MHD_add_response_header(r, "Retry-After", n);
	}
	ret = MHD_queue_response(conn, rp->status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
admin_redirect(struct MHD_Connection *conn, const char *url, const char *to,
    const char *cookie)
{
	struct reply rp = { 303, to, { cookie, NULL, NULL }, 0 };

	return admin_send(conn, url, &rp, "text/plain; charset=utf-8",
	    "see other\n", 10);
}

/* is this connection TLS, or does the config say the client uses TLS? */
static bool
secure(struct http *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	if (h->c->serve.secure_cookies)
		return true;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
	return ci != NULL && ci->protocol != 0;
}

/* a Set-Cookie value (malloc'd); MAXAGE < 0: delete it */
char *
admin_cookie(struct http *h, struct MHD_Connection *conn, const char *name,
    const char *value, int64_t maxage)
{
	return xasprintf("%s=%s; Path=/admin; HttpOnly; SameSite=Strict; "
	    "Max-Age=%lld%s", name, maxage < 0 ? "" : value,
	    (long long)(maxage < 0 ? 0 : maxage), secure(h, conn) ?
	    "; Secure" : "");
}

static const struct {
	const char *code, *kind, *text;
} flashes[] = {
	{ "saved", "ok", "Draft saved." },
	{ "created", "ok", "Page created as a draft." },
	{ "published", "ok", "Published: the site is being rebuilt." },
	{ "unpublished", "ok", "Unpublished: the page leaves the site at the "
	    "next build." },
	{ "scheduled", "ok", "Scheduled." },
	{ "deleted", "ok", "Page deleted." },
	{ "reverted", "ok", "Reverted: a new draft revision has the old "
	    "content." },
	{ "retried", "ok", "A new build was requested." },
	{ "submitted", "ok", "Submitted for review: a publisher will approve "
	    "or reject it." },
	{ "approved", "ok", "Approved and published." },
	{ "approved_scheduled", "ok", "Approved: it goes live at its go-live "
	    "time." },
	{ "rejected", "ok", "Rejected: the editor sees your comment." },
	{ "cancelled", "ok", "The build was cancelled." },
	{ "rollback", "ok", "Rollback requested: the worker deploys that "
	    "build's files again." },
	{ "uploaded", "ok", "Uploaded: the file is in the media library." },
	{ "inserted", "ok", "Inserted: the file's Markdown is at the end of "
	    "the draft (a new revision)." },
	{ "media_deleted", "ok", "Media file deleted: it leaves the site at "
	    "the next build." },
	{ "loggedout", "ok", "You have logged out." },
	{ "expired", "error", "Your session has ended: log in again." },
};

/* the common context: title, me {name, role}, csrf, flash */
json_t *
admin_context(struct MHD_Connection *conn, const struct req *rq,
    const char *title)
{
	json_t *ctx = json_object();
	const char *ck = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Cookie");
	char code[32], csrf[65];

	json_object_set_new(ctx, "title", jsafe_string(title));
	if (rq->role > ROLE_ANON) {
		json_object_set_new(ctx, "me", json_pack("{s:o, s:s}", "name",
		    jsafe_string(rq->actor), "role", role_name(rq->role)));
		admin_csrf_of(rq->sid, csrf);
		json_object_set_new(ctx, "csrf", json_string(csrf));
		if (rq->role >= ROLE_PUBLISHER)
			json_object_set_new(ctx, "publisher", json_true());
	}
	if (ck && admin_cookie_get(ck, ADMIN_FLASH_COOKIE, code,
	    sizeof(code)))
		for (size_t i = 0; i < NELEM(flashes); i++)
			if (!strcmp(code, flashes[i].code))
				json_object_set_new(ctx, "flash", json_pack(
				    "{s:s, s:s}", "kind", flashes[i].kind,
				    "text", flashes[i].text));
	return ctx;
}

/* render template NAME with CTX (consumed) and send it */
enum MHD_Result
admin_page(struct http *h, struct MHD_Connection *conn, const char *url,
    unsigned status, const char *name, json_t *ctx, const char *set_cookie)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct reply rp = { status, NULL, { set_cookie, NULL, NULL }, 0 };
	char *clear = NULL;
	enum MHD_Result r;

	/* a flash is shown once */
	if (json_object_get(ctx, "flash"))
		rp.cookies[1] = clear = admin_cookie(h, conn, ADMIN_FLASH_COOKIE, "",
		    -1);
	if (tmpl_set_render(h->admin->tmpl, name, ctx, &out, &err) == -1) {
		log_warnx("admin: %s", err.buf);
		rp.status = 500;
		r = admin_send(conn, url, &rp, "text/plain; charset=utf-8",
		    "internal error\n", 15);
	} else
		r = admin_send(conn, url, &rp, "text/html; charset=utf-8",
		    out.buf, out.len);
	json_decref(ctx);
	buf_release(&out);
	buf_release(&err);
	free(clear);
	return r;
}

enum MHD_Result
admin_error(struct http *h, struct MHD_Connection *conn, const char *url,
    const struct req *rq, unsigned status, const char *heading,
    const char *message)
{
	json_t *ctx = admin_context(conn, rq, heading);

	json_object_set_new(ctx, "heading", jsafe_string(heading));
	json_object_set_new(ctx, "message", jsafe_string(message));
	json_object_set_new(ctx, "back", json_string("/admin/"));
	return admin_page(h, conn, url, status, "error", ctx, NULL);
}

/* 303 to URL with flash CODE */
enum MHD_Result
admin_done(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *to, const char *code)
{
	char *c = admin_cookie(h, conn, ADMIN_FLASH_COOKIE, code, 60);
	enum MHD_Result r = admin_redirect(conn, url, to, c);

	free(c);
	return r;
}

/* ---- admission: before the body ---- */

void
admin_query_escape(const char *s, struct buf *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c))
			buf_addch(out, c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

static enum MHD_Result
to_login(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct buf to = BUF_INIT;
	enum MHD_Result r;

	buf_adds(&to, "/admin/login");
	if (!strcmp(method, "GET") && admin_next_ok(url) &&
	    strcmp(url, "/admin/")) {
		buf_adds(&to, "?next=");
		admin_query_escape(url, &to);
	}
	r = admin_redirect(conn, url, to.buf, NULL);
	buf_release(&to);
	return r;
}

/* the session of the request's cookie: 0 (rq filled or anonymous), -1 */
static int
find_session(struct http *h, struct MHD_Connection *conn, struct req *rq)
{
	const char *ck = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Cookie");
	struct buf err = BUF_INIT;
	struct user_info u;
	char sid[ADMIN_SID_HEX + 2], key[65];
	int r;

	rq->role = ROLE_ANON;
	if (!ck || !admin_cookie_get(ck, ADMIN_COOKIE, sid, sizeof(sid)) ||
	    strlen(sid) != ADMIN_SID_HEX || !hex_valid(sid, ADMIN_SID_HEX))
		return 0;
	if (!rq->st && !(rq->st = http_pool_get(h, &err))) {
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return -1;
	}
	admin_sid_hash(sid, key);
	r = store_session_check(rq->st, key, time_now(),
	    h->c->serve.session_idle, h->c->serve.session_max, &u, &err);
	if (r == -1)
		log_warnx("admin: %s", err.buf);
	buf_release(&err);
	store_err_clear(rq->st);
	if (r != 0)
		return r == -1 ? -1 : 0;
	rq->role = role_parse(u.role);
	if (rq->role == ROLE_ANON)
		return 0;
	snprintf(rq->actor, sizeof(rq->actor), "%s", u.name);
	memcpy(rq->sid, sid, ADMIN_SID_HEX + 1);
	explicit_bzero(sid, sizeof(sid));
	return 0;
}

unsigned
admin_session_or_login(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *method, struct req *rq)
{
	if (find_session(h, conn, rq) == -1) {
		rq->early = admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The store cannot be reached now; try again shortly.");
		return 1;
	}
	if (rq->role == ROLE_ANON) {
		rq->early = to_login(conn, url, method);
		return 1;
	}
	return 0;
}

unsigned
admin_admit(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *method, struct req *rq)
{
	int st;

	if (find_session(h, conn, rq) == -1) {
		rq->early = admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The store cannot be reached now; try again shortly.");
		return 1;
	}
	st = route_find(method, url, &rq->m);
	if (st != 0) {
		/* without a session, every admin URL leads to the login */
		if (rq->role == ROLE_ANON)
			rq->early = to_login(conn, url, method);
		else
			rq->early = admin_error(h, conn, url, rq, (unsigned)st,
			    st == 404 ? "Not found" : "Not allowed",
			    st == 404 ? "There is no such admin page." :
			    "This address does not take that method.");
		return 1;
	}
	if (rq->role < route_need(rq->m.r, false)) {
		if (rq->role == ROLE_ANON)
			rq->early = to_login(conn, url, method);
		else
			rq->early = admin_error(h, conn, url, rq, 403,
			    "Not allowed", "Your role may not do that: ask a "
			    "publisher.");
		return 1;
	}
	if (rq->m.r->id == RT_ADMIN_MEDIA_UPLOAD)
		return admin_media_admit(h, conn, url, rq);
	if (http_body_admit(h, conn, rq) == -1) {
		rq->early = admin_error(h, conn, url, rq, 413, "Too large",
		    "The form is larger than this server accepts.");
		return 1;
	}
	return 0;
}

/* ---- login and logout ---- */

const char *
admin_arg(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
admin_field(json_t *form, const char *name)
{
	const char *s = json_string_value(json_object_get(form, name));

	return s ? s : "";
}

static void
client_addr(struct MHD_Connection *conn, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, outsz, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, out, (socklen_t)outsz);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, out, (socklen_t)outsz);
}

static enum MHD_Result
login_form(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, unsigned status, const char *username, const char *next,
    const char *error, int64_t retry)
{
	char token[ADMIN_SID_HEX + 1];
	char *ck;
	json_t *ctx;
	enum MHD_Result r;
	struct reply rp = { 500, NULL, { NULL }, 0 };

	/* the login form's CSRF token: a random value in a cookie and in
	   the form (double submit), since there is no session yet */
	if (admin_sid_new(token) == -1)
		return admin_send(conn, url, &rp, "text/plain", "no random "
		    "bytes\n", 16);
	ctx = admin_context(conn, rq, "Log in");
	json_object_del(ctx, "me");
	json_object_set_new(ctx, "login_csrf", json_string(token));
	json_object_set_new(ctx, "username", jsafe_string(username));
	if (next && admin_next_ok(next))
		json_object_set_new(ctx, "next", jsafe_string(next));
	if (error)
		json_object_set_new(ctx, "error", jsafe_string(error));
	ck = admin_cookie(h, conn, ADMIN_LOGIN_COOKIE, token, 3600);
	if (retry > 0) {
		/* admin_page() cannot add Retry-After: render here */
		struct buf out = BUF_INIT, err = BUF_INIT;
		struct reply rr = { status, NULL, { ck, NULL, NULL }, retry };
		if (tmpl_set_render(h->admin->tmpl, "login", ctx, &out,
		    &err) == -1)
			log_warnx("admin: %s", err.buf);
		r = admin_send(conn, url, &rr, "text/html; charset=utf-8",
		    out.buf ? out.buf : "", out.len);
		buf_release(&out);
		buf_release(&err);
		json_decref(ctx);
	} else
		r = admin_page(h, conn, url, status, "login", ctx, ck);
	free(ck);
	return r;
}

/* a new session for user U (the browser's old one ends), 303 to NEXT */
static enum MHD_Result
login_session(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, const struct user_info *u, const char *addr,
    const char *next)
{
	char sid[ADMIN_SID_HEX + 1], key[65];
	struct buf err = BUF_INIT;
	enum MHD_Result r;
	char *c;

	pthread_mutex_lock(&h->wmu);
	/* rotation: the session the browser had (if any) ends */
	if (*rq->sid) {
		admin_sid_hash(rq->sid, key);
		(void)store_session_delete(rq->st, key, &err);
	}
	if (admin_sid_new(sid) == -1) {
		pthread_mutex_unlock(&h->wmu);
		buf_release(&err);
		return admin_error(h, conn, url, rq, 500, "Error",
		    "No random bytes for a session.");
	}
	admin_sid_hash(sid, key);
	if (store_session_create(rq->st, u->id, key, &err) == -1 ||
	    store_audit(rq->st, u->name, "admin.login", NULL, addr,
	    &err) == -1) {
		pthread_mutex_unlock(&h->wmu);
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		explicit_bzero(sid, sizeof(sid));
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The session cannot be stored now; try again shortly.");
	}
	pthread_mutex_unlock(&h->wmu);
	buf_release(&err);
	c = admin_cookie(h, conn, ADMIN_COOKIE, sid, h->c->serve.session_max);
	explicit_bzero(sid, sizeof(sid));
	{
		char *clear = admin_cookie(h, conn, ADMIN_LOGIN_COOKIE, "", -1);
		struct reply rp = { 303, admin_next_ok(next) ? next :
		    "/admin/", { c, clear, NULL }, 0 };
		r = admin_send(conn, url, &rp, "text/plain; charset=utf-8",
		    "see other\n", 10);
		free(clear);
	}
	free(c);
	return r;
}

static enum MHD_Result
login(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	const char *ck = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Cookie");
	const char *name = admin_field(form, "username");
	const char *pw = admin_field(form, "password");
	const char *next = admin_field(form, "next");
	char token[ADMIN_SID_HEX + 2], addr[INET6_ADDRSTRLEN + 8];
	char akey[96], ukey[96];
	struct buf err = BUF_INIT;
	struct user_info u;
	int64_t now = time_now(), wait, w2;
	bool ok = false;

	if (!ck || !admin_cookie_get(ck, ADMIN_LOGIN_COOKIE, token,
	    sizeof(token)) || strlen(token) != ADMIN_SID_HEX ||
	    !str_ct_equal(token, admin_field(form, "csrf")))
		return admin_error(h, conn, url, rq, 403, "Form expired",
		    "This login form was not sent by this site or has "
		    "expired: open the login page again.");
	if (strlen(name) > USER_NAME_MAX)
		name = "";
	client_addr(conn, addr, sizeof(addr));
	snprintf(akey, sizeof(akey), "addr:%s", addr);
	snprintf(ukey, sizeof(ukey), "user:%s", name);
	wait = admin_rl_wait(&h->admin->rl, akey, now);
	w2 = admin_rl_wait(&h->admin->rl, ukey, now);
	if (w2 > wait)
		wait = w2;
	if (wait > 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "Too many failed logins: try again "
		    "in %lld minutes.", (long long)(wait + 59) / 60);
		return login_form(h, conn, url, rq, 429, name, next, msg,
		    wait);
	}
	/* the same work whether or not the account exists */
	if (*name && store_user_get(rq->st, name, &u, &err) == 0 &&
	    !u.disabled)
		ok = passwd_verify(u.hash, pw, strlen(pw)) == 0;
	else {
		(void)passwd_verify(passwd_dummy_hash(), pw, strlen(pw));
		memset(&u, 0, sizeof(u));
	}
	explicit_bzero(u.hash, sizeof(u.hash));
	buf_reset(&err);
	store_err_clear(rq->st);
	if (!ok) {
		admin_rl_fail(&h->admin->rl, akey, now);
		admin_rl_fail(&h->admin->rl, ukey, now);
		pthread_mutex_lock(&h->wmu);
		(void)store_audit(rq->st, *name ? name : "-",
		    "admin.login_failed", NULL, addr, &err);
		pthread_mutex_unlock(&h->wmu);
		buf_release(&err);
		return login_form(h, conn, url, rq, 401, name, next,
		    "Wrong user name or password.", 0);
	}
	admin_rl_clear(&h->admin->rl, ukey);
	admin_rl_clear(&h->admin->rl, akey);
	return login_session(h, conn, url, rq, &u, addr, next);
}

static enum MHD_Result
logout(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	char key[65], *c, *f;
	enum MHD_Result r;

	admin_sid_hash(rq->sid, key);
	pthread_mutex_lock(&h->wmu);
	if (store_session_delete(rq->st, key, &err) == -1)
		log_warnx("admin: %s", err.buf);
	(void)store_audit(rq->st, rq->actor, "admin.logout", NULL, NULL,
	    &err);
	pthread_mutex_unlock(&h->wmu);
	buf_release(&err);
	c = admin_cookie(h, conn, ADMIN_COOKIE, "", -1);
	f = admin_cookie(h, conn, ADMIN_FLASH_COOKIE, "loggedout", 60);
	{
		struct reply rp = { 303, "/admin/login", { c, f, NULL }, 0 };
		r = admin_send(conn, url, &rp, "text/plain; charset=utf-8",
		    "see other\n", 10);
	}
	free(c);
	free(f);
	return r;
}

/* ---- small helpers ---- */

const char *
admin_str_or(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : dflt;
}

json_t *
admin_query_value(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *v;

	admin_query_escape(s, &b);
	v = jsafe_string(b.buf ? b.buf : "");
	buf_release(&b);
	return v;
}

/* an <input type=date|datetime-local> value as a time; "" is 0 */
int
admin_form_time(const char *s, int64_t *t)
{
	*t = 0;
	return *s ? time_parse_iso8601(s, t) : 0;
}

/* mail (or post) a review step through the notify settings, if any */
void
admin_tell(struct http *h, const char *subject, const char *body)
{
	struct buf err = BUF_INIT;

	if ((h->c->notify.email || h->c->notify.webhook) &&
	    notify_send(&h->c->notify, h->c->site.title, subject, body,
	    &err) == -1)
		log_warnx("admin: review notice: %s", err.buf);
	buf_release(&err);
}

void
admin_human_time(int64_t t, char *iso, size_t isosz, char *human,
    size_t humansz)
{
	time_format_iso8601(t, iso, isosz);
	time_format(t, "%Y-%m-%d %H:%M UTC", human, humansz);
}

enum MHD_Result
admin_finish(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, int rc, const struct buf *err, const char *heading,
    const char *to, const char *code)
{
	queue_wake();
	if (rc != 0)
		return admin_error(h, conn, url, rq, rc == 1 ? 409 :
		    http_kind_status(store_err_kind(rq->st)), heading,
		    err->buf ? err->buf : "");
	return admin_done(h, conn, url, to, code);
}

/* ---- static files ---- */

static enum MHD_Result
static_file(struct MHD_Connection *conn, const char *url, struct req *rq)
{
	const struct skel_file *f = NULL;
	struct reply rp = { 200, NULL, { NULL }, 0 };
	const char *type = "application/octet-stream";
	const char *dot;

	if (!strchr(rq->m.path, '/') && rq->m.path[0] != '.')
		f = embedded("admin/static/", rq->m.path);
	if (!f) {
		rp.status = 404;
		return admin_send(conn, url, &rp, "text/plain", "not found\n",
		    10);
	}
	if ((dot = strrchr(rq->m.path, '.')) && !strcmp(dot, ".css"))
		type = "text/css; charset=utf-8";
	else if (dot && !strcmp(dot, ".js"))
		type = "text/javascript; charset=utf-8";
	return admin_send(conn, url, &rp, type, (const char *)f->data, f->len);
}

/* ---- dispatch ---- */

/* the form of a POST, its CSRF token checked; NULL with *R queued */
static json_t *
post_form(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, enum MHD_Result *r)
{
	const char *hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-CSRF-Token");
	json_t *form;

	if (!(form = admin_form_parse(rq->body.buf ? rq->body.buf : "",
	    rq->body.len))) {
		*r = admin_error(h, conn, url, rq, 400, "Bad request",
		    "The form could not be read.");
		return NULL;
	}
	/* the login form checks its own token (no session yet) */
	if (rq->m.r->id != RT_ADMIN_LOGIN && !admin_csrf_ok(rq->sid,
	    hdr ? hdr : admin_field(form, "csrf"))) {
		json_decref(form);
		*r = admin_error(h, conn, url, rq, 403, "Form expired",
		    "This form was not sent by this site or is from an "
		    "earlier session: reload the page and try again.");
		return NULL;
	}
	return form;
}

/* the handler of the route (FORM: the POST's, or NULL) */
static enum MHD_Result
screen(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	switch (rq->m.r->id) {
	case RT_ADMIN_LOGIN:
		if (form)
			return login(h, conn, url, rq, form);
		if (rq->role > ROLE_ANON)
			return admin_redirect(conn, url, "/admin/", NULL);
		return login_form(h, conn, url, rq, 200, "", admin_arg(conn,
		    "next"), NULL, 0);
	case RT_ADMIN_LOGOUT:
		if (form)
			return logout(h, conn, url, rq);
		return admin_page(h, conn, url, 200, "logout",
		    admin_context(conn, rq, "Log out"), NULL);
	case RT_ADMIN_PAGES:
		return admin_pages(h, conn, url, rq);
	case RT_ADMIN_PAGE_NEW:
		return admin_page_new(h, conn, url, rq, form);
	case RT_ADMIN_PAGE_EDIT:
		return admin_page_edit(h, conn, url, rq, form);
	case RT_ADMIN_PAGE_DELETE:
		return admin_page_delete(h, conn, url, rq, form);
	case RT_ADMIN_REVISIONS:
		return admin_revisions(h, conn, url, rq);
	case RT_ADMIN_REVISION:
		return admin_revision(h, conn, url, rq);
	case RT_ADMIN_COMPARE:
		return admin_compare(h, conn, url, rq);
	case RT_ADMIN_REVERT:
		return admin_revert(h, conn, url, rq);
	case RT_ADMIN_BUILDS:
		return admin_builds(h, conn, url, rq);
	case RT_ADMIN_BUILD:
	case RT_ADMIN_BUILD_STATUS:
		return admin_build(h, conn, url, rq);
	case RT_ADMIN_BUILD_ROLLBACK:
		return form ? admin_build_action(h, conn, url, rq) :
		    admin_rollback_confirm(h, conn, url, rq);
	case RT_ADMIN_BUILD_RETRY:
	case RT_ADMIN_BUILD_CANCEL:
		return admin_build_action(h, conn, url, rq);
	case RT_ADMIN_AUDIT:
		return admin_audit(h, conn, url, rq);
	case RT_ADMIN_REVIEW_APPROVE:
	case RT_ADMIN_REVIEW_REJECT:
		return admin_review_decide(h, conn, url, rq, form);
	case RT_ADMIN_MEDIA:
		return admin_media(h, conn, url, rq);
	case RT_ADMIN_MEDIA_INSERT:
		return admin_media_insert(h, conn, url, rq, form);
	case RT_ADMIN_MEDIA_DELETE:
		return admin_media_delete(h, conn, url, rq, form);
	default:
		return admin_error(h, conn, url, rq, 404, "Not found",
		    "There is no such admin page.");
	}
}

enum MHD_Result
admin_dispatch(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *method, struct req *rq)
{
	struct buf err = BUF_INIT;
	json_t *form = NULL;
	enum MHD_Result r;

	switch (rq->m.r->id) {
	case RT_ADMIN_ROOT:
		return admin_redirect(conn, url, "/admin/", NULL);
	case RT_ADMIN_STATIC:
		return static_file(conn, url, rq);
	default:
		break;
	}
	if (!rq->st && !(rq->st = http_pool_get(h, &err))) {
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The store cannot be opened now.");
	}
	store_err_clear(rq->st);
	if (rq->upload)
		return admin_media_upload(h, conn, url, rq);
	if (!strcmp(method, "POST") && !(form = post_form(h, conn, url, rq,
	    &r)))
		return r;
	r = screen(h, conn, url, rq, form);
	json_decref(form);
	return r;
}
