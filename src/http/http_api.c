/* SPDX-License-Identifier: ISC */
/*
 * http_api.c: the API's handlers (pages, builds, the build webhook,
 * metrics).  http.c has admitted the request (route, Host, role, body
 * cap) and lent it a store handle; a handler validates, writes to the
 * store and answers.
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <microhttpd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "http/http.h"
#include "http/http_int.h"
#include "http/route.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_token.h"

/* ---- inputs ---- */

/* a string field of the body, or NULL; *bad set if present but wrong */
static const char *
str_field(json_t *body, const char *name, const char **bad)
{
	json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = name;
		return NULL;
	}
	return json_string_value(v);
}

static int
time_field(json_t *body, const char *name, int64_t *t, const char **bad)
{
	const char *s = str_field(body, name, bad);

	*t = 0;
	if (*bad)
		return -1;
	if (s && time_parse_iso8601(s, t) == -1) {
		*bad = name;
		return -1;
	}
	return 0;
}

/* the body as a JSON object ({} when empty); NULL after replying */
static json_t *
body_object(struct MHD_Connection *conn, struct req *rq, enum MHD_Result *r)
{
	json_error_t jerr;
	json_t *body;

	if (!rq->body.len)
		return json_object();
	if (!jsafe_utf8_valid(rq->body.buf, rq->body.len)) {
		*r = http_reply_error(conn, 400, "the body is not valid UTF-8",
		    "body");
		return NULL;
	}
	body = json_loadb(rq->body.buf, rq->body.len, 0, &jerr);
	if (!body || !json_is_object(body)) {
		*r = http_reply_error(conn, 400, body ? "the body must be a "
		    "JSON object" : jerr.text, "body");
		json_decref(body);
		return NULL;
	}
	return body;
}

/* ---- pages ---- */

static bool
page_public(const struct page_info *p)
{
	return p->live && !p->expired;
}

json_t *
http_page_view(const struct req *rq, const struct page_info *p)
{
	return rq->role == ROLE_ANON ? page_info_public_json(p) :
	    page_info_json(p);
}

/*
 * The page a route names ({id}, {path} or ?path=) into *p: 0, or -1
 * after replying.  Anonymous callers see only live pages: any other is
 * "no such page", whether it exists or not.
 */
int
http_page_resolve(struct MHD_Connection *conn, struct req *rq,
    struct page_info *p, enum MHD_Result *r)
{
	struct buf err = BUF_INIT;
	const char *path = rq->m.path;
	char what[64];
	int got;

	if (rq->m.r->flags & RF_QPATH) {
		path = MHD_lookup_connection_value(conn,
		    MHD_GET_ARGUMENT_KIND, "path");
		if (!path) {
			*r = http_reply_error(conn, 400, "name the page: "
			    "?path=PATH (or use /api/v1/pages/ID/ACTION)",
			    "path");
			return -1;
		}
	}
	store_err_clear(rq->st);
	if (path)
		got = store_page_get(rq->st, path, p, &err);
	else
		got = store_page_get_id(rq->st, rq->m.id, p, &err);
	if (got == 0 && rq->role == ROLE_ANON && !page_public(p)) {
		page_info_release(p);
		got = 1;
	}
	if (got == 1) {
		if (path) {
			char *m = xasprintf("no page at '%s'", path);
			*r = http_reply_error(conn, 404, m, "path");
			free(m);
		} else {
			snprintf(what, sizeof(what), "no page with id %lld",
			    (long long)rq->m.id);
			*r = http_reply_error(conn, 404, what, "id");
		}
	} else if (got == -1)
		*r = http_reply_store_error(conn, rq->st, err.buf);
	buf_release(&err);
	return got == 0 ? 0 : -1;
}

/* answer STATUS with the page at PATH as it is now */
static enum MHD_Result
page_reply(struct MHD_Connection *conn, struct req *rq, unsigned status,
    const char *path)
{
	struct page_info p;
	struct buf err = BUF_INIT;
	enum MHD_Result r;
	int got;

	store_err_clear(rq->st);
	got = store_page_get(rq->st, path, &p, &err);
	if (got == 0)
		r = http_reply_json(conn, status, http_page_view(rq, &p));
	else if (got == 1)
		r = http_reply_error(conn, 404, "no such page", "path");
	else
		r = http_reply_store_error(conn, rq->st, err.buf);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

enum MHD_Result
http_pages_list(struct MHD_Connection *conn, struct req *rq)
{
	struct buf err = BUF_INIT;
	struct page_info *l;
	json_t *a;
	size_t n;
	enum MHD_Result r;

	if (store_page_list(rq->st, &l, &n, &err) == -1) {
		r = http_reply_store_error(conn, rq->st, err.buf);
		buf_release(&err);
		return r;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		if (rq->role > ROLE_ANON || page_public(&l[i]))
			json_array_append_new(a, http_page_view(rq, &l[i]));
	store_page_list_free(l, n);
	return http_reply_json(conn, 200, a);
}

static enum MHD_Result
forbidden(struct MHD_Connection *conn, struct req *rq, enum http_role need)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "this needs the %s role; this token is %s",
	    role_name(need), role_name(rq->role));
	return http_reply_error(conn, 403, msg, NULL);
}

