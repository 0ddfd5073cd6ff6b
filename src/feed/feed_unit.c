/* SPDX-License-Identifier: ISC */
/*
 * feed_unit.c: building one unit (feed.h).  A unit is a small site of
 * its own in .kiln/units/ID/VERSION/: its source is imported (as kiln
 * import reads a Hugo tree) under the page path PREFIX/ID/VERSION into
 * a store of its own, rendered with the site's templates and static
 * files, and deployed with deploy_unit(): shared content-hashed files
 * create-if-absent, the unit's pages, the .complete marker last.
 */
#include "common/compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/manifest.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_live.h"
#include "deploy/deploy.h"
#include "feed/feed.h"
#include "import/import.h"
#include "notify/notify.h"
#include "render/render.h"
#include "store/store.h"
#include "store/store_beat.h"
#include "store/store_unit.h"

/* one unit build on its way */
struct ubuild {
	const struct conf *c;
	struct store *st;
	struct unit_claim u;
	char *work;		/* .kiln/units/ID/VERSION, absolute */
	char *up;		/* PREFIX/ID/VERSION/ */
	char *command;		/* build.command for this unit, or NULL */
	struct conf uc;		/* the unit's mini-site: a shallow copy */
	struct render_result rr;
	struct deploy_unit_result dr;
	size_t pages;
	json_t *shared;		/* [path]: the shared files it names */
	struct buf e, log;
	struct store_beat beat;	/* .lost: taken over, write nothing */
};

