/* SPDX-License-Identifier: ISC */
/*
 * admin_pages.c: the admin's page screens: the page tree (with the review
 * queue), create, edit, delete, and the review decisions.
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

/* ---- the page tree ---- */

const char *
admin_badge(const char *status)
{
	if (!strncmp(status, "live", 4))
		return "live";
	if (!strcmp(status, "scheduled") || !strcmp(status, "expired"))
		return status;
	return "draft";
}


/* the rows of LIST, the pages shown */
static json_t *
pages_rows(const struct page_info *list, size_t n)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct page_info *p = &list[i];
		char iso[32], hum[40];
		admin_human_time(p->updated_at, iso, sizeof(iso), hum,
		    sizeof(hum));
		json_array_append_new(rows, json_pack("{s:I, s:o, s:o, s:s, "
		    "s:s, s:o, s:s, s:s}", "id", (json_int_t)p->id, "title",
		    jsafe_string(p->title), "path", jsafe_string(p->path),
		    "status", p->status, "badge", admin_badge(p->status),
		    "author", jsafe_string(*p->author ? p->author : "?"),
		    "updated_iso", iso, "updated", hum));
	}
	return rows;
}

/* the status filter's choices, each with its count; *total: STATUS's */
static json_t *
pages_statuses(const int64_t counts[PAGE_NSTATUS], const char *status,
    size_t *total)
{
	json_t *sts = json_array();
	int64_t all = 0;
	char label[64];

	for (size_t i = 0; i < PAGE_NSTATUS; i++)
		all += counts[i];
	/* an unknown status matches nothing, as the query finds */
	*total = *status ? 0 : (size_t)all;
	snprintf(label, sizeof(label), "Any status (%lld)", (long long)all);
	json_array_append_new(sts, json_pack("{s:s, s:s, s:b}", "value", "",
	    "label", label, "selected", !*status));
	for (size_t i = 0; i < PAGE_NSTATUS; i++) {
		snprintf(label, sizeof(label), "%s (%lld)", page_statuses[i],
		    (long long)counts[i]);
		json_array_append_new(sts, json_pack("{s:s, s:s, s:b}",
		    "value", page_statuses[i], "label", label, "selected",
		    !strcmp(status, page_statuses[i])));
		if (!strcmp(status, page_statuses[i]))
			*total = (size_t)counts[i];
	}
	return sts;
}

/* the review queue a publisher sees, into CTX */
static void
pages_reviews(struct req *rq, json_t *ctx)
{
	struct buf err = BUF_INIT;
	json_t *rl = NULL, *rv;
	size_t k;

	if (store_review_list(rq->st, 0, &rl, &err) == 0) {
		json_array_foreach(rl, k, rv) {
			char iso[32], hum[40];
			int64_t gl = json_integer_value(json_object_get(rv,
			    "go_live_at"));
			admin_human_time(json_integer_value(json_object_get(rv,
			    "submitted_at")), iso, sizeof(iso), hum,
			    sizeof(hum));
			json_object_set_new(rv, "at_iso", json_string(iso));
			json_object_set_new(rv, "at", json_string(hum));
			if (gl) {
				admin_human_time(gl, iso, sizeof(iso), hum,
				    sizeof(hum));
				json_object_set_new(rv, "go_live",
				    json_string(hum));
			}
		}
		json_object_set_new(ctx, "has_reviews", json_boolean(
		    json_array_size(rl) > 0));
		json_object_set_new(ctx, "reviews", rl);
	}
	store_err_clear(rq->st);
	buf_release(&err);
}

/*
 * The pager of a table screen: BASE ("/admin/?page=") with the page
 * number and the query's other values (NAMES[i]=VALUES[i], "" left out),
 * or NULL when everything fits one page.
 */
json_t *
admin_pager(const char *base, size_t current, size_t last,
    const char *const names[], const char *const values[], size_t nv)
{
	struct buf link = BUF_INIT;
	json_t *pager;

	if (last <= 1)
		return NULL;
	pager = json_pack("{s:I, s:I}", "current", (json_int_t)current,
	    "last", (json_int_t)last);
	for (int dir = -1; dir <= 1; dir += 2) {
		size_t to = current + (size_t)dir;
		if ((dir < 0 && current <= 1) || (dir > 0 && current >= last))
			continue;
		buf_reset(&link);
		buf_printf(&link, "%s%zu", base, to);
		for (size_t i = 0; i < nv; i++)
			if (values[i] && *values[i]) {
				buf_printf(&link, "&%s=", names[i]);
				admin_query_escape(values[i], &link);
			}
		json_object_set_new(pager, dir < 0 ? "prev" : "next",
		    json_string(link.buf));
	}
	buf_release(&link);
	return pager;
}

