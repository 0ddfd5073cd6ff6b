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
#include "common/manifest.h"
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

static void
count(struct deploy_unit_result *r, const struct manifest *m,
    const struct xfer *x, size_t n, int phase)
{
	for (size_t i = 0; i < n; i++) {
		if (phase == 0 && x[i].status == 1)
			r->shared_present++;
		else if (phase == 0)
			r->shared_uploaded++;
		else
			r->uploaded++;
		(void)m;
	}
}

static int
unit_phase(struct dest **d, size_t nd, const struct manifest *m,
    const char *outdir, const char *up, int phase,
    struct deploy_unit_result *r, struct buf *err)
{
	for (size_t k = 0; k < nd; k++) {
		size_t n;
		struct xfer *x = unit_xfers(m, outdir, up, d[k], phase, &n);
		int rc = unit_run(d[k], x, n, err);
		if (rc == 0 && k == 0)
			count(r, m, x, n, phase);
		xfers_release(x, n);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
unit_marker(struct dest **d, size_t nd, const char *up, const char *marker,
    struct buf *err)
{
	char sha[65];

	sha256_hex(marker, strlen(marker), sha);
	for (size_t k = 0; k < nd; k++) {
		struct xfer x;
		int rc;

		memset(&x, 0, sizeof(x));
		x.op = X_PUT;
		x.key = xasprintf("%s%s.complete", d[k]->prefix, up);
		x.data = marker;
		x.len = strlen(marker);
		x.sha256 = sha;
		x.content_type = "application/json";
		x.cache_control = "no-cache";
		rc = unit_run(d[k], &x, 1, err);
		free(x.key);
		free(x.error);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* the caller's lease check before STEP; no fence: always go on */
static int
unit_fence(const struct deploy_fence *f, const char *step, struct buf *err)
{
	return f && f->fn ? f->fn(f->arg, step, err) : 0;
}

int
deploy_unit(const struct conf *c, const char *outdir, const char *up,
    const char *marker, const struct deploy_fence *f,
    struct deploy_unit_result *r, struct buf *err)
{
	struct manifest m;
	struct dest **d;
	size_t nd;
	char *mf = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	int rc = -1;

	memset(r, 0, sizeof(*r));
	manifest_init(&m);
	if (manifest_load(mf, &m, err) == -1) {
		free(mf);
		return -1;
	}
	free(mf);
	if (!(d = unit_dests(c, NULL, &nd, err)))
		goto out;
	for (size_t i = 0; i < m.nfiles; i++)
		if (m.files[i].immutable || !strncmp(m.files[i].path, up,
		    strlen(up)))
			r->bytes += m.files[i].size;
	if (unit_fence(f, "the shared files", err) == 0 &&
	    unit_phase(d, nd, &m, outdir, up, 0, r, err) == 0 &&
	    unit_fence(f, "the unit's files", err) == 0 &&
	    unit_phase(d, nd, &m, outdir, up, 1, r, err) == 0 &&
	    unit_fence(f, "the marker", err) == 0 &&
	    unit_marker(d, nd, up, marker, err) == 0)
		rc = 0;
	dests_free(d, nd);
out:
	manifest_release(&m);
	return rc;
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

int
deploy_unit_markers(const struct conf *c, const char *prefix,
    int (*fn)(const char *, size_t, void *), void *arg, size_t *ndest,
    size_t *requests, struct buf *err)
{
	struct dest **d;
	size_t nd;
	int rc = 0;

	*requests = *ndest = 0;
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
			if (rc == 0)
				break;
		}
	}
	*ndest = nd;
	dests_free(d, nd);
	return rc;
}
