/* SPDX-License-Identifier: ISC */
/*
 * http_int.h: what the HTTP face's files share: http.c (the server, its
 * connections and the request's life), http_api.c (the API's handlers),
 * http_metrics.c (the Prometheus text).
 */
#ifndef KILN_HTTP_INT_H
#define KILN_HTTP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <microhttpd.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/error.h"
#include "http/route.h"

struct admin;
struct page_info;
struct store;

/* a connection as the reaper sees it */
enum conn_phase { C_HEAD, C_BODY, C_RUN };

struct conn {
	struct conn *prev, *next;
	int fd;
	enum conn_phase phase;
	int64_t since;		/* mono_ms() when the phase began */
	bool shut;
};

struct http {
	const struct conf *c;
	struct MHD_Daemon *d;
	char *site_root;	/* first dir target, or NULL */
	const struct conf_target *site_target;	/* that target */
	char *listen_host;
	bool loopback;		/* bound to loopback: check Host */
	atomic_long requests;
	pthread_mutex_t mu;	/* guards pool, conns, stopping */
	pthread_mutex_t wmu;	/* one API write at a time (see dispatch) */
	pthread_cond_t cv;
	struct store **pool;	/* idle store handles */
	size_t npool, apool;
	struct conn *conns;
	pthread_t reaper;
	bool reaper_on, stopping;
	struct admin *admin;	/* the web admin (admin.c) */
};

struct admin_upload;

struct req {
	struct route_match m;
	struct store *st;	/* from the pool, or NULL */
	enum http_role role;
	char actor[160];
	struct buf body;
	bool too_big;
	bool answered;		/* a 413 already queued mid-body */
	char sid[65];		/* the admin session's id, or "" */
	enum MHD_Result early;	/* admin_admit's queued answer */
	struct admin_upload *upload;	/* a media upload, streamed */
};

/* a store handle from the pool (http.c); NULL with err */
struct store *http_pool_get(struct http *h, struct buf *err);

/*
 * The body limit of RQ's role (serve.max_body, or max_anonymous_body
 * without a role): -1 when the request's Content-Length is over it or
 * not a number; else 0 and RQ's body buffer readied for it.
 */
int http_body_admit(const struct http *h, struct MHD_Connection *conn,
    struct req *rq);

/* ---- replies (http.c); each consumes what it is given ---- */

enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned status,
    const char *type, const char *body, size_t len);
/* V is consumed (a reference is stolen); never fails to answer */
enum MHD_Result http_reply_json(struct MHD_Connection *conn,
    unsigned status, json_t *v);
/* {"error": MSG, "field": FIELD} (FIELD may be NULL) */
enum MHD_Result http_reply_error(struct MHD_Connection *conn,
    unsigned status, const char *msg, const char *field);
/* the status of an error kind: not found 404, conflict 409, ... */
unsigned http_kind_status(enum err_kind k);
/* MSG with the status of ST's last error kind */
enum MHD_Result http_reply_store_error(struct MHD_Connection *conn,
    struct store *st, const char *msg);

/* ---- handlers (http_api.c) ---- */

enum MHD_Result http_pages_list(struct MHD_Connection *conn,
    struct req *rq);
/*
 * The page the request names (?path= or ?id=): 0 and *p filled, or -1
 * with the answer already queued in *r.
 */
int http_page_resolve(struct MHD_Connection *conn, struct req *rq,
    struct page_info *p, enum MHD_Result *r);
/* the JSON of P the caller may see (a new reference) */
json_t *http_page_view(const struct req *rq, const struct page_info *p);
enum MHD_Result http_page_write(struct MHD_Connection *conn,
    struct req *rq);
enum MHD_Result http_builds(struct MHD_Connection *conn, struct req *rq);
enum MHD_Result http_hook_build(struct http *h, struct MHD_Connection *conn,
    struct req *rq);
enum MHD_Result http_metrics(struct http *h, struct MHD_Connection *conn,
    struct req *rq);
/* the preview routes, RT_PREVIEW* (http_preview.c) */
enum MHD_Result http_preview(struct http *h, struct MHD_Connection *conn,
    struct req *rq);

/*
 * Append the Prometheus text of /metrics to OUT (http_metrics.c):
 * builds by status, the queue, REQUESTS served, and the histograms of
 * the build history.
 */
int http_metrics_text(struct store *st, long requests, struct buf *out,
    struct buf *err);

#endif
