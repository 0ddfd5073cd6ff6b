/* SPDX-License-Identifier: ISC */
/*
 * conf.h: kiln.yaml -> one struct conf (STYLE H32, H33).
 *
 * The loader is driven by a key table (conf_keys.c): every key kiln knows,
 * its YAML node type, its value type and range, its default and whether it
 * is required.  Unknown keys, wrong types and bad values are errors, and
 * EVERY error is reported, one per line, as
 *
 *	kiln.yaml:12: targets.production.bucket: expected a scalar
 *
 * Conventions for the fields below:
 * - Every string is malloc'd and owned by the struct conf.  A key with a
 *   default is never NULL; an optional key without a default is NULL when
 *   it is absent from the file.
 * - Durations ("30m", "1h", "7d", see duration_parse()) are int64_t
 *   seconds.
 * - Paths are stored as written (relative to the folder holding kiln.yaml
 *   unless absolute); use conf_path() to resolve one.
 * - Keys ending in "_env" hold the NAME of an environment variable that
 *   holds a secret; no secret is ever stored in kiln.yaml.
 * - Targets and collections keep the order in which they were written.
 * - A struct conf is never modified after conf_load() returns; it may be
 *   read from several threads at once.  A reload builds a new one.
 */
#ifndef KILN_CONF_H
#define KILN_CONF_H

#include "sched/cron.h"

struct buf;

struct conf_site {
	char *title;		/* required */
	char *base_url;		/* required, http(s), no trailing '/' */
	char *language;		/* "en" */
	char *description;	/* "" */
	char *author;		/* "" */
};

enum conf_store_driver {
	CONF_STORE_SQLITE,
	CONF_STORE_POSTGRES,
};

struct conf_store {
	enum conf_store_driver driver;	/* sqlite */
	char *path;		/* ".kiln/kiln.db" (sqlite) */
	char *url;		/* PostgreSQL conninfo or NULL; wiped on free */
	char *url_env;		/* variable holding the conninfo, or NULL */
	char *password_env;	/* variable holding the password, or NULL */
	bool auto_migrate;	/* false: migrations wait for kiln store migrate */
};

struct conf_build {
	char *out;		/* "public" */
	int page_size;		/* 10, 1..1000 */
	bool unsafe_html;	/* true: raw HTML in Markdown passes through */
	bool page_json;		/* false: also write index.json per page */
	int threads;		/* 0 = number of cores, 0..256 */
	char *command;		/* external build command ("{out}"), or NULL */
	int64_t command_timeout;	/* "10m" */
	int retries;		/* 2, 0..20: attempts after the first */
	int64_t retry_backoff;	/* "10s": first retry delay, then doubled */
	int64_t lease;		/* "60s" */
	int64_t heartbeat;	/* "10s" */
};

enum conf_sort {
	CONF_SORT_DATE,
	CONF_SORT_TITLE,
	CONF_SORT_WEIGHT,
	CONF_SORT_PATH,
	CONF_SORT_PARAM,	/* "params.KEY": sort_param is KEY */
};

enum conf_order {
	CONF_ORDER_ASC,
	CONF_ORDER_DESC,
};

enum conf_filter {
	CONF_FILTER_ALL,
	CONF_FILTER_UPCOMING,	/* date >= build time */
	CONF_FILTER_PAST,	/* date < build time */
};

struct conf_collection {
	char *name;		/* the map key; [A-Za-z0-9_-]+ */
	char *section;		/* required */
	char *sort;		/* as written: "date", "params.event_date" */
	enum conf_sort sort_by;	/* date */
	const char *sort_param;	/* KEY inside sort when CONF_SORT_PARAM */
	enum conf_order order;	/* desc */
	enum conf_filter filter;	/* all */
	char *date_field;	/* "date" or "params.KEY" */
	const char *date_param;	/* KEY inside date_field, or NULL for "date" */
	int limit;		/* 0 = no limit */
	bool feed;		/* false: write an Atom feed of it */
};

enum conf_target_type {
	CONF_TARGET_S3,
	CONF_TARGET_DIR,
};

/* a mirror bucket; unset region/endpoint/path_style/prefix are inherited
 * from its target */
struct conf_mirror {
	char *bucket;		/* required */
	char *region;
	char *endpoint;		/* NULL: AWS */
	bool path_style;
	char *prefix;		/* "" or ends in '/' */
};

