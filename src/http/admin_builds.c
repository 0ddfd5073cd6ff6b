/* SPDX-License-Identifier: ISC */
/*
 * admin_builds.c: the admin's builds dashboard: the table, one build with
 * its log (and its status as JSON for the live view), retry, cancel and
 * the rollback with its confirmation.
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
#include "history/history.h"
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

/* ---- builds ---- */


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

/* a destination's result as a badge class (0230) */
static const char *
target_badge(const char *status)
{
	if (!strcmp(status, "deployed"))
		return "succeeded";
	if (!strcmp(status, "failed"))
		return "failed";
	return "draft";
}

/* build B's per-destination results, each with its badge, into O */
static void
targets_set(json_t *o, json_t *b)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(json_object_get(b, "targets"), i, t) {
		json_t *c = json_deep_copy(t);
		const char *st = admin_str_or(t, "status", "?");
		json_object_set_new(c, "badge", json_string(target_badge(st)));
		json_array_append_new(out, c);
	}
	json_object_set_new(o, "has_targets", json_boolean(
	    json_array_size(out) > 0));
	json_object_set_new(o, "targets", out);
}

/* a succeeded build that deployed production: one to roll back to (a
   staging build deployed the staging targets alone, decision 0281) */
static bool
production_tree(json_t *b)
{
	return !strcmp(admin_str_or(b, "status", ""), "succeeded") &&
	    !json_is_true(json_object_get(b, "staging"));
}

static json_int_t
count_of(json_t *b, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(b,
	    "counts"), k));
}

enum MHD_Result
admin_builds(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *pg = admin_arg(conn, "page"), *errstr;
	struct buf err = BUF_INIT;
	size_t current = 1, i;
	json_t *list = NULL, *rows, *b, *ctx;
	char link[64];

	if (pg && (current = (size_t)strtonum(pg, 1, 10000, &errstr), errstr))
		current = 1;
	if (store_build_list(rq->st, current * ADMIN_PAGE_SIZE + 1, &list,
	    &err) == -1) {
		buf_release(&err);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The builds cannot be read now.");
	}
	rows = json_array();
	json_array_foreach(list, i, b) {
		int64_t id = json_integer_value(json_object_get(b, "id"));
		char *who;
		if (i < (current - 1) * ADMIN_PAGE_SIZE || i >= current * ADMIN_PAGE_SIZE)
			continue;
		who = who_of(rq, id);
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:o, "
		    "s:s, s:s, s:s, s:I, s:I, s:I}", "id", (json_int_t)id,
		    "status", admin_str_or(b, "status", "?"), "badge",
		    build_badge(admin_str_or(b, "status", "?")), "reasons",
		    jsafe_string(admin_str_or(b, "reasons", "")), "who", who,
		    "requested", admin_str_or(b, "requested_at", ""), "finished",
		    admin_str_or(b, "finished_at", ""), "pages", count_of(b, "pages"),
		    "uploaded", count_of(b, "uploaded"), "deleted",
		    count_of(b, "deleted")));
		targets_set(json_array_get(rows, json_array_size(rows) - 1),
		    b);
		/* a build of the staging targets alone (decision 0281) */
		json_object_set_new(json_array_get(rows, json_array_size(rows) -
		    1), "staging", json_boolean(json_is_true(json_object_get(b,
		    "staging"))));
		free(who);
	}
	ctx = admin_context(conn, rq, "Builds");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "builds", rows);
	if (current > 1 || json_array_size(list) > current * ADMIN_PAGE_SIZE) {
		json_t *pager = json_pack("{s:I}", "current",
		    (json_int_t)current);
		if (current > 1) {
			snprintf(link, sizeof(link), "/admin/builds?page=%zu",
			    current - 1);
			json_object_set_new(pager, "prev", json_string(link));
		}
		if (json_array_size(list) > current * ADMIN_PAGE_SIZE) {
			snprintf(link, sizeof(link), "/admin/builds?page=%zu",
			    current + 1);
			json_object_set_new(pager, "next", json_string(link));
		}
		json_object_set_new(ctx, "pager", pager);
	}
	json_decref(list);
	buf_release(&err);
	return admin_page(h, conn, url, 200, "builds", ctx, NULL);
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
	*r = admin_error(h, conn, url, rq, rc == 1 ? 404 : 503, rc == 1 ?
	    "Not found" : "Unavailable", rc == 1 ? "There is no such build." :
	    "The build cannot be read now.");
	return -1;
}

