/* SPDX-License-Identifier: ISC */
/*
 * http.c: the daemon's HTTP face on libmicrohttpd: the JSON API under
 * /api/v1/, /healthz, /metrics, and the site of the first dir target at /
 * (so a single `kiln serve` shows the deployed demo).
 *
 * Handlers validate and write to the store (a content change and its
 * build request in one transaction) and answer 202; they never render or
 * deploy: the worker does.  One MHD thread owns one store handle.  Bad
 * input gets a JSON error naming the field: 400, 401 (no or unknown
 * token), 403 (role too low), 404, 405, 413 (body over serve.max_body).
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "http/http.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_queue.h"

struct http {
	const struct conf *c;
	struct store *st;
	struct MHD_Daemon *d;
	char *site_root;	/* first dir target, or NULL */
	atomic_long requests;
};

struct req {
	struct buf body;
	bool too_big;
};

enum role { R_NONE, R_EDITOR, R_PUBLISHER, R_ADMIN };

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply_json(struct MHD_Connection *conn, unsigned status, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2));
	enum MHD_Result r = reply(conn, status, "application/json", s,
	    strlen(s));

	free(s);
	json_decref(v);
	return r;
}

static enum MHD_Result
reply_error(struct MHD_Connection *conn, unsigned status, const char *msg,
    const char *field)
{
	return reply_json(conn, status, json_pack("{s:s, s:s?}", "error", msg,
	    "field", field));
}

static enum role
role_of(const char *r)
{
	if (!strcmp(r, "admin"))
		return R_ADMIN;
	if (!strcmp(r, "publisher"))
		return R_PUBLISHER;
	if (!strcmp(r, "editor"))
		return R_EDITOR;
	return R_NONE;
}

/* 0 ok (actor filled), else the HTTP status to answer */
static unsigned
authorize(struct http *h, struct MHD_Connection *conn, enum role need,
    char *actor, size_t actorsz)
{
	const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization");
	char name[128], role[32];
	struct buf err = BUF_INIT;
	int r;

	if (!a || strncmp(a, "Bearer ", 7) != 0 || strlen(a + 7) != 64)
		return 401;
	r = queue_token_check(h->st, a + 7, name, sizeof(name), role,
	    sizeof(role), &err);
	buf_release(&err);
	if (r != 0)
		return 401;
	if (role_of(role) < need)
		return 403;
	snprintf(actor, actorsz, "token:%s", name);
	return 0;
}

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

static enum MHD_Result
page_reply(struct http *h, struct MHD_Connection *conn, unsigned status,
    const char *path)
{
	struct page_info p;
	struct buf err = BUF_INIT;
	enum MHD_Result r;
	int got = store_page_get(h->st, path, &p, &err);

	if (got != 0) {
		r = got == 1 ? reply_error(conn, 404, "no such page", "path") :
		    reply_error(conn, 500, err.buf, NULL);
		buf_release(&err);
		return r;
	}
	r = reply_json(conn, status, page_info_json(&p));
	page_info_release(&p);
	buf_release(&err);
	return r;
}

/* 400 for validation messages, 404 for a missing page, 409 otherwise */
static unsigned
store_status(const char *msg)
{
	if (strstr(msg, "no page at"))
		return 404;
	if (strstr(msg, "store:"))
		return 500;
	return 400;
}

static const char *
field_of(const char *msg)
{
	static const char *fields[] = { "title", "path", "go_live",
		"expire_at", "tags", "body", "template" };

	for (size_t i = 0; i < NELEM(fields); i++)
		if (!strncmp(msg, fields[i], strlen(fields[i])))
			return fields[i];
	if (strstr(msg, "slug") || strstr(msg, "path"))
		return "path";
	return NULL;
}

