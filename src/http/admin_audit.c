/* SPDX-License-Identifier: ISC */
/*
 * admin_audit.c: the audit log in the admin, filterable by user and page.
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

/* ---- the audit log ---- */


enum MHD_Result
admin_audit(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	const char *user = admin_arg(conn, "user"), *path = admin_arg(conn, "page");
	const char *pg = admin_arg(conn, "p"), *errstr;
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
	if (store_audit_query(rq->st, user, path, (current - 1) * ADMIN_PAGE_SIZE,
	    ADMIN_PAGE_SIZE + 1, &list, &err) == -1) {
		buf_release(&err);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The audit log cannot be read now.");
	}
	rows = json_array();
	json_array_foreach(list, i, v) {
		if (i >= ADMIN_PAGE_SIZE)
			break;
		json_object_set_new(v, "actor_q", admin_query_value(admin_str_or(v,
		    "actor", "")));
		json_object_set_new(v, "path_q", admin_query_value(admin_str_or(v, "path",
		    "")));
		if (!*admin_str_or(v, "path", ""))
			json_object_del(v, "path");
		json_array_append(rows, v);
	}
	ctx = admin_context(conn, rq, "Audit log");
	json_object_set_new(ctx, "nav_audit", json_true());
	json_object_set_new(ctx, "user", jsafe_string(user ? user : ""));
	json_object_set_new(ctx, "page", jsafe_string(path ? path : ""));
	json_object_set_new(ctx, "rows", rows);
	if (current > 1 || json_array_size(list) > ADMIN_PAGE_SIZE) {
		json_t *pager = json_pack("{s:I}", "current",
		    (json_int_t)current);
		for (int dir = -1; dir <= 1; dir += 2) {
			if ((dir < 0 && current == 1) || (dir > 0 &&
			    json_array_size(list) <= ADMIN_PAGE_SIZE))
				continue;
			buf_reset(&link);
			buf_printf(&link, "/admin/audit?p=%zu", current +
			    (size_t)dir);
			if (user) {
				buf_adds(&link, "&user=");
				admin_query_escape(user, &link);
			}
			if (path) {
				buf_adds(&link, "&page=");
				admin_query_escape(path, &link);
			}
			json_object_set_new(pager, dir < 0 ? "prev" : "next",
			    json_string(link.buf));
		}
		json_object_set_new(ctx, "pager", pager);
	}
	json_decref(list);
	buf_release(&err);
	buf_release(&link);
	return admin_page(h, conn, url, 200, "audit", ctx, NULL);
}
