/* SPDX-License-Identifier: ISC */
/*
 * store.h: the content store.  Pages in a tree, revisions, media, the
 * audit log, the global change sequence, build requests, and a key/value
 * table for other subsystems' state.
 *
 * Publishing follows Wagtail's model.  A page has a latest revision (what
 * editors see) and maybe a live revision (what the public sees); it is
 * live or not, may have unpublished changes, may have a revision scheduled
 * to go live at a time, and may expire at a time.  Its status is one of
 * "live", "draft", "scheduled", "expired", "live + scheduled",
 * "live + draft".
 *
 * Every content change bumps the change sequence, writes an audit row
 * and, when it changes what the public site should show, a build request
 * carrying the new sequence number: all in ONE transaction, so a change
 * never exists without its build request (no lost publish).
 *
 * The interface names no database: SQLite is the backend now (WAL mode, so
 * the CLI and a running daemon share one file); a PostgreSQL backend can
 * implement the same functions.  Thread rule: a struct store belongs to
 * one thread at a time; open one per thread.  Every function returns 0 on
 * success, -1 with a message in err (left untouched on success).
 */
#ifndef KILN_STORE_H
#define KILN_STORE_H

#include <pthread.h>

#include <jansson.h>

#include "common/error.h"

struct buf;
struct conf;
struct store;

/* ---- opening ---- */

/* driver "sqlite" (path) or "postgres" (libpq URL or conninfo) */
int store_open(const char *driver, const char *path_or_url,
    struct store **out, struct buf *err);

/*
 * Opening and the schema (decision 0142).  A fresh store is created at
 * the current version; a store newer than this binary is refused; an
 * older one is refused ("run kiln store migrate") unless
 * STORE_OPEN_MIGRATE.  STORE_OPEN_BACKUP: before migrating a SQLite
 * store, copy it beside itself.  STORE_OPEN_NO_MIGRATE: open whatever
 * is there (kiln store status).
 */
#define STORE_OPEN_MIGRATE	0x1
#define STORE_OPEN_BACKUP	0x2
#define STORE_OPEN_NO_MIGRATE	0x4
/* the URL came from a secret (store.url_env): it may hold a password */
#define STORE_OPEN_URL_SECRET	0x8
int store_open_ex(const char *driver, const char *path_or_url,
    const char *password, int flags, struct store **out, struct buf *err);
/* open the store kiln.yaml names, creating its folder; migrates when
   store.auto_migrate is true */
int store_open_conf(const struct conf *c, struct store **out,
    struct buf *err);
int store_open_conf_flags(const struct conf *c, int flags,
    struct store **out, struct buf *err);

struct store_schema {
	const char *component;	/* "store", "queue" (static) */
	int version;		/* what the store holds; 0: none */
	int latest;		/* what this binary knows */
};
/* up to *N components' versions; *N set to the number written */
int store_schema(struct store *st, struct store_schema *out, size_t *n,
    struct buf *err);
/* apply pending migrations (a backup first for SQLite) */
int store_migrate(struct store *st, struct buf *err);
/*
 * Wake-ups across nodes (PostgreSQL LISTEN/NOTIFY; decision 0144).
 * store_listen: 0 when ST will hear of every build request committed by
 * any process, 1 when the backend has no notifications (SQLite: poll).
 * store_wait: 1 when one arrived within MS (or the connection was
 * renewed, so one may have been missed), 0 when not, -1 on error.  Use
 * a store handle of its own for listening.
 */
int store_listen(struct store *st, struct buf *err);
int store_wait(struct store *st, int ms);
/*
 * Set state KEY to VALUE only if it still holds OLD (NULL: absent), in
 * one write transaction: 1 if set, 0 if another process changed it
 * first.  What makes a cron task run once across nodes.
 */
int store_state_swap(struct store *st, const char *key, const char *old,
    const char *value, struct buf *err);
