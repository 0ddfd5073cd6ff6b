/* SPDX-License-Identifier: ISC */
/*
 * store_deployed.c: the deployed state of a destination as rows
 * (component "deployed", see store_deployed.h, decision record 0250).
 * SQL written once for SQLite and PostgreSQL (decision 0140).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_deployed.h"
#include "store/store_int.h"

const struct store_migration store_deployed_migrations[] = {
	{ 1,
	"CREATE TABLE deployed_files("
	"  dest TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  cache_control TEXT NOT NULL,"
	"  immutable INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  redirect TEXT,"
	"  PRIMARY KEY(dest, path));"
	"CREATE TABLE deploy_journal("
	"  dest TEXT NOT NULL,"
	"  what TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  value TEXT,"
	"  PRIMARY KEY(dest, what, path));" },
	{ 0, NULL }
};

#define ROW_COLS "SELECT path, sha256, size, content_type, cache_control, " \
	"immutable, kind, redirect FROM deployed_files "
#define LOOKUP 64	/* paths a statement: WHERE path IN (?, ...) */

/* one row of deployed_files into M; -1 when it is not a valid entry */
static int
row_entry(struct stmt *s, struct manifest *m)
{
	const char *path = stmt_col_text(s, 0), *sha = stmt_col_text(s, 1);
	const char *ct = stmt_col_text(s, 3), *cc = stmt_col_text(s, 4);
	const char *kname = stmt_col_text(s, 6), *redir = stmt_col_text(s, 7);
	int64_t size = stmt_col_i64(s, 2);
	enum manifest_kind kind;

	if (!path || !sha || !ct || !cc || !kname || !path_is_clean_rel(path) ||
	    strlen(sha) != 64 || !hex_valid(sha, 64) || size < 0 ||
	    manifest_kind_parse(kname, &kind) == -1 ||
	    (redir && !manifest_redirect_valid(redir)))
		return -1;
	manifest_set_redirect(manifest_add(m, path, sha, size, ct, cc,
	    stmt_col_int(s, 5) != 0, kind), redir);
	return 0;
}

/*
 * Every row S (prepared, bound) selects appended to M, S finalized;
 * *NREAD (may be NULL) counts them.  A row that is not a valid entry is
 * refused by name.
 */
static int
read_rows(struct store *st, struct stmt *s, const char *dest,
    struct manifest *m, size_t *nread, struct buf *err)
{
	int r, rc = 0;

	while ((r = stmt_step(s)) == STMT_ROW) {
		if (row_entry(s, m) == -1) {
			buf_setf(err, "deployed_files of %s in the store: the "
			    "row of '%s' is not a valid entry (path, sha256, "
			    "size, kind or redirect)", dest,
			    stmt_col_text(s, 0) ? stmt_col_text(s, 0) : "");
			rc = -1;
			break;
		}
		if (nread)
			(*nread)++;
	}
	if (rc == 0 && r != STMT_DONE)
		rc = store_sqlerr(st, "read deployed_files", err);
	stmt_finalize(s);
	return rc;
}

