/* SPDX-License-Identifier: ISC */
/*
 * http.c: the daemon's HTTP face on libmicrohttpd: the JSON API under
 * /api/v1/, /healthz, /metrics, and the site of the first dir target at /
 * (so a single `kiln serve` shows the deployed demo).
 *
 * Handlers validate and write to the store (a content change and its
 * build request in one transaction) and answer 202; they never render or
 * deploy: the worker does.  Who may do what is the table in route.c.
 *
 * Surviving clients (issue #12, decisions 0056 and 0057):
 *  - a thread per connection, so one request waiting on a SQLite lock
 *    never delays another (/healthz touches no store at all); store
 *    handles come from a pool, one per running request;
 *  - a connection limit and a per-IP limit; a reaper thread shuts the
 *    socket of a client whose headers (serve.header_timeout) or body
 *    (serve.body_timeout) take too long, so trickling clients cannot
 *    hold their slots;
 *  - the route, the Host header and the token are checked when the
 *    headers are in, before any body is read: a request that will be
 *    refused is answered at once, and a body is only buffered up to the
 *    cap of its caller (serve.max_anonymous_body, serve.max_body);
 *  - every input is checked to be UTF-8 and every JSON reply is total:
 *    strings are sanitized (jsonsafe.h) and a reply that cannot be
 *    encoded falls back to a fixed error body, never NULL.
 * Errors are JSON {"error", "field"} with the status the store's error
 * kind (common/error.h) maps to.
 */
#include "common/compat.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <microhttpd.h>
#include <openssl/evp.h>
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
#include "http/admin.h"
#include "http/http.h"
#include "http/http_int.h"
#include "http/route.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_token.h"

static const char fallback_body[] =
    "{\"error\": \"internal error: the reply could not be encoded\"}";

/* ---- replies ---- */

enum MHD_Result
http_reply(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Total: V may be NULL (a json_pack that met bad bytes) and the dump may
 * fail; either way the client gets a 500 with a fixed body.  Takes V.
 */
enum MHD_Result
http_reply_json(struct MHD_Connection *conn, unsigned status, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_INDENT(2)) : NULL;
	enum MHD_Result r;

	json_decref(v);
	if (!s) {
		log_warnx("http: a reply could not be encoded as JSON");
		return http_reply(conn, 500, "application/json", fallback_body,
		    sizeof(fallback_body) - 1);
	}
	r = http_reply(conn, status, "application/json", s, strlen(s));
	free(s);
	return r;
}

enum MHD_Result
http_reply_error(struct MHD_Connection *conn, unsigned status,
    const char *msg, const char *field)
{
	json_t *o = json_object();

	json_object_set_new(o, "error", jsafe_string(msg));
	if (field)
		json_object_set_new(o, "field", jsafe_string(field));
	return http_reply_json(conn, status, o);
}

unsigned
http_kind_status(enum err_kind k)
{
	switch (k) {
	case ERR_NOT_FOUND:
		return 404;
	case ERR_CONFLICT:
		return 409;
	case ERR_FORBIDDEN:
		return 403;
	case ERR_UNAVAILABLE:
		return 503;
	case ERR_INTERNAL:
		return 500;
	default:
		return 400;
	}
}

/*
 * The API's name for the input a store error names (store_err_field):
 * the same, but for the page's extra fields, which the API calls
 * "params", and the expiry, which it calls "expire".
 */
static const char *
api_field(const char *store_field)
{
	if (store_field && !strcmp(store_field, "extra"))
		return "params";
	if (store_field && !strcmp(store_field, "expire_at"))
		return "expire";
	return store_field;
}

enum MHD_Result
http_reply_store_error(struct MHD_Connection *conn, struct store *st,
    const char *msg)
{
	unsigned status = http_kind_status(store_err_kind(st));

	return http_reply_error(conn, status, msg, status == 400 ?
	    api_field(store_err_field(st)) : NULL);
}

/* ---- store handles ---- */

