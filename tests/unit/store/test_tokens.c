/* SPDX-License-Identifier: ISC */
/*
 * test_tokens.c: API tokens: hashed at rest, expiry, revocation, last use
 * recorded at most once a minute, the list never shows a secret.
 */
#include "test.h"
#include "store_fixture.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_build.h"
#include "store/store_int.h"
#include "store/store_token.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */

static int
check(struct store *st, const char *tok, char *role)
{
	struct buf err = BUF_INIT;
	char name[64];
	int r;

	r = store_token_check(st, tok, name, sizeof(name), role, 32, &err);
	buf_release(&err);
	return r;
}

static json_t *
find(json_t *list, const char *name)
{
	size_t i;
	json_t *t;

	json_array_foreach(list, i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")),
		    name))
			return t;
	return NULL;
}

TEST(tokens, expiry_and_revocation)
{
	struct store *st;
	struct buf err = BUF_INIT;
	char a[65], b[65], role[32];

	set_now(T0);
	st = open_store_at("kiln.db");
	CHECK_OK(store_token_create(st, "ci", "publisher", 0, a, &err));
	CHECK_OK(store_token_create(st, "tmp", "editor", T0 + 3600, b, &err));
	CHECK_INT_EQ(strlen(a), 64);
	CHECK_INT_EQ(check(st, a, role), 0);
	CHECK_STR_EQ(role, "publisher");
	CHECK_INT_EQ(check(st, b, role), 0);
	/* an hour later the expiring one is refused, the other is not */
	set_now(T0 + 3600);
	CHECK_INT_EQ(check(st, b, role), 1);
	CHECK_INT_EQ(check(st, a, role), 0);
	/* revoked: refused; revoking twice says so */
	CHECK_OK(store_token_revoke(st, "ci", &err));
	CHECK_INT_EQ(check(st, a, role), 1);
	CHECK_INT_EQ(store_token_revoke(st, "ci", &err), 1);
	CHECK_STR_EQ(err.buf, "no token named 'ci'");
	/* the name is free again */
	CHECK_OK(store_token_create(st, "ci", "admin", 0, a, &err));
	CHECK_INT_EQ(check(st, a, role), 0);
	CHECK_STR_EQ(role, "admin");
	/* bad input changes nothing */
	CHECK_INT_EQ(store_token_create(st, "old", "editor", T0, b, &err), -1);
	CHECK_STR_EQ(err.buf, "expires: the time has passed");
	CHECK_INT_EQ(store_token_create(st, "x", "root", 0, b, &err), -1);
	CHECK_INT_EQ(store_token_create(st, "ci", "editor", 0, b, &err), -1);
	CHECK_STR_EQ(err.buf, "a token named 'ci' exists");
	CHECK_INT_EQ(check(st, a, role), 0);
	store_close(st);
	buf_release(&err);
}

TEST(tokens, last_use_and_list)
{
	struct store *st;
	struct buf err = BUF_INIT;
	char a[65], b[65], role[32], *dump;
	json_t *list = NULL, *t;

	set_now(T0);
	st = open_store_at("kiln.db");
	CHECK_OK(store_token_create(st, "ci", "publisher", 0, a, &err));
	CHECK_OK(store_token_create(st, "tmp", "editor", T0 + 60, b, &err));
	CHECK_OK(store_token_list(st, &list, &err));
	CHECK_INT_EQ(json_array_size(list), 2);
	t = find(list, "ci");
	CHECK_NOT_NULL(t);
	CHECK_STR_EQ(json_string_value(json_object_get(t, "role")),
	    "publisher");
	CHECK_STR_EQ(json_string_value(json_object_get(t, "created")),
	    "2026-11-24T14:50:55Z");
	CHECK(json_is_null(json_object_get(t, "last_used")));
	CHECK(json_is_null(json_object_get(t, "expires")));
	/* neither the token nor its hash is listed */
	dump = json_dumps(list, JSON_COMPACT);
	CHECK(!strstr(dump, a) && !strstr(dump, b));
	CHECK(!strstr(dump, "hash"));
	free(dump);
	json_decref(list);
	/* used: recorded; used again within the minute: not rewritten */
	set_now(T0 + 10);
	CHECK_INT_EQ(check(st, a, role), 0);
	set_now(T0 + 30);
	CHECK_INT_EQ(check(st, a, role), 0);
	CHECK_OK(store_token_list(st, &list, &err));
	CHECK_STR_EQ(json_string_value(json_object_get(find(list, "ci"),
	    "last_used")), "2026-11-24T14:51:05Z");
	json_decref(list);
	set_now(T0 + 100);
	CHECK_INT_EQ(check(st, a, role), 0);
	CHECK_INT_EQ(check(st, b, role), 1);	/* expired: no use recorded */
	CHECK_OK(store_token_list(st, &list, &err));
	CHECK_STR_EQ(json_string_value(json_object_get(find(list, "ci"),
	    "last_used")), "2026-11-24T14:52:35Z");
	t = find(list, "tmp");
	CHECK(json_is_null(json_object_get(t, "last_used")));
	CHECK_STR_EQ(json_string_value(json_object_get(t, "expires")),
	    "2026-11-24T14:51:55Z");
	CHECK(json_is_true(json_object_get(t, "expired")));
	json_decref(list);
	store_close(st);
	buf_release(&err);
}

/* a store that cannot answer is an error, never "no such token/build" */
TEST(tokens, store_error_is_not_unknown)
{
	struct store *st;
	struct buf err = BUF_INIT;
	char tok[65], name[64], role[32];
	json_t *b = NULL;

	set_now(T0);
	st = open_store_at("kiln.db");
	CHECK_OK(store_token_create(st, "ci", "admin", 0, tok, &err));
	store_err_clear(st);
	CHECK_INT_EQ(store_build_get(st, 42, false, &b, &err), 1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);
	store_err_clear(st);
	CHECK_INT_EQ(store_token_check(st, "0000", name, sizeof(name), role,
	    sizeof(role), &err), 1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);

	store_test_fail(st, true);
	store_err_clear(st);
	CHECK_INT_EQ(store_token_check(st, tok, name, sizeof(name), role,
	    sizeof(role), &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_INTERNAL);
	CHECK(strstr(err.buf, "check token") != NULL);
	buf_reset(&err);
	store_err_clear(st);
	CHECK_INT_EQ(store_build_get(st, 42, false, &b, &err), -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_INTERNAL);
	CHECK_NULL(b);
	store_test_fail(st, false);
	CHECK_INT_EQ(check(st, tok, role), 0);
	store_close(st);
	buf_release(&err);
}