int
store_deployed_load(struct store *st, const char *dest, struct manifest *m,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc;

	if (store_prepare(st, ROW_COLS "WHERE dest = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, dest);
	rc = read_rows(st, s, dest, m, NULL, err);
	/* the database's order may not be bytewise: sort here */
	if (rc == 0 && manifest_sort(m, err) == -1) {
		buf_printf(err, " (deployed_files of %s in the store)", dest);
		rc = -1;
	}
	return rc;
}

/* the rows of PATHS[0..K) into M; *NREAD counts them */
static int
lookup_chunk(struct store *st, const char *dest, const char *const *paths,
    size_t k, struct manifest *m, size_t *nread, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct stmt *s = NULL;
	int rc;

	buf_adds(&sql, ROW_COLS "WHERE dest = ? AND path IN ");
	store_sql_marks(&sql, k);
	rc = store_prepare(st, sql.buf, &s, err);
	buf_release(&sql);
	if (rc == -1)
		return -1;
	stmt_bind_text(s, 1, dest);
	for (size_t i = 0; i < k; i++)
		stmt_bind_text(s, (int)i + 2, paths[i]);
	return read_rows(st, s, dest, m, nread, err);
}

int
store_deployed_load_paths(struct store *st, const char *dest,
    const char *const *paths, size_t n, struct manifest *m, size_t *nread,
    struct buf *err)
{
	size_t got = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i += LOOKUP)
		rc = lookup_chunk(st, dest, paths + i, n - i < LOOKUP ?
		    n - i : LOOKUP, m, &got, err);
	if (rc == 0 && manifest_sort(m, err) == -1) {
		buf_printf(err, " (deployed_files of %s in the store)", dest);
		rc = -1;
	}
	if (nread)
		*nread = rc == 0 ? got : 0;
	return rc;
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool
entry_eq(const struct manifest_entry *a, const struct manifest_entry *b)
{
	return !strcmp(a->sha256, b->sha256) && a->size == b->size &&
	    a->immutable == b->immutable && a->kind == b->kind &&
	    str_eq(a->content_type, b->content_type) &&
	    str_eq(a->cache_control, b->cache_control) &&
	    str_eq(a->redirect, b->redirect);
}

/*
 * Rows go in statements of up to CHUNK rows (INSERT ... VALUES (...),
 * (...)): on PostgreSQL every statement is a round trip.  9 columns x 64
 * rows stays under SQLite's oldest limit of 999 parameters.
 */
#define CHUNK 64
#define PUT_HEAD "INSERT INTO deployed_files(dest, path, sha256, size, " \
	"content_type, cache_control, immutable, kind, redirect)"
#define PUT_TAIL " ON CONFLICT(dest, path) DO UPDATE SET sha256 = " \
	"excluded.sha256, size = excluded.size, content_type = " \
	"excluded.content_type, cache_control = excluded.cache_control, " \
	"immutable = excluded.immutable, kind = excluded.kind, redirect = " \
	"excluded.redirect"
#define JOURNAL_HEAD "INSERT INTO deploy_journal(dest, what, path, value)"
#define JOURNAL_TAIL " ON CONFLICT(dest, what, path) DO UPDATE SET " \
	"value = excluded.value"

/* HEAD VALUES (?, ...) x K TAIL, NCOL placeholders a row */
static int
prepare_rows(struct store *st, const char *head, int ncol, size_t k,
    const char *tail, struct stmt **s, struct buf *err)
{
	struct buf sql = BUF_INIT;
	int rc;

	buf_adds(&sql, head);
	for (size_t r = 0; r < k; r++) {
		buf_adds(&sql, r ? ", " : " VALUES ");
		store_sql_marks(&sql, (size_t)ncol);
	}
	buf_adds(&sql, tail);
	rc = store_prepare(st, sql.buf, s, err);
	buf_release(&sql);
	return rc;
}

static void
bind_entry(struct stmt *s, int at, const char *dest,
    const struct manifest_entry *e)
{
	stmt_bind_text(s, at + 1, dest);
	stmt_bind_text(s, at + 2, e->path);
	stmt_bind_text(s, at + 3, e->sha256);
	stmt_bind_i64(s, at + 4, e->size);
	stmt_bind_text(s, at + 5, e->content_type ? e->content_type : "");
	stmt_bind_text(s, at + 6, e->cache_control ? e->cache_control : "");
	stmt_bind_int(s, at + 7, e->immutable ? 1 : 0);
	stmt_bind_text(s, at + 8, manifest_kind_name(e->kind));
	if (e->redirect)
		stmt_bind_text(s, at + 9, e->redirect);
	else
		stmt_bind_null(s, at + 9);
}

/* the entries E[0..N) written, CHUNK rows a statement */
static int
put_rows(struct store *st, const char *dest,
    const struct manifest_entry *const *e, size_t n, struct buf *err)
{
	struct stmt *full = NULL, *s;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i += CHUNK) {
		size_t k = n - i < CHUNK ? n - i : CHUNK;
		if (k == CHUNK && !full && prepare_rows(st, PUT_HEAD, 9, k,
		    PUT_TAIL, &full, err) == -1)
			return -1;
		if (k == CHUNK)
			s = full;
		else if ((rc = prepare_rows(st, PUT_HEAD, 9, k, PUT_TAIL, &s,
		    err)) == -1)
			break;
		stmt_reset(s);
		for (size_t r = 0; r < k; r++)
			bind_entry(s, (int)r * 9, dest, e[i + r]);
		if (stmt_step(s) != STMT_DONE)
			rc = store_sqlerr(st, "write deployed_files", err);
		if (s != full)
			stmt_finalize(s);
	}
	if (full)
		stmt_finalize(full);
	return rc;
}

static int
del_rows(struct store *st, const char *dest, const char *const *paths,
    size_t n, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (!n)
		return 0;
	if (store_prepare(st, "DELETE FROM deployed_files WHERE dest = ? AND "
	    "path = ?", &s, err) == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		stmt_reset(s);
		stmt_bind_text(s, 1, dest);
		stmt_bind_text(s, 2, paths[i]);
		if (stmt_step(s) != STMT_DONE)
			rc = store_sqlerr(st, "write deployed_files", err);
	}
	stmt_finalize(s);
	return rc;
}

/* merge the two sorted lists: what NEW changes of OLD */
static void
diff(const struct manifest *old, const struct manifest *new,
    const struct manifest_entry **put, size_t *nput, const char **del,
    size_t *ndel)
{
	size_t i = 0, j = 0;

	*nput = *ndel = 0;
	while (i < old->nfiles || j < new->nfiles) {
		const struct manifest_entry *a = i < old->nfiles ?
		    &old->files[i] : NULL;
		const struct manifest_entry *b = j < new->nfiles ?
		    &new->files[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);
		if (c < 0)
			del[(*ndel)++] = a->path;
		else if (c > 0 || !entry_eq(a, b))
			put[(*nput)++] = b;
		i += c <= 0;
		j += c >= 0;
	}
}

int
store_deployed_write(struct store *st, const char *dest,
    const struct manifest *old, const struct manifest *new, size_t *nwritten,
    struct buf *err)
{
	const struct manifest_entry **put = xcalloc(new->nfiles + 1,
	    sizeof(*put));
	const char **del = xcalloc(old->nfiles + 1, sizeof(*del));
	size_t nput, ndel;
	int rc = 0;

	diff(old, new, put, &nput, del, &ndel);
	if (nput + ndel) {
		if ((rc = store_tx_begin(st, err)) == 0)
			rc = store_tx_end(st, put_rows(st, dest, put, nput,
			    err) == 0 ? del_rows(st, dest, del, ndel, err) : -1,
			    err);
	}
	if (nwritten)
		*nwritten = rc == 0 ? nput + ndel : 0;
	free(put);
	free(del);
	return rc;
}

static int
exec_dest(struct store *st, const char *sql, const char *dest,
    const char *what, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, dest);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, what, err);
	stmt_finalize(s);
	return rc;
}