static enum MHD_Result
api_pages(struct http *h, struct MHD_Connection *conn, const char *method,
    const char *rest, struct req *rq)
{
	struct buf err = BUF_INIT, path = BUF_INIT;
	const char *action = NULL, *bad = NULL, *slash;
	char actor[160];
	json_t *body = NULL;
	json_error_t jerr;
	unsigned st;
	enum MHD_Result r;
	int rc = 0;

	/* /api/v1/pages[/PATH[/ACTION]] */
	if (*rest == '/')
		rest++;
	slash = strrchr(rest, '/');
	if (slash && (!strcmp(slash, "/publish") || !strcmp(slash,
	    "/unpublish") || !strcmp(slash, "/schedule"))) {
		action = slash + 1;
		buf_add(&path, rest, (size_t)(slash - rest));
	} else
		buf_adds(&path, rest);
	if (!strcmp(method, "GET")) {
		if (!path.len && !action) {
			struct page_info *l;
			size_t n;
			json_t *a = json_array();
			if (store_page_list(h->st, &l, &n, &err) == -1) {
				json_decref(a);
				r = reply_error(conn, 500, err.buf, NULL);
				goto out;
			}
			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, page_info_json(&l[i]));
			store_page_list_free(l, n);
			r = reply_json(conn, 200, a);
			goto out;
		}
		r = page_reply(h, conn, 200, path.buf);
		goto out;
	}
	if (strcmp(method, "POST") && strcmp(method, "PUT") &&
	    strcmp(method, "DELETE")) {
		r = reply_error(conn, 405, "method not allowed", NULL);
		goto out;
	}
	st = authorize(h, conn, action || !strcmp(method, "DELETE") ?
	    R_PUBLISHER : R_EDITOR, actor, sizeof(actor));
	if (st) {
		r = reply_error(conn, st, st == 401 ? "missing or unknown "
		    "bearer token" : "this token's role may not do that",
		    NULL);
		goto out;
	}
	if (rq->body.len) {
		body = json_loadb(rq->body.buf, rq->body.len, 0, &jerr);
		if (!body || !json_is_object(body)) {
			json_decref(body);
			r = reply_error(conn, 400, body ? "the body must be a "
			    "JSON object" : jerr.text, NULL);
			goto out;
		}
	} else
		body = json_object();
	if (!strcmp(method, "POST") && !action && !path.len) {
		struct page_fields f = { 0 };
		const char *p = str_field(body, "path", &bad);
		f.title = str_field(body, "title", &bad);
		f.body = str_field(body, "body", &bad);
		f.summary = str_field(body, "summary", &bad);
		f.template = str_field(body, "template", &bad);
		f.tags = json_object_get(body, "tags");
		f.extra = json_object_get(body, "params");
		if (!bad)
			time_field(body, "date", &f.date, &bad);
		if (!bad && !p)
			bad = "path";
		if (!bad && !f.title)
			bad = "title";
		if (bad) {
			r = reply_error(conn, 400, "missing or invalid field",
			    bad);
			goto out;
		}
		rc = store_page_create(h->st, p, &f, actor, NULL, &err);
		if (rc == 0 && json_is_true(json_object_get(body, "publish")))
			rc = store_page_publish(h->st, p, 0, actor, &err);
		if (rc == 0) {
			buf_reset(&path);
			path_canonicalize(p, &path, &err);
		}
	} else if (!strcmp(method, "PUT") && !action) {
		struct page_fields f = { 0 };
		f.title = str_field(body, "title", &bad);
		f.body = str_field(body, "body", &bad);
		f.summary = str_field(body, "summary", &bad);
		f.tags = json_object_get(body, "tags");
		f.extra = json_object_get(body, "params");
		if (bad) {
			r = reply_error(conn, 400, "expected a string", bad);
			goto out;
		}
		rc = store_page_edit(h->st, path.buf, &f, actor, &err);
		if (rc == 0 && json_is_true(json_object_get(body, "publish")))
			rc = store_page_publish(h->st, path.buf, 0, actor,
			    &err);
	} else if (!strcmp(method, "DELETE") && !action) {
		rc = store_page_delete(h->st, path.buf, actor, &err);
		if (rc == 0) {
			r = reply_json(conn, 202, json_pack("{s:s}", "deleted",
			    path.buf));
			goto out;
		}
	} else if (action && !strcmp(action, "publish")) {
		int64_t at;
		if (time_field(body, "go_live", &at, &bad) == -1) {
			r = reply_error(conn, 400, "expected an ISO 8601 time",
			    bad);
			goto out;
		}
		rc = store_page_publish(h->st, path.buf, at, actor, &err);
	} else if (action && !strcmp(action, "unpublish")) {
		rc = store_page_unpublish(h->st, path.buf, actor, &err);
	} else if (action && !strcmp(action, "schedule")) {
		int64_t gl = 0, ex = 0;
		if (time_field(body, "go_live", &gl, &bad) == -1 ||
		    time_field(body, "expire", &ex, &bad) == -1) {
			r = reply_error(conn, 400, "expected an ISO 8601 time",
			    bad);
			goto out;
		}
		rc = store_page_schedule(h->st, path.buf, gl, ex, actor, &err);
	} else {
		r = reply_error(conn, 405, "method not allowed", NULL);
		goto out;
	}
	if (rc == -1) {
		r = reply_error(conn, store_status(err.buf), err.buf,
		    field_of(err.buf));
		goto out;
	}
	r = page_reply(h, conn, 202, path.buf);
