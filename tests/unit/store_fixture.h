/* SPDX-License-Identifier: ISC */
/*
 * store_fixture.h: what the unit tests of the store, the queue and notify
 * share: the clock through KILN_NOW, and a SQLite store in the test's
 * scratch folder (the caller closes it).
 */
#ifndef KILN_TEST_STORE_FIXTURE_H
#define KILN_TEST_STORE_FIXTURE_H

#include <stdlib.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"

static inline void
set_now(int64_t t)
{
	char s[32];

	time_format_iso8601(t, s, sizeof(s));
	setenv("KILN_NOW", s, 1);
}

static inline struct store *
open_store_at(const char *name)
{
	struct store *st = NULL;
	struct buf err = BUF_INIT;

	if (store_open("sqlite", name, &st, &err) != 0)
		test_fail(__FILE__, __LINE__, "open: %s", err.buf);
	buf_release(&err);
	return st;
}

#endif
