/* SPDX-License-Identifier: ISC */
/*
 * conf_live.h: the configuration of a running daemon, swapped on SIGHUP
 * (docs/decisions/0065-config-reload.md).
 *
 * A struct conf is immutable; a reload builds a new one and makes it
 * current.  Threads take a reference to the current conf at a safe point
 * (the worker between builds, the scheduler once per tick), use it
 * unchanged until they give it back, and pick up the next one at their
 * next safe point.  A conf is freed when it is no longer current and the
 * last reference is given back, never while a thread still reads it.
 */
#ifndef KILN_CONF_LIVE_H
#define KILN_CONF_LIVE_H

#include <stdint.h>

struct buf;
struct conf;
struct conf_live;

/* a holder whose current conf is C (it takes ownership) */
struct conf_live *conf_live_new(struct conf *c);
/*
 * The current conf, referenced: give it back with conf_live_put().
 * *gen (NULL ok) is its generation: 1 for the first, +1 per swap.
 */
const struct conf *conf_live_get(struct conf_live *l, uint64_t *gen);
void conf_live_put(struct conf_live *l, const struct conf *c);
/* make C current (ownership taken); the old one goes when unreferenced */
uint64_t conf_live_set(struct conf_live *l, struct conf *c);
/* free the holder; every reference must have been given back */
void conf_live_free(struct conf_live *l);

/*
 * The top-level keys whose YAML differs between two kiln.yaml texts
 * (added, removed or changed; comments and layout do not count), in
 * file order, appended to OUT as "site, targets".  -1 if either text is
 * not YAML.
 */
int conf_changed_keys(const char *old_yaml, size_t oldlen,
    const char *new_yaml, size_t newlen, struct buf *out);

#endif
