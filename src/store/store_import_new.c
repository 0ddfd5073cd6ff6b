/* SPDX-License-Identifier: ISC */
/*
 * store_import_new.c: the new pages of an import written a batch at a
 * time (issue #19, decision 0340).  store_page_create() and
 * store_page_publish() cost about sixteen statements per page: the
 * path asked for twice, the row, the revision, the latest revision
 * set, the children adopted, the page read back to publish it, and
 * store_changed()'s sequence bump, page change, audit row and build
 * request, once for the create and once for the publish.  Here a batch
 * of up to NEW_ROWS pages costs eight or nine multi-row statements and
 * leaves exactly the rows those two would: the same pages and
 * revisions, in the same order; one sequence number for each create and
 * each publish, in page order; each page's page_changes row at its last
 * number; the audit rows "create" (detail: the title) then "publish"
 * of each page; the build requests "page published" (and "draft saved"
 * for a staging site), each with its own sequence number.  Parents come
 * from the pages this batch made, those made before it, else one query
 * per parent path (cached); a page adopts its children only when a
 * page without a parent is below it.
 */
#include "common/compat.h"

#include <string.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_import.h"
#include "store/store_int.h"

#define NEW_ROWS	200	/* pages per flush: 10 parameters each */

struct newpage {
	char *path, *title, *body, *summary, *tags, *extra, *template;
	int64_t date, id;
	int64_t parent;		/* its id, 0: none, -1: in this batch */
	int weight;
	bool publish, uses_media;
};

struct store_newpages {
	struct store *st;
	char *actor;
	json_t *ids;		/* path -> page id, 0: none there (cache),
				   -1: queued */
	json_t *orphan_of;	/* paths that parentless pages are below */
	struct newpage v[NEW_ROWS];
	size_t n;
};

int
store_body_check(struct store *st, const char *body, struct buf *err)
{
	if (strlen(body) <= LIMIT_PAGE_BODY)
		return 0;
	buf_setf(err, "body: too large (over %d bytes)", LIMIT_PAGE_BODY);
	return store_invalid(st, "body");
}

/* the path above canonical CP into PARENT (CP not "") */
static void
parent_path(const char *cp, struct buf *parent)
{
	const char *slash = strrchr(cp, '/');

	buf_reset(parent);
	buf_add(parent, cp, slash ? (size_t)(slash - cp) : 0);
}

struct store_newpages *
store_newpages_open(struct store *st, const char *actor)
{
	struct store_newpages *b = xcalloc(1, sizeof(*b));

	b->st = st;
	b->actor = xstrdup(actor ? actor : "unknown");
	b->ids = json_object();
	return b;
}

/*
 * The paths some page without a parent is below, read at the first
 * flush (a re-import that makes no page reads nothing): the pages this
 * import makes are never below a page it makes later, which sorts first.
 */
static int
orphans_load(struct store_newpages *b, struct buf *err)
{
	struct buf parent = BUF_INIT;
	struct stmt *s = NULL;
	int r;

	if (b->orphan_of)
		return 0;
	if (store_prepare(b->st, "SELECT path FROM pages WHERE parent_id IS "
	    "NULL AND path <> ''", &s, err) == -1)
		return -1;
	b->orphan_of = json_object();
	while ((r = stmt_step(s)) == STMT_ROW) {
		parent_path(stmt_col_text(s, 0), &parent);
		json_object_set_new(b->orphan_of, parent.buf, json_true());
	}
	stmt_finalize(s);
	buf_release(&parent);
	return r == STMT_DONE ? 0 : store_sqlerr(b->st, "read pages", err);
}

void
store_newpages_made(struct store_newpages *b, const char *path, int64_t id)
{
	json_object_set_new(b->ids, path, json_integer(id));
}