static void
ulog(struct ubuild *b, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void
ulog(struct ubuild *b, const char *fmt, ...)
{
	struct buf line = BUF_INIT, err = BUF_INIT;
	char *who = xasprintf("unit %s %s", b->u.unit, b->u.version);
	va_list ap;

	va_start(ap, fmt);
	log_stamp(&line, who, fmt, ap);
	va_end(ap);
	store_unit_append_log(b->st, b->u.id, line.buf, &err);
	free(who);
	buf_release(&line);
	buf_release(&err);
}

/* the work folder: the site's templates/ and static/ linked in */
static int
unit_workdir(struct ubuild *b)
{
	static const char *const links[] = { "templates", "static" };
	char *rel = xasprintf(".kiln/units/%s/%s", b->u.unit, b->u.version);

	b->work = conf_path(b->c, rel);
	free(rel);
	if (rm_rf(b->work, &b->e) == -1 || mkdir_p(b->work, &b->e) == -1)
		return -1;
	for (size_t i = 0; i < NELEM(links); i++) {
		char *from = conf_path(b->c, links[i]);
		char *to = xasprintf("%s/%s", b->work, links[i]);
		if (dir_exists(from) && symlink(from, to) == -1)
			buf_setf(&b->e, "cannot link '%s': %s", to,
			    strerror(errno));
		free(from);
		free(to);
		if (b->e.len)
			return -1;
	}
	return 0;
}

/* the unit's configuration: the site's, with its own store and output */
static char unit_db[] = ".kiln/kiln.db", unit_out[] = "public";

static void
unit_conf(struct ubuild *b)
{
	b->uc = *b->c;
	b->uc.dir = b->work;
	b->uc.store.driver = CONF_STORE_SQLITE;
	b->uc.store.path = unit_db;
	b->uc.store.url = NULL;
	b->uc.store.url_env = NULL;
	b->uc.store.password_env = NULL;
	b->uc.store.auto_migrate = true;
	b->uc.build.out = unit_out;
	b->uc.build.command = b->command;
	b->uc.history.enabled = false;
	b->uc.ncollections = 0;
}

static int
unit_import(struct ubuild *b, struct store *ust)
{
	struct import_opts o;
	struct import_report r;
	char *media = xasprintf("%s/.kiln/media", b->work);
	char *stat = xasprintf("%s/static", b->work);
	char *tmpl = xasprintf("%s/templates", b->work);
	char *prefix = xstrndup(b->up, strlen(b->up) - 1);
	int rc = -1;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.dir = b->u.source;
	o.prefix = prefix;
	o.media_dir = media;
	o.static_dir = stat;
	o.templates_dir = tmpl;
	o.actor = "feed";
	o.max_deletes = -1;
	o.now = time_now();
	if (!dir_exists(b->u.source))
		buf_setf(&b->e, "source: '%s' is not a folder", b->u.source);
	else if (import_run(ust, &o, &r, &b->e) == 0) {
		b->pages = r.created + r.updated + r.unchanged;
		if (r.failed) {
			json_t *j = import_report_json(&r);
			char *t = json_dumps(json_object_get(j, "items"),
			    JSON_COMPACT);
			buf_setf(&b->e, "source: %zu files failed to import: %s",
			    r.failed, t ? t : "");
			free(t);
			json_decref(j);
		} else if (!b->pages)
			buf_setf(&b->e, "source: no pages in '%s'",
			    b->u.source);
		else
			rc = 0;
	}
	import_report_release(&r);
	free(media);
	free(stat);
	free(tmpl);
	free(prefix);
	return rc;
}

/* a .tar.gz, unpacked, becomes the source folder */
static int
unit_tar(struct ubuild *b)
{
	char *dest = xasprintf("%s/source", b->work);
	int rc;

	ulog(b, "unpacking %s", b->u.source);
	rc = feed_tar_unpack(b->u.source, b->work, dest, &b->e);
	if (rc == 0)
		snprintf(b->u.source, sizeof(b->u.source), "%s", dest);
	free(dest);
	return rc;
}

/* "git:REF:URL": the tree of REF becomes the source folder */
static int
unit_git(struct ubuild *b)
{
	const char *ref = b->u.source + 4, *colon = strchr(ref, ':');
	char *r, *dest;
	int rc;

	if (!colon) {
		buf_setf(&b->e, "source: bad git source");
		return -1;
	}
	r = xstrndup(ref, (size_t)(colon - ref));
	dest = xasprintf("%s/source", b->work);
	ulog(b, "git: %s at %s", colon + 1, r);
	rc = feed_git_checkout(colon + 1, r, b->work, dest, &b->e);
	if (rc == 0)
		snprintf(b->u.source, sizeof(b->u.source), "%s", dest);
	free(r);
	free(dest);
	return rc;
}

static void
sh_quote(struct buf *b, const char *s)
{
	buf_addch(b, '\'');
	for (; *s; s++)
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addch(b, *s);
	buf_addch(b, '\'');
}

/*
 * build.command for a unit: the unit in the environment, run in the
 * work folder, "{out}" the unit's folder inside the output
 */
static void
unit_command(struct ubuild *b)
{
	struct buf cmd = BUF_INIT;
	const char *p = b->c->build.command, *q;

	buf_adds(&cmd, "export KILN_UNIT_ID=");
	sh_quote(&cmd, b->u.unit);
	buf_adds(&cmd, " KILN_UNIT_VERSION=");
	sh_quote(&cmd, b->u.version);
	buf_adds(&cmd, " KILN_UNIT_SOURCE=");
	sh_quote(&cmd, b->u.source);
	buf_adds(&cmd, " KILN_SITE_DIR=");
	sh_quote(&cmd, b->c->dir);
	buf_adds(&cmd, "; ");
	while ((q = strstr(p, "{out}")) != NULL) {
		buf_add(&cmd, p, (size_t)(q - p));
		buf_printf(&cmd, "{out}/%.*s", (int)strlen(b->up) - 1, b->up);
		p = q + 5;
	}
	buf_adds(&cmd, p);
	b->command = buf_detach(&cmd, NULL);
}

/* import and render into the work folder */
static int
unit_render(struct ubuild *b)
{
	struct store *ust = NULL;
	struct render_opts ro;
	char bid[32];
	int rc = -1;

	if (!strncmp(b->u.source, "git:", 4) && unit_git(b) == -1)
		return -1;
	if (feed_tar_source(b->u.source) && unit_tar(b) == -1)
		return -1;
	if (b->c->build.command)
		unit_command(b);
	unit_conf(b);
	if (store_open_conf(&b->uc, &ust, &b->e) == -1)
		return -1;
	if (b->command || unit_import(b, ust) == 0) {
		memset(&ro, 0, sizeof(ro));
		snprintf(bid, sizeof(bid), "unit-%lld", (long long)b->u.id);
		ro.full = true;
		ro.build_id = bid;
		ro.log = &b->log;
		if (render_build(&b->uc, ust, &ro, &b->rr, &b->e) == 0)
			rc = 0;
	}
	store_close(ust);
	return rc;
}

/* the marker's body: the unit and the files it consists of */
static char *
unit_marker(struct ubuild *b)
{
	char *mf = xasprintf("%s/%s", b->rr.dir, MANIFEST_PATH);
	json_t *m = json_load_file(mf, 0, NULL), *files = json_array(), *j;
	char ts[32];
	size_t i, ul = strlen(b->up);
	json_t *f;
	char *txt;

	json_array_clear(b->shared);

	size_t mine = 0;

	json_array_foreach(json_object_get(m, "files"), i, f) {
		const char *p = json_string_value(json_object_get(f, "path"));
		bool shared = p && strncmp(p, b->up, ul) != 0 &&
		    json_is_true(json_object_get(f, "immutable"));
		if (p && !strncmp(p, b->up, ul))
			mine++;
		if (shared)
			json_array_append_new(b->shared, json_string(p));
		if (p && (!strncmp(p, b->up, ul) || shared))
			json_array_append(files, f);
	}
	if (!mine) {
		buf_setf(&b->e, "the build wrote no file under %s", b->up);
		json_decref(files);
		json_decref(m);
		free(mf);
		return NULL;
	}
	time_format_iso8601(time_now(), ts, sizeof(ts));
	j = json_pack("{s:i, s:s, s:s, s:I, s:s, s:o}", "version", 1, "unit",
	    b->u.unit, "unit_version", b->u.version, "unit_build",
	    (json_int_t)b->u.id, "completed", ts, "files", files);
	txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	json_decref(m);
	free(mf);
	return txt;
}

/*
 * The lease check before each deploy step (decision 0170): renew the
 * claim (ID, ATTEMPT) and go on only while it is still this worker's.
 */
static int
unit_lease(void *arg, const char *step, struct buf *err)
{
	struct ubuild *b = arg;
	const struct conf *c = b->c;
	struct buf e = BUF_INIT;

	if (!atomic_load(&b->beat.lost) && store_unit_heartbeat(b->st, b->u.id,
	    b->u.attempt, c->build.lease > 0 ? c->build.lease : 60, &e) == 0)
		return 0;
	if (atomic_load(&b->beat.lost) || store_err_kind(b->st) == ERR_CONFLICT)
		atomic_store(&b->beat.lost, 1);
	buf_setf(err, "lease not renewed before %s: %s", step,
	    e.len ? e.buf : "lease lost to take-over");
	buf_release(&e);
	return -1;
}

static int
unit_deploy(struct ubuild *b)
{
	struct deploy_fence f = { unit_lease, b };
	char *marker;
	int rc;

	if (!(marker = unit_marker(b)))
		return -1;
	if (!b->c->ntargets) {
		buf_setf(&b->e, "no target in kiln.yaml to deploy the unit to");
		free(marker);
		return -1;
	}
	rc = deploy_unit(b->c, b->rr.dir, b->up, marker, &f, &b->dr, &b->e);
	free(marker);
	return rc;
}

static void
held_note(void *arg, const char *path)
{
	ulog(arg, "test hook: held after the render while %s exists", path);
}

static void
unit_succeeded(struct ubuild *b)
{
	struct buf err = BUF_INIT;
	json_t *counts = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:O}", "pages", (json_int_t)b->pages, "files",
	    (json_int_t)b->rr.files, "uploaded", (json_int_t)b->dr.uploaded,
	    "shared_uploaded", (json_int_t)b->dr.shared_uploaded,
	    "shared_present", (json_int_t)b->dr.shared_present, "bytes",
	    (json_int_t)b->dr.bytes, "render_ms", (json_int_t)b->rr.ms,
	    "targets", b->dr.targets);
	char *cj = json_dumps(counts, JSON_COMPACT | JSON_SORT_KEYS), r[600];

	json_decref(counts);
	/* its shared files join the site deploy's keep set (0270) */
	if (store_unit_finish(b->st, b->u.id, b->u.attempt, true, NULL, cj,
	    b->shared, 0, &err) == -1) {
		/* taken over: the new claimer records the result */
		ulog(b, "not recorded: %s", err.buf);
		free(cj);
		buf_release(&err);
		return;
	}
	ulog(b, "complete: %zu pages; %zu files uploaded, %zu shared "
	    "uploaded, %zu shared already there", b->pages, b->dr.uploaded,
	    b->dr.shared_uploaded, b->dr.shared_present);
	/* the site's own pages that list units: the coalescing queue */
	buf_reset(&err);
	if (feed_site_unit(b->c, b->st, b->u.unit, &err) == -1)
		ulog(b, "the site's page of the unit: %s", err.buf);
	snprintf(r, sizeof(r), "feed: unit %s %s complete", b->u.unit,
	    b->u.version);
	buf_reset(&err);
	if (store_request_build(b->st, r, "feed", NULL, &err) == -1)
		log_warnx("unit %s %s: %s", b->u.unit, b->u.version, err.buf);
	free(cj);
	buf_release(&err);
}

