/* SPDX-License-Identifier: ISC */
/*
 * feed.h: multi-unit sites (issue #17, docs/units.md).
 *
 * A unit is an independently built, versioned part of a site: an id, a
 * version and a source (a Hugo-style content folder; a git repository
 * and ref; a .tar.gz at an https URL).  The approved list names the
 * units; the feeder (feed_tick) finds the pairs whose marker
 * <prefix><id>/<version>/.complete is missing on a target and queues at
 * most feed.max_per_tick unit builds (store_unit.h); worker threads
 * (feed_pool) build each one into <prefix><id>/<version>/ and deploy it,
 * the marker last.
 */
#ifndef KILN_FEED_H
#define KILN_FEED_H

#include <stdatomic.h>

#include <jansson.h>

struct buf;
struct conf;
struct conf_live;
struct store;

/* the most entries a list may hold, and its size in bytes */
#define FEED_LIST_MAX_ENTRIES	100000
#define FEED_LIST_MAX_BYTES	(64 * 1024 * 1024)

struct feed_entry {
	char *id;		/* a slug (common/path.h slug_valid) */
	char *version;		/* a slug */
	char *source;		/* resolved: an absolute folder, an https
				   URL, or "git:REF:REPO" */
};

struct feed_list {
	struct feed_entry *e;
	size_t n;
	json_t *problems;	/* [{index, error}]: entries skipped */
	char *from;		/* the list (or fallback) that was read */
};

/*
 * Parse list TEXT (LEN bytes): a JSON array of entries, or an object
 * whose "units" is one.  Relative sources are resolved against BASE (a
 * folder; NULL: relative sources are errors, as in a list read from a
 * URL).  A bad entry is recorded in l->problems with its index and
 * skipped; -1 with err only when the list as a whole is unusable.
 */
int feed_list_parse(const char *text, size_t len, const char *base,
    struct feed_list *l, struct buf *err);
/* read feed.list (a file or https URL), else feed.fallback_list */
int feed_list_load(const struct conf *c, struct feed_list *l,
    struct buf *err);
void feed_list_release(struct feed_list *l);
/* a safe unit id or version (one path segment) */
bool feed_name_ok(const char *s);
/* feed.prefix: "" or slugs each followed by '/' */
bool feed_prefix_ok(const char *s);

/* ---- the tick (feed.c) ---- */

/* store state: the last tick's {at, queued, pending, deferred, depth} */
#define FEED_TICK_KEY "feed.tick"

struct feed_tick {
	size_t listed;		/* valid entries */
	size_t invalid;		/* entries skipped (problems) */
	size_t complete;	/* marker on every target: skipped */
	size_t queued;		/* queued by this tick */
	size_t pending;		/* queued or running already */
	size_t failed;		/* failed for good */
	size_t deferred;	/* missing, past max_per_tick */
	size_t built;		/* unit builds that succeeded since the
				   previous tick */
	size_t requests;	/* requests made to the targets */
	const char *method;	/* "list" or "head" */
	json_t *report;		/* {..., units: [{id, version, state}]} */
};

/*
 * One feeder tick: read the list, find the pairs without their marker
 * (one LIST of the prefix per target), queue at most feed.max_per_tick.
 * DRY_RUN queues nothing.  0 when the tick ran, -1 with err when it
 * could not (no list, a target that cannot be listed, the store).
 */
int feed_tick(const struct conf *c, struct store *st, bool dry_run,
    struct feed_tick *t, struct buf *err);
void feed_tick_release(struct feed_tick *t);

/* ---- unit builds (feed_unit.c) ---- */

/*
 * Claim and build at most one unit build.  *ran is false when none was
 * due.  0, or -1 on a store error (a unit's failure is recorded on it).
 */
int feed_unit_run(const struct conf *c, struct store *st,
    const char *worker, bool *ran, struct buf *err);
/*
 * The site's page PREFIX/UNIT (and the section PREFIX): params.unit =
 * {id, latest, versions[{version, url, completed}]}, published, so the
 * site's build (requested by the publish) lists the unit.
 */
int feed_site_unit(const struct conf *c, struct store *st, const char *unit,
    struct buf *err);
/* a .tar.gz source: an https URL, or a path ending in .tar.gz or .tgz */
bool feed_tar_source(const char *src);
/*
 * GET the https URL into FN(ptr, size, n, ARG) (libcurl's write callback:
 * less than size * n stops the transfer) within TIMEOUT seconds; 0 on
 * HTTP 200, else -1 with "URL: reason" in err.  CURL_CA_BUNDLE, when
 * set, is the CA file to trust (feed_https.c).
 */
int feed_https_get(const char *url,
    size_t (*fn)(char *, size_t, size_t, void *), void *arg, long timeout,
    struct buf *err);
/*
 * Unpack the .tar.gz SRC (downloaded first into WORK when an https URL)
 * into the folder DEST; anything but plain files and folders fails.
 */
int feed_tar_unpack(const char *src, const char *work, const char *dest,
    struct buf *err);
/*
 * Check out REF of the git repository URL (a path or a URL libgit2
 * reads) into the folder DEST: a bare clone in WORK/source.git first.
 */
int feed_git_checkout(const char *url, const char *ref, const char *work,
    const char *dest, struct buf *err);
/*
 * The worker's unit threads: feed.concurrency threads, each with its
 * own store handle, claiming and building units until *STOP.  Nothing
 * is started when the site has no feed.list.
 */
struct feed_pool;
struct feed_pool *feed_pool_start(struct conf_live *live, const char *worker,
    atomic_int *stop);
void feed_pool_join(struct feed_pool *p);

#endif
