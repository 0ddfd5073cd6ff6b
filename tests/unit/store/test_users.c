/* SPDX-License-Identifier: ISC */
/*
 * test_users.c: admin accounts and sessions in the store: names and roles
 * checked, one name once, the list never shows a hash, sessions known by
 * a hash only, idle and absolute expiry, logout, and a new password or a
 * disabled account ends every session of the user; all audited.
 */
#include "test.h"
#include "store_fixture.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_user.h"

#define T0 1795531855LL		/* 2026-11-24T14:50:55Z */
#define HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"
#define SID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define SID2 "2222222222222222222222222222222222222222222222222222222222222222"

static int
check(struct store *st, const char *sid, int64_t now, struct user_info *u)
{
	struct buf err = BUF_INIT;
	int r = store_session_check(st, sid, now, 3600, 86400, u, &err);

	buf_release(&err);
	return r;
}

TEST(users, add_get_list)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct user_info u;
	json_t *a = NULL;
	char *dump;

	set_now(T0);
	st = open_store_at("users.db");
	CHECK_OK(store_user_add(st, "alice", "publisher", HASH, "cli", &err));
	CHECK_INT_EQ(store_user_add(st, "alice", "editor", HASH, "cli", &err),
	    -1);
	CHECK_INT_EQ(store_err_kind(st), ERR_CONFLICT);
	CHECK_INT_EQ(store_user_add(st, "bad name", "editor", HASH, "cli",
	    &err), -1);
	CHECK(strstr(err.buf, "name:") != NULL);
	CHECK_INT_EQ(store_user_add(st, "carol", "root", HASH, "cli", &err),
	    -1);
	CHECK(strstr(err.buf, "role:") != NULL);
	CHECK_OK(store_user_get(st, "alice", &u, &err));
	CHECK_STR_EQ(u.role, "publisher");
	CHECK_STR_EQ(u.hash, HASH);
	CHECK(!u.disabled);
	CHECK_INT_EQ(store_user_get(st, "nobody", &u, &err), 1);
	CHECK_INT_EQ(store_err_kind(st), ERR_NOT_FOUND);
	CHECK_OK(store_user_list(st, &a, &err));
	CHECK_INT_EQ(json_array_size(a), 1);
	dump = json_dumps(a, 0);
	CHECK(strstr(dump, "argon2") == NULL);
	free(dump);
	json_decref(a);
	CHECK_OK(store_audit_list(st, 10, &a, &err));
	dump = json_dumps(a, 0);
	CHECK(strstr(dump, "user.add") != NULL);
	free(dump);
	json_decref(a);
	store_close(st);
	buf_release(&err);
}

TEST(users, session_expiry)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct user_info u;
	int64_t id;

	set_now(T0);
	st = open_store_at("sessions.db");
	CHECK_OK(store_user_add(st, "bob", "editor", HASH, "cli", &err));
	CHECK_OK(store_user_get(st, "bob", &u, &err));
	id = u.id;
	CHECK_OK(store_session_create(st, id, SID1, &err));
	CHECK_INT_EQ(check(st, SID1, T0, &u), 0);
	CHECK_STR_EQ(u.name, "bob");
	CHECK_STR_EQ(u.role, "editor");
	CHECK_INT_EQ(check(st, SID2, T0, &u), 1);
	/* used every 50 minutes: alive past the idle hour */
	CHECK_INT_EQ(check(st, SID1, T0 + 3000, &u), 0);
	CHECK_INT_EQ(check(st, SID1, T0 + 6000, &u), 0);
	/* idle more than an hour: gone, and stays gone */
	CHECK_INT_EQ(check(st, SID1, T0 + 6000 + 3601, &u), 1);
	CHECK_INT_EQ(check(st, SID1, T0 + 6000, &u), 1);
	/* absolute expiry, however busy */
	CHECK_OK(store_session_create(st, id, SID2, &err));
	for (int64_t t = T0; t <= T0 + 86400; t += 3000)
		CHECK_INT_EQ(check(st, SID2, t, &u), 0);
	CHECK_INT_EQ(check(st, SID2, T0 + 86401, &u), 1);
	store_close(st);
	buf_release(&err);
}

TEST(users, logout_passwd_disable_end_sessions)
{
	struct store *st;
	struct buf err = BUF_INIT;
	struct user_info u;
	int64_t id;

	set_now(T0);
	st = open_store_at("logout.db");
	CHECK_OK(store_user_add(st, "carol", "admin", HASH, "cli", &err));
	CHECK_OK(store_user_get(st, "carol", &u, &err));
	id = u.id;
	CHECK_OK(store_session_create(st, id, SID1, &err));
	CHECK_OK(store_session_delete(st, SID1, &err));
	CHECK_INT_EQ(check(st, SID1, T0, &u), 1);
	CHECK_OK(store_session_delete(st, SID1, &err));

	CHECK_OK(store_session_create(st, id, SID1, &err));
	CHECK_OK(store_user_passwd(st, "carol", HASH "x", "carol", &err));
	CHECK_INT_EQ(check(st, SID1, T0, &u), 1);
	CHECK_OK(store_user_get(st, "carol", &u, &err));
	CHECK_STR_EQ(u.hash, HASH "x");
	CHECK_INT_EQ(store_user_passwd(st, "nobody", HASH, "x", &err), 1);

	CHECK_OK(store_session_create(st, id, SID2, &err));
	CHECK_INT_EQ(check(st, SID2, T0, &u), 0);
	CHECK_OK(store_user_disable(st, "carol", "admin", &err));
	CHECK_INT_EQ(check(st, SID2, T0, &u), 1);
	CHECK_OK(store_user_get(st, "carol", &u, &err));
	CHECK(u.disabled);
	CHECK_INT_EQ(store_user_disable(st, "nobody", "x", &err), 1);
	store_close(st);
	buf_release(&err);
}