out:
	json_decref(body);
	buf_release(&err);
	buf_release(&path);
	return r;
}

static enum MHD_Result
api_builds(struct http *h, struct MHD_Connection *conn, const char *method,
    const char *rest)
{
	struct buf err = BUF_INIT;
	char actor[160];
	json_t *v = NULL;
	const char *errstr;
	int64_t id, req;
	bool log = false;
	unsigned st;
	enum MHD_Result r;

	if (*rest == '/')
		rest++;
	if (!strcmp(method, "POST") && !*rest) {
		if ((st = authorize(h, conn, R_PUBLISHER, actor,
		    sizeof(actor))) != 0)
			return reply_error(conn, st, st == 401 ? "missing or "
			    "unknown bearer token" : "this token's role may "
			    "not do that", NULL);
		if (store_request_build(h->st, "manual", actor, &req,
		    &err) == -1) {
			r = reply_error(conn, 500, err.buf, NULL);
			buf_release(&err);
			return r;
		}
		return reply_json(conn, 202, json_pack("{s:I}", "request",
		    (json_int_t)req));
	}
	/* POST /api/v1/builds/ID/cancel */
	if (!strcmp(method, "POST") && strlen(rest) > 7 &&
	    !strcmp(rest + strlen(rest) - 7, "/cancel")) {
		char num[32];
		int rr;
		if ((st = authorize(h, conn, R_PUBLISHER, actor,
		    sizeof(actor))) != 0)
			return reply_error(conn, st, st == 401 ? "missing or "
			    "unknown bearer token" : "this token's role may "
			    "not do that", NULL);
		snprintf(num, sizeof(num), "%.*s", (int)(strlen(rest) - 7),
		    rest);
		id = strtonum(num, 1, INT64_MAX, &errstr);
		if (errstr)
			return reply_error(conn, 400, "expected a build id",
			    "id");
		rr = queue_cancel(h->st, id, &err);
		r = rr == 0 ? reply_json(conn, 202, json_pack("{s:I, s:s}",
		    "build", (json_int_t)id, "status", "cancelled")) :
		    reply_error(conn, rr == 1 ? 409 : 500, err.buf, "id");
		buf_release(&err);
		return r;
	}
	/* POST /api/v1/builds/ID/rollback: re-deploy that build's tree */
	if (!strcmp(method, "POST") && strlen(rest) > 9 &&
	    !strcmp(rest + strlen(rest) - 9, "/rollback")) {
		char num[32];
		int64_t nid;
		if ((st = authorize(h, conn, R_PUBLISHER, actor,
		    sizeof(actor))) != 0)
			return reply_error(conn, st, st == 401 ? "missing or "
			    "unknown bearer token" : "this token's role may "
			    "not do that", NULL);
		snprintf(num, sizeof(num), "%.*s", (int)(strlen(rest) - 9),
		    rest);
		id = strtonum(num, 1, INT64_MAX, &errstr);
		if (errstr)
			return reply_error(conn, 400, "expected a build id",
			    "id");
		if (queue_get(h->st, id, false, &v, &err) != 0) {
			buf_release(&err);
			return reply_error(conn, 404, "no such build", "id");
		}
		json_decref(v);
		/* the worker does it: handlers never deploy */
		if (queue_rollback_request(h->st, id, &err) == -1) {
			r = reply_error(conn, 500, err.buf, NULL);
			buf_release(&err);
			return r;
		}
		(void)nid;
		return reply_json(conn, 202, json_pack("{s:I, s:b}",
		    "rollback_to", (json_int_t)id, "queued", 1));
	}
	if (strcmp(method, "GET"))
		return reply_error(conn, 405, "method not allowed", NULL);
	if (!*rest) {
		if (queue_list(h->st, 100, &v, &err) == -1) {
			r = reply_error(conn, 500, err.buf, NULL);
			buf_release(&err);
			return r;
		}
		return reply_json(conn, 200, v);
	}
	if (strlen(rest) > 4 && !strcmp(rest + strlen(rest) - 4, "/log")) {
		char num[32];
		snprintf(num, sizeof(num), "%.*s", (int)(strlen(rest) - 4),
		    rest);
		id = strtonum(num, 1, INT64_MAX, &errstr);
		log = true;
	} else
		id = strtonum(rest, 1, INT64_MAX, &errstr);
	if (errstr)
		return reply_error(conn, 400, "expected a build id", "id");
	if (queue_get(h->st, id, log, &v, &err) != 0) {
		buf_release(&err);
		return reply_error(conn, 404, "no such build", "id");
	}
	if (log) {
		const char *l = json_string_value(json_object_get(v, "log"));
		r = reply(conn, 200, "text/plain; charset=utf-8", l, strlen(l));
		json_decref(v);
		return r;
	}
	return reply_json(conn, 200, v);
}