static void
newpages_clear(struct store_newpages *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct newpage *p = &b->v[i];
		free(p->path);
		free(p->title);
		free(p->body);
		free(p->summary);
		free(p->tags);
		free(p->extra);
		free(p->template);
	}
	memset(b->v, 0, sizeof(b->v));
	b->n = 0;
}

void
store_newpages_free(struct store_newpages *b)
{
	if (!b)
		return;
	newpages_clear(b);
	json_decref(b->ids);
	json_decref(b->orphan_of);
	free(b->actor);
	free(b);
}

int
store_newpages_add(struct store_newpages *b, const char *path,
    const struct page_fields *f, bool publish, struct buf *err)
{
	struct buf cp = BUF_INIT;
	struct newpage *p;
	const char *body = f->body ? f->body : "";

	if (store_page_canon(b->st, path, &cp, err) == -1 ||
	    store_path_check_new(b->st, cp.buf, err) == -1 ||
	    store_fields_check(b->st, f, true, err) == -1 ||
	    store_body_check(b->st, body, err) == -1)
		goto fail;
	if (json_integer_value(json_object_get(b->ids, cp.buf)) != 0) {
		buf_setf(err, "a page already exists at '%s'", cp.buf);
		store_err_set(b->st, ERR_CONFLICT, NULL);
		goto fail;
	}
	if (b->n == NEW_ROWS && store_newpages_flush(b, err) == -1)
		goto fail;
	/* taken: a second page at this path is a conflict */
	json_object_set_new(b->ids, cp.buf, json_integer(-1));
	p = &b->v[b->n++];
	p->path = buf_detach(&cp, NULL);
	p->title = xstrdup(f->title);
	p->body = xstrdup(body);
	p->summary = xstrdup(f->summary ? f->summary : "");
	p->tags = f->tags ? json_dumps(f->tags, JSON_COMPACT) : xstrdup("[]");
	p->extra = f->extra ? json_dumps(f->extra, JSON_COMPACT |
	    JSON_SORT_KEYS) : xstrdup("{}");
	p->template = xstrdup(f->template ? f->template : "");
	p->date = f->date;
	p->weight = f->has_weight ? f->weight : 0;
	p->publish = publish;
	/* uses_media: the revisions the media library reads (0280) */
	p->uses_media = strcasestr(body, "/media/") != NULL;
	return 0;
fail:
	buf_release(&cp);
	return -1;
}

/*
 * *SP prepared from "HEAD (?, ...), (?, ...) TAIL": NROWS rows of NCOLS
 * marks, each mark CAST(? AS BIGINT) when CAST (PostgreSQL would type a
 * VALUES list's parameters as text where no column of a table gives
 * their type).  0 or -1.
 */
static int
rows_prepare(struct store *st, struct stmt **sp, const char *head,
    size_t nrows, size_t ncols, bool cast, const char *tail,
    struct buf *err)
{
	struct buf sql = BUF_INIT, row = BUF_INIT;
	int rc;

	if (cast) {
		for (size_t i = 0; i < ncols; i++)
			buf_adds(&row, i ? ", CAST(? AS BIGINT)" :
			    "(CAST(? AS BIGINT)");
		buf_addch(&row, ')');
	} else
		store_sql_marks(&row, ncols);
	buf_adds(&sql, head);
	for (size_t i = 0; i < nrows; i++) {
		buf_adds(&sql, i ? ", " : " ");
		buf_add(&sql, row.buf, row.len);
	}
	buf_adds(&sql, tail);
	buf_release(&row);
	rc = store_prepare(st, sql.buf, sp, err);
	buf_release(&sql);
	return rc;
}

/* run SQL made by rows_prepare() with its parameters bound: 0 or -1 */
static int
rows_run(struct store *st, struct stmt *s, const char *what, struct buf *err)
{
	int r = stmt_step(s);

	stmt_finalize(s);
	return r == STMT_DONE ? 0 : store_sqlerr(st, what, err);
}

