/* SPDX-License-Identifier: ISC */
/*
 * deploy.c: deploy a build to a target and its mirrors: per destination,
 * load the deployed state (state.c), plan (plan.c), then apply the plan
 * in phases (see deploy.h).
 */
#include "common/compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/scrub.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "cdn/cdn.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"
#include "deploy/plan.h"
#include "deploy/state.h"
#include "store/store.h"
#include "store/store_unit.h"

#define BATCH 64


/* apply the target's header rules to a copy of the build manifest */
static void
effective(const struct conf_target *t, struct manifest *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		struct manifest_entry *e = &m->files[i];
		const char *base = strrchr(e->path, '/');
		base = base ? base + 1 : e->path;
		for (size_t k = 0; k < t->nheaders; k++) {
			const struct conf_header_rule *r = &t->headers[k];
			if (fnmatch(r->match, e->path, 0) != 0 &&
			    fnmatch(r->match, base, 0) != 0)
				continue;
			if (r->cache_control && !e->immutable) {
				free(e->cache_control);
				e->cache_control = xstrdup(r->cache_control);
			}
			if (r->content_type) {
				free(e->content_type);
				e->content_type = xstrdup(r->content_type);
			}
			break;
		}
	}
}

/*
 * Run transfers in batches; after each batch the journal records what
 * landed (a PUT: its entry; a DELETE: null), so that a failure or a kill
 * leaves a state that is never more than the truth.
 */
static int
run_batches(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct xfer *xf, size_t n, size_t *ndone, size_t total, struct buf *err)
{
	json_t *landed = json_object_get(ds->journal, "landed");
	json_t *batch = json_object();
	size_t pl = strlen(d->prefix);
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;
		if (d->ops->run(d, xf + i, k, err) == -1) {
			if (!err->len)
				buf_setf(err, "%s: transfers could not start",
				    d->name);
			rc = -1;
			break;
		}
		for (size_t j = i; j < i + k; j++) {
			const char *path = xf[j].key + pl;
			if (xf[j].status == -1) {
				if (rc == 0)
					buf_setf(err, "%s: %s", d->name,
					    xf[j].error && *xf[j].error ?
					    xf[j].error : "transfer failed");
				rc = -1;
				continue;
			}
			if (xf[j].op == X_PUT) {
				const struct manifest_entry *e;
				if (xf[j].status == 1)
					x->res->skipped++;
				else {
					x->res->uploaded++;
					x->res->bytes += (int64_t)xf[j].len;
				}
				if (landed && (e = manifest_find(x->m, path)))
					json_object_set_new(batch, path,
					    deploy_entry_json(e));
			} else {
				x->res->deleted++;
				if (landed)
					json_object_set_new(batch, path,
					    json_null());
			}
		}
		*ndone += k;
		if (x->o->progress)
			x->o->progress(x->o->progress_arg, d->name, *ndone,
			    total, x->res->bytes);
		/* what landed is appended, never the whole journal */
		if (landed && deploy_journal_add(x, ds, "landed", batch,
		    err) == -1)
			rc = -1;
		if (landed)
			json_object_update(landed, batch);
		json_object_clear(batch);
	}
	json_decref(batch);
	return rc;
}

/* --verify: what the destination lists */
struct verify_ctx {
	const char *prefix;
	json_t *remote;		/* {path: md5 or ""} */
};

static int
verify_cb(const char *key, int64_t size, const char *md5, void *arg)
{
	struct verify_ctx *v = arg;
	size_t pl = strlen(v->prefix);

	(void)size;
	if (strncmp(key, v->prefix, pl) != 0 || deploy_manifest_key(key + pl))
		return 0;
	json_object_set_new(v->remote, key + pl, json_string(md5 ? md5 : ""));
	return 0;
}

/* under feed.prefix: a unit's, not the site's (docs/units.md) */
static bool
unit_path(const struct conf *c, const char *path)
{
	return c->feed.list && *c->feed.prefix && !strncmp(path,
	    c->feed.prefix, strlen(c->feed.prefix));
}

