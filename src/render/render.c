/* SPDX-License-Identifier: ISC */
/*
 * render.c: snapshot -> site (see render.h); the stages live in the
 * render_*.c files named in render_int.h.
 *
 * The flow of a build (render_build): the standby folder is opened
 * (locked, both output records read) while the snapshot is read; then
 * either the external command runs (render_command.c), or the stages:
 * templates parsed once (render_templates.c); static assets and media
 * hashed and written under content-hash names (render_assets.c); the
 * page model, collections and site object (render_model.c); pages
 * rendered in parallel, each keyed by sha256(template set, context) and
 * linked from the previous build when the key is unchanged
 * (render_pages.c); the whole-site outputs (render_feeds.c).  Last, here:
 * the manifest and the output record, then the folder swap.
 *
 * This file also owns the list of outputs every stage adds to, and the
 * thread pool the model and the pages run on.
 */
#include "common/compat.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"
#include "render/render_outputs.h"
#include "render/tmpl.h"

/* ---- the outputs of a build ---- */

/* record output PATH in L (KEY: its incremental key, or NULL) */
void
render_add_file(struct filelist *l, const char *path, const char *sha,
    int64_t size, enum manifest_kind kind, bool immutable, const char *key)
{
	struct outfile *f;

	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 256;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*f));
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	strlcpy(f->sha, sha, sizeof(f->sha));
	f->size = size;
	f->kind = kind;
	f->immutable = immutable;
	if (key)
		strlcpy(f->key, key, sizeof(f->key));
}

/* move the outputs of FROM (a worker's) to the build's list */
void
render_merge_files(struct build *b, struct filelist *from)
{
	pthread_mutex_lock(&b->mu);
	if (b->files.n + from->n > b->files.alloc) {
		/* room for what the main thread adds after the pages (feeds,
		   sitemaps, aliases: a few): one more output would otherwise
		   double a list of 65,000 (11 MB more at 50,000 pages) */
		b->files.alloc = b->files.n + from->n;
		b->files.alloc += b->files.alloc / 32 + 256;
		b->files.v = xreallocarray(b->files.v, b->files.alloc,
		    sizeof(*b->files.v));
	}
	if (from->n)
		memcpy(b->files.v + b->files.n, from->v, from->n *
		    sizeof(*from->v));
	b->files.n += from->n;
	pthread_mutex_unlock(&b->mu);
	free(from->v);
	memset(from, 0, sizeof(*from));
}

/*
 * Put DATA (whose SHA-256 is SHA) at PATH in the standby folder, unless
 * the standby already holds exactly that.
 */
int
render_put_output(struct build *b, const char *path, const char *data,
    size_t len, const char *sha, struct buf *err)
{
	const struct outrec_ent *e;

	if (b->preview) {
		pthread_mutex_lock(&b->mu);
		if (!strcmp(path, b->want) && !b->captured) {
			buf_add(b->got, data, len);
			b->captured = true;
		}
		pthread_mutex_unlock(&b->mu);
		return 0;
	}
	e = outrec_find(&b->slot.standby_rec, path);
	if (e && e->size == (int64_t)len && !strcmp(e->sha, sha) &&
	    (!b->full || outslot_holds(&b->slot, path, data, len)))
		return 0;
	/* a path the standby's record lacks is made through its folder
	   descriptor (outslot_write goes by path if anything is there) */
	return e ? slot_write(b->slot.standby, path, data, len, err) :
	    outslot_write(&b->slot, path, data, len, err);
}

/* write DATA as output PATH of the new folder and record it */
int
render_emit(struct build *b, const char *path, const char *data,
    size_t len, enum manifest_kind kind, bool immutable, struct buf *err)
{
	char sha[65];

	sha256_hex(data, len, sha);
	if (render_put_output(b, path, data, len, sha, err) == -1)
		return -1;
	render_add_file(&b->files, path, sha, (int64_t)len, kind, immutable,
	    NULL);
	return 0;
}

int
render_emit_redirect(struct build *b, const char *path, const char *data,
    size_t len, const char *to, struct buf *err)
{
	if (render_emit(b, path, data, len, MK_HTML, false, err) == -1)
		return -1;
	b->files.v[b->files.n - 1].redirect = xstrdup(to);
	return 0;
}

/* run FN(B) on the build's threads (build.threads, else one per core) */
void
render_worker_failed(struct build *b, const char *msg)
{
	pthread_mutex_lock(&b->mu);
	if (!b->failed) {
		b->failed = true;
		buf_setf(&b->err, "%s", msg);
	}
	pthread_mutex_unlock(&b->mu);
}