static struct store *
pool_get(struct http *h, struct buf *err)
{
	struct store *st = NULL;

	pthread_mutex_lock(&h->mu);
	if (h->npool)
		st = h->pool[--h->npool];
	pthread_mutex_unlock(&h->mu);
	if (!st && store_open_conf(h->c, &st, err) == -1)
		return NULL;
	store_err_clear(st);
	return st;
}

struct store *
http_pool_get(struct http *h, struct buf *err)
{
	return pool_get(h, err);
}

static void
pool_put(struct http *h, struct store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&h->mu);
	if (h->npool == h->apool) {
		h->apool = h->apool ? h->apool * 2 : 8;
		h->pool = xreallocarray(h->pool, h->apool, sizeof(*h->pool));
	}
	h->pool[h->npool++] = st;
	pthread_mutex_unlock(&h->mu);
}

struct arg_check {
	const char *bad;	/* first argument that is not UTF-8 */
};

static enum MHD_Result
check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct arg_check *ac = cls;

	(void)kind;
	if (!jsafe_utf8_valid(key, strlen(key)) || (value &&
	    !jsafe_utf8_valid(value, strlen(value)))) {
		ac->bad = key;
		return MHD_NO;
	}
	return MHD_YES;
}

static bool
is_loopback(const struct sockaddr *sa)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return false;
}

/*
 * DNS rebinding: a page on evil.example whose name now resolves to
 * 127.0.0.1 can make a browser talk to a daemon bound to loopback, but
 * the browser still sends Host: evil.example.  Such a daemon answers
 * only for loopback names, its listen address and serve.allowed_hosts.
 */
static bool
host_allowed(const struct http *h, const char *host)
{
	static const char *const local[] = { "localhost", "127.0.0.1",
		"[::1]" };
	size_t n;

	if (!h->loopback || !host)
		return true;
	if (host[0] == '[')
		n = strcspn(host, "]") + (strchr(host, ']') ? 1 : 0);
	else
		n = strcspn(host, ":");
	if (host[n] == ':' && strspn(host + n + 1, "0123456789") !=
	    strlen(host + n + 1))
		return false;
	for (size_t i = 0; i < NELEM(local); i++)
		if (strlen(local[i]) == n && !strncasecmp(host, local[i], n))
			return true;
	if (strlen(h->listen_host) == n && !strncmp(host, h->listen_host, n))
		return true;
	for (size_t i = 0; i < h->c->serve.nallowed_hosts; i++) {
		const char *a = h->c->serve.allowed_hosts[i];
		if (strlen(a) == n && !strncasecmp(host, a, n))
			return true;
	}
	return false;
}

/* ---- the site of the first dir target ---- */

static bool
has_dot_component(const char *url)
{
	for (const char *p = url; *p; p++)
		if (*p == '.' && (p == url || p[-1] == '/'))
			return true;
	return false;
}

/*
 * A staging site (content: latest) is served behind HTTP basic auth:
 * the credentials must equal "user:password" in the variable named by
 * basic_auth_env, compared in constant time (as SHA-256s, so neither
 * length nor content leaks).  Without the variable nobody gets in.
 */
static bool
site_auth_ok(const struct http *h, struct MHD_Connection *conn)
{
	const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization");
	const char *want = h->site_target->basic_auth_env ?
	    getenv(h->site_target->basic_auth_env) : NULL;
	unsigned char dec[768];
	char hg[65], hw[65];
	size_t n;
	int len;
	bool ok;

	if (!want || !strchr(want, ':') || !a || strncasecmp(a, "Basic ", 6))
		return false;
	a += 6;
	n = strlen(a);
	if (n == 0 || n % 4 || n > 1000)
		return false;
	if ((len = EVP_DecodeBlock(dec, (const unsigned char *)a,
	    (int)n)) < 0)
		return false;
	/* EVP_DecodeBlock counts the padding's zero bytes */
	while (n && a[n - 1] == '=') {
		n--;
		len--;
	}
	sha256_hex(dec, (size_t)len, hg);
	sha256_hex(want, strlen(want), hw);
	ok = str_ct_equal(hg, hw);
	explicit_bzero(dec, sizeof(dec));
	return ok;
}