/* ?page=N (1 when missing or wrong) */
size_t
admin_page_arg(struct MHD_Connection *conn, const char *name)
{
	const char *pg = admin_arg(conn, name), *errstr;
	size_t current;

	if (!pg)
		return 1;
	current = (size_t)strtonum(pg, 1, 1000000, &errstr);
	return errstr ? 1 : current;
}

/*
 * The page tree: the counts per status (one aggregate query) and the
 * rows of the page shown, filtered, searched and paginated in SQL
 * (decision 0280): the cost is what the screen shows, not the site.
 */
enum MHD_Result
admin_pages(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	static const char *const qnames[] = { "q", "status" };
	const char *q = admin_arg(conn, "q"), *status = admin_arg(conn,
	    "status"), *qvalues[2];
	struct buf err = BUF_INIT;
	struct page_info *list = NULL;
	struct page_filter f;
	int64_t counts[PAGE_NSTATUS];
	size_t n = 0, total = 0, current = admin_page_arg(conn, "page");
	json_t *ctx, *pager;

	q = q ? q : "";
	status = status ? status : "";
	f.q = q;
	f.status = status;
	f.offset = (current - 1) * ADMIN_PAGE_SIZE;
	f.limit = ADMIN_PAGE_SIZE;
	if (store_page_counts(rq->st, q, counts, &err) == -1 ||
	    store_page_find(rq->st, &f, &list, &n, &err) == -1) {
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The pages cannot be read now.");
	}
	ctx = admin_context(conn, rq, "Pages");
	json_object_set_new(ctx, "nav_pages", json_true());
	json_object_set_new(ctx, "q", jsafe_string(q));
	json_object_set_new(ctx, "statuses", pages_statuses(counts, status,
	    &total));
	json_object_set_new(ctx, "pages", pages_rows(list, n));
	if (rq->role >= ROLE_PUBLISHER)
		pages_reviews(rq, ctx);
	json_object_set_new(ctx, "total", json_integer((json_int_t)total));
	json_object_set_new(ctx, "one", json_boolean(total == 1));
	qvalues[0] = q;
	qvalues[1] = status;
	if ((pager = admin_pager("/admin/?page=", current, total ? (total +
	    ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE : 1, qnames, qvalues, 2)))
		json_object_set_new(ctx, "pager", pager);
	store_page_list_free(list, n);
	buf_release(&err);
	return admin_page(h, conn, url, 200, "pages", ctx, NULL);
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

void
admin_tags_text(json_t *tags, struct buf *out)
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


/* the form's values as the editor's "f" object (strings as typed) */
static json_t *
form_values(json_t *form)
{
	static const char *const names[] = { "path", "title", "summary",
		"body", "date", "tags", "go_live", "expire" };
	json_t *f = json_object();

	for (size_t i = 0; i < NELEM(names); i++)
		json_object_set_new(f, names[i], jsafe_string(admin_field(form,
		    names[i])));
	/* the site's own fields are read from it by name */
	json_object_set_new(f, "params", form ? json_incref(form) :
	    json_object());
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
	admin_tags_text(rv->tags, &tags);
	f = json_pack("{s:o, s:o, s:o, s:o, s:s, s:o, s:s, s:s}", "path",
	    jsafe_string(p->path), "title", jsafe_string(rv->title),
	    "summary", jsafe_string(rv->summary), "body",
	    jsafe_string(rv->body), "date", d, "tags",
	    jsafe_string(tags.buf ? tags.buf : ""), "go_live", gl, "expire",
	    ex);
	json_object_set_new(f, "params", rv->extra ?
	    json_incref(rv->extra) : json_object());
	buf_release(&tags);
	return f;
}

json_t *
admin_page_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:s, s:b}", "id",
	    (json_int_t)p->id, "path", jsafe_string(p->path), "title",
	    jsafe_string(p->title), "status", p->status, "badge",
	    admin_badge(p->status), "live", p->live);
}

