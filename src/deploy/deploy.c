/* SPDX-License-Identifier: ISC */
/*
 * deploy.c: plan and phases (see deploy.h).
 *
 * State kept in the store per destination D (a target, or one of its
 * mirrors "T.mirror.N"):
 *   deploy.manifest.D      the manifest last deployed in full, with the
 *                          effective headers (after the target's rules)
 *   deploy.progress.D      {"manifest": sha256, "done": [paths]} while a
 *                          deploy runs: what already arrived
 *   deploy.pending.D       {path: first_seen} removed fingerprinted objects
 *                          waiting for delete_grace
 * The deployed manifest is written only after every phase succeeded, so
 * a failed or killed deploy is planned again next time, minus what the
 * progress record says already arrived.
 */
#include "common/compat.h"

#include <fnmatch.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "cdn/cdn.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"
#include "store/store.h"

#define BATCH 64
#define CC_MANIFEST "no-cache"

enum phase { PH_IMMUTABLE = 1, PH_OTHER, PH_HTML, PH_MANIFEST, PH_DELETE };

static const char *phase_names[] = { "", "immutable", "other", "html",
	"manifest", "delete" };

struct dctx {
	const struct conf *c;
	const struct conf_target *t;
	struct store *st;
	const struct deploy_opts *o;
	struct deploy_result *res;
	const char *outdir;
	struct manifest *m;		/* the build's, effective headers */
	char msha[65];			/* its hash: the progress record's key */
	struct buf mjson;		/* its JSON */
	int64_t now;
};

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

static bool
same(const struct manifest_entry *a, const struct manifest_entry *b)
{
	return !strcmp(a->sha256, b->sha256) &&
	    !strcmp(a->content_type, b->content_type) &&
	    !strcmp(a->cache_control, b->cache_control);
}

static enum phase
phase_of(const struct manifest_entry *e)
{
	if (e->immutable)
		return PH_IMMUTABLE;
	if (e->kind == MK_HTML || e->kind == MK_FEED)
		return PH_HTML;
	return PH_OTHER;
}

static void
page_url(const char *path, struct buf *out)
{
	size_t n = strlen(path);

	buf_reset(out);
	buf_addch(out, '/');
	buf_adds(out, path);
	if (n >= 10 && !strcmp(path + n - 10, "index.html"))
		buf_setlen(out, out->len - 10);
}

static char *
state_key(const char *what, const char *dest)
{
	return xasprintf("deploy.%s.%s", what, dest);
}

static int
load_json_state(struct store *st, const char *key, json_t **out,
    struct buf *err)
{
	struct buf v = BUF_INIT;
	int r = store_state_get(st, key, &v, err);

	*out = NULL;
	if (r == 0)
		*out = json_loadb(v.buf, v.len, 0, NULL);
	buf_release(&v);
	return r == -1 ? -1 : 0;
}

static int
save_json_state(struct store *st, const char *key, json_t *v,
    struct buf *err)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = store_state_set(st, key, s, strlen(s), err);

	free(s);
	return rc;
}

static void
logf_(struct dctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void
logf_(struct dctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->o->log)
		return;
	va_start(ap, fmt);
	buf_vprintf(x->o->log, fmt, ap);
	va_end(ap);
	buf_addch(x->o->log, '\n');
}

static void
progress(struct dctx *x, const char *dest, size_t done, size_t total,
    int64_t bytes)
{
	int w = 30, fill = total ? (int)((double)done / (double)total * w) :
	    w;

	if (!x->o->progress)
		return;
	fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu objects %.1f MB ", dest, fill,
	    "##############################", w - fill, "", done, total,
	    (double)bytes / 1e6);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* run transfers in batches, recording arrivals in the progress record */
static int
run_batches(struct dctx *x, struct dest *d, struct xfer *xf, size_t n,
    json_t *prog, const char *pkey, size_t *ndone, size_t total,
    struct buf *err)
{
	json_t *done = json_object_get(prog, "done");
	int rc = 0;

	for (size_t i = 0; i < n; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;
		if (d->ops->run(d, xf + i, k, err) == -1)
			return -1;
		for (size_t j = i; j < i + k; j++) {
			if (xf[j].status == -1) {
				if (rc == 0)
					buf_setf(err, "%s: %s", d->name,
					    xf[j].error ? xf[j].error :
					    "transfer failed");
				rc = -1;
				continue;
			}
			if (xf[j].op == X_PUT) {
				if (xf[j].status == 1)
					x->res->skipped++;
				else {
					x->res->uploaded++;
					x->res->bytes += (int64_t)xf[j].len;
				}
			} else
				x->res->deleted++;
			json_array_append_new(done, json_string(xf[j].key));
		}
		*ndone += k;
		progress(x, d->name, *ndone, total, x->res->bytes);
		if (save_json_state(x->st, pkey, prog, err) == -1)
			return -1;
		if (rc == -1)
			return -1;
	}
	return 0;
}

