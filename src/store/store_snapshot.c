/* SPDX-License-Identifier: ISC */
/*
 * store_snapshot.c: the consistent read a build renders from (see store.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
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
/* ---- strings shared between the kept snapshot and its copies ---- */

/*
 * A string with a reference count in front of it: the snapshot a process
 * keeps (below) and every snapshot handed out share the rows' strings,
 * so handing out 50,000 pages copies no text.
 */
#define RC_HEAD 16		/* keeps the bytes as aligned as malloc's */

static char *
rc_alloc(size_t len)
{
	char *m = xmalloc(RC_HEAD + len);

	atomic_init((_Atomic long *)(void *)m, 1);
	return m + RC_HEAD;
}

static char *
rc_ref(char *s)
{
	if (s)
		atomic_fetch_add((_Atomic long *)(void *)(s - RC_HEAD), 1);
	return s;
}

static void
rc_unref(char *s)
{
	if (s && atomic_fetch_sub((_Atomic long *)(void *)(s - RC_HEAD),
	    1) == 1)
		free(s - RC_HEAD);
}

static char *
rc_dup(const char *s)
{
	size_t len;
	char *d;

	if (!s)
		return NULL;
	len = strlen(s);
	d = rc_alloc(len + 1);
	memcpy(d, s, len + 1);
	return d;
}

/* what a page holds: its string block, body and parsed JSON */
static void
snap_page_free(struct snap_page *p)
{
	if (p->borrowed) {		/* the kept snapshot's but these */
		if (p->own_body)
			rc_unref(p->body);
		if (p->own_tags)
			json_decref(p->tags);
		if (p->own_extra)
			json_decref(p->extra);
		return;
	}
	rc_unref(p->path);		/* and the other strings: snap_block */
	rc_unref(p->body);
	json_decref(p->tags);
	json_decref(p->extra);
}

/* a second reference to P's contents in *TO */
static void
snap_page_ref(struct snap_page *to, const struct snap_page *p)
{
	*to = *p;
	to->borrowed = false;
	rc_ref(to->path);
	rc_ref(to->body);
	json_incref(to->tags);
	json_incref(to->extra);
}

/*
 * P's tags and extra parsed now: a kept page is copied into every build,
 * and a copy's lazy parse (snapshot_json) would be lost with the copy.
 */
static void
snap_page_parse(struct snap_page *p)
{
	if (!p->tags)
		p->tags = store_json_of(p->tags_json, true);
	if (!p->extra)
		p->extra = store_json_of(p->extra_json, false);
}

/* ---- snapshot ---- */

/* P's strings (one block, path first) from V[8] */
static void
snap_block(struct snap_page *p, const char *const v[8])
{
	char **dst[] = { &p->path, &p->section, &p->slug, &p->template,
	    &p->title, &p->summary, &p->tags_json, &p->extra_json };
	size_t len[8], total = 0;
	char *block;

	for (size_t k = 0; k < 8; k++)
		total += (len[k] = v[k] ? strlen(v[k]) : 0) + 1;
	block = rc_alloc(total);
	for (size_t k = 0; k < 8; k++) {
		if (len[k])
			memcpy(block, v[k], len[k]);
		block[len[k]] = '\0';
		*dst[k] = block;
		block += len[k] + 1;
	}
}

/*
 * The text columns of a snapshot row in one allocation (p->path owns it):
 * ten thousand pages would otherwise be eighty thousand small strings.
 */
static void
snap_strings(struct stmt *s, struct snap_page *p)
{
	static const int cols[] = { 1, 2, 3, 4, 7, 9, 11, 12 };
	const char *v[NELEM(cols)];

	for (size_t k = 0; k < NELEM(cols); k++)
		v[k] = stmt_col_text(s, cols[k]);
	snap_block(p, v);
}

/* the columns snap_strings and snap_row read, in their order */
#define SNAP_SELECT "SELECT p.id, p.path, p.section, p.slug, p.template, " \
	"p.weight, r.id, r.title, CASE WHEN r.summary = '' THEN r.body END, " \
	"r.summary, r.date, r.tags, r.extra, p.first_published_at, " \
	"p.last_published_at, p.expire_at FROM pages p "
