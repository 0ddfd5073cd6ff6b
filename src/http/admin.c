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
#include "http/http_int.h"
#include "http/route.h"
#include "queue/queue.h"
#include "render/tmpl.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_user.h"

#define PAGE_SIZE	50	/* rows of the page tree */

struct admin {
	struct tmpl_set *tmpl;
	struct admin_rl rl;
};

static const char *str_or(json_t *o, const char *k, const char *dflt);

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
		"revision", "compare", "builds", "build", "build_rollback", "audit" };
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

struct reply {
	unsigned status;
	const char *location;		/* 303 */
	const char *cookies[3];		/* Set-Cookie values */
	int64_t retry_after;		/* 429 */
};

static enum MHD_Result
send_reply(struct MHD_Connection *conn, const char *url, const struct reply *rp,
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

static enum MHD_Result
redirect(struct MHD_Connection *conn, const char *url, const char *to,
    const char *cookie)
{
	struct reply rp = { 303, to, { cookie, NULL, NULL }, 0 };

	return send_reply(conn, url, &rp, "text/plain; charset=utf-8",
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
static char *
cookie(struct http *h, struct MHD_Connection *conn, const char *name,
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
	{ "loggedout", "ok", "You have logged out." },
	{ "expired", "error", "Your session has ended: log in again." },
};

/* the common context: title, me {name, role}, csrf, flash */
static json_t *
context(struct MHD_Connection *conn, const struct req *rq, const char *title)
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
static enum MHD_Result
page(struct http *h, struct MHD_Connection *conn, const char *url,
    unsigned status, const char *name, json_t *ctx, const char *set_cookie)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct reply rp = { status, NULL, { set_cookie, NULL, NULL }, 0 };
	char *clear = NULL;
	enum MHD_Result r;

	/* a flash is shown once */
	if (json_object_get(ctx, "flash"))
		rp.cookies[1] = clear = cookie(h, conn, ADMIN_FLASH_COOKIE, "",
		    -1);
	if (tmpl_set_render(h->admin->tmpl, name, ctx, &out, &err) == -1) {
		log_warnx("admin: %s", err.buf);
		rp.status = 500;
		r = send_reply(conn, url, &rp, "text/plain; charset=utf-8",
		    "internal error\n", 15);
	} else
		r = send_reply(conn, url, &rp, "text/html; charset=utf-8",
		    out.buf, out.len);
	json_decref(ctx);
	buf_release(&out);
	buf_release(&err);
	free(clear);
	return r;
}

static enum MHD_Result
error_page(struct http *h, struct MHD_Connection *conn, const char *url,
    const struct req *rq, unsigned status, const char *heading,
    const char *message)
{
	json_t *ctx = context(conn, rq, heading);

	json_object_set_new(ctx, "heading", jsafe_string(heading));
	json_object_set_new(ctx, "message", jsafe_string(message));
	json_object_set_new(ctx, "back", json_string("/admin/"));
	return page(h, conn, url, status, "error", ctx, NULL);
}

/* 303 to URL with flash CODE */
static enum MHD_Result
done(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *to, const char *code)
{
	char *c = cookie(h, conn, ADMIN_FLASH_COOKIE, code, 60);
	enum MHD_Result r = redirect(conn, url, to, c);

	free(c);
	return r;
}

/* ---- admission: before the body ---- */

static void
query_escape(const char *s, struct buf *out)
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
		query_escape(url, &to);
	}
	r = redirect(conn, url, to.buf, NULL);
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
		rq->early = error_page(h, conn, url, rq, 503, "Unavailable",
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
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Length");
	int64_t cap;
	int st;

	if (find_session(h, conn, rq) == -1) {
		rq->early = error_page(h, conn, url, rq, 503, "Unavailable",
		    "The store cannot be reached now; try again shortly.");
		return 1;
	}
	st = route_find(method, url, &rq->m);
	if (st != 0) {
		/* without a session, every admin URL leads to the login */
		if (rq->role == ROLE_ANON)
			rq->early = to_login(conn, url, method);
		else
			rq->early = error_page(h, conn, url, rq, (unsigned)st,
			    st == 404 ? "Not found" : "Not allowed",
			    st == 404 ? "There is no such admin page." :
			    "This address does not take that method.");
		return 1;
	}
	if (rq->role < route_need(rq->m.r, false)) {
		if (rq->role == ROLE_ANON)
			rq->early = to_login(conn, url, method);
		else
			rq->early = error_page(h, conn, url, rq, 403,
			    "Not allowed", "Your role may not do that: ask a "
			    "publisher.");
		return 1;
	}
	cap = rq->role > ROLE_ANON ? h->c->serve.max_body :
	    h->c->serve.max_anonymous_body;
	if (cl) {
		const char *errstr;
		int64_t n = strtonum(cl, 0, INT64_MAX, &errstr);
		if (errstr || n > cap) {
			rq->early = error_page(h, conn, url, rq, 413,
			    "Too large", "The form is larger than this server "
			    "accepts.");
			return 1;
		}
	}
	buf_init(&rq->body, (size_t)cap);
	return 0;
}

/* ---- login and logout ---- */

static const char *
arg(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *
field(json_t *form, const char *name)
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
		return send_reply(conn, url, &rp, "text/plain", "no random "
		    "bytes\n", 16);
	ctx = context(conn, rq, "Log in");
	json_object_del(ctx, "me");
	json_object_set_new(ctx, "login_csrf", json_string(token));
	json_object_set_new(ctx, "username", jsafe_string(username));
	if (next && admin_next_ok(next))
		json_object_set_new(ctx, "next", jsafe_string(next));
	if (error)
		json_object_set_new(ctx, "error", jsafe_string(error));
	ck = cookie(h, conn, ADMIN_LOGIN_COOKIE, token, 3600);
	if (retry > 0) {
		/* page() cannot add Retry-After: render here */
		struct buf out = BUF_INIT, err = BUF_INIT;
		struct reply rr = { status, NULL, { ck, NULL, NULL }, retry };
		if (tmpl_set_render(h->admin->tmpl, "login", ctx, &out,
		    &err) == -1)
			log_warnx("admin: %s", err.buf);
		r = send_reply(conn, url, &rr, "text/html; charset=utf-8",
		    out.buf ? out.buf : "", out.len);
		buf_release(&out);
		buf_release(&err);
		json_decref(ctx);
	} else
		r = page(h, conn, url, status, "login", ctx, ck);
	free(ck);
	return r;
}

static enum MHD_Result
login(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	const char *ck = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Cookie");
	const char *name = field(form, "username");
	const char *pw = field(form, "password");
	const char *next = field(form, "next");
	char token[ADMIN_SID_HEX + 2], addr[INET6_ADDRSTRLEN + 8];
	char akey[96], ukey[96], sid[ADMIN_SID_HEX + 1], key[65];
	struct buf err = BUF_INIT;
	struct user_info u;
	int64_t now = time_now(), wait, w2;
	bool ok = false;
	char *c;
	enum MHD_Result r;

	if (!ck || !admin_cookie_get(ck, ADMIN_LOGIN_COOKIE, token,
	    sizeof(token)) || strlen(token) != ADMIN_SID_HEX ||
	    !str_ct_equal(token, field(form, "csrf")))
		return error_page(h, conn, url, rq, 403, "Form expired",
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
	pthread_mutex_lock(&h->wmu);
	/* rotation: the session the browser had (if any) ends */
	if (*rq->sid) {
		admin_sid_hash(rq->sid, key);
		(void)store_session_delete(rq->st, key, &err);
	}
	if (admin_sid_new(sid) == -1) {
		pthread_mutex_unlock(&h->wmu);
		buf_release(&err);
		return error_page(h, conn, url, rq, 500, "Error",
		    "No random bytes for a session.");
	}
	admin_sid_hash(sid, key);
	if (store_session_create(rq->st, u.id, key, &err) == -1 ||
	    store_audit(rq->st, u.name, "admin.login", NULL, addr,
	    &err) == -1) {
		pthread_mutex_unlock(&h->wmu);
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		explicit_bzero(sid, sizeof(sid));
		return error_page(h, conn, url, rq, 503, "Unavailable",
		    "The session cannot be stored now; try again shortly.");
	}
	pthread_mutex_unlock(&h->wmu);
	buf_release(&err);
	c = cookie(h, conn, ADMIN_COOKIE, sid, h->c->serve.session_max);
	explicit_bzero(sid, sizeof(sid));
	{
		char *clear = cookie(h, conn, ADMIN_LOGIN_COOKIE, "", -1);
		struct reply rp = { 303, admin_next_ok(next) ? next :
		    "/admin/", { c, clear, NULL }, 0 };
		r = send_reply(conn, url, &rp, "text/plain; charset=utf-8",
		    "see other\n", 10);
		free(clear);
	}
	free(c);
	return r;
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
	c = cookie(h, conn, ADMIN_COOKIE, "", -1);
	f = cookie(h, conn, ADMIN_FLASH_COOKIE, "loggedout", 60);
	{
		struct reply rp = { 303, "/admin/login", { c, f, NULL }, 0 };
		r = send_reply(conn, url, &rp, "text/plain; charset=utf-8",
		    "see other\n", 10);
	}
	free(c);
	free(f);
	return r;
}

/* ---- the page tree ---- */

static const char *
badge_of(const char *status)
{
	if (!strncmp(status, "live", 4))
		return "live";
	if (!strcmp(status, "scheduled") || !strcmp(status, "expired"))
		return status;
	return "draft";
}

static void
human_time(int64_t t, char *iso, size_t isosz, char *human, size_t humansz)
{
	time_format_iso8601(t, iso, isosz);
	time_format(t, "%Y-%m-%d %H:%M UTC", human, humansz);
}

static bool
contains_ci(const char *hay, const char *needle)
{
	return !*needle || strcasestr(hay, needle) != NULL;
}

static enum MHD_Result
pages(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	static const char *const statuses[] = { "live", "draft", "scheduled",
		"expired", "live + draft", "live + scheduled" };
	const char *q = arg(conn, "q"), *status = arg(conn, "status");
	const char *pg = arg(conn, "page"), *errstr;
	struct buf err = BUF_INIT, link = BUF_INIT;
	struct page_info *list = NULL;
	size_t n = 0, total = 0, current = 1, last;
	json_t *ctx, *rows, *sts;

	if (!q)
		q = "";
	if (!status)
		status = "";
	if (pg && (current = (size_t)strtonum(pg, 1, 1000000, &errstr),
	    errstr))
		current = 1;
	if (store_page_list(rq->st, &list, &n, &err) == -1) {
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return error_page(h, conn, url, rq, 503, "Unavailable",
		    "The pages cannot be read now.");
	}
	ctx = context(conn, rq, "Pages");
	json_object_set_new(ctx, "nav_pages", json_true());
	json_object_set_new(ctx, "q", jsafe_string(q));
	sts = json_array();
	json_array_append_new(sts, json_pack("{s:s, s:s, s:b}", "value", "",
	    "label", "Any status", "selected", !*status));
	for (size_t i = 0; i < NELEM(statuses); i++)
		json_array_append_new(sts, json_pack("{s:s, s:s, s:b}", "value",
		    statuses[i], "label", statuses[i], "selected",
		    !strcmp(status, statuses[i])));
	json_object_set_new(ctx, "statuses", sts);
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		struct page_info *p = &list[i];
		if ((*status && strcmp(p->status, status)) ||
		    (*q && !contains_ci(p->title, q) &&
		    !contains_ci(p->path, q)))
			continue;
		total++;
		if (total <= (current - 1) * PAGE_SIZE ||
		    total > current * PAGE_SIZE)
			continue;
		{
			struct revision_info rv;
			char iso[32], hum[40];
			memset(&rv, 0, sizeof(rv));
			if (store_revision_get(rq->st, p->latest_revision, &rv,
			    &err) != 0)
				buf_reset(&err);
			human_time(p->updated_at, iso, sizeof(iso), hum,
			    sizeof(hum));
			json_array_append_new(rows, json_pack("{s:I, s:o, s:o, "
			    "s:s, s:s, s:o, s:s, s:s}", "id",
			    (json_int_t)p->id, "title", jsafe_string(p->title),
			    "path", jsafe_string(p->path), "status", p->status,
			    "badge", badge_of(p->status), "author",
			    jsafe_string(rv.author ? rv.author : "?"),
			    "updated_iso", iso, "updated", hum));
			revision_info_release(&rv);
		}
	}
	json_object_set_new(ctx, "pages", rows);
	if (rq->role >= ROLE_PUBLISHER) {
		json_t *rl = NULL, *rv;
		size_t k;
		if (store_review_list(rq->st, 0, &rl, &err) == 0) {
			json_array_foreach(rl, k, rv) {
				char iso[32], hum[40];
				int64_t gl = json_integer_value(
				    json_object_get(rv, "go_live_at"));
				human_time(json_integer_value(json_object_get(
				    rv, "submitted_at")), iso, sizeof(iso), hum,
				    sizeof(hum));
				json_object_set_new(rv, "at_iso",
				    json_string(iso));
				json_object_set_new(rv, "at", json_string(hum));
				if (gl) {
					human_time(gl, iso, sizeof(iso), hum,
					    sizeof(hum));
					json_object_set_new(rv, "go_live",
					    json_string(hum));
				}
			}
			json_object_set_new(ctx, "has_reviews", json_boolean(
			    json_array_size(rl) > 0));
			json_object_set_new(ctx, "reviews", rl);
		}
		buf_reset(&err);
	}
	json_object_set_new(ctx, "total", json_integer((json_int_t)total));
	json_object_set_new(ctx, "one", json_boolean(total == 1));
	last = total ? (total + PAGE_SIZE - 1) / PAGE_SIZE : 1;
	if (last > 1) {
		json_t *pager = json_pack("{s:I, s:I}", "current",
		    (json_int_t)current, "last", (json_int_t)last);
		for (int dir = -1; dir <= 1; dir += 2) {
			size_t to = current + (size_t)dir;
			if ((dir < 0 && current <= 1) || (dir > 0 &&
			    current >= last))
				continue;
			buf_reset(&link);
			buf_printf(&link, "/admin/?page=%zu", to);
			if (*q) {
				buf_adds(&link, "&q=");
				query_escape(q, &link);
			}
			if (*status) {
				buf_adds(&link, "&status=");
				query_escape(status, &link);
			}
			json_object_set_new(pager, dir < 0 ? "prev" : "next",
			    json_string(link.buf));
		}
		json_object_set_new(ctx, "pager", pager);
	}
	store_page_list_free(list, n);
	buf_release(&err);
	buf_release(&link);
	return page(h, conn, url, 200, "pages", ctx, NULL);
}

/* ---- create and edit ---- */

/* "a, b ,c" -> ["a","b","c"] */
static json_t *
tags_of(const char *s)
{
	json_t *a = json_array();

	while (*s) {
		size_t n = strcspn(s, ",");
		size_t b = 0, e = n;
		while (b < e && (s[b] == ' ' || s[b] == '\t'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (e > b)
			json_array_append_new(a, json_stringn(s + b, e - b));
		s += n;
		if (*s == ',')
			s++;
	}
	return a;
}

static void
tags_text(json_t *tags, struct buf *out)
{
	size_t i;
	json_t *t;

	json_array_foreach(tags, i, t) {
		if (i)
			buf_adds(out, ", ");
		buf_adds(out, json_string_value(t) ? json_string_value(t) :
		    "");
	}
}

/* an <input type=date|datetime-local> value as a time; "" is 0 */
static int
form_time(const char *s, int64_t *t)
{
	*t = 0;
	return *s ? time_parse_iso8601(s, t) : 0;
}

/* the form's values as the editor's "f" object (strings as typed) */
static json_t *
form_values(json_t *form)
{
	static const char *const names[] = { "path", "title", "summary",
		"body", "date", "tags", "go_live", "expire" };
	json_t *f = json_object();

	for (size_t i = 0; i < NELEM(names); i++)
		json_object_set_new(f, names[i], jsafe_string(field(form,
		    names[i])));
	return f;
}

/* the editor's "f" of revision RV of page P */
static json_t *
revision_values(const struct page_info *p, const struct revision_info *rv)
{
	struct buf tags = BUF_INIT;
	char d[32] = "", gl[32] = "", ex[32] = "";
	json_t *f;

	if (rv->date)
		time_format(rv->date, "%Y-%m-%d", d, sizeof(d));
	if (p->go_live_at && p->scheduled_revision)
		time_format(p->go_live_at, "%Y-%m-%dT%H:%M", gl, sizeof(gl));
	if (p->expire_at)
		time_format(p->expire_at, "%Y-%m-%dT%H:%M", ex, sizeof(ex));
	tags_text(rv->tags, &tags);
	f = json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:s}", "path",
	    jsafe_string(p->path), "title", jsafe_string(rv->title),
	    "summary", jsafe_string(rv->summary), "body",
	    jsafe_string(rv->body), "date", d, "tags",
	    jsafe_string(tags.buf ? tags.buf : ""), "go_live", gl, "expire",
	    ex);
	buf_release(&tags);
	return f;
}

static json_t *
page_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:s, s:b}", "id",
	    (json_int_t)p->id, "path", jsafe_string(p->path), "title",
	    jsafe_string(p->title), "status", p->status, "badge",
	    badge_of(p->status), "live", p->live);
}