/*
 * Copy the whole of FROM into TO (a new, empty store, any backend) in
 * one transaction, then compare row counts and a SHA-256 of every
 * table's rows on both sides; on any difference nothing is copied.
 */
struct store_copy_report {
	size_t ntables;
	struct {
		const char *name;	/* static */
		int64_t rows;
		char sha256[65];
	} tables[16];
};
int store_copy(struct store *from, struct store *to,
    struct store_copy_report *rep, struct buf *err);
/* "postgresql://...", "postgres://..." or a conninfo with host=/dbname=:
   "postgres"; "sqlite:PATH" or a path: "sqlite" (*path set past it) */
const char *store_url_driver(const char *url, const char **path);
/* tests: make every statement fail (an unreachable database) */
void store_test_fail(struct store *st, bool on);
void store_close(struct store *st);

/*
 * The kind of the last error on ST (not found, conflict, unavailable,
 * internal; ERR_NONE for plain bad input), and for bad input the field
 * of struct page_fields (or the user or token input) it names: "path",
 * "title", "body", "summary", "tags", "extra", "template", "go_live",
 * "expire_at", "name", "role"; NULL if none.  The field is a static
 * string.  Clear both before a call whose error you will map.
 */
enum err_kind store_err_kind(const struct store *st);
const char *store_err_field(const struct store *st);
void store_err_clear(struct store *st);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK for callers grouping changes */
int store_begin(struct store *st, struct buf *err);
int store_commit(struct store *st, struct buf *err);
void store_rollback(struct store *st);

/* ---- pages ---- */

struct page_fields {
	const char *title;		/* required on create */
	const char *body;		/* Markdown; NULL = "" (or unchanged) */
	const char *summary;		/* NULL = "" (or unchanged) */
	int64_t date;			/* 0 = none (or unchanged) */
	json_t *tags;			/* array of strings, borrowed; NULL */
	json_t *extra;			/* object, borrowed; NULL */
	const char *template;		/* NULL = default */
	int weight;
	bool has_weight;
};

/*
 * Page text: valid UTF-8 without control characters (C0, DEL, C1; a
 * MULTILINE field may hold tab, CR and LF), and at most MAXCHARS
 * characters (0: no limit).  0, or -1 with the reason in why and the
 * 1-based line of the fault within S in *line (may be NULL).
 */
int page_text_check(const char *s, size_t len, bool multiline,
    size_t maxchars, int *line, struct buf *why);
/*
 * The text fields that are set (title up to LIMIT_TITLE characters,
 * summary, body); 0, or -1 with "title: reason" or "body: line N:
 * reason" in err.  store_page_create and store_page_edit call it.
 */
int page_fields_check(const struct page_fields *f, struct buf *err);
/* the same, answering the name of the bad field ("title"), or NULL */
const char *page_fields_bad(const struct page_fields *f, struct buf *err);

struct page_info {
	int64_t id;
	char *path;			/* canonical, "" for the home page */
	char *parent_path;		/* NULL for top-level pages */
	char *section;			/* first path component, "" for home */
	char *slug;
	char *template;
	int weight;
	char *title;			/* of the latest revision */
	char *live_title;		/* of the live revision, or NULL */
	char *author;			/* of the latest revision ("" if none) */
	char *status;
	bool live;
	bool has_unpublished_changes;
	bool expired;
	int64_t first_published_at, last_published_at;	/* 0 = never */
	int64_t live_revision, latest_revision;		/* 0 = none */
	int64_t scheduled_revision;			/* 0 = none */
	int64_t go_live_at, expire_at;			/* 0 = none */
	int64_t created_at, updated_at;
};

struct revision_info {
	int64_t id, page_id;
	char *title, *body, *summary;
	int64_t date;
	json_t *tags;			/* owned */
	json_t *extra;			/* owned */
	char *author;
	int64_t created_at;
};

void page_info_release(struct page_info *p);
/*
 * The JSON form of a page (CLI --json and the HTTP API): id, path, title,
 * status, section, parent, live, has_unpublished_changes, expired,
 * go_live_at, expire_at, first/last_published_at (ISO 8601 or null),
 * live/latest/scheduled_revision (or null), template, weight.
 */