void
render_run_threads(struct build *b, void *(*fn)(void *))
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = b->c->build.threads ? b->c->build.threads : (int)cores;
	pthread_t th[64];

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	atomic_store(&b->next, 0);
	for (int k = 0; k < n; k++)
		if (pthread_create(&th[k], NULL, fn, b) != 0) {
			n = k;
			break;
		}
	if (n == 0)
		fn(b);
	for (int k = 0; k < n; k++)
		pthread_join(th[k], NULL);
}

/*
 * A staging build's HTML: the robots meta right after <head ...>, or
 * first when the page has no head.
 */
void
render_noindex(const char *in, size_t len, struct buf *out)
{
	static const char meta[] = "<meta name=\"robots\" content=\"noindex\">";
	size_t at = 0;

	for (size_t k = 0; k + 5 <= len; k++)
		if (in[k] == '<' && !strncasecmp(in + k + 1, "head", 4) &&
		    (k + 5 == len || strchr(" \t\n\r>", in[k + 5]))) {
			const char *gt = memchr(in + k, '>', len - k);
			if (gt)
				at = (size_t)(gt - in) + 1;
			break;
		}
	buf_add(out, in, at);
	buf_adds(out, meta);
	buf_add(out, in + at, len - at);
}

char *
render_staging_out(const char *name)
{
	return xasprintf(".kiln/staging/%s", name);
}

/* ---- the manifest ---- */

/* .kiln/manifest.json of the standby, written beside the record */
struct manifest_job {
	struct build *b;
	struct outtext *t;
	struct buf err;
	int rc;
};

/*
 * The manifest's text from the output list's entries (render_outputs.c),
 * head, entries and tail in one writev.  A daemon's deploy plans from
 * the build's changes (decision 0310) and parses the manifest only on
 * its full plan, so the text is not kept parsed (it was, by
 * manifest_remember, until then: an eighth of a worker's build).
 */
static void *
manifest_thread(void *arg)
{
	struct manifest_job *j = arg;
	struct build *b = j->b;
	struct buf head = BUF_INIT, tail = BUF_INIT;
	struct iovec iov[3];

	outtext_json(b, j->t);
	manifest_json_head(&head, b->build_id, "");
	manifest_json_tail(&tail);
	iov[0].iov_base = head.buf;
	iov[0].iov_len = head.len;
	/* the first entry without its comma: ",\n{" is "\n{" */
	iov[1].iov_base = b->files.n ? j->t->json.buf + 1 : NULL;
	iov[1].iov_len = b->files.n ? j->t->json.len - 1 : 0;
	iov[2].iov_base = tail.buf;
	iov[2].iov_len = tail.len;
	/*
	 * b->files is sorted and unique (write_manifest).  The folder is not
	 * live yet: no need to write the file atomically.
	 */
	j->rc = slot_writev(b->slot.standby, MANIFEST_PATH, iov, 3, &j->err);
	buf_release(&head);
	buf_release(&tail);
	return NULL;
}

/*
 * .kiln/changes.json of the standby: its files against the live
 * folder's record (both in path order; T's kept list when that is the
 * record it was made with), when that record names its output; REC is
 * the new record, its id drawn here.
 */
static int
write_changes(struct build *b, const struct outtext *t, struct outrec *rec,
    struct buf *err)
{
	const struct outrec *live = outslot_live_record(&b->slot);
	struct outchanges c = { 0 };
	size_t i = 0, j = 0;
	struct buf json = BUF_INIT;
	int rc;

	if (changes_new_id(rec->id, err) == -1)
		return -1;
	/* the live record is the one the kept list was made with: the
	   changes are the entries kept or not (render_outputs.c) */
	if (live->id[0] && outtext_changes(b, t, live, &c)) {
		i = b->files.n;
		j = live->n;
	}
	while (live->id[0] && (i < b->files.n || j < live->n)) {
		const struct outfile *f = i < b->files.n ? &b->files.v[i] :
		    NULL;
		int cmp = !f ? 1 : j == live->n ? -1 : strcmp(f->path,
		    live->v[j].path);
		if (cmp > 0)
			outchanges_removed(&c, live->v[j++].path);
		else {
			if (cmp < 0 || strcmp(f->sha, live->v[j].sha) != 0)
				outchanges_file(&c, f);
			i++;
			j += cmp == 0;
		}
	}
	changes_to_json(&json, rec->id, live->id, c.removed, c.nr, c.files,
	    c.nf);
	rc = slot_write(b->slot.standby, CHANGES_PATH, json.buf, json.len,
	    err);
	buf_release(&json);
	outchanges_free(&c);
	return rc;
}

/*
 * The manifest and the output record of the new folder (on two threads),
 * and the removal of what the standby held that this build does not.
 * In a long-lived process both texts are mostly the last build's
 * (render_outputs.c, decision 0390).
 */
