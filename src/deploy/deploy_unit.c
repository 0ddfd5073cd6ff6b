/* SPDX-License-Identifier: ISC */
/*
 * deploy_unit.c: a unit of a multi-unit site to the targets (deploy.h,
 * decision records 0181 and 0182).  Unlike a site deploy there is no
 * plan against a deployed state: a unit version is immutable and is
 * written once, in three phases, each finished on every destination
 * before the next: shared content-hashed files (create-if-absent), the
 * unit's files, the .complete marker.
 */
#include "common/compat.h"

#include <time.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/manifest.h"
#include "common/scrub.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"

#define UNIT_BATCH 64

/* the destinations of every live target: *n of them */
static struct dest **
unit_dests(const struct conf *c, const char *prefix_extra, size_t *n,
    struct buf *err)
{
	struct dest **d = NULL;

	*n = 0;
	for (size_t i = 0; i < c->ntargets; i++) {
		const struct conf_target *t = &c->targets[i];
		if (t->content == CONF_CONTENT_LATEST)
			continue;
		for (int k = -1; k < (int)t->nmirrors; k++) {
			struct dest *x = deploy_make_dest(c, t, k, false, err);
			if (!x)
				goto fail;
			if (prefix_extra) {
				char *p = xasprintf("%s%s", x->prefix,
				    prefix_extra);
				free(x->prefix);
				x->prefix = p;
			}
			d = xreallocarray(d, *n + 1, sizeof(*d));
			d[(*n)++] = x;
		}
	}
	return d;
fail:
	for (size_t i = 0; i < *n; i++)
		dest_free(d[i]);
	free(d);
	*n = 0;
	return NULL;
}

static void
dests_free(struct dest **d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dest_free(d[i]);
	free(d);
}

/* run X[0..N) on D in batches; -1 with err at the first failure */
static int
unit_run(struct dest *d, struct xfer *x, size_t n, struct buf *err)
{
	for (size_t i = 0; i < n; i += UNIT_BATCH) {
		size_t k = n - i < UNIT_BATCH ? n - i : UNIT_BATCH;
		if (d->ops->run(d, x + i, k, err) == -1)
			return -1;
		for (size_t j = i; j < i + k; j++)
			if (x[j].status == -1) {
				buf_setf(err, "%s: %s: %s", d->name, x[j].key,
				    x[j].error ? x[j].error : "failed");
				return -1;
			}
	}
	return 0;
}

static void
xfers_release(struct xfer *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(x[i].key);
		free(x[i].file);
		free(x[i].error);
	}
	free(x);
}

/* the transfers of PHASE (0 shared, 1 the unit's files) for D */
static struct xfer *
unit_xfers(const struct manifest *m, const char *outdir, const char *up,
    struct dest *d, int phase, size_t *n)
{
	struct xfer *x = xcalloc(m->nfiles + 1, sizeof(*x));
	size_t ul = strlen(up);

	*n = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_entry *e = &m->files[i];
		bool mine = !strncmp(e->path, up, ul);
		if (phase == 0 ? !e->immutable : (e->immutable || !mine))
			continue;
		x[*n].op = X_PUT;
		x[*n].key = xasprintf("%s%s", d->prefix, e->path);
		x[*n].file = xasprintf("%s/%s", outdir, e->path);
		x[*n].sha256 = e->sha256;
		x[*n].content_type = e->content_type;
		x[*n].cache_control = e->cache_control;
		x[*n].create_only = e->immutable;
		(*n)++;
	}
	return x;
}

/*
 * One destination of a unit's deploy and what happened there (decision
 * 0273): D is NULL for a staging target (SKIP says why) or one that
 * could not be set up (ERROR).
 */
struct udest {
	struct dest *d;
	char *name;
	const char *skip;
	char *error;		/* failed: the first error, scrubbed later */
	size_t uploaded, shared_uploaded, shared_present;
};

static void
udest_fail(struct udest *u, const char *why)
{
	if (!u->error)
		u->error = xstrdup(why && *why ? why : "failed");
}

/* every target and mirror, in kiln.yaml order; *n of them, *live usable */
static struct udest *
unit_targets(const struct conf *c, size_t *n, size_t *live)
{
	struct udest *u = NULL;

	*n = *live = 0;
	for (size_t i = 0; i < c->ntargets; i++) {
		const struct conf_target *t = &c->targets[i];
		int nm = t->type == CONF_TARGET_S3 ? (int)t->nmirrors : 0;
		for (int k = -1; k < nm; k++) {
			struct udest *x;
			struct buf e = BUF_INIT;
			u = xreallocarray(u, *n + 1, sizeof(*u));
			x = memset(&u[(*n)++], 0, sizeof(*u));
			x->name = k < 0 ? xstrdup(t->name) : xasprintf(
			    "%s.mirror.%d", t->name, k + 1);
			if (t->content == CONF_CONTENT_LATEST) {
				x->skip = "a staging target (content: latest): "
				    "units go to the live targets";
				break;	/* a staging dir target: no mirrors */
			}
			if (!(x->d = deploy_make_dest(c, t, k, false, &e)))
				udest_fail(x, e.len ? e.buf : "cannot set up");
			else
				(*live)++;
			buf_release(&e);
		}
	}
	return u;
}

