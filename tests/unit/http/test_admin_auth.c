/* SPDX-License-Identifier: ISC */
/*
 * test_admin_auth.c: the web admin's security rules (admin_auth.c):
 * session ids, their stored hash, the per-session CSRF token, the login
 * rate limit's window, where a login may redirect, cookies and forms.
 */
#include "test.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/hash.h"
#include "http/admin_auth.h"

TEST(admin_auth, session_ids)
{
	char a[65], b[65], ha[65];

	CHECK_OK(admin_sid_new(a));
	CHECK_OK(admin_sid_new(b));
	CHECK_INT_EQ(strlen(a), 64);
	CHECK(hex_valid(a, 64));
	CHECK(strcmp(a, b) != 0);
	/* the store's key is the id's SHA-256, never the id */
	admin_sid_hash(a, ha);
	CHECK(hex_valid(ha, 64));
	CHECK(strcmp(ha, a) != 0);
	{
		char again[65];
		sha256_hex(a, 64, again);
		CHECK_STR_EQ(ha, again);
	}
}

TEST(admin_auth, csrf)
{
	char a[65], b[65], ta[65], tb[65], ha[65];

	CHECK_OK(admin_sid_new(a));
	CHECK_OK(admin_sid_new(b));
	admin_csrf_of(a, ta);
	admin_csrf_of(b, tb);
	CHECK(strcmp(ta, tb) != 0);
	CHECK(admin_csrf_ok(a, ta));
	CHECK(!admin_csrf_ok(a, tb));		/* another session's */
	CHECK(!admin_csrf_ok(a, NULL));
	CHECK(!admin_csrf_ok(a, ""));
	CHECK(!admin_csrf_ok(NULL, ta));
	ta[63] = ta[63] == '0' ? '1' : '0';
	CHECK(!admin_csrf_ok(a, ta));
	/* not derivable from what the store keeps */
	admin_sid_hash(a, ha);
	admin_csrf_of(a, ta);
	CHECK(strcmp(ta, ha) != 0);
}

TEST(admin_auth, rate_limit_window)
{
	static struct admin_rl rl;
	int64_t t = 1000000;

	admin_rl_init(&rl);
	for (int i = 0; i < ADMIN_RL_FAILS - 1; i++) {
		admin_rl_fail(&rl, "user:alice", t + i);
		CHECK_INT_EQ(admin_rl_wait(&rl, "user:alice", t + i), 0);
	}
	admin_rl_fail(&rl, "user:alice", t + 10);
	/* the fifth failure closes the window's rest */
	CHECK_INT_EQ(admin_rl_wait(&rl, "user:alice", t + 10),
	    ADMIN_RL_WINDOW - 10);
	CHECK_INT_EQ(admin_rl_wait(&rl, "user:alice", t + ADMIN_RL_WINDOW - 1),
	    1);
	CHECK_INT_EQ(admin_rl_wait(&rl, "user:bob", t + 10), 0);
	/* the window over: a fresh start */
	CHECK_INT_EQ(admin_rl_wait(&rl, "user:alice", t + ADMIN_RL_WINDOW), 0);
	admin_rl_fail(&rl, "user:alice", t + ADMIN_RL_WINDOW);
	CHECK_INT_EQ(admin_rl_wait(&rl, "user:alice", t + ADMIN_RL_WINDOW), 0);
	/* a success forgets */
	for (int i = 0; i < ADMIN_RL_FAILS; i++)
		admin_rl_fail(&rl, "addr:10.0.0.1", t);
	CHECK(admin_rl_wait(&rl, "addr:10.0.0.1", t) > 0);
	admin_rl_clear(&rl, "addr:10.0.0.1");
	CHECK_INT_EQ(admin_rl_wait(&rl, "addr:10.0.0.1", t), 0);
	/* a flood of new keys cannot grow it, and keeps working */
	for (int i = 0; i < 5 * ADMIN_RL_SLOTS; i++) {
		char k[32];
		snprintf(k, sizeof(k), "addr:%d", i);
		admin_rl_fail(&rl, k, t + i);
	}
	for (int i = 0; i < ADMIN_RL_FAILS; i++)
		admin_rl_fail(&rl, "user:carol", t + 9000);
	CHECK(admin_rl_wait(&rl, "user:carol", t + 9000) > 0);
	admin_rl_destroy(&rl);
}

TEST(admin_auth, next_is_local)
{
	CHECK(admin_next_ok("/admin/"));
	CHECK(admin_next_ok("/admin/pages/3"));
	CHECK(!admin_next_ok(NULL));
	CHECK(!admin_next_ok(""));
	CHECK(!admin_next_ok("https://evil.example/admin/"));
	CHECK(!admin_next_ok("//evil.example/admin/"));
	CHECK(!admin_next_ok("/admin//evil.example"));
	CHECK(!admin_next_ok("/admin/\\evil.example"));
	CHECK(!admin_next_ok("/admin/../api/v1/builds"));
	CHECK(!admin_next_ok("/admin/x\r\nSet-Cookie: a=b"));
	CHECK(!admin_next_ok("/api/v1/pages"));
	CHECK(!admin_next_ok("/adminx"));
}

TEST(admin_auth, cookies)
{
	char v[80];

	CHECK(admin_cookie_get("a=1; kiln_session=abc; b=2", "kiln_session",
	    v, sizeof(v)));
	CHECK_STR_EQ(v, "abc");
	CHECK(admin_cookie_get("kiln_session=xyz", "kiln_session", v,
	    sizeof(v)));
	CHECK_STR_EQ(v, "xyz");
	CHECK(!admin_cookie_get("xkiln_session=abc", "kiln_session", v,
	    sizeof(v)));
	CHECK(!admin_cookie_get("a=1", "kiln_session", v, sizeof(v)));
	CHECK(!admin_cookie_get(NULL, "kiln_session", v, sizeof(v)));
	/* too long for the buffer: not truncated into a valid value */
	CHECK(!admin_cookie_get("k=0123456789", "k", v, 5));
}

TEST(admin_auth, forms)
{
	const char *body = "a=1&b=x+y%21&c=&d&csrf=%E2%82%AC";
	json_t *f = admin_form_parse(body, strlen(body));

	CHECK_NOT_NULL(f);
	CHECK_STR_EQ(json_string_value(json_object_get(f, "a")), "1");
	CHECK_STR_EQ(json_string_value(json_object_get(f, "b")), "x y!");
	CHECK_STR_EQ(json_string_value(json_object_get(f, "c")), "");
	CHECK_STR_EQ(json_string_value(json_object_get(f, "d")), "");
	CHECK_STR_EQ(json_string_value(json_object_get(f, "csrf")),
	    "\xe2\x82\xac");
	json_decref(f);
	/* bad escapes, NUL, invalid UTF-8: refused */
	CHECK_NULL(admin_form_parse("a=%zz", 5));
	CHECK_NULL(admin_form_parse("a=%4", 4));
	CHECK_NULL(admin_form_parse("a=%00", 5));
	CHECK_NULL(admin_form_parse("a=%ff", 5));
	f = admin_form_parse("", 0);
	CHECK_INT_EQ(json_object_size(f), 0);
	json_decref(f);
}