/*
 * --verify: list the destination and compare every object's content (its
 * MD5: the S3 ETag of a single-part PUT, or the file's for a folder) with
 * the build's file.  A missing or different object is marked "repair":
 * the deploy that follows sends it again, fingerprinted ones too, without
 * If-None-Match.  Objects the state claims that are not there are
 * forgotten.  Objects that are neither in the build nor in the state are
 * reported and left in place (units' objects, under feed.prefix, are
 * not the site's: not reported).
 */
static int
verify_dest(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	struct verify_ctx v;
	struct manifest nb, old;
	size_t missing = 0, differ = 0, extra = 0, forgot = 0;
	const char *path;
	json_t *md5, *tmp;
	int rc = -1;

	v.prefix = d->prefix;
	v.remote = json_object();
	manifest_init(&nb);
	manifest_init(&old);
	if (d->ops->list(d, verify_cb, &v, err) == -1) {
		buf_printf(err, " (verify of %s)", d->name);
		goto out;
	}
	for (size_t i = 0; i < x->m->nfiles; i++) {
		const struct manifest_entry *e = &x->m->files[i];
		const char *r = json_string_value(json_object_get(v.remote,
		    e->path));
		char local[33], *file;
		struct buf fe = BUF_INIT;
		int fr;
		if (!r) {
			deploy_mark_dirty(ds->dirty, e->path, "repair");
			missing++;
			continue;
		}
		file = xasprintf("%s/%s", x->outdir, e->path);
		fr = md5_file_hex(file, local, &fe);
		free(file);
		if (fr == -1) {
			buf_setf(err, "verify: %s", fe.buf);
			buf_release(&fe);
			goto out;
		}
		buf_release(&fe);
		if (strcmp(r, local) != 0) {
			deploy_logf(x, "%s: verify: %s differs from the build",
			    d->name, e->path);
			deploy_mark_dirty(ds->dirty, e->path, "repair");
			differ++;
		}
	}
	/* the state claims nothing the destination lacks */
	for (size_t i = 0; i < ds->base.nfiles; i++) {
		const struct manifest_entry *e = &ds->base.files[i];
		if (!json_object_get(v.remote, e->path)) {
			forgot++;
			continue;
		}
		manifest_add_copy(&nb, e);
	}
	if (manifest_sort(&nb, err) == -1)
		goto out;
	old = ds->base;		/* what the rows hold, until saved */
	ds->base = nb;
	ds->synced = false;
	*ds->output = '\0';	/* known again once in sync */
	json_decref(ds->shards);	/* every shard sent again (0370) */
	ds->shards = NULL;
	manifest_init(&nb);
	json_object_foreach_safe(ds->dirty, tmp, path, md5) {
		/* an unknown outcome that did not happen */
		if (!json_object_get(v.remote, path) &&
		    !manifest_find(x->m, path))
			json_object_del(ds->dirty, path);
	}
	json_object_foreach(v.remote, path, md5) {
		if (manifest_find(x->m, path) || manifest_find(&ds->base,
		    path) || json_object_get(ds->dirty, path) ||
		    json_object_get(ds->grace, path) || unit_path(x->c, path))
			continue;
		extra++;
		deploy_logf(x, "%s: extra object %s (left in place)", d->name, path);
	}
	deploy_logf(x, "%s: verify: %zu objects checked, %zu missing, %zu with "
	    "other content, %zu not in the build, %zu forgotten by the state",
	    d->name, x->m->nfiles, missing, differ, extra, forgot);
	if (!x->o->dry_run && deploy_state_save(x, d, ds, &old, err) == -1)
		goto out;
	rc = 0;
out:
	manifest_release(&nb);
	manifest_release(&old);
	json_decref(v.remote);
	return rc;
}

