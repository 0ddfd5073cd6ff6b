/* SPDX-License-Identifier: ISC */
/*
 * import.c: import as a sync (import.h, decision 0160).
 *
 * The tree is read whole first (import_tree.c), then each page is made to
 * match its file inside one store transaction: created, updated, left
 * alone, or refused as a conflict.  What each page's last import was is a
 * record in the store's state table, "import:PATH" -> {root, file, hash,
 * revision}: HASH covers the file's bytes, its resources and the options
 * that shape the page, REVISION is the page's latest revision right after
 * that import.  So
 *
 *	same hash			nothing happens (nothing is published)
 *	new hash, same revision		the page is updated from the file
 *	new hash, page edited in kiln	conflict: kept, unless --force
 *	no record, page exists		the same as an edit in kiln, unless
 *					the page already says what the file
 *					says
 *
 * --prune deletes the pages whose record names this root and whose file
 * is gone, deepest first, refusing outright when more than max_deletes
 * would go.  A dry run does all of it and rolls the transaction back, and
 * writes no media or static file.
 *
 * The pages and the records are read once, in two queries, when the
 * transaction starts (struct iknown, decision 0260): a file whose hash
 * matches its record costs no query at all, and the cost of an import
 * grows with what changed, not with the site.  The records of the pages
 * written are written at the end, a few hundred per statement.
 */
#include "common/compat.h"

#include <limits.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "import/import_int.h"
#include "import/import_page.h"
#include "store/store.h"
#include "store/store_import.h"

#define IMPORT_FORMAT	"kiln-import-1"
/* at most this many records read their revision one by one */
#define RECORDS_ONE_READ	64

/* what the store held when the import's transaction began */
struct iknown {
	json_t *recs;			/* PATH -> import record */
	json_t *at;			/* PATH -> index into pages */
	struct page_info *pages;	/* every page (store_import_pages) */
	size_t npages;
	json_t *put;			/* PATH -> record to write at the end */
	struct store_newpages *newp;	/* new pages, a batch at a time */
};

static int
known_load(struct store *st, struct iknown *k, const char *actor,
    struct buf *err)
{
	memset(k, 0, sizeof(*k));
	k->at = json_object();
	k->put = json_object();
	if (store_import_records(st, &k->recs, err) == -1 ||
	    store_import_pages(st, &k->pages, &k->npages, err) == -1)
		return -1;
	k->newp = store_newpages_open(st, actor);
	for (size_t i = 0; i < k->npages; i++)
		json_object_set_new(k->at, k->pages[i].path,
		    json_integer((json_int_t)i));
	return 0;
}

static void
known_release(struct iknown *k)
{
	json_decref(k->recs);
	json_decref(k->at);
	json_decref(k->put);
	store_newpages_free(k->newp);
	store_page_list_free(k->pages, k->npages);
	memset(k, 0, sizeof(*k));
}

/* the page at PATH before the import, or NULL */
static const struct page_info *
known_page(const struct iknown *k, const char *path)
{
	json_t *i = json_object_get(k->at, path);

	return i ? &k->pages[json_integer_value(i)] : NULL;
}

/* member KEY of record REC as a string, "" when there is none */
static const char *
rec_str(json_t *rec, const char *key)
{
	const char *v = json_string_value(json_object_get(rec, key));

	return v ? v : "";
}

/*
 * {action, file, line, page, reason}: FILE and PAGE null when NULL; NULL
 * when a text is not UTF-8, as json_pack() would.  Built member by
 * member: an import notes every file, and json_pack() parsing its
 * format was an eighth of an unchanged re-import.
 */
static json_t *
note_item(const char *action, const char *file, int line, const char *page,
    const char *reason)
{
	json_t *it = json_object(), *v[4];
	static const char *const keys[4] = { "action", "file", "page",
	    "reason" };
	const char *s[4] = { action, file, page, reason };
	bool ok = true;

	for (int i = 0; i < 4; i++) {
		v[i] = s[i] ? json_string(s[i]) : json_null();
		if (!v[i])
			ok = false;
	}
	for (int i = 0; i < 4; i++) {	/* json_pack()'s order */
		if (i == 2)
			json_object_set_new_nocheck(it, "line",
			    json_integer(line));
		if (v[i])
			json_object_set_new_nocheck(it, keys[i], v[i]);
	}
	if (!ok) {
		json_decref(it);
		return NULL;
	}
	return it;
}

