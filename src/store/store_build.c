/* SPDX-License-Identifier: ISC */
/*
 * store_build.c: the build queue's tables and SQL (component "queue").
 *
 * Coalescing falls out of the model: build requests wait in
 * build_requests until a build whose snapshot covers them (seq <= the
 * build's watermark) succeeds.  A worker claims a build only while no
 * other build holds a live lease, so a site has at most one build running;
 * every request made meanwhile waits for the single next build.  A failed
 * build leaves its requests pending (no lost publish) and is retried after
 * a backoff; a build whose lease expired (its worker died) is taken over.
 *
 * Fencing (decision 0170): builds.claim is the lease's generation.  A
 * take-over bumps it; the heartbeat and the finish match (id, claim), so
 * a worker that lost its lease while stopped learns it at its next
 * renewal and can never record a result over its successor's.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/scrub.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_build.h"

const struct store_migration store_build_migrations[] = {
	{ 1,
	"CREATE TABLE builds("
	"  id INTEGER PRIMARY KEY,"
	"  status TEXT NOT NULL,"		/* running succeeded failed cancelled */
	"  reasons TEXT NOT NULL,"
	"  requested_at INTEGER NOT NULL,"
	"  started_at INTEGER,"
	"  finished_at INTEGER,"
	"  attempt INTEGER NOT NULL DEFAULT 1,"
	"  worker TEXT,"
	"  lease_until INTEGER,"
	"  heartbeat_at INTEGER,"
	"  seq INTEGER,"
	"  next_attempt_at INTEGER,"
	"  error TEXT,"
	"  counts TEXT,"
	"  commit_id TEXT,"
	"  req_max INTEGER NOT NULL DEFAULT 0,"
	"  log TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX builds_status ON builds(status);"
	"CREATE TABLE tokens("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL);" },
	/* token expiry and last use (0 or NULL: never) */
	{ 2,
	"ALTER TABLE tokens ADD COLUMN expires_at INTEGER;"
	"ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;" },
	/* the fencing token: 1 when created, bumped by each take-over */
	{ 3,
	"ALTER TABLE builds ADD COLUMN claim INTEGER NOT NULL DEFAULT 1;" },
	/* staging builds (decision 0281): a request only the staging
	   targets need (a draft saved), a build of those targets alone */
	{ 4,
	"ALTER TABLE build_requests ADD COLUMN staging INTEGER NOT NULL "
	"  DEFAULT 0;"
	"ALTER TABLE builds ADD COLUMN staging INTEGER NOT NULL DEFAULT 0;" },
	{ 0, NULL }
};

static void
bind_opt_text(struct stmt *s, int i, const char *v)
{
	if (v)
		stmt_bind_text(s, i, v);
	else
		stmt_bind_null(s, i);
}