/*
 * The id of the page above canonical CP into *id: 0 when there is
 * none, -1 when it is queued in this batch (not written yet).
 */
static int
parent_id(struct store_newpages *b, const char *cp, int64_t *id,
    struct buf *err)
{
	struct buf parent = BUF_INIT;
	json_t *v;
	int rc = 0;

	*id = 0;
	if (!*cp)
		return 0;
	parent_path(cp, &parent);
	if ((v = json_object_get(b->ids, parent.buf)))
		*id = json_integer_value(v);
	else if ((rc = store_page_id_at(b->st, parent.buf, id, err)) != -1) {
		json_object_set_new(b->ids, parent.buf, json_integer(*id));
		rc = 0;
	}
	buf_release(&parent);
	return rc;
}

/*
 * The batch's pages rows, as they will stay but for the revisions and
 * the parents queued in the same batch (link_pages); their ids into
 * b->ids and each v[i].id.  A published page's live columns are those
 * store_make_live() sets.
 */
static int
insert_pages(struct store_newpages *b, int64_t now, struct buf *err)
{
	struct buf section = BUF_INIT;
	struct stmt *s = NULL;
	int k = 1, r;

	for (size_t i = 0; i < b->n; i++)
		if (parent_id(b, b->v[i].path, &b->v[i].parent, err) == -1)
			return -1;
	if (rows_prepare(b->st, &s, "INSERT INTO pages(path, slug, section, "
	    "weight, template, created_at, updated_at, parent_id, live, "
	    "has_unpublished_changes, first_published_at, "
	    "last_published_at, latest_title) VALUES", b->n, 13, false,
	    " RETURNING id, path", err) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		const struct newpage *p = &b->v[i];
		const char *cp = p->path, *slash = strrchr(cp, '/');
		stmt_bind_text(s, k++, cp);
		stmt_bind_text(s, k++, slash ? slash + 1 : cp);
		buf_reset(&section);	/* the first component */
		buf_add(&section, cp, strcspn(cp, "/"));
		stmt_bind_text(s, k++, section.buf);
		stmt_bind_int(s, k++, p->weight);
		stmt_bind_text(s, k++, p->template);
		stmt_bind_i64(s, k++, now);
		stmt_bind_i64(s, k++, now);
		store_bind_time(s, k++, p->parent > 0 ? p->parent : 0);
		stmt_bind_int(s, k++, p->publish);
		stmt_bind_int(s, k++, !p->publish);
		store_bind_time(s, k++, p->publish ? now : 0);
		store_bind_time(s, k++, p->publish ? now : 0);
		stmt_bind_text(s, k++, p->title);
	}
	while ((r = stmt_step(s)) == STMT_ROW)
		json_object_set_new(b->ids, stmt_col_text(s, 1),
		    json_integer(stmt_col_i64(s, 0)));
	stmt_finalize(s);
	buf_release(&section);
	if (r != STMT_DONE)
		return store_sqlerr(b->st, "insert page", err);
	for (size_t i = 0; i < b->n; i++)
		b->v[i].id = json_integer_value(json_object_get(b->ids,
		    b->v[i].path));
	return 0;
}

static int
insert_revisions(struct store_newpages *b, int64_t now, struct buf *err)
{
	struct stmt *s = NULL;
	int k = 1;

	if (rows_prepare(b->st, &s, "INSERT INTO revisions(page_id, title, "
	    "body, summary, date, tags, extra, author, created_at, "
	    "uses_media) VALUES", b->n, 10, false, "", err) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		const struct newpage *p = &b->v[i];
		stmt_bind_i64(s, k++, p->id);
		stmt_bind_text(s, k++, p->title);
		stmt_bind_text(s, k++, p->body);
		stmt_bind_text(s, k++, p->summary);
		store_bind_time(s, k++, p->date);
		stmt_bind_text(s, k++, p->tags);
		stmt_bind_text(s, k++, p->extra);
		stmt_bind_text(s, k++, b->actor);
		stmt_bind_i64(s, k++, now);
		stmt_bind_int(s, k++, p->uses_media);
	}
	return rows_run(b->st, s, "insert revision", err);
}

