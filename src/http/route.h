/* SPDX-License-Identifier: ISC */
/*
 * route.h: every route of the daemon with the least role it needs, in
 * ONE table (route.c).  The server (http.c) dispatches from it, the
 * authorization matrix test (tests/integration/http_authz.sh) checks it
 * from the outside, and the web admin will build its menus from it.
 *
 * The web admin's routes (RF_ADMIN) are in the same table: a session
 * cookie stands for the token and its user's role is checked the same
 * way (decision 0120).
 *
 * Roles are ordered: anonymous < editor < publisher < admin.  A route
 * that changes what is live needs publisher.  Pages are addressed by
 * numeric id (/api/v1/pages/ID) or by path only in forms that cannot be
 * read two ways: /api/v1/pages/by-path/PATH (everything after by-path/
 * is the path) and /api/v1/pages/ACTION?path=PATH.  Pure; thread-safe.
 */
#ifndef KILN_ROUTE_H
#define KILN_ROUTE_H

#include <stdint.h>

enum http_role {
	ROLE_ANON = 0,
	ROLE_EDITOR,
	ROLE_PUBLISHER,
	ROLE_ADMIN,
};

enum route_id {
	RT_HEALTHZ,
	RT_METRICS,
	RT_PAGES_LIST,
	RT_PAGE_CREATE,
	RT_PAGE_GET,
	RT_PAGE_EDIT,
	RT_PAGE_DELETE,
	RT_PAGE_PUBLISH,
	RT_PAGE_UNPUBLISH,
	RT_PAGE_SCHEDULE,
	RT_BUILDS_LIST,
	RT_BUILD_REQUEST,
	RT_BUILD_GET,
	RT_BUILD_LOG,
	RT_BUILD_CANCEL,
	RT_BUILD_ROLLBACK,
	RT_HOOK_BUILD,
	RT_PREVIEW,
	RT_PREVIEW_LIVE,
	RT_PREVIEW_LINK,
	RT_PREVIEW_SHARED,
	/* the web admin (admin.c): HTML, a session cookie, CSRF on POST */
	RT_ADMIN_ROOT,
	RT_ADMIN_STATIC,
	RT_ADMIN_LOGIN,
	RT_ADMIN_LOGOUT,
	RT_ADMIN_PAGES,
	RT_ADMIN_PAGE_NEW,
	RT_ADMIN_PAGE_EDIT,
	RT_ADMIN_PAGE_DELETE,
	RT_ADMIN_REVISIONS,
	RT_ADMIN_COMPARE,
	RT_ADMIN_REVISION,
	RT_ADMIN_REVERT,
	RT_ADMIN_BUILDS,
	RT_ADMIN_BUILD,
	RT_ADMIN_BUILD_STATUS,
	RT_ADMIN_BUILD_RETRY,
	RT_ADMIN_BUILD_CANCEL,
	RT_ADMIN_BUILD_ROLLBACK,
	RT_ADMIN_AUDIT,
	RT_ADMIN_REVIEW_APPROVE,
	RT_ADMIN_REVIEW_REJECT,
	RT_ADMIN_MEDIA,
	RT_ADMIN_MEDIA_UPLOAD,
	RT_ADMIN_MEDIA_INSERT,
	RT_ADMIN_MEDIA_DELETE,
};

/* route flags */
#define RF_PUBLIC	(1u << 0)	/* anonymous: the public view */
#define RF_PUBLISH	(1u << 1)	/* "publish": true needs publisher */
#define RF_NOAUTH	(1u << 2)	/* never looks at a token */
#define RF_SIGNED	(1u << 3)	/* HMAC-signed body, no token */
#define RF_LOCALOPEN	(1u << 4)	/* serve.metrics_localhost opens it
					   to anonymous loopback clients */
#define RF_QPATH	(1u << 5)	/* the page is ?path=PATH */
#define RF_BODY		(1u << 6)	/* takes a JSON body */
#define RF_PREVIEW	(1u << 7)	/* admin preview: a token or a
					   session (preview_authenticate) */
#define RF_ADMIN	(1u << 8)	/* the web admin: the session cookie
					   instead of a token, HTML replies,
					   the CSRF token on every POST (a form
					   body on RF_BODY routes) */

struct route {
	const char *method;
	/* literal segments, {id} (digits) or {path} (the rest, 1+ chars) */
	const char *pattern;
	enum route_id id;
	enum http_role need;
	unsigned flags;
};

extern const struct route http_routes[];
extern const size_t http_nroutes;

struct route_match {
	const struct route *r;
	int64_t id;		/* {id}, or 0 */
	const char *path;	/* {path}: points into the URL, or NULL */
};

/*
 * Match METHOD (HEAD as GET) and URL (decoded, without the query).
 * 0 and *m filled; 404 if no pattern matches; 405 if one matches for
 * another method.
 */
int route_find(const char *method, const char *url, struct route_match *m);
/*
 * The least role route R needs; PUBLISH says the body asks to publish.
 * Anonymous access to an RF_PUBLIC route is the public view, so it
 * answers ROLE_ANON for those.
 */
enum http_role route_need(const struct route *r, bool publish);
const char *role_name(enum http_role r);
/* "editor" -> ROLE_EDITOR; ROLE_ANON for anything else */
enum http_role role_parse(const char *s);

/*
 * What each route does, for kiln-api(7) and docs/api.md (`kiln help
 * --man-api`, `--markdown-api`), in route_doc.c.  A row names its route
 * by method and pattern; the method, path, role and flags themselves
 * come from http_routes, so the manual cannot drift from the server.
 */
struct route_doc {
	const char *method;
	const char *pattern;
	const char *summary;	/* one line */
	const char *request;	/* query and JSON body fields, or NULL */
	const char *response;	/* status and JSON fields */
};
/* the row for R, or NULL when it has none yet */
const struct route_doc *route_doc_find(const struct route *r);

#endif