static void
count(struct udest *u, const struct xfer *x, size_t n, int phase)
{
	for (size_t i = 0; i < n; i++) {
		if (phase == 0 && x[i].status == 1)
			u->shared_present++;
		else if (phase == 0)
			u->shared_uploaded++;
		else
			u->uploaded++;
	}
}

/* PHASE on every destination still going; one failing stops only it */
static void
unit_phase(struct udest *u, size_t nu, const struct manifest *m,
    const char *outdir, const char *up, int phase)
{
	for (size_t k = 0; k < nu; k++) {
		struct buf e = BUF_INIT;
		struct xfer *x;
		size_t n;
		if (!u[k].d || u[k].error)
			continue;
		x = unit_xfers(m, outdir, up, u[k].d, phase, &n);
		if (unit_run(u[k].d, x, n, &e) == 0)
			count(&u[k], x, n, phase);
		else
			udest_fail(&u[k], e.buf);
		xfers_release(x, n);
		buf_release(&e);
	}
}

static void
unit_marker(struct udest *u, size_t nu, const char *up, const char *marker)
{
	char sha[65];

	sha256_hex(marker, strlen(marker), sha);
	for (size_t k = 0; k < nu; k++) {
		struct buf e = BUF_INIT;
		struct xfer x;
		if (!u[k].d || u[k].error)
			continue;
		memset(&x, 0, sizeof(x));
		x.op = X_PUT;
		x.key = xasprintf("%s%s.complete", u[k].d->prefix, up);
		x.data = marker;
		x.len = strlen(marker);
		x.sha256 = sha;
		x.content_type = "application/json";
		x.cache_control = "no-cache";
		if (unit_run(u[k].d, &x, 1, &e) == -1)
			udest_fail(&u[k], e.buf);
		free(x.key);
		free(x.error);
		buf_release(&e);
	}
}

/*
 * The caller's lease check before STEP (no fence: always go on); a
 * refusal fails every destination still going
 */
static int
unit_fence(const struct deploy_fence *f, const char *step, struct udest *u,
    size_t nu)
{
	struct buf e = BUF_INIT;

	if (!f || !f->fn || f->fn(f->arg, step, &e) == 0) {
		buf_release(&e);
		return 0;
	}
	for (size_t k = 0; k < nu; k++)
		if (u[k].d)
			udest_fail(&u[k], e.len ? e.buf : "stopped");
	buf_release(&e);
	return -1;
}

/* the result: per destination, totals from the first live one */
static int
unit_result(struct udest *u, size_t nu, struct deploy_unit_result *r,
    struct buf *err)
{
	bool first = true;
	int rc = 0;

	for (size_t k = 0; k < nu; k++) {
		json_t *o = json_pack("{s:o, s:s, s:I, s:I, s:I}", "name",
		    jsafe_string(u[k].name), "status", u[k].skip ? "skipped" :
		    u[k].error ? "failed" : "deployed", "uploaded",
		    (json_int_t)u[k].uploaded, "shared_uploaded",
		    (json_int_t)u[k].shared_uploaded, "shared_present",
		    (json_int_t)u[k].shared_present);
		if (u[k].skip)
			json_object_set_new(o, "reason", json_string(
			    u[k].skip));
		if (u[k].error) {
			char *clean = scrub_str(u[k].error);
			json_object_set_new(o, "error", jsafe_string(clean));
			free(clean);
			if (rc == 0)
				buf_setf(err, "%s: %s", u[k].name, u[k].error);
			rc = -1;
		}
		json_array_append_new(r->targets, o);
		if (u[k].d && first) {
			r->uploaded = u[k].uploaded;
			r->shared_uploaded = u[k].shared_uploaded;
			r->shared_present = u[k].shared_present;
			first = false;
		}
	}
	return rc;
}

static void
udests_free(struct udest *u, size_t nu)
{
	for (size_t k = 0; k < nu; k++) {
		dest_free(u[k].d);
		free(u[k].name);
		free(u[k].error);
	}
	free(u);
}

