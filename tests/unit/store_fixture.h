/* SPDX-License-Identifier: ISC */
/*
 * store_fixture.h: what the unit tests of the store, the queue and notify
 * share: the clock through KILN_NOW, and a store (the caller closes it).
 *
 * One suite, two backends: with KILN_TEST_STORE=postgres the store is a
 * PostgreSQL database of its own on the server KILN_TEST_PG names (a
 * conninfo without dbname; tests/unit/run-pg starts one), made with
 * createdb from KILN_TEST_PG_BIN; else a SQLite file in the test's
 * scratch folder.  The same NAME in one test is the same store.
 */
#ifndef KILN_TEST_STORE_FIXTURE_H
#define KILN_TEST_STORE_FIXTURE_H

#include <stdlib.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "store/store.h"

static inline void
set_now(int64_t t)
{
	char s[32];

	time_format_iso8601(t, s, sizeof(s));
	setenv("KILN_NOW", s, 1);
}

static inline bool
test_store_pg(void)
{
	const char *b = getenv("KILN_TEST_STORE");

	return b && strcmp(b, "postgres") == 0;
}

/* the PostgreSQL database for NAME in this test: made on first use */
static inline char *
test_pg_url(const char *name)
{
	const char *conn = getenv("KILN_TEST_PG");
	const char *bin = getenv("KILN_TEST_PG_BIN");
	const char *p;
	uint32_t h = 2166136261u;
	char db[32];
	struct buf cmd = BUF_INIT;
	char *url;

	if (!conn || !bin)
		test_fail(__FILE__, __LINE__, "KILN_TEST_STORE=postgres "
		    "needs KILN_TEST_PG and KILN_TEST_PG_BIN");
	for (p = test_tmpdir(); *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(db, sizeof(db), "t%08x", h);
	buf_printf(&cmd, "'%s/psql' -X -q -d '%s dbname=postgres' -c "
	    "'CREATE DATABASE %s' >/dev/null 2>&1", bin, conn, db);
	/* it may exist from an earlier run: the store's open says */
	if (system(cmd.buf) == -1)
		test_fail(__FILE__, __LINE__, "cannot run psql");
	url = xasprintf("%s dbname=%s", conn, db);
	buf_release(&cmd);
	return url;
}

static inline struct store *
open_store_at(const char *name)
{
	struct store *st = NULL;
	struct buf err = BUF_INIT;
	int rc;

	if (test_store_pg()) {
		char *url = test_pg_url(name);
		rc = store_open("postgres", url, &st, &err);
		free(url);
	} else
		rc = store_open("sqlite", name, &st, &err);
	if (rc != 0)
		test_fail(__FILE__, __LINE__, "open: %s", err.buf);
	buf_release(&err);
	return st;
}

#endif
