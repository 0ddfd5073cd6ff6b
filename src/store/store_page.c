/* SPDX-License-Identifier: ISC */
/*
 * store_page.c: pages and revisions on SQLite (see store.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "store/store.h"
#include "store/store_int.h"
/* ---- pages ---- */

/* pages.latest_title: the title of revision ?1, the page's latest
   (0280); a name no query of pages joined to revisions can mistake */
#define LATEST_TITLE_SQL						\
	"COALESCE((SELECT title FROM revisions WHERE id = ?1), '')"


void
store_read_page(struct stmt *s, struct page_info *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_col_i64(s, 0);
	p->path = store_col_str0(s, 1);
	p->parent_path = store_col_str(s, 2);
	p->section = store_col_str0(s, 3);
	p->slug = store_col_str0(s, 4);
	p->template = store_col_str0(s, 5);
	p->weight = stmt_col_int(s, 6);
	p->title = store_col_str0(s, 7);
	p->live = stmt_col_int(s, 8);
	p->has_unpublished_changes = stmt_col_int(s, 9);
	p->expired = stmt_col_int(s, 10);
	p->first_published_at = stmt_col_i64(s, 11);
	p->last_published_at = stmt_col_i64(s, 12);
	p->live_revision = stmt_col_i64(s, 13);
	p->latest_revision = stmt_col_i64(s, 14);
	p->scheduled_revision = stmt_col_i64(s, 15);
	p->go_live_at = stmt_col_i64(s, 16);
	p->expire_at = stmt_col_i64(s, 17);
	p->created_at = stmt_col_i64(s, 18);
	p->updated_at = stmt_col_i64(s, 19);
	p->live_title = store_col_str(s, 20);
	p->author = store_col_str0(s, 21);
	p->status = store_col_str0(s, 22);
}

void
page_info_release(struct page_info *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->parent_path);
	free(p->section);
	free(p->slug);
	free(p->template);
	free(p->title);
	free(p->live_title);
	free(p->author);
	free(p->status);
	memset(p, 0, sizeof(*p));
}

static json_t *
id_json(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

/*
 * Total: every string goes through jsafe_string (a title stored before
 * input was validated may hold any bytes), so the result is never NULL.
 */
json_t *
page_info_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:b, s:b, s:b, s:o, "
	    "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}",
	    "id", (json_int_t)p->id, "path", jsafe_string(p->path),
	    "title", jsafe_string(p->title),
	    "status", p->status ? p->status : "", "section",
	    jsafe_string(p->section),
	    "parent", jsafe_string_or_null(p->parent_path),
	    "live", p->live, "has_unpublished_changes",
	    p->has_unpublished_changes, "expired", p->expired,
	    "go_live_at", jsafe_time(p->go_live_at),
	    "expire_at", jsafe_time(p->expire_at),
	    "first_published_at", jsafe_time(p->first_published_at),
	    "last_published_at", jsafe_time(p->last_published_at),
	    "live_revision", id_json(p->live_revision),
	    "latest_revision", id_json(p->latest_revision),
	    "scheduled_revision", id_json(p->scheduled_revision),
	    "template", jsafe_string(p->template), "weight", p->weight);
}

json_t *
page_info_public_json(const struct page_info *p)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
	    "id", (json_int_t)p->id, "path", jsafe_string(p->path),
	    "title", jsafe_string(p->live_title),
	    "section", jsafe_string(p->section),
	    "parent", jsafe_string_or_null(p->parent_path),
	    "live", 1,
	    "first_published_at", jsafe_time(p->first_published_at),
	    "last_published_at", jsafe_time(p->last_published_at));
}

void
revision_info_release(struct revision_info *r)
{
	if (!r)
		return;
	free(r->title);
	free(r->body);
	free(r->summary);
	free(r->author);
	json_decref(r->tags);
	json_decref(r->extra);
	memset(r, 0, sizeof(*r));
}

int
store_page_canon(struct store *st, const char *path, struct buf *out,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	int rc = path_canonicalize(path, out, &why);

	if (rc == -1) {
		buf_setf(err, "%s", why.buf);
		store_invalid(st, "path");
	}
	buf_release(&why);
	return rc;
}

