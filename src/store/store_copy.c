/* SPDX-License-Identifier: ISC */
/*
 * store_copy.c: kiln store copy: a whole store from one backend to
 * another (SQLite <-> PostgreSQL), verified by row counts and a content
 * hash per table computed the same way on both sides (decision 0145).
 */
#include "common/compat.h"

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

/* every table, in an order that satisfies the foreign keys; KEY orders
   the rows for the hash */
static const struct {
	const char *name;
	const char *key;
	int blob;		/* the column read as bytes, or -1 */
	bool identity;		/* an id column to move past (PostgreSQL) */
} tables[] = {
	{ "meta", "key", -1, false },
	{ "pages", "id", -1, true },
	{ "revisions", "id", -1, true },
	{ "media", "sha256", -1, false },
	{ "audit_log", "id", -1, true },
	{ "build_requests", "id", -1, true },
	{ "state", "key", 1, false },
	{ "builds", "id", -1, true },
	{ "tokens", "id", -1, true },
	{ "deployed_files", "dest, path", -1, false },
	{ "deploy_journal", "dest, what, path", -1, false },
};

/* a column's value as the bytes both sides agree on */
static const void *
col_bytes(struct stmt *s, int i, bool blob, size_t *len)
{
	const char *t;

	if (blob)
		return stmt_col_blob(s, i, len);
	t = stmt_col_text(s, i);
	*len = t ? strlen(t) : 0;
	return t;
}

/* rows and SHA-256 of table T of ST, in key order */
static int
table_sum(struct store *st, size_t t, int64_t *rows, char hex[65],
    struct buf *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[32];
	struct stmt *s = NULL;
	char *sql;
	int r, rc = -1;

	*rows = 0;
	sql = xasprintf("SELECT * FROM %s ORDER BY %s", tables[t].name,
	    tables[t].key);
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    store_prepare(st, sql, &s, err) == -1)
		goto out;
	while ((r = stmt_step(s)) == STMT_ROW) {
		int n = stmt_col_count(s);
		for (int i = 0; i < n; i++) {
			size_t len;
			const void *v;
			if (stmt_col_null(s, i)) {
				EVP_DigestUpdate(md, "\0N", 2);
				continue;
			}
			v = col_bytes(s, i, i == tables[t].blob, &len);
			EVP_DigestUpdate(md, "\0V", 2);
			EVP_DigestUpdate(md, &len, sizeof(len));
			if (len)
				EVP_DigestUpdate(md, v, len);
		}
		EVP_DigestUpdate(md, "\0R", 2);
		(*rows)++;
	}
	if (r != STMT_DONE) {
		store_sqlerr(st, tables[t].name, err);
		goto out;
	}
	EVP_DigestFinal_ex(md, d, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	rc = 0;
out:
	stmt_finalize(s);
	EVP_MD_CTX_free(md);
	free(sql);
	return rc;
}

/* pages.parent_id points into pages: inserted NULL, set afterwards */
static int
copy_table(struct store *from, struct store *to, size_t t, struct buf *err)
{
	struct stmt *s = NULL, *ins = NULL;
	struct buf sql = BUF_INIT;
	bool pages = strcmp(tables[t].name, "pages") == 0;
	int r, n = 0, rc = -1;
	char *q;

	q = xasprintf("SELECT * FROM %s ORDER BY %s", tables[t].name,
	    tables[t].key);
	r = store_prepare(from, q, &s, err);
	free(q);
	if (r == -1)
		return -1;
	while ((r = stmt_step(s)) == STMT_ROW) {
		if (!ins) {
			n = stmt_col_count(s);
			buf_printf(&sql, "INSERT INTO %s VALUES ",
			    tables[t].name);
			store_sql_marks(&sql, (size_t)n);
			if (store_prepare(to, sql.buf, &ins, err) == -1)
				goto out;
		} else
			stmt_reset(ins);
		for (int i = 0; i < n; i++) {
			size_t len;
			const void *v;
			if (stmt_col_null(s, i) || (pages && i == 1)) {
				stmt_bind_null(ins, i + 1);
				continue;
			}
			v = col_bytes(s, i, i == tables[t].blob, &len);
			if (i == tables[t].blob)
				stmt_bind_blob(ins, i + 1, v, len);
			else
				stmt_bind_text(ins, i + 1, v);
		}
		if (stmt_step(ins) != STMT_DONE) {
			store_sqlerr(to, tables[t].name, err);
			goto out;
		}
	}
	if (r != STMT_DONE) {
		store_sqlerr(from, tables[t].name, err);
		goto out;
	}
	rc = 0;
out:
	stmt_finalize(s);
	stmt_finalize(ins);
	buf_release(&sql);
	return rc;
}

