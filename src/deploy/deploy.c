/* SPDX-License-Identifier: ISC */
/*
 * deploy.c: plan and phases (see deploy.h).
 *
 * State kept in the store per destination D (a target, or one of its
 * mirrors), keyed by ID, the first 16 hex digits of the SHA-256 of the
 * destination's identity (type, endpoint, bucket, prefix; or type, path,
 * prefix), never by the target's name (decision record 0051):
 *   deploy.manifest.ID     what D holds, as a manifest with the effective
 *                          headers: never more than the truth
 *   deploy.state.ID        {"name", "destination": identity, "dirty":
 *                          {path: "unknown"|"repair"}, "invalidate":
 *                          [URLs not yet invalidated], "grace": {path:
 *                          first_seen}, "deployed_at": last time in
 *                          sync} (the metrics read name, deployed_at)
 *   deploy.journal.ID      while a deploy runs: {"manifest", "plan":
 *                          {path: "put"|"delete"}, "landed": {path:
 *                          entry|null}}, saved before the first transfer
 *                          and after every batch; folded into the two
 *                          above by the next deploy if this one dies.
 */
#include "common/compat.h"

#include <fnmatch.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
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
	char msha[65];			/* its hash, named in the journal */
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

/*
 * The deployed state of one destination (decision record 0051).  It is
 * keyed by the destination's identity, never by the target's name, and
 * it never claims more than the destination holds:
 *   base    the manifest of what the destination holds, as far as known;
 *   dirty   paths whose object kiln may have changed without knowing the
 *           outcome ("unknown": a transfer killed or failed) or whose
 *           object --verify found missing or different ("repair"): the
 *           next deploy sends them whatever base says;
 *   inval   URLs changed on the destination but not yet invalidated on
 *           the CDN: written before the first upload, cleared only by a
 *           successful invalidation, so the next deploy retries them;
 *   grace   removed fingerprinted objects waiting for delete_grace;
 *   journal the running deploy's plan and what landed, saved before the
 *           first transfer and after every batch.  The next deploy folds
 *           it into base (landed objects) and dirty (the rest) before it
 *           plans, so a failed or killed deploy is never forgotten.
 */
struct dstate {
	char id[17];
	char *mkey, *skey, *jkey;
	struct manifest base;
	json_t *dirty, *inval, *grace, *journal;
	int64_t deployed_at;	/* the last deploy that ended in sync */
	size_t resumed;
};

