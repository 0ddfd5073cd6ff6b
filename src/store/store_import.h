/* SPDX-License-Identifier: ISC */
/*
 * store_import.h: what `kiln import` reads of the store in one query
 * instead of one per file (issue #19, decision 0260).  Same conventions
 * as store.h.
 */
#ifndef KILN_STORE_IMPORT_H
#define KILN_STORE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>

struct buf;
struct page_fields;
struct page_info;
struct store;
struct store_newpages;

/*
 * Every page, with only what an import compares (id, path, parent_path,
 * template, weight, live, latest_revision, expire_at; the rest zero or
 * NULL): one query without the revisions store_page_list() joins.
 * Freed with store_page_list_free().
 */
int store_import_pages(struct store *st, struct page_info **list, size_t *n,
    struct buf *err);

/*
 * Every import record (the state rows "import:PATH" that import.c
 * writes): *out an object PATH -> the record's text, a JSON string,
 * unparsed (the import parses the few it needs: decision 0300).  One
 * query.
 */
int store_import_records(struct store *st, json_t **out, struct buf *err);

/*
 * ON: ready this connection for an import's one large transaction
 * (SQLite: a larger page cache; PostgreSQL: nothing); off: back to
 * usual.  0 or -1.
 */
int store_import_bulk(struct store *st, bool on, struct buf *err);

/*
 * The latest revision of the page at canonical PATH into *rev: 0, 1 when
 * there is no page there, -1.  One row of one table, not a page_info.
 */
int store_import_revision(struct store *st, const char *path, int64_t *rev,
    struct buf *err);

/* every page's latest revision: *out an object PATH -> id.  One query. */
int store_import_revisions(struct store *st, json_t **out, struct buf *err);
/*
 * State rows KEYS[i] = VALUES[i] (text), N of them, written or replaced
 * as store_state_set() does, a few hundred rows per statement.
 */
int store_import_put(struct store *st, char *const *keys,
    char *const *values, size_t n, struct buf *err);
/* the state rows KEYS (N of them) deleted, a few hundred per statement */
int store_import_forget(struct store *st, char *const *keys, size_t n,
    struct buf *err);

/*
 * The new pages of an import, written a batch at a time inside the
 * caller's transaction (decision 0340): the same rows as
 * store_page_create() and, for PUBLISH, store_page_publish() now, each
 * with its sequence numbers, audit rows and build requests, in a few
 * multi-row statements per batch.  Open one per import (ACTOR: who
 * imports); _add() checks a page as store_page_create() does (-1 with
 * the error, nothing queued) and queues it, writing the batch when it
 * is full; _flush() writes what is queued; any other write of the
 * store must come after a flush.  A page made another way in the same
 * transaction is told with _made() (a parent of pages queued later).
 */
struct store_newpages *store_newpages_open(struct store *st,
    const char *actor);
int store_newpages_add(struct store_newpages *b, const char *path,
    const struct page_fields *f, bool publish, struct buf *err);
void store_newpages_made(struct store_newpages *b, const char *path,
    int64_t id);
int store_newpages_flush(struct store_newpages *b, struct buf *err);
void store_newpages_free(struct store_newpages *b);

#endif
