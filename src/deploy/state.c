/* SPDX-License-Identifier: ISC */
/*
 * state.c: the deployed state of a destination (see state.h).
 *
 * State kept in the store per destination D (a target, or one of its
 * mirrors), keyed by ID, the first 16 hex digits of the SHA-256 of the
 * destination's identity (type, endpoint, bucket, prefix; or type, path,
 * prefix), never by the target's name (decision record 0051):
 *   deployed_files rows    what D holds, one row per path with the
 *   (dest ID)              effective headers: never more than the truth;
 *                          only the rows that change are written
 *                          (store_deployed.h, decision record 0250)
 *   deploy.state.ID        {"name", "destination": identity, "dirty":
 *                          {path: "unknown"|"repair"}, "invalidate":
 *                          [URLs not yet invalidated], "grace": {path:
 *                          first_seen}, "deployed_at": last time in
 *                          sync, "generation": changed with every write
 *                          of the rows, "output", "headers", "files":
 *                          the build output the rows are, when the last
 *                          deploy ended in sync (decision 0310)} (the
 *                          metrics read name, deployed_at)
 *   deploy.journal.ID      while a deploy runs: {"manifest"}, and its
 *   + deploy_journal rows  plan as rows written once before the first
 *                          transfer, what landed appended after every
 *                          batch; folded into the two above by the next
 *                          deploy if this one dies.
 * A store written by an older kiln holds deploy.manifest.ID (the whole
 * manifest as JSON) and a journal with "plan" and "landed" inside: the
 * first deploy reads them, writes the rows and drops the old record.
 * The rows, the state and the journal that go together are written in
 * one transaction.
 */
#include "common/compat.h"

#include <pthread.h>
#include <time.h>

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
#include "store/store_deployed.h"

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
 * damaged record must not name anything outside the destination.  Every
 * key of OBJ is a canonical relative path; else the first that is not.
 */
static const char *
bad_path_key(json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (!path_is_clean_rel(k))
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

/*
 * A long-lived process keeps the deployed manifests it wrote or read,
 * keyed by the destination and the generation of its rows: the next
 * deploy to it reads no rows unless another process changed them.
 */
#define MEMO_SLOTS 8
static struct {
	char id[17];
	int64_t gen;
	struct manifest m;
} memo[MEMO_SLOTS];
static size_t memo_next;
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

/* move the memo of (ID, GEN) into M; false when there is none */
static bool
memo_take(const char *id, int64_t gen, struct manifest *m)
{
	bool hit = false;

	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < MEMO_SLOTS && !hit; i++) {
		if (!gen || memo[i].gen != gen || strcmp(memo[i].id, id))
			continue;
		manifest_release(m);
		*m = memo[i].m;
		memset(&memo[i], 0, sizeof(memo[i]));
		hit = true;
	}
	pthread_mutex_unlock(&memo_mu);
	return hit;
}

/* move M into the memo as (ID, GEN) */
static void
memo_put(const char *id, int64_t gen, struct manifest *m)
{
	size_t k = MEMO_SLOTS;

	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		if (!strcmp(memo[i].id, id) || (k == MEMO_SLOTS &&
		    !memo[i].gen))
			k = i;
	if (k == MEMO_SLOTS)
		k = memo_next++ % MEMO_SLOTS;
	manifest_release(&memo[k].m);
	memcpy(memo[k].id, id, sizeof(memo[k].id));
	memo[k].gen = gen;
	memo[k].m = *m;
	manifest_init(m);
	pthread_mutex_unlock(&memo_mu);
}

/* forget ID's memo: a partial deploy moved its rows on (0310) */
static void
memo_drop(const char *id)
{
	pthread_mutex_lock(&memo_mu);
	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		if (strcmp(memo[i].id, id) != 0)
			continue;
		manifest_release(&memo[i].m);
		memset(&memo[i], 0, sizeof(memo[i]));
	}
	pthread_mutex_unlock(&memo_mu);
}

void
deploy_state_release(struct deploy_state *ds)
{
	if (ds->remember && ds->synced && ds->gen)
		memo_put(ds->id, ds->gen, &ds->base);
	manifest_release(&ds->base);
	json_decref(ds->dirty);
	json_decref(ds->inval);
	json_decref(ds->grace);
	json_decref(ds->journal);
	json_decref(ds->shards);
	free(ds->mkey);
	free(ds->skey);
	free(ds->jkey);
	memset(ds, 0, sizeof(*ds));
}

