/* SPDX-License-Identifier: ISC */
/*
 * preview_link.h: shareable preview links (decision record 0131).
 *
 * A link is /preview/TOKEN/ with TOKEN = "ID.EXPIRY.MAC": the page id,
 * the expiry (Unix seconds) and the hex HMAC-SHA256 of both under a
 * server secret that the store keeps (state key "preview.secret", 32
 * random bytes made once).  Nothing else is stored: a link is valid
 * until it expires; changing the secret (deleting the state row)
 * revokes every link at once.  Thread-safe.
 */
#ifndef KILN_PREVIEW_LINK_H
#define KILN_PREVIEW_LINK_H

#include <stdint.h>

struct buf;
struct store;

#define PREVIEW_TOKEN_MAX	104	/* 18 + 1 + 20 + 1 + 64 + NUL */

enum preview_check {
	PREVIEW_OK = 0,
	PREVIEW_BAD,		/* malformed or tampered */
	PREVIEW_EXPIRED,
};

/* TOK = the token of page ID until EXPIRES under KEY (pure) */
void preview_token_sign(const unsigned char *key, size_t keylen, int64_t id,
    int64_t expires, char tok[PREVIEW_TOKEN_MAX]);
/*
 * Check TOK under KEY at time NOW (pure; the MAC is compared in
 * constant time, and before the expiry is believed): *id set on
 * PREVIEW_OK.
 */
enum preview_check preview_token_verify(const unsigned char *key,
    size_t keylen, const char *tok, int64_t now, int64_t *id);

/* the store's secret (made and saved on first use); 0 or -1 with err */
int preview_secret(struct store *st, unsigned char key[32], struct buf *err);
/* a token for page ID until EXPIRES, under the store's secret */
int preview_link_make(struct store *st, int64_t id, int64_t expires,
    char tok[PREVIEW_TOKEN_MAX], struct buf *err);
/* preview_token_verify under the store's secret; -1 with err */
int preview_link_check(struct store *st, const char *tok, int64_t now,
    int64_t *id, enum preview_check *res, struct buf *err);

#endif