static enum MHD_Result
site_auth_ask(struct MHD_Connection *conn)
{
	static const char body[] = "{\"error\": \"this staging site needs "
	    "a user name and password\"}";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof(body) - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "WWW-Authenticate",
	    "Basic realm=\"staging\", charset=\"UTF-8\"");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Robots-Tag", "noindex, nofollow");
	ret = MHD_queue_response(conn, 401, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET /x/ -> ROOT/x/index.html; /x -> 301 /x/ when that is a folder */
static enum MHD_Result
static_file(struct http *h, struct MHD_Connection *conn, const char *url)
{
	struct buf clean = BUF_INIT, why = BUF_INIT;
	struct MHD_Response *resp;
	struct stat st;
	char *file = NULL;
	unsigned status = 200;
	enum MHD_Result r;
	bool staging;
	int fd;

	if (!h->site_root)
		return http_reply_error(conn, 404, "not found", NULL);
	staging = h->site_target->content == CONF_CONTENT_LATEST;
	if (staging && !site_auth_ok(h, conn))
		return site_auth_ask(conn);
	/* dotfiles (.kiln/, .git/, .htaccess) are never served */
	if (has_dot_component(url))
		;
	else if (strcmp(url, "/") == 0 || url[strlen(url) - 1] == '/') {
		if (path_clean_rel(url, &clean, &why) == 0 || !strcmp(url,
		    "/"))
			file = xasprintf("%s%sindex.html", h->site_root, url);
	} else if (path_clean_rel(url, &clean, &why) == 0) {
		file = xasprintf("%s/%s", h->site_root, clean.buf);
		if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *loc = xasprintf("%s/", url);
			free(file);
			buf_release(&clean);
			buf_release(&why);
			resp = MHD_create_response_from_buffer(0, NULL,
			    MHD_RESPMEM_PERSISTENT);
			if (!resp) {
				free(loc);
				return MHD_NO;
			}
			MHD_add_response_header(resp, "Location", loc);
			r = MHD_queue_response(conn, 301, resp);
			MHD_destroy_response(resp);
			free(loc);
			return r;
		}
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
		return http_reply(conn, 404, "text/plain", "not found\n", 10);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		free(file);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", mime_type_for(file));
	if (staging)
		MHD_add_response_header(resp, "X-Robots-Tag",
		    "noindex, nofollow");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	free(file);
	return r;
}

/* ---- the request's life ---- */

/* the reaper's view of CONN; the caller holds h->mu */
static void
conn_phase(struct MHD_Connection *conn, enum conn_phase ph)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;

	if (!c)
		return;
	c->phase = ph;
	c->since = mono_ms();
}

/*
 * Authenticate: ROLE_ANON without an Authorization header; 0 and
 * rq->role set, or the status to answer (401) with *msg.
 */
static unsigned
authenticate(struct http *h, struct MHD_Connection *conn, struct req *rq,
    const char **msg)
{
	const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization");
	char name[128], role[32];
	struct buf err = BUF_INIT;
	int r;

	rq->role = ROLE_ANON;
	if (!a)
		return 0;
	*msg = "missing or unknown bearer token";
	if (strncmp(a, "Bearer ", 7) != 0 || strlen(a + 7) != 64 ||
	    strspn(a + 7, "0123456789abcdefABCDEF") != 64)
		return 401;
	if (!rq->st && !(rq->st = pool_get(h, &err))) {
		log_warnx("http: %s", err.buf);
		buf_release(&err);
		*msg = "the store cannot be opened now";
		return 503;
	}
	r = store_token_check(rq->st, a + 7, name, sizeof(name), role,
	    sizeof(role), &err);
	buf_release(&err);
	if (r == -1) {
		*msg = "the token cannot be checked now";
		return 503;
	}
	if (r != 0 || role_parse(role) == ROLE_ANON)
		return 401;
	rq->role = role_parse(role);
	snprintf(rq->actor, sizeof(rq->actor), "token:%s", name);
	return 0;
}

