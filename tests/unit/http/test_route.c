/* SPDX-License-Identifier: ISC */
/*
 * test_route.c: the route table of src/http/route.c: matching (ids are
 * digits, by-path takes everything after it, HEAD is GET, 404 vs 405)
 * and the roles (every write needs a token, every change to what is
 * live needs publisher, a "publish" field raises the need).
 */
#include "test.h"

#include "http/route.h"

static const struct route *
find(const char *method, const char *url, int want)
{
	struct route_match m;
	int r = route_find(method, url, &m);

	CHECK_INT_EQ(r, want);
	return r == 0 ? m.r : NULL;
}

TEST(route, pages_by_id_and_by_path)
{
	struct route_match m;

	CHECK_INT_EQ(route_find("GET", "/api/v1/pages/42", &m), 0);
	CHECK_INT_EQ(m.r->id, RT_PAGE_GET);
	CHECK_INT_EQ(m.id, 42);
	CHECK_NULL(m.path);
	CHECK_INT_EQ(route_find("POST", "/api/v1/pages/42/unpublish", &m), 0);
	CHECK_INT_EQ(m.r->id, RT_PAGE_UNPUBLISH);
	CHECK_INT_EQ(m.id, 42);
	/* a page whose last segment is an action name is just a path */
	CHECK_INT_EQ(route_find("DELETE",
	    "/api/v1/pages/by-path/about/unpublish", &m), 0);
	CHECK_INT_EQ(m.r->id, RT_PAGE_DELETE);
	CHECK_STR_EQ(m.path, "about/unpublish");
	CHECK_INT_EQ(route_find("GET", "/api/v1/pages/by-path/2024", &m), 0);
	CHECK_STR_EQ(m.path, "2024");
	CHECK_INT_EQ(m.id, 0);
	CHECK_INT_EQ(route_find("POST", "/api/v1/pages/publish", &m), 0);
	CHECK_INT_EQ(m.r->id, RT_PAGE_PUBLISH);
	CHECK(m.r->flags & RF_QPATH);
}

TEST(route, old_path_forms_are_gone)
{
	/* /api/v1/pages/PATH[/ACTION] could be read two ways */
	find("GET", "/api/v1/pages/about", 404);
	find("DELETE", "/api/v1/pages/about/unpublish", 404);
	find("POST", "/api/v1/pages/news/x/publish", 404);
	find("GET", "/api/v1/pages/0", 404);
	find("GET", "/api/v1/pages/12a", 404);
	find("GET", "/api/v1/pages/1234567890123456789", 404);
	find("GET", "/api/v1/pages/by-path", 404);
	find("GET", "/api/v1/pages/by-path/", 404);
	find("GET", "/api/v1/pagesx", 404);
	find("GET", "/api/v1/pages/", 404);
	find("GET", "/api/v2/pages", 404);
}

TEST(route, methods)
{
	const struct route *r = find("HEAD", "/api/v1/pages", 0);

	CHECK_INT_EQ(r->id, RT_PAGES_LIST);
	find("PATCH", "/api/v1/pages", 405);
	find("GET", "/api/v1/pages/7/publish", 405);
	find("POST", "/healthz", 405);
	find("GET", "/api/v1/hooks/build", 405);
	CHECK_INT_EQ(find("GET", "/api/v1/builds/3/log", 0)->id, RT_BUILD_LOG);
	CHECK_INT_EQ(find("POST", "/api/v1/builds/3/rollback", 0)->id,
	    RT_BUILD_ROLLBACK);
}

TEST(route, roles)
{
	for (size_t i = 0; i < http_nroutes; i++) {
		const struct route *r = &http_routes[i];
		bool write = strcmp(r->method, "GET") != 0;
		/* the admin's login form: no session yet (its CSRF token
		   is a double-submit cookie, admin.c) */
		bool login = r->id == RT_ADMIN_LOGIN;
		/* every write needs a token, a session or a signature */
		if (write && !(r->flags & RF_SIGNED) && !login)
			CHECK(route_need(r, false) >= ROLE_EDITOR);
		/* a publish field always needs publisher */
		if (write && !(r->flags & RF_SIGNED))
			CHECK(route_need(r, true) >= ROLE_PUBLISHER ||
			    !(r->flags & RF_PUBLISH));
		/* anonymous reads are the public view, health, or the
		   admin's login form */
		if (route_need(r, false) == ROLE_ANON && !login)
			CHECK((r->flags & (RF_PUBLIC | RF_NOAUTH)) != 0);
		/* the admin never serves the API nor the API the admin;
		   its previews take a token or a session (RF_PREVIEW) */
		if (r->flags & RF_PREVIEW)
			CHECK(!(r->flags & RF_ADMIN));
		else
			CHECK(((r->flags & RF_ADMIN) != 0) ==
			    (strncmp(r->pattern, "/admin", 6) == 0));
	}
	/* what changes the live site needs publisher */
	CHECK_INT_EQ(route_need(find("DELETE", "/api/v1/pages/3", 0), false),
	    ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("POST", "/api/v1/pages/3/publish", 0),
	    false), ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("POST", "/api/v1/pages", 0), false),
	    ROLE_EDITOR);
	CHECK_INT_EQ(route_need(find("POST", "/api/v1/pages", 0), true),
	    ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("PUT", "/api/v1/pages/by-path/a", 0),
	    true), ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("GET", "/api/v1/builds", 0), false),
	    ROLE_EDITOR);
	CHECK_INT_EQ(route_need(find("GET", "/metrics", 0), false),
	    ROLE_EDITOR);
	CHECK(ROLE_ANON < ROLE_EDITOR && ROLE_EDITOR < ROLE_PUBLISHER &&
	    ROLE_PUBLISHER < ROLE_ADMIN);
	CHECK_INT_EQ(role_parse("admin"), ROLE_ADMIN);
	CHECK_INT_EQ(role_parse("root"), ROLE_ANON);
	CHECK_STR_EQ(role_name(ROLE_PUBLISHER), "publisher");
}

TEST(route, admin)
{
	struct route_match m;

	CHECK_INT_EQ(find("GET", "/admin/", 0)->id, RT_ADMIN_PAGES);
	CHECK_INT_EQ(find("GET", "/admin", 0)->id, RT_ADMIN_ROOT);
	CHECK_INT_EQ(find("GET", "/admin/pages/new", 0)->id,
	    RT_ADMIN_PAGE_NEW);
	CHECK_INT_EQ(route_find("POST", "/admin/pages/12", &m), 0);
	CHECK_INT_EQ(m.r->id, RT_ADMIN_PAGE_EDIT);
	CHECK_INT_EQ(m.id, 12);
	CHECK_INT_EQ(route_find("GET", "/admin/static/admin.css", &m), 0);
	CHECK_STR_EQ(m.path, "admin.css");
	find("DELETE", "/admin/pages/12", 405);
	find("GET", "/admin/nothing", 404);
	/* an editor edits; publishing from the form needs publisher */
	CHECK_INT_EQ(route_need(find("POST", "/admin/pages/12", 0), false),
	    ROLE_EDITOR);
	CHECK_INT_EQ(route_need(find("POST", "/admin/pages/12", 0), true),
	    ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("POST", "/admin/pages/new", 0), true),
	    ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("GET", "/admin/pages/3/delete", 0),
	    false), ROLE_PUBLISHER);
	CHECK_INT_EQ(route_need(find("POST", "/admin/logout", 0), false),
	    ROLE_EDITOR);
}