/* the editor for P (NULL: a new page) with values F (consumed) */
static enum MHD_Result
editor(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, unsigned status, const struct page_info *p, json_t *f,
    int64_t revision, json_t *errors, json_t *conflict)
{
	json_t *ctx = context(conn, rq, p ? p->title : "New page");
	char action[64];

	if (p) {
		struct buf err = BUF_INIT;
		json_t *rl = NULL, *rv;
		json_object_set_new(ctx, "page", page_json(p));
		snprintf(action, sizeof(action), "/admin/pages/%lld",
		    (long long)p->id);
		/* the page's last review: pending, or rejected with why */
		if (store_review_list(rq->st, p->id, &rl, &err) == 0 &&
		    (rv = json_array_get(rl, 0)) != NULL) {
			const char *s = str_or(rv, "state", "");
			json_object_set_new(rv, "pending", json_boolean(
			    !strcmp(s, "pending")));
			json_object_set_new(rv, "rejected", json_boolean(
			    !strcmp(s, "rejected")));
			json_object_set(ctx, "review", rv);
		}
		json_decref(rl);
		buf_release(&err);
	} else {
		json_object_set_new(ctx, "nav_new", json_true());
		snprintf(action, sizeof(action), "/admin/pages/new");
	}
	json_object_set_new(ctx, "action", json_string(action));
	json_object_set_new(ctx, "f", f);
	json_object_set_new(ctx, "revision", json_integer(revision));
	if (errors)
		json_object_set_new(ctx, "errors", errors);
	if (conflict)
		json_object_set_new(ctx, "conflict", conflict);
	return page(h, conn, url, status, "page_edit", ctx, NULL);
}

