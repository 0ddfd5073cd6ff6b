/* SPDX-License-Identifier: ISC */
/*
 * store_token.c: API bearer tokens (table tokens, created by the build
 * component's migrations).  The store keeps only a token's SHA-256.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_token.h"

int
sql_token_create(struct store *st, const char *name, const char *role,
    int64_t expires_at, char token[65], struct buf *err)
{
	unsigned char raw[32];
	char hash[65];
	FILE *f;
	int rc = 0;

	if (strcmp(role, "editor") && strcmp(role, "publisher") &&
	    strcmp(role, "admin")) {
		buf_setf(err, "role: expected editor, publisher or admin");
		return -1;
	}
	if (!*name || strlen(name) > 64) {
		buf_setf(err, "name: expected 1 to 64 characters");
		return -1;
	}
	if (expires_at && expires_at <= time_now()) {
		buf_setf(err, "expires: the time has passed");
		return -1;
	}
	if (!(f = fopen("/dev/urandom", "rb")) || fread(raw, 1, 32, f) != 32) {
		if (f)
			fclose(f);
		buf_setf(err, "cannot read /dev/urandom");
		return -1;
	}
	fclose(f);
	hex_encode(raw, 32, token);
	explicit_bzero(raw, sizeof(raw));
	sha256_hex(token, 64, hash);
	if (store_run(st, "create token", NULL, err, "INSERT INTO "
	    "tokens(name, role, hash, created_at, expires_at) VALUES "
	    "(?, ?, ?, ?, ?)", "sssit", name, role, hash, time_now(),
	    expires_at) == -1) {
		if (store_err_kind(st) == ERR_CONFLICT)
			buf_setf(err, "a token named '%s' exists", name);
		rc = -1;
	}
	if (rc == -1)
		explicit_bzero(token, 65);
	return rc;
}

/*
 * Last use is written at most once a minute per token, so a busy client
 * costs one small write a minute, not one per request.
 */
#define TOKEN_USE_GRAIN 60

int
sql_token_check(struct store *st, const char *token, char *name,
    size_t namesz, char *role, size_t rolesz, struct buf *err)
{
	struct stmt *s = NULL;
	char hash[65];
	int64_t now = time_now(), id = 0, used = 0;
	int rc = 1, step;

	sha256_hex(token, strlen(token), hash);
	/* an expired token is as good as none; a revoked one is gone */
	if (store_prepare(st, "SELECT id, name, role, last_used_at FROM tokens "
	    "WHERE hash = ? AND (expires_at IS NULL OR expires_at > ?)",
	    &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, hash);
	stmt_bind_i64(s, 2, now);
	if ((step = stmt_step(s)) == STMT_ROW) {
		id = stmt_col_i64(s, 0);
		snprintf(name, namesz, "%s", stmt_col_text(s, 1));
		snprintf(role, rolesz, "%s", stmt_col_text(s, 2));
		used = stmt_col_i64(s, 3);
		rc = 0;
	} else if (step == STMT_DONE)
		store_err_set(st, ERR_NOT_FOUND, NULL);
	else
		rc = store_sqlerr(st, "check token", err);
	stmt_finalize(s);
	s = NULL;
	if (rc == 0 && now - used >= TOKEN_USE_GRAIN) {
		/* best effort: a busy store must not refuse a valid token */
		if (store_prepare(st, "UPDATE tokens SET last_used_at = ? "
		    "WHERE id = ?", &s, err) == 0) {
			stmt_bind_i64(s, 1, now);
			stmt_bind_i64(s, 2, id);
			stmt_step(s);
			stmt_finalize(s);
		}
		buf_reset(err);
	}
	return rc;
}

int
sql_token_list(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t now = time_now();
	json_t *a;

	*out = NULL;
	if (store_prepare(st, "SELECT name, role, created_at, last_used_at, "
	    "expires_at FROM tokens ORDER BY name", &s, err) == -1)
		return -1;
	a = json_array();
	while (stmt_step(s) == STMT_ROW) {
		bool expired = !stmt_col_null(s, 4) &&
		    stmt_col_i64(s, 4) <= now;
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:o, "
		    "s:b}", "name", (const char *)stmt_col_text(s, 0),
		    "role", (const char *)stmt_col_text(s, 1),
		    "created", store_col_time(s, 2), "last_used", store_col_time(s, 3),
		    "expires", store_col_time(s, 4), "expired", expired));
	}
	stmt_finalize(s);
	*out = a;
	return 0;
}

int
sql_token_revoke(struct store *st, const char *name, struct buf *err)
{
	size_t changed = 0;
	int rc;

	rc = store_run(st, "revoke token", &changed, err, "DELETE FROM "
	    "tokens WHERE name = ?", "s", name);
	if (rc == 0 && changed == 0) {
		buf_setf(err, "no token named '%s'", name);
		store_err_set(st, ERR_NOT_FOUND, NULL);
		rc = 1;
	}
	return rc;
}