char *
dest_ident(const char *type, const char *endpoint, const char *bucket,
    const char *path, const char *prefix)
{
	json_t *j = json_pack("{s:s}", "type", type);
	char *s;

	if (endpoint)
		json_object_set_new(j, "endpoint", json_string(endpoint));
	if (bucket)
		json_object_set_new(j, "bucket", json_string(bucket));
	if (path)
		json_object_set_new(j, "path", json_string(path));
	json_object_set_new(j, "prefix", json_string(prefix ? prefix : ""));
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

static void
dstate_release(struct dstate *ds)
{
	manifest_release(&ds->base);
	json_decref(ds->dirty);
	json_decref(ds->inval);
	json_decref(ds->grace);
	json_decref(ds->journal);
	free(ds->mkey);
	free(ds->skey);
	free(ds->jkey);
	memset(ds, 0, sizeof(*ds));
}

static json_t *
entry_json(const struct manifest_entry *e)
{
	return json_pack("[s, I, s, s, b, s]", e->sha256, (json_int_t)e->size,
	    e->content_type, e->cache_control, e->immutable,
	    manifest_kind_name(e->kind));
}

static int
entry_add(struct manifest *m, const char *path, json_t *j)
{
	const char *sha, *ct, *cc, *kname;
	json_int_t size;
	int imm;
	enum manifest_kind kind;

	if (json_unpack(j, "[s, I, s, s, b, s]", &sha, &size, &ct, &cc, &imm,
	    &kname) == -1 || strlen(sha) != 64 || !hex_valid(sha, 64) ||
	    size < 0 || manifest_kind_parse(kname, &kind) == -1)
		return -1;
	manifest_add(m, path, sha, size, ct, cc, imm, kind);
	return 0;
}

/*
 * Paths read back from the store become object keys to PUT or DELETE: a
 * damaged record must not name anything outside the destination.
 */
static bool
path_ok(const char *path)
{
	struct buf clean = BUF_INIT, e = BUF_INIT;
	bool ok = path_clean_rel(path, &clean, &e) == 0 &&
	    !strcmp(clean.buf, path);

	buf_release(&clean);
	buf_release(&e);
	return ok;
}

/* every key of OBJ is a canonical relative path; else the first that is not */
static const char *
bad_path_key(json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (!path_ok(k))
			return k;
	return NULL;
}

/* mark PATH dirty; "repair" is kept over "unknown" */
static void
mark_dirty(json_t *dirty, const char *path, const char *why)
{
	const char *was = json_string_value(json_object_get(dirty, path));

	if (was && !strcmp(was, "repair"))
		return;
	json_object_set_new(dirty, path, json_string(why));
}

/*
 * Fold a journal left by a deploy that did not finish into base and
 * dirty: what landed is what the destination holds now; what was planned
 * and did not land may or may not have changed.
 */
static int
fold_journal(struct dstate *ds, struct buf *err)
{
	json_t *plan = json_object_get(ds->journal, "plan");
	json_t *landed = json_object_get(ds->journal, "landed");
	struct manifest nb;
	const char *path;
	json_t *op;
	int rc = -1;

	if (!json_is_object(plan) || !json_is_object(landed)) {
		buf_setf(err, "deploy journal '%s' in the store: no \"plan\" "
		    "or \"landed\" object", ds->jkey);
		return -1;
	}
	if ((path = bad_path_key(plan)) || (path = bad_path_key(landed))) {
		buf_setf(err, "deploy journal '%s' in the store: '%s' is not "
		    "a canonical relative path", ds->jkey, path);
		return -1;
	}
	manifest_init(&nb);
	for (size_t i = 0; i < ds->base.nfiles; i++) {
		const struct manifest_entry *e = &ds->base.files[i];
		if (json_object_get(landed, e->path))
			continue;	/* replaced or deleted below */
		manifest_add(&nb, e->path, e->sha256, e->size, e->content_type,
		    e->cache_control, e->immutable, e->kind);
	}
	json_object_foreach(plan, path, op) {
		json_t *l = json_object_get(landed, path);
		if (!l) {
			mark_dirty(ds->dirty, path, "unknown");
			continue;
		}
		ds->resumed++;
		json_object_del(ds->dirty, path);
		if (json_is_array(l) && entry_add(&nb, path, l) == -1) {
			buf_setf(err, "deploy journal '%s' in the store: bad "
			    "entry for '%s'", ds->jkey, path);
			goto out;
		}
	}
	if (manifest_sort(&nb, err) == -1)
		goto out;
	manifest_release(&ds->base);
	ds->base = nb;
	manifest_init(&nb);
	rc = 0;
out:
	manifest_release(&nb);
	return rc;
}

static int
dstate_save(struct dctx *x, struct dest *d, struct dstate *ds,
    bool with_manifest, struct buf *err)
{
	json_t *j;
	int rc;

	if (with_manifest) {
		struct buf mj = BUF_INIT;
		manifest_to_json(&ds->base, &mj);
		rc = store_state_set(x->st, ds->mkey, mj.buf, mj.len, err);
		buf_release(&mj);
		if (rc == -1)
			return -1;
	}
	j = json_pack("{s:s, s:o, s:O, s:O, s:O}", "name", d->name,
	    "destination", json_loads(d->ident, 0, NULL), "dirty", ds->dirty,
	    "invalidate", ds->inval, "grace", ds->grace);
	if (ds->deployed_at)
		json_object_set_new(j, "deployed_at",
		    json_integer(ds->deployed_at));
	rc = save_json_state(x->st, ds->skey, j, err);
	json_decref(j);
	return rc;
}

static int
dstate_load(struct dctx *x, struct dest *d, struct dstate *ds,
    struct buf *err)
{
	struct buf v = BUF_INIT;
	json_error_t je;
	json_t *s = NULL;
	char sha[65];
	int r, rc = -1;

	memset(ds, 0, sizeof(*ds));
	manifest_init(&ds->base);
	sha256_hex(d->ident, strlen(d->ident), sha);
	memcpy(ds->id, sha, 16);
	ds->id[16] = '\0';
	ds->mkey = state_key("manifest", ds->id);
	ds->skey = state_key("state", ds->id);
	ds->jkey = state_key("journal", ds->id);
	if ((r = store_state_get(x->st, ds->mkey, &v, err)) == -1)
		goto out;
	if (r == 0 && manifest_parse_memo(v.buf, v.len, &ds->base,
	    err) == -1) {
		buf_printf(err, " (deployed manifest '%s' of %s in the store)",
		    ds->mkey, d->name);
		goto out;
	}
	if ((r = store_state_get(x->st, ds->skey, &v, err)) == -1)
		goto out;
	if (r == 0 && (!(s = json_loadb(v.buf, v.len, 0, &je)) ||
	    !json_is_object(s))) {
		buf_setf(err, "deploy state '%s' of %s in the store: not a "
		    "JSON object", ds->skey, d->name);
		goto out;
	}
	ds->dirty = json_incref(json_object_get(s, "dirty"));
	ds->inval = json_incref(json_object_get(s, "invalidate"));
	ds->grace = json_incref(json_object_get(s, "grace"));
	ds->deployed_at = json_integer_value(json_object_get(s,
	    "deployed_at"));
	if ((ds->dirty && !json_is_object(ds->dirty)) || (ds->inval &&
	    !json_is_array(ds->inval)) || (ds->grace &&
	    !json_is_object(ds->grace))) {
		buf_setf(err, "deploy state '%s' of %s in the store: "
		    "\"dirty\", \"invalidate\" or \"grace\" has the wrong "
		    "type", ds->skey, d->name);
		goto out;
	}
	{
		const char *bad = NULL;
		if ((ds->dirty && (bad = bad_path_key(ds->dirty))) ||
		    (ds->grace && (bad = bad_path_key(ds->grace)))) {
			buf_setf(err, "deploy state '%s' of %s in the store: "
			    "'%s' is not a canonical relative path", ds->skey,
			    d->name, bad);
			goto out;
		}
	}
	if (!ds->dirty)
		ds->dirty = json_object();
	if (!ds->inval)
		ds->inval = json_array();
	if (!ds->grace)
		ds->grace = json_object();
	if ((r = store_state_get(x->st, ds->jkey, &v, err)) == -1)
		goto out;
	if (r == 0) {
		if (!(ds->journal = json_loadb(v.buf, v.len, 0, &je))) {
			buf_setf(err, "deploy journal '%s' of %s in the store: "
			    "%s", ds->jkey, d->name, je.text);
			goto out;
		}
		if (fold_journal(ds, err) == -1)
			goto out;
		logf_(x, "%s: the last deploy did not finish: %zu objects "
		    "arrived, %zu to check again", d->name, ds->resumed,
		    json_object_size(ds->dirty));
		/* folded: saved, then the journal can go */
		if (!x->o->dry_run && (dstate_save(x, d, ds, true, err) == -1 ||
		    store_state_delete(x->st, ds->jkey, err) == -1))
			goto out;
		json_decref(ds->journal);
		ds->journal = NULL;
	}
	rc = 0;
out:
	json_decref(s);
	buf_release(&v);
	return rc;
}

static int
journal_save(struct dctx *x, struct dstate *ds, struct buf *err)
{
	return save_json_state(x->st, ds->jkey, ds->journal, err);
}

/*
 * Run transfers in batches; after each batch the journal records what
 * landed (a PUT: its entry; a DELETE: null), so that a failure or a kill
 * leaves a state that is never more than the truth.
 */
static int
run_batches(struct dctx *x, struct dest *d, struct dstate *ds,
    struct xfer *xf, size_t n, size_t *ndone, size_t total, struct buf *err)
{
	json_t *landed = json_object_get(ds->journal, "landed");
	size_t pl = strlen(d->prefix);
	int rc = 0;

	for (size_t i = 0; i < n; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;
		if (d->ops->run(d, xf + i, k, err) == -1) {
			if (!err->len)
				buf_setf(err, "%s: transfers could not start",
				    d->name);
			return -1;
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
					json_object_set_new(landed, path,
					    entry_json(e));
			} else {
				x->res->deleted++;
				if (landed)
					json_object_set_new(landed, path,
					    json_null());
			}
		}
		*ndone += k;
		progress(x, d->name, *ndone, total, x->res->bytes);
		if (landed && journal_save(x, ds, err) == -1)
			return -1;
		if (rc == -1)
			return -1;
	}
	return 0;
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
	if (strncmp(key, v->prefix, pl) != 0 || !strcmp(key + pl,
	    MANIFEST_PATH))
		return 0;
	json_object_set_new(v->remote, key + pl, json_string(md5 ? md5 : ""));
	return 0;
}