/* the fields of a new page: NULL, or the first missing or invalid one */
static const char *
create_fields(json_t *body, struct page_fields *f, const char **pp)
{
	const char *bad = NULL;

	*pp = str_field(body, "path", &bad);
	f->title = str_field(body, "title", &bad);
	f->body = str_field(body, "body", &bad);
	f->summary = str_field(body, "summary", &bad);
	f->template = str_field(body, "template", &bad);
	f->tags = json_object_get(body, "tags");
	f->extra = json_object_get(body, "params");
	if (!bad)
		time_field(body, "date", &f->date, &bad);
	if (!bad && !*pp)
		bad = "path";
	if (!bad && !f->title)
		bad = "title";
	return bad;
}

/*
 * One page write: what it changes, given the route's page P (none for a
 * create) and its JSON BODY.  0 when done, with the page's path in
 * PATH; -1 with a store error in err; 1 after replying in *r.
 */
struct page_write {
	struct MHD_Connection *conn;
	struct req *rq;
	json_t *body;
	const struct page_info *p;
	bool publish;
	struct buf *path;
	enum MHD_Result *r;
};

static int
write_create(struct page_write *w, struct buf *err)
{
	struct page_fields f = { 0 };
	const char *pp = NULL, *bad;

	if ((bad = create_fields(w->body, &f, &pp)) != NULL) {
		*w->r = http_reply_error(w->conn, 400, "missing or invalid "
		    "field", bad);
		return 1;
	}
	if (store_page_save(w->rq->st, pp, &f, true, w->publish,
	    w->rq->actor, NULL, err) == -1)
		return -1;
	return path_canonicalize(pp, w->path, err);
}

static int
write_edit(struct page_write *w, struct buf *err)
{
	struct page_fields f = { 0 };
	const char *bad = NULL;

	f.title = str_field(w->body, "title", &bad);
	f.body = str_field(w->body, "body", &bad);
	f.summary = str_field(w->body, "summary", &bad);
	f.tags = json_object_get(w->body, "tags");
	f.extra = json_object_get(w->body, "params");
	if (bad) {
		*w->r = http_reply_error(w->conn, 400, "expected a string",
		    bad);
		return 1;
	}
	buf_adds(w->path, w->p->path);
	return store_page_save(w->rq->st, w->p->path, &f, false, w->publish,
	    w->rq->actor, NULL, err);
}

static int
write_delete(struct page_write *w, struct buf *err)
{
	if (store_page_delete(w->rq->st, w->p->path, w->rq->actor,
	    err) == -1)
		return -1;
	*w->r = http_reply_json(w->conn, 202, json_pack("{s:o, s:I}",
	    "deleted", jsafe_string(w->p->path), "id", (json_int_t)w->p->id));
	return 1;
}

/* publish now or at go_live, unpublish, schedule go_live and expire */
static int
write_state(struct page_write *w, struct buf *err)
{
	const char *bad = NULL, *path = w->p->path;
	int64_t gl = 0, ex = 0;
	enum route_id id = w->rq->m.r->id;

	if (id != RT_PAGE_UNPUBLISH && (time_field(w->body, "go_live", &gl,
	    &bad) == -1 || (id == RT_PAGE_SCHEDULE && time_field(w->body,
	    "expire", &ex, &bad) == -1))) {
		*w->r = http_reply_error(w->conn, 400, "expected an ISO 8601 "
		    "time", bad);
		return 1;
	}
	buf_adds(w->path, path);
	if (id == RT_PAGE_PUBLISH)
		return store_page_publish(w->rq->st, path, gl, w->rq->actor,
		    err);
	if (id == RT_PAGE_UNPUBLISH)
		return store_page_unpublish(w->rq->st, path, w->rq->actor,
		    err);
	return store_page_schedule(w->rq->st, path, gl, ex, w->rq->actor,
	    err);
}

static int
page_write_do(struct page_write *w, struct buf *err)
{
	switch (w->rq->m.r->id) {
	case RT_PAGE_CREATE:
		return write_create(w, err);
	case RT_PAGE_EDIT:
		return write_edit(w, err);
	case RT_PAGE_DELETE:
		return write_delete(w, err);
	case RT_PAGE_PUBLISH:
	case RT_PAGE_UNPUBLISH:
	case RT_PAGE_SCHEDULE:
		return write_state(w, err);
	default:
		*w->r = http_reply_error(w->conn, 405, "method not allowed",
		    NULL);
		return 1;
	}
}