/*
 * Every live page (by path: SQLite's order is strcmp's, PostgreSQL's may
 * not be: snap_sort), and the live pages changed after a sequence number
 * (not ordered: SQLite would then walk the path index, every page,
 * rather than page_changes_seq; the few rows are sorted in memory).
 * "live + 0": with "live = 1" SQLite, without statistics, walked the
 * index of live pages, every page of the site, looking each up in
 * page_changes (decision 0430); so it starts from page_changes_seq.
 */
#define SNAP_LIVE SNAP_SELECT "JOIN revisions r ON r.id = " \
	"p.live_revision_id WHERE p.live = 1 ORDER BY p.path"
#define SNAP_CHANGED SNAP_SELECT "JOIN revisions r ON r.id = " \
	"p.live_revision_id JOIN page_changes c ON c.page_id = p.id " \
	"WHERE p.live + 0 = 1 AND c.seq > ?"

/* one snapshot row into P */
static void
snap_row(struct stmt *s, struct snap_page *p)
{
	memset(p, 0, sizeof(*p));
	p->id = stmt_col_i64(s, 0);
	snap_strings(s, p);
	p->weight = stmt_col_int(s, 5);
	p->revision = stmt_col_i64(s, 6);
	p->body = rc_dup(stmt_col_text(s, 8));
	p->date = stmt_col_i64(s, 10);
	p->first_published_at = stmt_col_i64(s, 13);
	p->last_published_at = stmt_col_i64(s, 14);
	p->expire_at = stmt_col_i64(s, 15);
}

static void
snap_pages_free(struct snap_page *pages, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snap_page_free(&pages[i]);
	free(pages);
}

static int
cmp_snap_path(const void *a, const void *b)
{
	return strcmp(((const struct snap_page *)a)->path,
	    ((const struct snap_page *)b)->path);
}

/* PAGES in strcmp order of their paths (PostgreSQL's collation may not
   be); a look first, since SQLite's order already is */
static void
snap_sort(struct snap_page *pages, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(pages[i - 1].path, pages[i].path) > 0) {
			qsort(pages, n, sizeof(*pages), cmp_snap_path);
			return;
		}
}

/* the rows SQL selects (ARG >= 0: bound to its one ?), sorted by path */
static int
snap_read(struct store *st, const char *sql, int64_t arg,
    struct snap_page **out, size_t *n, struct buf *err)
{
	struct snap_page *pages = NULL;
	struct stmt *s = NULL;
	size_t cap = 0, len = 0;
	int r;

	if (store_prepare(st, sql, &s, err) == -1)
		return -1;
	if (arg >= 0)
		stmt_bind_i64(s, 1, arg);
	while ((r = stmt_step(s)) == STMT_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			pages = xreallocarray(pages, cap, sizeof(*pages));
		}
		snap_row(s, &pages[len++]);
	}
	stmt_finalize(s);
	if (r != STMT_DONE) {
		snap_pages_free(pages, len);
		return store_sqlerr(st, "snapshot", err);
	}
	/* the rows are all read: no room left for more (50,000 pages in
	   65,536 places would hold 2.4 MB for nothing) */
	if (len && len < cap)
		pages = xreallocarray(pages, len, sizeof(*pages));
	snap_sort(pages, len);
	*out = pages;
	*n = len;
	return 0;
}

/* ---- the snapshot a process keeps (decision 0240) ---- */

/*
 * The last live snapshot of up to four stores (a multi-unit site builds
 * several), each known by where it is and its store_uid: kept between
 * builds and previews, brought up to date under CACHE_MU by reading the
 * pages changed since its SEQ.  A kept page is never changed in place:
 * a changed page is a new row, the old one unreferenced, so a snapshot
 * handed out before stays as it was.
 */
/*
 * The kept pages as one generation that snapshots borrow (a copy of the
 * array, no reference per page): REFS counts the kept snapshot and each
 * borrower, under CACHE_MU.  A generation is never changed while another
 * holds it: bringing the kept snapshot up to date then makes a new one.
 */