/*
 * --verify: list the destination and compare every object's content (its
 * MD5: the S3 ETag of a single-part PUT, or the file's for a folder) with
 * the build's file.  A missing or different object is marked "repair":
 * the deploy that follows sends it again, fingerprinted ones too, without
 * If-None-Match.  Objects the state claims that are not there are
 * forgotten.  Objects that are neither in the build nor in the state are
 * reported and left in place.
 */
static int
verify_dest(struct dctx *x, struct dest *d, struct dstate *ds,
    struct buf *err)
{
	struct verify_ctx v;
	struct manifest nb;
	size_t missing = 0, differ = 0, extra = 0, forgot = 0;
	const char *path;
	json_t *md5, *tmp;
	int rc = -1;

	v.prefix = d->prefix;
	v.remote = json_object();
	manifest_init(&nb);
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
			mark_dirty(ds->dirty, e->path, "repair");
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
			logf_(x, "%s: verify: %s differs from the build",
			    d->name, e->path);
			mark_dirty(ds->dirty, e->path, "repair");
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
		manifest_add(&nb, e->path, e->sha256, e->size, e->content_type,
		    e->cache_control, e->immutable, e->kind);
	}
	if (manifest_sort(&nb, err) == -1)
		goto out;
	manifest_release(&ds->base);
	ds->base = nb;
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
		    json_object_get(ds->grace, path))
			continue;
		extra++;
		logf_(x, "%s: extra object %s (left in place)", d->name, path);
	}
	logf_(x, "%s: verify: %zu objects checked, %zu missing, %zu with "
	    "other content, %zu not in the build, %zu forgotten by the state",
	    d->name, x->m->nfiles, missing, differ, extra, forgot);
	if (!x->o->dry_run && dstate_save(x, d, ds, true, err) == -1)
		goto out;
	rc = 0;