int
sql_page_get(struct store *st, const char *path, struct page_info *p,
    struct buf *err)
{
	struct buf cp = BUF_INIT;
	struct stmt *s = NULL;
	int r, rc = -1;

	/* callers release P on every path: it must be empty when not found */
	memset(p, 0, sizeof(*p));
	if (store_page_canon(st, path, &cp, err) == -1)
		return -1;
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE p.path = ?", &s,
	    err) == -1)
		goto out;
	stmt_bind_text(s, 1, cp.buf);
	r = stmt_step(s);
	if (r == STMT_ROW) {
		store_read_page(s, p);
		rc = 0;
	} else if (r == STMT_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page", err);
out:
	stmt_finalize(s);
	buf_release(&cp);
	return rc;
}

int
sql_page_get_id(struct store *st, int64_t id, struct page_info *p,
    struct buf *err)
{
	struct stmt *s = NULL;
	int r, rc = -1;

	memset(p, 0, sizeof(*p));
	if (store_prepare(st, "SELECT " PAGE_COLS "WHERE p.id = ?", &s,
	    err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	r = stmt_step(s);
	if (r == STMT_ROW) {
		store_read_page(s, p);
		rc = 0;
	} else if (r == STMT_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page", err);
	stmt_finalize(s);
	return rc;
}

/* like store_page_get, but a missing page is an error */
static int
page_must(struct store *st, const char *path, struct page_info *p,
    struct buf *err)
{
	int r = store_page_get(st, path, p, err);

	if (r == 1) {
		buf_setf(err, "no page at '%s'", path);
		store_err_set(st, ERR_NOT_FOUND, NULL);
	}
	return r == 0 ? 0 : -1;
}

/*
 * The pages SQL (a "SELECT " PAGE_COLS query, with ? bound to ARG if
 * BIND) selects, into a malloc'd *list of *n; WHAT names it in an error.
 */
int
store_page_select(struct store *st, const char *sql, bool bind, int64_t arg,
    const char *what, struct page_info **list, size_t *n, struct buf *err)
{
	struct stmt *s = NULL;
	struct page_info *l = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	*list = NULL;
	*n = 0;
	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	if (bind)
		stmt_bind_i64(s, 1, arg);
	while ((r = stmt_step(s)) == STMT_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			l = xreallocarray(l, cap, sizeof(*l));
		}
		store_read_page(s, &l[cnt++]);
	}
	stmt_finalize(s);
	if (r != STMT_DONE) {
		store_page_list_free(l, cnt);
		return store_sqlerr(st, what, err);
	}
	*list = l;
	*n = cnt;
	return 0;
}

int
sql_page_list(struct store *st, struct page_info **list, size_t *n,
    struct buf *err)
{
	return store_page_select(st, "SELECT " PAGE_COLS "ORDER BY p.path",
	    false, 0, "list pages", list, n, err);
}

const char *const page_statuses[PAGE_NSTATUS] = { "live", "draft",
	"scheduled", "expired", "live + draft", "live + scheduled" };

/* "%Q%" with LIKE's own characters taken literally (ESCAPE '\\') */
static char *
like_pattern(const char *q)
{
	struct buf b = BUF_INIT;

	buf_addch(&b, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_addch(&b, '\\');
		buf_addch(&b, *q);
	}
	buf_addch(&b, '%');
	return buf_detach(&b, NULL);
}

/*
 * The title (of the latest revision: pages.latest_title, its copy kept
 * with latest_revision_id, so a search reads no revision) or the path holds
 * the pattern (bound twice), case aside: SQLite's LIKE ignores ASCII
 * case, PostgreSQL's ILIKE any (decision 0171's one way to differ), both
 * cheaper than lower() on every row.
 */
#define PAGE_SEARCH(like)						\
	"(p.latest_title " like " ? ESCAPE '\\' OR p.path " like " ? "	\
	"ESCAPE '\\')"

/* the columns of PAGE_STATUS_SQL, in the order of pages_status */
#define STATUS_GROUP							\
	"p.live, p.expired, p.has_unpublished_changes, "		\
	"p.scheduled_revision_id, p.go_live_at"

/* the page tree's query (store_page_find) in the dialect PG or not */
static void
find_sql(char *out, size_t outsz, bool pg, bool q, bool status)
{
	snprintf(out, outsz, "SELECT " PAGE_COLS "WHERE %s AND %s ORDER BY "
	    "p.path LIMIT ? OFFSET ?", !q ? "1 = 1" : pg ?
	    PAGE_SEARCH("ILIKE") : PAGE_SEARCH("LIKE"), status ?
	    "(" PAGE_STATUS_SQL ") = ?" : "1 = 1");
}

int
store_page_find(struct store *st, const struct page_filter *f,
    struct page_info **list, size_t *n, struct buf *err)
{
	bool q = f->q && *f->q, status = f->status && *f->status;
	struct stmt *s = NULL;
	struct page_info *l;
	char sql[2048], pg_sql[2048], *pat = q ? like_pattern(f->q) : NULL;
	size_t cnt = 0;
	int r = STMT_DONE, i = 1;

	*list = NULL;
	*n = 0;
	/* only the rows shown, walked in path order (LIMIT, OFFSET) */
	find_sql(sql, sizeof(sql), false, q, status);
	find_sql(pg_sql, sizeof(pg_sql), true, q, status);
	if (store_prepare_pg(st, sql, pg_sql, &s, err) == -1) {
		free(pat);
		return -1;
	}
	if (pat) {
		stmt_bind_text(s, i++, pat);
		stmt_bind_text(s, i++, pat);
	}
	if (status)
		stmt_bind_text(s, i++, f->status);
	stmt_bind_i64(s, i++, (int64_t)f->limit);
	stmt_bind_i64(s, i, (int64_t)f->offset);
	l = xreallocarray(NULL, f->limit ? f->limit : 1, sizeof(*l));
	while (cnt < f->limit && (r = stmt_step(s)) == STMT_ROW)
		store_read_page(s, &l[cnt++]);
	if (cnt == f->limit)
		r = STMT_DONE;
	stmt_finalize(s);
	free(pat);
	if (r != STMT_DONE) {
		store_page_list_free(l, cnt);
		return store_sqlerr(st, "find pages", err);
	}
	*list = l;
	*n = cnt;
	return 0;
}

int
store_page_counts(struct store *st, const char *q,
    int64_t counts[PAGE_NSTATUS], struct buf *err)
{
	struct stmt *s = NULL;
	char *pat = q && *q ? like_pattern(q) : NULL;
	int r;

	for (size_t i = 0; i < PAGE_NSTATUS; i++)
		counts[i] = 0;
	/*
	 * One pass over pages alone, grouped by the columns a status is made
	 * of: in the order of their index (pages_status), so SQLite counts
	 * as it walks it, and each group's status is added up here.
	 */
	if (pat ? store_prepare_pg(st, "SELECT " PAGE_STATUS_SQL ", "
	    "count(*) FROM pages p WHERE " PAGE_SEARCH("LIKE") " GROUP BY "
	    STATUS_GROUP, "SELECT " PAGE_STATUS_SQL ", count(*) FROM pages p "
	    "WHERE " PAGE_SEARCH("ILIKE") " GROUP BY " STATUS_GROUP, &s,
	    err) == -1 : store_prepare(st, "SELECT " PAGE_STATUS_SQL ", "
	    "count(*) FROM pages p GROUP BY " STATUS_GROUP, &s, err) == -1) {
		free(pat);
		return -1;
	}
	if (pat) {
		stmt_bind_text(s, 1, pat);
		stmt_bind_text(s, 2, pat);
	}
	while ((r = stmt_step(s)) == STMT_ROW) {
		const char *v = stmt_col_text(s, 0);
		for (size_t i = 0; v && i < PAGE_NSTATUS; i++)
			if (!strcmp(v, page_statuses[i]))
				counts[i] += stmt_col_i64(s, 1);
	}
	stmt_finalize(s);
	free(pat);
	if (r != STMT_DONE)
		return store_sqlerr(st, "count pages", err);
	return 0;
}

void
store_page_list_free(struct page_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page_info_release(&list[i]);
	free(list);
}

int
sql_revision_get(struct store *st, int64_t id, struct revision_info *r,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (store_prepare(st, "SELECT id, page_id, title, body, summary, date, "
	    "tags, extra, author, created_at FROM revisions WHERE id = ?", &s,
	    err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	if (stmt_step(s) == STMT_ROW) {
		r->id = stmt_col_i64(s, 0);
		r->page_id = stmt_col_i64(s, 1);
		r->title = store_col_str0(s, 2);
		r->body = store_col_str0(s, 3);
		r->summary = store_col_str0(s, 4);
		r->date = stmt_col_i64(s, 5);
		r->tags = store_col_json(s, 6, true);
		r->extra = store_col_json(s, 7, false);
		r->author = store_col_str0(s, 8);
		r->created_at = stmt_col_i64(s, 9);
		rc = 0;
	} else
		buf_setf(err, "no revision %lld", (long long)id);
	stmt_finalize(s);
	return rc;
}

static int
insert_revision(struct store *st, int64_t page_id, const char *title,
    const char *body, const char *summary, int64_t date, json_t *tags,
    json_t *extra, const char *actor, int64_t *id, struct buf *err)
{
	struct stmt *s = NULL;
	char *tj, *ej;
	int rc = 0;

	if (store_body_check(st, body, err) == -1)
		return -1;
	tj = tags ? json_dumps(tags, JSON_COMPACT) : xstrdup("[]");
	ej = extra ? json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS) :
	    xstrdup("{}");
	/* uses_media: the revisions the media library reads (0280) */
	if (store_prepare(st, "INSERT INTO revisions(page_id, title, body, "
	    "summary, date, tags, extra, author, created_at, uses_media) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s,
	    err) == -1) {
		rc = -1;
		goto out;
	}
	stmt_bind_i64(s, 1, page_id);
	stmt_bind_text(s, 2, title);
	stmt_bind_text(s, 3, body);
	stmt_bind_text(s, 4, summary);
	store_bind_time(s, 5, date);
	stmt_bind_text(s, 6, tj);
	stmt_bind_text(s, 7, ej);
	stmt_bind_text(s, 8, actor ? actor : "unknown");
	stmt_bind_i64(s, 9, time_now());
	stmt_bind_int(s, 10, strcasestr(body, "/media/") != NULL);
	if (stmt_step(s) != STMT_ROW)
		rc = store_sqlerr(st, "insert revision", err);
	else
		*id = stmt_col_i64(s, 0);
out:
	stmt_finalize(s);
	free(tj);
	free(ej);
	return rc;
}

/* run one UPDATE/DELETE with int64 parameters (0 binds NULL if nullz) */
int
store_exec_i64(struct store *st, const char *sql, struct buf *err,
    int n, ...)
{
	struct stmt *s = NULL;
	va_list ap;
	int rc = 0;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	va_start(ap, n);
	for (int i = 1; i <= n; i++)
		store_bind_time(s, i, va_arg(ap, int64_t));
	va_end(ap);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "update", err);
	stmt_finalize(s);
	return rc;
}

static bool
tags_valid(json_t *tags, struct buf *err)
{
	size_t i;
	json_t *t;

	if (!tags)
		return true;
	if (!json_is_array(tags)) {
		buf_setf(err, "tags: expected a list of strings");
		return false;
	}
	json_array_foreach(tags, i, t) {
		if (!json_is_string(t)) {
			buf_setf(err, "tags[%zu]: expected a string", i);
			return false;
		}
	}
	return true;
}

/*
 * The checks a page's fields pass: all of them for a new page (CREATE),
 * the ones given for an edit.  The error names the field.
 */
int
store_fields_check(struct store *st, const struct page_fields *f,
    bool create, struct buf *err)
{
	const char *bad;

	if (create && (!f->title || !*f->title)) {
		buf_setf(err, "title: required");
		return store_invalid(st, "title");
	}
	if (f->title && !*f->title) {
		buf_setf(err, "title: must not be empty");
		return store_invalid(st, "title");
	}
	if ((bad = page_fields_bad(f, err)) != NULL)
		return store_invalid(st, bad);
	if (!tags_valid(f->tags, err))
		return store_invalid(st, "tags");
	if (f->extra && !json_is_object(f->extra)) {
		buf_setf(err, "extra: expected an object");
		return store_invalid(st, "extra");
	}
	if (create && f->template && *f->template && !slug_valid(f->template,
	    strlen(f->template))) {
		buf_setf(err, "template: '%s' is not a valid template name",
		    f->template);
		return store_invalid(st, "template");
	}
	return 0;
}

/*
 * The id of the page at canonical path CP into *id: 0, 1 when there is
 * none, -1.  One column of one row, not a page_info (a new page asks
 * twice: is its path free, which page is its parent).
 */
int
store_page_i64_at(struct store *st, const char *sql, const char *path,
    int64_t *v, struct buf *err)
{
	struct stmt *s = NULL;
	int r, rc = -1;

	*v = 0;
	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, path);
	r = stmt_step(s);
	if (r == STMT_ROW) {
		*v = stmt_col_i64(s, 0);
		rc = 0;
	} else if (r == STMT_DONE)
		rc = 1;
	else
		store_sqlerr(st, "read page", err);
	stmt_finalize(s);
	return rc;
}

int
store_page_id_at(struct store *st, const char *cp, int64_t *id,
    struct buf *err)
{
	return store_page_i64_at(st, "SELECT id FROM pages WHERE path = ?",
	    cp, id, err);
}

/* the id of the page above CP ("" for the home page): 0 if none */
static int64_t
parent_of(struct store *st, const char *cp)
{
	struct buf parent = BUF_INIT, err = BUF_INIT;
	const char *slash = strrchr(cp, '/');
	int64_t id = 0;

	if (slash)
		buf_add(&parent, cp, (size_t)(slash - cp));
	if (*cp && store_page_id_at(st, parent.buf ? parent.buf : "", &id,
	    &err) != 0)
		id = 0;
	buf_release(&parent);
	buf_release(&err);
	return id;
}

/* the pages row of a new page at canonical path CP into *id */
static int
page_insert_row(struct store *st, const char *cp,
    const struct page_fields *f, int64_t *id, struct buf *err)
{
	struct buf section = BUF_INIT;
	const char *slash = strrchr(cp, '/');
	struct stmt *s = NULL;
	int64_t now = time_now();
	int rc = 0;

	buf_add(&section, cp, strcspn(cp, "/"));
	if (store_prepare(st, "INSERT INTO pages(parent_id, path, slug, "
	    "section, weight, template, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s, err) == -1) {
		buf_release(&section);
		return -1;
	}
	store_bind_time(s, 1, parent_of(st, cp));
	stmt_bind_text(s, 2, cp);
	stmt_bind_text(s, 3, slash ? slash + 1 : cp);
	stmt_bind_text(s, 4, section.buf);
	stmt_bind_int(s, 5, f->has_weight ? f->weight : 0);
	stmt_bind_text(s, 6, f->template ? f->template : "");
	stmt_bind_i64(s, 7, now);
	stmt_bind_i64(s, 8, now);
	if (stmt_step(s) != STMT_ROW)
		rc = store_sqlerr(st, "insert page", err);
	else
		*id = stmt_col_i64(s, 0);
	/* a RETURNING statement is in progress until finalized: SQLite
	   would refuse the COMMIT */
	stmt_finalize(s);
	buf_release(&section);
	return rc;
}

/*
 * Children of page ID at CP created before it get adopted: a range on
 * the path index ('/' + 1 == '0'), not a scan.
 */
int
store_page_adopt(struct store *st, int64_t id, const char *cp,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	if (!*cp)
		return 0;
	if (store_prepare(st, "UPDATE pages SET parent_id = ?1 WHERE "
	    "path > ?2 || '/' AND path < ?2 || '0' AND parent_id IS "
	    "NULL AND instr(substr(path, ?3), '/') = 0", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	stmt_bind_text(s, 2, cp);
	stmt_bind_i64(s, 3, (int64_t)strlen(cp) + 2);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "adopt children", err);
	stmt_finalize(s);
	return rc;
}

/* the new page at CP, its first revision, its children: in a transaction */
static int
page_insert(struct store *st, const char *cp, const struct page_fields *f,
    const char *actor, int64_t *id, struct buf *err)
{
	int64_t rev, had;

	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_page_id_at(st, cp, &had, err) == 0) {
		buf_setf(err, "a page already exists at '%s'", cp);
		store_err_set(st, ERR_CONFLICT, NULL);
		goto fail;
	}
	if (page_insert_row(st, cp, f, id, err) == -1 ||
	    insert_revision(st, *id, f->title, f->body ? f->body : "",
	    f->summary ? f->summary : "", f->date, f->tags, f->extra, actor,
	    &rev, err) == -1 ||
	    store_exec_i64(st, "UPDATE pages SET latest_revision_id = ?1, "
	    "latest_title = " LATEST_TITLE_SQL " WHERE id = ?2", err, 2, rev,
	    *id) == -1 ||
	    store_page_adopt(st, *id, cp, err) == -1 ||
	    store_changed_draft(st, actor, "create", *id, cp, f->title,
	    "draft saved", err) == -1)
		goto fail;
	return store_tx_commit(st, err);
fail:
	store_tx_rollback(st);
	return -1;
}

int
sql_page_create(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, int64_t *idp,
    struct buf *err)
{
	struct buf cp = BUF_INIT;
	int64_t id = 0;
	int rc = -1;

	if (store_page_canon(st, path, &cp, err) == 0 &&
	    store_path_check_new(st, cp.buf, err) == 0 &&
	    store_fields_check(st, f, true, err) == 0 &&
	    page_insert(st, cp.buf, f, actor, &id, err) == 0) {
		if (idp)
			*idp = id;
		rc = 0;
	}
	buf_release(&cp);
	return rc;
}

/* what a change of one page is given (page_tx) */
struct page_op {
	const struct page_fields *f;	/* edit */
	int64_t go_live, expire;	/* publish, schedule */
	int64_t now;
	const char *actor;
};

typedef int (*page_op_fn)(struct store *, const struct page_info *,
    const struct page_op *, struct buf *);

/* FN on the page at PATH in a transaction, committed if FN succeeds */
static int
page_tx(struct store *st, const char *path, page_op_fn fn,
    const struct page_op *op, struct buf *err)
{
	struct page_info p;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (page_must(st, path, &p, err) == 0 && fn(st, &p, op, err) == 0)
		rc = store_tx_commit(st, err);
	else
		store_tx_rollback(st);
	page_info_release(&p);
	return rc;
}

/* the settings of P's row (weight, template) that F changes */
static int
edit_settings(struct store *st, const struct page_info *p,
    const struct page_fields *f, bool *changed, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	*changed = (f->template && strcmp(f->template, p->template) != 0) ||
	    (f->has_weight && f->weight != p->weight);
	if (!f->has_weight && !f->template)
		return 0;
	if (store_prepare(st, "UPDATE pages SET weight = ?, template = ? "
	    "WHERE id = ?", &s, err) == -1)
		return -1;
	stmt_bind_int(s, 1, f->has_weight ? f->weight : p->weight);
	stmt_bind_text(s, 2, f->template ? f->template : p->template);
	stmt_bind_i64(s, 3, p->id);
	if (stmt_step(s) != STMT_DONE)
		rc = store_sqlerr(st, "update page", err);
	stmt_finalize(s);
	return rc;
}

/* a new latest revision of P: the fields given over the latest ones */
static int
edit_op(struct store *st, const struct page_info *p,
    const struct page_op *op, struct buf *err)
{
	const struct page_fields *f = op->f;
	struct revision_info r;
	bool changed = false;
	int64_t rev;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	/* only settings of the page row reach the live site before publish */
	if (store_revision_get(st, p->latest_revision, &r, err) == 0 &&
	    insert_revision(st, p->id, f->title ? f->title : r.title,
	    f->body ? f->body : r.body, f->summary ? f->summary : r.summary,
	    f->date ? f->date : r.date, f->tags ? f->tags : r.tags,
	    f->extra ? f->extra : r.extra, op->actor, &rev, err) == 0 &&
	    store_exec_i64(st, "UPDATE pages SET latest_revision_id = ?1, "
	    "latest_title = " LATEST_TITLE_SQL ", has_unpublished_changes = "
	    "1, updated_at = ?2 WHERE id = ?3", err, 3, rev, time_now(),
	    p->id) == 0 &&
	    edit_settings(st, p, f, &changed, err) == 0 &&
	    (p->live && changed ? store_changed(st, op->actor, "edit", p->id,
	    p->path, NULL, "page edited", err) : store_changed_draft(st,
	    op->actor, "edit", p->id, p->path, NULL, "draft saved",
	    err)) == 0)
		rc = 0;
	revision_info_release(&r);
	return rc;
}

int
sql_page_edit(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, struct buf *err)
{
	struct page_op op = { .f = f, .actor = actor };

	if (store_fields_check(st, f, false, err) == -1)
		return -1;
	return page_tx(st, path, edit_op, &op, err);
}

/* make REV live now, inside a transaction */
int
store_make_live(struct store *st, const struct page_info *p, int64_t rev,
    int64_t now, struct buf *err)
{
	return store_exec_i64(st, "UPDATE pages SET live = 1, expired = 0, "
	    "live_revision_id = ?1, has_unpublished_changes = CASE WHEN "
	    "latest_revision_id != ?1 THEN 1 ELSE 0 END, first_published_at = "
	    "COALESCE(first_published_at, ?2), last_published_at = ?2, "
	    "scheduled_revision_id = NULL, go_live_at = NULL, updated_at = ?2 "
	    "WHERE id = ?3", err, 3, rev, now, p->id);
}

/* P's latest revision live now, or scheduled for op->go_live */
static int
publish_op(struct store *st, const struct page_info *p,
    const struct page_op *op, struct buf *err)
{
	char when[32];

	if (op->go_live > op->now) {
		if (p->expire_at && p->expire_at <= op->go_live) {
			buf_setf(err, "go_live: the page expires before it "
			    "would go live; change or clear the expiry first");
			return store_invalid(st, "go_live");
		}
		time_format_iso8601(op->go_live, when, sizeof(when));
		if (store_exec_i64(st, "UPDATE pages SET "
		    "scheduled_revision_id = latest_revision_id, go_live_at = "
		    "?, updated_at = ? WHERE id = ?", err, 3, op->go_live,
		    op->now, p->id) == -1)
			return -1;
		return store_changed(st, op->actor, "schedule", p->id,
		    p->path, when, NULL, err);
	}
	if (p->expire_at && p->expire_at <= op->now) {
		buf_setf(err, "expire_at: the page's expiry has passed; "
		    "change or clear it first");
		return store_invalid(st, "expire_at");
	}
	if (store_make_live(st, p, p->latest_revision, op->now, err) == -1)
		return -1;
	return store_changed(st, op->actor, "publish", p->id, p->path, NULL,
	    "page published", err);
}

int
sql_page_publish(struct store *st, const char *path, int64_t go_live,
    const char *actor, struct buf *err)
{
	struct page_op op = { .go_live = go_live, .now = time_now(),
	    .actor = actor };

	return page_tx(st, path, publish_op, &op, err);
}

static int
unpublish_op(struct store *st, const struct page_info *p,
    const struct page_op *op, struct buf *err)
{
	if (!p->live) {
		buf_setf(err, "page '%s' is not live", p->path);
		store_err_set(st, ERR_CONFLICT, NULL);
		return -1;
	}
	if (store_exec_i64(st, "UPDATE pages SET live = 0, "
	    "has_unpublished_changes = 1, updated_at = ? WHERE id = ?", err,
	    2, time_now(), p->id) == -1)
		return -1;
	return store_changed(st, op->actor, "unpublish", p->id, p->path, NULL,
	    "page unpublished", err);
}

int
sql_page_unpublish(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	struct page_op op = { .actor = actor };

	return page_tx(st, path, unpublish_op, &op, err);
}

/* the expiry, then the go-live (later: scheduled; earlier: live now) */
static int
schedule_op(struct store *st, const struct page_info *p,
    const struct page_op *op, struct buf *err)
{
	struct buf detail = BUF_INIT;
	int64_t gl = op->go_live, now = op->now, eff_expire;
	char a[32], b[32];
	int rc;

	eff_expire = op->expire == -1 ? 0 : op->expire ? op->expire :
	    p->expire_at;
	if (gl > 0 && eff_expire && eff_expire <= gl) {
		buf_setf(err, "expire_at: must be after the go-live time");
		return store_invalid(st, "expire_at");
	}
	if (op->expire != 0 && store_exec_i64(st, "UPDATE pages SET "
	    "expire_at = ?, updated_at = ? WHERE id = ?", err, 3, eff_expire,
	    now, p->id) == -1)
		return -1;
	if (gl > now && store_exec_i64(st, "UPDATE pages SET "
	    "scheduled_revision_id = latest_revision_id, go_live_at = ? WHERE "
	    "id = ?", err, 2, gl, p->id) == -1)
		return -1;
	if (gl > 0 && gl <= now && store_make_live(st, p,
	    p->latest_revision, now, err) == -1)
		return -1;
	time_format_iso8601(gl > 0 ? gl : 0, a, sizeof(a));
	time_format_iso8601(eff_expire, b, sizeof(b));
	buf_printf(&detail, "go_live=%s expire=%s", gl > 0 ? a : "-",
	    eff_expire ? b : "-");
	rc = store_changed(st, op->actor, "schedule", p->id, p->path,
	    detail.buf, gl > 0 && gl <= now ? "page published" : NULL, err);
	buf_release(&detail);
	return rc;
}

int
sql_page_schedule(struct store *st, const char *path, int64_t go_live,
    int64_t expire, const char *actor, struct buf *err)
{
	struct page_op op = { .go_live = go_live, .expire = expire,
	    .now = time_now(), .actor = actor };

	if (go_live == 0 && expire == 0) {
		buf_setf(err, "nothing to schedule: give a go-live or an "
		    "expiry");
		return -1;
	}
	if (expire > 0 && expire <= op.now) {
		buf_setf(err, "expire_at: must be in the future");
		return store_invalid(st, "expire_at");
	}
	return page_tx(st, path, schedule_op, &op, err);
}

/* P and its revisions, if it has no child pages */
static int
delete_op(struct store *st, const struct page_info *p,
    const struct page_op *op, struct buf *err)
{
	struct stmt *s = NULL;
	bool parent;

	if (store_prepare(st, "SELECT count(*) FROM pages WHERE parent_id = ?",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, p->id);
	parent = stmt_step(s) == STMT_ROW && stmt_col_int(s, 0) > 0;
	stmt_finalize(s);
	if (parent) {
		buf_setf(err, "page '%s' has child pages; delete them first",
		    p->path);
		store_err_set(st, ERR_CONFLICT, NULL);
		return -1;
	}
	if (store_exec_i64(st, "UPDATE pages SET latest_revision_id = NULL, "
	    "live_revision_id = NULL, scheduled_revision_id = NULL WHERE "
	    "id = ?", err, 1, p->id) == -1 ||
	    store_exec_i64(st, "DELETE FROM revisions WHERE page_id = ?", err,
	    1, p->id) == -1 ||
	    store_exec_i64(st, "DELETE FROM pages WHERE id = ?", err, 1,
	    p->id) == -1)
		return -1;
	if (!p->live)
		return store_changed_draft(st, op->actor, "delete", p->id,
		    p->path, NULL, "draft deleted", err);
	return store_changed(st, op->actor, "delete", p->id, p->path, NULL,
	    "page deleted", err);
}

int
sql_page_delete(struct store *st, const char *path, const char *actor,
    struct buf *err)
{
	struct page_op op = { .actor = actor };

	return page_tx(st, path, delete_op, &op, err);
}