enum MHD_Result
http_page_write(struct MHD_Connection *conn, struct req *rq)
{
	struct buf err = BUF_INIT, path = BUF_INIT;
	struct page_info p;
	struct page_write w = { conn, rq, NULL, &p, false, &path, NULL };
	enum MHD_Result r = MHD_NO;
	int rc;

	memset(&p, 0, sizeof(p));
	w.r = &r;
	if (!(w.body = body_object(conn, rq, &r)))
		return r;
	w.publish = json_is_true(json_object_get(w.body, "publish"));
	if (rq->role < route_need(rq->m.r, w.publish)) {
		r = forbidden(conn, rq, route_need(rq->m.r, w.publish));
		goto out;
	}
	if (rq->m.r->id != RT_PAGE_CREATE && http_page_resolve(conn, rq, &p,
	    &r) == -1)
		goto out;
	store_err_clear(rq->st);
	if ((rc = page_write_do(&w, &err)) == -1)
		r = http_reply_store_error(conn, rq->st, err.buf);
	else if (rc == 0)
		r = page_reply(conn, rq, 202, path.buf);
out:
	page_info_release(&p);
	json_decref(w.body);
	buf_release(&err);
	buf_release(&path);
	return r;
}

/* ---- builds ---- */

enum MHD_Result
http_builds(struct MHD_Connection *conn, struct req *rq)
{
	struct buf err = BUF_INIT;
	json_t *v = NULL;
	int64_t id = rq->m.id, req;
	enum MHD_Result r;
	int rr;

	switch (rq->m.r->id) {
	case RT_BUILDS_LIST:
		if (store_build_list(rq->st, 100, &v, &err) == -1)
			goto fail;
		return http_reply_json(conn, 200, v);
	case RT_BUILD_REQUEST:
		if (store_request_build(rq->st, "manual", rq->actor, &req,
		    &err) == -1)
			goto fail;
		return http_reply_json(conn, 202, json_pack("{s:I}", "request",
		    (json_int_t)req));
	case RT_BUILD_CANCEL:
		store_err_clear(rq->st);
		rr = store_build_cancel(rq->st, id, &err);
		if (rr == -1)
			goto fail;
		r = rr == 0 ? http_reply_json(conn, 202, json_pack(
		    "{s:I, s:s}", "build", (json_int_t)id, "status",
		    "cancelled")) : http_reply_error(conn, http_kind_status(
		    store_err_kind(rq->st)), err.buf, "id");
		buf_release(&err);
		return r;
	default:
		break;
	}
	store_err_clear(rq->st);
	rr = store_build_get(rq->st, id, rq->m.r->id == RT_BUILD_LOG, &v,
	    &err);
	if (rr == -1)
		goto fail;
	if (rr == 1 || !v) {
		buf_release(&err);
		return http_reply_error(conn, http_kind_status(
		    store_err_kind(rq->st)), "no such build", "id");
	}
	if (rq->m.r->id == RT_BUILD_LOG) {
		const char *l = json_string_value(json_object_get(v, "log"));
		if (!l)
			l = "";
		r = http_reply(conn, 200, "text/plain; charset=utf-8", l,
		    strlen(l));
		json_decref(v);
		return r;
	}
	if (rq->m.r->id == RT_BUILD_GET)
		return http_reply_json(conn, 200, v);
	json_decref(v);
	/* RT_BUILD_ROLLBACK: the worker does it, handlers never deploy; only
	   to a build whose tree production had (the store says which) */
	if ((rr = store_build_rollback_request(rq->st, id, &err)) == -1)
		goto fail;
	if (rr == 1) {
		r = http_reply_error(conn, http_kind_status(
		    store_err_kind(rq->st)), err.buf, "id");
		buf_release(&err);
		return r;
	}
	return http_reply_json(conn, 202, json_pack("{s:I, s:b}", "rollback_to",
	    (json_int_t)id, "queued", 1));
fail:
	r = http_reply_store_error(conn, rq->st, err.buf);
	buf_release(&err);
	return r;
}

enum MHD_Result
http_hook_build(struct http *h, struct MHD_Connection *conn,
    struct req *rq)
{
	const char *var = h->c->serve.webhook_secret_env;
	const char *secret = var ? getenv(var) : NULL;
	const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-Kiln-Signature");
	unsigned char mac[32];
	char hex[65], want[80];
	struct buf err = BUF_INIT;
	enum MHD_Result r;
	int64_t req;

	if (!secret || !*secret)
		return http_reply_error(conn, 404, "the build webhook is not "
		    "configured (serve.webhook_secret_env)", NULL);
	hmac_sha256(secret, strlen(secret), rq->body.buf, rq->body.len, mac);
	hex_encode(mac, 32, hex);
	snprintf(want, sizeof(want), "sha256=%s", hex);
	if (!sig || !str_ct_equal(sig, want))
		return http_reply_error(conn, 401, "bad or missing signature",
		    "X-Kiln-Signature");
	if (store_request_build(rq->st, "webhook", "webhook", &req,
	    &err) == -1) {
		r = http_reply_store_error(conn, rq->st, err.buf);
		buf_release(&err);
		return r;
	}
	return http_reply_json(conn, 202, json_pack("{s:I}", "request",
	    (json_int_t)req));
}

enum MHD_Result
http_metrics(struct http *h, struct MHD_Connection *conn,
    struct req *rq)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	enum MHD_Result r;

	if (http_metrics_text(rq->st, atomic_load(&h->requests), &out,
	    &err) == -1)
		r = http_reply_store_error(conn, rq->st, err.buf);
	else
		r = http_reply(conn, 200, "text/plain; version=0.0.4", out.buf,
		    out.len);
	buf_release(&out);
	buf_release(&err);
	return r;
}

