/* SPDX-License-Identifier: ISC */
/*
 * passwd.c: Argon2id password hashes (see passwd.h).  The salt comes from
 * OpenSSL's RAND_bytes; the encoded string is what the store keeps.
 */
#include "common/compat.h"

#include <pthread.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/passwd.h"

#define SALT_LEN	16
#define HASH_LEN	32

int
passwd_policy(const char *pw, size_t len, struct buf *err)
{
	if (len < PASSWD_MIN_LEN) {
		buf_setf(err, "password: expected at least %d characters",
		    PASSWD_MIN_LEN);
		return -1;
	}
	if (len > PASSWD_MAX_LEN) {
		buf_setf(err, "password: expected at most %d bytes",
		    PASSWD_MAX_LEN);
		return -1;
	}
	if (memchr(pw, '\0', len) || memchr(pw, '\n', len) ||
	    memchr(pw, '\r', len)) {
		buf_setf(err, "password: may not hold NUL or line breaks");
		return -1;
	}
	return 0;
}

int
passwd_hash(const char *pw, size_t len, char out[PASSWD_ENCODED_MAX],
    struct buf *err)
{
	unsigned char salt[SALT_LEN];
	int r;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		buf_setf(err, "cannot make a random salt");
		return -1;
	}
	r = argon2id_hash_encoded(PASSWD_T_COST, PASSWD_M_COST, PASSWD_P, pw,
	    len, salt, sizeof(salt), HASH_LEN, out, PASSWD_ENCODED_MAX);
	if (r != ARGON2_OK) {
		buf_setf(err, "cannot hash the password: %s",
		    argon2_error_message(r));
		return -1;
	}
	return 0;
}

int
passwd_verify(const char *encoded, const char *pw, size_t len)
{
	int r;

	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return -1;
	r = argon2id_verify(encoded, pw, len);
	if (r == ARGON2_OK)
		return 0;
	return r == ARGON2_VERIFY_MISMATCH ? 1 : -1;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[PASSWD_ENCODED_MAX];

static void
dummy_make(void)
{
	unsigned char pw[24];
	struct buf err = BUF_INIT;

	if (RAND_bytes(pw, sizeof(pw)) != 1 ||
	    passwd_hash((const char *)pw, sizeof(pw), dummy, &err) == -1)
		/* still a valid hash of the parameters: the salt is fixed */
		argon2id_hash_encoded(PASSWD_T_COST, PASSWD_M_COST, PASSWD_P,
		    "x", 1, "kiln-dummy-salt!", SALT_LEN, HASH_LEN, dummy,
		    sizeof(dummy));
	explicit_bzero(pw, sizeof(pw));
	buf_release(&err);
}

const char *
passwd_dummy_hash(void)
{
	pthread_once(&dummy_once, dummy_make);
	return dummy;
}
