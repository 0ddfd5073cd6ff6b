/* SPDX-License-Identifier: ISC */
/*
 * preview_link.c: signed, expiring preview links (preview_link.h).
 */
#include "common/compat.h"

#include <sys/random.h>

#include "common/buf.h"
#include "common/hash.h"
#include "http/preview_link.h"
#include "store/store.h"

#define SECRET_KEY	"preview.secret"

/* the MAC of ID and EXPIRES under KEY, in hex */
static void
token_mac(const unsigned char *key, size_t keylen, int64_t id,
    int64_t expires, char hex[65])
{
	unsigned char mac[32];
	char msg[64];
	int n;

	n = snprintf(msg, sizeof(msg), "kiln-preview-v1\n%lld\n%lld",
	    (long long)id, (long long)expires);
	hmac_sha256(key, keylen, msg, (size_t)n, mac);
	hex_encode(mac, sizeof(mac), hex);
	hex[64] = '\0';
}

void
preview_token_sign(const unsigned char *key, size_t keylen, int64_t id,
    int64_t expires, char tok[PREVIEW_TOKEN_MAX])
{
	char hex[65];

	token_mac(key, keylen, id, expires, hex);
	snprintf(tok, PREVIEW_TOKEN_MAX, "%lld.%lld.%s", (long long)id,
	    (long long)expires, hex);
}

/* a positive decimal of at most MAX digits at *S up to '.'; advances */
static bool
number(const char **s, size_t max, int64_t *v)
{
	size_t n = strspn(*s, "0123456789");

	if (n == 0 || n > max || (*s)[n] != '.' || (**s == '0'))
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v * 10 + ((*s)[i] - '0');
	*s += n + 1;
	return true;
}

enum preview_check
preview_token_verify(const unsigned char *key, size_t keylen, const char *tok,
    int64_t now, int64_t *id)
{
	const char *s = tok;
	int64_t pid, exp;
	char want[65];

	if (!number(&s, 18, &pid) || !number(&s, 18, &exp) ||
	    strlen(s) != 64 || !hex_valid(s, 64))
		return PREVIEW_BAD;
	token_mac(key, keylen, pid, exp, want);
	if (!str_ct_equal(s, want))
		return PREVIEW_BAD;
	if (now >= exp)
		return PREVIEW_EXPIRED;
	*id = pid;
	return PREVIEW_OK;
}

/* KEY from its hex form in V; false if V is not 64 hex digits */
static bool
secret_parse(const struct buf *v, unsigned char key[32])
{
	if (v->len != 64 || !hex_valid(v->buf, 64))
		return false;
	for (size_t i = 0; i < 32; i++) {
		unsigned hi, lo;
		char c = v->buf[2 * i], d = v->buf[2 * i + 1];
		hi = (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		lo = (unsigned)(d <= '9' ? d - '0' : d - 'a' + 10);
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

int
preview_secret(struct store *st, unsigned char key[32], struct buf *err)
{
	struct buf v = BUF_INIT;
	char hex[65];
	int r, rc = -1;

	if ((r = store_state_get(st, SECRET_KEY, &v, err)) == 0 &&
	    secret_parse(&v, key)) {
		rc = 0;
		goto out;
	}
	if (r == -1)
		goto out;
	/* first use: made and saved once, even with two at a time */
	if (store_begin(st, err) == -1)
		goto out;
	buf_reset(&v);
	if ((r = store_state_get(st, SECRET_KEY, &v, err)) == 0 &&
	    secret_parse(&v, key)) {
		rc = store_commit(st, err);
		goto out;
	}
	if (r == -1 || getrandom(key, 32, 0) != 32) {
		if (r != -1)
			buf_setf(err, "preview: no random bytes for the "
			    "secret");
		store_rollback(st);
		goto out;
	}
	hex_encode(key, 32, hex);
	if (store_state_set(st, SECRET_KEY, hex, 64, err) == -1) {
		store_rollback(st);
		goto out;
	}
	rc = store_commit(st, err);
	explicit_bzero(hex, sizeof(hex));
out:
	if (v.len)
		explicit_bzero(v.buf, v.len);
	buf_release(&v);
	return rc;
}

int
preview_link_make(struct store *st, int64_t id, int64_t expires,
    char tok[PREVIEW_TOKEN_MAX], struct buf *err)
{
	unsigned char key[32];

	if (preview_secret(st, key, err) == -1)
		return -1;
	preview_token_sign(key, sizeof(key), id, expires, tok);
	explicit_bzero(key, sizeof(key));
	return 0;
}

int
preview_link_check(struct store *st, const char *tok, int64_t now,
    int64_t *id, enum preview_check *res, struct buf *err)
{
	unsigned char key[32];

	if (preview_secret(st, key, err) == -1)
		return -1;
	*res = preview_token_verify(key, sizeof(key), tok, now, id);
	explicit_bzero(key, sizeof(key));
	return 0;
}
