/* SPDX-License-Identifier: ISC */
/*
 * testhook.c: the test hooks (see testhook.h).  The hold polls the file
 * rather than waiting on a signal or a pipe so that a test needs nothing
 * but touch(1) and rm(1), and a killed test leaves nothing to clean up but
 * the file in its own scratch folder.
 */
#include "common/compat.h"

#include "common/testhook.h"

const char *
testhook(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

bool
testhook_on(const char *name)
{
	return testhook(name) != NULL;
}

bool
testhook_hold(void (*held)(void *, const char *), void *arg)
{
	const char *path = testhook(TESTHOOK_HOLD_FILE);

	if (!path || access(path, F_OK) == -1)
		return false;
	if (held)
		held(arg, path);
	while (access(path, F_OK) == 0)
		usleep(5000);
	return true;
}

bool
testhook_file(const char *name)
{
	const char *path = testhook(name);

	return path && access(path, F_OK) == 0;
}