struct verify_ctx {
	const struct manifest *m;
	const char *prefix;
	char **extra;
	size_t nextra, aextra;
	bool *seen;
	char **bad;
	size_t nbad;
};

static int
verify_cb(const char *key, int64_t size, const char *etag, void *arg)
{
	struct verify_ctx *v = arg;
	const struct manifest_entry *e;
	size_t pl = strlen(v->prefix);

	(void)etag;
	if (strncmp(key, v->prefix, pl) != 0)
		return 0;
	key += pl;
	if (!strcmp(key, MANIFEST_PATH))
		return 0;
	if ((e = manifest_find(v->m, key)) != NULL) {
		v->seen[e - v->m->files] = e->size == size;
		return 0;
	}
	if (v->nextra == v->aextra) {
		v->aextra = v->aextra ? v->aextra * 2 : 16;
		v->extra = xreallocarray(v->extra, v->aextra,
		    sizeof(*v->extra));
	}
	v->extra[v->nextra++] = xstrdup(key);
	return 0;
}

/* what the CDN step will invalidate, as the provider will send it */
static json_t *
invalidation_plan(struct dctx *x, struct dest *d, json_t *inval)
{
	json_t *p, *cf;

	if (!x->t->cdn || strcmp(d->name, x->t->name) != 0)
		return json_array();
	p = cdn_plan(inval);
	if (x->t->cdn->type != CONF_CDN_CLOUDFRONT)
		return p;
	cf = cdn_cloudfront_paths(p);
	json_decref(p);
	return cf;
}

