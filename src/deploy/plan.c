/* SPDX-License-Identifier: ISC */
/*
 * plan.c: the deploy plan (see plan.h): manifests in, phased operations
 * out.  No I/O.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/manifest.h"
#include "common/xmalloc.h"
#include "deploy/plan.h"

static const char *phase_names[DP_NPHASES] = { "", "immutable", "other",
	"html", "manifest", "delete" };

const char *
deploy_phase_name(enum deploy_phase ph)
{
	return ph >= DP_IMMUTABLE && ph <= DP_DELETE ? phase_names[ph] : "";
}

static bool
same(const struct manifest_entry *a, const struct manifest_entry *b)
{
	return !strcmp(a->sha256, b->sha256) &&
	    !strcmp(a->content_type, b->content_type) &&
	    !strcmp(a->cache_control, b->cache_control) &&
	    !strcmp(a->redirect ? a->redirect : "", b->redirect ?
	    b->redirect : "");
}

static bool
is_page(const struct manifest_entry *e)
{
	return e->kind == MK_HTML || e->kind == MK_FEED;
}

static enum deploy_phase
phase_of(const struct manifest_entry *e)
{
	if (e->immutable)
		return DP_IMMUTABLE;
	if (is_page(e))
		return DP_HTML;
	return DP_OTHER;
}

/* append PATH's URL to P->inval unless SEEN has it */
static void
inval_add(struct deploy_plan *p, json_t *seen, const char *path)
{
	struct buf url = BUF_INIT;

	manifest_page_url(path, &url);
	if (!json_object_get(seen, url.buf)) {
		json_object_set_new(seen, url.buf, json_true());
		json_array_append_new(p->inval, json_string(url.buf));
	}
	buf_release(&url);
}

/* uploads by phase */
static void
plan_puts(const struct deploy_plan_in *in, struct deploy_plan *p,
    json_t *seen)
{
	const struct manifest *m = in->build;

	p->puts = xcalloc(m->nfiles + 1, sizeof(*p->puts));
	for (int ph = DP_IMMUTABLE; ph <= DP_HTML; ph++) {
		for (size_t i = 0; i < m->nfiles; i++) {
			const struct manifest_entry *e = &m->files[i];
			const struct manifest_entry *o = manifest_find(in->base,
			    e->path);
			const char *dirty = json_string_value(json_object_get(
			    in->dirty, e->path));
			struct deploy_put *t;
			if ((int)phase_of(e) != ph || (!dirty && !in->full &&
			    o && same(o, e)))
				continue;
			p->count[ph]++;
			p->bytes[ph] += e->size;
			t = &p->puts[p->nputs++];
			t->e = e;
			t->phase = (enum deploy_phase)ph;
			/* a repair overwrites even a fingerprinted object */
			t->create_only = e->immutable && !(dirty &&
			    !strcmp(dirty, "repair"));
			/* Fastly purges pages by this key on big changes */
			t->surrogate_key = is_page(e) ? in->surrogate_key :
			    NULL;
			if (is_page(e))
				inval_add(p, seen, e->path);
		}
	}
}

/* deletions: pages now; fingerprinted objects after the grace */
static void
plan_removed(const struct deploy_plan_in *in, struct deploy_plan *p,
    json_t *seen)
{
	const struct manifest *old = in->base;

	for (size_t i = 0; i < old->nfiles; i++) {
		const struct manifest_entry *o = &old->files[i];
		json_t *when;
		if (manifest_find(in->build, o->path))
			continue;
		if (is_page(o))
			inval_add(p, seen, o->path);
		if (o->immutable) {
			when = json_object_get(p->grace, o->path);
			if (!when) {
				json_object_set_new(p->grace, o->path,
				    json_integer(in->now));
				when = json_object_get(p->grace, o->path);
			}
			if (in->now - json_integer_value(when) <
			    in->delete_grace) {
				json_array_append_new(p->deferred,
				    json_string(o->path));
				p->ndeferred++;
				continue;
			}
		}
		json_array_append_new(p->deletes, json_string(o->path));
	}
}

