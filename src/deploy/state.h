/* SPDX-License-Identifier: ISC */
/*
 * state.h: inside the deployer (not for other modules): the context of a
 * deploy and the deployed state of one destination (state.c, decision
 * record 0051).  Everything a deploy_state holds is owned by it; release
 * it with deploy_state_release().
 */
#ifndef KILN_DEPLOY_STATE_H
#define KILN_DEPLOY_STATE_H

#include <jansson.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/manifest.h"

struct conf;
struct conf_target;
struct deploy_opts;
struct deploy_result;
struct dest;
struct store;

/* one deploy_run, while it deploys one target (borrowed, except mjson) */
struct deploy_ctx {
	const struct conf *c;
	const struct conf_target *t;
	struct store *st;
	const struct deploy_opts *o;
	struct deploy_result *res;
	const char *outdir;
	/*
	 * the build's files this destination's plan reads, effective
	 * headers: every one (a full plan), or only chg's (decision 0310)
	 */
	struct manifest *m;
	struct manifest full;		/* every file, effective (have_full) */
	struct manifest part;		/* chg's files, effective */
	struct manifest none;		/* empty */
	bool have_full;
	size_t nfiles;			/* files of the build */
	const struct changes *chg;	/* OUTDIR's changes.json, or NULL */
	const char *out_id;		/* the build's output id, or "" */
	char hsha[17];			/* the target's header rules, hashed */
	char msha[65];			/* the manifest head's SHA-256, named
					   in the journal */
	struct deploy_shards *shards;	/* the build's manifest shards,
					   computed as needed (owned) */
	size_t mput;			/* manifest objects sent to this
					   destination */
	int64_t now;
};
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
 *   journal the running deploy's plan and what landed: the plan saved
 *           before the first transfer, what landed appended after every
 *           batch.  The next deploy folds it into base (landed objects)
 *           and dirty (the rest) before it plans, so a failed or killed
 *           deploy is never forgotten.
 *   gen     the generation of base's rows in the store (0: none yet);
 *           synced: base is what the rows hold.
 *   output  the build output (its id, decision 0290) the rows are, with
 *           the target's header rules (headers, hashed) and its number
 *           of files: written only by a deploy that ended in sync,
 *           cleared by anything else that changes the rows, so a build
 *           whose changes.json names it as its base is planned from the
 *           changes alone (decision 0310).
 *   partial base holds only the rows of the paths the changes name
 *           (rows_read of them), none when the destination holds the
 *           build's output already (same); the plan is "changes", else
 *           "full".
 */
struct deploy_state {
	char id[17];
	char *mkey, *skey, *jkey;
	struct manifest base;
	json_t *dirty, *inval, *grace, *journal;
	int64_t deployed_at;	/* the last deploy that ended in sync */
	size_t resumed;
	int64_t gen;
	bool synced;
	bool remember;		/* keep base in the process's memo */
	char output[CHANGES_ID_LEN + 1];	/* "" when not known */
	char headers[17];
	int64_t files;		/* -1 when not known */
	json_t *shards;		/* the manifest shards the destination
				   holds, {"XX": sha256} (decision 0370):
				   dropped when a journal begins, set when
				   the head landed; NULL: not known */
	bool partial;
	bool same;		/* partial: it holds the build's output */
	size_t rows_read;
	const char *why;	/* why the plan is full (static text) */
};

/*
 * The manifest objects of one destination (deploy_manifest.c, decision
 * 0370): the shards to send, then the head, as transfers.
 */
struct deploy_manifest {
	struct xfer *xf;	/* nshards shards, then the head */
	size_t n, nshards;
	bool some;		/* only the changes' shards were computed */
	json_t *map;		/* the shards held once the head landed */
	struct buf head;	/* the head's text */
	char hsha[65];
};
struct dest;
/* plan D's manifest objects for this build; -1 with err */
int deploy_manifest_plan(struct deploy_ctx *x, struct dest *d,
    const struct deploy_state *ds, struct deploy_manifest *mp,
    struct buf *err);
void deploy_manifest_release(struct deploy_manifest *mp);
/* the build's shards, once a deploy */
void deploy_shards_free(struct deploy_shards *bs);
/* PATH (relative to the prefix) is one of kiln's manifest objects */
bool deploy_manifest_key(const char *path);

/* a log line to the deploy's log, if any */
void deploy_logf(struct deploy_ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Load D's state; a journal left by a deploy that did not finish is
 * folded in (and, unless dry_run, saved).  -1 with err on a damaged
 * record (nothing changed).
 */
int deploy_state_load(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err);
/*
 * Save "state", and when OLD is not NULL the rows: what differs between
 * OLD (what they hold) and ds->base; one transaction.
 */
int deploy_state_save(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, const struct manifest *old, struct buf *err);
void deploy_state_release(struct deploy_state *ds);
/* the journal's head and its "plan" rows, before the first transfer */
int deploy_journal_begin(struct deploy_ctx *x, struct deploy_state *ds,
    struct buf *err);
/* OBJ's {path: value} appended to the journal as WHAT ("plan", "landed") */
int deploy_journal_add(struct deploy_ctx *x, struct deploy_state *ds,
    const char *what, json_t *obj, struct buf *err);
/* in sync: base becomes the build's manifest, the journal goes */
int deploy_state_in_sync(struct deploy_ctx *x, struct dest *d,
    struct deploy_state *ds, struct buf *err);
/*
 * The files of the build once this deploy is in sync: x->m's count, or,
 * for a partial base, the destination's count less the removed rows plus
 * the added paths.
 */
size_t deploy_state_nfiles(const struct deploy_ctx *x,
    const struct deploy_state *ds);
/* mark PATH dirty; "repair" is kept over "unknown" */
void deploy_mark_dirty(json_t *dirty, const char *path, const char *why);
/* an entry as the journal records it (new reference) */
json_t *deploy_entry_json(const struct manifest_entry *e);

#endif