/* per-path header rule; the first whose glob matches wins */
struct conf_header_rule {
	char *match;		/* required, fnmatch(3) glob, e.g. "*.html" */
	char *cache_control;	/* NULL: the manifest's default */
	char *content_type;	/* NULL: the manifest's default */
};

enum conf_cdn_type {
	CONF_CDN_CLOUDFRONT,
	CONF_CDN_FASTLY,
	CONF_CDN_CLOUDFLARE,
	CONF_CDN_PURGE,
	CONF_CDN_WEBHOOK,
};

enum conf_purge_method {
	CONF_PURGE_PURGE,	/* HTTP method "PURGE" */
	CONF_PURGE_BAN,		/* HTTP method "BAN" */
};

/* targets.NAME.cdn; passed to cdn_invalidate() */
struct cdn_conf {
	enum conf_cdn_type type;	/* required */
	char **urls;		/* purge: the caches (required for purge) */
	size_t nurls;
	enum conf_purge_method method;	/* purge: PURGE */
	char *distribution_id;	/* cloudfront (required) */
	char *service_id;	/* fastly (required) */
	char *zone_id;		/* cloudflare (required) */
	char *token_env;	/* variable holding the API token, or NULL */
	char *url;		/* webhook (required) */
	char *secret_env;	/* webhook HMAC secret variable, or NULL */
	char *endpoint;		/* provider API base URL override, or NULL */
	char *base_url;		/* public URL prefix; default site.base_url */
};

/* what a target's build reads: the live revisions, or the latest ones */
enum conf_content { CONF_CONTENT_LIVE, CONF_CONTENT_LATEST };

struct conf_target {
	char *name;		/* the map key; [A-Za-z0-9_-]+ */
	enum conf_target_type type;	/* required */
	/* s3 */
	char *bucket;		/* required for s3 */
	char *region;		/* "us-east-1" */
	char *endpoint;		/* NULL: AWS */
	bool path_style;	/* false */
	char *prefix;		/* "", else normalised to end in '/' */
	/* dir */
	char *path;		/* required for dir: the folder */
	/* both */
	struct conf_mirror *mirrors;
	size_t nmirrors;
	struct conf_header_rule *headers;
	size_t nheaders;
	int max_deletes;	/* 500 */
	int64_t delete_grace;	/* "1h" */
	int concurrency;	/* 8, 1..64 */
	struct cdn_conf *cdn;	/* NULL: no CDN */
	/* staging (decision record 0132) */
	enum conf_content content;	/* live (default) or latest */
	char *basic_auth_env;	/* variable holding "user:password" that
				   kiln serve asks for; NULL */
};

struct conf_history {
	bool enabled;		/* true */
	char *path;		/* ".kiln/history.git" */
	char *remote;		/* NULL: no push; wiped on free */
	char *branch;		/* "main" */
	int keep;		/* 0 = keep everything */
	char *token_env;	/* HTTPS token variable, or NULL */
	char *ssh_key;		/* path, or NULL */
};

struct conf_schedule {
	char *republish;	/* "" = off */
	char *gc;		/* "0 3 * * *" */
	char *stuck_check;	/* every 5 minutes */
	struct cron republish_cron;	/* valid only if republish[0] */
	struct cron gc_cron;	/* valid only if gc[0] */
	struct cron stuck_check_cron;	/* valid only if stuck_check[0] */
};

struct notify_email {
	char *smtp;		/* required, smtp:// or smtps:// URL; wiped */
	char *from;		/* required */
	char **to;		/* required, at least one */
	size_t nto;
	char *username;		/* NULL: no auth */
	char *password_env;	/* variable holding the password, or NULL */
	bool starttls;		/* false */
};

struct notify_webhook {
	char *url;		/* required */
	char *secret_env;	/* HMAC secret variable, or NULL */
};

/* the notify section; passed to notify_send() */
struct notify_conf {
	struct notify_email *email;	/* NULL: no email */
	struct notify_webhook *webhook;	/* NULL: no webhook */
	int64_t stalled_after;	/* "30m" */
	int64_t remind_every;	/* "6h" */
};

/* a site-declared page field of the web admin's editor (admin.fields) */
enum conf_field_type {
	CONF_FIELD_TEXT,
	CONF_FIELD_TEXTAREA,
	CONF_FIELD_DATE,
	CONF_FIELD_SELECT,
};

