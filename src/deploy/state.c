/* SPDX-License-Identifier: ISC */
/*
 * state.c: the deployed state of a destination (see state.h).
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

#include "common/buf.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"
#include "deploy/state.h"
#include "store/store.h"

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

void
deploy_logf(struct deploy_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->o->log)
		return;
	va_start(ap, fmt);
	buf_vprintf(x->o->log, fmt, ap);
	va_end(ap);
	buf_addch(x->o->log, '\n');
}
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

void
deploy_state_release(struct deploy_state *ds)
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

json_t *
deploy_entry_json(const struct manifest_entry *e)
{
	json_t *j = json_pack("[s, I, s, s, b, s]", e->sha256,
	    (json_int_t)e->size, e->content_type, e->cache_control,
	    e->immutable, manifest_kind_name(e->kind));

	if (e->redirect)
		json_array_append_new(j, json_string(e->redirect));
	return j;
}

static int
entry_add(struct manifest *m, const char *path, json_t *j)
{
	const char *sha, *ct, *cc, *kname, *redir = NULL;
	json_int_t size;
	int imm;
	enum manifest_kind kind;

	if (json_array_size(j) == 7)
		redir = json_string_value(json_array_get(j, 6));
	if (json_unpack(j, json_array_size(j) == 7 ? "[s, I, s, s, b, s, s]" :
	    "[s, I, s, s, b, s]", &sha, &size, &ct, &cc, &imm, &kname,
	    &redir) == -1 || strlen(sha) != 64 || !hex_valid(sha, 64) ||
	    size < 0 || manifest_kind_parse(kname, &kind) == -1 ||
	    (redir && !manifest_redirect_valid(redir)))
		return -1;
	manifest_set_redirect(manifest_add(m, path, sha, size, ct, cc, imm,
	    kind), redir);
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
void
deploy_mark_dirty(json_t *dirty, const char *path, const char *why)
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
fold_journal(struct deploy_state *ds, struct buf *err)
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
		manifest_add_copy(&nb, e);
	}
	json_object_foreach(plan, path, op) {
		json_t *l = json_object_get(landed, path);
		if (!l) {
			deploy_mark_dirty(ds->dirty, path, "unknown");
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

int
deploy_state_save(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
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

int
deploy_state_load(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
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
		deploy_logf(x, "%s: the last deploy did not finish: %zu objects "
		    "arrived, %zu to check again", d->name, ds->resumed,
		    json_object_size(ds->dirty));
		/* folded: saved, then the journal can go */
		if (!x->o->dry_run && (deploy_state_save(x, d, ds, true, err) == -1 ||
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

int
deploy_journal_save(struct deploy_ctx *x, struct deploy_state *ds, struct buf *err)
{
	return save_json_state(x->st, ds->jkey, ds->journal, err);
}

