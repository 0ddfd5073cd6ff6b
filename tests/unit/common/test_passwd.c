/* SPDX-License-Identifier: ISC */
/*
 * test_passwd.c: Argon2id password hashes: the standard encoded form
 * with its parameters, a fresh salt each time, verify yes/no, hashes made
 * with other (older, weaker) parameters still verify, garbage is refused,
 * the policy, and the dummy hash has the current parameters.
 */
#include "test.h"

#include <argon2.h>

#include "common/buf.h"
#include "common/passwd.h"

TEST(passwd, hash_and_verify)
{
	char a[PASSWD_ENCODED_MAX], b[PASSWD_ENCODED_MAX];
	struct buf err = BUF_INIT;

	CHECK_OK(passwd_hash("correct horse", 13, a, &err));
	CHECK_OK(passwd_hash("correct horse", 13, b, &err));
	CHECK(!strncmp(a, "$argon2id$v=19$m=19456,t=2,p=1$", 31));
	/* a fresh salt: the same password, two hashes */
	CHECK(strcmp(a, b) != 0);
	CHECK_INT_EQ(passwd_verify(a, "correct horse", 13), 0);
	CHECK_INT_EQ(passwd_verify(b, "correct horse", 13), 0);
	CHECK_INT_EQ(passwd_verify(a, "correct horsE", 13), 1);
	CHECK_INT_EQ(passwd_verify(a, "correct hors", 12), 1);
	CHECK_INT_EQ(passwd_verify(a, "", 0), 1);
	buf_release(&err);
}

TEST(passwd, parameters_live_in_the_hash)
{
	char old[PASSWD_ENCODED_MAX];

	/* a hash made with other parameters (as after raising them) */
	CHECK_INT_EQ(argon2id_hash_encoded(1, 1024, 1, "hunter22", 8,
	    "0123456789abcdef", 16, 32, old, sizeof(old)), ARGON2_OK);
	CHECK(strstr(old, "$m=1024,t=1,p=1$") != NULL);
	CHECK_INT_EQ(passwd_verify(old, "hunter22", 8), 0);
	CHECK_INT_EQ(passwd_verify(old, "hunter23", 8), 1);
}

TEST(passwd, refuses_what_is_not_argon2id)
{
	char i[PASSWD_ENCODED_MAX];

	CHECK_INT_EQ(passwd_verify("", "x", 1), -1);
	CHECK_INT_EQ(passwd_verify("plaintext", "plaintext", 9), -1);
	CHECK_INT_EQ(passwd_verify("$argon2id$v=19$m=garbage", "x", 1), -1);
	/* argon2i is not accepted where argon2id is stored */
	CHECK_INT_EQ(argon2i_hash_encoded(1, 1024, 1, "hunter22", 8,
	    "0123456789abcdef", 16, 32, i, sizeof(i)), ARGON2_OK);
	CHECK_INT_EQ(passwd_verify(i, "hunter22", 8), -1);
}

TEST(passwd, policy)
{
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(passwd_policy("short", 5, &err), -1);
	CHECK(strstr(err.buf, "at least 8") != NULL);
	CHECK_INT_EQ(passwd_policy("two\nlines", 9, &err), -1);
	CHECK_INT_EQ(passwd_policy("with\0nul", 8, &err), -1);
	CHECK_OK(passwd_policy("long enough", 11, &err));
	buf_release(&err);
}

TEST(passwd, dummy_hash_has_the_current_parameters)
{
	const char *d = passwd_dummy_hash();

	CHECK(!strncmp(d, "$argon2id$v=19$m=19456,t=2,p=1$", 31));
	CHECK(d == passwd_dummy_hash());
	CHECK_INT_EQ(passwd_verify(d, "anything", 8), 1);
}