/*
 * Who asks for an admin preview (RF_PREVIEW routes): an API token, as
 * authenticate(), or else the web admin's session cookie; without
 * either, the browser is sent to the login form (1: rq->early queued).
 */
static unsigned
preview_authenticate(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *method, struct req *rq, const char **msg)
{
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Authorization"))
		return authenticate(h, conn, rq, msg);
	return admin_session_or_login(h, conn, url, method, rq);
}

/* the daemon's own routes; everything else is the site */
static bool
routed(const char *url)
{
	return !strcmp(url, "/healthz") || !strcmp(url, "/metrics") ||
	    !strncmp(url, "/api/", 5) || !strncmp(url, "/admin/preview/", 15) ||
	    !strncmp(url, "/preview/", 9);
}

/*
 * Everything that can be decided from the headers, before any body is
 * read: 0 to go on, or the status to answer at once with *msg and *field.
 */
static unsigned
admit(struct http *h, struct MHD_Connection *conn, const char *url,
    const char *method, struct req *rq, const char **msg,
    const char **field)
{
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Host");
	struct arg_check ac = { NULL };
	unsigned st;

	*field = NULL;
	if (!jsafe_utf8_valid(url, strlen(url))) {
		*msg = "the URL is not valid UTF-8";
		*field = "url";
		return 400;
	}
	if (host && (!jsafe_utf8_valid(host, strlen(host)) ||
	    !host_allowed(h, host))) {
		*msg = "this Host is not served: the daemon listens on "
		    "loopback (add the name to serve.allowed_hosts)";
		*field = "Host";
		return 403;
	}
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_arg,
	    &ac);
	if (ac.bad) {
		*msg = "a query argument is not valid UTF-8";
		*field = "query";
		return 400;
	}
	/* the web admin: a session instead of a token (admin.c); its
	   previews take either (preview_authenticate) */
	if (admin_url(url) && strncmp(url, "/admin/preview/", 15) != 0)
		return admin_admit(h, conn, url, method, rq);
	if (!routed(url)) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
			*msg = "method not allowed";
			return 405;
		}
		/* the site: no token, the anonymous body cap */
		goto body;
	}
	st = (unsigned)route_find(method, url, &rq->m);
	if (st) {
		*msg = st == 404 ? "no such route (pages are /api/v1/pages/ID "
		    "or /api/v1/pages/by-path/PATH)" : "method not allowed";
		return st;
	}
	if (rq->m.r->flags & RF_PREVIEW)
		st = preview_authenticate(h, conn, url, method, rq, msg);
	else if (!(rq->m.r->flags & RF_NOAUTH))
		st = authenticate(h, conn, rq, msg);
	if (st)
		return st;
	if (rq->role < route_need(rq->m.r, false)) {
		const union MHD_ConnectionInfo *ci;
		if (rq->role == ROLE_ANON && (rq->m.r->flags & RF_LOCALOPEN) &&
		    h->c->serve.metrics_localhost &&
		    (ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS)) &&
		    is_loopback(ci->client_addr))
			goto body;
		*msg = rq->role == ROLE_ANON ? "this needs a bearer token" :
		    "this token's role may not do that";
		return rq->role == ROLE_ANON ? 401 : 403;
	}
body:
	if (http_body_admit(h, conn, rq) == -1) {
		*msg = "request body too large";
		return 413;
	}
	return 0;
}

int
http_body_admit(const struct http *h, struct MHD_Connection *conn,
    struct req *rq)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Length");
	int64_t cap = rq->role > ROLE_ANON ? h->c->serve.max_body :
	    h->c->serve.max_anonymous_body;

	if (cl) {
		const char *errstr;
		int64_t n = strtonum(cl, 0, INT64_MAX, &errstr);
		if (errstr || n > cap)
			return -1;
	}
	buf_init(&rq->body, (size_t)cap);
	return 0;
}