out:
	manifest_release(&nb);
	json_decref(v.remote);
	return rc;
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

/* append URL to the array INVAL unless SEEN has it */
static void
inval_add(json_t *inval, json_t *seen, const char *url)
{
	if (json_object_get(seen, url))
		return;
	json_object_set_new(seen, url, json_true());
	json_array_append_new(inval, json_string(url));
}

/* deploy to one destination */
static int
deploy_dest(struct dctx *x, struct dest *d, json_t *plan, struct buf *err)
{
	struct dstate ds;
	struct manifest *old = &ds.base;
	struct buf url = BUF_INIT;
	struct xfer *xf = NULL;
	size_t nxf = 0, total = 0, ndone = 0, ndeletes = 0, nxalloc;
	json_t *pending, *seen = json_object();
	json_t *phases = json_object(), *deletes = json_array(),
	    *deferred = json_array(), *inval = json_array();
	bool primary = !strcmp(d->name, x->t->name);
	bool cdn = x->t->cdn && primary;
	int64_t bytes[6] = { 0 };
	size_t counts[6] = { 0 };
	int r, rc = -1;

	if (dstate_load(x, d, &ds, err) == -1)
		goto out;
	if (x->o->verify && verify_dest(x, d, &ds, err) == -1)
		goto out;
	pending = ds.grace;
	/* URLs changed by earlier deploys and not yet invalidated */
	if (cdn) {
		size_t i;
		json_t *u;
		json_array_foreach(ds.inval, i, u)
			if (json_is_string(u))
				inval_add(inval, seen, json_string_value(u));
		if (json_array_size(inval))
			logf_(x, "%s: %zu URLs from an earlier deploy still to "
			    "invalidate", d->name, json_array_size(inval));
	}
	/* plan: uploads by phase, then the manifest, then deletions */
	nxalloc = x->m->nfiles + old->nfiles + json_object_size(ds.dirty) + 2;
	xf = xcalloc(nxalloc, sizeof(*xf));
	for (int ph = PH_IMMUTABLE; ph <= PH_HTML; ph++) {
		for (size_t i = 0; i < x->m->nfiles; i++) {
			struct manifest_entry *e = &x->m->files[i];
			const struct manifest_entry *o = manifest_find(old,
			    e->path);
			const char *dirty = json_string_value(json_object_get(
			    ds.dirty, e->path));
			struct xfer *t;
			if ((int)phase_of(e) != ph || (!dirty && !x->o->full &&
			    o && same(o, e)))
				continue;
			counts[ph]++;
			bytes[ph] += e->size;
			t = &xf[nxf++];
			t->op = X_PUT;
			t->key = xasprintf("%s%s", d->prefix, e->path);
			t->file = xasprintf("%s/%s", x->outdir, e->path);
			t->len = (size_t)e->size;
			t->sha256 = e->sha256;
			t->content_type = e->content_type;
			t->cache_control = e->cache_control;
			/* a repair overwrites even a fingerprinted object */
			t->create_only = e->immutable && !(dirty &&
			    !strcmp(dirty, "repair"));
			/* Fastly purges pages by this key on big changes */
			if (x->t->cdn && x->t->cdn->type == CONF_CDN_FASTLY &&
			    (e->kind == MK_HTML || e->kind == MK_FEED))
				t->surrogate_key = CDN_SURROGATE_KEY;
			if (e->kind == MK_HTML || e->kind == MK_FEED) {
				page_url(e->path, &url);
				inval_add(inval, seen, url.buf);
			}
		}
	}
	/* deletions: pages now; fingerprinted objects after the grace */
	for (size_t i = 0; i < old->nfiles; i++) {
		const struct manifest_entry *o = &old->files[i];
		json_t *when;
		if (manifest_find(x->m, o->path))
			continue;
		if (o->kind == MK_HTML || o->kind == MK_FEED) {
			page_url(o->path, &url);
			inval_add(inval, seen, url.buf);
		}
		if (o->immutable) {
			when = json_object_get(pending, o->path);
			if (!when) {
				json_object_set_new(pending, o->path,
				    json_integer(x->now));
				when = json_object_get(pending, o->path);
			}
			if (x->now - json_integer_value(when) <
			    x->t->delete_grace) {
				json_array_append_new(deferred,
				    json_string(o->path));
				x->res->deferred++;
				continue;
			}
		}
		json_array_append_new(deletes, json_string(o->path));
	}
	/*
	 * Objects of unknown outcome that neither the build nor the state
	 * has (a killed deploy of a build since reverted): no page that
	 * landed names them, so they go now.
	 */
	{
		const char *path;
		json_t *why;
		json_object_foreach(ds.dirty, path, why) {
			if (manifest_find(x->m, path) || manifest_find(old, path))
				continue;
			json_array_append_new(deletes, json_string(path));
			/* its kind is unknown: tell the CDN, harmless */
			page_url(path, &url);
			inval_add(inval, seen, url.buf);
		}
	}
	/* grace passed for objects removed by earlier deploys */
	{
		const char *path;
		json_t *when, *tmp;
		json_object_foreach_safe(pending, tmp, path, when) {
			bool listed = false;
			size_t i;
			json_t *dp;
			if (manifest_find(x->m, path)) {
				/* it came back: keep it */
				json_object_del(pending, path);
				continue;
			}
			if (manifest_find(old, path))
				continue;	/* handled above */
			json_array_foreach(deletes, i, dp)
				if (!strcmp(json_string_value(dp), path))
					listed = true;
			if (!listed && x->now - json_integer_value(when) >=
			    x->t->delete_grace)
				json_array_append_new(deletes,
				    json_string(path));
			else if (!listed)
				x->res->deferred++;
		}
	}
	if (primary) {
		size_t i;
		json_t *u;
		json_array_foreach(inval, i, u)
			json_array_append(x->res->changed, u);
	}
	ndeletes = json_array_size(deletes);
	json_object_set_new(phases, "immutable", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[1], "bytes", (json_int_t)bytes[1]));
	json_object_set_new(phases, "other", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[2], "bytes", (json_int_t)bytes[2]));
	json_object_set_new(phases, "html", json_pack("{s:I, s:I}",
	    "objects", (json_int_t)counts[3], "bytes", (json_int_t)bytes[3]));
	json_array_append_new(plan, json_pack("{s:s, s:s, s:o, s:O, s:O, s:I, "
	    "s:I, s:o}", "destination", d->name, "state", ds.id, "phases",
	    phases, "deletes", deletes, "deferred", deferred, "resumed",
	    (json_int_t)ds.resumed, "dirty", (json_int_t)json_object_size(
	    ds.dirty), "invalidate", invalidation_plan(x, d, inval)));
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
	/*
	 * Before the first transfer: the URLs to invalidate, and the
	 * journal of what this deploy may change.
	 */
	if (cdn) {
		json_decref(ds.inval);
		ds.inval = json_copy(inval);
	}
	json_decref(ds.journal);
	ds.journal = json_pack("{s:s, s:{}, s:{}}", "manifest", x->msha,
	    "plan", "landed");
	for (size_t i = 0; i < nxf; i++)
		json_object_set_new(json_object_get(ds.journal, "plan"),
		    xf[i].key + strlen(d->prefix), json_string("put"));
	if (dstate_save(x, d, &ds, false, err) == -1 ||
	    journal_save(x, &ds, err) == -1)
		goto out;
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
		if (run_batches(x, d, &ds, xf + a, n, &ndone, total,
		    err) == -1) {
			buf_printf(err, " (phase %s; later phases not run)",
			    phase_names[ph]);
			goto out;
		}
	}
	/* phase 4: the manifest (not part of the state) */
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
		r = run_batches(x, d, &ds, &mf, 1, &ndone, total, err);
		free((char *)(uintptr_t)mf.key);
		free(mf.error);
		if (r == -1) {
			buf_printf(err, " (phase manifest; later phases not "
			    "run)");
			goto out;
		}
	}
	/*
	 * The CDN, after every upload and before any deletion: the pages
	 * that named removed objects are gone from the caches first.
	 */
	if (cdn && json_array_size(inval)) {
		struct buf ce = BUF_INIT;
		if (cdn_invalidate(x->t->cdn, x->c->site.base_url, inval,
		    x->o->log, &ce) == -1) {
			buf_setf(err, "%s: %s (%zu URLs kept: the next deploy "
			    "invalidates them again; deletions not run)",
			    d->name, ce.len ? ce.buf : "cdn: invalidation "
			    "failed", json_array_size(inval));
			buf_release(&ce);
			goto out;
		}
		buf_release(&ce);
		json_array_clear(ds.inval);
		if (dstate_save(x, d, &ds, false, err) == -1)
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
			json_object_set_new(json_object_get(ds.journal, "plan"),
			    json_string_value(p), json_string("delete"));
		}
		logf_(x, "%s: phase 5 (delete): %zu objects", d->name,
		    ndeletes);
		r = journal_save(x, &ds, err);
		if (r == 0)
			r = run_batches(x, d, &ds, dx, ndeletes, &ndone, total,
			    err);
		if (r == 0)
			json_array_foreach(deletes, i, p)
				json_object_del(pending, json_string_value(p));
		for (i = 0; i < ndeletes; i++) {
			free((char *)(uintptr_t)dx[i].key);
			free(dx[i].error);
		}
		free(dx);
		if (r == -1) {
			buf_printf(err, " (phase delete)");
			goto out;
		}
	}
	/* in sync: the state is the build; the journal goes */
	{
		struct buf mj = BUF_INIT;
		manifest_release(&ds.base);
		manifest_copy(&ds.base, x->m);
		json_object_clear(ds.dirty);
		ds.deployed_at = x->now;
		manifest_to_json(x->m, &mj);
		r = store_state_set(x->st, ds.mkey, mj.buf, mj.len, err);
		/* the next deploy in this process reads it back unparsed */
		if (r == 0 && x->o->remember)
			manifest_remember(mj.buf, mj.len, x->m);
		buf_release(&mj);
		if (r == -1 || dstate_save(x, d, &ds, false, err) == -1 ||
		    store_state_delete(x->st, ds.jkey, err) == -1)
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
	dstate_release(&ds);
	json_decref(seen);
	json_decref(phases);
	json_decref(deletes);
	json_decref(deferred);
	json_decref(inval);
	buf_release(&url);
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
		const char *name = x->t->name;
		int r = -1;

		buf_reset(&e);
		if ((d = make_dest(x->c, x->t, k, &e)) != NULL) {
			name = d->name;
			r = deploy_dest(x, d, x->res->plan, &e);
		}
		if (r == -1) {
			/* every failure has a reason (STYLE: nothing silent) */
			if (!e.len)
				buf_setf(&e, "%s: deploy failed", name);
			failures++;
			json_array_append_new(x->res->errors, json_pack(
			    "{s:s, s:s}", "destination", name, "error",
			    e.buf));
			logf_(x, "%s: FAILED: %s", name, e.buf);
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