struct snap_gen {
	long refs;
	struct snap_page *pages;
	size_t npages;
};

struct snap_kept {
	char *where;		/* SQLite: the file; PostgreSQL: meta's oid */
	int64_t uid;
	int64_t seq;
	struct snap_gen *gen;
	uint64_t used;		/* for the least recently used */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct snap_kept kept[4];
static bool keep_snapshots = true;	/* store_snapshot_keep */
static uint64_t kept_clock;

/* who the store is, and from which sequence its page_changes are whole */
struct snap_ident {
	char where[PATH_MAX + 32];
	int64_t uid;
	int64_t changes_from;
};

static int
snap_ident(struct store *st, struct snap_ident *id, struct buf *err)
{
	struct stmt *s = NULL;
	bool pg = db_dialect(st->db) == DB_PG;
	int r;

	if (store_prepare(st, pg ? "SELECT (SELECT value FROM meta WHERE "
	    "key = 'store_uid'), (SELECT value FROM meta WHERE key = "
	    "'changes_from'), 'meta'::regclass::oid" : "SELECT (SELECT "
	    "value FROM meta WHERE key = 'store_uid'), (SELECT value FROM "
	    "meta WHERE key = 'changes_from'), 0", &s, err) == -1)
		return -1;
	if ((r = stmt_step(s)) == STMT_ROW) {
		id->uid = stmt_col_null(s, 0) ? 0 : stmt_col_i64(s, 0);
		id->changes_from = stmt_col_null(s, 1) ? INT64_MAX :
		    stmt_col_i64(s, 1);
		snprintf(id->where, sizeof(id->where), "%s%lld",
		    pg ? "pg:" : st->path ? st->path : "?",
		    pg ? (long long)stmt_col_i64(s, 2) : 0LL);
	}
	stmt_finalize(s);
	return r == STMT_ROW ? 0 : store_sqlerr(st, "snapshot", err);
}

/* the kept snapshot of ID, NULL when there is none */
static struct snap_kept *
kept_find(const struct snap_ident *id)
{
	if (!id->uid)
		return NULL;
	for (size_t i = 0; i < NELEM(kept); i++)
		if (kept[i].where && kept[i].uid == id->uid &&
		    !strcmp(kept[i].where, id->where))
			return &kept[i];
	return NULL;
}

/* a generation of the N pages PAGES (owned by it), held once */
static struct snap_gen *
gen_new(struct snap_page *pages, size_t n)
{
	struct snap_gen *g = xcalloc(1, sizeof(*g));

	g->refs = 1;
	g->pages = pages;
	g->npages = n;
	return g;
}

/* one holder less (under CACHE_MU) */
static void
gen_unref(struct snap_gen *g)
{
	if (g && --g->refs == 0) {
		snap_pages_free(g->pages, g->npages);
		free(g);
	}
}

static void
kept_clear(struct snap_kept *k)
{
	free(k->where);
	gen_unref(k->gen);
	memset(k, 0, sizeof(*k));
}

/*
 * K's pages lent to SNAP: the array copied, the strings borrowed (no
 * reference per page: at 100,000 pages taking and dropping them was
 * 40 ms a build, decision 0370); the generation held until
 * snapshot_release
 */
static void
kept_copy(const struct snap_kept *k, struct snapshot *snap)
{
	struct snap_gen *g = k->gen;

	snap->pages = xreallocarray(NULL, g->npages ? g->npages : 1,
	    sizeof(*snap->pages));
	if (g->npages)
		memcpy(snap->pages, g->pages, g->npages * sizeof(*g->pages));
	for (size_t i = 0; i < g->npages; i++) {
		struct snap_page *p = &snap->pages[i];
		p->borrowed = true;
		p->own_body = p->own_tags = p->own_extra = false;
	}
	snap->npages = g->npages;
	g->refs++;
	snap->gen = g;
}

/*
 * Keep SNAP's pages (a full read at SNAP->seq) as ID's snapshot, unless
 * one as new or newer is kept already.
 */
static void
kept_put(const struct snap_ident *id, const struct snapshot *snap)
{
	struct snap_page *pages;
	struct snap_kept *k;

	if (!id->uid || !keep_snapshots)
		return;
	pthread_mutex_lock(&cache_mu);
	if (!(k = kept_find(id))) {
		k = &kept[0];
		for (size_t i = 1; i < NELEM(kept); i++)
			if (kept[i].used < k->used)
				k = &kept[i];
		kept_clear(k);
	} else if (k->seq >= snap->seq) {
		pthread_mutex_unlock(&cache_mu);
		return;
	} else {
		gen_unref(k->gen);
		k->gen = NULL;
	}
	if (!k->where)
		k->where = xstrdup(id->where);
	k->uid = id->uid;
	k->seq = snap->seq;
	pages = xreallocarray(NULL, snap->npages ? snap->npages : 1,
	    sizeof(*pages));
	for (size_t i = 0; i < snap->npages; i++) {
		snap_page_ref(&pages[i], &snap->pages[i]);
		snap_page_parse(&pages[i]);
	}
	k->gen = gen_new(pages, snap->npages);
	k->used = ++kept_clock;
	pthread_mutex_unlock(&cache_mu);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The pages changed after SEQ into *IDS (sorted): 0, 1 when they are too
 * many to be worth it or one of them is "any page" (id 0), -1 with err.
 */
static int
changed_ids(struct store *st, int64_t seq, size_t most, int64_t **ids,
    size_t *n, struct buf *err)
{
	struct stmt *s = NULL;
	size_t cap = 0;
	int r, rc = 0;

	*ids = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT page_id FROM page_changes WHERE "
	    "seq > ?", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, seq);
	while ((r = stmt_step(s)) == STMT_ROW) {
		int64_t id = stmt_col_i64(s, 0);
		if (id <= 0 || *n >= most) {
			rc = 1;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xreallocarray(*ids, cap, sizeof(**ids));
		}
		(*ids)[(*n)++] = id;
	}
	stmt_finalize(s);
	if (rc == 0 && r != STMT_DONE)
		rc = store_sqlerr(st, "snapshot", err);
	if (rc != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), cmp_i64);
	return rc;
}