/* retried after a backoff, or failed for good and reported */
static void
unit_failed(struct ubuild *b)
{
	const struct conf *c = b->c;
	struct buf err = BUF_INIT, body = BUF_INIT;
	int64_t retry_at = 0;
	char *counts = NULL;

	if (b->u.attempt <= c->build.retries)
		retry_at = time_now() + (c->build.retry_backoff > 0 ?
		    c->build.retry_backoff : 10) * (1LL << (b->u.attempt - 1));
	if (atomic_load(&b->beat.lost)) {
		ulog(b, "lease lost to take-over: this attempt stops and "
		    "records nothing more (%s)", b->e.buf);
		return;
	}
	/* what each target got, when the deploy began (0273) */
	if (b->dr.targets) {
		json_t *j = json_pack("{s:O}", "targets", b->dr.targets);
		counts = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
	}
	if (store_unit_finish(b->st, b->u.id, b->u.attempt, false, b->e.buf,
	    counts, NULL, retry_at, &err) == -1) {
		ulog(b, "not recorded: %s", err.buf);
		free(counts);
		buf_release(&err);
		return;
	}
	free(counts);
	if (retry_at) {
		ulog(b, "failed (attempt %lld of %d), retried in %llds: %s",
		    (long long)b->u.attempt, c->build.retries + 1,
		    (long long)(retry_at - time_now()), b->e.buf);
	} else {
		ulog(b, "failed after %lld attempts: %s",
		    (long long)b->u.attempt, b->e.buf);
		buf_printf(&body, "Unit %s version %s failed after %lld "
		    "attempts.\n\n%s\n", b->u.unit, b->u.version,
		    (long long)b->u.attempt, b->e.buf);
		buf_reset(&err);
		if (notify_send(&c->notify, c->site.title, "unit build failed",
		    body.buf, &err) == -1)
			ulog(b, "report not sent: %s", err.buf);
	}
	buf_release(&err);
	buf_release(&body);
}