json_t *page_info_json(const struct page_info *p);
/*
 * What anyone may see of a live page: id, path, title (of the live
 * revision), section, parent, first/last_published_at.  Never NULL.
 */
json_t *page_info_public_json(const struct page_info *p);
void revision_info_release(struct revision_info *r);

/*
 * Create a page at PATH (canonicalised; parent = the page at the path's
 * parent, if any) as a draft with its first revision.  *id may be NULL.
 */
int store_page_create(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, int64_t *id,
    struct buf *err);
/* a new revision from the latest one with the fields that are set */
int store_page_edit(struct store *st, const char *path,
    const struct page_fields *f, const char *actor, struct buf *err);
/*
 * Publish the latest revision: now (go_live 0 or <= now), or schedule it
 * to go live at GO_LIVE (the live revision stays live until then).
 */
int store_page_publish(struct store *st, const char *path, int64_t go_live,
    const char *actor, struct buf *err);
/*
 * Create (CREATE) or edit the page at PATH and, when PUBLISH, publish
 * the new revision now: one transaction, so a publish is never left half
 * done.  *id (may be NULL) is set for a created page.
 */
int store_page_save(struct store *st, const char *path,
    const struct page_fields *f, bool create, bool publish,
    const char *actor, int64_t *id, struct buf *err);
int store_page_unpublish(struct store *st, const char *path,
    const char *actor, struct buf *err);
/*
 * Set the go-live (schedules the latest revision; 0 = leave) and/or the
 * expiry (0 = leave, -1 = clear) of a page.
 */
int store_page_schedule(struct store *st, const char *path, int64_t go_live,
    int64_t expire, const char *actor, struct buf *err);
/* delete a page without children */
int store_page_delete(struct store *st, const char *path, const char *actor,
    struct buf *err);
/* 0 and *p filled, 1 if there is no such page, -1 on error */
int store_page_get(struct store *st, const char *path, struct page_info *p,
    struct buf *err);
/* the same by page id */
int store_page_get_id(struct store *st, int64_t id, struct page_info *p,
    struct buf *err);
/*
 * May a new page be created at canonical path PATH?  Not where a build
 * writes a file of its own: index.html, index.json, robots.txt,
 * sitemap.xml, 404.html, feeds/, media/, a top-level folder of static/
 * (when the store was opened with store_open_conf) or a section's
 * pagination (SECTION/page/N).  0, or -1 with the reason in err.
 */
int store_path_check_new(struct store *st, const char *path,
    struct buf *err);
/* every page, sorted by path; *list freed with store_page_list_free */
int store_page_list(struct store *st, struct page_info **list, size_t *n,
    struct buf *err);
void store_page_list_free(struct page_info *list, size_t n);
/* the statuses, in the order of store_page_counts' counts */
#define PAGE_NSTATUS 6
extern const char *const page_statuses[PAGE_NSTATUS];
/*
 * The admin's page tree, filtered, searched and paginated in SQL
 * (decision 0280): the pages whose title (of the latest revision) or
 * path holds Q (case aside; NULL or "": any) and whose status is STATUS
 * (NULL or "": any), by path, at most LIMIT from OFFSET.
 */
struct page_filter {
	const char *q;
	const char *status;
	size_t offset, limit;
};
int store_page_find(struct store *st, const struct page_filter *f,
    struct page_info **list, size_t *n, struct buf *err);
/* how many pages match Q (as above) per status, in one aggregate query */
int store_page_counts(struct store *st, const char *q,
    int64_t counts[PAGE_NSTATUS], struct buf *err);
int store_revision_get(struct store *st, int64_t id, struct revision_info *r,
    struct buf *err);

/* ---- scheduling ---- */

struct sched_report {
	size_t published;		/* scheduled revisions made live */
	size_t expired;			/* live pages taken down */
	size_t skipped;			/* scheduled revisions already expired */
	json_t *changes;		/* array of {path, action}, owned */
};