/* the plan as the result reports it */
static json_t *
plan_json(struct deploy_ctx *x, struct dest *d, const struct deploy_state *ds,
    const struct deploy_plan *p, const struct deploy_manifest *mp)
{
	json_t *phases = json_object(), *put = json_array(), *del = json_array();
	json_t *v;
	size_t i;

	for (int ph = DP_IMMUTABLE; ph <= DP_HTML; ph++)
		json_object_set_new(phases, deploy_phase_name(ph), json_pack(
		    "{s:I, s:I}", "objects", (json_int_t)p->count[ph], "bytes",
		    (json_int_t)p->bytes[ph]));
	/* every object key, in the order apply() sends them */
	for (i = 0; i < p->nputs; i++)
		json_array_append_new(put, json_sprintf("%s%s", d->prefix,
		    p->puts[i].e->path));
	for (i = 0; i < mp->n; i++)
		json_array_append_new(put, json_string(mp->xf[i].key));
	json_array_foreach(p->deletes, i, v)
		json_array_append_new(del, json_sprintf("%s%s", d->prefix,
		    json_string_value(v)));
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:O, s:O, s:O, s:I, "
	    "s:I, s:o, s:o, s:o}", "destination", d->name, "state", ds->id,
	    "plan", ds->partial ? "changes" : "full", "plan_reason", ds->why,
	    "rows_read", (json_int_t)ds->rows_read, "phases", phases,
	    "deletes", p->deletes, "deferred", p->deferred, "kept", p->kept,
	    "resumed", (json_int_t)ds->resumed, "dirty",
	    (json_int_t)json_object_size(ds->dirty), "invalidate",
	    strcmp(d->name, x->t->name) != 0 ? json_array() :
	    cdn_invalidation_plan(x->t->cdn, p->inval),
	    "put", put, "delete", del);
}

/* the plan's uploads as transfers (release with xfers_free) */
static struct xfer *
xfers_of(struct deploy_ctx *x, struct dest *d, const struct deploy_plan *p)
{
	struct xfer *xf = xcalloc(p->nputs + 1, sizeof(*xf));

	for (size_t i = 0; i < p->nputs; i++) {
		const struct deploy_put *u = &p->puts[i];
		struct xfer *t = &xf[i];
		t->op = X_PUT;
		t->key = xasprintf("%s%s", d->prefix, u->e->path);
		t->file = xasprintf("%s/%s", x->outdir, u->e->path);
		t->len = (size_t)u->e->size;
		t->sha256 = u->e->sha256;
		t->content_type = u->e->content_type;
		t->cache_control = u->e->cache_control;
		t->redirect = u->e->redirect;
		t->create_only = u->create_only;
		t->surrogate_key = u->surrogate_key;
	}
	return xf;
}

static void
xfers_free(struct xfer *xf, size_t n)
{
	for (size_t i = 0; xf && i < n; i++) {
		free(xf[i].key);
		free(xf[i].file);
		free(xf[i].error);
	}
	free(xf);
}

/*
 * Before the first transfer: the URLs to invalidate, and the journal of
 * what this deploy may change.
 */
static int
journal_begin(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    const struct deploy_plan *p, bool cdn, struct buf *err)
{
	if (cdn) {
		json_decref(ds->inval);
		ds->inval = json_copy(p->inval);
	}
	/* until in sync, the rows are no build's output (0310), and the
	   shards are not known until the head landed (0370) */
	*ds->output = '\0';
	json_decref(ds->shards);
	ds->shards = NULL;
	json_decref(ds->journal);
	ds->journal = json_pack("{s:s, s:{}, s:{}}", "manifest", x->msha,
	    "plan", "landed");
	for (size_t i = 0; i < p->nputs; i++)
		json_object_set_new(json_object_get(ds->journal, "plan"),
		    p->puts[i].e->path, json_string("put"));
	/* the state, the journal's head and its plan: one transaction */
	if (store_begin(x->st, err) == -1)
		return -1;
	if (deploy_state_save(x, d, ds, NULL, err) == -1 ||
	    deploy_journal_begin(x, ds, err) == -1 ||
	    store_commit(x->st, err) == -1) {
		store_rollback(x->st);
		return -1;
	}
	return 0;
}

/* the caller's lease check before STEP (deploy_opts.fence) */
static int
fence(struct deploy_ctx *x, struct dest *d, const char *step,
    struct buf *err)
{
	struct buf e = BUF_INIT;

	if (!x->o->fence || x->o->fence(x->o->fence_arg, step, &e) == 0) {
		buf_release(&e);
		return 0;
	}
	buf_setf(err, "%s: stopped before %s: %s", d->name, step, e.buf);
	deploy_logf(x, "%s", err->buf);
	buf_release(&e);
	return -1;
}

