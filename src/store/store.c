/* SPDX-License-Identifier: ISC */
/*
 * store.c: the backend-independent part of the store: store_open()
 * chooses a backend by driver (store_backend.h), and the calls that only
 * need the backend's table go through it.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "store/store.h"
#include "store/store_backend.h"

static const struct store_ops postgres_missing = {
	.driver = "postgres",
	.missing = "the postgres driver is not available in this build (use "
	    "driver: sqlite)",
};

static const struct store_ops *const backends[] = {
	&store_sqlite_ops,
	&postgres_missing,
};

static struct store_base *
base(const struct store *st)
{
	return (struct store_base *)(uintptr_t)st;
}

int
store_open(const char *driver, const char *url, struct store **out,
    struct buf *err)
{
	*out = NULL;
	for (size_t i = 0; i < NELEM(backends); i++) {
		if (strcmp(driver, backends[i]->driver) != 0)
			continue;
		if (backends[i]->missing) {
			buf_setf(err, "store: %s", backends[i]->missing);
			return -1;
		}
		return backends[i]->open(url, out, err);
	}
	buf_setf(err, "store: unknown driver '%s'", driver);
	return -1;
}

void
store_close(struct store *st)
{
	if (st)
		base(st)->ops->close(st);
}

enum err_kind
store_err_kind(const struct store *st)
{
	return base(st)->kind;
}

void
store_err_clear(struct store *st)
{
	base(st)->kind = ERR_NONE;
}

int
store_begin(struct store *st, struct buf *err)
{
	return base(st)->ops->begin(st, err);
}

int
store_commit(struct store *st, struct buf *err)
{
	return base(st)->ops->commit(st, err);
}

void
store_rollback(struct store *st)
{
	base(st)->ops->rollback(st);
}