/* the page fields of FORM; -1 with the reason in err */
static int
fields_of(json_t *form, struct page_fields *pf, json_t **tags,
    struct buf *err)
{
	memset(pf, 0, sizeof(*pf));
	*tags = tags_of(field(form, "tags"));
	pf->title = field(form, "title");
	pf->body = field(form, "body");
	pf->summary = field(form, "summary");
	pf->tags = *tags;
	if (form_time(field(form, "date"), &pf->date) == -1) {
		buf_setf(err, "date: expected a date (YYYY-MM-DD)");
		return -1;
	}
	return 0;
}

static bool
same_revision(const struct page_fields *pf, const struct revision_info *rv)
{
	return !strcmp(pf->title, rv->title) && !strcmp(pf->body, rv->body) &&
	    !strcmp(pf->summary, rv->summary) && pf->date == rv->date &&
	    json_equal(pf->tags, rv->tags);
}

/* publish, unpublish or schedule PATH as ACTION; 0, -1 with err */
static int
act(struct req *rq, const char *action, const char *path, json_t *form,
    const char **flash, struct buf *err)
{
	int64_t gl = 0, ex = 0;

	if (!strcmp(action, "publish")) {
		*flash = "published";
		return store_page_publish(rq->st, path, 0, rq->actor, err);
	}
	if (!strcmp(action, "unpublish")) {
		*flash = "unpublished";
		return store_page_unpublish(rq->st, path, rq->actor, err);
	}
	*flash = "scheduled";
	if (form_time(field(form, "go_live"), &gl) == -1) {
		buf_setf(err, "go_live: expected a date and time");
		return -1;
	}
	if (form_time(field(form, "expire"), &ex) == -1) {
		buf_setf(err, "expire: expected a date and time");
		return -1;
	}
	if (!gl && !ex) {
		buf_setf(err, "go_live: set a go-live or an expiry time to "
		    "schedule");
		return -1;
	}
	return store_page_schedule(rq->st, path, gl, ex, rq->actor, err);
}

/* mail (or post) a review step through the notify settings, if any */
static void
tell(struct http *h, const char *subject, const char *body)
{
	struct buf err = BUF_INIT;

	if ((h->c->notify.email || h->c->notify.webhook) &&
	    notify_send(&h->c->notify, h->c->site.title, subject, body,
	    &err) == -1)
		log_warnx("admin: review notice: %s", err.buf);
	buf_release(&err);
}