/* phases 1-3, in order: a failed phase stops the later ones */
static int
apply_uploads(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    const struct deploy_plan *p, struct xfer *xf, size_t *ndone,
    size_t total, struct buf *err)
{
	for (int ph = DP_IMMUTABLE; ph <= DP_HTML; ph++) {
		size_t a = SIZE_MAX, n = 0;
		for (size_t i = 0; i < p->nputs; i++) {
			if ((int)p->puts[i].phase == ph) {
				if (a == SIZE_MAX)
					a = i;
				n++;
			}
		}
		if (!n)
			continue;
		if (fence(x, d, deploy_phase_name(ph), err) == -1)
			return -1;
		deploy_logf(x, "%s: phase %d (%s): %zu objects", d->name, ph,
		    deploy_phase_name(ph), n);
		if (run_batches(x, d, ds, xf + a, n, ndone, total,
		    err) == -1) {
			buf_printf(err, " (phase %s; later phases not run)",
			    deploy_phase_name(ph));
			return -1;
		}
	}
	return 0;
}

/*
 * phase 4: the manifest's shards that changed, then its head (0370),
 * not part of the rows
 */
static int
apply_manifest(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct deploy_manifest *mp, size_t *ndone, size_t total,
    struct buf *err)
{
	deploy_logf(x, "%s: phase 4 (manifest): %zu of %d shards%s", d->name,
	    mp->nshards, MANIFEST_SHARDS, mp->some ? " (the changes')" : "");
	if (run_batches(x, d, ds, mp->xf, mp->nshards, ndone, total,
	    err) == -1 || run_batches(x, d, ds, mp->xf + mp->nshards, 1,
	    ndone, total, err) == -1) {
		buf_printf(err, " (phase manifest; later phases not run)");
		return -1;
	}
	json_decref(ds->shards);
	ds->shards = json_incref(mp->map);
	x->mput += mp->n;
	return 0;
}

/*
 * The CDN, after every upload and before any deletion: the pages that
 * named removed objects are gone from the caches first.
 */
static int
apply_cdn(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds, json_t *inval,
    struct buf *err)
{
	struct buf ce = BUF_INIT;

	if (!json_array_size(inval))
		return 0;
	if (cdn_invalidate(x->t->cdn, x->c->site.base_url, inval, x->o->log,
	    &ce) == -1) {
		buf_setf(err, "%s: %s (%zu URLs kept: the next deploy "
		    "invalidates them again; deletions not run)", d->name,
		    ce.len ? ce.buf : "cdn: invalidation failed",
		    json_array_size(inval));
		buf_release(&ce);
		return -1;
	}
	buf_release(&ce);
	json_array_clear(ds->inval);
	return deploy_state_save(x, d, ds, NULL, err);
}

/* phase 5: deletions, journalled like the uploads */
static int
apply_deletes(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    json_t *deletes, size_t *ndone, size_t total, struct buf *err)
{
	size_t i, n = json_array_size(deletes);
	struct xfer *dx;
	json_t *p, *plan;
	int r;

	if (!n)
		return 0;
	dx = xcalloc(n, sizeof(*dx));
	plan = json_object();
	json_array_foreach(deletes, i, p) {
		dx[i].op = X_DELETE;
		dx[i].key = xasprintf("%s%s", d->prefix, json_string_value(p));
		json_object_set_new(plan, json_string_value(p),
		    json_string("delete"));
	}
	deploy_logf(x, "%s: phase 5 (delete): %zu objects", d->name, n);
	json_object_update(json_object_get(ds->journal, "plan"), plan);
	r = deploy_journal_add(x, ds, "plan", plan, err);
	json_decref(plan);
	if (r == 0)
		r = run_batches(x, d, ds, dx, n, ndone, total, err);
	if (r == 0)
		json_array_foreach(deletes, i, p)
			json_object_del(ds->grace, json_string_value(p));
	for (i = 0; i < n; i++) {
		free(dx[i].key);
		free(dx[i].error);
	}
	free(dx);
	if (r == -1) {
		buf_printf(err, " (phase delete)");
		return -1;
	}
	return 0;
}

