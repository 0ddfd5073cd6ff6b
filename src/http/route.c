/* SPDX-License-Identifier: ISC */
/*
 * route.c: the route table (see route.h) and its matcher.  Matching is
 * segment by segment on the decoded path; a route is found by trying the
 * rows in order, so a literal row ("publish") and an {id} row can never
 * both match one segment (an id is digits only).
 */
#include "common/compat.h"

#include "http/route.h"

const struct route http_routes[] = {
	{ "GET", "/healthz", RT_HEALTHZ, ROLE_ANON, RF_NOAUTH },
	{ "GET", "/metrics", RT_METRICS, ROLE_EDITOR, RF_LOCALOPEN },

	{ "GET", "/api/v1/pages", RT_PAGES_LIST, ROLE_ANON, RF_PUBLIC },
	{ "POST", "/api/v1/pages", RT_PAGE_CREATE, ROLE_EDITOR,
	    RF_PUBLISH | RF_BODY },
	{ "GET", "/api/v1/pages/{id}", RT_PAGE_GET, ROLE_ANON, RF_PUBLIC },
	{ "PUT", "/api/v1/pages/{id}", RT_PAGE_EDIT, ROLE_EDITOR,
	    RF_PUBLISH | RF_BODY },
	{ "DELETE", "/api/v1/pages/{id}", RT_PAGE_DELETE, ROLE_PUBLISHER, 0 },
	{ "POST", "/api/v1/pages/{id}/publish", RT_PAGE_PUBLISH,
	    ROLE_PUBLISHER, RF_BODY },
	{ "POST", "/api/v1/pages/{id}/unpublish", RT_PAGE_UNPUBLISH,
	    ROLE_PUBLISHER, 0 },
	{ "POST", "/api/v1/pages/{id}/schedule", RT_PAGE_SCHEDULE,
	    ROLE_PUBLISHER, RF_BODY },
	{ "GET", "/api/v1/pages/by-path/{path}", RT_PAGE_GET, ROLE_ANON,
	    RF_PUBLIC },
	{ "PUT", "/api/v1/pages/by-path/{path}", RT_PAGE_EDIT, ROLE_EDITOR,
	    RF_PUBLISH | RF_BODY },
	{ "DELETE", "/api/v1/pages/by-path/{path}", RT_PAGE_DELETE,
	    ROLE_PUBLISHER, 0 },
	{ "POST", "/api/v1/pages/publish", RT_PAGE_PUBLISH, ROLE_PUBLISHER,
	    RF_QPATH | RF_BODY },
	{ "POST", "/api/v1/pages/unpublish", RT_PAGE_UNPUBLISH,
	    ROLE_PUBLISHER, RF_QPATH },
	{ "POST", "/api/v1/pages/schedule", RT_PAGE_SCHEDULE, ROLE_PUBLISHER,
	    RF_QPATH | RF_BODY },

	{ "GET", "/api/v1/builds", RT_BUILDS_LIST, ROLE_EDITOR, 0 },
	{ "POST", "/api/v1/builds", RT_BUILD_REQUEST, ROLE_PUBLISHER, 0 },
	{ "GET", "/api/v1/builds/{id}", RT_BUILD_GET, ROLE_EDITOR, 0 },
	{ "GET", "/api/v1/builds/{id}/log", RT_BUILD_LOG, ROLE_EDITOR, 0 },
	{ "POST", "/api/v1/builds/{id}/cancel", RT_BUILD_CANCEL,
	    ROLE_PUBLISHER, 0 },
	{ "POST", "/api/v1/builds/{id}/rollback", RT_BUILD_ROLLBACK,
	    ROLE_PUBLISHER, 0 },

	{ "POST", "/api/v1/hooks/build", RT_HOOK_BUILD, ROLE_ANON,
	    RF_SIGNED | RF_NOAUTH | RF_BODY },

	{ "GET", "/admin/preview/{id}", RT_PREVIEW, ROLE_EDITOR, RF_PREVIEW },
	{ "POST", "/admin/preview/{id}/live", RT_PREVIEW_LIVE, ROLE_EDITOR,
	    RF_PREVIEW | RF_BODY },
	{ "POST", "/api/v1/pages/{id}/preview-link", RT_PREVIEW_LINK,
	    ROLE_EDITOR, RF_BODY },
	/* the signed token in the URL is the credential */
	{ "GET", "/preview/{path}", RT_PREVIEW_SHARED, ROLE_ANON, RF_NOAUTH },
	/* the web admin: a session instead of a token (admin.c) */
	{ "GET", "/admin", RT_ADMIN_ROOT, ROLE_ANON, RF_ADMIN | RF_NOAUTH },
	{ "GET", "/admin/static/{path}", RT_ADMIN_STATIC, ROLE_ANON,
	    RF_ADMIN | RF_NOAUTH },
	{ "GET", "/admin/login", RT_ADMIN_LOGIN, ROLE_ANON, RF_ADMIN },
	{ "POST", "/admin/login", RT_ADMIN_LOGIN, ROLE_ANON,
	    RF_ADMIN | RF_BODY },
	{ "GET", "/admin/logout", RT_ADMIN_LOGOUT, ROLE_EDITOR, RF_ADMIN },
	{ "POST", "/admin/logout", RT_ADMIN_LOGOUT, ROLE_EDITOR,
	    RF_ADMIN | RF_BODY },
	{ "GET", "/admin/", RT_ADMIN_PAGES, ROLE_EDITOR, RF_ADMIN },
	{ "GET", "/admin/pages/new", RT_ADMIN_PAGE_NEW, ROLE_EDITOR,
	    RF_ADMIN },
	/* action=publish|unpublish|schedule needs publisher (RF_PUBLISH) */
	{ "POST", "/admin/pages/new", RT_ADMIN_PAGE_NEW, ROLE_EDITOR,
	    RF_ADMIN | RF_PUBLISH | RF_BODY },
	{ "GET", "/admin/pages/{id}", RT_ADMIN_PAGE_EDIT, ROLE_EDITOR,
	    RF_ADMIN },
	{ "POST", "/admin/pages/{id}", RT_ADMIN_PAGE_EDIT, ROLE_EDITOR,
	    RF_ADMIN | RF_PUBLISH | RF_BODY },
	{ "GET", "/admin/pages/{id}/delete", RT_ADMIN_PAGE_DELETE,
	    ROLE_PUBLISHER, RF_ADMIN },
	{ "POST", "/admin/pages/{id}/delete", RT_ADMIN_PAGE_DELETE,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	{ "GET", "/admin/pages/{id}/revisions", RT_ADMIN_REVISIONS,
	    ROLE_EDITOR, RF_ADMIN },
	/* ?from=REV&to=REV */
	{ "GET", "/admin/pages/{id}/compare", RT_ADMIN_COMPARE, ROLE_EDITOR,
	    RF_ADMIN },
	{ "GET", "/admin/revisions/{id}", RT_ADMIN_REVISION, ROLE_EDITOR,
	    RF_ADMIN },
	/* a new draft revision with this one's fields */
	{ "POST", "/admin/revisions/{id}/revert", RT_ADMIN_REVERT,
	    ROLE_EDITOR, RF_ADMIN | RF_BODY },
	{ "GET", "/admin/builds", RT_ADMIN_BUILDS, ROLE_EDITOR, RF_ADMIN },
	{ "GET", "/admin/builds/{id}", RT_ADMIN_BUILD, ROLE_EDITOR,
	    RF_ADMIN },
	/* JSON {status, log} for the page's live refresh (admin.js) */
	{ "GET", "/admin/builds/{id}/status", RT_ADMIN_BUILD_STATUS,
	    ROLE_EDITOR, RF_ADMIN },
	{ "POST", "/admin/builds/{id}/retry", RT_ADMIN_BUILD_RETRY,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	{ "POST", "/admin/builds/{id}/cancel", RT_ADMIN_BUILD_CANCEL,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	{ "GET", "/admin/builds/{id}/rollback", RT_ADMIN_BUILD_ROLLBACK,
	    ROLE_PUBLISHER, RF_ADMIN },
	{ "POST", "/admin/builds/{id}/rollback", RT_ADMIN_BUILD_ROLLBACK,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	/* ?user=NAME&page=PATH; failed logins name client addresses */
	{ "GET", "/admin/audit", RT_ADMIN_AUDIT, ROLE_PUBLISHER, RF_ADMIN },
	/* the review workflow: an editor submits (POST /admin/pages/ID,
	   action=submit); a publisher decides */
	{ "POST", "/admin/reviews/{id}/approve", RT_ADMIN_REVIEW_APPROVE,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	{ "POST", "/admin/reviews/{id}/reject", RT_ADMIN_REVIEW_REJECT,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
	/* the media library: ?q=NAME&p=N&insert=PAGEID; an upload is
	   multipart/form-data, streamed to a file (admin_media.c) */
	{ "GET", "/admin/media", RT_ADMIN_MEDIA, ROLE_EDITOR, RF_ADMIN },
	{ "POST", "/admin/media", RT_ADMIN_MEDIA_UPLOAD, ROLE_EDITOR,
	    RF_ADMIN | RF_BODY },
	{ "POST", "/admin/media/insert", RT_ADMIN_MEDIA_INSERT, ROLE_EDITOR,
	    RF_ADMIN | RF_BODY },
	{ "POST", "/admin/media/delete", RT_ADMIN_MEDIA_DELETE,
	    ROLE_PUBLISHER, RF_ADMIN | RF_BODY },
};

const size_t http_nroutes = NELEM(http_routes);

/* does URL match PATTERN?  fills id and path */
static bool
match(const char *pat, const char *url, int64_t *id, const char **path)
{
	*id = 0;
	*path = NULL;
	while (*pat && *url) {
		if (*pat != '/' || *url != '/')
			return false;
		pat++;
		url++;
		if (!strncmp(pat, "{path}", 6)) {
			if (!*url)
				return false;
			*path = url;
			return true;
		}
		if (!strncmp(pat, "{id}", 4)) {
			size_t n = strspn(url, "0123456789");
			int64_t v = 0;
			if (n == 0 || n > 18 || (url[n] && url[n] != '/'))
				return false;
			for (size_t i = 0; i < n; i++)
				v = v * 10 + (url[i] - '0');
			if (v == 0)
				return false;
			*id = v;
			pat += 4;
			url += n;
			continue;
		}
		while (*pat && *pat != '/' && *pat == *url) {
			pat++;
			url++;
		}
		if ((*pat && *pat != '/') || (*url && *url != '/'))
			return false;
	}
	return !*pat && !*url;
}

int
route_find(const char *method, const char *url, struct route_match *m)
{
	bool other = false;

	if (!strcmp(method, "HEAD"))
		method = "GET";
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < http_nroutes; i++) {
		int64_t id;
		const char *path;

		if (!match(http_routes[i].pattern, url, &id, &path))
			continue;
		if (strcmp(http_routes[i].method, method)) {
			other = true;
			continue;
		}
		m->r = &http_routes[i];
		m->id = id;
		m->path = path;
		return 0;
	}
	return other ? 405 : 404;
}

enum http_role
route_need(const struct route *r, bool publish)
{
	if ((r->flags & RF_PUBLISH) && publish && r->need < ROLE_PUBLISHER)
		return ROLE_PUBLISHER;
	if (r->flags & RF_PUBLIC)
		return ROLE_ANON;
	return r->need;
}

const char *
role_name(enum http_role r)
{
	switch (r) {
	case ROLE_EDITOR:
		return "editor";
	case ROLE_PUBLISHER:
		return "publisher";
	case ROLE_ADMIN:
		return "admin";
	default:
		return "anonymous";
	}
}

enum http_role
role_parse(const char *s)
{
	if (!strcmp(s, "admin"))
		return ROLE_ADMIN;
	if (!strcmp(s, "publisher"))
		return ROLE_PUBLISHER;
	if (!strcmp(s, "editor"))
		return ROLE_EDITOR;
	return ROLE_ANON;
}
