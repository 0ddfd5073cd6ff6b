/* SPDX-License-Identifier: ISC */
/*
 * store_admin.c: reads the web admin needs beyond the page functions of
 * store.h (declared in store_user.h): a page's revisions, who asked for
 * a build.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/jsonsafe.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_user.h"

int
sqlite_revision_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	json_t *a;
	int step;

	*out = NULL;
	if (store_prepare(st, "SELECT id, author, created_at, title FROM "
	    "revisions WHERE page_id = ? ORDER BY id DESC", &s, err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, page_id);
	a = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:o, s:I, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(s, 0), "author",
		    jsafe_string((const char *)sqlite3_column_text(s, 1)),
		    "created_at", (json_int_t)sqlite3_column_int64(s, 2),
		    "title", jsafe_string((const char *)
		    sqlite3_column_text(s, 3))));
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(a);
		return store_sqlerr(st, "list revisions", err);
	}
	*out = a;
	return 0;
}

int
sqlite_build_actors(struct store *st, int64_t build_id, struct buf *out,
    struct buf *err)
{
	sqlite3_stmt *s = NULL;
	int step, n = 0;

	buf_reset(out);
	if (store_prepare(st, "SELECT DISTINCT actor FROM build_requests "
	    "WHERE build_id = ? ORDER BY actor LIMIT 20", &s, err) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, build_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		buf_printf(out, "%s%s", n++ ? ", " : "",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return store_sqlerr(st, "build actors", err);
	return 0;
}
