/* SPDX-License-Identifier: ISC */
/*
 * store_snapshot.c: the consistent read a build renders from (see store.h).
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
/* ---- snapshot ---- */

/*
 * The text columns of a snapshot row in one allocation (p->path owns it):
 * ten thousand pages would otherwise be eighty thousand small strings.
 */
static void
snap_strings(struct stmt *s, struct snap_page *p)
{
	static const int cols[] = { 1, 2, 3, 4, 7, 9, 11, 12 };
	char **dst[] = { &p->path, &p->section, &p->slug, &p->template,
	    &p->title, &p->summary, &p->tags_json, &p->extra_json };
	size_t len[NELEM(cols)], total = 0;
	char *block;

	for (size_t k = 0; k < NELEM(cols); k++) {
		const char *v = stmt_col_text(s, cols[k]);
		len[k] = v ? strlen(v) : 0;
		total += len[k] + 1;
	}
	block = xmalloc(total);
	for (size_t k = 0; k < NELEM(cols); k++) {
		const char *v = stmt_col_text(s, cols[k]);
		if (len[k])
			memcpy(block, v, len[k]);
		block[len[k]] = '\0';
		*dst[k] = block;
		block += len[k] + 1;
	}
}

/* the columns snap_strings and snap_row read, in their order */
#define SNAP_SELECT "SELECT p.id, p.path, p.section, p.slug, p.template, " \
	"p.weight, r.id, r.title, CASE WHEN r.summary = '' THEN r.body END, " \
	"r.summary, r.date, r.tags, r.extra, p.first_published_at, " \
	"p.last_published_at, p.expire_at FROM pages p "

/* one snapshot row into P */
static void
snap_row(struct stmt *s, struct snap_page *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_col_i64(s, 0);
	snap_strings(s, p);
	p->weight = stmt_col_int(s, 5);
	p->revision = stmt_col_i64(s, 6);
	p->body = store_col_str(s, 8);
	p->date = stmt_col_i64(s, 10);
	p->first_published_at = stmt_col_i64(s, 13);
	p->last_published_at = stmt_col_i64(s, 14);
	p->expire_at = stmt_col_i64(s, 15);
}

int
sql_snapshot(struct store *st, const char *media_dir, bool latest,
    struct snapshot *snap, struct buf *err)
{
	struct stmt *s = NULL;
	size_t cap = 0;
	int r, rc = -1;

	memset(snap, 0, sizeof(*snap));
	pthread_mutex_init(&snap->mu, NULL);
	/* one read transaction: WAL gives every read the same state */
	if (db_begin(st->db, false, err) == -1) {
		pthread_mutex_destroy(&snap->mu);
		return -1;
	}
	snap->st = st;
	if (store_change_seq(st, &snap->seq, err) == -1)
		goto out;
	if (store_prepare(st, latest ? SNAP_SELECT
	    "JOIN revisions r ON r.id = p.latest_revision_id "
	    "ORDER BY p.path" : SNAP_SELECT
	    "JOIN revisions r ON r.id = p.live_revision_id "
	    "WHERE p.live = 1 ORDER BY p.path", &s, err) == -1)
		goto out;
	while ((r = stmt_step(s)) == STMT_ROW) {
		struct snap_page *p;
		if (snap->npages == cap) {
			cap = cap ? cap * 2 : 256;
			snap->pages = xreallocarray(snap->pages, cap,
			    sizeof(*p));
		}
		p = &snap->pages[snap->npages++];
		snap_row(s, p);
	}
	stmt_finalize(s);
	if (r != STMT_DONE) {
		store_sqlerr(st, "snapshot", err);
		goto out;
	}
	if (store_media_list(st, media_dir, &snap->media, &snap->nmedia,
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		snapshot_release(snap);
	return rc;
}

static int
cmp_snap_path(const void *a, const void *b)
{
	return strcmp(((const struct snap_page *)a)->path,
	    ((const struct snap_page *)b)->path);
}

void
snapshot_add_virtual(struct snapshot *snap, const char *const *paths,
    const char *const *titles, size_t n)
{
	if (!n)
		return;
	snap->pages = xreallocarray(snap->pages, snap->npages + n,
	    sizeof(*snap->pages));
	for (size_t k = 0; k < n; k++) {
		struct snap_page *p = &snap->pages[snap->npages++];
		const char *path = paths[k], *slash = strrchr(path, '/');
		const char *v[8];
		size_t len[8], total = 0;
		char *block, **dst[] = { &p->path, &p->section, &p->slug,
		    &p->template, &p->title, &p->summary, &p->tags_json,
		    &p->extra_json };

		/* one block, path first, as snap_strings makes it */
		v[0] = path;
		v[1] = path;		/* cut at the first '/' below */
		v[2] = slash ? slash + 1 : path;
		v[3] = "";
		v[4] = titles[k];
		v[5] = "";
		v[6] = "[]";
		v[7] = "{}";
		for (size_t j = 0; j < NELEM(v); j++) {
			len[j] = strlen(v[j]);
			if (j == 1)
				len[j] = strcspn(path, "/");
			total += len[j] + 1;
		}
		memset(p, 0, sizeof(*p));
		block = xmalloc(total);
		for (size_t j = 0; j < NELEM(v); j++) {
			memcpy(block, v[j], len[j]);
			block[len[j]] = '\0';
			*dst[j] = block;
			block += len[j] + 1;
		}
		p->body = xstrdup("");
	}
	qsort(snap->pages, snap->npages, sizeof(*snap->pages), cmp_snap_path);
}

/* *V parsed from TEXT the first time it is asked for */
static json_t *
snapshot_json(struct snapshot *snap, json_t **v, const char *text,
    bool array)
{
	pthread_mutex_lock(&snap->mu);
	if (!*v)
		*v = store_json_of(text, array);
	pthread_mutex_unlock(&snap->mu);
	return *v;
}

json_t *
snapshot_tags(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->tags, p->tags_json, true);
}

json_t *
snapshot_extra(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->extra, p->extra_json, false);
}

