/* SPDX-License-Identifier: ISC */
/*
 * store_token.h: API bearer tokens (see store_token.c).  Same conventions
 * as store.h: 0 / -1 with err and its kind, one struct store per thread.
 * The json_t ** result is a new reference the caller decrefs; NAME and
 * ROLE are filled into the caller's buffers.
 */
#ifndef KILN_STORE_TOKEN_H
#define KILN_STORE_TOKEN_H

#include <jansson.h>

struct buf;
struct store;

/*
 * A new bearer token (64 hex), printed once; the store keeps only its
 * SHA-256.  EXPIRES_AT: when it stops working (0: never; a past time is
 * refused).
 */
int store_token_create(struct store *st, const char *name, const char *role,
    int64_t expires_at, char token[65], struct buf *err);
/*
 * 0 and name/role if the token is known and not expired, 1 if not (a
 * revoked token is unknown; kind ERR_NOT_FOUND), -1 when the store cannot
 * answer (never reported as an unknown token).  Records the token's last
 * use, at most once a minute.
 */
int store_token_check(struct store *st, const char *token, char *name,
    size_t namesz, char *role, size_t rolesz, struct buf *err);
/*
 * Every token: [{name, role, created, last_used, expires, expired}],
 * times ISO 8601 or null.  Never the secret nor its hash.
 */
int store_token_list(struct store *st, json_t **out, struct buf *err);
/*
 * Revoke (delete) the token NAME: 0 done, 1 no such token (err says; kind
 * ERR_NOT_FOUND), -1.
 */
int store_token_revoke(struct store *st, const char *name, struct buf *err);

#endif