static enum MHD_Result
hook_build(struct http *h, struct MHD_Connection *conn, struct req *rq)
{
	const char *var = h->c->serve.webhook_secret_env;
	const char *secret = var ? getenv(var) : NULL;
	const char *sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-Kiln-Signature");
	unsigned char mac[32];
	char hex[65], want[80];
	struct buf err = BUF_INIT;
	int64_t req;

	if (!secret || !*secret)
		return reply_error(conn, 404, "the build webhook is not "
		    "configured (serve.webhook_secret_env)", NULL);
	hmac_sha256(secret, strlen(secret), rq->body.buf, rq->body.len, mac);
	hex_encode(mac, 32, hex);
	snprintf(want, sizeof(want), "sha256=%s", hex);
	if (!sig || !str_ct_equal(sig, want))
		return reply_error(conn, 401, "bad or missing signature",
		    "X-Kiln-Signature");
	if (store_request_build(h->st, "webhook", "webhook", &req, &err) == -1) {
		enum MHD_Result r = reply_error(conn, 500, err.buf, NULL);
		buf_release(&err);
		return r;
	}
	return reply_json(conn, 202, json_pack("{s:I}", "request",
	    (json_int_t)req));
}

static enum MHD_Result
metrics(struct http *h, struct MHD_Connection *conn)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	json_t *s = NULL, *v;
	const char *k;
	int64_t seq = 0;
	enum MHD_Result r;

	if (queue_stats(h->st, &s, &err) == -1) {
		r = reply_error(conn, 500, err.buf, NULL);
		buf_release(&err);
		return r;
	}
	store_change_seq(h->st, &seq, &err);
	buf_adds(&out, "# HELP kiln_builds Builds by status.\n"
	    "# TYPE kiln_builds gauge\n");
	json_object_foreach(json_object_get(s, "builds"), k, v)
		buf_printf(&out, "kiln_builds{status=\"%s\"} %lld\n", k,
		    (long long)json_integer_value(v));
	buf_printf(&out, "# HELP kiln_pending_requests Build requests no build "
	    "has satisfied yet.\n# TYPE kiln_pending_requests gauge\n"
	    "kiln_pending_requests %lld\n", (long long)json_integer_value(
	    json_object_get(s, "pending_requests")));
	buf_printf(&out, "# HELP kiln_pending_request_age_seconds Age of the "
	    "oldest pending request.\n# TYPE kiln_pending_request_age_seconds "
	    "gauge\nkiln_pending_request_age_seconds %lld\n",
	    (long long)json_integer_value(json_object_get(s,
	    "oldest_pending_age")));
	buf_printf(&out, "# HELP kiln_change_sequence The content change "
	    "sequence.\n# TYPE kiln_change_sequence counter\n"
	    "kiln_change_sequence %lld\n", (long long)seq);
	buf_printf(&out, "# HELP kiln_http_requests_total HTTP requests "
	    "served.\n# TYPE kiln_http_requests_total counter\n"
	    "kiln_http_requests_total %ld\n", atomic_load(&h->requests));
	if (queue_metrics(h->st, &out, &err) == -1) {
		r = reply_error(conn, 500, err.buf, NULL);
		json_decref(s);
		buf_release(&out);
		buf_release(&err);
		return r;
	}
	r = reply(conn, 200, "text/plain; version=0.0.4", out.buf, out.len);
	json_decref(s);
	buf_release(&out);
	buf_release(&err);
	return r;
}

