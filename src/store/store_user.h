/* SPDX-License-Identifier: ISC */
/*
 * store_user.h: admin accounts and their browser sessions (see
 * store_user.c).  Same conventions as store.h: 0 / -1 with err and its
 * kind, one struct store per thread.  The store never sees a password:
 * callers hash it (common/passwd.h) and pass the encoded hash.  A session
 * is known by the SHA-256 of its id (64 hex); the id itself is only ever
 * in the browser's cookie.
 */
#ifndef KILN_STORE_USER_H
#define KILN_STORE_USER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct buf;
struct store;

#define USER_NAME_MAX	64
#define USER_HASH_MAX	256

struct user_info {
	int64_t id;
	char name[USER_NAME_MAX + 1];
	char role[16];			/* editor, publisher, admin */
	char hash[USER_HASH_MAX];	/* encoded password hash */
	bool disabled;
};

/* is NAME a valid user name?  1-64 of [A-Za-z0-9._@-]; -1 with err */
int user_name_check(const char *name, struct buf *err);
/*
 * A new account (audited as ACTOR): 0, or -1 (kind ERR_CONFLICT when the
 * name is taken, ERR_INVALID for a bad name or role).
 */
int store_user_add(struct store *st, const char *name, const char *role,
    const char *hash, const char *actor, struct buf *err);
/* 0 and *u filled, 1 no such user (kind ERR_NOT_FOUND), -1 */
int store_user_get(struct store *st, const char *name, struct user_info *u,
    struct buf *err);
/*
 * A new password hash for NAME; every session of the user ends.
 * 0, 1 no such user, -1.
 */
int store_user_passwd(struct store *st, const char *name, const char *hash,
    const char *actor, struct buf *err);
/* NAME can no longer log in; every session ends.  0, 1, -1 */
int store_user_disable(struct store *st, const char *name, const char *actor,
    struct buf *err);
/* [{name, role, disabled, created, last_login}]; never a hash */
int store_user_list(struct store *st, json_t **out, struct buf *err);

/*
 * The revisions of page PAGE_ID, newest first: [{id, author, created_at
 * (seconds), title}] (store_admin.c).
 */
int store_revision_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err);

/* who requested build BUILD_ID: "alice, token:ci" into OUT */
int store_build_actors(struct store *st, int64_t build_id, struct buf *out,
    struct buf *err);

/*
 * Audit rows, newest first, of ACTOR and of page PATH (NULL: any), from
 * OFFSET, at most LIMIT: [{id, at, actor, action, path, detail}].
 */
int store_audit_query(struct store *st, const char *actor, const char *path,
    size_t offset, size_t limit, json_t **out, struct buf *err);

/*
 * The review workflow.  Submit revision REVISION_ID of page PAGE_ID
 * (GO_LIVE: when to publish it on approval, 0 now); it replaces the
 * page's pending review.  List: PAGE_ID 0 every pending review (oldest
 * first), else the page's last review: [{id, page_id, path, revision_id,
 * go_live_at, submitted_by, submitted_at, state, comment, decided_by,
 * title}].  Decide: APPROVE or reject with COMMENT; 0, 1 when it is not
 * pending (kind ERR_CONFLICT), -1.  Each step is audited as ACTOR.
 */
int store_review_submit(struct store *st, int64_t page_id,
    int64_t revision_id, int64_t go_live, const char *actor,
    struct buf *err);
int store_review_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err);
int store_review_decide(struct store *st, int64_t review_id, bool approve,
    const char *comment, const char *actor, struct buf *err);

/* a new session of USER_ID known by SID_HASH (hex SHA-256 of the id) */
int store_session_create(struct store *st, int64_t user_id,
    const char *sid_hash, struct buf *err);
/*
 * The session SID_HASH at time NOW: 0 and *u (its user) when it exists,
 * its user is enabled, it was used within IDLE seconds and created within
 * MAX seconds; 1 otherwise (an expired session is deleted); -1.  Records
 * the use (at most once a minute, so a page view is not a write).
 */
int store_session_check(struct store *st, const char *sid_hash, int64_t now,
    int64_t idle, int64_t max, struct user_info *u, struct buf *err);
/* end the session SID_HASH (logout); 0 even if it was gone */
int store_session_delete(struct store *st, const char *sid_hash,
    struct buf *err);

#endif