/* the lease, renewed while the unit builds (store_beat.h) */
static int
unit_renew(struct store *st, void *arg, int64_t lease, struct buf *err)
{
	const struct ubuild *b = arg;

	return store_unit_heartbeat(st, b->u.id, b->u.attempt, lease, err);
}

static void
unit_build(struct ubuild *b)
{
	b->up = xasprintf("%s%s/%s/", b->c->feed.prefix, b->u.unit,
	    b->u.version);
	ulog(b, "claimed (attempt %lld) from %s", (long long)b->u.attempt,
	    b->u.source);
	if (!feed_prefix_ok(b->c->feed.prefix) || !feed_name_ok(b->u.unit) ||
	    !feed_name_ok(b->u.version)) {
		buf_setf(&b->e, "feed.prefix, unit id or version is not a safe "
		    "path");
		unit_failed(b);
		return;
	}
	if (unit_workdir(b) == -1 || unit_render(b) == -1) {
		unit_failed(b);
		return;
	}
	ulog(b, "rendered %zu pages, %zu files", b->pages, b->rr.files);
	if (testhook_hold(held_note, b))
		ulog(b, "test hook: released");
	if (unit_deploy(b) == -1) {
		unit_failed(b);
		return;
	}
	unit_succeeded(b);
	/* a failed unit's folder stays for inspection; a built one goes */
	if (b->rr.lockfd != -1) {
		close(b->rr.lockfd);
		b->rr.lockfd = -1;
	}
	buf_reset(&b->e);
	if (rm_rf(b->work, &b->e) == -1)
		log_warnx("unit %s %s: %s", b->u.unit, b->u.version, b->e.buf);
	else {
		/* .kiln/units/ID, if no other version is there */
		char *slash = strrchr(b->work, '/');
		*slash = '\0';
		rmdir(b->work);
	}
}

