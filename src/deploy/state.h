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
	struct manifest *m;		/* the build's, effective headers */
	char msha[65];			/* its hash, named in the journal */
	struct buf mjson;		/* its JSON */
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
};

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
/* mark PATH dirty; "repair" is kept over "unknown" */
void deploy_mark_dirty(json_t *dirty, const char *path, const char *why);
/* an entry as the journal records it (new reference) */
json_t *deploy_entry_json(const struct manifest_entry *e);

#endif
