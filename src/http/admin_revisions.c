/* SPDX-License-Identifier: ISC */
/*
 * admin_revisions.c: a page's revisions in the admin: list, view, compare
 * two (a line diff), revert to one.
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

/* ---- revisions ---- */

/* page ID into *P, or an error page queued into *R; 0 / -1 */
int
admin_page_or_error(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, int64_t id, struct page_info *p,
    enum MHD_Result *r)
{
	struct buf err = BUF_INIT;
	int rc = store_page_get_id(rq->st, id, p, &err);

	buf_release(&err);
	if (rc == 0)
		return 0;
	*r = admin_error(h, conn, url, rq, rc == 1 ? 404 : 503, rc == 1 ?
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
	*r = admin_error(h, conn, url, rq, 404, "Not found",
	    "There is no such revision of this page.");
	return -1;
}

static json_t *
revision_json(const struct revision_info *rv)
{
	struct buf tags = BUF_INIT;
	char iso[32], hum[40], d[32] = "";
	json_t *o;

	admin_human_time(rv->created_at, iso, sizeof(iso), hum, sizeof(hum));
	if (rv->date)
		time_format(rv->date, "%Y-%m-%d", d, sizeof(d));
	admin_tags_text(rv->tags, &tags);
	o = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "id",
	    (json_int_t)rv->id, "author", jsafe_string(rv->author), "at_iso",
	    iso, "at", hum, "title", jsafe_string(rv->title), "summary",
	    jsafe_string(rv->summary), "body", jsafe_string(rv->body), "date",
	    d, "tags", jsafe_string(tags.buf ? tags.buf : ""));
	buf_release(&tags);
	return o;
}

enum MHD_Result
admin_revisions(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	struct buf err = BUF_INIT;
	struct page_info p;
	json_t *list = NULL, *rows, *v, *ctx;
	enum MHD_Result r;
	size_t i;

	memset(&p, 0, sizeof(p));
	if (admin_page_or_error(h, conn, url, rq, rq->m.id, &p, &r) == -1)
		return r;
	if (store_revision_list(rq->st, p.id, &list, &err) == -1) {
		r = admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The revisions cannot be read now.");
		goto out;
	}
	rows = json_array();
	json_array_foreach(list, i, v) {
		int64_t id = json_integer_value(json_object_get(v, "id"));
		char iso[32], hum[40];
		admin_human_time(json_integer_value(json_object_get(v,
		    "created_at")), iso, sizeof(iso), hum, sizeof(hum));
		json_array_append_new(rows, json_pack("{s:I, s:O, s:O, s:s, "
		    "s:s, s:b, s:b, s:b}", "id", (json_int_t)id, "author",
		    json_object_get(v, "author"), "title", json_object_get(v,
		    "title"), "at_iso", iso, "at", hum, "latest",
		    id == p.latest_revision, "live", id == p.live_revision,
		    "from", i == 1));
	}
	ctx = admin_context(conn, rq, "Revisions");
	json_object_set_new(ctx, "page", admin_page_json(&p));
	json_object_set_new(ctx, "revisions", rows);
	r = admin_page(h, conn, url, 200, "revisions", ctx, NULL);
out:
	json_decref(list);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

enum MHD_Result
admin_revision(struct http *h, struct MHD_Connection *conn, const char *url,
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
	if (admin_page_or_error(h, conn, url, rq, rv.page_id, &p, &r) == 0) {
		ctx = admin_context(conn, rq, "Revision");
		json_object_set_new(ctx, "page", admin_page_json(&p));
		json_object_set_new(ctx, "rev", revision_json(&rv));
		r = admin_page(h, conn, url, 200, "revision", ctx, NULL);
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

enum MHD_Result
admin_compare(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *fa = admin_arg(conn, "from"), *fb = admin_arg(conn, "to");
	const char *e1, *e2;
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
		return admin_error(h, conn, url, rq, 400, "Bad request",
		    "Choose two revisions to compare (from and to).");
	if (admin_page_or_error(h, conn, url, rq, rq->m.id, &p, &r) == -1)
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
	ctx = admin_context(conn, rq, "Compare");
	json_object_set_new(ctx, "page", admin_page_json(&p));
	json_object_set_new(ctx, "a", ja);
	json_object_set_new(ctx, "b", jb);
	json_object_set_new(ctx, "has_fields", json_boolean(
	    json_array_size(fields) > 0));
	json_object_set_new(ctx, "fields", fields);
	json_object_set_new(ctx, "diff", lines);
	json_object_set_new(ctx, "partial", json_boolean(!minimal));
	r = admin_page(h, conn, url, 200, "compare", ctx, NULL);
out:
	revision_info_release(&ra);
	revision_info_release(&rb);
	page_info_release(&p);
	return r;
}

enum MHD_Result
admin_revert(struct http *h, struct MHD_Connection *conn, const char *url,
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
	if (admin_page_or_error(h, conn, url, rq, rv.page_id, &p, &r) == -1)
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
	snprintf(to, sizeof(to), "/admin/pages/%lld", (long long)p.id);
	r = admin_finish(h, conn, url, rq, rc == 0 ? 0 : -1, &err,
	    "Cannot revert", to, "reverted");
out:
	revision_info_release(&rv);
	page_info_release(&p);
	buf_release(&err);
	return r;
}