/* a new generation: unique across processes, later than the last */
static int64_t
next_gen(int64_t gen)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return now > gen ? now : gen + 1;
}

static int
save_state_json(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err)
{
	json_t *j;
	int rc;

	j = json_pack("{s:s, s:o, s:O, s:O, s:O}", "name", d->name,
	    "destination", json_loads(d->ident, 0, NULL), "dirty", ds->dirty,
	    "invalidate", ds->inval, "grace", ds->grace);
	if (ds->deployed_at)
		json_object_set_new(j, "deployed_at",
		    json_integer(ds->deployed_at));
	if (ds->gen)
		json_object_set_new(j, "generation", json_integer(ds->gen));
	if (*ds->output && ds->files >= 0)
		json_object_update_new(j, json_pack("{s:s, s:s, s:I}",
		    "output", ds->output, "headers", ds->headers, "files",
		    (json_int_t)ds->files));
	/* the manifest's shards the destination holds, when known */
	if (ds->shards)
		json_object_set(j, "manifest_shards", ds->shards);
	rc = save_json_state(x->st, ds->skey, j, err);
	json_decref(j);
	return rc;
}

/*
 * The rows and the state in one transaction: OLD is what the rows hold
 * (NULL: the rows are not written), ds->base what they become.
 */
int
deploy_state_save(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    const struct manifest *old, struct buf *err)
{
	size_t n = 0;
	int rc;

	if (store_begin(x->st, err) == -1)
		return -1;
	rc = old ? store_deployed_write(x->st, ds->id, old, &ds->base, &n,
	    err) : 0;
	if (rc == 0 && n)
		ds->gen = next_gen(ds->gen);
	if (rc == 0)
		rc = save_state_json(x, d, ds, err);
	if (rc == -1) {
		store_rollback(x->st);
		return -1;
	}
	if (store_commit(x->st, err) == -1)
		return -1;
	if (old)
		ds->synced = true;
	return 0;
}

/* the journal's rows into ds->journal's "plan" and "landed" */
static int
journal_row(const struct store_journal_row *r, void *arg, struct buf *err)
{
	struct deploy_state *ds = arg;
	json_t *v = NULL;
	json_error_t je;

	if (!strcmp(r->what, "plan") && r->value && (!strcmp(r->value, "put") ||
	    !strcmp(r->value, "delete")))
		v = json_string(r->value);
	else if (!strcmp(r->what, "landed"))
		v = r->value ? json_loads(r->value, 0, &je) : json_null();
	if (!v) {
		buf_setf(err, "deploy journal '%s' in the store: a bad row "
		    "for '%s' (deploy_journal)", ds->jkey, r->path);
		return -1;
	}
	json_object_set_new(json_object_get(ds->journal, r->what), r->path, v);
	return 0;
}

/* the journal left by a deploy that did not finish, if any */
static int
journal_load(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	struct buf v = BUF_INIT;
	json_error_t je;
	int r;

	if ((r = store_state_get(x->st, ds->jkey, &v, err)) != 0) {
		buf_release(&v);
		return r == 1 ? 0 : -1;
	}
	ds->journal = json_loadb(v.buf, v.len, 0, &je);
	buf_release(&v);
	if (!ds->journal || !json_is_object(ds->journal)) {
		buf_setf(err, "deploy journal '%s' of %s in the store: %s",
		    ds->jkey, d->name, ds->journal ? "not a JSON object" :
		    je.text);
		return -1;
	}
	/* an older kiln's journal holds its plan and landed map */
	if (json_object_get(ds->journal, "plan"))
		return 0;
	json_object_set_new(ds->journal, "plan", json_object());
	json_object_set_new(ds->journal, "landed", json_object());
	return store_deployed_journal_read(x->st, ds->id, journal_row, ds,
	    err);
}

