/* SPDX-License-Identifier: ISC */
/*
 * worker_int.h: what worker.c (one build) and worker_loop.c (the
 * daemon's loop) share inside src/queue.
 */
#ifndef KILN_WORKER_INT_H
#define KILN_WORKER_INT_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* this thread runs worker_loop: its builds' heartbeats show presence */
bool worker_in_loop(void);
/* WORKER consumes the queue until now + LEASE (QUEUE_WORKER_KEY) */
void worker_presence(struct store *st, const char *worker, int64_t lease);

#endif