enum MHD_Result
admin_build(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	json_t *b = NULL, *ctx;
	enum MHD_Result r;
	const char *status;
	char *who;

	if (build_or_error(h, conn, url, rq, true, &b, &r) == -1)
		return r;
	status = admin_str_or(b, "status", "?");
	if (rq->m.r->id == RT_ADMIN_BUILD_STATUS) {
		struct buf out = BUF_INIT;
		json_t *v = json_pack("{s:s, s:O}", "status", status, "log",
		    json_object_get(b, "log") ? json_object_get(b, "log") :
		    json_null());
		char *s = v ? json_dumps(v, 0) : NULL;
		struct reply rp = { s ? 200 : 500, NULL, { NULL }, 0 };
		buf_adds(&out, s ? s : "{}");
		r = admin_send(conn, url, &rp, "application/json", out.buf,
		    out.len);
		free(s);
		json_decref(v);
		json_decref(b);
		buf_release(&out);
		return r;
	}
	who = who_of(rq, rq->m.id);
	ctx = admin_context(conn, rq, "Build");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "badge", json_string(build_badge(status)));
	json_object_set_new(ctx, "who", jsafe_string(who));
	json_object_set_new(ctx, "running", json_boolean(!strcmp(status,
	    "running") || !strcmp(status, "pending")));
	json_object_set_new(ctx, "succeeded", json_boolean(
	    production_tree(b)));
	targets_set(ctx, b);
	json_object_set_new(ctx, "b", b);
	free(who);
	return admin_page(h, conn, url, 200, "build", ctx, NULL);
}

enum MHD_Result
admin_build_action(struct http *h, struct MHD_Connection *conn, const char *url,
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
		rc = store_build_rollback_request(rq->st, rq->m.id, &err);
		flash = "rollback";
		if (rc == 0)
			(void)store_audit(rq->st, rq->actor, "admin.rollback",
			    NULL, detail, &err);
		break;
	}
	pthread_mutex_unlock(&h->wmu);
	json_decref(b);
	r = admin_finish(h, conn, url, rq, rc, &err, "Cannot do that", to,
	    flash);
	buf_release(&err);
	return r;
}

#define ROLLBACK_PATHS	20	/* paths the confirmation names */

struct files_ctx {
	size_t added, changed, removed;
	json_t *paths;
};

static int
file_change(void *arg, char op, const char *path)
{
	struct files_ctx *x = arg;

	if (op == '+')
		x->added++;
	else if (op == '-')
		x->removed++;
	else
		x->changed++;
	if (json_array_size(x->paths) < ROLLBACK_PATHS)
		json_array_append_new(x->paths, json_pack("{s:s, s:o}", "op",
		    op == '+' ? "added" : op == '-' ? "removed" : "changed",
		    "path", jsafe_string(path)));
	return 0;
}

/* the files rolling back to build ID changes, from the history */
static json_t *
rollback_files(struct http *h, int64_t id)
{
	struct files_ctx x = { 0, 0, 0, json_array() };
	struct buf err = BUF_INIT;
	char *repo = conf_path(h->c, h->c->history.path), bid[32];
	size_t total;
	json_t *o;
	int rc;

	snprintf(bid, sizeof(bid), "%lld", (long long)id);
	rc = h->c->history.enabled ? history_diff_build(repo,
	    h->c->history.branch, bid, file_change, &x, &err) : 1;
	if (rc == -1)
		log_warnx("admin: %s", err.buf);
	free(repo);
	buf_release(&err);
	if (rc != 0) {
		json_decref(x.paths);
		return NULL;
	}
	total = x.added + x.changed + x.removed;
	o = json_pack("{s:I, s:I, s:I, s:I, s:o, s:b}", "total",
	    (json_int_t)total, "added", (json_int_t)x.added, "changed",
	    (json_int_t)x.changed, "removed", (json_int_t)x.removed, "paths",
	    x.paths, "more", total > ROLLBACK_PATHS);
	json_object_set_new(o, "none", json_boolean(total == 0));
	json_object_set_new(o, "shown", json_integer((json_int_t)
	    json_array_size(json_object_get(o, "paths"))));
	return o;
}

enum MHD_Result
admin_rollback_confirm(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq)
{
	struct buf err = BUF_INIT;
	json_t *b = NULL, *list = NULL, *undone, *x, *ctx;
	enum MHD_Result r;
	size_t i;

	if (build_or_error(h, conn, url, rq, false, &b, &r) == -1)
		return r;
	if (!production_tree(b)) {
		json_decref(b);
		return admin_error(h, conn, url, rq, 409, "Cannot roll back",
		    "Only a succeeded build of production can be rolled back "
		    "to (a staging build deployed the staging targets only).");
	}
	/* what will change: the succeeded builds after it, newest first */
	undone = json_array();
	if (store_build_list(rq->st, 1000, &list, &err) == 0)
		json_array_foreach(list, i, x) {
			int64_t id = json_integer_value(json_object_get(x,
			    "id"));
			char *who;
			if (id <= rq->m.id || !production_tree(x))
				continue;
			who = who_of(rq, id);
			json_array_append_new(undone, json_pack("{s:I, s:s, "
			    "s:o, s:s}", "id", (json_int_t)id, "finished",
			    admin_str_or(x, "finished_at", ""), "reasons",
			    jsafe_string(admin_str_or(x, "reasons", "")), "who",
			    who));
			free(who);
		}
	json_decref(list);
	buf_release(&err);
	ctx = admin_context(conn, rq, "Roll back");
	json_object_set_new(ctx, "nav_builds", json_true());
	json_object_set_new(ctx, "has_undone", json_boolean(
	    json_array_size(undone) > 0));
	json_object_set_new(ctx, "undone", undone);
	json_object_set_new(ctx, "b", b);
	if ((x = rollback_files(h, rq->m.id)) != NULL)
		json_object_set_new(ctx, "files", x);
	return admin_page(h, conn, url, 200, "build_rollback", ctx, NULL);
}