/*
 * Publish every revision whose go-live is <= now and take down every live
 * page whose expiry is <= now, in one transaction, in that order; a
 * revision whose expiry has passed is not published.  Safe against two
 * runs at once (each change happens once) and idempotent.  DRY_RUN reports
 * without changing anything.  Release report->changes with json_decref.
 */
int store_run_scheduled(struct store *st, int64_t now, bool dry_run,
    const char *actor, struct sched_report *report, struct buf *err);
/* the next go-live or expiry after now, or 0 if none */
int store_next_scheduled(struct store *st, int64_t now, int64_t *when,
    struct buf *err);

/* ---- media ---- */

struct media_info {
	char sha256[65];
	char *name;			/* original file name */
	char *content_type;
	int64_t size;
	int64_t created_at;
	char *file;			/* where the bytes are on disk */
	char *uploader;			/* who added it ("" if unknown) */
};

/*
 * Store a file's bytes under MEDIA_DIR by SHA-256 (content-addressed; a
 * second add of the same bytes changes nothing) and record it.
 */
int store_media_add(struct store *st, const char *media_dir,
    const char *file, const char *name, const char *actor,
    struct media_info *out, struct buf *err);
int store_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err);
void store_media_list_free(struct media_info *list, size_t n);
/*
 * Forget media file SHA256 and remove its bytes from MEDIA_DIR (a change:
 * the next build drops it from the targets): 0, 1 when there is no such
 * file, -1 with err.  Whether a page still uses it is the caller's check.
 */
int store_media_delete(struct store *st, const char *media_dir,
    const char *sha256, const char *actor, struct buf *err);
/*
 * Call FN for the latest and the live revision of every page whose body
 * names "/media/" (once per page and revision): the pages that may use a
 * media file.  FN returns 0 to go on, else the walk stops.  0 or -1.
 */
int store_media_refs(struct store *st, int (*fn)(void *arg, int64_t page_id,
    const char *path, const char *body), void *arg, struct buf *err);

/* ---- change sequence, build requests, audit ---- */

int store_change_seq(struct store *st, int64_t *seq, struct buf *err);
/* a build request not tied to a page change (republish, manual, webhook) */
int store_request_build(struct store *st, const char *reason,
    const char *actor, int64_t *request_id, struct buf *err);
/* JSON array of pending requests {id, seq, reason, path, actor, ...} */
int store_pending_requests(struct store *st, json_t **out, struct buf *err);
/* JSON array of the newest LIMIT audit rows */
int store_audit_list(struct store *st, size_t limit, json_t **out,
    struct buf *err);
/* an audit row on its own (API writes that change no content) */
int store_audit(struct store *st, const char *actor, const char *action,
    const char *path, const char *detail, struct buf *err);

/* ---- snapshot ---- */

struct snap_page {
	int64_t id;
	char *path, *section, *slug, *template;
	int weight;
	int64_t revision;
	char *title, *summary;
	char *body;			/* NULL until snapshot_body() when the
					   page has a summary */
	int64_t date;			/* 0 = none */
	char *tags_json;		/* as stored: cheap to hash */
	char *extra_json;
	json_t *tags;			/* array: snapshot_tags() */
	json_t *extra;			/* object, front matter extras:
					   snapshot_extra() */
	int64_t first_published_at, last_published_at;
	int64_t expire_at;		/* 0 = none */
	/*
	 * borrowed: the strings and JSON are the kept snapshot's (decision
	 * 0240, 0370), the copy frees only what it set itself (own_*)
	 */
	bool borrowed, own_body, own_tags, own_extra;
};