void
import_note(struct import_report *r, const char *action, const char *file,
    int line, const char *page, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	json_t *it;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	it = note_item(action, file, line, page, b.buf ? b.buf : "");
	if (it)
		json_array_append_new(r->items, it);
	if (!strcmp(action, "warning"))
		r->warnings++;
	buf_release(&b);
}

void
import_report_release(struct import_report *r)
{
	if (!r)
		return;
	json_decref(r->items);
	memset(r, 0, sizeof(*r));
}

json_t *
import_report_json(const struct import_report *r)
{
	return json_pack("{s:O, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I}}", "items", r->items, "summary",
	    "files", (json_int_t)r->files, "created", (json_int_t)r->created,
	    "updated", (json_int_t)r->updated,
	    "unchanged", (json_int_t)r->unchanged,
	    "skipped", (json_int_t)r->skipped,
	    "conflicts", (json_int_t)r->conflicts,
	    "removed", (json_int_t)r->removed,
	    "failed", (json_int_t)r->failed,
	    "warnings", (json_int_t)r->warnings);
}

static int
cmp_page(const void *a, const void *b)
{
	const struct ipage *x = a, *y = b;

	if (!x->path || !y->path)
		return x->path ? -1 : y->path ? 1 : strcmp(x->rel, y->rel);
	return strcmp(x->path, y->path);
}

/* media names and hashes of P's resources */
static int
resources(struct ipage *p, json_t *by_sha, struct import_report *r)
{
	struct buf part = BUF_INIT, why = BUF_INIT;
	bool changed;
	int rc = 0;

	for (size_t i = 0; i < p->nres; i++) {
		struct iresource *x = &p->res[i];
		json_t *known;
		const char *dot;
		buf_reset(&why);
		if (sha256_file_hex(x->file, x->sha256, &why) == -1) {
			import_note(r, "failed", x->file, 0, p->path, "%s",
			    why.buf);
			rc = -1;
			continue;
		}
		if ((known = json_object_get(by_sha, x->sha256))) {
			x->name = xstrdup(json_string_value(known));
			continue;
		}
		/* PAGE-PATH-REL, the extension kept */
		{
			struct buf raw = BUF_INIT;
			if (p->path[0])
				buf_printf(&raw, "%s-", p->path);
			dot = strrchr(x->rel, '.');
			buf_add(&raw, x->rel, dot && !strchr(dot, '/') ?
			    (size_t)(dot - x->rel) : strlen(x->rel));
			for (size_t k = 0; k < raw.len; k++)
				if (raw.buf[k] == '/')
					raw.buf[k] = '-';
			import_slugify(raw.buf, raw.len, &part, &changed);
			if (dot && !strchr(dot, '/')) {
				struct buf ext = BUF_INIT;
				import_slugify(dot + 1, strlen(dot + 1), &ext,
				    &changed);
				buf_printf(&part, ".%s", ext.buf);
				buf_release(&ext);
			}
			buf_release(&raw);
		}
		x->name = xstrdup(part.buf);
	}
	buf_release(&part);
	buf_release(&why);
	return rc;
}

static void
source_hash(const struct ipage *p, const struct import_opts *o, char out[65])
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s\n%s\n", IMPORT_FORMAT, o->prefix ? o->prefix :
	    "");
	for (size_t i = 0; i < p->nres; i++)
		buf_printf(&b, "%s %s %s\n", p->res[i].rel, p->res[i].sha256,
		    p->res[i].name);
	buf_add(&b, p->text->buf ? p->text->buf : "", p->text->len);
	sha256_hex(b.buf, b.len, out);
	buf_release(&b);
}

static bool
json_same(json_t *a, json_t *b)
{
	return json_equal(a, b) == 1;
}

