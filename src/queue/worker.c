/* SPDX-License-Identifier: ISC */
/*
 * worker.c: running builds (see queue.h).  The worker holds its own store
 * handle (STYLE H28) and renews its lease between steps; a worker that
 * dies stops renewing, and the next claim after the lease takes over.
 * Fencing (decision 0170): the claim's token renews the lease, guards
 * every step that changes a target and records the result; a worker
 * whose lease was taken over (it was stopped, or the store was away)
 * learns it there and abandons the build without touching anything.
 */
#include "common/compat.h"

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/jsonsafe.h"
#include "common/log.h"
#include "common/scrub.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_live.h"
#include "deploy/deploy.h"
#include "feed/feed.h"
#include "history/history.h"
#include "notify/notify.h"
#include "queue/queue.h"
#include "queue/worker_int.h"
#include "render/render.h"
#include "store/store.h"
#include "store/store_beat.h"
#include "store/store_build.h"

void
worker_name(char *out, size_t outsz)
{
	char host[128] = "localhost";

	gethostname(host, sizeof(host) - 1);
	snprintf(out, outsz, "%s:%ld", host, (long)getpid());
}

static void
blog(struct store *st, int64_t id, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void
blog(struct store *st, int64_t id, const char *fmt, ...)
{
	struct buf line = BUF_INIT, err = BUF_INIT;
	char who[32];
	va_list ap;

	snprintf(who, sizeof(who), "build %lld", (long long)id);
	va_start(ap, fmt);
	log_stamp(&line, who, fmt, ap);
	va_end(ap);
	store_build_append_log(st, id, line.buf, &err);
	buf_release(&line);
	buf_release(&err);
}

struct held {
	struct store *st;
	int64_t id;
};

static void
held_note(void *arg, const char *path)
{
	struct held *h = arg;

	blog(h->st, h->id, "test hook: held while %s exists", path);
}

/*
 * history: commit (and push); a failure is logged, never fatal.  *LOCKFD,
 * the output folder's lock, is closed as soon as the commit has read
 * OUTDIR.
 */
static void
record_history(const struct conf *c, struct store *st, int64_t id,
    const char *outdir, const char *reasons, char commit[41], int *lockfd)
{
	struct history_commit_info hi;
	struct history_push_opts po;
	struct buf err = BUF_INIT;
	char *repo, bid[32];
	int r;

	commit[0] = '\0';
	if (!c->history.enabled)
		return;
	repo = conf_path(c, c->history.path);
	snprintf(bid, sizeof(bid), "%lld", (long long)id);
	r = history_commit(repo, c->history.branch, outdir, bid, reasons, &hi,
	    &err);
	/* OUTDIR is read: let the next build have it during the push */
	if (*lockfd != -1) {
		close(*lockfd);
		*lockfd = -1;
	}
	if (r == -1) {
		blog(st, id, "history: commit failed (publishing goes on): %s",
		    err.buf);
		log_warnx("build %lld: %s", (long long)id, err.buf);
	} else {
		strlcpy(commit, hi.commit, 41);
		if (hi.same_tree)
			blog(st, id, "history: nothing changed, no commit "
			    "(the tree is that of %.12s)", hi.commit);
		else
			blog(st, id, "history: commit %.12s (%zu files "
			    "written%s)", hi.commit, hi.written, hi.fast ?
			    ", from the build's changes" : "");
		if (c->history.remote) {
			po.ssh_key = c->history.ssh_key;
			po.token_env = c->history.token_env;
			buf_reset(&err);
			if (history_push(repo, c->history.branch,
			    c->history.remote, &po, &err) == -1) {
				blog(st, id, "history: push failed, retried "
				    "with the next build: %s", err.buf);
				log_warnx("build %lld: %s", (long long)id,
				    err.buf);
			} else
				blog(st, id, "history: pushed");
		}
	}
	free(repo);
	buf_release(&err);
}

/*
 * The heartbeat: renews the lease every build.heartbeat while a build
 * runs, on its own thread and store handle, so a long render keeps its
 * lease and a dead worker's lease lapses within build.lease.
 */
/* the claim the heartbeat renews (store_beat.h) */
struct beat {
	int64_t id, token;
	const char *worker;
	struct store_beat sb;
};

static int
renew(struct store *st, void *arg, int64_t lease, struct buf *err)
{
	struct beat *b = arg;
	int rc = store_build_heartbeat(st, b->id, b->token, lease, err);

	if (b->worker)
		worker_presence(st, b->worker, lease);
	return rc;
}

static int run_claimed(const struct conf *, struct store *, const char *,
    struct beat *, bool *, struct buf *);

int
worker_run_once(const struct conf *c, struct store *st, const char *worker,
    int64_t *build_id, bool *ok, struct buf *err)
{
	int64_t id, token;
	int64_t lease = c->build.lease > 0 ? c->build.lease : 60;
	struct beat b;
	int rc;

	*ok = false;
	/* a rollback asked through the API or the CLI goes first */
	{
		int64_t to = 0;
		if (store_build_rollback_take(st, &to, err) == -1)
			return -1;
		if (to) {
			struct buf re = BUF_INIT;
			*ok = worker_rollback(c, st, to, build_id, &re) == 0;
			if (!*ok)
				log_warnx("rollback to build %lld: %s",
				    (long long)to, re.buf);
			buf_release(&re);
			return 0;
		}
	}
	if (store_build_claim(st, worker, lease, &id, &token, err) == -1)
		return -1;
	*build_id = id;
	if (!id)
		return 0;
	b.id = id;
	b.token = token;
	/* kiln publish --wait runs builds too, but consumes no queue */
	b.worker = worker_in_loop() ? worker : NULL;
	b.sb.c = c;
	b.sb.what = "heartbeat";
	b.sb.renew = renew;
	b.sb.arg = &b;
	store_beat_start(&b.sb);
	rc = run_claimed(c, st, worker, &b, ok, err);
	store_beat_stop(&b.sb);
	return rc;
}

/* one build on its way through the stages (run_claimed) */
struct run {
	const struct conf *c;
	struct store *st;
	int64_t id, attempt, lease;
	int64_t token;			/* the claim's fencing token */
	atomic_int *lost;		/* set by the heartbeat or a fence */
	bool said;			/* the loss is in the build's log */
	const char *reasons;		/* in rec */
	bool staging;			/* a staging build (decision 0281) */
	json_t *rec;			/* the build record, owned */
	struct render_result rr;
	struct deploy_result dr;
	char commit[41];
	char *outdir;			/* owned */
	struct buf e, log;
};

static void
run_log(struct run *r, struct buf *err)
{
	if (r->log.len)
		store_build_append_log(r->st, r->id, r->log.buf, err);
	buf_reset(&r->log);
}

static bool
run_lost(struct run *r)
{
	return atomic_load(r->lost) != 0;
}

/*
 * The lease is lost (TAKEN: to another claim; else the store could not
 * confirm it): said once, in the build's log and the worker's.
 */
static void
run_abandon(struct run *r, const char *step, bool taken, const char *why)
{
	atomic_store(r->lost, 1);
	if (r->said)
		return;
	r->said = true;
	blog(r->st, r->id, "%s before %s: this attempt stops; it deploys and "
	    "records nothing more (%s)", taken ? "lease lost to take-over" :
	    "lease not confirmed", step, why);
}

/*
 * Before STEP, which changes a target or the build's outcome: renew the
 * lease with the claim's token, atomically (store_build_heartbeat).  -1
 * when another claim holds the build, or the store cannot confirm this
 * one for about 30 s (the build is then left to a take-over): STEP must
 * not run.
 */
static int
run_fence(struct run *r, const char *step)
{
	struct buf e = BUF_INIT;
	int i;

	for (i = 0; !run_lost(r); i++) {
		buf_reset(&e);
		store_err_clear(r->st);
		if (store_build_heartbeat(r->st, r->id, r->token, r->lease,
		    &e) == 0)
			break;
		if (store_err_kind(r->st) != ERR_UNAVAILABLE || i == 60) {
			run_abandon(r, step, store_err_kind(r->st) ==
			    ERR_CONFLICT, e.buf);
			break;
		}
		{
			struct timespec ts = { 0, 500 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	/* the heartbeat thread found another claim */
	if (run_lost(r))
		run_abandon(r, step, true, "the heartbeat found another claim");
	buf_release(&e);
	return run_lost(r) ? -1 : 0;
}

/* deploy_opts.fence: the lease, before each step of a deploy */
static int
deploy_fence(void *arg, const char *step, struct buf *err)
{
	if (run_fence(arg, step) == -1) {
		buf_setf(err, "lease lost to take-over");
		return -1;
	}
	return 0;
}

/* the claimed build's record; a test may hold the build here */
static int
stage_claimed(struct run *r, const char *worker, struct buf *err)
{
	if (store_build_get(r->st, r->id, false, &r->rec, err) != 0)
		return -1;
	r->attempt = json_integer_value(json_object_get(r->rec, "attempt"));
	r->reasons = json_string_value(json_object_get(r->rec, "reasons"));
	r->staging = json_is_true(json_object_get(r->rec, "staging"));
	log_field_int("attempt", r->attempt);
	blog(r->st, r->id, "claimed by %s (attempt %lld): %s", worker,
	    (long long)r->attempt, r->reasons);
	/* a test holds the build here, claimed and beating (testhook.h) */
	{
		struct held h = { r->st, r->id };
		if (testhook_hold(held_note, &h))
			blog(r->st, r->id, "test hook: released");
	}
	return 0;
}

/* render: the snapshot's watermark is what this build covers */
static int
stage_render(struct run *r, struct buf *err)
{
	struct render_opts ro;
	char bid[32];

	log_field_str("phase", "render");
	memset(&ro, 0, sizeof(ro));
	snprintf(bid, sizeof(bid), "%lld", (long long)r->id);
	ro.build_id = bid;
	ro.log = &r->log;
	/* the folder stays locked until it is deployed and committed */
	ro.keep_lock = true;
	ro.remember = true;
	if (render_build(r->c, r->st, &ro, &r->rr, &r->e) == -1) {
		run_log(r, err);
		blog(r->st, r->id, "render failed: %s", r->e.buf);
		return -1;
	}
	run_log(r, err);
	store_build_set_seq(r->st, r->id, r->rr.seq, err);
	log_field_int("pages", (long long)r->rr.pages);
	log_field_int("duration_ms", (long long)r->rr.ms);
	blog(r->st, r->id, "rendered %zu pages (%zu rendered, %zu reused) at "
	    "change %lld, %zu page rows read (%.1f ms, %.1f ms CPU), %zu "
	    "summaries kept, %zu pages and %zu term pages carried over, %zu "
	    "of %zu manifest entries kept, %zu outputs held", r->rr.pages,
	    r->rr.rendered, r->rr.reused, (long long)r->rr.seq,
	    r->rr.rows_read, (double)r->rr.snap_us / 1000,
	    (double)r->rr.snap_cpu_us / 1000, r->rr.summaries_kept,
	    r->rr.pages_carried, r->rr.terms_carried, r->rr.entries_kept,
	    r->rr.files, r->rr.outputs_held);
	log_field_del("pages");
	log_field_del("duration_ms");
	return 0;
}

/* cancelled while rendering: stop before anything is deployed */
static bool
stage_cancelled(struct run *r, struct buf *err)
{
	json_t *now_rec = NULL;
	bool cancelled = store_build_get(r->st, r->id, false, &now_rec,
	    err) == 0 &&
	    !strcmp(json_string_value(json_object_get(now_rec,
	    "status")), "cancelled");

	json_decref(now_rec);
	if (cancelled)
		blog(r->st, r->id, "cancelled before the deploy");
	return cancelled;
}

static int
stage_deploy(struct run *r, struct buf *err)
{
	struct deploy_opts dopt;

	struct buf names = BUF_INIT;

	/* the targets this deploy goes to, on every line it logs */
	for (size_t i = 0; i < r->c->ntargets; i++)
		buf_printf(&names, "%s%s", i ? "," : "",
		    r->c->targets[i].name);
	log_field_str("phase", "deploy");
	log_field_str("target", names.buf);
	buf_release(&names);
	memset(&dopt, 0, sizeof(dopt));
	dopt.log = &r->log;
	dopt.remember = true;
	dopt.fence = deploy_fence;
	dopt.fence_arg = r;
	/* the folder this build wrote, even if build.out moves on */
	r->outdir = xstrdup(r->rr.dir);
	if (r->c->ntargets && deploy_run(r->c, r->st, NULL, r->outdir, &dopt,
	    &r->dr, &r->e) == -1) {
		run_log(r, err);
		blog(r->st, r->id, "deploy failed: %s", r->e.buf);
		return -1;
	}
	run_log(r, err);
	log_field_int("uploaded", (long long)r->dr.uploaded);
	log_field_int("deleted", (long long)r->dr.deleted);
	log_field_int("bytes", (long long)r->dr.bytes);
	log_field_int("duration_ms", (long long)r->dr.ms);
	blog(r->st, r->id, "deployed: %zu uploaded, %zu deleted, %lld bytes",
	    r->dr.uploaded, r->dr.deleted, (long long)r->dr.bytes);
	log_field_del("uploaded");
	log_field_del("deleted");
	log_field_del("bytes");
	log_field_del("duration_ms");
	log_field_del("target");
	return 0;
}

/*
 * The production deploy listed staging target NAME as skipped: its line
 * becomes the outcome of its own deploy (DR; NULL when the render
 * failed, WHY), each line marked "staging" (decision 0230).
 */
static void
staging_record(struct run *r, const char *name, const json_t *dr,
    const char *why)
{
	json_t *list = r->dr.targets, *v;
	size_t i;
	const char *n;

	json_array_foreach(list, i, v) {
		n = json_string_value(json_object_get(v, "name"));
		if (n && !strcmp(n, name))
			break;
	}
	if (!list || i == json_array_size(list))
		return;
	json_array_remove(list, i);
	if (!dr || !json_array_size(dr)) {
		char *clean = scrub_str(why && *why ? why : "not deployed");
		v = json_pack("{s:s, s:s, s:i, s:i, s:i, s:o, s:b}", "name",
		    name, "status", "failed", "uploaded", 0, "deleted", 0,
		    "unchanged", 0, "error", jsafe_string(clean), "staging", 1);
		free(clean);
		if (v)
			json_array_insert_new(list, i, v);
		return;
	}
	json_array_foreach(dr, i, v) {
		json_t *c;
		/* the targets a named deploy did not select (not its own) */
		if (!strcmp(json_string_value(json_object_get(v, "status")) ?
		    json_string_value(json_object_get(v, "status")) : "",
		    "skipped"))
			continue;
		c = json_deep_copy(v);
		json_object_set_new(c, "staging", json_true());
		json_array_append_new(list, c);
	}
}

/* what the staging targets of one build did, together (0281) */
struct staged {
	size_t failed, pages, rendered, files, uploaded, deleted;
	int64_t bytes, seq, render_ms, deploy_ms;
};

static void
staged_add(struct staged *sg, const struct render_result *rr,
    const struct deploy_result *dr)
{
	sg->pages += rr->pages;
	sg->rendered += rr->rendered;
	sg->files += rr->files;
	sg->render_ms += rr->ms;
	if (!sg->seq || rr->seq < sg->seq)
		sg->seq = rr->seq;
	sg->uploaded += dr->uploaded;
	sg->deleted += dr->deleted;
	sg->bytes += dr->bytes;
	sg->deploy_ms += dr->ms;
}

/*
 * Each staging target (content: latest) on its own, after production:
 * the latest revisions rendered into the target's own folder and
 * deployed to it alone (decision record 0132).  Its outcome is logged;
 * it never changes the production build's, nor production its.
 */
static void
stage_staging(struct run *r, struct staged *sg, struct buf *err)
{
	const struct conf *c = r->c;

	memset(sg, 0, sizeof(*sg));
	for (size_t i = 0; i < c->ntargets; i++) {
		const struct conf_target *t = &c->targets[i];
		struct render_opts ro;
		struct render_result rr;
		struct deploy_opts dopt;
		struct deploy_result dr;
		struct buf e = BUF_INIT;
		char bid[32], *out;

		if (t->content != CONF_CONTENT_LATEST)
			continue;
		if (run_fence(r, "a staging deploy") == -1) {
			sg->failed++;
			return;
		}
		memset(&ro, 0, sizeof(ro));
		memset(&dopt, 0, sizeof(dopt));
		memset(&dr, 0, sizeof(dr));
		snprintf(bid, sizeof(bid), "%lld", (long long)r->id);
		out = render_staging_out(t->name);
		ro.outdir = out;
		ro.build_id = bid;
		ro.log = &r->log;
		ro.keep_lock = true;
		ro.staging = true;
		dopt.log = &r->log;
		dopt.fence = deploy_fence;
		dopt.fence_arg = r;
		if (render_build(c, r->st, &ro, &rr, &e) == -1) {
			run_log(r, err);
			blog(r->st, r->id, "staging %s: render failed: %s",
			    t->name, e.buf);
			sg->failed++;
			{
				char *why = xasprintf("render failed: %s",
				    e.buf);
				staging_record(r, t->name, NULL, why);
				free(why);
			}
		} else if (deploy_run(c, r->st, t->name, rr.dir, &dopt, &dr,
		    &e) == -1) {
			run_log(r, err);
			blog(r->st, r->id, "staging %s: deploy failed (the "
			    "next build retries it): %s", t->name, e.buf);
			sg->failed++;
		} else {
			run_log(r, err);
			staged_add(sg, &rr, &dr);
			blog(r->st, r->id, "staging %s: %zu pages at their "
			    "latest revision; %zu uploaded, %zu deleted",
			    t->name, rr.pages, dr.uploaded, dr.deleted);
		}
		if (dr.targets)
			staging_record(r, t->name, dr.targets, e.buf);
		if (e.len)
			log_warnx("build %lld: staging %s: %s",
			    (long long)r->id, t->name, e.buf);
		if (rr.lockfd != -1)
			close(rr.lockfd);
		deploy_result_release(&dr);
		buf_release(&e);
		free(out);
	}
}

static void
stage_history(struct run *r)
{
	if (r->c->history.enabled && run_fence(r, "the history commit") == -1)
		return;
	log_field_str("phase", "history");
	record_history(r->c, r->st, r->id, r->outdir, r->reasons, r->commit,
	    &r->rr.lockfd);
}

/*
 * store_build_finish, tried again while the store is unavailable (a
 * PostgreSQL restart between the deploy and the record): giving up would
 * leave the build running until its lease expires and another worker
 * deployed it a second time.  About 30 s at most.  Fenced by the claim's
 * token: a stale claim records nothing (decision 0170).
 */
static int
finish(struct run *r, bool ok, const char *error, const char *counts,
    const char *commit, int64_t retry_at, struct buf *err)
{
	for (int i = 0; ; i++) {
		buf_reset(err);
		store_err_clear(r->st);
		if (store_build_finish(r->st, r->id, r->token, ok, error, counts,
		    commit, retry_at, err) == 0)
			return 0;
		if (store_err_kind(r->st) == ERR_CONFLICT) {
			run_abandon(r, "recording the result", true, err->buf);
			return -1;
		}
		if (store_err_kind(r->st) != ERR_UNAVAILABLE || i == 60)
			return -1;
		log_warnx("build %lld: recording the result: %s; trying "
		    "again", (long long)r->id, err->buf);
		{
			struct timespec ts = { 0, 500 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
}

/* record the success with the build's counts, and report a recovery */
static void
stage_succeeded(struct run *r, bool *ok, struct buf *err)
{
	json_t *counts;
	char *cj;

	log_field_str("phase", "record");
	counts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I}", "pages", (json_int_t)r->rr.pages, "rendered",
	    (json_int_t)r->rr.rendered, "files", (json_int_t)r->rr.files,
	    "uploaded", (json_int_t)r->dr.uploaded, "deleted",
	    (json_int_t)r->dr.deleted, "bytes", (json_int_t)r->dr.bytes,
	    "next_change", (json_int_t)r->rr.next_change, "render_ms",
	    (json_int_t)r->rr.ms, "deploy_ms", (json_int_t)r->dr.ms,
	    "invalidated", (json_int_t)json_array_size(r->dr.changed));
	/* per destination (decision 0230); build_row lifts it out */
	if (r->dr.targets)
		json_object_set(counts, "targets", r->dr.targets);
	cj = json_dumps(counts, JSON_COMPACT);
	json_decref(counts);
	if (finish(r, true, NULL, cj, r->commit[0] ? r->commit : NULL, 0,
	    err) == -1) {
		free(cj);
		return;
	}
	free(cj);
	blog(r->st, r->id, "succeeded");
	*ok = true;
	if (notify_build_succeeded(&r->c->notify, r->c->site.title, r->st,
	    r->id, &r->e) == -1)
		log_warnx("build %lld: %s", (long long)r->id, r->e.buf);
}

/* record the failure: retry after a backoff, or report it */
static void
stage_failed(struct run *r, struct buf *err)
{
	const struct conf *c = r->c;
	int64_t retry_at = 0;
	char *cj = NULL;
	int rc;

	log_field_str("phase", "record");
	if (r->attempt <= c->build.retries)
		retry_at = time_now() + (c->build.retry_backoff > 0 ?
		    c->build.retry_backoff : 10) * (1LL << (r->attempt - 1));
	/* a failed deploy still says what each destination did (0230) */
	if (r->dr.targets && json_array_size(r->dr.targets)) {
		json_t *o = json_pack("{s:O}", "targets", r->dr.targets);
		cj = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	}
	rc = finish(r, false, r->e.buf, cj, NULL, retry_at, err);
	free(cj);
	if (rc == -1)
		return;
	if (retry_at)
		blog(r->st, r->id, "failed; attempt %lld of %d, retrying in "
		    "%llds", (long long)r->attempt, c->build.retries + 1,
		    (long long)(retry_at - time_now()));
	else {
		json_t *full = NULL;
		struct buf ne = BUF_INIT;
		blog(r->st, r->id, "failed after %lld attempts; its requests "
		    "wait for the next build", (long long)r->attempt);
		store_build_get(r->st, r->id, true, &full, err);
		if (notify_build_failed(&c->notify, c->site.title, r->st,
		    r->id, r->e.buf, json_string_value(json_object_get(full,
		    "log")), &ne) == -1)
			blog(r->st, r->id, "report not sent: %s", ne.buf);
		json_decref(full);
		buf_release(&ne);
	}
	log_warnx("build %lld failed: %s", (long long)r->id, r->e.buf);
}

/* a failed stage: staging targets, then the failure, unless taken over */
static void
run_failed(struct run *r, struct buf *err)
{
	struct staged sg;

	if (run_lost(r))
		return;
	stage_staging(r, &sg, err);
	if (!run_lost(r))
		stage_failed(r, err);
}

/* a staging build's list of targets: every production one skipped */
static json_t *
staging_targets(const struct conf *c)
{
	json_t *list = json_array();

	for (size_t i = 0; i < c->ntargets; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:i, "
		    "s:i, s:s}", "name", c->targets[i].name, "status",
		    "skipped", "uploaded", 0, "deleted", 0, "unchanged", 0,
		    "reason", c->targets[i].content == CONF_CONTENT_LATEST ?
		    "not deployed" : "a staging build (drafts saved): "
		    "production is deployed by publishing"));
	return list;
}

/*
 * A staging build (decision 0281): requested by drafts saved alone, it
 * renders and deploys the staging targets and nothing else (production
 * is listed as skipped, history untouched).  Its watermark is the
 * oldest of its renders; it fails when a staging target failed, so its
 * requests wait for the retry or the next build.
 */
static void
run_staging_build(struct run *r, bool *ok, struct buf *err)
{
	struct staged sg;

	blog(r->st, r->id, "a staging build: the staging targets only, "
	    "production is not deployed");
	r->dr.targets = staging_targets(r->c);
	stage_staging(r, &sg, err);
	if (run_lost(r))
		return;
	r->rr.pages = sg.pages;
	r->rr.rendered = sg.rendered;
	r->rr.files = sg.files;
	r->rr.ms = sg.render_ms;
	r->dr.uploaded = sg.uploaded;
	r->dr.deleted = sg.deleted;
	r->dr.bytes = sg.bytes;
	r->dr.ms = sg.deploy_ms;
	if (sg.failed) {
		buf_setf(&r->e, "%zu staging target%s failed (see the log)",
		    sg.failed, sg.failed == 1 ? "" : "s");
		stage_failed(r, err);
		return;
	}
	/* no staging target left (a reload): what it covers is now */
	if (!sg.seq && store_change_seq(r->st, &sg.seq, err) == -1) {
		buf_setf(&r->e, "the change sequence: %s", err->buf);
		stage_failed(r, err);
		return;
	}
	store_build_set_seq(r->st, r->id, sg.seq, err);
	stage_succeeded(r, ok, err);
}

/*
 * After the claim: render -> (cancelled?) -> deploy -> history -> staging
 * targets -> record, each step that changes a target or the outcome
 * fenced by the lease (run_fence): a lost lease stops the flow there.
 */
static void
run_stages(struct run *r, bool *ok, struct buf *err)
{
	struct staged sg;

	if (run_fence(r, "the render") == -1)
		return;
	if (r->staging) {
		run_staging_build(r, ok, err);
		return;
	}
	if (stage_render(r, err) == -1) {
		run_failed(r, err);
		return;
	}
	if (stage_cancelled(r, err) || run_fence(r, "the deploy") == -1)
		return;
	if (stage_deploy(r, err) == -1) {
		run_failed(r, err);
		return;
	}
	stage_history(r);
	stage_staging(r, &sg, err);
	if (!run_lost(r))
		stage_succeeded(r, ok, err);
}

/*
 * The flow of a publish: claimed, then run_stages.  -1 only when the
 * build cannot be read; every other outcome is recorded on the build (see
 * *ok), but by a worker whose lease was taken over (decision 0170).
 */
static int
run_claimed(const struct conf *c, struct store *st, const char *worker,
    struct beat *b, bool *ok, struct buf *err)
{
	struct run r;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.st = st;
	r.id = b->id;
	r.token = b->token;
	r.lost = &b->sb.lost;
	r.attempt = 1;
	r.lease = c->build.lease > 0 ? c->build.lease : 60;
	r.rr.lockfd = -1;
	r.e = (struct buf)BUF_INIT;
	r.log = (struct buf)BUF_INIT;
	/* every line logged while this build runs names it (log.h) */
	log_field_int("build", (long long)r.id);
	if (stage_claimed(&r, worker, err) == -1)
		rc = -1;
	else
		run_stages(&r, ok, err);
	if (r.rr.lockfd != -1)
		close(r.rr.lockfd);
	deploy_result_release(&r.dr);
	json_decref(r.rec);
	free(r.outdir);
	buf_release(&r.e);
	buf_release(&r.log);
	log_field_clear();
	return rc;
}

int
worker_rollback(const struct conf *c, struct store *st, int64_t id,
    int64_t *new_id, struct buf *err)
{
	struct deploy_opts dopt;
	struct deploy_result dr;
	struct buf log = BUF_INIT, e = BUF_INIT;
	char *repo = conf_path(c, c->history.path), spec[48], *dest;
	char reasons[64], wname[160];
	int rc = -1, r, r2;

	memset(&dr, 0, sizeof(dr));
	snprintf(spec, sizeof(spec), "build:%lld", (long long)id);
	snprintf(reasons, sizeof(reasons), "rollback to build %lld",
	    (long long)id);
	worker_name(wname, sizeof(wname));
	dest = conf_path(c, ".kiln/rollback");
	/* a no-op build made no commit: its record names the one whose
	   tree it had (history_commit_info.same_tree) */
	{
		json_t *rec = NULL;
		struct buf ge = BUF_INIT;
		const char *cm;
		if (store_build_get(st, id, false, &rec, &ge) == 0 &&
		    (cm = json_string_value(json_object_get(rec, "commit"))) &&
		    strlen(cm) == 40)
			strlcpy(spec, cm, sizeof(spec));
		json_decref(rec);
		buf_release(&ge);
	}
	if (rm_rf(dest, err) == -1 ||
	    history_export(repo, c->history.branch, spec, dest, err) == -1)
		goto out;
	/* the normal deploy: diffed, phased; the store is not touched */
	memset(&dopt, 0, sizeof(dopt));
	dopt.log = &log;
	dopt.allow_deletes = true;
	r = deploy_run(c, st, NULL, dest, &dopt, &dr, &e);
	{
		/* what each target did, as a queued build's (0230) */
		json_t *o = json_pack("{s:O?}", "targets", dr.targets);
		char *cj = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		r2 = store_build_record(st, reasons, r == 0, r == 0 ? NULL :
		    e.buf, cj, wname, new_id, err);
		free(cj);
	}
	if (r2 == -1)
		goto out;
	if (r == -1) {
		buf_setf(err, "%s", e.buf);
		goto out;
	}
	{
		char commit[41], bid[32];
		struct history_commit_info hi;
		snprintf(bid, sizeof(bid), "%lld", (long long)*new_id);
		if (c->history.enabled && history_commit(repo,
		    c->history.branch, dest, bid, reasons, &hi, &e) == 0)
			strlcpy(commit, hi.commit, sizeof(commit));
	}
	rc = 0;
out:
	deploy_result_release(&dr);
	buf_release(&log);
	buf_release(&e);
	free(repo);
	free(dest);
	return rc;
}