struct conf_admin_field {
	char *name;		/* required: the key in the page's params */
	char *label;		/* NULL: the name */
	enum conf_field_type type;	/* text */
	char **options;		/* select: the choices (required) */
	size_t noptions;
	bool required;		/* false */
};

struct conf_admin {
	struct conf_admin_field *fields;	/* in file order */
	size_t nfields;
};

/* media files (kiln media add, the admin's media library) */
struct conf_media {
	int64_t max_size;	/* 268435456 bytes (LIMIT_MEDIA_FILE) */
};

struct conf_serve {
	char *listen;		/* "127.0.0.1:8080" */
	char *webhook_secret_env;	/* NULL: webhook endpoint disabled */
	int64_t max_body;	/* 16777216 bytes */
	/* slow and hostile clients (docs/daemon.md, decision 0057) */
	int64_t max_anonymous_body;	/* 65536 bytes */
	int max_connections;		/* 256 */
	int max_connections_per_ip;	/* 32 */
	int64_t header_timeout;		/* "10s" */
	int64_t body_timeout;		/* "60s" */
	int64_t idle_timeout;		/* "30s" */
	bool metrics_localhost;		/* false */
	char **allowed_hosts;		/* Host names besides loopback's */
	size_t nallowed_hosts;
	/* the web admin's sessions (docs/admin.md, decision 0121) */
	int64_t session_idle;		/* "1h" */
	int64_t session_max;		/* "12h" */
	bool secure_cookies;		/* false: Secure only over TLS */
};

struct conf_retention {
	int builds;		/* 100: succeeded builds kept (failed: all) */
	int logs_days;		/* 30 */
};

/* feed: a multi-unit site's approved units (docs/units.md) */
struct conf_feed {
	char *list;		/* JSON file (relative to kiln.yaml) or https
				   URL; NULL: no feed */
	char *fallback_list;	/* tried when list cannot be read; NULL */
	int max_per_tick;	/* 10, 1..100000 */
	int concurrency;	/* 2, 1..64: unit builds per worker */
	char *schedule;		/* "" = off */
	struct cron schedule_cron;	/* valid only if schedule[0] */
	char *prefix;		/* "units/" */
};

/* log: how kiln logs (--log-format overrides format) */
struct conf_log {
	int format;		/* enum log_format: 0 plain, 1 json */
};

struct conf {
	char *file;		/* the path given to conf_load() */
	char *dir;		/* absolute folder holding kiln.yaml */
	struct conf_site site;
	struct conf_store store;
	struct conf_build build;
	char **taxonomies;	/* "tags", "categories": listing pages per term */
	size_t ntaxonomies;
	struct conf_collection *collections;	/* in file order */
	size_t ncollections;
	struct conf_target *targets;		/* in file order */
	size_t ntargets;
	struct conf_history history;
	struct conf_schedule schedule;
	struct notify_conf notify;
	struct conf_serve serve;
	struct conf_media media;
	struct conf_admin admin;
	struct conf_retention retention;
	struct conf_log log;
	struct conf_feed feed;
};

/*
 * Load and validate a kiln.yaml.  Returns a new struct conf, or NULL with
 * every error in err (replaced), one per line, "FILE:LINE: key: reason",
 * where FILE is `file` as given.  Files over LIMIT_CONFIG_FILE are refused.
 */
struct conf *conf_load(const char *file, struct buf *err);
/*
 * conf_load() for kiln check: also what the keys name on disk (feed.list
 * readable, feed.prefix clear of the site's static folders), reported
 * the same way, with their lines.
 */
struct conf *conf_load_check(const char *file, struct buf *err);
/*
 * The same from memory; `name` stands for the file name in errors and
 * c->file; c->dir is the current folder.
 */
struct conf *conf_load_string(const char *yaml, size_t len, const char *name,
    struct buf *err);
/* free c and everything in it, wiping secret-bearing fields.  NULL ok. */
void conf_free(struct conf *c);

/* malloc'd absolute path of rel resolved against c->dir (rel if absolute) */
char *conf_path(const struct conf *c, const char *rel);
/* the target or collection of that name, or NULL */
const struct conf_target *conf_target(const struct conf *c, const char *name);
const struct conf_collection *conf_collection(const struct conf *c,
    const char *name);

#endif