/* the editor for P (NULL: a new page) with values F (consumed) */
static enum MHD_Result
editor(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, unsigned status, const struct page_info *p, json_t *f,
    int64_t revision, json_t *errors, json_t *conflict)
{
	json_t *ctx = admin_context(conn, rq, p ? p->title : "New page");
	char action[64];

	if (p) {
		struct buf err = BUF_INIT;
		json_t *rl = NULL, *rv;
		json_object_set_new(ctx, "page", admin_page_json(p));
		snprintf(action, sizeof(action), "/admin/pages/%lld",
		    (long long)p->id);
		/* the page's last review: pending, or rejected with why */
		if (store_review_list(rq->st, p->id, &rl, &err) == 0 &&
		    (rv = json_array_get(rl, 0)) != NULL) {
			const char *s = admin_str_or(rv, "state", "");
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
	json_object_set_new(ctx, "fields", admin_fields_view(h->c,
	    json_object_get(f, "params")));
	json_object_del(f, "params");
	json_object_set_new(ctx, "f", f);
	json_object_set_new(ctx, "revision", json_integer(revision));
	if (errors)
		json_object_set_new(ctx, "errors", errors);
	if (conflict)
		json_object_set_new(ctx, "conflict", conflict);
	return admin_page(h, conn, url, status, "page_edit", ctx, NULL);
}

/* the page fields of FORM; -1 with the reason in err */
static int
fields_of(const struct conf *c, json_t *form, json_t *base,
    struct page_fields *pf, json_t **tags, struct buf *err)
{
	memset(pf, 0, sizeof(*pf));
	*tags = tags_of(admin_field(form, "tags"));
	if (admin_fields_read(c, form, base, &pf->extra, err) == -1)
		return -1;
	pf->title = admin_field(form, "title");
	pf->body = admin_field(form, "body");
	pf->summary = admin_field(form, "summary");
	pf->tags = *tags;
	if (admin_form_time(admin_field(form, "date"), &pf->date) == -1) {
		buf_setf(err, "date: expected a date (YYYY-MM-DD)");
		return -1;
	}
	return 0;
}

static bool
same_revision(const struct page_fields *pf, const struct revision_info *rv)
{
	json_t *none = json_object();
	bool same = !strcmp(pf->title, rv->title) &&
	    !strcmp(pf->body, rv->body) && !strcmp(pf->summary,
	    rv->summary) && pf->date == rv->date &&
	    json_equal(pf->tags, rv->tags) && json_equal(pf->extra ?
	    pf->extra : none, rv->extra ? rv->extra : none);

	json_decref(none);
	return same;
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
	if (admin_form_time(admin_field(form, "go_live"), &gl) == -1) {
		buf_setf(err, "go_live: expected a date and time");
		return -1;
	}
	if (admin_form_time(admin_field(form, "expire"), &ex) == -1) {
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


/*
 * End the transaction a form's writes ran in: commit when RC is 0, else
 * undo them all, so a draft is never saved without the publish, unpublish
 * or schedule the editor asked for with it.
 */
static int
form_tx_end(struct req *rq, int rc, struct buf *err)
{
	if (rc == 0)
		return store_commit(rq->st, err);
	store_rollback(rq->st);
	return rc;
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

	if (admin_form_time(admin_field(form, "go_live"), &gl) == -1) {
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
		admin_tell(h, subj, subj);
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
	return admin_error(h, conn, url, rq, 403, "Not allowed",
	    "Your role may not publish, unpublish or schedule: save a "
	    "draft and ask a publisher.");
}

enum MHD_Result
admin_page_new(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, json_t *form)
{
	const char *action = form ? admin_field(form, "action") : "save";
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
		return admin_error(h, conn, url, rq, 400, "Bad request",
		    "Unknown action.");
	if (rq->role < route_need(rq->m.r, strcmp(action, "save") != 0))
		return forbidden(h, conn, url, rq);
	pthread_mutex_lock(&h->wmu);
	rc = fields_of(h->c, form, NULL, &pf, &tags, &err);
	if (rc == 0 && (rc = store_begin(rq->st, &err)) == 0) {
		rc = store_page_create(rq->st, admin_field(form, "path"), &pf,
		    rq->actor, &id, &err);
		if (rc == 0 && strcmp(action, "save")) {
			rc = path_canonicalize(admin_field(form, "path"),
			    &path, &err);
			if (rc == 0)
				rc = act(rq, action, path.buf, form, &flash,
				    &err);
		}
		if ((rc = form_tx_end(rq, rc, &err)) != 0)
			id = 0;		/* nothing was created */
	}
	pthread_mutex_unlock(&h->wmu);
	json_decref(tags);
	json_decref(pf.extra);
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
	return admin_done(h, conn, url, to, rc == 0 ? flash : "created");
}

static json_t *
conflict_of(const struct revision_info *rv)
{
	char iso[32], hum[40];

	admin_human_time(rv->created_at, iso, sizeof(iso), hum, sizeof(hum));
	return json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "author",
	    jsafe_string(rv->author), "at_iso", iso, "at", hum, "title",
	    jsafe_string(rv->title), "summary", jsafe_string(rv->summary),
	    "body", jsafe_string(rv->body));
}

enum MHD_Result
admin_page_edit(struct http *h, struct MHD_Connection *conn, const char *url,
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

	memset(&pf, 0, sizeof(pf));
	memset(&p, 0, sizeof(p));
	memset(&rv, 0, sizeof(rv));
	if (admin_page_or_error(h, conn, url, rq, rq->m.id, &p, &r) == -1)
		return r;
	if (store_revision_get(rq->st, p.latest_revision, &rv, &err) != 0) {
		r = admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The page's revision cannot be read now.");
		goto out;
	}
	if (!form) {
		r = editor(h, conn, url, rq, 200, &p, revision_values(&p, &rv),
		    p.latest_revision, NULL, NULL);
		goto out;
	}
	action = admin_field(form, "action");
	if (!*action)
		action = "save";
	if (!action_ok(action)) {
		r = admin_error(h, conn, url, rq, 400, "Bad request",
		    "Unknown action.");
		goto out;
	}
	if (rq->role < route_need(rq->m.r, strcmp(action, "save") != 0 &&
	    strcmp(action, "submit") != 0)) {
		r = forbidden(h, conn, url, rq);
		goto out;
	}
	based = strtonum(admin_field(form, "revision"), 0, INT64_MAX, &errstr);
	if (errstr || based != p.latest_revision) {
		/* someone saved since this form was loaded: show theirs */
		r = editor(h, conn, url, rq, 409, &p, form_values(form),
		    p.latest_revision, NULL, conflict_of(&rv));
		goto out;
	}
	if (fields_of(h->c, form, rv.extra, &pf, &tags, &err) == -1) {
		r = editor(h, conn, url, rq, 400, &p, form_values(form),
		    based, json_pack("[o]", jsafe_string(err.buf)), NULL);
		goto out;
	}
	pthread_mutex_lock(&h->wmu);
	rc = store_begin(rq->st, &err);
	if (rc == 0 && !same_revision(&pf, &rv))
		rc = store_page_edit(rq->st, p.path, &pf, rq->actor, &err);
	if (rc == 0 && strcmp(action, "save") && strcmp(action, "submit"))
		rc = act(rq, action, p.path, form, &flash, &err);
	rc = form_tx_end(rq, rc, &err);
	/* after the commit: a review notice is never sent for a rollback */
	if (rc == 0 && !strcmp(action, "submit"))
		rc = submit(h, rq, &p, form, &err);
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
	r = admin_done(h, conn, url, to, flash);
out:
	json_decref(tags);
	json_decref(pf.extra);
	page_info_release(&p);
	revision_info_release(&rv);
	buf_release(&err);
	return r;
}

enum MHD_Result
admin_page_delete(struct http *h, struct MHD_Connection *conn, const char *url,
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
		return admin_error(h, conn, url, rq, rc == 1 ? 404 : 503,
		    rc == 1 ? "Not found" : "Unavailable", rc == 1 ?
		    "There is no such page." : "The store cannot be read now.");
	}
	if (!form) {
		json_t *ctx = admin_context(conn, rq, "Delete");
		json_object_set_new(ctx, "page", admin_page_json(&p));
		r = admin_page(h, conn, url, 200, "page_delete", ctx, NULL);
		goto out;
	}
	pthread_mutex_lock(&h->wmu);
	rc = store_page_delete(rq->st, p.path, rq->actor, &err);
	pthread_mutex_unlock(&h->wmu);
	r = admin_finish(h, conn, url, rq, rc == 0 ? 0 : -1, &err,
	    "Cannot delete", "/admin/", "deleted");
out:
	page_info_release(&p);
	buf_release(&err);
	return r;
}

/* ---- review decisions ---- */

enum MHD_Result
admin_review_decide(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, json_t *form)
{
	bool approve = rq->m.r->id == RT_ADMIN_REVIEW_APPROVE;
	const char *comment = admin_field(form, "comment"), *flash;
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
		return admin_error(h, conn, url, rq, 400, "Comment needed",
		    "Say what to change: the editor sees your comment.");
	if (store_review_list(rq->st, 0, &rl, &err) == 0)
		json_array_foreach(rl, i, x)
			if (json_integer_value(json_object_get(x, "id")) ==
			    rq->m.id)
				rv = x;
	if (!rv) {
		r = admin_error(h, conn, url, rq, 409, "Already decided",
		    "This review is not waiting any more.");
		goto out;
	}
	if (admin_page_or_error(h, conn, url, rq, json_integer_value(
	    json_object_get(rv, "page_id")), &p, &r) == -1)
		goto out;
	if (approve && p.latest_revision != json_integer_value(
	    json_object_get(rv, "revision_id"))) {
		r = admin_error(h, conn, url, rq, 409, "Changed since",
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
	if (rc == 0) {
		snprintf(subj, sizeof(subj), "%s %s \"%s\"%s%s", rq->actor,
		    approve ? "approved" : "rejected", p.title, *comment ?
		    ": " : "", comment);
		admin_tell(h, subj, subj);
	}
	flash = !approve ? "rejected" : gl > time_now() ?
	    "approved_scheduled" : "approved";
	r = admin_finish(h, conn, url, rq, rc, &err, "Cannot do that",
	    "/admin/", flash);
out:
	json_decref(rl);
	page_info_release(&p);
	buf_release(&err);
	return r;
}