/*
 * K's pages without those in IDS, merged with ROWS (both by path): in
 * place when nobody borrows them, else as a new generation (the pages
 * kept referenced once more, the borrowed one left as it was)
 */
static void
kept_merge(struct snap_kept *k, const int64_t *ids, size_t nids,
    struct snap_page *rows, size_t nrows)
{
	struct snap_gen *g = k->gen;
	bool alone = g->refs == 1;
	struct snap_page *out = xreallocarray(NULL, g->npages + nrows + 1,
	    sizeof(*out));
	size_t i = 0, j = 0, n = 0;

	while (i < g->npages || j < nrows) {
		struct snap_page *p = i < g->npages ? &g->pages[i] : NULL;
		if (p && nids && bsearch(&p->id, ids, nids, sizeof(*ids),
		    cmp_i64)) {
			if (alone)
				snap_page_free(p);
			i++;
		} else if (p && (j == nrows ||
		    strcmp(p->path, rows[j].path) < 0)) {
			if (alone)
				out[n++] = *p;
			else
				snap_page_ref(&out[n++], p);
			i++;
		} else {
			snap_page_parse(&rows[j]);
			out[n++] = rows[j++];
		}
	}
	free(rows);
	if (alone) {
		free(g->pages);
		g->pages = out;
		g->npages = n;
	} else {
		gen_unref(g);
		k->gen = gen_new(out, n);
	}
}

/*
 * Bring K up to SEQ (the caller's read transaction) from the changed
 * rows: 0, 1 when a full read is the better way, -1 with err.
 */