/* the site of the first dir target: GET /x/ -> ROOT/x/index.html */
static enum MHD_Result
static_file(struct http *h, struct MHD_Connection *conn, const char *url)
{
	struct buf clean = BUF_INIT, why = BUF_INIT;
	struct MHD_Response *resp;
	struct stat st;
	char *file = NULL;
	unsigned status = 200;
	enum MHD_Result r;
	int fd;

	if (!h->site_root)
		return reply_error(conn, 404, "not found", NULL);
	if (strcmp(url, "/") == 0 || url[strlen(url) - 1] == '/')
		file = xasprintf("%s%sindex.html", h->site_root, url);
	else if (path_clean_rel(url, &clean, &why) == 0)
		file = xasprintf("%s/%s", h->site_root, clean.buf);
	if (file && strstr(file, "/../")) {
		free(file);
		file = NULL;
	}
	if (!file || stat(file, &st) == -1 || !S_ISREG(st.st_mode)) {
		free(file);
		file = xasprintf("%s/404.html", h->site_root);
		status = 404;
	}
	buf_release(&clean);
	buf_release(&why);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		free(file);
		return reply(conn, 404, "text/plain", "not found\n", 10);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	MHD_add_response_header(resp, "Content-Type", mime_type_for(file));
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	free(file);
	return r;
}

/* the API: pages, builds and the build hook */
static enum MHD_Result
api(struct http *h, struct MHD_Connection *conn, const char *method,
    const char *url, struct req *rq)
{
	if (!strncmp(url, "/api/v1/pages", 13) && (url[13] == '\0' ||
	    url[13] == '/'))
		return api_pages(h, conn, method, url + 13, rq);
	if (!strncmp(url, "/api/v1/builds", 14) && (url[14] == '\0' ||
	    url[14] == '/'))
		return api_builds(h, conn, method, url + 14);
	if (!strcmp(url, "/api/v1/hooks/build") && !strcmp(method, "POST"))
		return hook_build(h, conn, rq);
	return reply_error(conn, 404, "no such route", NULL);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		buf_init(&rq->body, (size_t)h->c->serve.max_body);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (buf_add(&rq->body, upload, *upload_size) == -1)
			rq->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&h->requests, 1);
	if (rq->too_big)
		return reply_error(conn, 413, "request body too large",
		    NULL);
	if (!strcmp(url, "/healthz"))
		return reply_json(conn, 200, json_pack("{s:s}", "status",
		    "ok"));
	if (!strcmp(url, "/metrics"))
		return metrics(h, conn);
	if (!strncmp(url, "/api/", 5)) {
		enum MHD_Result r = api(h, conn, method, url, rq);
		/* a write may have requested a build: start it now */
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			queue_wake();
		return r;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_error(conn, 405, "method not allowed", NULL);
	return static_file(h, conn, url);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!rq)
		return;
	buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

struct http *
http_start(const struct conf *c, const char *listen, struct buf *err)
{
	struct http *h;
	struct sockaddr_in sa;
	const char *colon = strrchr(listen, ':');
	char host[64];
	long port;
	const char *errstr;

	if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
		buf_setf(err, "listen address '%s': expected HOST:PORT",
		    listen);
		return NULL;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	port = (long)strtonum(colon + 1, 1, 65535, &errstr);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (errstr || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		buf_setf(err, "listen address '%s': expected IPv4:PORT",
		    listen);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->c = c;
	if (store_open_conf(c, &h->st, err) == -1) {
		free(h);
		return NULL;
	}
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->targets[i].type == CONF_TARGET_DIR) {
			h->site_root = conf_path(c, c->targets[i].path);
			break;
		}
	h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handler, h,
	    MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, completed,
	    h, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!h->d) {
		buf_setf(err, "cannot listen on %s", listen);
		http_stop(h);
		return NULL;
	}
	return h;
}

void
http_stop(struct http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	store_close(h->st);
	free(h->site_root);
	free(h);
}