/* submit page P's latest revision for review; caller holds wmu */
static int
submit(struct http *h, struct req *rq, struct page_info *p, json_t *form,
    struct buf *err)
{
	struct page_info now;
	int64_t gl = 0;
	int rc;
	char subj[400];

	if (form_time(field(form, "go_live"), &gl) == -1) {
		buf_setf(err, "go_live: expected a date and time");
		return -1;
	}
	memset(&now, 0, sizeof(now));
	/* the revision just saved, if the form changed anything */
	if ((rc = store_page_get_id(rq->st, p->id, &now, err)) != 0)
		return -1;
	rc = store_review_submit(rq->st, now.id, now.latest_revision, gl,
	    rq->actor, err);
	if (rc == 0) {
		snprintf(subj, sizeof(subj), "%s submitted \"%s\" for review",
		    rq->actor, now.title);
		tell(h, subj, subj);
	}
	page_info_release(&now);
	return rc;
}

static bool
action_ok(const char *a)
{
	return !strcmp(a, "save") || !strcmp(a, "publish") ||
	    !strcmp(a, "submit") ||
	    !strcmp(a, "unpublish") || !strcmp(a, "schedule");
}

static enum MHD_Result
forbidden(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	return error_page(h, conn, url, rq, 403, "Not allowed",
	    "Your role may not publish, unpublish or schedule: save a "
	    "draft and ask a publisher.");
}

static enum MHD_Result
page_new(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	const char *action = form ? field(form, "action") : "save";
	struct buf err = BUF_INIT, path = BUF_INIT;
	struct page_fields pf;
	const char *flash = "created";
	json_t *tags = NULL;
	int64_t id = 0;
	char to[64];
	int rc;

	if (!form)
		return editor(h, conn, url, rq, 200, NULL, form_values(NULL),
		    0, NULL, NULL);
	if (!*action)
		action = "save";
	if (!action_ok(action) || !strcmp(action, "unpublish") ||
	    !strcmp(action, "submit"))
		return error_page(h, conn, url, rq, 400, "Bad request",
		    "Unknown action.");
	if (rq->role < route_need(rq->m.r, strcmp(action, "save") != 0))
		return forbidden(h, conn, url, rq);
	pthread_mutex_lock(&h->wmu);
	rc = fields_of(form, &pf, &tags, &err);
	if (rc == 0)
		rc = store_page_create(rq->st, field(form, "path"), &pf,
		    rq->actor, &id, &err);
	if (rc == 0 && strcmp(action, "save")) {
		rc = path_canonicalize(field(form, "path"), &path, &err);
		if (rc == 0)
			rc = act(rq, action, path.buf, form, &flash, &err);
	}
	pthread_mutex_unlock(&h->wmu);
	json_decref(tags);
	buf_release(&path);
	queue_wake();
	if (rc == -1 && !id) {
		enum MHD_Result r = editor(h, conn, url, rq, 400, NULL,
		    form_values(form), 0, json_pack("[o]",
		    jsafe_string(err.buf)), NULL);
		buf_release(&err);
		return r;
	}
	buf_release(&err);
	snprintf(to, sizeof(to), "/admin/pages/%lld", (long long)id);
	return done(h, conn, url, to, rc == 0 ? flash : "created");
}

static json_t *
conflict_of(const struct revision_info *rv)
{
	char iso[32], hum[40];

	human_time(rv->created_at, iso, sizeof(iso), hum, sizeof(hum));
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "author",
	    jsafe_string(rv->author), "at_iso", iso, "at", hum, "title",
	    jsafe_string(rv->title), "summary", jsafe_string(rv->summary),
	    "body", jsafe_string(rv->body));
}

static enum MHD_Result
page_edit(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	struct buf err = BUF_INIT;
	struct page_info p;
	struct revision_info rv;
	struct page_fields pf;
	const char *action, *flash = "saved", *errstr;
	json_t *tags = NULL;
	int64_t based;
	enum MHD_Result r;
	int rc;
	char to[64];

	memset(&p, 0, sizeof(p));
	memset(&rv, 0, sizeof(rv));
	rc = store_page_get_id(rq->st, rq->m.id, &p, &err);
	if (rc != 0) {
		buf_release(&err);
		return error_page(h, conn, url, rq, rc == 1 ? 404 : 503,
		    rc == 1 ? "Not found" : "Unavailable", rc == 1 ?
		    "There is no such page." : "The store cannot be read now.");
	}
	if (store_revision_get(rq->st, p.latest_revision, &rv, &err) != 0) {
		r = error_page(h, conn, url, rq, 503, "Unavailable",
		    "The page's revision cannot be read now.");
		goto out;
	}
	if (!form) {
		r = editor(h, conn, url, rq, 200, &p, revision_values(&p, &rv),
		    p.latest_revision, NULL, NULL);
		goto out;
	}
	action = field(form, "action");
	if (!*action)
		action = "save";
	if (!action_ok(action)) {
		r = error_page(h, conn, url, rq, 400, "Bad request",
		    "Unknown action.");
		goto out;
	}
	if (rq->role < route_need(rq->m.r, strcmp(action, "save") != 0 &&
	    strcmp(action, "submit") != 0)) {
		r = forbidden(h, conn, url, rq);
		goto out;
	}
	based = strtonum(field(form, "revision"), 0, INT64_MAX, &errstr);
	if (errstr || based != p.latest_revision) {
		/* someone saved since this form was loaded: show theirs */
		r = editor(h, conn, url, rq, 409, &p, form_values(form),
		    p.latest_revision, NULL, conflict_of(&rv));
		goto out;
	}
	if (fields_of(form, &pf, &tags, &err) == -1) {
		r = editor(h, conn, url, rq, 400, &p, form_values(form),
		    based, json_pack("[o]", jsafe_string(err.buf)), NULL);
		goto out;
	}
	pthread_mutex_lock(&h->wmu);
	rc = 0;
	if (!same_revision(&pf, &rv))
		rc = store_page_edit(rq->st, p.path, &pf, rq->actor, &err);
	if (rc == 0 && !strcmp(action, "submit"))
		rc = submit(h, rq, &p, form, &err);
	else if (rc == 0 && strcmp(action, "save"))
		rc = act(rq, action, p.path, form, &flash, &err);
	pthread_mutex_unlock(&h->wmu);
	queue_wake();
	if (rc == -1) {
		r = editor(h, conn, url, rq, 400, &p, form_values(form),
		    based, json_pack("[o]", jsafe_string(err.buf)), NULL);
		goto out;
	}
	if (!strcmp(action, "submit"))
		flash = "submitted";
	snprintf(to, sizeof(to), "/admin/pages/%lld", (long long)p.id);
	r = done(h, conn, url, to, flash);
out:
	json_decref(tags);
	page_info_release(&p);
	revision_info_release(&rv);
	buf_release(&err);
	return r;
}