static int
kept_update(struct store *st, struct snap_kept *k, int64_t seq,
    size_t *rows_read, struct buf *err)
{
	struct snap_page *rows = NULL;
	int64_t *ids = NULL;
	size_t nids, nrows = 0;
	int r;

	*rows_read = 0;
	if (k->seq == seq)
		return 0;
	r = changed_ids(st, k->seq, k->gen->npages / 4 + 64, &ids, &nids,
	    err);
	if (r != 0)
		return r;
	if (snap_read(st, SNAP_CHANGED, k->seq, &rows, &nrows, err) == -1) {
		free(ids);
		return -1;
	}
	kept_merge(k, ids, nids, rows, nrows);
	free(ids);
	k->seq = seq;
	*rows_read = nrows;
	return 0;
}

/*
 * SNAP's live pages from the snapshot kept for ID, brought up to date:
 * 0, 1 when there is none to use (a full read is needed), -1 with err.
 */
static int
snap_from_kept(struct store *st, const struct snap_ident *id,
    struct snapshot *snap, struct buf *err)
{
	struct snap_kept *k;
	int r = 1;

	pthread_mutex_lock(&cache_mu);
	k = kept_find(id);
	/* kept from a newer transaction than ours: an older reader, or the
	   store went back (restored data): dropped, not trusted again */
	if (k && k->seq > snap->seq) {
		kept_clear(k);
		k = NULL;
	}
	/* kept from before the changes were recorded: no */
	if (k && k->seq >= id->changes_from) {
		r = kept_update(st, k, snap->seq, &snap->rows_read, err);
		if (r == -1)
			kept_clear(k);	/* the next read is a full one */
		else if (r == 0) {
			kept_copy(k, snap);
			k->used = ++kept_clock;
		}
	}
	pthread_mutex_unlock(&cache_mu);
	return r;
}

/* the field of A and B that differs, NULL when none does */
static const char *
snap_differs(const struct snap_page *a, const struct snap_page *b)
{
	const char *sa[] = { a->path, a->section, a->slug, a->template,
	    a->title, a->summary, a->tags_json, a->extra_json };
	const char *sb[] = { b->path, b->section, b->slug, b->template,
	    b->title, b->summary, b->tags_json, b->extra_json };
	static const char *names[] = { "path", "section", "slug",
	    "template", "title", "summary", "tags", "extra" };

	if (a->id != b->id)
		return "id";
	for (size_t k = 0; k < NELEM(sa); k++)
		if (strcmp(sa[k], sb[k]) != 0)
			return names[k];
	if (a->weight != b->weight)
		return "weight";
	if (a->revision != b->revision)
		return "revision";
	if (!a->body != !b->body || (a->body && strcmp(a->body, b->body)))
		return "body";
	if (a->date != b->date)
		return "date";
	if (a->first_published_at != b->first_published_at ||
	    a->last_published_at != b->last_published_at)
		return "published_at";
	if (a->expire_at != b->expire_at)
		return "expire_at";
	return NULL;
}

/*
 * KILN_TEST_SNAPSHOT_VERIFY: SNAP, brought up to date from the changes,
 * against a full read in the same transaction.  0, or -1 with err.
 */
static int
snap_verify(struct store *st, const struct snapshot *snap, struct buf *err)
{
	struct snap_page *full = NULL;
	size_t n = 0, i;
	const char *what = NULL;
	int rc = 0;

	if (snap_read(st, SNAP_LIVE, -1, &full, &n, err) == -1)
		return -1;
	for (i = 0; i < n && i < snap->npages; i++)
		if ((what = snap_differs(&snap->pages[i], &full[i])) != NULL)
			break;
	if (what || n != snap->npages) {
		buf_setf(err, "snapshot: the kept snapshot brought up to "
		    "sequence %lld differs from a full read: %s", (long long)
		    snap->seq, what ? "" : "the number of pages, ");
		if (i < n)
			buf_printf(err, "page '/%s' %s", full[i].path,
			    what ? what : "missing");
		else if (i < snap->npages)
			buf_printf(err, "page '/%s' is extra",
			    snap->pages[i].path);
		rc = -1;
	}
	snap_pages_free(full, n);
	return rc;
}

void
store_snapshot_keep(bool keep)
{
	keep_snapshots = keep;
}

