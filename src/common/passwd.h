/* SPDX-License-Identifier: ISC */
/*
 * passwd.h: account passwords as Argon2id (Debian's libargon2), in the
 * standard encoded form $argon2id$v=19$m=M,t=T,p=P$SALT$HASH, so each
 * hash carries its own parameters and they can be raised later: a hash
 * made with weaker ones still verifies (decision 0120).  Thread-safe.
 */
#ifndef KILN_PASSWD_H
#define KILN_PASSWD_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* the parameters of new hashes (OWASP's minimum for Argon2id) */
#define PASSWD_T_COST	2
#define PASSWD_M_COST	19456		/* KiB */
#define PASSWD_P	1
#define PASSWD_MIN_LEN	8
#define PASSWD_MAX_LEN	1024
#define PASSWD_ENCODED_MAX	160

/* is PW (LEN bytes) acceptable as a new password?  -1 with err */
int passwd_policy(const char *pw, size_t len, struct buf *err);
/* the encoded hash of PW with a fresh random salt into OUT; -1 with err */
int passwd_hash(const char *pw, size_t len, char out[PASSWD_ENCODED_MAX],
    struct buf *err);
/*
 * Does PW match ENCODED?  0 yes, 1 no, -1 ENCODED is not an Argon2id
 * hash.  The comparison is constant-time (libargon2's).
 */
int passwd_verify(const char *encoded, const char *pw, size_t len);
/*
 * A hash of a random password with the current parameters: verify
 * against it when the account does not exist, so a wrong name takes as
 * long as a wrong password.
 */
const char *passwd_dummy_hash(void);

#endif
