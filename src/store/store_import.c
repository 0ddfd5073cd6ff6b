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
#include "store/store.h"
#include "store/store_import.h"
#include "store/store_int.h"

#define RECORD_PREFIX	"import:"	/* 7 bytes: the SQL says so */

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
		json_t *rec = v ? json_loadb(v, len, 0, NULL) : NULL;

		if (key && rec && strlen(key) >= strlen(RECORD_PREFIX))
			json_object_set_new(recs, key + strlen(RECORD_PREFIX),
			    rec);
		else
			json_decref(rec);
	}
	return store_list_end(st, s, r, recs, out, "read import records",
	    err);
}

int
store_import_revision(struct store *st, const char *path, int64_t *rev,
    struct buf *err)
{
	struct stmt *s = NULL;
	int r, rc = -1;

	*rev = 0;
	if (store_prepare(st, "SELECT latest_revision_id FROM pages WHERE "
	    "path = ?", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, path);
	r = stmt_step(s);
	if (r == STMT_ROW) {
		*rev = stmt_col_i64(s, 0);
		rc = 0;
	} else if (r == STMT_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page revision", err);
	stmt_finalize(s);
	return rc;
}