static enum MHD_Result
dispatch(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	enum MHD_Result r;

	if (!rq->m.r)
		return static_file(h, conn, url);
	if (rq->m.r->id == RT_HEALTHZ)
		return http_reply_json(conn, 200, json_pack("{s:s}", "status",
		    "ok"));
	if (!rq->st && !(rq->st = pool_get(h, &err))) {
		log_warnx("http: %s", err.buf);
		buf_release(&err);
		return http_reply_error(conn, 503, "the store cannot be "
		    "opened now", NULL);
	}
	store_err_clear(rq->st);
	switch (rq->m.r->id) {
	case RT_METRICS:
		return http_metrics(h, conn, rq);
	case RT_PAGES_LIST:
		return http_pages_list(conn, rq);
	case RT_PAGE_GET: {
		struct page_info p;
		memset(&p, 0, sizeof(p));
		if (http_page_resolve(conn, rq, &p, &r) == -1)
			return r;
		r = http_reply_json(conn, 200, http_page_view(rq, &p));
		page_info_release(&p);
		return r;
	}
	case RT_HOOK_BUILD:
		r = http_hook_build(h, conn, rq);
		break;
	case RT_PREVIEW:
	case RT_PREVIEW_LIVE:
	case RT_PREVIEW_SHARED:
		return http_preview(h, conn, rq);
	case RT_PREVIEW_LINK:
		/* saves the secret on first use: a writer */
		pthread_mutex_lock(&h->wmu);
		r = http_preview(h, conn, rq);
		pthread_mutex_unlock(&h->wmu);
		return r;
	case RT_BUILDS_LIST:
	case RT_BUILD_REQUEST:
	case RT_BUILD_GET:
	case RT_BUILD_LOG:
	case RT_BUILD_CANCEL:
	case RT_BUILD_ROLLBACK:
		if (rq->m.r->id != RT_BUILDS_LIST && rq->m.r->id !=
		    RT_BUILD_GET && rq->m.r->id != RT_BUILD_LOG)
			pthread_mutex_lock(&h->wmu);
		r = http_builds(conn, rq);
		if (rq->m.r->id != RT_BUILDS_LIST && rq->m.r->id !=
		    RT_BUILD_GET && rq->m.r->id != RT_BUILD_LOG)
			pthread_mutex_unlock(&h->wmu);
		break;
	default:
		/*
		 * Writers queue here rather than in SQLite's busy handler,
		 * whose sleeps grow while eight clients fight for the lock;
		 * readers and /healthz never wait for this.
		 */
		pthread_mutex_lock(&h->wmu);
		r = http_page_write(conn, rq);
		pthread_mutex_unlock(&h->wmu);
		break;
	}
	/* a write may have requested a build: start it now */
	queue_wake();
	return r;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct req *rq = *con_cls;
	const char *msg = NULL, *field = NULL;
	unsigned st;

	(void)version;
	if (!rq) {
		rq = xcalloc(1, sizeof(*rq));
		/* the anonymous cap until a token raises it (admit) */
		buf_init(&rq->body, (size_t)h->c->serve.max_anonymous_body);
		*con_cls = rq;
		pthread_mutex_lock(&h->mu);
		conn_phase(conn, C_BODY);
		pthread_mutex_unlock(&h->mu);
		if ((st = admit(h, conn, url, method, rq, &msg, &field))) {
			atomic_fetch_add(&h->requests, 1);
			if (st == 1)	/* the admin queued its answer */
				return rq->early;
			/* answered before the body: it is never read */
			return http_reply_error(conn, st, msg, field);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (rq->upload) {
			admin_upload_data(rq, upload, n);
			return MHD_YES;
		}
		if (rq->too_big)
			return MHD_YES;	/* discarded, never buffered */
		if (buf_add(&rq->body, upload, n) == -1) {
			rq->too_big = true;
			buf_release(&rq->body);
			/* answer now if MHD takes it mid-body, else at the end */
			if (http_reply_error(conn, 413, "request body too "
			    "large", NULL) == MHD_YES)
				rq->answered = true;
		}
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	pthread_mutex_lock(&h->mu);
	conn_phase(conn, C_RUN);
	pthread_mutex_unlock(&h->mu);
	atomic_fetch_add(&h->requests, 1);
	if (rq->too_big)
		return http_reply_error(conn, 413, "request body too large",
		    NULL);
	if (rq->m.r && (rq->m.r->flags & RF_ADMIN))
		return admin_dispatch(h, conn, url, method, rq);
	return dispatch(h, conn, url, rq);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct req *rq = *con_cls;

	(void)toe;
	pthread_mutex_lock(&h->mu);
	conn_phase(conn, C_HEAD);
	pthread_mutex_unlock(&h->mu);
	if (!rq)
		return;
	pool_put(h, rq->st);
	admin_upload_free(rq);
	buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* ---- connections and the reaper ---- */

static void
notify_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct http *h = cls;
	struct conn *c = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&h->mu);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		c = xcalloc(1, sizeof(*c));
		c->fd = ci ? ci->connect_fd : -1;
		c->phase = C_HEAD;
		c->since = mono_ms();
		c->next = h->conns;
		if (h->conns)
			h->conns->prev = c;
		h->conns = c;
		*socket_context = c;
	} else if (c) {
		/* before MHD closes the socket: the reaper never sees it */
		if (c->prev)
			c->prev->next = c->next;
		else
			h->conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		free(c);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->mu);
}

