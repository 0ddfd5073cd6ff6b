/* SPDX-License-Identifier: ISC */
/*
 * store_import.c: the import's reads of the store in one query (issue
 * #19, decision 0260).  A re-import compares each file's hash with its
 * record; reading the records one by one cost a query per file, which
 * on PostgreSQL is a round trip per file.  The records live in the state
 * table under "import:PATH".  They are selected by the key's first
 * bytes, not by a key range: PostgreSQL compares TEXT by the database's
 * collation, where 'import;' need not sort after every 'import:...'.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_import.h"
#include "store/store_int.h"

#define RECORD_PREFIX	"import:"	/* 7 bytes: the SQL says so */
#define PUT_ROWS	200	/* rows per INSERT (3 parameters each) */
/*
 * SQLite's page cache for an import (KiB; the default is 2 MB): a new
 * import of tens of thousands of pages in one transaction otherwise
 * spills dirty pages to the WAL and reads them back.  Only this
 * connection, only until the import ends (a daemon's feed import keeps
 * its connection): then SQLite's default again, which frees the rest.
 */
#define BULK_CACHE_KB	"65536"
#define USUAL_CACHE_KB	"2000"

int
store_import_records(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *recs = json_object();
	int r;

	*out = NULL;
	if (store_prepare(st, "SELECT key, value FROM state WHERE "
	    "substr(key, 1, 7) = '" RECORD_PREFIX "'", &s, err) == -1) {
		json_decref(recs);
		return -1;
	}
	while ((r = stmt_step(s)) == STMT_ROW) {
		const char *key = stmt_col_text(s, 0);
		size_t len;
		const void *v = stmt_col_blob(s, 1, &len);

		if (key && v && strlen(key) >= strlen(RECORD_PREFIX) &&
		    !memchr(v, '\0', len))
			json_object_set_new(recs, key + strlen(RECORD_PREFIX),
			    json_stringn_nocheck(v, len));
	}
	return store_list_end(st, s, r, recs, out, "read import records",
	    err);
}

/* one row of store_import_pages() into P */
static void
page_row(struct stmt *s, struct page_info *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_col_i64(s, 0);
	p->path = store_col_str0(s, 1);
	p->parent_path = store_col_str(s, 2);
	p->template = store_col_str0(s, 3);
	p->weight = stmt_col_int(s, 4);
	p->live = stmt_col_int(s, 5);
	p->latest_revision = stmt_col_i64(s, 6);
	p->expire_at = stmt_col_i64(s, 7);
}

int
store_import_pages(struct store *st, struct page_info **list, size_t *n,
    struct buf *err)
{
	struct stmt *s = NULL;
	size_t alloc = 0;
	int r;

	*list = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT p.id, p.path, pp.path, p.template, "
	    "p.weight, p.live, p.latest_revision_id, p.expire_at FROM pages "
	    "p LEFT JOIN pages pp ON pp.id = p.parent_id", &s, err) == -1)
		return -1;
	while ((r = stmt_step(s)) == STMT_ROW) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			*list = xreallocarray(*list, alloc, sizeof(**list));
		}
		page_row(s, &(*list)[(*n)++]);
	}
	stmt_finalize(s);
	if (r != STMT_DONE) {
		store_page_list_free(*list, *n);
		*list = NULL;
		*n = 0;
		return store_sqlerr(st, "read pages", err);
	}
	return 0;
}

int
store_import_bulk(struct store *st, bool on, struct buf *err)
{
	if (db_dialect(st->db) != DB_SQLITE)
		return 0;
	return store_exec(st, on ? "PRAGMA cache_size = -" BULK_CACHE_KB :
	    "PRAGMA cache_size = -" USUAL_CACHE_KB, err);
}

int
store_import_revision(struct store *st, const char *path, int64_t *rev,
    struct buf *err)
{
	return store_page_i64_at(st, "SELECT latest_revision_id FROM pages "
	    "WHERE path = ?", path, rev, err);
}

int
store_import_revisions(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *revs = json_object();
	int r;

	*out = NULL;
	if (store_prepare(st, "SELECT path, latest_revision_id FROM pages",
	    &s, err) == -1) {
		json_decref(revs);
		return -1;
	}
	while ((r = stmt_step(s)) == STMT_ROW) {
		const char *path = stmt_col_text(s, 0);
		if (path)
			json_object_set_new(revs, path,
			    json_integer(stmt_col_i64(s, 1)));
	}
	return store_list_end(st, s, r, revs, out, "read page revisions",
	    err);
}

/* one INSERT of N rows, from KEYS[0] and VALUES[0] on */
static int
put_rows(struct store *st, char *const *keys, char *const *values, size_t n,
    int64_t now, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct stmt *s = NULL;
	int rc = 0;

	buf_adds(&sql, "INSERT INTO state(key, value, updated_at) VALUES ");
	for (size_t i = 0; i < n; i++) {
		buf_adds(&sql, i ? ", " : "");
		store_sql_marks(&sql, 3);
	}
	buf_adds(&sql, " ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value, updated_at = excluded.updated_at");
	if (store_prepare(st, sql.buf, &s, err) == -1) {
		buf_release(&sql);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		stmt_bind_text(s, (int)(3 * i + 1), keys[i]);
		stmt_bind_blob(s, (int)(3 * i + 2), values[i],
		    strlen(values[i]));
		stmt_bind_i64(s, (int)(3 * i + 3), now);
	}
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "write import records", err);
	stmt_finalize(s);
	buf_release(&sql);
	return rc;
}

int
store_import_put(struct store *st, char *const *keys, char *const *values,
    size_t n, struct buf *err)
{
	int64_t now = time_now();

	for (size_t i = 0; i < n; i += PUT_ROWS)
		if (put_rows(st, keys + i, values + i, n - i < PUT_ROWS ?
		    n - i : PUT_ROWS, now, err) == -1)
			return -1;
	return 0;
}

/* one DELETE of N state rows, KEYS[0] on */
static int
forget_rows(struct store *st, char *const *keys, size_t n, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct stmt *s = NULL;
	int rc = 0;

	buf_adds(&sql, "DELETE FROM state WHERE key IN ");
	store_sql_marks(&sql, n);
	if (store_prepare(st, sql.buf, &s, err) == -1) {
		buf_release(&sql);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		stmt_bind_text(s, (int)i + 1, keys[i]);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "delete import records", err);
	stmt_finalize(s);
	buf_release(&sql);
	return rc;
}

int
store_import_forget(struct store *st, char *const *keys, size_t n,
    struct buf *err)
{
	for (size_t i = 0; i < n; i += PUT_ROWS)
		if (forget_rows(st, keys + i, n - i < PUT_ROWS ? n - i :
		    PUT_ROWS, err) == -1)
			return -1;
	return 0;
}