/* does the latest revision of page P say what F says? */
static int
same_as(struct store *st, const struct page_info *p,
    const struct ipagefields *f, bool *same, struct buf *err)
{
	struct revision_info rv;

	memset(&rv, 0, sizeof(rv));
	if (store_revision_get(st, p->latest_revision, &rv, err) == -1)
		return -1;
	*same = !strcmp(rv.title, f->title.buf) &&
	    !strcmp(rv.body, f->body.buf ? f->body.buf : "") &&
	    !strcmp(rv.summary, f->summary ? f->summary : "") &&
	    rv.date == f->date && json_same(rv.tags, f->tags) &&
	    json_same(rv.extra, f->extra) && p->weight == f->weight &&
	    !strcmp(p->template, f->template ? f->template : "");
	revision_info_release(&rv);
	return 0;
}

/* live, scheduled, expiring or not, as F says; WAS = the page before */
static int
publish(struct store *st, const struct ipage *ip, const struct ipagefields *f,
    const struct import_opts *o, const struct page_info *was,
    struct import_report *r, struct buf *err)
{
	const char *path = ip->path;
	char iso[32];

	if (o->draft)	/* --draft: this import publishes nothing */
		return 0;

	if (f->draft || f->headless || (f->expire && f->expire <= o->now)) {
		if (f->expire && f->expire <= o->now && !f->draft &&
		    !f->headless) {
			time_format_iso8601(f->expire, iso, sizeof(iso));
			import_note(r, "warning", ip->file,
			    import_key_line(ip, "expiryDate"), path,
			    "expired at %s (expiryDate): imported "
			    "unpublished", iso);
		}
		if (was && was->live)
			return store_page_unpublish(st, path, o->actor, err);
		return 0;
	}
	if (store_page_publish(st, path, f->publish > o->now ? f->publish : 0,
	    o->actor, err) == -1)
		return -1;
	if (f->expire)
		return store_page_schedule(st, path, 0, f->expire, o->actor,
		    err);
	if (was && was->expire_at)
		return store_page_schedule(st, path, 0, -1, o->actor, err);
	return 0;
}

/*
 * PATH's import record, written by records_flush(): REVISION 0 takes
 * the page's latest revision then.  Its fingerprint, the notes reading
 * the file gave and the media of its resources come along when the
 * fingerprint may be trusted (decision 0300).
 */
static void
record(struct iknown *k, const char *path, const char *root,
    const struct ipage *ip, const char *hash, json_t *fields, int64_t rev)
{
	json_t *rec = json_pack("{s:s, s:s, s:s}", "root", root, "file",
	    ip->rel, "hash", hash), *media;

	if (rev)
		json_object_set_new(rec, "revision", json_integer(rev));
	if (ip->fp_ok) {
		json_object_set_new(rec, "fast", json_string(ip->fp));
		if (json_array_size(ip->notes))
			json_object_set(rec, "read", ip->notes);
		if (json_array_size(fields))
			json_object_set(rec, "fields", fields);
		if (ip->nres) {
			media = json_object();
			for (size_t i = 0; i < ip->nres; i++)
				json_object_set_new(media, ip->res[i].sha256,
				    json_string(ip->res[i].name ?
				    ip->res[i].name : ""));
			json_object_set_new(rec, "media", media);
		}
	}
	json_object_set_new(k->put, path, rec);
}

/* REV: the latest revision of the page at PATH (REVS, else a query) */
static int
latest_of(struct store *st, json_t *revs, const char *path, int64_t *rev,
    struct buf *err)
{
	json_t *v;

	if (!revs) {
		if (store_import_revision(st, path, rev, err) == 0)
			return 0;
	} else if ((v = json_object_get(revs, path))) {
		*rev = json_integer_value(v);
		return 0;
	}
	if (!err->len)
		buf_setf(err, "no page at '%s'", path);
	return -1;
}

/*
 * The records of the pages this import wrote or confirmed, each with
 * its page's latest revision now: a few statements for all of them.
 */