/* the parents queued in the same batch as their pages, now written */
static int
link_parents(struct store_newpages *b, struct buf *err)
{
	size_t m = 0;
	struct stmt *s = NULL;
	int k = 1;

	for (size_t i = 0; i < b->n; i++)
		m += b->v[i].parent == -1;
	if (!m)
		return 0;
	/* CAST: PostgreSQL types a VALUES list's parameters as text */
	if (rows_prepare(b->st, &s, "UPDATE pages SET parent_id = v.column2 "
	    "FROM (VALUES", m, 2, true, ") AS v WHERE pages.id = v.column1",
	    err) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		int64_t parent;
		if (b->v[i].parent != -1)
			continue;
		if (parent_id(b, b->v[i].path, &parent, err) == -1) {
			stmt_finalize(s);
			return -1;
		}
		stmt_bind_i64(s, k++, b->v[i].id);
		stmt_bind_i64(s, k++, parent);
	}
	return rows_run(b->st, s, "link pages", err);
}

/*
 * Each page's latest revision (its only one) and, when it is live, its
 * live revision: one UPDATE over the batch; the parents written in it;
 * then the children of the few pages some parentless page is below.
 */
static int
link_pages(struct store_newpages *b, struct buf *err)
{
	/* a join from the batch's ids, on PostgreSQL too (an IN list let
	   it scan every revision) */
	struct stmt *s = NULL;

	if (rows_prepare(b->st, &s, "UPDATE pages SET latest_revision_id = "
	    "r.id, live_revision_id = CASE WHEN pages.live = 1 THEN r.id END "
	    "FROM (VALUES", b->n, 1, true, ") AS v, revisions r WHERE "
	    "pages.id = v.column1 AND r.page_id = pages.id", err) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		stmt_bind_i64(s, (int)i + 1, b->v[i].id);
	if (rows_run(b->st, s, "link revisions", err) == -1 ||
	    link_parents(b, err) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (json_object_get(b->orphan_of, b->v[i].path) &&
		    store_page_adopt(b->st, b->v[i].id, b->v[i].path,
		    err) == -1)
			return -1;
	return 0;
}

/*
 * What store_changed() writes for each change, for the batch: the
 * sequence bumped once for all (a create and maybe a publish per page,
 * numbered in that order from FIRST), each page's last number in
 * page_changes, the audit rows, the build requests.
 */
static int
bookkeeping(struct store_newpages *b, int64_t now, struct buf *err)
{
	struct store *st = b->st;
	size_t nchanges = b->n, nreq = 0;
	struct stmt *s = NULL;
	int64_t seq, first;
	int k = 1;

	for (size_t i = 0; i < b->n; i++)
		nchanges += b->v[i].publish;
	if (store_prepare(st, "UPDATE meta SET value = value + "
	    "CAST(? AS BIGINT) WHERE key = 'change_seq' RETURNING value", &s,
	    err) == -1)
		return -1;
	stmt_bind_i64(s, 1, (int64_t)nchanges);
	if (stmt_step(s) != STMT_ROW) {
		stmt_finalize(s);
		return store_sqlerr(st, "change sequence", err);
	}
	first = stmt_col_i64(s, 0) - (int64_t)nchanges + 1;
	stmt_finalize(s);

	if (rows_prepare(st, &s, "INSERT INTO page_changes(page_id, seq) "
	    "VALUES", b->n, 2, false, " ON CONFLICT(page_id) DO UPDATE SET "
	    "seq = excluded.seq", err) == -1)
		return -1;
	seq = first;
	for (size_t i = 0; i < b->n; i++) {
		seq += b->v[i].publish;
		stmt_bind_i64(s, k++, b->v[i].id);
		stmt_bind_i64(s, k++, seq++);
	}
	if (rows_run(st, s, "page change", err) == -1)
		return -1;

	if (rows_prepare(st, &s, "INSERT INTO audit_log(at, actor, action, "
	    "page_id, path, detail) VALUES", nchanges, 6, false, "",
	    err) == -1)
		return -1;
	k = 1;
	for (size_t i = 0; i < b->n; i++) {
		for (int pub = 0; pub <= (int)b->v[i].publish; pub++) {
			stmt_bind_i64(s, k++, now);
			stmt_bind_text(s, k++, b->actor);
			stmt_bind_text(s, k++, pub ? "publish" : "create");
			stmt_bind_i64(s, k++, b->v[i].id);
			stmt_bind_text(s, k++, b->v[i].path);
			if (pub)
				stmt_bind_null(s, k++);
			else
				stmt_bind_text(s, k++, b->v[i].title);
		}
	}
	if (rows_run(st, s, "audit", err) == -1)
		return -1;

	/* a draft saved asks for a build only of a staging site (0281) */
	nreq = nchanges - (st->staging ? 0 : b->n);
	if (!nreq)
		return 0;
	if (rows_prepare(st, &s, "INSERT INTO build_requests(seq, reason, "
	    "page_id, path, actor, requested_at, staging) VALUES", nreq, 7,
	    false, "", err) == -1)
		return -1;
	k = 1;
	seq = first;
	for (size_t i = 0; i < b->n; i++) {
		for (int pub = 0; pub <= (int)b->v[i].publish; pub++, seq++) {
			if (!pub && !st->staging)
				continue;
			stmt_bind_i64(s, k++, seq);
			stmt_bind_text(s, k++, pub ? "page published" :
			    "draft saved");
			stmt_bind_i64(s, k++, b->v[i].id);
			stmt_bind_text(s, k++, b->v[i].path);
			stmt_bind_text(s, k++, b->actor);
			stmt_bind_i64(s, k++, now);
			stmt_bind_int(s, k++, !pub);
		}
	}
	if (rows_run(st, s, "build request", err) == -1)
		return -1;
	/* PostgreSQL: wake every node's idle workers when this commits */
	if (db_dialect(st->db) == DB_PG)
		return store_exec(st, "NOTIFY " STORE_CHANNEL, err);
	return 0;
}

/*
 * The test hook of store_changed(): fail after the changes, when it
 * names every change ("1") or one of this batch's actions.
 */
static int
injected(struct store_newpages *b, struct buf *err)
{
	const char *v = testhook(TESTHOOK_FAIL_REQUEST);
	bool publish = false;

	if (!testhook_on(TESTHOOK_FAIL_REQUEST))
		return 0;
	for (size_t i = 0; i < b->n; i++)
		publish |= b->v[i].publish;
	if (strcmp(v, "1") != 0 && strcmp(v, "create") != 0 &&
	    (!publish || strcmp(v, "publish") != 0))
		return 0;
	buf_setf(err, "store: injected failure after the change");
	return -1;
}

int
store_newpages_flush(struct store_newpages *b, struct buf *err)
{
	int64_t now = time_now();
	int rc = -1;

	if (!b->n)
		return 0;
	if (store_tx_begin(b->st, err) == -1)
		return -1;
	if (orphans_load(b, err) == 0 && insert_pages(b, now, err) == 0 &&
	    insert_revisions(b, now, err) == 0 &&
	    link_pages(b, err) == 0 &&
	    bookkeeping(b, now, err) == 0 && injected(b, err) == 0)
		rc = 0;
	if (rc == -1 && b->n > 1)
		buf_printf(err, " (writing the %zu new pages from '%s' to "
		    "'%s')", b->n, b->v[0].path, b->v[b->n - 1].path);
	newpages_clear(b);
	return store_tx_end(b->st, rc, err);
}