int
store_deployed_clear(struct store *st, const char *dest, struct buf *err)
{
	return exec_dest(st, "DELETE FROM deployed_files WHERE dest = ?", dest,
	    "clear deployed_files", err);
}

int
store_deployed_journal_clear(struct store *st, const char *dest,
    struct buf *err)
{
	return exec_dest(st, "DELETE FROM deploy_journal WHERE dest = ?", dest,
	    "clear deploy_journal", err);
}

int
store_deployed_journal_add(struct store *st, const char *dest,
    const struct store_journal_row *rows, size_t n, struct buf *err)
{
	int rc;

	if (!n)
		return 0;
	if (store_tx_begin(st, err) == -1)
		return -1;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i += CHUNK) {
		size_t k = n - i < CHUNK ? n - i : CHUNK;
		struct stmt *s = NULL;
		if ((rc = prepare_rows(st, JOURNAL_HEAD, 4, k, JOURNAL_TAIL,
		    &s, err)) == -1)
			break;
		for (size_t r = 0; r < k; r++) {
			const struct store_journal_row *j = &rows[i + r];
			int at = (int)r * 4;
			stmt_bind_text(s, at + 1, dest);
			stmt_bind_text(s, at + 2, j->what);
			stmt_bind_text(s, at + 3, j->path);
			if (j->value)
				stmt_bind_text(s, at + 4, j->value);
			else
				stmt_bind_null(s, at + 4);
		}
		if (stmt_step(s) != STMT_DONE)
			rc = store_sqlerr(st, "write deploy_journal", err);
		stmt_finalize(s);
	}
	return store_tx_end(st, rc, err);
}

int
store_deployed_journal_read(struct store *st, const char *dest,
    int (*fn)(const struct store_journal_row *, void *, struct buf *),
    void *arg, struct buf *err)
{
	struct stmt *s = NULL;
	struct store_journal_row row;
	int r, rc = 0;

	if (store_prepare(st, "SELECT what, path, value FROM deploy_journal "
	    "WHERE dest = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, dest);
	while ((r = stmt_step(s)) == STMT_ROW) {
		row.what = stmt_col_text(s, 0);
		row.path = stmt_col_text(s, 1);
		row.value = stmt_col_text(s, 2);
		if (!row.what || !row.path || fn(&row, arg, err) == -1) {
			if (!row.what || !row.path)
				buf_setf(err, "deploy_journal of %s in the "
				    "store: a row without what or path", dest);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && r != STMT_DONE)
		rc = store_sqlerr(st, "read deploy_journal", err);
	stmt_finalize(s);
	return rc;
}