/* SNAP's live pages: from the kept snapshot, else a full read kept */
static int
snap_live(struct store *st, struct snapshot *snap, struct buf *err)
{
	struct snap_ident id;
	int r;

	if (snap_ident(st, &id, err) == -1)
		return -1;
	if ((r = snap_from_kept(st, &id, snap, err)) == -1)
		return -1;
	if (r == 0)
		return testhook_on(TESTHOOK_SNAPSHOT_VERIFY) ?
		    snap_verify(st, snap, err) : 0;
	if (snap_read(st, SNAP_LIVE, -1, &snap->pages, &snap->npages,
	    err) == -1)
		return -1;
	snap->rows_read = snap->npages;
	kept_put(&id, snap);
	return 0;
}

int
sql_snapshot(struct store *st, const char *media_dir, bool latest,
    struct snapshot *snap, struct buf *err)
{
	int rc = -1;

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
	if (latest) {
		if (snap_read(st, SNAP_SELECT "JOIN revisions r ON r.id = "
		    "p.latest_revision_id ORDER BY p.path", -1, &snap->pages,
		    &snap->npages, err) == -1)
			goto out;
		snap->rows_read = snap->npages;
	} else if (snap_live(st, snap, err) == -1)
		goto out;
	if (store_media_files(st, media_dir, &snap->media, &snap->nmedia,
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		snapshot_release(snap);
	return rc;
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
		char *section = xstrndup(path, strcspn(path, "/"));
		const char *v[8] = { path, section, slash ? slash + 1 : path,
		    "", titles[k], "", "[]", "{}" };

		memset(p, 0, sizeof(*p));
		snap_block(p, v);
		p->body = rc_dup("");
		free(section);
	}
	qsort(snap->pages, snap->npages, sizeof(*snap->pages), cmp_snap_path);
}

void
snapshot_hold(const struct snap_page *p, struct snap_hold *h)
{
	h->block = rc_ref(p->path);
	h->body = rc_ref(p->body);
}

void
snapshot_unhold(struct snap_hold *h)
{
	rc_unref(h->block);
	rc_unref(h->body);
	memset(h, 0, sizeof(*h));
}

/* *V parsed from TEXT the first time it is asked for (*OWN: it is ours) */
static json_t *
snapshot_json(struct snapshot *snap, json_t **v, bool *own, const char *text,
    bool array)
{
	pthread_mutex_lock(&snap->mu);
	if (!*v)
		*own = (*v = store_json_of(text, array)) != NULL;
	pthread_mutex_unlock(&snap->mu);
	return *v;
}

json_t *
snapshot_tags(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->tags, &p->own_tags, p->tags_json,
	    true);
}

json_t *
snapshot_extra(struct snapshot *snap, size_t i)
{
	struct snap_page *p = &snap->pages[i];

	return snapshot_json(snap, &p->extra, &p->own_extra, p->extra_json,
	    false);
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
			body = rc_dup(stmt_col_text(s, 0));
		stmt_finalize(s);
	}
	buf_release(&ignored);
	return body ? body : rc_dup("");
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
		if (stmt_step(s) == STMT_ROW) {
			const char *v = stmt_col_text(s, 0);
			p->body = rc_dup(v ? v : "");
			p->own_body = true;
		} else
			buf_setf(err, "page '/%s': revision %lld cannot be "
			    "read", p->path, (long long)p->revision);
		stmt_finalize(s);
	}
	pthread_mutex_unlock(&snap->mu);
	return p->body;
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
	rc_unref(old);
	free(tags);
	if (over->body) {
		rc_unref(p->body);
		p->body = rc_dup(over->body);
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
		snap_page_free(p);
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
	snap_pages_free(snap->pages, snap->npages);
	if (snap->gen) {
		pthread_mutex_lock(&cache_mu);
		gen_unref(snap->gen);
		pthread_mutex_unlock(&cache_mu);
	}
	store_media_list_free(snap->media, snap->nmedia);
	memset(snap, 0, sizeof(*snap));
}