int
deploy_unit(const struct conf *c, const char *outdir, const char *up,
    const char *marker, const struct deploy_fence *f,
    struct deploy_unit_result *r, struct buf *err)
{
	struct manifest m;
	struct udest *u;
	size_t nu, live;
	char *mf = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	int rc;

	memset(r, 0, sizeof(*r));
	r->targets = json_array();
	manifest_init(&m);
	rc = manifest_load(mf, &m, err);
	free(mf);
	if (rc == -1)
		return -1;
	u = unit_targets(c, &nu, &live);
	for (size_t i = 0; i < m.nfiles; i++)
		if (m.files[i].immutable || !strncmp(m.files[i].path, up,
		    strlen(up)))
			r->bytes += m.files[i].size;
	/* each phase done on every destination before the next */
	if (live && unit_fence(f, "the shared files", u, nu) == 0) {
		unit_phase(u, nu, &m, outdir, up, 0);
		if (unit_fence(f, "the unit's files", u, nu) == 0) {
			unit_phase(u, nu, &m, outdir, up, 1);
			if (unit_fence(f, "the marker", u, nu) == 0)
				unit_marker(u, nu, up, marker);
		}
	}
	rc = unit_result(u, nu, r, err);
	if (rc == 0 && !live) {
		buf_setf(err, "no live target to deploy the unit to (a staging "
		    "target deploys the site only)");
		rc = -1;
	}
	udests_free(u, nu);
	manifest_release(&m);
	return rc;
}

void
deploy_unit_result_release(struct deploy_unit_result *r)
{
	json_decref(r->targets);
	r->targets = NULL;
}

struct mk {
	int (*fn)(const char *, size_t, void *);
	void *arg;
	const char *strip;	/* the listed prefix */
	size_t k, keys;
};

static int
marker_cb(const char *key, int64_t size, const char *md5, void *arg)
{
	struct mk *m = arg;
	const char *p = strstr(key, m->strip);
	size_t kl = strlen(key);

	(void)size;
	(void)md5;
	m->keys++;
	if (!p || kl < 10 || strcmp(key + kl - 10, "/.complete") != 0)
		return 0;
	return m->fn(p + strlen(m->strip), m->k, m->arg);
}

/*
 * A destination that refuses to list (HTTP 403: a key without
 * s3:ListBucket): one HEAD per candidate marker instead
 */
static int
markers_head(struct dest *d, size_t k, const char *const *keys, size_t nkeys,
    int (*fn)(const char *, size_t, void *), void *arg, size_t *requests,
    struct buf *err)
{
	struct xfer *x = xcalloc(nkeys + 1, sizeof(*x));
	int rc = 0;

	for (size_t i = 0; i < nkeys; i++) {
		x[i].op = X_HEAD;
		x[i].key = xasprintf("%s%s", d->prefix, keys[i]);
	}
	buf_reset(err);
	rc = unit_run(d, x, nkeys, err);
	*requests += nkeys;
	for (size_t i = 0; i < nkeys && rc == 0; i++)
		if (x[i].status == 0)
			rc = fn(keys[i], k, arg);
	xfers_release(x, nkeys);
	return rc;
}

int
deploy_unit_markers(const struct conf *c, const char *prefix,
    const char *const *keys, size_t nkeys,
    int (*fn)(const char *, size_t, void *), void *arg, size_t *ndest,
    size_t *requests, const char **method, struct buf *err)
{
	struct dest **d;
	size_t nd;
	int rc = 0;

	*requests = *ndest = 0;
	*method = "list";
	if (!(d = unit_dests(c, prefix, &nd, err)))
		return c->ntargets ? -1 : 0;
	for (size_t k = 0; k < nd && rc == 0; k++) {
		/* a failed listing is tried again (3 times, 0.2 s doubled);
		   a key seen twice is counted once by FN */
		for (int i = 0; i < 3; i++) {
			struct mk m = { fn, arg, d[k]->prefix, k, 0 };
			if (i) {
				struct timespec ts = { 0, 200000000L << (i - 1) };
				nanosleep(&ts, NULL);
				buf_reset(err);
			}
			/* a dir destination lists from its root, keys in full */
			rc = d[k]->ops->list(d[k], marker_cb, &m, err);
			/* an S3 LIST answers 1,000 keys a page */
			*requests += 1 + m.keys / 1000;
			if (rc == 0 || d[k]->list_denied)
				break;
		}
		if (rc == -1 && d[k]->list_denied) {
			*method = "head";
			rc = markers_head(d[k], k, keys, nkeys, fn, arg,
			    requests, err);
		}
	}
	*ndest = nd;
	dests_free(d, nd);
	return rc;
}