/* apply the plan: journal, uploads, manifest, CDN, deletions, state */
static int
apply(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    const struct deploy_plan *p, struct deploy_manifest *mp, bool cdn,
    struct buf *err)
{
	struct xfer *xf = xfers_of(x, d, p);
	size_t ndone = 0, total = p->nputs + mp->n +
	    json_array_size(p->deletes);
	int rc = -1;

	memcpy(x->msha, mp->hsha, sizeof(x->msha));

	if (fence(x, d, "the journal", err) == -1 ||
	    journal_begin(x, d, ds, p, cdn, err) == -1 ||
	    apply_uploads(x, d, ds, p, xf, &ndone, total, err) == -1 ||
	    fence(x, d, "the manifest", err) == -1 ||
	    apply_manifest(x, d, ds, mp, &ndone, total, err) == -1 ||
	    (cdn && json_array_size(p->inval) &&
	    fence(x, d, "the CDN purge", err) == -1) ||
	    (cdn && apply_cdn(x, d, ds, p->inval, err) == -1) ||
	    (json_array_size(p->deletes) &&
	    fence(x, d, "the deletions", err) == -1) ||
	    apply_deletes(x, d, ds, p->deletes, &ndone, total, err) == -1 ||
	    fence(x, d, "recording the deployed state", err) == -1 ||
	    deploy_state_in_sync(x, d, ds, err) == -1)
		goto out;
	rc = 0;
out:
	xfers_free(xf, p->nputs);
	return rc;
}

/*
 * append the URLs of INVAL to CHANGED unless they are there: a path is
 * listed once (a set of what is there: a first deploy of 50,000 pages
 * compared each URL with every earlier one)
 */
static void
changed_add(json_t *changed, json_t *inval)
{
	json_t *seen = json_object(), *u;
	size_t i;

	json_array_foreach(changed, i, u)
		json_object_set(seen, json_string_value(u), json_true());
	json_array_foreach(inval, i, u) {
		const char *s = json_string_value(u);
		if (!s || json_object_get(seen, s))
			continue;
		json_object_set(seen, s, json_true());
		json_array_append(changed, u);
	}
	json_decref(seen);
}

/* every file of the build, the target's headers applied, once a target */
static int
full_files(struct deploy_ctx *x, struct buf *err)
{
	struct manifest m;
	char *mfile;
	int rc;

	if (x->have_full)
		return 0;
	mfile = xasprintf("%s/%s", x->outdir, MANIFEST_PATH);
	rc = manifest_load(mfile, &m, err);
	free(mfile);
	if (rc == -1)
		return -1;
	manifest_release(&x->full);
	x->full = m;
	effective(x->t, &x->full);
	x->have_full = true;
	return 0;
}

/*
 * The files this destination's plan reads: the changes' alone when its
 * state allows it (a partial base, decision 0310), else every one.
 */
static int
plan_files(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	if (ds->partial) {
		x->m = ds->same ? &x->none : &x->part;
		deploy_logf(x, "%s: plan from the changes since output %s: "
		    "%zu rows read", d->name, ds->output, ds->rows_read);
	} else {
		if (full_files(x, err) == -1)
			return -1;
		x->m = &x->full;
		deploy_logf(x, "%s: full plan%s%s%s: %zu rows read", d->name,
		    *ds->why ? " (" : "", ds->why, *ds->why ? ")" : "",
		    ds->rows_read);
	}
	x->nfiles = deploy_state_nfiles(x, ds);
	return 0;
}

/*
 * Nothing to send: the state is kept, and names this build's output
 * when its rows are exactly that (a partial base, or every file).
 */
static int
record_output(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	if (!*x->out_id || (!ds->partial && ds->base.nfiles != x->m->nfiles) ||
	    (!strcmp(ds->output, x->out_id) && !strcmp(ds->headers, x->hsha)))
		return 0;
	snprintf(ds->output, sizeof(ds->output), "%s", x->out_id);
	memcpy(ds->headers, x->hsha, sizeof(ds->headers));
	ds->files = (int64_t)x->nfiles;
	return deploy_state_save(x, d, ds, NULL, err);
}

