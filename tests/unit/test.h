/* SPDX-License-Identifier: ISC */
/*
 * test.h: kiln's unit-test harness (STYLE H35).
 *
 *	TEST(suite, name)
 *	{
 *		CHECK_INT_EQ(1 + 1, 2);
 *	}
 *
 * The TEST line must start a line, exactly as above: gen-test-list.sh
 * finds tests with sed.  Each test runs in its own forked process with a
 * timeout (30 s, times KILN_TEST_TIMEOUT_MULT), so a crash or hang in one
 * does not hide the others.  A failed CHECK prints both values with file
 * and line and ends the test.  Tests run in a fresh temporary folder
 * (the cwd); test_tmpdir() names it.
 */
#ifndef KILN_TEST_H
#define KILN_TEST_H

#include "common/compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST(suite, name)                        \
	void test_##suite##__##name(void);       \
	void test_##suite##__##name(void)

NORETURN void test_fail(const char *file, int line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
const char *test_tmpdir(void);
/* $KILN_SRC (the source tree) and its tests/conformance (spec data) */
const char *test_srcdir(void);
const char *test_conformancedir(void);

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond))                                          \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                 \
	do {                                                               \
		intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);            \
		if (a_ != b_)                                              \
			test_fail(__FILE__, __LINE__,                      \
			    "%s == %s: %jd != %jd", #a, #b, a_, b_);          \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                 \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                     \
			test_fail(__FILE__, __LINE__,                      \
			    "%s == %s:\n  got:      \"%s\"\n  expected: \"%s\"", \
			    #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");  \
	} while (0)

#define CHECK_OK(expr)                                                     \
	do {                                                               \
		int r_ = (expr);                                           \
		if (r_ != 0)                                               \
			test_fail(__FILE__, __LINE__, "%s returned %d",    \
			    #expr, r_);                                    \
	} while (0)

#define CHECK_NULL(p)                                                      \
	do {                                                               \
		if ((p) != NULL)                                           \
			test_fail(__FILE__, __LINE__, "%s is not NULL", #p); \
	} while (0)

#define CHECK_NOT_NULL(p)                                                  \
	do {                                                               \
		if ((p) == NULL)                                           \
			test_fail(__FILE__, __LINE__, "%s is NULL", #p);   \
	} while (0)

#endif
