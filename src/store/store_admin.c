/* SPDX-License-Identifier: ISC */
/*
 * store_admin.c: reads the web admin needs beyond the page functions of
 * store.h (declared in store_user.h): a page's revisions, who asked for
 * a build, the audit log filtered, and the review workflow (an editor
 * submits a revision; a publisher approves or rejects it with a comment).
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
sql_revision_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;
	json_t *a;
	int step;

	*out = NULL;
	if (store_prepare(st, "SELECT id, author, created_at, title FROM "
	    "revisions WHERE page_id = ? ORDER BY id DESC", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, page_id);
	a = json_array();
	while ((step = stmt_step(s)) == STMT_ROW)
		json_array_append_new(a, json_pack("{s:I, s:o, s:I, s:o}",
		    "id", (json_int_t)stmt_col_i64(s, 0), "author",
		    jsafe_string((const char *)stmt_col_text(s, 1)),
		    "created_at", (json_int_t)stmt_col_i64(s, 2),
		    "title", jsafe_string((const char *)
		    stmt_col_text(s, 3))));
	return store_list_end(st, s, step, a, out, "list revisions", err);
}

int
sql_build_actors(struct store *st, int64_t build_id, struct buf *out,
    struct buf *err)
{
	struct stmt *s = NULL;
	int step, n = 0;

	buf_reset(out);
	if (store_prepare(st, "SELECT DISTINCT actor FROM build_requests "
	    "WHERE build_id = ? ORDER BY actor LIMIT 20", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, build_id);
	while ((step = stmt_step(s)) == STMT_ROW)
		buf_printf(out, "%s%s", n++ ? ", " : "",
		    (const char *)stmt_col_text(s, 0));
	stmt_finalize(s);
	if (step != STMT_DONE)
		return store_sqlerr(st, "build actors", err);
	return 0;
}

int
sql_audit_query(struct store *st, const char *actor, const char *path,
    size_t offset, size_t limit, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *a;
	int step;

	*out = NULL;
	if (store_prepare(st, "SELECT id, at, actor, action, path, detail "
	    "FROM audit_log WHERE (?1 IS NULL OR actor = ?1) AND "
	    "(?2 IS NULL OR path = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4",
	    &s, err) == -1)
		return -1;
	if (actor)
		stmt_bind_text(s, 1, actor);
	if (path)
		stmt_bind_text(s, 2, path);
	stmt_bind_i64(s, 3, (int64_t)limit);
	stmt_bind_i64(s, 4, (int64_t)offset);
	a = json_array();
	while ((step = stmt_step(s)) == STMT_ROW) {
		char when[32];
		time_format_iso8601(stmt_col_i64(s, 1), when,
		    sizeof(when));
		json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:o, s:o, "
		    "s:o}", "id", (json_int_t)stmt_col_i64(s, 0), "at",
		    when, "actor", jsafe_string((const char *)
		    stmt_col_text(s, 2)), "action", jsafe_string(
		    (const char *)stmt_col_text(s, 3)), "path",
		    jsafe_string((const char *)stmt_col_text(s, 4)),
		    "detail", jsafe_string((const char *)
		    stmt_col_text(s, 5))));
	}
	return store_list_end(st, s, step, a, out, "audit log", err);
}

/* ---- reviews ---- */

int
sql_review_submit(struct store *st, int64_t page_id, int64_t revision_id,
    int64_t go_live, const char *actor, struct buf *err)
{
	char detail[48];
	int rc = -1;

	snprintf(detail, sizeof(detail), "revision %lld",
	    (long long)revision_id);
	if (store_tx_begin(st, err) == -1)
		return -1;
	/* a new submission replaces the page's pending one */
	if (store_exec_i64(st, "DELETE FROM reviews WHERE page_id = ? AND "
	    "state = 'pending'", err, 1, page_id) == 0 &&
	    store_run(st, "submit for review", NULL, err, "INSERT INTO "
	    "reviews(page_id, revision_id, go_live_at, submitted_by, "
	    "submitted_at) VALUES (?, ?, ?, ?, ?)", "iitsi", page_id,
	    revision_id, go_live, actor, time_now()) == 0)
		rc = store_audit_of(st, actor, "review.submit", detail,
		    "pages p WHERE p.id = ?", page_id, err);
	return store_tx_end(st, rc, err);
}

int
sql_review_list(struct store *st, int64_t page_id, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;
	json_t *a;
	int step;

	*out = NULL;
	/* PAGE_ID 0: every pending review; else the page's last one */
	if (store_prepare(st, page_id ? "SELECT r.id, r.page_id, p.path, "
	    "r.revision_id, r.go_live_at, r.submitted_by, r.submitted_at, "
	    "r.state, r.comment, r.decided_by, v.title FROM reviews r "
	    "JOIN pages p ON p.id = r.page_id LEFT JOIN revisions v ON "
	    "v.id = r.revision_id WHERE r.page_id = ? ORDER BY r.id DESC "
	    "LIMIT 1" : "SELECT r.id, r.page_id, p.path, r.revision_id, "
	    "r.go_live_at, r.submitted_by, r.submitted_at, r.state, "
	    "r.comment, r.decided_by, v.title FROM reviews r JOIN pages p ON "
	    "p.id = r.page_id LEFT JOIN revisions v ON v.id = r.revision_id "
	    "WHERE r.state = 'pending' AND ? = 0 ORDER BY r.id LIMIT 200",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, page_id);
	a = json_array();
	while ((step = stmt_step(s)) == STMT_ROW)
		json_array_append_new(a, json_pack("{s:I, s:I, s:o, s:I, s:I, "
		    "s:o, s:I, s:o, s:o, s:o, s:o}",
		    "id", (json_int_t)stmt_col_i64(s, 0),
		    "page_id", (json_int_t)stmt_col_i64(s, 1),
		    "path", jsafe_string((const char *)stmt_col_text(s,
		    2)), "revision_id", (json_int_t)stmt_col_i64(s, 3),
		    "go_live_at", (json_int_t)stmt_col_i64(s, 4),
		    "submitted_by", jsafe_string((const char *)
		    stmt_col_text(s, 5)),
		    "submitted_at", (json_int_t)stmt_col_i64(s, 6),
		    "state", jsafe_string((const char *)stmt_col_text(s,
		    7)), "comment", jsafe_string((const char *)
		    stmt_col_text(s, 8)), "decided_by",
		    jsafe_string_or_null((const char *)stmt_col_text(s,
		    9)), "title", jsafe_string((const char *)
		    stmt_col_text(s, 10))));
	return store_list_end(st, s, step, a, out, "reviews", err);
}

int
sql_review_decide(struct store *st, int64_t review_id, bool approve,
    const char *comment, const char *actor, struct buf *err)
{
	size_t changed = 0;
	int rc = -1;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_run(st, "decide review", &changed, err, "UPDATE reviews "
	    "SET state = ?, comment = ?, decided_by = ?, decided_at = ? "
	    "WHERE id = ? AND state = 'pending'", "sssii",
	    approve ? "approved" : "rejected", comment, actor, time_now(),
	    review_id) == -1)
		goto out;
	if (changed == 0) {
		buf_setf(err, "no pending review %lld", (long long)review_id);
		store_err_set(st, ERR_CONFLICT, NULL);
		rc = 1;
		goto out;
	}
	rc = store_audit_of(st, actor, approve ? "review.approve" :
	    "review.reject", comment, "reviews r JOIN pages p ON p.id = "
	    "r.page_id WHERE r.id = ?", review_id, err);
out:
	return store_tx_end(st, rc, err);
}