/* the journal folded: the rows, the state, and the journal gone */
static int
journal_fold(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	struct manifest old;
	int rc = -1;

	manifest_copy(&old, &ds->base);
	ds->synced = false;
	*ds->output = '\0';	/* the rows are no build's output now */
	json_decref(ds->shards);	/* nor are the shards known (0370) */
	ds->shards = NULL;
	if (fold_journal(ds, err) == -1)
		goto out;
	deploy_logf(x, "%s: the last deploy did not finish: %zu objects "
	    "arrived, %zu to check again", d->name, ds->resumed,
	    json_object_size(ds->dirty));
	/* folded: saved, then the journal can go */
	if (!x->o->dry_run) {
		if (store_begin(x->st, err) == -1)
			goto out;
		if (deploy_state_save(x, d, ds, &old, err) == -1 ||
		    store_deployed_journal_clear(x->st, ds->id, err) == -1 ||
		    store_state_delete(x->st, ds->jkey, err) == -1 ||
		    store_commit(x->st, err) == -1) {
			store_rollback(x->st);
			goto out;
		}
	}
	json_decref(ds->journal);
	ds->journal = NULL;
	rc = 0;
out:
	manifest_release(&old);
	return rc;
}

/*
 * The manifest shards a destination holds (0370): {"XX": sha256}, XX
 * two lowercase hex digits; anything else is not known (NULL: every
 * shard is sent again).
 */
static json_t *
state_shards(json_t *m)
{
	const char *k;
	json_t *v;

	if (!json_is_object(m) || json_object_size(m) > MANIFEST_SHARDS)
		return NULL;
	json_object_foreach(m, k, v) {
		const char *sha = json_string_value(v);
		if (strlen(k) != 2 || !hex_valid(k, 2) || !sha ||
		    strlen(sha) != 64 || !hex_valid(sha, 64))
			return NULL;
	}
	return json_incref(m);
}

/* the output the rows are, if the state names one (0310) */
static void
state_output(struct deploy_state *ds, json_t *s)
{
	const char *o = json_string_value(json_object_get(s, "output"));
	const char *h = json_string_value(json_object_get(s, "headers"));
	json_t *f = json_object_get(s, "files");

	ds->files = -1;
	if (!o || strlen(o) != CHANGES_ID_LEN || !hex_valid(o,
	    CHANGES_ID_LEN) || !h || strlen(h) != 16 || !json_is_integer(f) ||
	    json_integer_value(f) < 0)
		return;
	memcpy(ds->output, o, CHANGES_ID_LEN + 1);
	memcpy(ds->headers, h, 17);
	ds->files = json_integer_value(f);
}

/* "state": its maps checked, absent ones made empty */
static int
state_parse(struct dest *d, struct deploy_state *ds, json_t *s,
    struct buf *err)
{
	const char *bad = NULL;

	ds->dirty = json_incref(json_object_get(s, "dirty"));
	ds->inval = json_incref(json_object_get(s, "invalidate"));
	ds->grace = json_incref(json_object_get(s, "grace"));
	ds->deployed_at = json_integer_value(json_object_get(s,
	    "deployed_at"));
	ds->gen = json_integer_value(json_object_get(s, "generation"));
	state_output(ds, s);
	ds->shards = state_shards(json_object_get(s, "manifest_shards"));
	if ((ds->dirty && !json_is_object(ds->dirty)) || (ds->inval &&
	    !json_is_array(ds->inval)) || (ds->grace &&
	    !json_is_object(ds->grace))) {
		buf_setf(err, "deploy state '%s' of %s in the store: "
		    "\"dirty\", \"invalidate\" or \"grace\" has the wrong "
		    "type", ds->skey, d->name);
		return -1;
	}
	if ((ds->dirty && (bad = bad_path_key(ds->dirty))) ||
	    (ds->grace && (bad = bad_path_key(ds->grace)))) {
		buf_setf(err, "deploy state '%s' of %s in the store: '%s' is "
		    "not a canonical relative path", ds->skey, d->name, bad);
		return -1;
	}
	if (!ds->dirty)
		ds->dirty = json_object();
	if (!ds->inval)
		ds->inval = json_array();
	if (!ds->grace)
		ds->grace = json_object();
	return 0;
}

static int
state_read(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	struct buf v = BUF_INIT;
	json_error_t je;
	json_t *s = NULL;
	int r, rc = -1;

	if ((r = store_state_get(x->st, ds->skey, &v, err)) == -1)
		goto out;
	if (r == 0 && (!(s = json_loadb(v.buf, v.len, 0, &je)) ||
	    !json_is_object(s))) {
		buf_setf(err, "deploy state '%s' of %s in the store: not a "
		    "JSON object", ds->skey, d->name);
		goto out;
	}
	rc = state_parse(d, ds, s, err);
out:
	json_decref(s);
	buf_release(&v);
	return rc;
}