/* deploy to one destination: its state, the plan, then apply it */
static int
deploy_dest(struct deploy_ctx *x, struct dest *d, json_t *plan, struct buf *err)
{
	struct deploy_state ds;
	struct deploy_plan p;
	struct deploy_manifest mp;
	struct deploy_plan_in in;
	bool primary = !strcmp(d->name, x->t->name);
	bool cdn = x->t->cdn && primary;
	json_t *keep = NULL;
	int r, rc = -1;

	memset(&p, 0, sizeof(p));
	memset(&mp, 0, sizeof(mp));
	if (deploy_state_load(x, d, &ds, err) == -1 ||
	    plan_files(x, d, &ds, err) == -1)
		goto out;
	/* the shared files complete units use are never deleted (0270) */
	if (store_unit_shared(x->st, &keep, err) == -1)
		goto out;
	if (x->o->verify && verify_dest(x, d, &ds, err) == -1)
		goto out;
	memset(&in, 0, sizeof(in));
	in.name = d->name;
	in.build = x->m;
	in.base = &ds.base;
	in.dirty = ds.dirty;
	in.grace = ds.grace;
	in.keep = keep;
	in.earlier = cdn ? ds.inval : NULL;
	in.now = x->now;
	in.delete_grace = x->t->delete_grace;
	in.max_deletes = x->t->max_deletes;
	in.allow_deletes = x->o->allow_deletes;
	in.full = x->o->full;
	in.surrogate_key = cdn_surrogate_key(x->t->cdn);
	r = deploy_plan(&in, &p, err);
	if (r == 0)
		r = deploy_manifest_plan(x, d, &ds, &mp, err);
	if (p.nearlier)
		deploy_logf(x, "%s: %zu URLs from an earlier deploy still to "
		    "invalidate", d->name, p.nearlier);
	x->res->deferred += p.ndeferred;
	if (json_array_size(p.kept))
		deploy_logf(x, "%s: %zu objects no longer in the build kept: "
		    "complete units use them", d->name,
		    json_array_size(p.kept));
	if (primary)
		changed_add(x->res->changed, p.inval);
	json_array_append_new(plan, plan_json(x, d, &ds, &p, &mp));
	if (r == -1 || x->o->dry_run) {
		rc = r;
		goto out;
	}
	/*
	 * Nothing changed since the last deploy ended in sync (a no-op
	 * build): send nothing, not even the manifest, and keep the state
	 * (a shard the destination may lack is a change: 0370).
	 */
	if (!p.nputs && !mp.nshards && !json_array_size(p.deletes) &&
	    !json_array_size(p.inval) && !json_object_size(ds.dirty) &&
	    !ds.resumed && ds.deployed_at && (ds.partial ? ds.files > 0 :
	    ds.base.nfiles > 0) && json_equal(p.grace, ds.grace)) {
		deploy_logf(x, "%s: nothing changed, nothing sent", d->name);
		rc = record_output(x, d, &ds, err);
		goto out;
	}
	/* the grace map after this deploy */
	json_decref(ds.grace);
	ds.grace = json_incref(p.grace);
	rc = apply(x, d, &ds, &p, &mp, cdn, err);
out:
	deploy_manifest_release(&mp);
	deploy_plan_release(&p);
	deploy_state_release(&ds);
	json_decref(keep);
	return rc;
}

/* PLAN_ONLY: a dry run without --verify, which never calls the bucket */
struct dest *
deploy_make_dest(const struct conf *c, const struct conf_target *t, int mirror,
    bool plan_only, struct buf *err)
{
	struct dest *d;
	char *name, *root;

	if (t->type == CONF_TARGET_DIR) {
		root = conf_path(c, t->path);
		d = dest_dir_new(t->name, root, t->prefix, err);
		free(root);
		return d;
	}
	if (mirror < 0)
		return dest_s3_new(t->name, t->bucket, t->region, t->endpoint,
		    t->path_style, t->prefix, t->concurrency, plan_only, err);
	{
		const struct conf_mirror *m = &t->mirrors[mirror];
		name = xasprintf("%s.mirror.%d", t->name, mirror + 1);
		d = dest_s3_new(name, m->bucket, m->region ? m->region :
		    t->region, m->endpoint ? m->endpoint : t->endpoint,
		    m->path_style || t->path_style, m->prefix ? m->prefix :
		    t->prefix, t->concurrency, plan_only, err);
		free(name);
		return d;
	}
}

