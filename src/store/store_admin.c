/* SPDX-License-Identifier: ISC */
/*
 * store_admin.c: reads the web admin needs beyond the page functions of
 * store.h (declared in store_user.h): a page's revisions, who asked for
 * a build, the audit log filtered.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/jsonsafe.h"
#include "common/timeutil.h"
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

int
sqlite_audit_query(struct store *st, const char *actor, const char *path,
    size_t offset, size_t limit, json_t **out, struct buf *err)
{
	sqlite3_stmt *s = NULL;
	json_t *a;
	int step;

	*out = NULL;
	if (store_prepare(st, "SELECT id, at, actor, action, path, detail "
	    "FROM audit_log WHERE (?1 IS NULL OR actor = ?1) AND "
	    "(?2 IS NULL OR path = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4",
	    &s, err) == -1)
		return -1;
	if (actor)
		sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
	if (path)
		sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)offset);
	a = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char when[32];
		time_format_iso8601(sqlite3_column_int64(s, 1), when,
		    sizeof(when));
		json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:o, s:o, "
		    "s:o}", "id", (json_int_t)sqlite3_column_int64(s, 0), "at",
		    when, "actor", jsafe_string((const char *)
		    sqlite3_column_text(s, 2)), "action", jsafe_string(
		    (const char *)sqlite3_column_text(s, 3)), "path",
		    jsafe_string((const char *)sqlite3_column_text(s, 4)),
		    "detail", jsafe_string((const char *)
		    sqlite3_column_text(s, 5))));
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		json_decref(a);
		return store_sqlerr(st, "audit log", err);
	}
	*out = a;
	return 0;
}