/*
 * An older kiln's deployed manifest (deploy.manifest.ID), if the store
 * still holds one: it becomes the rows (unless dry_run) and goes.  1
 * when there was none.
 */
static int
manifest_migrate(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err)
{
	struct buf v = BUF_INIT;
	struct manifest none;
	int r;

	if ((r = store_state_get(x->st, ds->mkey, &v, err)) != 0)
		goto out;
	r = -1;
	if (manifest_parse(v.buf, v.len, &ds->base, err) == -1) {
		buf_printf(err, " (deployed manifest '%s' of %s in the store)",
		    ds->mkey, d->name);
		goto out;
	}
	r = 0;
	*ds->output = '\0';
	json_decref(ds->shards);
	ds->shards = NULL;
	if (x->o->dry_run)
		goto out;
	manifest_init(&none);
	if (store_begin(x->st, err) == -1)
		goto fail;
	if (store_deployed_clear(x->st, ds->id, err) == -1 ||
	    deploy_state_save(x, d, ds, &none, err) == -1 ||
	    store_state_delete(x->st, ds->mkey, err) == -1 ||
	    store_commit(x->st, err) == -1)
		goto fail;
	deploy_logf(x, "%s: the deployed manifest moved to its rows (%zu "
	    "files)", d->name, ds->base.nfiles);
	goto out;
fail:
	store_rollback(x->st);
	r = -1;
out:
	buf_release(&v);
	return r;
}

/*
 * Why the plan cannot start from the build's changes (decision 0310):
 * NULL when it can (the destination holds exactly the changes' base,
 * under the same header rules, nothing unknown), else the reason.
 */
static const char *
partial_refused(const struct deploy_ctx *x, const struct deploy_state *ds)
{
	if (x->o->verify)
		return "--verify";
	if (x->o->full)
		return "--full";
	if (!x->chg)
		return "the build lists no changes";
	if (!*ds->output || ds->files < 0)
		return "the destination's output is not known";
	if (ds->journal)
		return "a deploy did not finish";
	if (json_object_size(ds->dirty))
		return "dirty paths";
	if (strcmp(ds->output, x->chg->base) != 0 && strcmp(ds->output,
	    x->chg->id) != 0)
		return "the build's base is not the destination's output";
	if (strcmp(ds->headers, x->hsha) != 0)
		return "the target's header rules changed";
	return NULL;
}

/* only the rows of the paths the changes name (0310) */
static int
base_read_partial(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err)
{
	const struct changes *c = x->chg;
	size_t n = c->files.nfiles + c->nremoved, k = 0;
	const char **paths;
	int rc;

	/* it holds this very output: nothing to read */
	if ((ds->same = !strcmp(ds->output, c->id)))
		n = 0;
	paths = xcalloc(n + 1, sizeof(*paths));
	for (size_t i = 0; i < c->files.nfiles && n; i++)
		paths[k++] = c->files.files[i].path;
	for (size_t i = 0; i < c->nremoved && n; i++)
		paths[k++] = c->removed[i];
	rc = store_deployed_load_paths(x->st, ds->id, paths, n, &ds->base,
	    &ds->rows_read, err);
	free(paths);
	if (rc == -1) {
		buf_printf(err, " (deployed state of %s)", d->name);
		return -1;
	}
	ds->partial = true;
	/* its rows move on: a memo of them would be stale */
	ds->remember = false;
	memo_drop(ds->id);
	return 0;
}

/* the rows of what D holds (or, in a long-lived process, its memo) */
static int
base_read(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	int r;

	if ((r = manifest_migrate(x, d, ds, err)) != 1)
		return r;
	if (!(ds->why = partial_refused(x, ds))) {
		ds->why = "";
		return base_read_partial(x, d, ds, err);
	}
	if (ds->remember && memo_take(ds->id, ds->gen, &ds->base)) {
		ds->synced = true;
		return 0;
	}
	if (store_deployed_load(x->st, ds->id, &ds->base, err) == -1) {
		buf_printf(err, " (deployed state of %s)", d->name);
		return -1;
	}
	ds->rows_read = ds->base.nfiles;
	ds->synced = true;
	return 0;
}