static int
write_manifest(struct build *b, struct buf *err)
{
	struct outtext t;
	struct manifest_job job = { b, &t, BUF_INIT, 0 };
	struct outrec rec;
	pthread_t th;
	bool threaded;
	int rc;

	memset(&rec, 0, sizeof(rec));
	if (outtext_sort(b, &t, err) == -1) {
		outtext_done(b, &t, false, "");
		return -1;
	}
	b->res->files = b->files.n;
	threaded = pthread_create(&th, NULL, manifest_thread, &job) == 0;
	if (!threaded)
		manifest_thread(&job);
	rec.v = xcalloc(b->files.n + 1, sizeof(*rec.v));
	rec.n = b->files.n;
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		rec.v[i].path = f->path;
		rec.v[i].sha = f->sha;
		rec.v[i].key = f->key;
		rec.v[i].size = f->size;
	}
	outtext_lines(b, &t);
	rc = outslot_prune(&b->slot, &rec, err);
	if (rc == 0)
		rc = write_changes(b, &t, &rec, err);
	if (threaded)
		pthread_join(th, NULL);
	outtext_drop_lines(&t);
	/* a name the record cannot hold: no record, no reuse */
	if (rc == 0 && !t.unrecordable)
		rc = outtext_save(b, &t, &rec, err);
	/* the record the kept set's keys are in (decision 0430) */
	if (rc == 0 && !t.unrecordable)
		strlcpy(b->rec_id, rec.id, sizeof(b->rec_id));
	if (rc == 0 && job.rc == -1) {
		buf_setf(err, "%s", job.err.buf);
		rc = -1;
	}
	b->res->entries_kept = t.reused;
	outtext_done(b, &t, rc == 0, rec.id);
	buf_release(&job.err);
	free(rec.v);
	return rc;
}

/* ---- the build ---- */

void
build_release(struct build *b)
{
	kept_drop(b);
	kept_taxos_free(b->taxo_keys);
	snapshot_release(&b->snap);
	free(b->order);
	for (size_t i = 0; i < b->npages; i++) {
		free(b->pages[i].url);
		free(b->pages[i].out);
		free(b->pages[i].kids);
		free(b->pages[i].keys.v);
		json_decref(b->pages[i].summary);
		free(b->pages[i].excerpt);
	}
	free(b->pages);
	for (size_t i = 0; i < b->nassets; i++) {
		free(b->assets[i].from);
		free(b->assets[i].to);
	}
	free(b->assets);
	for (size_t i = 0; i < b->files.n; i++) {
		free(b->files.v[i].path);
		free(b->files.v[i].redirect);
	}
	free(b->files.v);
	tmpl_set_free(b->set);
	json_decref(b->tax_urls);
	json_decref(b->site);
	json_decref(b->collections);
	outslot_release(&b->slot);
	free(b->site_dir);
	free(b->tmpl_dir);
	free(b->static_dir);
	free(b->got_file);
	buf_release(&b->err);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->summary_mu);
}

struct slot_opener {
	struct outslot *slot;
	const char *outdir;
	bool fresh;
	struct buf err;
	int rc;
};

static void *
open_slot(void *arg)
{
	struct slot_opener *op = arg;

	op->rc = outslot_open(op->slot, op->outdir, op->fresh, &op->err);
	return NULL;
}

/* the build B of C with OPTS, before anything is read */
void
build_init(struct build *b, const struct conf *c,
    const struct render_opts *opts, struct render_result *res)
{
	memset(b, 0, sizeof(*b));
	memset(res, 0, sizeof(*res));
	res->lockfd = -1;
	pthread_mutex_init(&b->mu, NULL);
	pthread_mutex_init(&b->summary_mu, NULL);
	b->c = c;
	b->res = res;
	b->log = opts->log;
	b->build_id = opts->build_id;
	b->full = opts->full;
	b->remember = opts->remember;
	b->staging = opts->staging;
	b->now = time_now();
	b->site_dir = xstrdup(c->dir);
	b->tmpl_dir = conf_path(c, "templates");
	b->static_dir = conf_path(c, "static");
}

/* clock ID in microseconds */
static int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* this thread's CPU time so far */
static int64_t
thread_cpu_us(void)
{
	return clock_us(CLOCK_THREAD_CPUTIME_ID);
}

/*
 * Prepare the standby folder of OUTDIR (lock, read both records) while
 * the snapshot is read; nothing is written before both are done.  An
 * external command writes into an empty (FRESH) folder.
 */