static enum MHD_Result
page_delete(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	struct buf err = BUF_INIT;
	struct page_info p;
	enum MHD_Result r;
	int rc;

	memset(&p, 0, sizeof(p));
	rc = store_page_get_id(rq->st, rq->m.id, &p, &err);
	if (rc != 0) {
		buf_release(&err);
		return error_page(h, conn, url, rq, rc == 1 ? 404 : 503,
		    rc == 1 ? "Not found" : "Unavailable", rc == 1 ?
		    "There is no such page." : "The store cannot be read now.");
	}
	if (!form) {
		json_t *ctx = context(conn, rq, "Delete");
		json_object_set_new(ctx, "page", page_json(&p));
		r = page(h, conn, url, 200, "page_delete", ctx, NULL);
		goto out;
	}
	pthread_mutex_lock(&h->wmu);
	rc = store_page_delete(rq->st, p.path, rq->actor, &err);
	pthread_mutex_unlock(&h->wmu);
	queue_wake();
	if (rc != 0)
		r = error_page(h, conn, url, rq, http_kind_status(
		    store_err_kind(rq->st)), "Cannot delete", err.buf);
	else
		r = done(h, conn, url, "/admin/", "deleted");
out:
	page_info_release(&p);
	buf_release(&err);
	return r;
}

/* ---- revisions ---- */

/* page ID into *P, or an error page queued into *R; 0 / -1 */
static int
page_or_error(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, int64_t id, struct page_info *p, enum MHD_Result *r)
{
	struct buf err = BUF_INIT;
	int rc = store_page_get_id(rq->st, id, p, &err);

	buf_release(&err);
	if (rc == 0)
		return 0;
	*r = error_page(h, conn, url, rq, rc == 1 ? 404 : 503, rc == 1 ?
	    "Not found" : "Unavailable", rc == 1 ? "There is no such page." :
	    "The store cannot be read now.");
	return -1;
}

/* revision ID of page PAGE (0: any) into *RV, or an error page */
static int
revision_or_error(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, int64_t id, int64_t page,
    struct revision_info *rv, enum MHD_Result *r)
{
	struct buf err = BUF_INIT;
	int rc = id > 0 ? store_revision_get(rq->st, id, rv, &err) : -1;

	buf_release(&err);
	if (rc == 0 && (!page || rv->page_id == page))
		return 0;
	revision_info_release(rv);
	memset(rv, 0, sizeof(*rv));
	*r = error_page(h, conn, url, rq, 404, "Not found",
	    "There is no such revision of this page.");
	return -1;
}

static json_t *
revision_json(const struct revision_info *rv)
{
	struct buf tags = BUF_INIT;
	char iso[32], hum[40], d[32] = "";
	json_t *o;

	human_time(rv->created_at, iso, sizeof(iso), hum, sizeof(hum));
	if (rv->date)
		time_format(rv->date, "%Y-%m-%d", d, sizeof(d));
	tags_text(rv->tags, &tags);
	o = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "id",
	    (json_int_t)rv->id, "author", jsafe_string(rv->author), "at_iso",
	    iso, "at", hum, "title", jsafe_string(rv->title), "summary",
	    jsafe_string(rv->summary), "body", jsafe_string(rv->body), "date",
	    d, "tags", jsafe_string(tags.buf ? tags.buf : ""));
	buf_release(&tags);
	return o;
}

static enum MHD_Result
revisions(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	struct page_info p;
	json_t *list = NULL, *rows, *v, *ctx;
	enum MHD_Result r;
	size_t i;

	memset(&p, 0, sizeof(p));
	if (page_or_error(h, conn, url, rq, rq->m.id, &p, &r) == -1)
		return r;
	if (store_revision_list(rq->st, p.id, &list, &err) == -1) {
		r = error_page(h, conn, url, rq, 503, "Unavailable",
		    "The revisions cannot be read now.");
		goto out;
	}
	rows = json_array();
	json_array_foreach(list, i, v) {
		int64_t id = json_integer_value(json_object_get(v, "id"));
		char iso[32], hum[40];
		human_time(json_integer_value(json_object_get(v,
		    "created_at")), iso, sizeof(iso), hum, sizeof(hum));
		json_array_append_new(rows, json_pack("{s:I, s:O, s:O, s:s, "
		    "s:s, s:b, s:b, s:b}", "id", (json_int_t)id, "author",
		    json_object_get(v, "author"), "title", json_object_get(v,
		    "title"), "at_iso", iso, "at", hum, "latest",
		    id == p.latest_revision, "live", id == p.live_revision,
		    "from", i == 1));
	}
	ctx = context(conn, rq, "Revisions");
	json_object_set_new(ctx, "page", page_json(&p));
	json_object_set_new(ctx, "revisions", rows);
	r = page(h, conn, url, 200, "revisions", ctx, NULL);
out:
	json_decref(list);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

static enum MHD_Result
revision(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct revision_info rv;
	struct page_info p;
	enum MHD_Result r;
	json_t *ctx;

	memset(&rv, 0, sizeof(rv));
	memset(&p, 0, sizeof(p));
	if (revision_or_error(h, conn, url, rq, rq->m.id, 0, &rv, &r) == -1)
		return r;
	if (page_or_error(h, conn, url, rq, rv.page_id, &p, &r) == 0) {
		ctx = context(conn, rq, "Revision");
		json_object_set_new(ctx, "page", page_json(&p));
		json_object_set_new(ctx, "rev", revision_json(&rv));
		r = page(h, conn, url, 200, "revision", ctx, NULL);
	}
	revision_info_release(&rv);
	page_info_release(&p);
	return r;
}

static void
field_change(json_t *fields, const char *name, json_t *a, json_t *b)
{
	const char *x = json_string_value(json_object_get(a, name));
	const char *y = json_string_value(json_object_get(b, name));

	if (x && y && strcmp(x, y))
		json_array_append_new(fields, json_pack("{s:s, s:s, s:s}",
		    "name", name, "before", x, "after", y));
}

static enum MHD_Result
compare(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *fa = arg(conn, "from"), *fb = arg(conn, "to"), *e1, *e2;
	struct revision_info ra, rb;
	struct page_info p;
	struct diff_line *d = NULL;
	enum MHD_Result r;
	json_t *ctx, *ja, *jb, *fields, *lines;
	int64_t a, b;
	size_t n = 0;
	int minimal;

	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	memset(&p, 0, sizeof(p));
	a = fa ? strtonum(fa, 1, INT64_MAX, &e1) : 0;
	b = fb ? strtonum(fb, 1, INT64_MAX, &e2) : 0;
	if (!fa || !fb || e1 || e2)
		return error_page(h, conn, url, rq, 400, "Bad request",
		    "Choose two revisions to compare (from and to).");
	if (page_or_error(h, conn, url, rq, rq->m.id, &p, &r) == -1)
		return r;
	if (revision_or_error(h, conn, url, rq, a, p.id, &ra, &r) == -1 ||
	    revision_or_error(h, conn, url, rq, b, p.id, &rb, &r) == -1)
		goto out;
	ja = revision_json(&ra);
	jb = revision_json(&rb);
	fields = json_array();
	field_change(fields, "title", ja, jb);
	field_change(fields, "summary", ja, jb);
	field_change(fields, "date", ja, jb);
	field_change(fields, "tags", ja, jb);
	minimal = line_diff(ra.body, rb.body, &d, &n);
	lines = json_array();
	for (size_t i = 0; i < n; i++) {
		/* lines of valid UTF-8 text; "" should one not be */
		json_t *t = json_stringn(d[i].s, d[i].len);
		json_array_append_new(lines, json_pack("{s:s#, s:s, s:o}",
		    "op", &d[i].op, (int)1, "kind", d[i].op == '+' ? "add" :
		    d[i].op == '-' ? "del" : "same", "text", t ? t :
		    json_string("")));
	}
	free(d);
	ctx = context(conn, rq, "Compare");
	json_object_set_new(ctx, "page", page_json(&p));
	json_object_set_new(ctx, "a", ja);
	json_object_set_new(ctx, "b", jb);
	json_object_set_new(ctx, "has_fields", json_boolean(
	    json_array_size(fields) > 0));
	json_object_set_new(ctx, "fields", fields);
	json_object_set_new(ctx, "diff", lines);
	json_object_set_new(ctx, "partial", json_boolean(!minimal));
	r = page(h, conn, url, 200, "compare", ctx, NULL);
out:
	revision_info_release(&ra);
	revision_info_release(&rb);
	page_info_release(&p);
	return r;
}

static enum MHD_Result
revert(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	struct revision_info rv;
	struct page_info p;
	struct page_fields pf;
	enum MHD_Result r;
	char to[64];
	int rc;

	memset(&rv, 0, sizeof(rv));
	memset(&p, 0, sizeof(p));
	if (revision_or_error(h, conn, url, rq, rq->m.id, 0, &rv, &r) == -1)
		return r;
	if (page_or_error(h, conn, url, rq, rv.page_id, &p, &r) == -1)
		goto out;
	memset(&pf, 0, sizeof(pf));
	pf.title = rv.title;
	pf.body = rv.body;
	pf.summary = rv.summary;
	pf.date = rv.date;
	pf.tags = rv.tags;
	pf.extra = rv.extra;
	pthread_mutex_lock(&h->wmu);
	rc = store_page_edit(rq->st, p.path, &pf, rq->actor, &err);
	if (rc == 0) {
		char detail[64];
		snprintf(detail, sizeof(detail), "to revision %lld",
		    (long long)rv.id);
		(void)store_audit(rq->st, rq->actor, "admin.revert", p.path,
		    detail, &err);
	}
	pthread_mutex_unlock(&h->wmu);
	if (rc != 0) {
		r = error_page(h, conn, url, rq, http_kind_status(
		    store_err_kind(rq->st)), "Cannot revert", err.buf);
		goto out;
	}
	snprintf(to, sizeof(to), "/admin/pages/%lld", (long long)p.id);
	r = done(h, conn, url, to, "reverted");
out:
	revision_info_release(&rv);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

/* ---- builds ---- */

static const char *
str_or(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : dflt;
}

static const char *
build_badge(const char *status)
{
	if (!strcmp(status, "succeeded") || !strcmp(status, "failed") ||
	    !strcmp(status, "running") || !strcmp(status, "pending") ||
	    !strcmp(status, "cancelled"))
		return status;
	return "draft";
}

static char *
who_of(struct req *rq, int64_t id)
{
	struct buf who = BUF_INIT, err = BUF_INIT;

	if (store_build_actors(rq->st, id, &who, &err) == -1)
		buf_reset(&who);
	buf_release(&err);
	if (!who.len)
		buf_adds(&who, "");
	return buf_detach(&who, NULL);
}

static json_int_t
count_of(json_t *b, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(b,
	    "counts"), k));
}