size_t
deploy_state_nfiles(const struct deploy_ctx *x, const struct deploy_state *ds)
{
	int64_t n;

	if (!ds->partial)
		return x->m->nfiles;
	n = ds->files;
	for (size_t i = 0; i < x->m->nfiles; i++)
		if (!manifest_find(&ds->base, x->m->files[i].path))
			n++;
	for (size_t i = 0; i < ds->base.nfiles; i++)
		if (!manifest_find(x->m, ds->base.files[i].path))
			n--;
	return n < 0 ? 0 : (size_t)n;
}

int
deploy_state_load(struct deploy_ctx *x, struct dest *d, struct deploy_state *ds,
    struct buf *err)
{
	char sha[65];

	memset(ds, 0, sizeof(*ds));
	manifest_init(&ds->base);
	sha256_hex(d->ident, strlen(d->ident), sha);
	memcpy(ds->id, sha, 16);
	ds->id[16] = '\0';
	ds->mkey = state_key("manifest", ds->id);
	ds->skey = state_key("state", ds->id);
	ds->jkey = state_key("journal", ds->id);
	ds->remember = x->o->remember;
	ds->files = -1;
	ds->why = "";
	/* the journal first: one left behind means a full plan */
	if (state_read(x, d, ds, err) == -1 || journal_load(x, d, ds,
	    err) == -1 || base_read(x, d, ds, err) == -1)
		return -1;
	if (ds->journal && journal_fold(x, d, ds, err) == -1)
		return -1;
	return 0;
}

/* the journal's head and plan rows, before the first transfer */
int
deploy_journal_begin(struct deploy_ctx *x, struct deploy_state *ds,
    struct buf *err)
{
	json_t *head = json_pack("{s:s}", "manifest", x->msha);
	int rc;

	rc = save_json_state(x->st, ds->jkey, head, err);
	json_decref(head);
	if (rc == 0)
		rc = store_deployed_journal_clear(x->st, ds->id, err);
	if (rc == 0)
		rc = deploy_journal_add(x, ds, "plan", json_object_get(
		    ds->journal, "plan"), err);
	return rc;
}

/* OBJ's {path: value} appended to the journal as WHAT rows */
int
deploy_journal_add(struct deploy_ctx *x, struct deploy_state *ds,
    const char *what, json_t *obj, struct buf *err)
{
	size_t n = json_object_size(obj), i = 0;
	struct store_journal_row *rows;
	char **texts;
	const char *path;
	json_t *v;
	int rc;

	if (!n)
		return 0;
	rows = xcalloc(n, sizeof(*rows));
	texts = xcalloc(n, sizeof(*texts));
	json_object_foreach(obj, path, v) {
		rows[i].what = what;
		rows[i].path = path;
		if (json_is_string(v))
			rows[i].value = json_string_value(v);
		else if (!json_is_null(v))
			rows[i].value = texts[i] = json_dumps(v, JSON_COMPACT);
		i++;
	}
	rc = store_deployed_journal_add(x->st, ds->id, rows, n, err);
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(rows);
	return rc;
}

/*
 * In sync: the rows become the build's manifest (only what changed is
 * written), the state is saved and the journal goes, in one transaction.
 * A long-lived process keeps a copy of the manifest (memo_put).
 */
int
deploy_state_in_sync(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err)
{
	int64_t gen = ds->gen;
	size_t n = 0;

	json_object_clear(ds->dirty);
	ds->deployed_at = x->now;
	/* every transfer landed: the rows are this build's output */
	snprintf(ds->output, sizeof(ds->output), "%s", x->out_id);
	memcpy(ds->headers, x->hsha, sizeof(ds->headers));
	ds->files = (int64_t)x->nfiles;
	if (store_begin(x->st, err) == -1)
		return -1;
	if (store_deployed_write(x->st, ds->id, &ds->base, x->m, &n,
	    err) == -1)
		goto fail;
	if (n)
		ds->gen = next_gen(ds->gen);
	if (save_state_json(x, d, ds, err) == -1 ||
	    store_deployed_journal_clear(x->st, ds->id, err) == -1 ||
	    store_state_delete(x->st, ds->jkey, err) == -1 ||
	    store_commit(x->st, err) == -1)
		goto fail;
	manifest_release(&ds->base);
	ds->synced = ds->remember;
	if (ds->remember)
		manifest_copy(&ds->base, x->m);
	return 0;
fail:
	store_rollback(x->st);
	ds->gen = gen;		/* the rows are the old ones */
	return -1;
}
