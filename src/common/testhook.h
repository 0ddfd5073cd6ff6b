/* SPDX-License-Identifier: ISC */
/*
 * testhook.h: every test hook kiln reads from its environment, in one
 * place (docs/internals/testhooks.md).  A hook is off unless its variable
 * is set and not empty; production never sets them.  Hooks let tests
 * drive the real daemon into a state and hold it there (never sleep and
 * hope); they change no behaviour but the one they name.
 *
 *	KILN_TEST_HOLD_FILE=PATH   the worker, having claimed a build and
 *	                           before its snapshot, waits while PATH
 *	                           exists (the heartbeat goes on)
 *	KILN_TEST_FAIL_REQUEST=1   the store fails after writing a change,
 *	                           before its build request commits (=ACTION:
 *	                           only a change of that action, "publish")
 *	KILN_TEST_HOLD_HEARTBEAT=PATH  the build's heartbeat thread renews
 *	                           nothing while PATH exists (a stopped
 *	                           worker, as the store sees it)
 *	KILN_TEST_SNAPSHOT_VERIFY=1  every snapshot brought up to date from
 *	                           the changes (store_snapshot.c) is checked
 *	                           against a full read in the same
 *	                           transaction; any difference fails it
 *	KILN_TEST_SITEMAP_URLS=N   a sitemap file holds at most N URLs
 *	                           (50,000 otherwise): the sitemap index of a
 *	                           big site, tried on a small one
 *	KILN_TEST_IMPORT_TRUST=1   an import trusts the stat of a file
 *	                           changed less than 2 s before it
 *	                           began (the tests' files all are), so a
 *	                           re-import may skip it unread
 */
#ifndef KILN_TESTHOOK_H
#define KILN_TESTHOOK_H

#define TESTHOOK_HOLD_FILE	"KILN_TEST_HOLD_FILE"
#define TESTHOOK_FAIL_REQUEST	"KILN_TEST_FAIL_REQUEST"
#define TESTHOOK_HOLD_HEARTBEAT	"KILN_TEST_HOLD_HEARTBEAT"
#define TESTHOOK_SNAPSHOT_VERIFY "KILN_TEST_SNAPSHOT_VERIFY"
#define TESTHOOK_SITEMAP_URLS	"KILN_TEST_SITEMAP_URLS"
#define TESTHOOK_IMPORT_TRUST	"KILN_TEST_IMPORT_TRUST"

/* the hook's value, or NULL when it is off */
const char *testhook(const char *name);
/* true when the hook is on */
bool testhook_on(const char *name);
/*
 * KILN_TEST_HOLD_FILE: if set and the file exists, return true at once
 * after calling HELD(ARG) (say so in a log), then wait until the file is
 * gone, checking every 5 ms.  False (and no wait) when the hook is off.
 */
bool testhook_hold(void (*held)(void *, const char *), void *arg);
/* a hook naming a file (NAME=PATH): true while it is on and PATH exists */
bool testhook_file(const char *name);

#endif