static enum MHD_Result
builds(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *pg = arg(conn, "page"), *errstr;
	struct buf err = BUF_INIT;
	size_t current = 1, i;
	json_t *list = NULL, *rows, *b, *ctx;
	char link[64];

	if (pg && (current = (size_t)strtonum(pg, 1, 10000, &errstr), errstr))
		current = 1;
	if (store_build_list(rq->st, current * PAGE_SIZE + 1, &list,
	    &err) == -1) {
		buf_release(&err);
		return error_page(h, conn, url, rq, 503, "Unavailable",
		    "The builds cannot be read now.");
	}
	rows = json_array();
	json_array_foreach(list, i, b) {
		int64_t id = json_integer_value(json_object_get(b, "id"));
		char *who;
		if (i < (current - 1) * PAGE_SIZE || i >= current * PAGE_SIZE)
			continue;
		who = who_of(rq, id);
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:o, "
		    "s:s, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)id,
		    "status", str_or(b, "status", "?"), "badge",
		    build_badge(str_or(b, "status", "?")), "reasons",
		    jsafe_string(str_or(b, "reasons", "")), "who", who,
		    "requested", str_or(b, "requested_at", ""), "finished",
		    str_or(b, "finished_at", ""), "pages", count_of(b, "pages"),
		    "uploaded", count_of(b, "uploaded"), "deleted",
		    count_of(b, "deleted")));
		free(who);
	}
	ctx = context(conn, rq, "Builds");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "builds", rows);
	if (current > 1 || json_array_size(list) > current * PAGE_SIZE) {
		json_t *pager = json_pack("{s:I}", "current",
		    (json_int_t)current);
		if (current > 1) {
			snprintf(link, sizeof(link), "/admin/builds?page=%zu",
			    current - 1);
			json_object_set_new(pager, "prev", json_string(link));
		}
		if (json_array_size(list) > current * PAGE_SIZE) {
			snprintf(link, sizeof(link), "/admin/builds?page=%zu",
			    current + 1);
			json_object_set_new(pager, "next", json_string(link));
		}
		json_object_set_new(ctx, "pager", pager);
	}
	json_decref(list);
	buf_release(&err);
	return page(h, conn, url, 200, "builds", ctx, NULL);
}

/* build ID (with its log) into *B, or an error page */
static int
build_or_error(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, bool with_log, json_t **b, enum MHD_Result *r)
{
	struct buf err = BUF_INIT;
	int rc = store_build_get(rq->st, rq->m.id, with_log, b, &err);

	buf_release(&err);
	if (rc == 0)
		return 0;
	*r = error_page(h, conn, url, rq, rc == 1 ? 404 : 503, rc == 1 ?
	    "Not found" : "Unavailable", rc == 1 ? "There is no such build." :
	    "The build cannot be read now.");
	return -1;
}

static enum MHD_Result
build(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	json_t *b = NULL, *ctx;
	enum MHD_Result r;
	const char *status;
	char *who;

	if (build_or_error(h, conn, url, rq, true, &b, &r) == -1)
		return r;
	status = str_or(b, "status", "?");
	if (rq->m.r->id == RT_ADMIN_BUILD_STATUS) {
		struct buf out = BUF_INIT;
		json_t *v = json_pack("{s:s, s:O}", "status", status, "log",
		    json_object_get(b, "log") ? json_object_get(b, "log") :
		    json_null());
		char *s = v ? json_dumps(v, 0) : NULL;
		struct reply rp = { s ? 200 : 500, NULL, { NULL }, 0 };
		buf_adds(&out, s ? s : "{}");
		r = send_reply(conn, url, &rp, "application/json", out.buf,
		    out.len);
		free(s);
		json_decref(v);
		json_decref(b);
		buf_release(&out);
		return r;
	}
	who = who_of(rq, rq->m.id);
	ctx = context(conn, rq, "Build");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "badge", json_string(build_badge(status)));
	json_object_set_new(ctx, "who", jsafe_string(who));
	json_object_set_new(ctx, "running", json_boolean(!strcmp(status,
	    "running") || !strcmp(status, "pending")));
	json_object_set_new(ctx, "succeeded", json_boolean(!strcmp(status,
	    "succeeded")));
	json_object_set_new(ctx, "b", b);
	free(who);
	return page(h, conn, url, 200, "build", ctx, NULL);
}

