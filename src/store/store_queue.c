/* SPDX-License-Identifier: ISC */
/*
 * store_queue.c: the build queue's tables (component "queue").  Empty
 * until the queue lands; applied by store_open() like the store's own.
 */
#include "common/compat.h"

#include "store/store_int.h"

const struct store_migration store_queue_migrations[] = {
	{ 0, NULL }
};
