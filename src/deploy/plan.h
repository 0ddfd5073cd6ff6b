/* SPDX-License-Identifier: ISC */
/*
 * plan.h: what a deploy to one destination will do, decided before it
 * does anything (decision record 0110).  deploy_plan() is pure: it reads
 * the build's manifest and the destination's deployed state and returns
 * phased operations; it does no I/O and changes none of its inputs.
 * deploy.c applies the plan (uploads, invalidation, deletions) and keeps
 * the state (decision record 0051).
 *
 * The rules:
 *   - a build file is uploaded when the deployed manifest lacks it or
 *     differs from it in content, Content-Type or Cache-Control (a
 *     header-only change is a change), when its path is dirty, or always
 *     with full;
 *   - uploads go in phases: DP_IMMUTABLE (fingerprinted and media
 *     objects), DP_OTHER (other non-HTML files), DP_HTML (pages and
 *     feeds); the manifest (DP_MANIFEST) and the deletions (DP_DELETE)
 *     follow, applied by the caller;
 *   - an immutable object is sent create-if-absent, unless its path is
 *     dirty "repair" (a damaged object is replaced);
 *   - pages and feeds carry the surrogate key, if any (Fastly's);
 *   - a removed page or feed, and a dirty path neither the build nor the
 *     manifest has (an unknown outcome), is deleted now; a removed
 *     immutable object waits delete_grace seconds after the first deploy
 *     that stopped naming it (the grace map) and then goes; an object
 *     that comes back leaves the grace map;
 *   - the URLs to invalidate are the earlier deploys' (earlier) then the
 *     changed, removed and unknown pages', each once;
 *   - a path in the keep set (the shared files complete units use,
 *     decision 0270) is never deleted: it stays in the grace map, so it
 *     goes if the keep set ever stops naming it;
 *   - more deletions than max_deletes refuse the plan unless
 *     allow_deletes.
 */
#ifndef KILN_DEPLOY_PLAN_H
#define KILN_DEPLOY_PLAN_H

#include <jansson.h>

struct buf;
struct manifest;
struct manifest_entry;

enum deploy_phase {
	DP_IMMUTABLE = 1, DP_OTHER, DP_HTML, DP_MANIFEST, DP_DELETE
};
#define DP_NPHASES (DP_DELETE + 1)

/* the phase's name in logs and the plan JSON ("immutable", ...) */
const char *deploy_phase_name(enum deploy_phase ph);

struct deploy_plan_in {
	const char *name;		/* the destination, for the error */
	const struct manifest *build;	/* effective headers, sorted */
	const struct manifest *base;	/* what the destination holds */
	json_t *dirty;			/* {path: "unknown"|"repair"} */
	json_t *grace;			/* {path: first seen, unix time} */
	json_t *keep;			/* {path: ...}: never deleted; may
					   be NULL */
	json_t *earlier;		/* URLs not yet invalidated; NULL
					   unless the destination has a CDN */
	int64_t now;
	int64_t delete_grace;		/* seconds */
	int max_deletes;
	bool allow_deletes;
	bool full;			/* upload every file */
	const char *surrogate_key;	/* pages carry it (Fastly), or NULL */
};

struct deploy_put {
	const struct manifest_entry *e;	/* borrowed from in->build */
	enum deploy_phase phase;
	bool create_only;		/* If-None-Match: * */
	const char *surrogate_key;	/* in->surrogate_key, or NULL */
};

/* everything below is owned by the plan: deploy_plan_release() */
struct deploy_plan {
	struct deploy_put *puts;	/* in phase order */
	size_t nputs;
	size_t count[DP_NPHASES];	/* uploads per phase */
	int64_t bytes[DP_NPHASES];
	json_t *deletes;		/* [path]: now */
	json_t *deferred;		/* [path]: removed now, in grace */
	size_t ndeferred;		/* objects in grace, earlier ones too */
	json_t *kept;			/* [path]: due for deletion, kept */
	json_t *inval;			/* [URL]: to invalidate */
	size_t nearlier;		/* of which from earlier deploys */
	json_t *grace;			/* the grace map after this deploy */
};

/*
 * Plan a deploy to one destination.  P is always filled (release it);
 * -1 with err when the deletions exceed max_deletes.
 */
int deploy_plan(const struct deploy_plan_in *in, struct deploy_plan *p,
    struct buf *err);
void deploy_plan_release(struct deploy_plan *p);

#endif