static enum MHD_Result
build_action(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	const char *flash = NULL;
	enum MHD_Result r;
	json_t *b = NULL;
	char to[64], detail[64];
	int64_t nid = 0;
	int rc;

	if (build_or_error(h, conn, url, rq, false, &b, &r) == -1)
		return r;
	snprintf(to, sizeof(to), "/admin/builds/%lld", (long long)rq->m.id);
	snprintf(detail, sizeof(detail), "build %lld", (long long)rq->m.id);
	pthread_mutex_lock(&h->wmu);
	switch (rq->m.r->id) {
	case RT_ADMIN_BUILD_RETRY:
		rc = store_request_build(rq->st, "retry", rq->actor, &nid, &err);
		flash = "retried";
		if (rc == 0)
			(void)store_audit(rq->st, rq->actor, "admin.build_retry",
			    NULL, detail, &err);
		snprintf(to, sizeof(to), "/admin/builds");
		break;
	case RT_ADMIN_BUILD_CANCEL:
		rc = store_build_cancel(rq->st, rq->m.id, &err);
		flash = "cancelled";
		if (rc == 0)
			(void)store_audit(rq->st, rq->actor,
			    "admin.build_cancel", NULL, detail, &err);
		break;
	default:
		if (strcmp(str_or(b, "status", ""), "succeeded")) {
			buf_setf(&err, "only a succeeded build can be rolled "
			    "back to");
			rc = 1;
			break;
		}
		rc = store_build_rollback_request(rq->st, rq->m.id, &err);
		flash = "rollback";
		if (rc == 0)
			(void)store_audit(rq->st, rq->actor, "admin.rollback",
			    NULL, detail, &err);
		break;
	}
	pthread_mutex_unlock(&h->wmu);
	queue_wake();
	json_decref(b);
	if (rc != 0)
		r = error_page(h, conn, url, rq, rc == 1 ? 409 :
		    http_kind_status(store_err_kind(rq->st)), "Cannot do that",
		    err.buf);
	else
		r = done(h, conn, url, to, flash);
	buf_release(&err);
	return r;
}

static enum MHD_Result
rollback_confirm(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq)
{
	struct buf err = BUF_INIT;
	json_t *b = NULL, *list = NULL, *undone, *x, *ctx;
	enum MHD_Result r;
	size_t i;

	if (build_or_error(h, conn, url, rq, false, &b, &r) == -1)
		return r;
	if (strcmp(str_or(b, "status", ""), "succeeded")) {
		json_decref(b);
		return error_page(h, conn, url, rq, 409, "Cannot roll back",
		    "Only a succeeded build can be rolled back to.");
	}
	/* what will change: the succeeded builds after it, newest first */
	undone = json_array();
	if (store_build_list(rq->st, 1000, &list, &err) == 0)
		json_array_foreach(list, i, x) {
			int64_t id = json_integer_value(json_object_get(x,
			    "id"));
			char *who;
			if (id <= rq->m.id || strcmp(str_or(x, "status", ""),
			    "succeeded"))
				continue;
			who = who_of(rq, id);
			json_array_append_new(undone, json_pack("{s:I, s:s, "
			    "s:o, s:s}", "id", (json_int_t)id, "finished",
			    str_or(x, "finished_at", ""), "reasons",
			    jsafe_string(str_or(x, "reasons", "")), "who",
			    who));
			free(who);
		}
	json_decref(list);
	buf_release(&err);
	ctx = context(conn, rq, "Roll back");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "has_undone", json_boolean(
	    json_array_size(undone) > 0));
	json_object_set_new(ctx, "undone", undone);
	json_object_set_new(ctx, "b", b);
	return page(h, conn, url, 200, "build_rollback", ctx, NULL);
}

/* ---- the audit log ---- */

static json_t *
query_value(const char *s)
{
	struct buf b = BUF_INIT;
	json_t *v;

	query_escape(s, &b);
	v = jsafe_string(b.buf ? b.buf : "");
	buf_release(&b);
	return v;
}

static enum MHD_Result
audit(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *user = arg(conn, "user"), *path = arg(conn, "page");
	const char *pg = arg(conn, "p"), *errstr;
	struct buf err = BUF_INIT, link = BUF_INIT;
	json_t *list = NULL, *rows, *v, *ctx;
	size_t current = 1, i;

	if (user && !*user)
		user = NULL;
	if (path && !*path)
		path = NULL;
	if (path && *path == '/')
		path++;
	if (pg && (current = (size_t)strtonum(pg, 1, 100000, &errstr), errstr))
		current = 1;
	if (store_audit_query(rq->st, user, path, (current - 1) * PAGE_SIZE,
	    PAGE_SIZE + 1, &list, &err) == -1) {
		buf_release(&err);
		return error_page(h, conn, url, rq, 503, "Unavailable",
		    "The audit log cannot be read now.");
	}
	rows = json_array();
	json_array_foreach(list, i, v) {
		if (i >= PAGE_SIZE)
			break;
		json_object_set_new(v, "actor_q", query_value(str_or(v,
		    "actor", "")));
		json_object_set_new(v, "path_q", query_value(str_or(v, "path",
		    "")));
		if (!*str_or(v, "path", ""))
			json_object_del(v, "path");
		json_array_append(rows, v);
	}
	ctx = context(conn, rq, "Audit log");
	json_object_set_new(ctx, "nav_audit", json_true());
	json_object_set_new(ctx, "user", jsafe_string(user ? user : ""));
	json_object_set_new(ctx, "page", jsafe_string(path ? path : ""));
	json_object_set_new(ctx, "rows", rows);
	if (current > 1 || json_array_size(list) > PAGE_SIZE) {
		json_t *pager = json_pack("{s:I}", "current",
		    (json_int_t)current);
		for (int dir = -1; dir <= 1; dir += 2) {
			if ((dir < 0 && current == 1) || (dir > 0 &&
			    json_array_size(list) <= PAGE_SIZE))
				continue;
			buf_reset(&link);
			buf_printf(&link, "/admin/audit?p=%zu", current +
			    (size_t)dir);
			if (user) {
				buf_adds(&link, "&user=");
				query_escape(user, &link);
			}
			if (path) {
				buf_adds(&link, "&page=");
				query_escape(path, &link);
			}
			json_object_set_new(pager, dir < 0 ? "prev" : "next",
			    json_string(link.buf));
		}
		json_object_set_new(ctx, "pager", pager);
	}
	json_decref(list);
	buf_release(&err);
	buf_release(&link);
	return page(h, conn, url, 200, "audit", ctx, NULL);
}