/* the body of revision REV ("" when it cannot be read) */
static char *
snapshot_body_of(struct store *st, int64_t rev)
{
	struct stmt *s = NULL;
	struct buf ignored = BUF_INIT;
	char *body = NULL;

	if (store_prepare(st, "SELECT body FROM revisions WHERE id = ?", &s,
	    &ignored) == 0) {
		stmt_bind_i64(s, 1, rev);
		if (stmt_step(s) == STMT_ROW)
			body = store_col_str0(s, 0);
		stmt_finalize(s);
	}
	buf_release(&ignored);
	return body ? body : xstrdup("");
}

const char *
snapshot_body(struct snapshot *snap, size_t i, struct buf *err)
{
	struct snap_page *p = &snap->pages[i];
	struct stmt *s = NULL;

	pthread_mutex_lock(&snap->mu);
	if (!p->body && snap->st && store_prepare(snap->st,
	    "SELECT body FROM revisions WHERE id = ?", &s, err) == 0) {
		stmt_bind_i64(s, 1, p->revision);
		if (stmt_step(s) == STMT_ROW)
			p->body = store_col_str0(s, 0);
		else
			buf_setf(err, "page '/%s': revision %lld cannot be "
			    "read", p->path, (long long)p->revision);
		stmt_finalize(s);
	}
	pthread_mutex_unlock(&snap->mu);
	return p->body;
}

/* P's strings (one block, path first: snap_strings) from V[8] */
static void
snap_block(struct snap_page *p, const char *const v[8])
{
	char **dst[] = { &p->path, &p->section, &p->slug, &p->template,
	    &p->title, &p->summary, &p->tags_json, &p->extra_json };
	size_t len[8], total = 0;
	char *block;

	for (size_t k = 0; k < 8; k++)
		total += (len[k] = strlen(v[k])) + 1;
	block = xmalloc(total);
	for (size_t k = 0; k < 8; k++) {
		memcpy(block, v[k], len[k] + 1);
		*dst[k] = block;
		block += len[k] + 1;
	}
}

/* the fields OVER sets, in place of P's (P's strings are one block) */
static void
snap_override(struct snap_page *p, const struct page_fields *over)
{
	char *tags = over->tags ? json_dumps(over->tags, JSON_COMPACT) : NULL;
	const char *v[8] = { p->path, p->section, p->slug, p->template,
	    over->title ? over->title : p->title,
	    over->summary ? over->summary : p->summary,
	    tags ? tags : p->tags_json, p->extra_json };
	char *old = p->path;

	snap_block(p, v);
	free(old);
	free(tags);
	if (over->body) {
		free(p->body);
		p->body = xstrdup(over->body);
	}
	if (over->date)
		p->date = over->date;
}

int
snapshot_put_draft(struct snapshot *snap, int64_t page_id,
    const struct page_fields *over, struct buf *err)
{
	struct store *st = snap->st;
	struct stmt *s = NULL;
	struct snap_page np, *p = NULL;
	const char *bad;
	int r;

	if (over && (bad = page_fields_bad(over, err)) != NULL)
		return store_invalid(st, bad);
	if (over && over->tags && !json_is_array(over->tags)) {
		buf_setf(err, "tags: expected a list of strings");
		return store_invalid(st, "tags");
	}
	if (!st) {
		buf_setf(err, "preview: the snapshot is closed");
		return -1;
	}
	if (store_prepare(st, SNAP_SELECT "JOIN revisions r ON r.id = "
	    "p.latest_revision_id WHERE p.id = ?", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, page_id);
	if ((r = stmt_step(s)) != STMT_ROW) {
		if (r == STMT_DONE) {
			store_err_set(st, ERR_NOT_FOUND, NULL);
			buf_setf(err, "no page with id %lld", (long long)page_id);
		} else
			store_sqlerr(st, "preview", err);
		stmt_finalize(s);
		return -1;
	}
	snap_row(s, &np);
	stmt_finalize(s);
	/* the draft has its body at hand: never read lazily */
	if (!np.body)
		np.body = snapshot_body_of(st, np.revision);
	if (over)
		snap_override(&np, over);
	for (size_t i = 0; i < snap->npages; i++)
		if (snap->pages[i].id == page_id) {
			p = &snap->pages[i];
			break;
		}
	if (p) {
		/* keeps its place: the path is the same */
		free(p->path);
		free(p->body);
		json_decref(p->tags);
		json_decref(p->extra);
		*p = np;
		return 0;
	}
	snap->pages = xreallocarray(snap->pages, snap->npages + 1,
	    sizeof(*snap->pages));
	snap->pages[snap->npages++] = np;
	qsort(snap->pages, snap->npages, sizeof(*snap->pages), cmp_snap_path);
	return 0;
}

void
snapshot_release(struct snapshot *snap)
{
	if (!snap)
		return;
	if (snap->st) {
		struct buf ignored = BUF_INIT;
		store_exec(snap->st, "COMMIT", &ignored);
		buf_release(&ignored);
		snap->st = NULL;
		pthread_mutex_destroy(&snap->mu);
	}
	for (size_t i = 0; i < snap->npages; i++) {
		struct snap_page *p = &snap->pages[i];
		free(p->path);		/* and the other strings: snap_strings */
		free(p->body);
		json_decref(p->tags);
		json_decref(p->extra);
	}
	free(snap->pages);
	store_media_list_free(snap->media, snap->nmedia);
	memset(snap, 0, sizeof(*snap));
}