/* deploy to one destination */
static int
deploy_dest(struct dctx *x, struct dest *d, json_t *plan, struct buf *err)
{
	struct manifest old;
	struct buf v = BUF_INIT, url = BUF_INIT;
	struct xfer *xf = NULL;
	size_t nxf = 0, total = 0, ndone = 0, ndeletes = 0;
	json_t *prog = NULL, *pending = NULL, *donemap = json_object();
	json_t *phases = json_object(), *deletes = json_array(),
	    *deferred = json_array(), *inval = json_array();
	char *mkey = state_key("manifest", d->name);
	char *pkey = state_key("progress", d->name);
	char *dkey = state_key("pending", d->name);
	int64_t bytes[6] = { 0 };
	size_t counts[6] = { 0 };
	int r, rc = -1;

	manifest_init(&old);
	if ((r = store_state_get(x->st, mkey, &v, err)) == -1)
		goto out;
	if (r == 0 && manifest_parse_memo(v.buf, v.len, &old, err) == -1) {
		buf_printf(err, " (deployed manifest of %s in the store)",
		    d->name);
		goto out;
	}
	if (load_json_state(x->st, pkey, &prog, err) == -1 ||
	    load_json_state(x->st, dkey, &pending, err) == -1)
		goto out;
	if (!pending || !json_is_object(pending)) {
		json_decref(pending);
		pending = json_object();
	}
	/* a progress record of this same manifest: resume */
	if (prog && !strcmp(json_string_value(json_object_get(prog,
	    "manifest")) ? json_string_value(json_object_get(prog,
	    "manifest")) : "", x->msha)) {
		size_t i;
		json_t *k;
		json_array_foreach(json_object_get(prog, "done"), i, k)
			json_object_set_new(donemap, json_string_value(k),
			    json_true());
		logf_(x, "%s: resuming: %zu objects already arrived", d->name,
		    json_object_size(donemap));
	} else {
		json_decref(prog);
		prog = json_pack("{s:s, s:[]}", "manifest", x->msha, "done");
	}
	/* plan: uploads by phase, then the manifest, then deletions */
	xf = xcalloc(x->m->nfiles + old.nfiles + 2, sizeof(*xf));
	for (int ph = PH_IMMUTABLE; ph <= PH_HTML; ph++) {
		for (size_t i = 0; i < x->m->nfiles; i++) {
			struct manifest_entry *e = &x->m->files[i];
			const struct manifest_entry *o = manifest_find(&old,
			    e->path);
			struct xfer *t;
			char *key;
			if ((int)phase_of(e) != ph || (o && same(o, e)))
				continue;
			key = xasprintf("%s%s", d->prefix, e->path);
			counts[ph]++;
			bytes[ph] += e->size;
			if (json_object_get(donemap, key)) {
				free(key);
				continue;
			}
			t = &xf[nxf++];
			t->op = X_PUT;
			t->key = key;
			t->file = xasprintf("%s/%s", x->outdir, e->path);
			t->len = (size_t)e->size;
			t->sha256 = e->sha256;
			t->content_type = e->content_type;
			t->cache_control = e->cache_control;
			t->create_only = e->immutable;
			/* Fastly purges pages by this key on big changes */
			if (x->t->cdn && x->t->cdn->type == CONF_CDN_FASTLY &&
			    (e->kind == MK_HTML || e->kind == MK_FEED))
				t->surrogate_key = CDN_SURROGATE_KEY;
			if (e->kind == MK_HTML || e->kind == MK_FEED) {
				page_url(e->path, &url);
				json_array_append_new(inval,
				    json_string(url.buf));
				if (!strcmp(d->name, x->t->name))
					json_array_append_new(x->res->changed,
					    json_string(url.buf));
			}
		}
	}
	/* deletions: pages now; fingerprinted objects after the grace */
	for (size_t i = 0; i < old.nfiles; i++) {
		const struct manifest_entry *o = &old.files[i];
		json_t *seen;
		if (manifest_find(x->m, o->path))
			continue;
		if (o->kind == MK_HTML || o->kind == MK_FEED) {
			page_url(o->path, &url);
			json_array_append_new(inval, json_string(url.buf));
			if (!strcmp(d->name, x->t->name))
				json_array_append_new(x->res->changed,
				    json_string(url.buf));
		}
		if (o->immutable) {
			seen = json_object_get(pending, o->path);
			if (!seen) {
				json_object_set_new(pending, o->path,
				    json_integer(x->now));
				seen = json_object_get(pending, o->path);
			}
			if (x->now - json_integer_value(seen) <
			    x->t->delete_grace) {
				json_array_append_new(deferred,
				    json_string(o->path));
				x->res->deferred++;
				continue;
			}
		}
		json_array_append_new(deletes, json_string(o->path));
	}
	/* grace passed for objects removed by earlier deploys */
	{
		const char *path;
		json_t *seen, *tmp;
		json_object_foreach_safe(pending, tmp, path, seen) {
			bool listed = false;
			size_t i;
			json_t *dp;
			if (manifest_find(x->m, path)) {
				/* it came back: keep it */
				json_object_del(pending, path);
				continue;
			}
			if (manifest_find(&old, path))
				continue;	/* handled above */
			json_array_foreach(deletes, i, dp)
				if (!strcmp(json_string_value(dp), path))
					listed = true;
			if (!listed && x->now - json_integer_value(seen) >=
			    x->t->delete_grace)
				json_array_append_new(deletes,
				    json_string(path));
			else if (!listed)
				x->res->deferred++;
		}
	}
	ndeletes = json_array_size(deletes);
	json_object_set_new(phases, "immutable", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[1], "bytes", (json_int_t)bytes[1]));
	json_object_set_new(phases, "other", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[2], "bytes", (json_int_t)bytes[2]));
	json_object_set_new(phases, "html", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[3], "bytes", (json_int_t)bytes[3]));
	json_array_append_new(plan, json_pack("{s:s, s:o, s:O, s:O, s:I, s:o}",
	    "destination", d->name, "phases", phases, "deletes", deletes,
	    "deferred", deferred, "resumed", (json_int_t)json_object_size(
	    donemap), "invalidate", invalidation_plan(x, d, inval)));
	phases = NULL;
	if (ndeletes > (size_t)x->t->max_deletes && !x->o->allow_deletes) {
		buf_setf(err, "%s: %zu deletions exceed max_deletes (%d); "
		    "nothing was changed: check the build, or deploy with "
		    "--allow-deletes", d->name, ndeletes, x->t->max_deletes);
		goto out;
	}
	if (x->o->dry_run) {
		rc = 0;
		goto out;
	}
	total = nxf + 1 + ndeletes;
	/* phases 1-3, in order: a failed phase stops the later ones */
	for (int ph = PH_IMMUTABLE; ph <= PH_HTML; ph++) {
		size_t a = SIZE_MAX, n = 0;
		for (size_t i = 0; i < nxf; i++) {
			const struct manifest_entry *e = manifest_find(x->m,
			    xf[i].key + strlen(d->prefix));
			if (e && (int)phase_of(e) == ph) {
				if (a == SIZE_MAX)
					a = i;
				n++;
			}
		}
		if (!n)
			continue;
		logf_(x, "%s: phase %d (%s): %zu objects", d->name, ph,
		    phase_names[ph], n);
		if (run_batches(x, d, xf + a, n, prog, pkey, &ndone, total,
		    err) == -1) {
			buf_printf(err, " (phase %s; later phases not run)",
			    phase_names[ph]);
			goto out;
		}
	}
	/* phase 4: the manifest */
	{
		struct xfer mf;
		char sha[65];
		memset(&mf, 0, sizeof(mf));
		sha256_hex(x->mjson.buf, x->mjson.len, sha);
		mf.op = X_PUT;
		mf.key = xasprintf("%s%s", d->prefix, MANIFEST_PATH);
		mf.data = x->mjson.buf;
		mf.len = x->mjson.len;
		mf.sha256 = sha;
		mf.content_type = "application/json";
		mf.cache_control = CC_MANIFEST;
		logf_(x, "%s: phase 4 (manifest)", d->name);
		r = run_batches(x, d, &mf, 1, prog, pkey, &ndone, total, err);
		free((char *)(uintptr_t)mf.key);
		free(mf.error);
		if (r == -1)
			goto out;
	}
	/*
	 * The CDN, after every upload and before any deletion: the pages
	 * that named removed objects are gone from the caches first.
	 */
	if (x->t->cdn && !strcmp(d->name, x->t->name) &&
	    cdn_invalidate(x->t->cdn, x->c->site.base_url, inval, x->o->log,
	    err) == -1) {
		buf_printf(err, " (deletions not run; the next deploy "
		    "invalidates again)");
		goto out;
	}
	if (ndeletes) {
		struct xfer *dx = xcalloc(ndeletes, sizeof(*dx));
		size_t i;
		json_t *p;
		json_array_foreach(deletes, i, p) {
			dx[i].op = X_DELETE;
			dx[i].key = xasprintf("%s%s", d->prefix,
			    json_string_value(p));
		}
		logf_(x, "%s: phase 5 (delete): %zu objects", d->name,
		    ndeletes);
		r = run_batches(x, d, dx, ndeletes, prog, pkey, &ndone, total,
		    err);
		json_array_foreach(deletes, i, p)
			json_object_del(pending, json_string_value(p));
		for (i = 0; i < ndeletes; i++) {
			free((char *)(uintptr_t)dx[i].key);
			free(dx[i].error);
		}
		free(dx);
		if (r == -1)
			goto out;
	}
	/* in sync: record the deployed manifest, drop the progress */
	{
		struct buf mj = BUF_INIT;
		manifest_to_json(x->m, &mj);
		r = store_state_set(x->st, mkey, mj.buf, mj.len, err);
		/* the next deploy in this process reads it back unparsed */
		if (r == 0 && x->o->remember)
			manifest_remember(mj.buf, mj.len, x->m);
		buf_release(&mj);
		if (r == -1 || save_json_state(x->st, dkey, pending, err) == -1 ||
		    store_state_delete(x->st, pkey, err) == -1)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nxf; i++) {
		free((char *)(uintptr_t)xf[i].key);
		free((char *)(uintptr_t)xf[i].file);
		free(xf[i].error);
	}
	free(xf);
	manifest_release(&old);
	json_decref(prog);
	json_decref(pending);
	json_decref(donemap);
	json_decref(phases);
	json_decref(deletes);
	json_decref(deferred);
	json_decref(inval);
	buf_release(&v);
	buf_release(&url);
	free(mkey);
	free(pkey);
	free(dkey);
	return rc;
}