/* ---- review decisions ---- */

static enum MHD_Result
review_decide(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	bool approve = rq->m.r->id == RT_ADMIN_REVIEW_APPROVE;
	const char *comment = field(form, "comment"), *flash;
	struct buf err = BUF_INIT;
	struct page_info p;
	json_t *rl = NULL, *rv = NULL, *x;
	enum MHD_Result r;
	int64_t gl = 0;
	size_t i;
	int rc = -1;
	char subj[400];

	memset(&p, 0, sizeof(p));
	if (!approve && !*comment)
		return error_page(h, conn, url, rq, 400, "Comment needed",
		    "Say what to change: the editor sees your comment.");
	if (store_review_list(rq->st, 0, &rl, &err) == 0)
		json_array_foreach(rl, i, x)
			if (json_integer_value(json_object_get(x, "id")) ==
			    rq->m.id)
				rv = x;
	if (!rv) {
		r = error_page(h, conn, url, rq, 409, "Already decided",
		    "This review is not waiting any more.");
		goto out;
	}
	if (page_or_error(h, conn, url, rq, json_integer_value(
	    json_object_get(rv, "page_id")), &p, &r) == -1)
		goto out;
	if (approve && p.latest_revision != json_integer_value(
	    json_object_get(rv, "revision_id"))) {
		r = error_page(h, conn, url, rq, 409, "Changed since",
		    "The page changed after it was submitted: open it, check "
		    "the latest revision and publish it from the editor.");
		goto out;
	}
	gl = json_integer_value(json_object_get(rv, "go_live_at"));
	pthread_mutex_lock(&h->wmu);
	rc = store_review_decide(rq->st, rq->m.id, approve, comment,
	    rq->actor, &err);
	/* approve: publish now, or schedule at the go-live asked for */
	if (rc == 0 && approve)
		rc = store_page_publish(rq->st, p.path, gl > time_now() ? gl :
		    0, rq->actor, &err);
	pthread_mutex_unlock(&h->wmu);
	queue_wake();
	if (rc != 0) {
		r = error_page(h, conn, url, rq, rc == 1 ? 409 :
		    http_kind_status(store_err_kind(rq->st)), "Cannot do that",
		    err.buf);
		goto out;
	}
	snprintf(subj, sizeof(subj), "%s %s \"%s\"%s%s", rq->actor,
	    approve ? "approved" : "rejected", p.title, *comment ? ": " : "",
	    comment);
	tell(h, subj, subj);
	flash = !approve ? "rejected" : gl > time_now() ?
	    "approved_scheduled" : "approved";
	r = done(h, conn, url, "/admin/", flash);
out:
	json_decref(rl);
	page_info_release(&p);
	buf_release(&err);
	return r;
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
		return send_reply(conn, url, &rp, "text/plain", "not found\n",
		    10);
	}
	if ((dot = strrchr(rq->m.path, '.')) && !strcmp(dot, ".css"))
		type = "text/css; charset=utf-8";
	else if (dot && !strcmp(dot, ".js"))
		type = "text/javascript; charset=utf-8";
	return send_reply(conn, url, &rp, type, (const char *)f->data, f->len);
}

/* ---- dispatch ---- */

enum MHD_Result
admin_dispatch(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *method, struct req *rq)
{
	struct buf err = BUF_INIT;
	json_t *form = NULL;
	enum MHD_Result r;

	switch (rq->m.r->id) {
	case RT_ADMIN_ROOT:
		return redirect(conn, url, "/admin/", NULL);
	case RT_ADMIN_STATIC:
		return static_file(conn, url, rq);
	default:
		break;
	}
	if (!rq->st && !(rq->st = http_pool_get(h, &err))) {
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return error_page(h, conn, url, rq, 503, "Unavailable",
		    "The store cannot be opened now.");
	}
	store_err_clear(rq->st);
	if (!strcmp(method, "POST")) {
		const char *hdr = MHD_lookup_connection_value(conn,
		    MHD_HEADER_KIND, "X-CSRF-Token");
		if (!(form = admin_form_parse(rq->body.buf ? rq->body.buf : "",
		    rq->body.len)))
			return error_page(h, conn, url, rq, 400, "Bad request",
			    "The form could not be read.");
		/* the login form checks its own token (no session yet) */
		if (rq->m.r->id != RT_ADMIN_LOGIN && !admin_csrf_ok(rq->sid,
		    hdr ? hdr : field(form, "csrf"))) {
			json_decref(form);
			return error_page(h, conn, url, rq, 403,
			    "Form expired", "This form was not sent by this "
			    "site or is from an earlier session: reload the "
			    "page and try again.");
		}
	}
	switch (rq->m.r->id) {
	case RT_ADMIN_LOGIN:
		if (form)
			r = login(h, conn, url, rq, form);
		else if (rq->role > ROLE_ANON)
			r = redirect(conn, url, "/admin/", NULL);
		else
			r = login_form(h, conn, url, rq, 200, "", arg(conn,
			    "next"), NULL, 0);
		break;
	case RT_ADMIN_LOGOUT:
		if (form)
			r = logout(h, conn, url, rq);
		else
			r = page(h, conn, url, 200, "logout", context(conn, rq,
			    "Log out"), NULL);
		break;
	case RT_ADMIN_PAGES:
		r = pages(h, conn, url, rq);
		break;
	case RT_ADMIN_PAGE_NEW:
		r = page_new(h, conn, url, rq, form);
		break;
	case RT_ADMIN_PAGE_EDIT:
		r = page_edit(h, conn, url, rq, form);
		break;
	case RT_ADMIN_PAGE_DELETE:
		r = page_delete(h, conn, url, rq, form);
		break;
	case RT_ADMIN_REVISIONS:
		r = revisions(h, conn, url, rq);
		break;
	case RT_ADMIN_REVISION:
		r = revision(h, conn, url, rq);
		break;
	case RT_ADMIN_COMPARE:
		r = compare(h, conn, url, rq);
		break;
	case RT_ADMIN_REVERT:
		r = revert(h, conn, url, rq);
		break;
	case RT_ADMIN_BUILDS:
		r = builds(h, conn, url, rq);
		break;
	case RT_ADMIN_BUILD:
	case RT_ADMIN_BUILD_STATUS:
		r = build(h, conn, url, rq);
		break;
	case RT_ADMIN_BUILD_ROLLBACK:
		r = form ? build_action(h, conn, url, rq) :
		    rollback_confirm(h, conn, url, rq);
		break;
	case RT_ADMIN_BUILD_RETRY:
	case RT_ADMIN_BUILD_CANCEL:
		r = build_action(h, conn, url, rq);
		break;
	case RT_ADMIN_AUDIT:
		r = audit(h, conn, url, rq);
		break;
	case RT_ADMIN_REVIEW_APPROVE:
	case RT_ADMIN_REVIEW_REJECT:
		r = review_decide(h, conn, url, rq, form);
		break;
	default:
		r = error_page(h, conn, url, rq, 404, "Not found",
		    "There is no such admin page.");
		break;
	}
	json_decref(form);
	return r;
}
