/* SPDX-License-Identifier: ISC */
/*
 * admin_int.h: what the admin's files (admin*.c) share: the replies, the
 * common page context and the screens' handlers, which admin_dispatch()
 * (admin.c) calls by route.
 */
#ifndef KILN_ADMIN_INT_H
#define KILN_ADMIN_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <microhttpd.h>
#include <jansson.h>

#include "http/admin_auth.h"

struct buf;
struct http;
struct page_info;
struct req;
struct tmpl_set;

#define ADMIN_PAGE_SIZE	50	/* rows of a table screen */

struct admin {
	struct tmpl_set *tmpl;
	struct admin_rl rl;
};

struct reply {
	unsigned status;
	const char *location;		/* 303 */
	const char *cookies[3];		/* Set-Cookie values */
	int64_t retry_after;		/* 429 */
};

/* admin.c: replies */
enum MHD_Result admin_send(struct MHD_Connection *conn, const char *url,
    const struct reply *rp, const char *type, const char *body, size_t len);
enum MHD_Result admin_redirect(struct MHD_Connection *conn, const char *url,
    const char *to, const char *cookie);
/* a Set-Cookie value (malloc'd); MAXAGE < 0: delete it */
char *admin_cookie(struct http *h, struct MHD_Connection *conn,
    const char *name, const char *value, int64_t maxage);
/* the common context: title, me {name, role}, csrf, flash */
json_t *admin_context(struct MHD_Connection *conn, const struct req *rq,
    const char *title);
/* render template NAME with CTX (consumed) and send it */
enum MHD_Result admin_page(struct http *h, struct MHD_Connection *conn,
    const char *url, unsigned status, const char *name, json_t *ctx,
    const char *set_cookie);
enum MHD_Result admin_error(struct http *h, struct MHD_Connection *conn,
    const char *url, const struct req *rq, unsigned status,
    const char *heading, const char *message);
/* 303 to TO with flash CODE */
enum MHD_Result admin_done(struct http *h, struct MHD_Connection *conn,
    const char *url, const char *to, const char *code);
/*
 * The end of a form handler after its write (write lock released): wake
 * the worker, then the error page HEADING with err (RC 1: 409, else the
 * store's error kind) or a 303 to TO with flash CODE.
 */
enum MHD_Result admin_finish(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, int rc, const struct buf *err,
    const char *heading, const char *to, const char *code);
void admin_query_escape(const char *s, struct buf *out);
json_t *admin_query_value(const char *s);
const char *admin_arg(struct MHD_Connection *conn, const char *name);
const char *admin_field(json_t *form, const char *name);
const char *admin_str_or(json_t *o, const char *k, const char *dflt);
void admin_human_time(int64_t t, char *iso, size_t isosz, char *human,
    size_t humansz);
/* an <input type=date|datetime-local> value as a time; "" is 0 */
int admin_form_time(const char *s, int64_t *t);
/* mail (or post) a review step through the notify settings, if any */
void admin_tell(struct http *h, const char *subject, const char *body);

/* admin_pages.c */
json_t *admin_pager(const char *base, size_t current, size_t last,
    const char *const names[], const char *const values[], size_t nv);
/* the page number in query argument NAME (1 when missing or wrong) */
size_t admin_page_arg(struct MHD_Connection *conn, const char *name);
const char *admin_badge(const char *status);
/* tags as "a, b, c" */
void admin_tags_text(json_t *tags, struct buf *out);
json_t *admin_page_json(const struct page_info *p);
enum MHD_Result admin_pages(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_page_new(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, json_t *form);
enum MHD_Result admin_page_edit(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, json_t *form);
enum MHD_Result admin_page_delete(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq,
    json_t *form);
enum MHD_Result admin_review_decide(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq,
    json_t *form);

/* admin_revisions.c */
/* page ID into *P, or an error page queued into *R; 0 / -1 */
int admin_page_or_error(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, int64_t id, struct page_info *p,
    enum MHD_Result *r);
enum MHD_Result admin_revisions(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_revision(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_compare(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_revert(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);

/* admin_builds.c */
enum MHD_Result admin_builds(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_build(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_build_action(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq);
enum MHD_Result admin_rollback_confirm(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq);

/* admin_audit.c */
enum MHD_Result admin_audit(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);

/* admin_fields.c: kiln.yaml admin.fields */
struct conf;
/* the fields for the editor's template, with VALUES (name -> text) */
json_t *admin_fields_view(const struct conf *c, json_t *values);
/*
 * The params of a page: BASE (may be NULL) with the fields of FORM set
 * (an empty one removed) into *EXTRA (new; the caller frees it, also on
 * error).  0, or -1 with "NAME: reason" in err.
 */
int admin_fields_read(const struct conf *c, json_t *form, json_t *base,
    json_t **extra, struct buf *err);

/* admin_media.c */
/* admin_admit() for an upload: the body streams to a file; 0, or 1 */
unsigned admin_media_admit(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_media(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq);
enum MHD_Result admin_media_upload(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq);
enum MHD_Result admin_media_insert(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq,
    json_t *form);
enum MHD_Result admin_media_delete(struct http *h,
    struct MHD_Connection *conn, const char *url, struct req *rq,
    json_t *form);

#endif