/* --verify: list, compare with the deployed manifest, re-upload drift */
static int
verify_dest(struct dctx *x, struct dest *d, struct buf *err)
{
	struct verify_ctx v;
	struct buf mj = BUF_INIT;
	char *mkey = state_key("manifest", d->name);
	size_t missing = 0;
	int rc = -1;

	memset(&v, 0, sizeof(v));
	v.m = x->m;
	v.prefix = d->prefix;
	v.seen = xcalloc(x->m->nfiles + 1, sizeof(*v.seen));
	if (d->ops->list(d, verify_cb, &v, err) == -1)
		goto out;
	for (size_t i = 0; i < x->m->nfiles; i++)
		if (!v.seen[i])
			missing++;
	logf_(x, "%s: verify: %zu missing or wrong size, %zu not in the "
	    "manifest", d->name, missing, v.nextra);
	for (size_t i = 0; i < v.nextra; i++)
		logf_(x, "%s: extra object %s (left in place)", d->name,
		    v.extra[i]);
	if (missing && !x->o->dry_run) {
		/* forget the objects that drifted, so the deploy re-sends them */
		struct manifest keep;
		manifest_init(&keep);
		for (size_t i = 0; i < x->m->nfiles; i++) {
			const struct manifest_entry *e = &x->m->files[i];
			if (v.seen[i])
				manifest_add(&keep, e->path, e->sha256, e->size,
				    e->content_type, e->cache_control,
				    e->immutable, e->kind);
		}
		manifest_to_json(&keep, &mj);
		manifest_release(&keep);
		if (store_state_set(x->st, mkey, mj.buf, mj.len, err) == -1)
			goto out;
	}
	x->res->skipped += 0;
	rc = 0;
out:
	for (size_t i = 0; i < v.nextra; i++)
		free(v.extra[i]);
	free(v.extra);
	free(v.seen);
	buf_release(&mj);
	free(mkey);
	return rc;
}