static int
records_flush(struct store *st, struct iknown *k, struct buf *err)
{
	size_t n = json_object_size(k->put), i = 0, need = 0;
	char **keys = xcalloc(n + 1, sizeof(*keys));
	char **values = xcalloc(n + 1, sizeof(*values));
	json_t *revs = NULL, *rec;
	const char *path;
	int rc = -1;

	json_object_foreach(k->put, path, rec)
		if (!json_object_get(rec, "revision"))
			need++;
	if (need > RECORDS_ONE_READ && store_import_revisions(st, &revs,
	    err) == -1)
		goto out;
	json_object_foreach(k->put, path, rec) {
		int64_t rev;
		if (!json_object_get(rec, "revision")) {
			if (latest_of(st, revs, path, &rev, err) == -1)
				goto out;
			json_object_set_new(rec, "revision",
			    json_integer(rev));
		}
		keys[i] = xasprintf("import:%s", path);
		values[i++] = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	}
	rc = store_import_put(st, keys, values, i, err);
out:
	for (size_t j = 0; j < i; j++) {
		free(keys[j]);
		free(values[j]);
	}
	free(keys);
	free(values);
	json_decref(revs);
	return rc;
}

/* the store's fields of the page F describes */
static void
fields_of(const struct ipagefields *f, struct page_fields *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->title = f->title.buf;
	pf->body = f->body.buf ? f->body.buf : "";
	pf->summary = f->summary ? f->summary : "";
	pf->date = f->date;
	pf->tags = f->tags;
	pf->extra = f->extra;
	pf->template = f->template ? f->template : "";
	pf->weight = f->weight;
	pf->has_weight = true;
}

/* one page's sync: the file, what it says, what the store had */
struct isync {
	struct ipage *ip;
	struct ipagefields f;
	struct page_fields pf;
	const struct page_info *was;	/* NULL: no page at its path */
	json_t *rec;			/* its import record, or NULL */
	const char *shown;		/* its path in the report */
};

/*
 * The new page Y: queued when it goes live now or is not published
 * (decision 0340), else written at once after what is queued.
 */
static int
create(struct store *st, struct iknown *k, struct isync *y,
    const struct import_opts *o, struct import_report *r, struct buf *err)
{
	const struct ipagefields *f = &y->f;
	bool unpublished = o->draft || f->draft || f->headless ||
	    (f->expire && f->expire <= o->now);
	int64_t id;

	if (unpublished || (!f->expire && f->publish <= o->now)) {
		if (store_newpages_add(k->newp, y->ip->path, &y->pf,
		    !unpublished, err) == -1)
			return -1;
		/* unpublished: publish() only reports why */
		return unpublished ? publish(st, y->ip, f, o, NULL, r, err) : 0;
	}
	if (store_newpages_flush(k->newp, err) == -1 ||
	    store_page_create(st, y->ip->path, &y->pf, o->actor, &id,
	    err) == -1)
		return -1;
	store_newpages_made(k->newp, y->ip->path, id);
	return publish(st, y->ip, f, o, NULL, r, err);
}

/* a new page: 1 created, 0 refused (reported), -1 on a store error */
static int
sync_create(struct store *st, struct iknown *k, struct isync *y,
    const struct import_opts *o, struct import_report *r, struct buf *err)
{
	struct buf why = BUF_INIT;
	const struct ipagefields *f = &y->f;

	store_err_clear(st);
	if (store_path_check_new(st, y->ip->path, &why) == -1 ||
	    page_fields_check(&y->pf, &why) == -1) {
		import_note(r, "failed", y->ip->file, 0, y->shown, "%s; "
		    "rename the file or set `url` in its front matter",
		    why.buf);
		y->ip->failed = true;
		buf_release(&why);
		return 0;
	}
	buf_release(&why);
	if (create(st, k, y, o, r, err) == -1)
		return -1;
	import_note(r, "created", y->ip->file, 0, y->shown, "%s",
	    f->headless ? "headless: kept unpublished" : f->draft ||
	    o->draft ? "draft" : f->publish > o->now ?
	    "scheduled (publishDate)" : "published");
	r->created++;
	return 1;
}

