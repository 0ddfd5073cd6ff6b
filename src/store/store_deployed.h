/* SPDX-License-Identifier: ISC */
/*
 * store_deployed.h: the deployed state of a destination as rows
 * (component "deployed", issues #19 and #16, decision record 0250).
 *
 *   deployed_files   (dest, path) -> the manifest entry the destination
 *                    holds (sha256, size, content_type, cache_control,
 *                    immutable, kind, redirect): what deploy.manifest.ID
 *                    held as one JSON text before
 *   deploy_journal   (dest, what, path): a running deploy's plan (what
 *                    "plan", value "put" or "delete") written once, and
 *                    what landed (what "landed", value the entry's JSON
 *                    text or NULL for a deletion) appended per batch
 *
 * DEST is the destination's state id (16 hex digits, src/deploy/state.c).
 * Writers call these inside the caller's transaction (store_begin) when
 * several must land together.  Same conventions as store.h.
 */
#ifndef KILN_STORE_DEPLOYED_H
#define KILN_STORE_DEPLOYED_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct manifest;
struct store;

/*
 * Every row of DEST appended to M (initialised by the caller), in path
 * order; a row that is not a valid entry (a path outside the
 * destination, a bad checksum, size or kind) is refused by name.
 */
int store_deployed_load(struct store *st, const char *dest,
    struct manifest *m, struct buf *err);
/*
 * The rows of DEST for PATHS[0..N) (a per-path lookup, never a scan:
 * decision 0310) appended to M, then M sorted; a path without a row adds
 * nothing.  *NREAD (may be NULL) counts the rows read.  Rows are checked
 * as store_deployed_load's.
 */
int store_deployed_load_paths(struct store *st, const char *dest,
    const char *const *paths, size_t n, struct manifest *m, size_t *nread,
    struct buf *err);
/*
 * Write what differs between OLD (what the rows hold) and NEW (both
 * sorted by path): new and changed entries written, removed ones
 * deleted; nothing else is touched.  *NWRITTEN (may be NULL) counts the
 * rows written or deleted.
 */
int store_deployed_write(struct store *st, const char *dest,
    const struct manifest *old, const struct manifest *new,
    size_t *nwritten, struct buf *err);
/* every row of DEST deleted (a destination's state replaced whole) */
int store_deployed_clear(struct store *st, const char *dest,
    struct buf *err);

/* one journal row: WHAT "plan" (VALUE "put"/"delete") or "landed" */
struct store_journal_row {
	const char *what;
	const char *path;
	const char *value;	/* NULL: a landed deletion */
};
/* append N rows to DEST's journal (a row written again is replaced) */
int store_deployed_journal_add(struct store *st, const char *dest,
    const struct store_journal_row *rows, size_t n, struct buf *err);
/* FN for every journal row of DEST; FN's -1 stops (err set by it) */
int store_deployed_journal_read(struct store *st, const char *dest,
    int (*fn)(const struct store_journal_row *, void *, struct buf *),
    void *arg, struct buf *err);
int store_deployed_journal_clear(struct store *st, const char *dest,
    struct buf *err);

#endif