/*
 * One destination's line in res->targets (deploy.h, decision 0230):
 * what it did since BEFORE (uploaded, deleted) was taken; WHY is the
 * error of a failed one (scrubbed here: it reaches the build record) or
 * the reason a skipped one was not deployed.
 */
static void
target_add(struct deploy_ctx *x, const char *name, const char *status,
    const size_t before[2], const char *why)
{
	struct deploy_result *res = x->res;
	size_t up = before ? res->uploaded - before[0] : 0;
	size_t del = before ? res->deleted - before[1] : 0;
	size_t unchanged = 0;
	json_t *o;

	/* the site's files not sent (kiln's manifest objects not counted) */
	if (!strcmp(status, "deployed") && x->nfiles + x->mput > up)
		unchanged = x->nfiles + x->mput - up;
	o = json_pack("{s:o, s:s, s:I, s:I, s:I}", "name", jsafe_string(name),
	    "status", status, "uploaded", (json_int_t)up, "deleted",
	    (json_int_t)del, "unchanged", (json_int_t)unchanged);
	if (why && !strcmp(status, "failed")) {
		char *clean = scrub_str(why);
		json_object_set_new(o, "error", jsafe_string(clean));
		free(clean);
	} else if (why)
		json_object_set_new(o, "reason", jsafe_string(why));
	json_array_append_new(res->targets, o);
}

static int
deploy_target(struct deploy_ctx *x, struct buf *err)
{
	int nm = x->t->type == CONF_TARGET_S3 ? (int)x->t->nmirrors : 0;
	int failures = 0;
	struct buf e = BUF_INIT;

	for (int k = -1; k < nm; k++) {
		struct dest *d;
		const char *name = x->t->name;
		size_t before[2] = { x->res->uploaded, x->res->deleted };
		int r = -1;

		x->mput = 0;
		buf_reset(&e);
		if ((d = deploy_make_dest(x->c, x->t, k, x->o->dry_run &&
		    !x->o->verify, &e)) != NULL) {
			name = d->name;
			r = deploy_dest(x, d, x->res->plan, &e);
		}
		if (r == 0)
			target_add(x, name, x->o->dry_run ? "planned" :
			    "deployed", before, NULL);
		if (r == -1) {
			/* every failure has a reason (STYLE: nothing silent) */
			if (!e.len)
				buf_setf(&e, "%s: deploy failed", name);
			failures++;
			json_array_append_new(x->res->errors, json_pack(
			    "{s:s, s:s}", "destination", name, "error",
			    e.buf));
			deploy_logf(x, "%s: FAILED: %s", name, e.buf);
			target_add(x, name, "failed", before, e.buf);
			/* the first failure is the deploy's error */
			if (failures == 1)
				buf_setf(err, "%s", e.buf);
		}
		dest_free(d);
	}
	buf_release(&e);
	return failures ? -1 : 0;
}

void
deploy_result_release(struct deploy_result *res)
{
	if (!res)
		return;
	json_decref(res->plan);
	json_decref(res->changed);
	json_decref(res->errors);
	json_decref(res->targets);
	memset(res, 0, sizeof(*res));
}

/* the target's header rules, hashed: they make the rows (0310) */
static void
headers_hash(const struct conf_target *t, char out[17])
{
	struct buf b = BUF_INIT;
	char sha[65];

	for (size_t k = 0; k < t->nheaders; k++) {
		const struct conf_header_rule *r = &t->headers[k];
		buf_printf(&b, "%s%c%c%s%c%c%s%c", r->match, 0,
		    r->cache_control ? '+' : '-', r->cache_control ?
		    r->cache_control : "", 0, r->content_type ? '+' : '-',
		    r->content_type ? r->content_type : "", 0);
	}
	sha256_hex(b.buf ? b.buf : "", b.len, sha);
	memcpy(out, sha, 16);
	out[16] = '\0';
	buf_release(&b);
}