/* a page that exists: 1 written or adopted (record it), 0 not, -1 */
static int
sync_existing(struct store *st, struct isync *y, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct buf why = BUF_INIT;
	const struct ipage *ip = y->ip;
	bool same;

	if (same_as(st, y->was, &y->f, &same, err) == -1)
		return -1;
	if (!y->rec && same) {
		import_note(r, "unchanged", ip->file, 0, y->shown, "the page "
		    "already says what the file says");
		r->unchanged++;
		return 1;
	}
	if (!o->force && (!y->rec || json_integer_value(json_object_get(
	    y->rec, "revision")) != y->was->latest_revision)) {
		import_note(r, "conflict", ip->file, 0, y->shown, "%s, and "
		    "the file says otherwise: kiln's version is kept; re-run "
		    "with --force to overwrite it with the file, or copy the "
		    "change into the file", y->rec ? "the page was edited in "
		    "kiln since the last import" : "the page exists and was "
		    "not imported from this file");
		r->conflicts++;
		return 0;
	}
	if (page_fields_check(&y->pf, &why) == -1) {
		import_note(r, "failed", ip->file, 0, y->shown, "%s", why.buf);
		y->ip->failed = true;
		buf_release(&why);
		return 0;
	}
	if ((!same && store_page_edit(st, ip->path, &y->pf, o->actor,
	    err) == -1) || publish(st, ip, &y->f, o, y->was, r, err) == -1)
		return -1;
	import_note(r, "updated", ip->file, 0, y->shown, "%s", y->rec ?
	    "the file changed since the last import" : "overwritten "
	    "(--force)");
	r->updated++;
	return 1;
}

/* the report's "unchanged" of page Y, whose file is as last imported */
static void
sync_same(struct isync *y, int64_t rev, struct import_report *r)
{
	import_note(r, "unchanged", y->ip->file, 0, y->shown, "%s",
	    rev == y->was->latest_revision ? "file unchanged since the last "
	    "import" : "file unchanged; the edit made in kiln since is kept");
	r->unchanged++;
}

/*
 * A file whose hash is its record's: its record gets its fingerprint
 * when it has none or another (the file was touched, or the record
 * predates them), keeping its revision.  No page is written.
 */
static void
sync_refresh(struct iknown *k, const struct isync *y, const char *root,
    const char *hash, json_t *fields)
{
	const char *fast = json_string_value(json_object_get(y->rec, "fast"));

	if (y->ip->fp_ok && (!fast || strcmp(fast, y->ip->fp) != 0))
		record(k, y->ip->path, root, y->ip, hash, fields,
		    json_integer_value(json_object_get(y->rec, "revision")));
}

/*
 * One page, against what the store had (K); -1 only on a store error
 * (the whole import is undone).  A file whose hash is its record's costs
 * no query; one whose fingerprint is, was not even read (its notes are
 * its record's).
 */
static int
sync_page(struct store *st, const struct itree *t, struct iknown *k,
    struct ipage *ip, const struct import_opts *o, const char *root,
    json_t *by_sha, struct import_report *r, struct buf *err)
{
	struct isync y = { .ip = ip, .shown = ip->path[0] ? ip->path : "/" };
	size_t from = json_array_size(r->items);
	json_t *fields;
	char hash[65];
	int rc = 0;

	y.was = known_page(k, ip->path);
	if (ip->same && y.was) {	/* import_fast_match() saw was */
		import_fast_replay(r, import_fast_notes_of(k->recs, ip->path,
		    "fields"));
		sync_same(&y, import_fast_revision(k->recs, ip->path), r);
		return 0;
	}
	y.rec = import_fast_rec(k->recs, ip->path);
	if (resources(ip, by_sha, r) == -1 ||
	    import_page_fields(t, ip, o, r, &y.f) == -1) {
		ip->failed = true;
		return 0;
	}
	fields = import_fast_notes(r, from);
	source_hash(ip, o, hash);
	fields_of(&y.f, &y.pf);
	if (y.was && y.rec && !strcmp(rec_str(y.rec, "hash"), hash)) {
		sync_same(&y, json_integer_value(json_object_get(y.rec,
		    "revision")), r);
		sync_refresh(k, &y, root, hash, fields);
	} else {
		/* what is queued first: the changes stay in path order */
		if (y.was)
			rc = store_newpages_flush(k->newp, err) == -1 ? -1 :
			    sync_existing(st, &y, o, r, err);
		else
			rc = sync_create(st, k, &y, o, r, err);
		if (rc == 1) {
			record(k, ip->path, root, ip, hash, fields, 0);
			rc = 0;
		}
	}
	json_decref(fields);
	import_page_fields_release(&y.f);
	return rc;
}