static int
copy_parents(struct store *from, struct store *to, struct buf *err)
{
	struct stmt *s = NULL, *u = NULL;
	int r, rc = -1;

	if (store_prepare(from, "SELECT id, parent_id FROM pages WHERE "
	    "parent_id IS NOT NULL", &s, err) == -1 ||
	    store_prepare(to, "UPDATE pages SET parent_id = ? WHERE id = ?",
	    &u, err) == -1)
		goto out;
	while ((r = stmt_step(s)) == STMT_ROW) {
		stmt_reset(u);
		stmt_bind_i64(u, 1, stmt_col_i64(s, 1));
		stmt_bind_i64(u, 2, stmt_col_i64(s, 0));
		if (stmt_step(u) != STMT_DONE) {
			store_sqlerr(to, "pages", err);
			goto out;
		}
	}
	if (r != STMT_DONE) {
		store_sqlerr(from, "pages", err);
		goto out;
	}
	rc = 0;
out:
	stmt_finalize(s);
	stmt_finalize(u);
	return rc;
}

/* PostgreSQL: identity columns continue after the copied ids */
static int
move_identities(struct store *to, struct buf *err)
{
	char *sql;
	int rc = 0;

	if (db_dialect(to->db) != DB_PG)
		return 0;
	for (size_t t = 0; t < NELEM(tables) && rc == 0; t++) {
		if (!tables[t].identity)
			continue;
		sql = xasprintf("SELECT setval(pg_get_serial_sequence('%s', "
		    "'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
		    tables[t].name, tables[t].name);
		rc = store_exec(to, sql, err);
		free(sql);
	}
	return rc;
}

/* is TO empty (apart from the change sequence)? */
static int
target_empty(struct store *to, struct buf *err)
{
	for (size_t t = 1; t < NELEM(tables); t++) {
		int64_t rows;
		char hex[65];
		if (table_sum(to, t, &rows, hex, err) == -1)
			return -1;
		if (rows > 0) {
			buf_setf(err, "store copy: the target is not empty "
			    "(table %s has %lld rows); copy into a new store",
			    tables[t].name, (long long)rows);
			return 0;
		}
	}
	return 1;
}

const char *
store_url_driver(const char *url, const char **path)
{
	*path = url;
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0 ||
	    strstr(url, "dbname=") || strstr(url, "host="))
		return "postgres";
	if (strncmp(url, "sqlite:", 7) == 0)
		*path = url + 7;
	return "sqlite";
}

int
store_copy(struct store *from, struct store *to,
    struct store_copy_report *rep, struct buf *err)
{
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = target_empty(to, err)) != 1)
		return -1;
	/* one read snapshot of the source, one write transaction */
	if (db_begin(from->db, false, err) == -1)
		return -1;
	if (store_tx_begin(to, err) == -1)
		goto fail;
	if (store_exec(to, "DELETE FROM meta", err) == -1)
		goto fail;
	for (size_t t = 0; t < NELEM(tables); t++)
		if (copy_table(from, to, t, err) == -1)
			goto fail;
	if (copy_parents(from, to, err) == -1 ||
	    move_identities(to, err) == -1)
		goto fail;
	/* verify inside both transactions: the same rows, the same bytes */
	for (size_t t = 0; t < NELEM(tables); t++) {
		int64_t a, b;
		char ha[65], hb[65];
		if (table_sum(from, t, &a, ha, err) == -1 ||
		    table_sum(to, t, &b, hb, err) == -1)
			goto fail;
		if (a != b || strcmp(ha, hb) != 0) {
			buf_setf(err, "store copy: table %s differs after the "
			    "copy (%lld rows, %s; copied %lld rows, %s); "
			    "nothing was copied", tables[t].name,
			    (long long)a, ha, (long long)b, hb);
			goto fail;
		}
		rep->tables[t].name = tables[t].name;
		rep->tables[t].rows = a;
		memcpy(rep->tables[t].sha256, ha, 65);
		rep->ntables++;
	}
	/* the copy is a store of its own: a snapshot kept of either is
	   never brought up to date from the other's changes (0240) */
	if (store_changes_restart(to, err) == -1)
		goto fail;
	if (store_tx_commit(to, err) == -1)
		goto fail_from;
	store_exec(from, "COMMIT", err);
	return 0;
fail:
	store_tx_rollback(to);
fail_from:
	{
		struct buf ignored = BUF_INIT;
		store_exec(from, "ROLLBACK", &ignored);
		buf_release(&ignored);
	}
	memset(rep, 0, sizeof(*rep));
	return -1;
}