int
feed_unit_run(const struct conf *c, struct store *st, const char *worker,
    bool *ran, struct buf *err)
{
	struct ubuild b;
	int64_t lease = c->build.lease > 0 ? c->build.lease : 60;

	*ran = false;
	memset(&b, 0, sizeof(b));
	if (store_unit_claim(st, worker, lease, &b.u, err) == -1)
		return -1;
	if (!b.u.id)
		return 0;
	*ran = true;
	b.c = c;
	b.st = st;
	b.rr.lockfd = -1;
	b.e = (struct buf)BUF_INIT;
	b.log = (struct buf)BUF_INIT;
	b.shared = json_array();
	b.beat.c = c;
	b.beat.what = "unit heartbeat";
	b.beat.renew = unit_renew;
	b.beat.arg = &b;
	store_beat_start(&b.beat);
	unit_build(&b);
	store_beat_stop(&b.beat);
	if (b.rr.lockfd != -1)
		close(b.rr.lockfd);
	free(b.work);
	free(b.up);
	free(b.command);
	json_decref(b.shared);
	deploy_unit_result_release(&b.dr);
	buf_release(&b.e);
	buf_release(&b.log);
	return 0;
}

/* ---- the worker's unit threads ---- */

struct feed_pool {
	struct conf_live *live;
	const char *worker;
	atomic_int *stop;
	pthread_t *th;
	int n;
};

static void *
pool_thread(void *arg)
{
	struct feed_pool *p = arg;
	struct store *st = NULL;
	struct buf err = BUF_INIT;
	uint64_t gen;
	const struct conf *c = conf_live_get(p->live, &gen);

	if (store_open_conf(c, &st, &err) == -1) {
		log_warnx("feed: %s", err.buf);
		conf_live_put(p->live, c);
		buf_release(&err);
		return NULL;
	}
	conf_live_put(p->live, c);
	while (!atomic_load(p->stop)) {
		bool ran = false;
		c = conf_live_get(p->live, &gen);
		buf_reset(&err);
		if (feed_unit_run(c, st, p->worker, &ran, &err) == -1)
			log_warnx("feed: %s", err.buf);
		conf_live_put(p->live, c);
		/* idle: look at the queue again in a while */
		for (int i = 0; !ran && i < 4 && !atomic_load(p->stop); i++)
			usleep(50000);
	}
	store_close(st);
	buf_release(&err);
	return NULL;
}

struct feed_pool *
feed_pool_start(struct conf_live *live, const char *worker, atomic_int *stop)
{
	struct feed_pool *p;
	uint64_t gen;
	const struct conf *c = conf_live_get(live, &gen);
	int n = c->feed.list ? c->feed.concurrency : 0;

	conf_live_put(live, c);
	if (n <= 0)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->live = live;
	p->worker = worker;
	p->stop = stop;
	p->th = xcalloc((size_t)n, sizeof(*p->th));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&p->th[i], NULL, pool_thread, p) != 0)
			break;
		p->n++;
	}
	return p;
}

void
feed_pool_join(struct feed_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	free(p);
}