/*
 * Every page of T read, but those whose fingerprint is their record's
 * (K, of ROOT), then sorted by path.
 */
static void
read_tree(struct itree *t, const struct iknown *k,
    const struct import_opts *o, const char *root, json_t *by_sha,
    int64_t began, struct import_report *r)
{
	struct ifast fast = { .recs = k->recs, .pages = k->at,
	    .by_sha = by_sha, .began = began };

	fast.idx = import_fast_index(k->recs);
	import_fast_context(t, o, root, fast.ctx);
	import_tree_read(t, o, &fast, r);
	json_decref(fast.idx);
	if (t->npages)
		qsort(t->pages, t->npages, sizeof(*t->pages), cmp_page);
}

/* add the resources not in the media store yet (not on a dry run) */
static int
add_media(struct store *st, struct iknown *k, const struct ipage *ip,
    const struct import_opts *o, json_t *by_sha, struct buf *err)
{
	for (size_t i = 0; i < ip->nres; i++) {
		const struct iresource *x = &ip->res[i];
		struct media_info mi;
		if (!x->name || json_object_get(by_sha, x->sha256))
			continue;
		if (store_newpages_flush(k->newp, err) == -1)
			return -1;
		if (store_media_add(st, o->media_dir, x->file, x->name,
		    o->actor, &mi, err) == -1) {
			buf_printf(err, " (resource '%s')", x->file);
			return -1;
		}
		json_object_set_new(by_sha, x->sha256, json_string(x->name));
		free(mi.name);
		free(mi.content_type);
		free(mi.file);
	}
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/*
 * The pages --prune would remove into GONE (borrowed from K): those
 * whose file is not in T and whose record names ROOT.  1 when a file's
 * path is unknown (nothing may be removed), else 0.
 */
static int
prune_select(const struct itree *t, const struct iknown *k, const char *root,
    json_t *seen, char **gone, size_t *ngone, struct import_report *r)
{
	*ngone = 0;
	for (size_t i = 0; i < t->npages; i++) {
		if (!t->pages[i].path) {
			import_note(r, "failed", NULL, 0, NULL, "--prune: "
			    "nothing is removed while a file's page path is "
			    "unknown (see the errors above)");
			return 1;
		}
		json_object_set_new(seen, t->pages[i].path, json_true());
	}
	for (size_t i = 0; i < k->npages; i++) {
		const char *path = k->pages[i].path;
		json_t *rec;
		if (json_object_get(seen, path))
			continue;	/* its record stays text */
		rec = import_fast_rec(k->recs, path);
		if (rec && !strcmp(rec_str(rec, "root"), root))
			gone[(*ngone)++] = k->pages[i].path;
	}
	return 0;
}

/*
 * The pages of GONE (deepest first) that must stay for a page below
 * them that stays, neither imported from T nor going: each with the
 * path of that page.  A going page kept keeps its own parent too, so
 * a folder whose page has a child made in kiln is kept all the way up.
 * One pass over the pages, one over GONE.
 */
static json_t *
prune_kept(const struct iknown *k, json_t *seen, char **gone, size_t ngone)
{
	json_t *going = json_object(), *kept = json_object(), *by;
	const struct page_info *p;

	for (size_t i = 0; i < ngone; i++)
		json_object_set_new(going, gone[i], json_true());
	for (size_t i = 0; i < k->npages; i++) {
		p = &k->pages[i];
		if (p->parent_path && !json_object_get(seen, p->path) &&
		    !json_object_get(going, p->path) &&
		    !json_object_get(kept, p->parent_path))
			json_object_set_new(kept, p->parent_path,
			    json_string(p->path));
	}
	for (size_t i = 0; i < ngone; i++) {
		if (!(by = json_object_get(kept, gone[i])) ||
		    !(p = known_page(k, gone[i])) || !p->parent_path ||
		    !json_object_get(going, p->parent_path) ||
		    json_object_get(kept, p->parent_path))
			continue;
		json_object_set(kept, p->parent_path, by);
	}
	json_decref(going);
	return kept;
}

/*
 * The pages GONE (deepest first) deleted, but those KEPT (reported,
 * naming the page made in kiln that keeps them); their records go in
 * a few statements at the end.  Each delete is store_page_delete's:
 * its audit row, sequence bump and build request.
 */
static int
prune_remove(struct store *st, const struct itree *t, json_t *kept,
    char **gone, size_t ngone, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	char **keys = xcalloc(ngone + 1, sizeof(*keys));
	size_t nkeys = 0;
	int rc = -1;

	for (size_t i = 0; i < ngone; i++) {
		json_t *by = json_object_get(kept, gone[i]);
		if (by) {
			import_note(r, "skipped", NULL, 0, gone[i], "its file "
			    "is gone, but page '%s', made in kiln, is below "
			    "it: not removed; delete or move that page first",
			    json_string_value(by));
			r->skipped++;
			continue;
		}
		if (store_page_delete(st, gone[i], o->actor, err) == -1)
			goto out;
		keys[nkeys++] = xasprintf("import:%s", gone[i]);
		import_note(r, "removed", NULL, 0, gone[i][0] ? gone[i] : "/",
		    "its file is gone from %s (--prune)", t->content);
		r->removed++;
	}
	rc = store_import_forget(st, keys, nkeys, err);
out:
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

static int
prune(struct store *st, const struct itree *t, const struct iknown *k,
    const char *root, const struct import_opts *o, struct import_report *r,
    struct buf *err)
{
	char **gone = xcalloc(k->npages + 1, sizeof(*gone));
	size_t ngone = 0;
	json_t *seen = json_object(), *kept = NULL;
	int rc = -1;

	if (prune_select(t, k, root, seen, gone, &ngone, r) == 1) {
		rc = 0;
		goto out;
	}
	if ((long)ngone > o->max_deletes) {
		import_note(r, "failed", NULL, 0, NULL, "--prune would remove "
		    "%zu pages, more than --max-deletes %ld: nothing was "
		    "removed; check the import folder, or raise "
		    "--max-deletes", ngone, o->max_deletes);
		r->failed++;
		rc = 0;
		goto out;
	}
	qsort(gone, ngone, sizeof(*gone), cmp_desc);
	kept = prune_kept(k, seen, gone, ngone);
	rc = prune_remove(st, t, kept, gone, ngone, o, r, err);
out:
	free(gone);
	json_decref(seen);
	json_decref(kept);
	return rc;
}

/* the site's static/ files into the kiln site's static/ */
static int
copy_static(const struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT, why = BUF_INIT;
	size_t copied = 0, same = 0;
	int rc = -1;

	if (walk_files(t->static_src, &l, err) == -1)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		char *src = xasprintf("%s/%s", t->static_src, l.v[i]);
		char *dst = xasprintf("%s/%s", o->static_dir, l.v[i]);
		buf_reset(&why);
		if (file_read(src, &a, LIMIT_MEDIA_FILE, &why) == -1) {
			import_note(r, "failed", src, 0, NULL, "%s", why.buf);
			r->failed++;
		} else if (file_exists(dst) && file_read(dst, &b,
		    LIMIT_MEDIA_FILE, &why) == 0 && a.len == b.len &&
		    (!a.len || !memcmp(a.buf, b.buf, a.len)))
			same++;
		else if (!o->dry_run && (mkdir_parent(dst, &why) == -1 ||
		    file_write_atomic(dst, a.buf ? a.buf : "", a.len,
		    &why) == -1)) {
			import_note(r, "failed", src, 0, NULL, "%s", why.buf);
			r->failed++;
		} else
			copied++;
		free(src);
		free(dst);
	}
	import_note(r, "info", NULL, 0, NULL, "static files from %s: %zu "
	    "%s to the site's static/, %zu unchanged", t->static_src, copied,
	    o->dry_run ? "to copy" : "copied", same);
	rc = 0;
out:
	walk_list_release(&l);
	buf_release(&a);
	buf_release(&b);
	buf_release(&why);
	return rc;
}

/* the media store's names by SHA-256 into BY_SHA (the first of each) */
static int
media_by_sha(struct store *st, const struct import_opts *o, json_t *by_sha,
    struct buf *err)
{
	struct media_info *media = NULL;
	size_t nmedia = 0;

	if (store_media_list(st, o->media_dir, &media, &nmedia, err) == -1)
		return -1;
	for (size_t i = 0; i < nmedia; i++)
		if (!json_object_get(by_sha, media[i].sha256))
			json_object_set_new(by_sha, media[i].sha256,
			    json_string(media[i].name));
	store_media_list_free(media, nmedia);
	return 0;
}

/* the store's usual settings again after an import (its errors: none) */
static void
bulk_off(struct store *st)
{
	struct buf ignored = BUF_INIT;

	store_import_bulk(st, false, &ignored);
	buf_release(&ignored);
}

/* does P, after PREV in path order, have PREV's path? (P failed then) */
static bool
same_path(struct ipage *p, const struct ipage *prev, struct import_report *r)
{
	if (!prev->path || strcmp(p->path, prev->path) != 0)
		return false;
	import_note(r, "failed", p->file, 0, p->path, "page '%s' is also "
	    "imported from %s; set `url` or `slug` in one of them", p->path,
	    prev->file);
	p->failed = true;
	return true;
}

int
import_run(struct store *st, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct itree t;
	struct iknown k;
	json_t *by_sha = json_object();
	char *root = NULL, *real = NULL;
	int64_t began = import_fast_now();
	bool in_tx = false;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&k, 0, sizeof(k));
	r->items = json_array();
	if (import_tree_load(&t, o, r, err) == -1)
		goto out;
	r->files = t.npages;
	real = realpath(t.content, NULL);
	root = xasprintf("%s|%s", real ? real : t.content, o->prefix ?
	    o->prefix : "");
	if (media_by_sha(st, o, by_sha, err) == -1)
		goto out;
	if (store_begin(st, err) == -1)
		goto out;
	in_tx = true;
	/* the larger cache after the reads: they would only fill it */
	if (known_load(st, &k, o->actor, err) == -1 || store_import_bulk(st, true,
	    err) == -1)
		goto out;
	read_tree(&t, &k, o, root, by_sha, began, r);
	for (size_t i = 0; i < t.npages; i++) {
		struct ipage *p = &t.pages[i];
		if (p->failed || !p->path)
			continue;
		if (i > 0 && same_path(p, &t.pages[i - 1], r))
			continue;
		if (sync_page(st, &t, &k, p, o, root, by_sha, r, err) == -1) {
			buf_printf(err, " (importing '%s'; nothing was "
			    "imported)", p->file);
			goto out;
		}
		if (!p->failed && !o->dry_run && add_media(st, &k, p, o,
		    by_sha, err) == -1)
			goto out;
		/* its bytes are read no more: the memory of the next ones */
		if (p->text) {
			buf_release(p->text);
			free(p->text);
			p->text = NULL;
		}
	}
	if (store_newpages_flush(k.newp, err) == -1 ||
	    records_flush(st, &k, err) == -1)
		goto out;
	if (o->prune && prune(st, &t, &k, root, o, r, err) == -1)
		goto out;
	if (o->dry_run)
		store_rollback(st);
	else if (store_commit(st, err) == -1) {
		in_tx = false;
		goto out;
	}
	in_tx = false;
	if (t.static_src && o->static_dir && copy_static(&t, o, r,
	    err) == -1)
		goto out;
	if (import_conf_take(&t, o, r, err) == -1)
		goto out;
	for (size_t i = 0; i < t.npages; i++)
		if (t.pages[i].failed)
			r->failed++;
	rc = 0;
out:
	if (in_tx)
		store_rollback(st);
	bulk_off(st);
	import_tree_release(&t);
	known_release(&k);
	json_decref(by_sha);
	free(root);
	free(real);
	return rc;
}
