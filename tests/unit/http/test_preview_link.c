/* SPDX-License-Identifier: ISC */
/*
 * test_preview_link.c: shareable preview tokens (http/preview_link.h):
 * a token verifies until its expiry and not at it; any change to the
 * id, the expiry or the MAC, another key, or a malformed token is
 * refused.
 */
#include "test.h"

#include "http/preview_link.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
static const unsigned char other[32] = "0123456789abcdef0123456789abcdX";

TEST(preview_link, valid_until_expiry)
{
	char tok[PREVIEW_TOKEN_MAX];
	int64_t id = 0;

	preview_token_sign(key, sizeof(key), 42, 2000, tok);
	CHECK(strncmp(tok, "42.2000.", 8) == 0);
	CHECK_INT_EQ(strlen(tok), 8 + 64);
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), tok, 1999, &id),
	    PREVIEW_OK);
	CHECK_INT_EQ(id, 42);
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), tok, 2000, &id),
	    PREVIEW_EXPIRED);
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), tok, 5000, &id),
	    PREVIEW_EXPIRED);
}

TEST(preview_link, tampered_refused)
{
	char tok[PREVIEW_TOKEN_MAX], t2[PREVIEW_TOKEN_MAX + 8];
	int64_t id = 0;

	preview_token_sign(key, sizeof(key), 42, 2000, tok);
	/* another page, a later expiry, the same MAC */
	snprintf(t2, sizeof(t2), "43%s", tok + 2);
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), t2, 1, &id),
	    PREVIEW_BAD);
	snprintf(t2, sizeof(t2), "42.9000%s", tok + 7);
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), t2, 1, &id),
	    PREVIEW_BAD);
	/* an expired, tampered token says tampered, not expired */
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), t2, 9999, &id),
	    PREVIEW_BAD);
	/* one MAC digit changed */
	snprintf(t2, sizeof(t2), "%s", tok);
	t2[strlen(t2) - 1] = t2[strlen(t2) - 1] == '0' ? '1' : '0';
	CHECK_INT_EQ(preview_token_verify(key, sizeof(key), t2, 1, &id),
	    PREVIEW_BAD);
	/* another server's secret */
	CHECK_INT_EQ(preview_token_verify(other, sizeof(other), tok, 1, &id),
	    PREVIEW_BAD);
	CHECK_INT_EQ(id, 0);
}

TEST(preview_link, malformed_refused)
{
	static const char *const bad[] = { "", "42", "42.2000", "42.2000.",
	    "x.2000.abc", "042.2000.0000000000000000000000000000000000000000"
	    "000000000000000000000000", "42.2000.ZZ", "-1.2000.00",
	    "42..0000000000000000000000000000000000000000000000000000000000000"
	    "000", "42.2000.00000000000000000000000000000000000000000000000000"
	    "000000000000000/../x" };
	int64_t id = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT_EQ(preview_token_verify(key, sizeof(key), bad[i], 1,
		    &id), PREVIEW_BAD);
}