static int
open_and_snapshot(struct build *b, struct store *st, const char *outdir,
    bool fresh, struct buf *err)
{
	struct slot_opener op;
	pthread_t opener;
	bool opening;
	char *media_dir = conf_path(b->c, ".kiln/media");
	int64_t t0, w0;
	int rc;

	op.slot = &b->slot;
	op.outdir = outdir;
	op.fresh = fresh;
	buf_init(&op.err, 0);
	opening = pthread_create(&opener, NULL, open_slot, &op) == 0;
	if (!opening)
		open_slot(&op);
	t0 = thread_cpu_us();
	w0 = clock_us(CLOCK_MONOTONIC);
	rc = b->staging ? store_snapshot_latest(st, media_dir, &b->snap,
	    err) : store_snapshot(st, media_dir, &b->snap, err);
	b->res->snap_us = clock_us(CLOCK_MONOTONIC) - w0;
	b->res->snap_cpu_us = thread_cpu_us() - t0;
	if (opening)
		pthread_join(opener, NULL);
	if (op.rc == -1) {
		buf_setf(err, "%s", op.err.buf);
		rc = -1;
	}
	buf_release(&op.err);
	free(media_dir);
	return rc;
}

/* kiln's own stages, one call each, in order */
static int
render_site(struct build *b, struct buf *err)
{
	b->loader.dir = b->tmpl_dir;
	b->set = tmpl_set_new(templates_loader, &b->loader);
	if (templates_load(b->tmpl_dir, b->set, b->tmpl_hash, err) == -1 ||
	    assets_build(b, err) == -1)
		return -1;
	model_build(b);
	model_collections(b);
	model_site(b);
	pages_global_hash(b);
	templates_defaults(b);
	if (pages_render(b, err) == -1 || taxonomies_write(b, err) == -1 ||
	    feeds_write(b, err) == -1 ||
	    aliases_write(b, err) == -1)
		return -1;
	return 0;
}

/*
 * A process that exits after its build (opts.once, `kiln build`): what
 * the build holds (pages, summaries, templates, the output list) is
 * left to the exit, not freed one block at a time (25-115 ms of the main
 * thread's CPU at 10,000 pages, after the rest of the build; decision
 * 0440).  The snapshot and the slot are released as always: the store's
 * read transaction ended, the lock closed, the sweeper joined.  LEFT
 * keeps the rest reachable, so that a leak checker does not count it as
 * lost.
 */
static struct build *volatile left;	/* volatile: the store is kept */

static void
build_leave(struct build *b)
{
	snapshot_release(&b->snap);	/* ends its read transaction */
	outslot_release(&b->slot);
	pthread_mutex_destroy(&b->mu);
	pthread_mutex_destroy(&b->summary_mu);
	left = xmalloc(sizeof(*b));
	memcpy(left, b, sizeof(*b));
}

/*
 * A process that exits after its build grows each malloc arena by 16 MB
 * at a time: address space only, touched as used; without it the page
 * workers' arenas grew by mprotect(2) about 9,000 times at 10,000 pages
 * (about 2,500 with it).  Not in a long-lived process, where the pad
 * would be kept in each arena after a trim (decision 0440).
 */
static void
pad_arenas(void)
{
#if defined(__GLIBC__) && defined(M_TOP_PAD)
	mallopt(M_TOP_PAD, 16 << 20);
#endif
}

int
render_build(const struct conf *c, struct store *st,
    const struct render_opts *opts, struct render_result *res,
    struct buf *err)
{
	struct build b;
	char *outdir;
	int64_t t0 = mono_ms();
	static pthread_once_t arenas = PTHREAD_ONCE_INIT;
	int rc = -1;

	if (opts->once)
		pthread_once(&arenas, pad_arenas);
	build_init(&b, c, opts, res);
	outdir = conf_path(c, opts->outdir ? opts->outdir : c->build.out);
	/* a full build renders everything but, like any other, leaves a
	   file of the standby's record alone when it is already what it
	   renders (decision 0350); an external command starts empty */
	if (open_and_snapshot(&b, st, outdir, c->build.command != NULL,
	    err) == -1)
		goto out;
	res->seq = b.snap.seq;
	res->pages = b.snap.npages;
	res->rows_read = b.snap.rows_read;
	if ((c->build.command ? command_run(&b, err) : render_site(&b,
	    err)) == -1 || write_manifest(&b, err) == -1)
		goto out;
	/* after the outputs and their record: the kept set holds their
	   keys (0380) and names the record they are in (0430) */
	kept_put(&b);
	if (outslot_switch(&b.slot, err) == -1)
		goto out;
	strlcpy(res->dir, b.slot.standby, sizeof(res->dir));
	if (opts->keep_lock) {
		/* no other build may write this folder until it is deployed */
		res->lockfd = b.slot.lockfd;
		b.slot.lockfd = -1;
	}
	res->ms = mono_ms() - t0;
	rc = 0;
out:
	if (opts->once)
		build_leave(&b);
	else
		build_release(&b);
	free(outdir);
	return rc;
}
