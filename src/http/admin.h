/* SPDX-License-Identifier: ISC */
/*
 * admin.h: the web admin inside kiln serve (admin.c), as http.c calls it.
 */
#ifndef KILN_ADMIN_H
#define KILN_ADMIN_H

#include <stdbool.h>
#include <microhttpd.h>

struct buf;
struct http;
struct req;

/* templates parsed, rate limits ready; -1 with err */
int admin_start(struct http *h, struct buf *err);
void admin_stop(struct http *h);
/* is URL /admin or under /admin/? */
bool admin_url(const char *url);
/*
 * Before the body: 0 to read it (session found, role enough, body cap
 * set), or 1 when an answer is already queued in rq->early (303 to the
 * login, 403, 404, 413).
 */
unsigned admin_admit(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *method, struct req *rq);
/*
 * The session of the request's cookie for a route outside the admin's
 * own (the preview): 0 with rq->role and rq->actor set, or 1 when an
 * answer is queued in rq->early (303 to the login, 503).
 */
unsigned admin_session_or_login(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *method, struct req *rq);
/*
 * A piece of the body of a media upload (rq->upload set by admin_admit):
 * parsed as it comes and written to a file, never buffered whole.
 */
void admin_upload_data(struct req *rq, const char *data, size_t n);
/* the request is over: the upload's file and parser go */
void admin_upload_free(struct req *rq);
/* the request, body read */
enum MHD_Result admin_dispatch(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *method, struct req *rq);

#endif