struct snapshot {
	int64_t seq;			/* change-sequence watermark */
	size_t rows_read;		/* page rows read from the store: all
					   of them, or only the changed ones
					   when the kept snapshot was brought
					   up to date (decision 0240) */
	struct snap_page *pages;	/* live, not expired, by path */
	size_t npages;
	struct media_info *media;
	size_t nmedia;
	struct store *st;		/* its read transaction, open until
					   snapshot_release */
	struct snap_gen *gen;		/* the kept pages it borrows, or
					   NULL */
	pthread_mutex_t mu;		/* serialises snapshot_body */
};

/*
 * One consistent read of everything a build needs: the change sequence
 * and every live page with its live revision, and all media.  The read
 * transaction stays open until snapshot_release(), so that bodies read
 * later (snapshot_body) come from the same state; ST must not be used
 * for anything else until then.  Bodies of pages with a summary are left
 * out: a build that reuses most pages never needs them.
 *
 * The process keeps the last snapshot of each store (strings shared,
 * reference-counted) and brings it up to date by reading only the pages
 * changed since (table page_changes); any doubt is a full read
 * (decision 0240).  Pages are in strcmp order of their paths.  The SNAP
 * returned is the caller's own: changing it changes nothing kept.
 */
int store_snapshot(struct store *st, const char *media_dir,
    struct snapshot *snap, struct buf *err);
/*
 * Whether this process keeps its last snapshot (yes unless told): one
 * that exits after a single build (kiln build) does not, since keeping
 * it parses every page's tags and params on the build's serial start
 * (decision 0440).  Set before the first snapshot.
 */
void store_snapshot_keep(bool keep);
/*
 * The same with every page that has a revision, each with its LATEST
 * revision (drafts included, live or not): what a staging target
 * (targets.*.content: latest) builds from.
 */
int store_snapshot_latest(struct store *st, const char *media_dir,
    struct snapshot *snap, struct buf *err);
/*
 * Draft preview: put page PAGE_ID's latest revision into SNAP (taken by
 * store_snapshot, still open) in place of its live one, or added when it
 * is not live, with the fields OVER sets replacing the revision's
 * (title, body, summary, date, tags; OVER may be NULL).  OVER is
 * checked as store_page_edit checks it.  0, or -1 with err (kind
 * ERR_NOT_FOUND when there is no such page or it has no revision).
 */
int snapshot_put_draft(struct snapshot *snap, int64_t page_id,
    const struct page_fields *over, struct buf *err);
/* page I's tags and extras, parsed when first asked for (thread-safe) */
json_t *snapshot_tags(struct snapshot *snap, size_t i);
json_t *snapshot_extra(struct snapshot *snap, size_t i);
/* the body of page I (thread-safe); NULL with err if it cannot be read */
const char *snapshot_body(struct snapshot *snap, size_t i, struct buf *err);
/*
 * Add pages that are not in the store (id 0, revision 0, empty body),
 * PATHS[i] titled TITLES[i], keeping the pages sorted by path: the
 * renderer's home page and section listings for folders without an
 * _index.md.  Call before any page is looked up by index.
 */
void snapshot_add_virtual(struct snapshot *snap, const char *const *paths,
    const char *const *titles, size_t n);
/* ends the read transaction and frees everything */
void snapshot_release(struct snapshot *snap);
/*
 * References to a page row's strings (one block: snap_page.path) and
 * body that outlive its snapshot, for the renderer's kept model
 * (decision 0360): while they are held no other row can have them at
 * those addresses, so a later row whose path and body are these very
 * pointers has these very strings (rows are never changed in place,
 * decision 0240).
 */
struct snap_hold {
	char *block;		/* snap_page.path, or NULL */
	char *body;		/* snap_page.body, or NULL */
};
void snapshot_hold(const struct snap_page *p, struct snap_hold *h);
void snapshot_unhold(struct snap_hold *h);

/* ---- state for other subsystems ---- */

/* 0 found (value replaced), 1 absent, -1 error */
int store_state_get(struct store *st, const char *key, struct buf *value,
    struct buf *err);
int store_state_set(struct store *st, const char *key, const void *value,
    size_t len, struct buf *err);
int store_state_delete(struct store *st, const char *key, struct buf *err);

#endif