/* a build still held by a live lease: 1 if there is one */
static int
claim_held(struct store *st, int64_t now, struct buf *err)
{
	struct stmt *s = NULL;
	int r;

	if (store_prepare(st, "SELECT count(*) FROM builds WHERE status = "
	    "'running' AND lease_until >= ?", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now);
	r = stmt_step(s) == STMT_ROW ? stmt_col_int(s, 0) : 0;
	stmt_finalize(s);
	return r > 0;
}

/*
 * Take over a build whose worker died: *id is it, or 0; *token its new
 * claim.  On PostgreSQL a row another transaction holds (a heartbeat in
 * flight) is skipped, not waited for (FOR UPDATE SKIP LOCKED, 0171).
 */
static int
claim_takeover(struct store *st, const char *worker, int64_t lease_secs,
    int64_t now, int64_t *id, int64_t *token, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 0;

	*id = 0;
	if (store_prepare_pg(st, "SELECT id FROM builds WHERE status = "
	    "'running' AND lease_until < ? ORDER BY id LIMIT 1",
	    "SELECT id FROM builds WHERE status = 'running' AND lease_until "
	    "< ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now);
	if (stmt_step(s) == STMT_ROW)
		*id = stmt_col_i64(s, 0);
	stmt_finalize(s);
	s = NULL;
	if (!*id)
		return 0;
	if (store_prepare(st, "UPDATE builds SET worker = ?, "
	    "lease_until = ?, heartbeat_at = ?, attempt = attempt + 1, "
	    "claim = claim + 1, started_at = ?, log = log || ? WHERE id = ? "
	    "RETURNING claim", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, worker);
	stmt_bind_i64(s, 2, now + lease_secs);
	stmt_bind_i64(s, 3, now);
	stmt_bind_i64(s, 4, now);
	stmt_bind_text(s, 5, "lease expired: taken over by another "
	    "worker\n");
	stmt_bind_i64(s, 6, *id);
	if (stmt_step(s) != STMT_ROW)
		rc = store_sqlerr(st, "take over build", err);
	else
		*token = stmt_col_i64(s, 0);
	stmt_finalize(s);
	return rc;
}

/* any build running, live or not (one locked by another claim) */
static int
claim_running(struct store *st, struct buf *err)
{
	struct stmt *s = NULL;
	int r;

	if (store_prepare(st, "SELECT count(*) FROM builds WHERE status = "
	    "'running'", &s, err) == -1)
		return -1;
	r = stmt_step(s) == STMT_ROW ? stmt_col_int(s, 0) : 0;
	stmt_finalize(s);
	return r > 0;
}

/*
 * Pending requests: their oldest time (0: none), reasons and newest id;
 * *staging when every one needs only the staging targets (0281).
 */
static int
claim_pending(struct store *st, int64_t *first_req, struct buf *reasons,
    int64_t *req_max, bool *staging, struct buf *err)
{
	struct stmt *s = NULL;

	*first_req = *req_max = 0;
	*staging = false;
	if (store_prepare(st, "SELECT MIN(requested_at), "
	    "group_concat(reason, ', '), MAX(id), MIN(staging) FROM (SELECT "
	    "reason, MIN(requested_at) AS requested_at, MAX(id) AS id, "
	    "MIN(staging) AS staging FROM build_requests WHERE build_id IS "
	    "NULL GROUP BY reason ORDER BY reason) AS r", &s, err) == -1)
		return -1;
	if (stmt_step(s) == STMT_ROW &&
	    !stmt_col_null(s, 0)) {
		*first_req = stmt_col_i64(s, 0);
		buf_adds(reasons, (const char *)stmt_col_text(s, 1));
		*req_max = stmt_col_i64(s, 2);
		*staging = stmt_col_int(s, 3) != 0;
	}
	stmt_finalize(s);
	return 0;
}

/*
 * May a build start for requests up to REQ_MAX (STAGING: all of them
 * only for staging)?  After a failure: when its backoff has passed
 * (*attempt is the next one); after the last attempt, or a cancel, only
 * for a new request (no retry loop).  A failed staging-only build never
 * holds back a publish: production requests start a first attempt now.
 */
static int
claim_allowed(struct store *st, int64_t req_max, bool staging, int64_t now,
    int64_t *attempt, struct buf *err)
{
	struct stmt *s = NULL;
	int r = 1;

	*attempt = 1;
	if (store_prepare(st, "SELECT status, next_attempt_at, attempt, "
	    "req_max, staging FROM builds ORDER BY id DESC LIMIT 1", &s,
	    err) == -1)
		return -1;
	if (stmt_step(s) != STMT_ROW || (!staging && stmt_col_int(s, 4)))
		;	/* none yet, or production after a staging build */
	else if (!strcmp((const char *)stmt_col_text(s, 0), "cancelled")) {
		/* a person stopped it: only a new request starts one */
		if (req_max <= stmt_col_i64(s, 3))
			r = 0;
	} else if (!stmt_col_null(s, 0) &&
	    !strcmp((const char *)stmt_col_text(s, 0), "failed")) {
		if (!stmt_col_null(s, 1)) {
			if (stmt_col_i64(s, 1) > now)
				r = 0;
			else
				*attempt = stmt_col_i64(s, 2) + 1;
		} else if (req_max <= stmt_col_i64(s, 3))
			r = 0;
	}
	stmt_finalize(s);
	return r;
}

static int
claim_create(struct store *st, const char *worker, int64_t lease_secs,
    int64_t now, int64_t *id, int64_t *token, struct buf *err)
{
	struct buf reasons = BUF_INIT;
	struct stmt *s = NULL;
	int64_t first_req, req_max, attempt;
	bool staging;
	int r, rc = -1;

	*id = 0;
	if (claim_pending(st, &first_req, &reasons, &req_max, &staging,
	    err) == -1)
		goto out;
	if (!first_req || (r = claim_allowed(st, req_max, staging, now,
	    &attempt, err)) == 0) {
		rc = 0;
		goto out;
	}
	if (r == -1 || store_prepare(st, "INSERT INTO builds(status, "
	    "reasons, requested_at, started_at, worker, lease_until, "
	    "heartbeat_at, attempt, req_max, staging) VALUES ('running', ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, claim", &s, err) == -1)
		goto out;
	stmt_bind_text(s, 1, reasons.buf);
	stmt_bind_i64(s, 2, first_req);
	stmt_bind_i64(s, 3, now);
	stmt_bind_text(s, 4, worker);
	stmt_bind_i64(s, 5, now + lease_secs);
	stmt_bind_i64(s, 6, now);
	stmt_bind_i64(s, 7, attempt);
	stmt_bind_i64(s, 8, req_max);
	stmt_bind_int(s, 9, staging);
	if (stmt_step(s) != STMT_ROW)
		store_sqlerr(st, "create build", err);
	else {
		*id = stmt_col_i64(s, 0);
		*token = stmt_col_i64(s, 1);
		rc = 0;
	}
out:
	stmt_finalize(s);
	buf_release(&reasons);
	return rc;
}

/*
 * A plain write transaction on SQLite (one writer); on PostgreSQL the
 * writers' advisory lock too, and the take-over skips locked rows.  A
 * new build starts only when none is running at all, so a skipped row
 * is never doubled by a new build.
 */
int
sql_build_claim(struct store *st, const char *worker, int64_t lease_secs,
    int64_t *build_id, int64_t *token, struct buf *err)
{
	int64_t now = time_now(), id = 0, tok = 0;
	int r;

	*build_id = *token = 0;
	if (store_tx_begin(st, err) == -1)
		return -1;
	if ((r = claim_held(st, now, err)) == -1 ||
	    (r == 0 && claim_takeover(st, worker, lease_secs, now, &id, &tok,
	    err) == -1) ||
	    (r == 0 && !id && (r = claim_running(st, err)) == -1) ||
	    (r == 0 && !id && claim_create(st, worker, lease_secs, now, &id,
	    &tok, err) == -1)) {
		store_tx_rollback(st);
		return -1;
	}
	if (store_tx_commit(st, err) == -1)
		return -1;
	*build_id = id;
	*token = tok;
	return 0;
}

/*
 * After an UPDATE fenced by (ID, TOKEN) changed nothing: -1 with kind
 * ERR_CONFLICT when another claim holds the build (or it is gone), 0 when
 * the claim is still TOKEN's (the build is no longer running).
 */
static int
lease_lost(struct store *st, int64_t id, int64_t token, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t now_claim = -1;
	int step;

	if (store_prepare(st, "SELECT claim FROM builds WHERE id = ?", &s,
	    err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	if ((step = stmt_step(s)) == STMT_ROW)
		now_claim = stmt_col_i64(s, 0);
	stmt_finalize(s);
	if (step != STMT_ROW && step != STMT_DONE)
		return store_sqlerr(st, "read build claim", err);
	if (now_claim == token)
		return 0;
	buf_setf(err, "build %lld: lease lost to take-over (claim %lld, now "
	    "%lld)", (long long)id, (long long)token, (long long)now_claim);
	st->base.kind = ERR_CONFLICT;
	return -1;
}

int
sql_build_heartbeat(struct store *st, int64_t id, int64_t token,
    int64_t lease_secs, struct buf *err)
{
	int64_t now = time_now();
	size_t changed = 0;

	/* the check and the renewal in one statement: atomic */
	if (store_run(st, "heartbeat", &changed, err, "UPDATE builds SET "
	    "heartbeat_at = ?, lease_until = ? WHERE id = ? AND claim = ? AND "
	    "status = 'running'", "iiii", now, now + lease_secs, id,
	    token) == -1)
		return -1;
	return changed == 0 ? lease_lost(st, id, token, err) : 0;
}

int
sql_build_append_log(struct store *st, int64_t id, const char *text,
    struct buf *err)
{
	/* the one place build logs are stored: no secret gets in */
	char *clean = scrub_str(text);
	int rc;

	rc = store_run(st, "build log", NULL, err, "UPDATE builds SET log = "
	    "log || ? WHERE id = ?", "si", clean, id);
	free(clean);
	return rc;
}

int
sql_build_set_seq(struct store *st, int64_t id, int64_t seq, struct buf *err)
{
	return store_run(st, "build seq", NULL, err, "UPDATE builds SET "
	    "seq = ? WHERE id = ?", "ii", seq, id);
}

int
sql_build_finish(struct store *st, int64_t id, int64_t token, bool ok,
    const char *error, const char *counts_json, const char *commit,
    int64_t retry_at, struct buf *err)
{
	size_t changed = 0;
	struct stmt *s = NULL;
	int64_t now = time_now(), seq = 0;
	char *clean = scrub_str(error);
	int rc = -1, staging = 0;

	if (store_tx_begin(st, err) == -1) {
		free(clean);
		return -1;
	}
	if (store_prepare(st, "SELECT seq, staging FROM builds WHERE id = ?",
	    &s, err) == -1)
		goto fail;
	stmt_bind_i64(s, 1, id);
	if (stmt_step(s) == STMT_ROW) {
		seq = stmt_col_i64(s, 0);
		staging = stmt_col_int(s, 1);
	}
	stmt_finalize(s);
	s = NULL;
	if (store_run(st, "finish build", &changed, err, "UPDATE builds SET "
	    "status = ?, finished_at = ?, error = ?, counts = ?, commit_id = ?, "
	    "lease_until = NULL, next_attempt_at = ? WHERE id = ? AND claim = "
	    "? AND status = 'running'", "sissstii",
	    ok ? "succeeded" : "failed", now, clean, counts_json, commit,
	    retry_at, id, token) == -1)
		goto fail;
	/* a stale claim records nothing (decision 0170) */
	if (changed == 0 && lease_lost(st, id, token, err) == -1)
		goto fail;
	/* only a success satisfies the requests its snapshot covered */
	/* a staging build satisfies only what staging needed: a publish
	   made meanwhile waits for its own build (0281) */
	if (ok && changed > 0 && store_run(st, "satisfy requests", NULL, err,
	    "UPDATE build_requests SET build_id = ?, satisfied_at = ? WHERE "
	    "build_id IS NULL AND seq <= ? AND staging >= ?", "iiii", id, now,
	    seq, (int64_t)staging) == -1)
		goto fail;
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	stmt_finalize(s);
	free(clean);
	return rc;
}

int
sql_build_release(struct store *st, int64_t id, struct buf *err)
{
	/* give the build back: the next claim takes it over at once */
	return store_run(st, "release build", NULL, err, "UPDATE builds SET "
	    "lease_until = 0, log = log || 'released by a stopping worker\n' "
	    "WHERE id = ? AND status = 'running'", "i", id);
}

static json_t *
build_row(struct stmt *s, bool with_log)
{
	char t[4][32];
	json_t *o, *counts = NULL, *targets;
	const char *cj = (const char *)stmt_col_text(s, 11);
	/* scrubbed when stored; again when read, for older records */
	char *error = scrub_str((const char *)stmt_col_text(s, 9));

	for (int i = 0; i < 3; i++) {
		int64_t v = stmt_col_i64(s, 3 + i);
		if (v)
			time_format_iso8601(v, t[i], sizeof(t[i]));
		else
			t[i][0] = '\0';
	}
	if (cj)
		counts = json_loads(cj, 0, NULL);
	if (!json_is_object(counts)) {
		json_decref(counts);
		counts = NULL;
	}
	/* per-destination results ride in counts (decision 0230) */
	targets = json_incref(json_object_get(counts, "targets"));
	json_object_del(counts, "targets");
	if (!json_is_array(targets)) {
		json_decref(targets);
		targets = json_array();
	}
	/*
	 * Total (never NULL): an error or log holds whatever a build command
	 * printed, so every text goes through jsafe_string.
	 */
	o = json_pack("{s:I, s:o, s:o, s:s?, s:s?, s:s?, s:i, s:o, s:I, "
	    "s:o, s:o, s:o}",
	    "id", (json_int_t)stmt_col_i64(s, 0),
	    "status", jsafe_string((const char *)stmt_col_text(s, 1)),
	    "reasons", jsafe_string((const char *)stmt_col_text(s, 2)),
	    "requested_at", t[0][0] ? t[0] : NULL,
	    "started_at", t[1][0] ? t[1] : NULL,
	    "finished_at", t[2][0] ? t[2] : NULL,
	    "attempt", stmt_col_int(s, 6),
	    "worker", jsafe_string_or_null(
	    (const char *)stmt_col_text(s, 7)),
	    "seq", (json_int_t)stmt_col_i64(s, 8),
	    "error", jsafe_string_or_null(error),
	    "counts", counts ? counts : json_object(),
	    "commit", jsafe_string_or_null(
	    (const char *)stmt_col_text(s, 10)));
	if (o) {
		json_object_set_new(o, "targets", targets);
		/* a build of the staging targets alone (decision 0281) */
		json_object_set_new(o, "staging", json_boolean(
		    stmt_col_int(s, 13) != 0));
	} else
		json_decref(targets);
	free(error);
	if (!o)
		o = json_pack("{s:I, s:s}", "id",
		    (json_int_t)stmt_col_i64(s, 0), "error",
		    "this build record cannot be shown");
	if (with_log) {
		char *log = scrub_str((const char *)stmt_col_text(s,
		    12));
		json_object_set_new(o, "log", jsafe_string(log));
		free(log);
	}
	return o;
}

#define BUILD_COLS "id, status, reasons, requested_at, started_at, " \
	"finished_at, attempt, worker, seq, error, commit_id, counts, log, " \
	"staging "

int
sql_build_list(struct store *st, size_t limit, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *a = json_array();
	int r;

	if (store_prepare(st, "SELECT " BUILD_COLS "FROM builds ORDER BY id "
	    "DESC LIMIT ?", &s, err) == -1) {
		json_decref(a);
		return -1;
	}
	stmt_bind_i64(s, 1, (int64_t)limit);
	while ((r = stmt_step(s)) == STMT_ROW)
		json_array_append_new(a, build_row(s, false));
	stmt_finalize(s);
	if (r != STMT_DONE) {
		json_decref(a);
		return store_sqlerr(st, "list builds", err);
	}
	*out = a;
	return 0;
}

int
sql_build_get(struct store *st, int64_t id, bool with_log, json_t **out,
    struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 1, step;

	*out = NULL;
	if (store_prepare(st, "SELECT " BUILD_COLS "FROM builds WHERE id = ?",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, id);
	if ((step = stmt_step(s)) == STMT_ROW) {
		*out = build_row(s, with_log);
		rc = 0;
	} else if (step == STMT_DONE)
		st->base.kind = ERR_NOT_FOUND;
	else
		rc = store_sqlerr(st, "read build", err);
	stmt_finalize(s);
	return rc;
}

int
sql_build_stalled(struct store *st, int64_t now, int64_t after,
    struct build_stalled *b, struct buf *err)
{
	struct stmt *s = NULL;
	int rc = 1, step;

	/* stalled: running too long by its start, or its heartbeat missed */
	if (store_prepare(st, "SELECT id, started_at, heartbeat_at, worker "
	    "FROM builds WHERE status = 'running' AND (started_at < ?1 OR "
	    "lease_until < ?2) ORDER BY id LIMIT 1", &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, now - after);
	stmt_bind_i64(s, 2, now);
	if ((step = stmt_step(s)) == STMT_ROW) {
		const char *w = (const char *)stmt_col_text(s, 3);

		b->id = stmt_col_i64(s, 0);
		b->started_at = stmt_col_i64(s, 1);
		b->heartbeat_at = stmt_col_i64(s, 2);
		snprintf(b->worker, sizeof(b->worker), "%s", w ? w : "?");
		rc = 0;
	} else if (step != STMT_DONE)
		rc = store_sqlerr(st, "stalled builds", err);
	stmt_finalize(s);
	return rc;
}

int
sql_build_stats(struct store *st, json_t **out, struct buf *err)
{
	struct stmt *s = NULL;
	json_t *o = json_object(), *by = json_object();
	int64_t now = time_now();

	if (store_prepare(st, "SELECT status, count(*) FROM builds GROUP BY "
	    "status", &s, err) == -1) {
		json_decref(o);
		json_decref(by);
		return -1;
	}
	while (stmt_step(s) == STMT_ROW)
		json_object_set_new(by, (const char *)stmt_col_text(s,
		    0), json_integer(stmt_col_i64(s, 1)));
	stmt_finalize(s);
	json_object_set_new(o, "builds", by);
	if (store_prepare(st, "SELECT count(*), MIN(requested_at) FROM "
	    "build_requests WHERE build_id IS NULL", &s, err) == -1) {
		json_decref(o);
		return -1;
	}
	if (stmt_step(s) == STMT_ROW) {
		json_object_set_new(o, "pending_requests", json_integer(
		    stmt_col_i64(s, 0)));
		json_object_set_new(o, "oldest_pending_age",
		    json_integer(stmt_col_null(s, 1) ?
		    0 : now - stmt_col_i64(s, 1)));
	}
	stmt_finalize(s);
	*out = o;
	return 0;
}

int
sql_build_record(struct store *st, const char *reasons, bool ok,
    const char *error, const char *counts_json, const char *worker,
    int64_t *id, struct buf *err)
{
	struct stmt *s = NULL;
	int64_t now = time_now();
	int rc = 0;

	if (store_prepare(st, "INSERT INTO builds(status, reasons, "
	    "requested_at, started_at, finished_at, worker, error, counts) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s, err) == -1)
		return -1;
	stmt_bind_text(s, 1, ok ? "succeeded" : "failed");
	stmt_bind_text(s, 2, reasons);
	stmt_bind_i64(s, 3, now);
	stmt_bind_i64(s, 4, now);
	stmt_bind_i64(s, 5, now);
	stmt_bind_text(s, 6, worker);
	{
		char *clean = scrub_str(error);	/* no secret gets in */
		bind_opt_text(s, 7, clean);
		free(clean);
	}
	bind_opt_text(s, 8, counts_json);
	if (stmt_step(s) != STMT_ROW)
		rc = store_sqlerr(st, "record build", err);
	else
		*id = stmt_col_i64(s, 0);
	stmt_finalize(s);
	return rc;
}

int
sql_build_gc(struct store *st, int keep_builds, int logs_days,
    size_t *removed, size_t *logs_cleared, struct buf *err)
{
	int64_t cutoff = time_now() - (int64_t)logs_days * 86400;

	*removed = *logs_cleared = 0;
	if (store_tx_begin(st, err) == -1)
		return -1;
	/* succeeded builds past the newest KEEP; failed ones stay */
	if (store_run(st, "gc builds", removed, err, "DELETE FROM builds WHERE "
	    "status = 'succeeded' AND id NOT IN (SELECT id FROM builds WHERE "
	    "status = 'succeeded' ORDER BY id DESC LIMIT ?)", "i",
	    (int64_t)keep_builds) == -1 ||
	    store_run(st, "gc logs", logs_cleared, err, "UPDATE builds SET "
	    "log = '' WHERE finished_at < ? AND status != 'failed' AND "
	    "log != ''", "i", cutoff) == -1 ||
	    /* satisfied requests whose build record is gone */
	    store_exec(st, "DELETE FROM build_requests WHERE build_id IS NOT "
	    "NULL AND build_id NOT IN (SELECT id FROM builds)", err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return store_tx_commit(st, err);
}

const int64_t store_build_metric_bounds[BUILD_METRIC_BOUNDS] = {
	1, 2, 5, 10, 30, 60, 300, 900
};

/* count V (in milliseconds) into H's cumulative buckets */
static void
hist_add(struct build_hist *h, int64_t v_ms)
{
	for (size_t i = 0; i <= BUILD_METRIC_BOUNDS; i++)
		if (i == BUILD_METRIC_BOUNDS ||
		    v_ms <= store_build_metric_bounds[i] * 1000)
			h->bucket[i]++;
	h->sum_ms += v_ms;
}

static int
last_deploy_cmp(const void *a, const void *b)
{
	/* target is the first member of struct build_metrics' entries */
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* note AT for target NAME: the latest one counts */
static void
last_deploy_add(struct build_metrics *m, const char *name, int64_t at)
{
	for (size_t i = 0; i < m->nlast_deploy; i++)
		if (strcmp(m->last_deploy[i].target, name) == 0) {
			if (at > m->last_deploy[i].at)
				m->last_deploy[i].at = at;
			return;
		}
	m->last_deploy = xreallocarray(m->last_deploy, m->nlast_deploy + 1,
	    sizeof(*m->last_deploy));
	m->last_deploy[m->nlast_deploy].target = xstrdup(name);
	m->last_deploy[m->nlast_deploy++].at = at;
}

static int
last_deploys(struct store *st, struct build_metrics *m, struct buf *err)
{
	struct stmt *s = NULL;

	/* the last full deploy of each target and mirror: the deploy state
	 * records deploy.state.ID (src/deploy/deploy.c) hold
	 * {"name", "deployed_at"}; read here, not with a dialect's JSON
	 * functions (decision 0140) */
	if (store_prepare(st, "SELECT value FROM state WHERE key LIKE "
	    "'deploy.state.%'", &s, err) == -1)
		return -1;
	while (stmt_step(s) == STMT_ROW) {
		size_t len;
		const void *v = stmt_col_blob(s, 0, &len);
		json_t *j = v ? json_loadb(v, len, 0, NULL) : NULL;
		json_t *name = json_object_get(j, "name");
		json_t *at = json_object_get(j, "deployed_at");
		if (json_is_string(name) && json_is_number(at))
			last_deploy_add(m, json_string_value(name),
			    (int64_t)json_number_value(at));
		json_decref(j);
	}
	stmt_finalize(s);
	if (m->nlast_deploy > 1)
		qsort(m->last_deploy, m->nlast_deploy,
		    sizeof(*m->last_deploy), last_deploy_cmp);
	return 0;
}

int
sql_build_metrics(struct store *st, struct build_metrics *m,
    struct buf *err)
{
	struct stmt *s = NULL;

	memset(m, 0, sizeof(*m));
	/* the last 1,000 finished builds */
	if (store_prepare(st, "SELECT finished_at - started_at, finished_at - "
	    "requested_at, counts FROM builds WHERE status = 'succeeded' AND "
	    "finished_at IS NOT NULL ORDER BY id DESC LIMIT 1000", &s,
	    err) == -1)
		return -1;
	while (stmt_step(s) == STMT_ROW) {
		json_t *c = stmt_col_text(s, 2) ? json_loads(
		    (const char *)stmt_col_text(s, 2), 0, NULL) : NULL;

		hist_add(&m->duration, stmt_col_i64(s, 0) * 1000);
		hist_add(&m->publish_to_live, stmt_col_i64(s, 1) *
		    1000);
		hist_add(&m->deploy, json_integer_value(json_object_get(c,
		    "deploy_ms")));
		m->invalidated += json_integer_value(json_object_get(c,
		    "invalidated"));
		m->count++;
		m->uploaded += json_integer_value(json_object_get(c,
		    "uploaded"));
		m->deleted += json_integer_value(json_object_get(c,
		    "deleted"));
		m->bytes += json_integer_value(json_object_get(c, "bytes"));
		json_decref(c);
	}
	stmt_finalize(s);
	if (last_deploys(st, m, err) == -1) {
		store_build_metrics_release(m);
		return -1;
	}
	return 0;
}

void
store_build_metrics_release(struct build_metrics *m)
{
	for (size_t i = 0; i < m->nlast_deploy; i++)
		free(m->last_deploy[i].target);
	free(m->last_deploy);
	m->last_deploy = NULL;
	m->nlast_deploy = 0;
}

int
sql_build_cancel(struct store *st, int64_t id, struct buf *err)
{
	size_t changed = 0;

	/*
	 * A running build stops at its next step; a failed one waiting for
	 * a retry is not retried.  Its requests stay pending: the next
	 * publish carries them (nothing is lost, nothing starts by itself).
	 */
	if (store_run(st, "cancel build", &changed, err, "UPDATE builds SET "
	    "status = 'cancelled', finished_at = ?, lease_until = NULL, "
	    "next_attempt_at = NULL, log = log || 'cancelled\n' WHERE id = ? "
	    "AND (status = 'running' OR (status = 'failed' AND "
	    "next_attempt_at IS NOT NULL))", "ii", time_now(), id) == -1)
		return -1;
	if (changed == 0) {
		buf_setf(err, "build %lld is not running or waiting for a "
		    "retry", (long long)id);
		st->base.kind = ERR_CONFLICT;
		return 1;
	}
	return 0;
}

int
sql_build_rollback_request(struct store *st, int64_t build, struct buf *err)
{
	struct stmt *s = NULL;
	char v[32], why[40] = "";
	int step;

	/* only a tree that production had: a succeeded, not staging, build */
	if (store_prepare(st, "SELECT status, staging FROM builds WHERE id = ?",
	    &s, err) == -1)
		return -1;
	stmt_bind_i64(s, 1, build);
	if ((step = stmt_step(s)) == STMT_ROW && stmt_col_int(s, 1))
		strlcpy(why, "deployed the staging targets only", sizeof(why));
	else if (step == STMT_ROW && strcmp((const char *)stmt_col_text(s, 0),
	    "succeeded"))
		strlcpy(why, !strcmp((const char *)stmt_col_text(s, 0),
		    "failed") ? "failed" : "did not succeed", sizeof(why));
	stmt_finalize(s);
	if (step != STMT_ROW && step != STMT_DONE)
		return store_sqlerr(st, "find build", err);
	if (step == STMT_DONE || *why) {
		if (*why)
			buf_setf(err, "build %lld %s; only a succeeded build of "
			    "production can be rolled back to", (long long)build,
			    why);
		else
			buf_setf(err, "no build %lld", (long long)build);
		store_err_set(st, *why ? ERR_CONFLICT : ERR_NOT_FOUND, "id");
		return 1;
	}
	snprintf(v, sizeof(v), "%lld", (long long)build);
	return store_state_set(st, "queue.rollback", v, strlen(v), err);
}

int
sql_build_rollback_take(struct store *st, int64_t *build, struct buf *err)
{
	struct stmt *s = NULL;
	struct buf v = BUF_INIT;
	int r, rc = -1;

	*build = 0;
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_prepare(st, "SELECT count(*) FROM builds WHERE status = "
	    "'running' AND lease_until >= ?", &s, err) == -1)
		goto fail;
	stmt_bind_i64(s, 1, time_now());
	r = stmt_step(s) == STMT_ROW ? stmt_col_int(s, 0) : 0;
	stmt_finalize(s);
	if (r > 0) {
		rc = store_tx_commit(st, err);	/* a build runs: later */
		goto out;
	}
	if ((r = store_state_get(st, "queue.rollback", &v, err)) == -1)
		goto fail;
	if (r == 0) {
		*build = strtonum(v.buf, 1, INT64_MAX, NULL);
		if (store_state_delete(st, "queue.rollback", err) == -1)
			goto fail;
	}
	rc = store_tx_commit(st, err);
	goto out;
fail:
	store_tx_rollback(st);
out:
	buf_release(&v);
	return rc;
}