/*
 * Objects of unknown outcome that neither the build nor the state has (a
 * killed deploy of a build since reverted): no page that landed names
 * them, so they go now.
 */
static void
plan_unknown(const struct deploy_plan_in *in, struct deploy_plan *p,
    json_t *seen)
{
	const char *path;
	json_t *why;

	json_object_foreach(in->dirty, path, why) {
		if (manifest_find(in->build, path) || manifest_find(in->base,
		    path))
			continue;
		json_array_append_new(p->deletes, json_string(path));
		/* its kind is unknown: tell the CDN, harmless */
		inval_add(p, seen, path);
	}
}

/* grace passed for objects removed by earlier deploys */
static void
plan_grace(const struct deploy_plan_in *in, struct deploy_plan *p)
{
	const char *path;
	json_t *when, *tmp;

	json_object_foreach_safe(p->grace, tmp, path, when) {
		bool listed = false;
		size_t i;
		json_t *dp;
		if (manifest_find(in->build, path)) {
			/* it came back: keep it */
			json_object_del(p->grace, path);
			continue;
		}
		if (manifest_find(in->base, path))
			continue;	/* handled above */
		json_array_foreach(p->deletes, i, dp)
			if (!strcmp(json_string_value(dp), path))
				listed = true;
		if (!listed && in->now - json_integer_value(when) >=
		    in->delete_grace)
			json_array_append_new(p->deletes, json_string(path));
		else if (!listed)
			p->ndeferred++;
	}
}

/*
 * The keep set wins over every deletion rule: a file a complete unit
 * names stays, and a fingerprinted one stays in the grace map too.
 */
static void
plan_keep(const struct deploy_plan_in *in, struct deploy_plan *p)
{
	json_t *left = json_array(), *dp;
	size_t i;

	json_array_foreach(p->deletes, i, dp) {
		if (json_object_get(in->keep, json_string_value(dp)))
			json_array_append(p->kept, dp);
		else
			json_array_append(left, dp);
	}
	json_decref(p->deletes);
	p->deletes = left;
}

int
deploy_plan(const struct deploy_plan_in *in, struct deploy_plan *p,
    struct buf *err)
{
	json_t *seen = json_object();
	size_t i, ndeletes;
	json_t *u;

	memset(p, 0, sizeof(*p));
	p->deletes = json_array();
	p->deferred = json_array();
	p->inval = json_array();
	p->kept = json_array();
	p->grace = in->grace ? json_deep_copy(in->grace) : json_object();
	/* URLs changed by earlier deploys and not yet invalidated */
	json_array_foreach(in->earlier, i, u) {
		const char *s = json_string_value(u);
		if (!s || json_object_get(seen, s))
			continue;
		json_object_set_new(seen, s, json_true());
		json_array_append_new(p->inval, json_string(s));
	}
	p->nearlier = json_array_size(p->inval);
	plan_puts(in, p, seen);
	plan_removed(in, p, seen);
	plan_unknown(in, p, seen);
	plan_grace(in, p);
	plan_keep(in, p);
	json_decref(seen);
	ndeletes = json_array_size(p->deletes);
	if (ndeletes > (size_t)in->max_deletes && !in->allow_deletes) {
		buf_setf(err, "%s: %zu deletions exceed max_deletes (%d); "
		    "nothing was changed: check the build, or deploy with "
		    "--allow-deletes", in->name, ndeletes, in->max_deletes);
		return -1;
	}
	return 0;
}

void
deploy_plan_release(struct deploy_plan *p)
{
	if (!p)
		return;
	free(p->puts);
	json_decref(p->deletes);
	json_decref(p->deferred);
	json_decref(p->inval);
	json_decref(p->kept);
	json_decref(p->grace);
	memset(p, 0, sizeof(*p));
}
