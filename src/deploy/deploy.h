/* SPDX-License-Identifier: ISC */
/*
 * deploy.h: publish a build's output folder to its targets.
 *
 * The plan is the difference between the build's manifest and the
 * target's last deployed manifest, kept in the store (no bucket listing,
 * no re-hashing of remote objects); when the destination holds the
 * output the build's .kiln/changes.json names as its base, only the
 * changed and removed paths are read and written (decision 0310).  Uploads go in phases, each finished
 * before the next starts, so that no HTML page ever names an object that
 * is not there yet: (1) fingerprinted and media objects, create-if-absent;
 * (2) other changed non-HTML files; (3) HTML and feeds; (4) the manifest;
 * then CDN invalidation of the changed URLs; (5) deletions, last, with
 * fingerprinted objects kept for delete_grace after the build that stopped
 * naming them.  More deletions than max_deletes stop the deploy before
 * anything changes unless allow_deletes.  A primary and its mirrors are
 * one deploy; each keeps its own deployed state, keyed by its identity
 * (not the target's name), so a mirror that failed catches up next time.
 * What landed is journalled after every batch and what may have changed
 * without kiln knowing is marked dirty, so the state never claims an
 * object the destination lacks, a failed or killed deploy is converged
 * by the next one, and URLs not yet invalidated are retried by it.
 */
#ifndef KILN_DEPLOY_H
#define KILN_DEPLOY_H

#include <jansson.h>

struct buf;
struct conf;
struct store;

struct deploy_opts {
	bool dry_run;		/* plan only; touch nothing */
	bool allow_deletes;	/* past max_deletes */
	bool verify;		/* list the bucket, compare content, repair */
	bool full;		/* send every object, changed or not */
	/*
	 * called after every batch of transfers (the CLI draws a progress
	 * bar); may be NULL
	 */
	void (*progress)(void *arg, const char *dest, size_t done,
	    size_t total, int64_t bytes);
	void *progress_arg;
	struct buf *log;	/* plain progress lines; may be NULL */
	bool remember;		/* a long-lived process: keep each
				   destination's deployed manifest in memory
				   while its rows' generation is unchanged
				   (decision 0250) */
	/*
	 * May be NULL.  Called before every step that changes a
	 * destination or its deployed state in the store (the journal,
	 * each upload phase, the manifest, the CDN purge, the deletions,
	 * the final state); -1 (with err) stops the deploy there, as a
	 * failure.  The worker renews its build's lease here (0170).
	 */
	int (*fence)(void *arg, const char *step, struct buf *err);
	void *fence_arg;
};

struct deploy_result {
	size_t uploaded, skipped, deleted, deferred;
	int64_t bytes;
	int64_t ms;
	json_t *plan;		/* per destination: phases, deletes, bytes */
	json_t *changed;	/* URLs changed or removed (for the CDN) */
	json_t *errors;		/* per destination that failed */
	/*
	 * per destination, in kiln.yaml order (a target, then its mirrors
	 * "NAME.mirror.N"): {"name", "status": "deployed" | "failed" |
	 * "skipped" | "planned" (a dry run), "uploaded", "deleted",
	 * "unchanged" (objects: the site's files and kiln's manifest
	 * object), and "error" (scrubbed of secrets) when failed or
	 * "reason" when skipped}; decision record 0230
	 */
	json_t *targets;
};

/*
 * Deploy OUTDIR (holding .kiln/manifest.json) to TARGET (NULL: every
 * target that shows live content; a staging target, content: latest,
 * deploys its own build and only when named, decision record 0132).  0 when every destination is in sync; -1 with err otherwise
 * (the result still says what was done).  Release with
 * deploy_result_release().
 */
int deploy_run(const struct conf *c, struct store *st, const char *target,
    const char *outdir, const struct deploy_opts *opts,
    struct deploy_result *res, struct buf *err);
void deploy_result_release(struct deploy_result *res);

/* ---- units of a multi-unit site (deploy_unit.c, docs/units.md) ---- */

struct deploy_unit_result {
	size_t uploaded;	/* pages and other files of the unit */
	size_t shared_uploaded;	/* content-hashed files written */
	size_t shared_present;	/* content-hashed files already there */
	int64_t bytes;
	/*
	 * per destination, in kiln.yaml order (decision 0273, as 0230's
	 * for a site build): {"name", "status": "deployed" | "failed" |
	 * "skipped", "uploaded", "shared_uploaded", "shared_present", and
	 * "error" (scrubbed) or "reason"}; release with
	 * deploy_unit_result_release()
	 */
	json_t *targets;
};

/*
 * Deploy a unit's build OUTDIR to every live target and mirror: its
 * content-hashed files (manifest "immutable") create-if-absent at their
 * site path, shared by every unit (the Gatekeeper); then its files under
 * UNIT_PREFIX ("units/ID/VERSION/"); then UNIT_PREFIX.complete holding
 * MARKER (the unit's manifest), last.  Nothing else of OUTDIR is sent.
 * No deployed state is kept: a unit version is written once.  F, if
 * not NULL, is asked before each of the three steps (the caller's lease
 * check, decision 0170); its refusal stops the deploy there, no marker.
 * A destination that fails stops there (no marker on it); the others
 * go on.  0 when every live destination has the marker; -1 with err
 * (the first failure) otherwise.  R is always filled.
 */
struct deploy_fence {
	int (*fn)(void *arg, const char *step, struct buf *err);
	void *arg;
};
int deploy_unit(const struct conf *c, const char *outdir,
    const char *unit_prefix, const char *marker,
    const struct deploy_fence *f, struct deploy_unit_result *r,
    struct buf *err);
void deploy_unit_result_release(struct deploy_unit_result *r);
/*
 * Every marker under PREFIX on each live target and mirror: FN(KEY
 * below PREFIX, e.g. "book/1/.complete", DEST_INDEX, ARG) with one LIST
 * of PREFIX per destination (*METHOD "list").  A destination that
 * refuses to list (HTTP 403: credentials without s3:ListBucket) is asked
 * one HEAD per key of KEYS[0..NKEYS) instead (*METHOD "head").  *NDEST
 * destinations, *REQUESTS requests.
 */
int deploy_unit_markers(const struct conf *c, const char *prefix,
    const char *const *keys, size_t nkeys,
    int (*fn)(const char *, size_t, void *), void *arg, size_t *ndest,
    size_t *requests, const char **method, struct buf *err);

#endif