/*
 * Shut the socket of a connection whose headers or body are late: its
 * own thread then sees the end of the stream and closes it.  An idle
 * connection between requests counts as waiting for headers.
 */
static void *
reaper(void *arg)
{
	struct http *h = arg;
	int64_t head_ms = h->c->serve.header_timeout * 1000;
	int64_t body_ms = h->c->serve.body_timeout * 1000;

	pthread_mutex_lock(&h->mu);
	while (!h->stopping) {
		struct timespec ts;
		int64_t now = mono_ms();

		for (struct conn *c = h->conns; c; c = c->next) {
			int64_t lim = c->phase == C_HEAD ? head_ms :
			    c->phase == C_BODY ? body_ms : 0;
			if (!lim || c->shut || c->fd < 0 || now - c->since <=
			    lim)
				continue;
			shutdown(c->fd, SHUT_RDWR);
			c->shut = true;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->cv, &h->mu, &ts);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
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
	h->listen_host = xstrdup(host);
	/* an IPv4 listener (not through is_loopback: gcc -O2 warns that
	   its IPv6 branch reads past a sockaddr_in) */
	h->loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
	pthread_mutex_init(&h->mu, NULL);
	pthread_mutex_init(&h->wmu, NULL);
	pthread_cond_init(&h->cv, NULL);
	/* fail early when the store cannot be opened */
	{
		struct store *st = pool_get(h, err);
		if (!st) {
			http_stop(h);
			return NULL;
		}
		pool_put(h, st);
	}
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->targets[i].type == CONF_TARGET_DIR) {
			h->site_root = conf_path(c, c->targets[i].path);
			h->site_target = &c->targets[i];
			break;
		}
	if (admin_start(h, err) == -1) {
		http_stop(h);
		return NULL;
	}
	if (pthread_create(&h->reaper, NULL, reaper, h) != 0) {
		buf_setf(err, "http: cannot start the reaper thread");
		http_stop(h);
		return NULL;
	}
	h->reaper_on = true;
	h->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handler, h,
	    MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn, h,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)c->serve.idle_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->serve.max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)c->serve.max_connections_per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)512 * 1024,
	    MHD_OPTION_END);
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
	if (h->reaper_on) {
		pthread_mutex_lock(&h->mu);
		h->stopping = true;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->reaper, NULL);
	}
	admin_stop(h);
	for (size_t i = 0; i < h->npool; i++)
		store_close(h->pool[i]);
	free(h->pool);
	pthread_mutex_destroy(&h->mu);
	pthread_mutex_destroy(&h->wmu);
	pthread_cond_destroy(&h->cv);
	free(h->listen_host);
	free(h->site_root);
	free(h);
}