/*
 * OUTDIR's changes.json (decision 0290), if it has a good one: a
 * damaged one only costs a full plan.
 */
static void
load_changes(struct deploy_ctx *x, struct changes *chg)
{
	struct buf e = BUF_INIT;
	int r = changes_load(x->outdir, chg, &e);

	if (r == -1)
		deploy_logf(x, "%s: %s (every destination gets a full plan)",
		    CHANGES_PATH, e.buf);
	buf_release(&e);
	x->chg = r == 0 ? chg : NULL;
	x->out_id = r == 0 ? chg->id : "";
}

/* deploy to TARGET: its files with its header rules, its destinations */
static int
deploy_one(struct deploy_ctx *x, const struct conf_target *t,
    struct buf *err)
{
	x->t = t;
	headers_hash(t, x->hsha);
	manifest_release(&x->full);
	manifest_release(&x->part);
	x->have_full = false;
	x->m = &x->part;
	x->nfiles = 0;
	if (x->chg) {
		for (size_t k = 0; k < x->chg->files.nfiles; k++)
			manifest_add_copy(&x->part, &x->chg->files.files[k]);
		effective(t, &x->part);
	}
	return deploy_target(x, err);
}

/* the build's manifest must be there (a clear error, before anything) */
static int
manifest_there(const char *outdir, struct buf *err)
{
	char *mfile = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	struct manifest m;
	int rc = 0;

	if (access(mfile, R_OK) == -1) {
		/* its error, as a load gives it */
		rc = manifest_load(mfile, &m, err);
		if (rc == 0)
			manifest_release(&m);
	}
	free(mfile);
	if (rc == -1)
		buf_printf(err, " (was the site built? run kiln build)");
	return rc;
}

int
deploy_run(const struct conf *c, struct store *st, const char *target,
    const char *outdir, const struct deploy_opts *opts,
    struct deploy_result *res, struct buf *err)
{
	struct deploy_ctx x;
	struct changes chg;
	int64_t t0 = mono_ms();
	int failures = 0, found = 0, staging = 0;

	memset(res, 0, sizeof(*res));
	res->plan = json_array();
	res->changed = json_array();
	res->errors = json_array();
	res->targets = json_array();
	if (manifest_there(outdir, err) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	memset(&chg, 0, sizeof(chg));
	x.c = c;
	x.st = st;
	x.o = opts;
	x.res = res;
	x.outdir = outdir;
	x.now = time_now();
	manifest_init(&x.full);
	manifest_init(&x.part);
	manifest_init(&x.none);
	x.m = &x.part;
	load_changes(&x, &chg);
	for (size_t i = 0; i < c->ntargets; i++) {
		struct buf e = BUF_INIT;
		/* the others are listed, not left out (0230) */
		if (target && strcmp(target, c->targets[i].name) != 0) {
			x.t = &c->targets[i];
			target_add(&x, c->targets[i].name, "skipped", NULL,
			    "not selected");
			continue;
		}
		/* a staging target deploys its own build, named (0132) */
		if (!target && c->targets[i].content == CONF_CONTENT_LATEST) {
			staging++;
			x.t = &c->targets[i];
			target_add(&x, c->targets[i].name, "skipped", NULL,
			    "a staging target (content: latest): it deploys "
			    "its own build of the latest revisions");
			continue;
		}
		found++;
		if (deploy_one(&x, &c->targets[i], &e) == -1) {
			if (!failures)
				buf_setf(err, "%s", e.buf);
			failures++;
		}
		buf_release(&e);
	}
	res->ms = mono_ms() - t0;
	manifest_release(&x.full);
	manifest_release(&x.part);
	deploy_shards_free(x.shards);
	if (x.chg)
		changes_release(&chg);
	if (!found && staging)
		return 0;	/* only staging targets: each deploys alone */
	if (!found) {
		if (target)
			buf_setf(err, "no target '%s' in kiln.yaml", target);
		else
			buf_setf(err, "no targets in kiln.yaml");
		return -1;
	}
	return failures ? -1 : 0;
}