static struct dest *
make_dest(const struct conf *c, const struct conf_target *t, int mirror,
    struct buf *err)
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
		    t->path_style, t->prefix, t->concurrency, err);
	{
		const struct conf_mirror *m = &t->mirrors[mirror];
		name = xasprintf("%s.mirror.%d", t->name, mirror + 1);
		d = dest_s3_new(name, m->bucket, m->region ? m->region :
		    t->region, m->endpoint ? m->endpoint : t->endpoint,
		    m->path_style || t->path_style, m->prefix ? m->prefix :
		    t->prefix, t->concurrency, err);
		free(name);
		return d;
	}
}

static int
deploy_target(struct dctx *x, struct buf *err)
{
	int nm = x->t->type == CONF_TARGET_S3 ? (int)x->t->nmirrors : 0;
	int failures = 0;
	struct buf e = BUF_INIT;

	for (int k = -1; k < nm; k++) {
		struct dest *d;
		int r;

		buf_reset(&e);
		if (!(d = make_dest(x->c, x->t, k, &e))) {
			failures++;
			json_array_append_new(x->res->errors, json_pack(
			    "{s:s, s:s}", "destination", x->t->name, "error",
			    e.buf));
			continue;
		}
		r = 0;
		if (x->o->verify)
			r = verify_dest(x, d, &e);
		if (r == 0)
			r = deploy_dest(x, d, x->res->plan, &e);
		if (r == -1) {
			failures++;
			json_array_append_new(x->res->errors, json_pack(
			    "{s:s, s:s}", "destination", d->name, "error",
			    e.buf));
			logf_(x, "%s: FAILED: %s", d->name, e.buf);
		}
		dest_free(d);
	}
	if (failures)
		buf_setf(err, "%s", e.buf);
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
	memset(res, 0, sizeof(*res));
}

int
deploy_run(const struct conf *c, struct store *st, const char *target,
    const char *outdir, const struct deploy_opts *opts,
    struct deploy_result *res, struct buf *err)
{
	struct dctx x;
	struct manifest m;
	char *mfile;
	int64_t t0 = mono_ms();
	int failures = 0, found = 0;

	memset(res, 0, sizeof(*res));
	res->plan = json_array();
	res->changed = json_array();
	res->errors = json_array();
	mfile = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	if (manifest_load(mfile, &m, err) == -1) {
		buf_printf(err, " (was the site built? run kiln build)");
		free(mfile);
		return -1;
	}
	free(mfile);
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.st = st;
	x.o = opts;
	x.res = res;
	x.outdir = outdir;
	x.m = &m;
	x.now = time_now();
	manifest_to_json(&m, &x.mjson);
	sha256_hex(x.mjson.buf, x.mjson.len, x.msha);
	for (size_t i = 0; i < c->ntargets; i++) {
		struct manifest eff;
		struct buf e = BUF_INIT;
		if (target && strcmp(target, c->targets[i].name) != 0)
			continue;
		found++;
		/* each target applies its own header rules */
		manifest_init(&eff);
		for (size_t k = 0; k < m.nfiles; k++)
			manifest_add(&eff, m.files[k].path, m.files[k].sha256,
			    m.files[k].size, m.files[k].content_type,
			    m.files[k].cache_control, m.files[k].immutable,
			    m.files[k].kind);
		effective(&c->targets[i], &eff);
		x.t = &c->targets[i];
		x.m = &eff;
		if (deploy_target(&x, &e) == -1) {
			if (!failures)
				buf_setf(err, "%s", e.buf);
			failures++;
		}
		manifest_release(&eff);
		buf_release(&e);
	}
	res->ms = mono_ms() - t0;
	manifest_release(&m);
	buf_release(&x.mjson);
	if (!found) {
		if (target)
			buf_setf(err, "no target '%s' in kiln.yaml", target);
		else
			buf_setf(err, "no targets in kiln.yaml");
		return -1;
	}
	return failures ? -1 : 0;
}
