/* SPDX-License-Identifier: ISC */
/*
 * conf_keys.c: every key of kiln.yaml, in one table (STYLE H32), and the
 * checks that span several keys.
 *
 * Design: a row says where a key lives (its dotted pattern), what node it
 * must be, how its value converts, where it is stored and its default.
 * Adding a key is adding a row here, a field in conf.h and a line in
 * docs/configuration.md; the loader (conf.c) needs no change.  Defaults
 * are written as the YAML text a user would write, and converted by the
 * same code as the file's values, so they are validated the same way (a
 * bad default is a BUG() at the first load, caught by any unit test).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

_Static_assert(sizeof(enum conf_store_driver) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_sort) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_order) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_filter) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_target_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_cdn_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_purge_method) == sizeof(int), "enum size");

const char *const conf_http_schemes[] = { "http", "https", NULL };
static const char *const smtp_schemes[] = { "smtp", "smtps", NULL };
static const char *const drivers[] = { "sqlite", "postgres", NULL };
static const char *const orders[] = { "asc", "desc", NULL };
static const char *const filters[] = { "all", "upcoming", "past", NULL };
static const char *const target_types[] = { "s3", "dir", NULL };
static const char *const target_contents[] = { "live", "latest", NULL };
static const char *const cdn_types[] = {
	"cloudfront", "fastly", "cloudflare", "purge", "webhook", NULL
};
static const char *const purge_methods[] = { "PURGE", "BAN", NULL };
static const char *const log_formats[] = { "plain", "json", NULL };
static const char *const field_types[] = { "text", "textarea", "date",
	"select", NULL };

static conf_check_fn check_collection, check_target, check_cdn,
    check_email, check_admin_field;

#define MINUTE	60LL
#define HOUR	3600LL
#define DAY	86400LL

#define OFF(st, f)	offsetof(struct st, f)
#define KSECT(p) { .pattern = p, .type = CK_SECTION }
#define KSTR(p, st, f, d, fl) \
	{ .pattern = p, .type = CK_STR, .flags = fl, .off = OFF(st, f), \
	  .def = d }
#define KBOOL(p, st, f, d) \
	{ .pattern = p, .type = CK_BOOL, .off = OFF(st, f), .def = d }
#define KINT(p, st, f, d, lo, hi) \
	{ .pattern = p, .type = CK_INT, .off = OFF(st, f), .def = d, \
	  .min = lo, .max = hi }
#define KI64(p, st, f, d, lo, hi) \
	{ .pattern = p, .type = CK_I64, .off = OFF(st, f), .def = d, \
	  .min = lo, .max = hi }
#define KDUR(p, st, f, d, lo, hi) \
	{ .pattern = p, .type = CK_DUR, .off = OFF(st, f), .def = d, \
	  .min = lo, .max = hi }
#define KENUM(p, st, f, d, n, fl) \
	{ .pattern = p, .type = CK_ENUM, .flags = fl, .off = OFF(st, f), \
	  .def = d, .names = n }
#define KURL(p, st, f, d, n, fl) \
	{ .pattern = p, .type = CK_URL, .flags = fl, .off = OFF(st, f), \
	  .def = d, .names = n }
#define KENV(p, st, f) \
	{ .pattern = p, .type = CK_ENV, .off = OFF(st, f) }
#define KCRON(p, st, f, cf, d) \
	{ .pattern = p, .type = CK_CRON, .off = OFF(st, f), \
	  .aux = OFF(st, cf), .def = d }
#define KLIST(p, st, f, nf, n, fl) \
	{ .pattern = p, .type = CK_STRLIST, .flags = fl, .off = OFF(st, f), \
	  .aux = OFF(st, nf), .names = n }
#define KOBJ(p, st, f, elem, chk) \
	{ .pattern = p, .type = CK_OBJ, .off = OFF(st, f), \
	  .size = sizeof(struct elem), .check = chk }
#define KNAMED(p, st, f, nf, elem, chk, fl) \
	{ .pattern = p, .type = CK_NAMED, .flags = fl, .off = OFF(st, f), \
	  .aux = OFF(st, nf), .size = sizeof(struct elem), \
	  .name_off = OFF(elem, name), .check = chk }
#define KSEQ(p, st, f, nf, elem, chk) \
	{ .pattern = p, .type = CK_LIST, .off = OFF(st, f), \
	  .aux = OFF(st, nf), .size = sizeof(struct elem), .check = chk }

const struct conf_key conf_keys[] = {
	KSECT("site"),
	KSTR("site.title", conf, site.title, NULL, CK_REQUIRED),
	KURL("site.base_url", conf, site.base_url, NULL, conf_http_schemes,
	    CK_REQUIRED),
	KSTR("site.language", conf, site.language, "en", 0),
	KSTR("site.description", conf, site.description, "", CK_MULTILINE),
	KSTR("site.author", conf, site.author, "", 0),

	KSECT("store"),
	KENUM("store.driver", conf, store.driver, "sqlite", drivers, 0),
	KSTR("store.path", conf, store.path, ".kiln/kiln.db", 0),
	KSTR("store.url", conf, store.url, NULL, CK_SECRET),
	KENV("store.url_env", conf, store.url_env),
	KENV("store.password_env", conf, store.password_env),
	KBOOL("store.auto_migrate", conf, store.auto_migrate, "false"),

	KSECT("build"),
	KSTR("build.out", conf, build.out, "public", 0),
	KINT("build.page_size", conf, build.page_size, "10", 1, 1000),
	KBOOL("build.unsafe_html", conf, build.unsafe_html, "false"),
	KBOOL("build.page_json", conf, build.page_json, "false"),
	KINT("build.threads", conf, build.threads, "0", 0, 256),
	KSTR("build.command", conf, build.command, NULL, CK_MULTILINE),
	KDUR("build.command_timeout", conf, build.command_timeout, "10m",
	    1, 7 * DAY),
	KINT("build.retries", conf, build.retries, "2", 0, 20),
	KDUR("build.retry_backoff", conf, build.retry_backoff, "10s", 0, DAY),
	KDUR("build.lease", conf, build.lease, "60s", 5, DAY),
	KDUR("build.heartbeat", conf, build.heartbeat, "10s", 1, HOUR),

	KLIST("taxonomies", conf, taxonomies, ntaxonomies, NULL, 0),

	KNAMED("collections", conf, collections, ncollections,
	    conf_collection, check_collection, 0),
	KSTR("collections.*.section", conf_collection, section, NULL,
	    CK_REQUIRED),
	KSTR("collections.*.sort", conf_collection, sort, "date", 0),
	KENUM("collections.*.order", conf_collection, order, "desc", orders,
	    0),
	KENUM("collections.*.filter", conf_collection, filter, "all", filters,
	    0),
	KSTR("collections.*.date_field", conf_collection, date_field, "date",
	    0),
	KINT("collections.*.limit", conf_collection, limit, "0", 0, 100000),
	KBOOL("collections.*.feed", conf_collection, feed, "false"),

	KNAMED("targets", conf, targets, ntargets, conf_target, check_target,
	    0),
	KENUM("targets.*.type", conf_target, type, NULL, target_types,
	    CK_REQUIRED),
	KSTR("targets.*.bucket", conf_target, bucket, NULL, 0),
	KSTR("targets.*.region", conf_target, region, "us-east-1", 0),
	KURL("targets.*.endpoint", conf_target, endpoint, NULL,
	    conf_http_schemes, 0),
	KBOOL("targets.*.path_style", conf_target, path_style, "false"),
	KSTR("targets.*.prefix", conf_target, prefix, "", 0),
	KSTR("targets.*.path", conf_target, path, NULL, 0),
	KENUM("targets.*.content", conf_target, content, "live",
	    target_contents, 0),
	KENV("targets.*.basic_auth_env", conf_target, basic_auth_env),
	KSEQ("targets.*.mirrors", conf_target, mirrors, nmirrors, conf_mirror,
	    NULL),
	KSTR("targets.*.mirrors[].bucket", conf_mirror, bucket, NULL,
	    CK_REQUIRED),
	KSTR("targets.*.mirrors[].region", conf_mirror, region, NULL, 0),
	KURL("targets.*.mirrors[].endpoint", conf_mirror, endpoint, NULL,
	    conf_http_schemes, 0),
	KBOOL("targets.*.mirrors[].path_style", conf_mirror, path_style,
	    NULL),
	KSTR("targets.*.mirrors[].prefix", conf_mirror, prefix, NULL, 0),
	KSEQ("targets.*.headers", conf_target, headers, nheaders,
	    conf_header_rule, NULL),
	KSTR("targets.*.headers[].match", conf_header_rule, match, NULL,
	    CK_REQUIRED),
	KSTR("targets.*.headers[].cache_control", conf_header_rule,
	    cache_control, NULL, 0),
	KSTR("targets.*.headers[].content_type", conf_header_rule,
	    content_type, NULL, 0),
	KINT("targets.*.max_deletes", conf_target, max_deletes, "500", 0,
	    100000000),
	KDUR("targets.*.delete_grace", conf_target, delete_grace, "1h", 0,
	    30 * DAY),
	KINT("targets.*.concurrency", conf_target, concurrency, "8", 1, 64),
	KOBJ("targets.*.cdn", conf_target, cdn, cdn_conf, check_cdn),
	KENUM("targets.*.cdn.type", cdn_conf, type, NULL, cdn_types,
	    CK_REQUIRED),
	KLIST("targets.*.cdn.urls", cdn_conf, urls, nurls, conf_http_schemes,
	    0),
	KENUM("targets.*.cdn.method", cdn_conf, method, "PURGE",
	    purge_methods, 0),
	KSTR("targets.*.cdn.distribution_id", cdn_conf, distribution_id, NULL,
	    0),
	KSTR("targets.*.cdn.service_id", cdn_conf, service_id, NULL, 0),
	KSTR("targets.*.cdn.zone_id", cdn_conf, zone_id, NULL, 0),
	KENV("targets.*.cdn.token_env", cdn_conf, token_env),
	KURL("targets.*.cdn.url", cdn_conf, url, NULL, conf_http_schemes,
	    CK_SECRET),
	KENV("targets.*.cdn.secret_env", cdn_conf, secret_env),
	KURL("targets.*.cdn.endpoint", cdn_conf, endpoint, NULL,
	    conf_http_schemes, 0),
	KURL("targets.*.cdn.base_url", cdn_conf, base_url, NULL,
	    conf_http_schemes, 0),

	KSECT("history"),
	KBOOL("history.enabled", conf, history.enabled, "true"),
	KSTR("history.path", conf, history.path, ".kiln/history.git", 0),
	KSTR("history.remote", conf, history.remote, NULL, CK_SECRET),
	KSTR("history.branch", conf, history.branch, "main", 0),
	KINT("history.keep", conf, history.keep, "0", 0, 1000000),
	KENV("history.token_env", conf, history.token_env),
	KSTR("history.ssh_key", conf, history.ssh_key, NULL, 0),

	KSECT("schedule"),
	KCRON("schedule.republish", conf, schedule.republish,
	    schedule.republish_cron, ""),
	KCRON("schedule.gc", conf, schedule.gc, schedule.gc_cron,
	    "0 3 * * *"),
	KCRON("schedule.stuck_check", conf, schedule.stuck_check,
	    schedule.stuck_check_cron, "*/5 * * * *"),

	KSECT("notify"),
	KOBJ("notify.email", conf, notify.email, notify_email, check_email),
	KURL("notify.email.smtp", notify_email, smtp, NULL, smtp_schemes,
	    CK_REQUIRED | CK_SECRET),
	KSTR("notify.email.from", notify_email, from, NULL, CK_REQUIRED),
	KLIST("notify.email.to", notify_email, to, nto, NULL, CK_REQUIRED),
	KSTR("notify.email.username", notify_email, username, NULL, 0),
	KENV("notify.email.password_env", notify_email, password_env),
	KBOOL("notify.email.starttls", notify_email, starttls, "false"),
	KOBJ("notify.webhook", conf, notify.webhook, notify_webhook, NULL),
	KURL("notify.webhook.url", notify_webhook, url, NULL,
	    conf_http_schemes, CK_REQUIRED | CK_SECRET),
	KENV("notify.webhook.secret_env", notify_webhook, secret_env),
	KDUR("notify.stalled_after", conf, notify.stalled_after, "30m",
	    MINUTE, 7 * DAY),
	KDUR("notify.remind_every", conf, notify.remind_every, "6h", MINUTE,
	    30 * DAY),

	KSECT("admin"),
	KSEQ("admin.fields", conf, admin.fields, admin.nfields,
	    conf_admin_field, check_admin_field),
	KSTR("admin.fields[].name", conf_admin_field, name, NULL,
	    CK_REQUIRED),
	KSTR("admin.fields[].label", conf_admin_field, label, NULL, 0),
	KENUM("admin.fields[].type", conf_admin_field, type, "text",
	    field_types, 0),
	KLIST("admin.fields[].options", conf_admin_field, options, noptions,
	    NULL, 0),
	KBOOL("admin.fields[].required", conf_admin_field, required,
	    "false"),

	KSECT("media"),
	KI64("media.max_size", conf, media.max_size, "268435456", 1,
	    LIMIT_MEDIA_FILE),

	KSECT("serve"),
	KSTR("serve.listen", conf, serve.listen, "127.0.0.1:8080", 0),
	KENV("serve.webhook_secret_env", conf, serve.webhook_secret_env),
	KI64("serve.max_body", conf, serve.max_body, "16777216", 1024,
	    1024LL * 1024 * 1024),
	KI64("serve.max_anonymous_body", conf, serve.max_anonymous_body,
	    "65536", 1024, 1024LL * 1024 * 1024),
	KINT("serve.max_connections", conf, serve.max_connections, "256", 4,
	    100000),
	KINT("serve.max_connections_per_ip", conf,
	    serve.max_connections_per_ip, "32", 1, 100000),
	KDUR("serve.header_timeout", conf, serve.header_timeout, "10s", 1,
	    HOUR),
	KDUR("serve.body_timeout", conf, serve.body_timeout, "60s", 1, DAY),
	KDUR("serve.idle_timeout", conf, serve.idle_timeout, "30s", 1, DAY),
	KBOOL("serve.metrics_localhost", conf, serve.metrics_localhost,
	    "false"),
	KLIST("serve.allowed_hosts", conf, serve.allowed_hosts,
	    serve.nallowed_hosts, NULL, 0),
	KDUR("serve.session_idle", conf, serve.session_idle, "1h", MINUTE,
	    30 * DAY),
	KDUR("serve.session_max", conf, serve.session_max, "12h", MINUTE,
	    365 * DAY),
	KBOOL("serve.secure_cookies", conf, serve.secure_cookies, "false"),

	KSECT("log"),
	KENUM("log.format", conf, log.format, "plain", log_formats, 0),

	KSECT("retention"),
	KINT("retention.builds", conf, retention.builds, "100", 1, 10000000),
	KINT("retention.logs_days", conf, retention.logs_days, "30", 1,
	    36500),

	KSECT("feed"),
	KSTR("feed.list", conf, feed.list, NULL, 0),
	KSTR("feed.fallback_list", conf, feed.fallback_list, NULL, 0),
	KINT("feed.max_per_tick", conf, feed.max_per_tick, "10", 1, 100000),
	KINT("feed.concurrency", conf, feed.concurrency, "2", 1, 64),
	KCRON("feed.schedule", conf, feed.schedule, feed.schedule_cron, ""),
	KSTR("feed.prefix", conf, feed.prefix, "units/", 0),
};

const size_t conf_nkeys = NELEM(conf_keys);

/* "params.KEY" with KEY of letters, digits, '_' and '-'; NULL if not */
static const char *
param_key(const char *s)
{
	const char *k;

	if (strncmp(s, "params.", 7) != 0 || !s[7])
		return NULL;
	for (k = s + 7; *k; k++)
		if (!(*k >= 'a' && *k <= 'z') && !(*k >= 'A' && *k <= 'Z') &&
		    !(*k >= '0' && *k <= '9') && *k != '_' && *k != '-')
			return NULL;
	return s + 7;
}

static void
check_collection(struct conf_ctx *ctx, void *obj, struct fy_node *map,
    UNUSED int line, const char *path)
{
	static const char *const sorts[] = {
		"date", "title", "weight", "path", NULL
	};
	struct conf_collection *col = obj;
	struct buf canon = BUF_INIT, why = BUF_INIT;
	size_t i;

	/* the section is a site path: "/news/" is "news" */
	if (col->section && *col->section) {
		if (path_canonicalize(col->section, &canon, &why) == -1 ||
		    canon.len == 0) {
			conf_err(ctx, conf_line(map, "section"), path,
			    "section", "expected a section path such as news "
			    "(lowercase slugs)");
		} else {
			free(col->section);
			col->section = buf_detach(&canon, NULL);
		}
	}
	buf_release(&canon);
	buf_release(&why);
	col->sort_param = NULL;
	for (i = 0; sorts[i]; i++)
		if (strcmp(col->sort, sorts[i]) == 0)
			break;
	if (sorts[i])
		col->sort_by = (enum conf_sort)i;
	else if ((col->sort_param = param_key(col->sort)))
		col->sort_by = CONF_SORT_PARAM;
	else
		conf_err(ctx, conf_line(map, "sort"), path, "sort",
		    "expected date, title, weight, path or params.KEY");
	if (strcmp(col->date_field, "date") == 0)
		col->date_param = NULL;
	else if (!(col->date_param = param_key(col->date_field)))
		conf_err(ctx, conf_line(map, "date_field"), path, "date_field",
		    "expected date or params.KEY");
}

/*
 * Normalise a key prefix in place: no leading '/', a trailing '/' unless
 * empty, and no "." or ".." component.  Returns -1 with why set if bad.
 */
static int
norm_prefix(char **prefix, struct buf *why)
{
	struct buf clean = BUF_INIT;
	const char *p = *prefix;

	while (*p == '/')
		p++;
	if (!*p) {
		free(*prefix);
		*prefix = xstrdup("");
		return 0;
	}
	if (path_clean_rel(p, &clean, why) == -1) {
		buf_release(&clean);
		return -1;
	}
	free(*prefix);
	*prefix = xasprintf("%s/", clean.buf);
	buf_release(&clean);
	return 0;
}

static void
check_target(struct conf_ctx *ctx, void *obj, struct fy_node *map,
    int line, const char *path)
{
	struct conf_target *t = obj;
	struct buf why = BUF_INIT;
	struct fy_node *mseq, *mmap;
	void *iter = NULL;
	char *mpath;
	size_t i;
	int type = conf_enum_given(map, "type", target_types);

	if (norm_prefix(&t->prefix, &why) == -1)
		conf_err(ctx, conf_line(map, "prefix"), path, "prefix", "%s",
		    why.buf);
	if (type == CONF_TARGET_S3 && !conf_get(map, "bucket"))
		conf_err(ctx, line, path, "bucket",
		    "is required for type s3");
	if (type == CONF_TARGET_S3 && t->bucket && !*t->bucket)
		conf_err(ctx, conf_line(map, "bucket"), path, "bucket",
		    "must not be empty");
	if (type == CONF_TARGET_DIR && !conf_get(map, "path"))
		conf_err(ctx, line, path, "path",
		    "is required for type dir");
	if (type == CONF_TARGET_DIR && t->path && !*t->path)
		conf_err(ctx, conf_line(map, "path"), path, "path",
		    "must not be empty");
	if (type == CONF_TARGET_DIR && t->nmirrors)
		conf_err(ctx, conf_line(map, "mirrors"), path, "mirrors",
		    "only for type s3");
	/* mirrors inherit what they do not set from their target */
	mseq = conf_get(map, "mirrors");
	for (i = 0; i < t->nmirrors; i++) {
		struct conf_mirror *m = &t->mirrors[i];

		mmap = mseq && fy_node_get_type(mseq) == FYNT_SEQUENCE ?
		    fy_node_sequence_iterate(mseq, &iter) : NULL;
		if (!m->region)
			m->region = xstrdup(t->region);
		if (!m->endpoint && t->endpoint)
			m->endpoint = xstrdup(t->endpoint);
		if (!conf_get(mmap, "path_style"))
			m->path_style = t->path_style;
		if (!m->prefix) {
			m->prefix = xstrdup(t->prefix);
		} else if (norm_prefix(&m->prefix, &why) == -1) {
			mpath = xasprintf("%s.mirrors[%zu]", path, i);
			conf_err(ctx, conf_line(mmap, "prefix"), mpath,
			    "prefix", "%s", why.buf);
			free(mpath);
		}
	}
	buf_release(&why);
}

/* a field name: a params key the editor's own fields do not use */
static void
check_admin_field(struct conf_ctx *ctx, void *obj, struct fy_node *map,
    int line, const char *path)
{
	static const char *const own[] = { "path", "title", "summary", "body",
		"date", "tags", "go_live", "expire", "csrf", "revision",
		"action" };
	const struct conf_admin_field *f = obj;
	const char *n = f->name;

	if (!n)
		return;
	if (!*n || strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(n) || strlen(n) > 64)
		conf_err(ctx, conf_line(map, "name"), path, "name", "expected "
		    "lower-case letters, digits and _ (at most 64)");
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!strcmp(n, own[i]))
			conf_err(ctx, conf_line(map, "name"), path, "name",
			    "'%s' is one of the editor's own fields", n);
	if (f->type == CONF_FIELD_SELECT && f->noptions == 0)
		conf_err(ctx, line, path, "options", "is required for type "
		    "select");
	if (f->type != CONF_FIELD_SELECT && f->noptions > 0)
		conf_err(ctx, conf_line(map, "options"), path, "options",
		    "is only for type select");
}

static void
check_cdn(struct conf_ctx *ctx, UNUSED void *obj, struct fy_node *map,
    int line, const char *path)
{

	switch (conf_enum_given(map, "type", cdn_types)) {
	case CONF_CDN_CLOUDFRONT:
		if (!conf_get(map, "distribution_id"))
			conf_err(ctx, line, path, "distribution_id",
			    "is required for type cloudfront");
		break;
	case CONF_CDN_FASTLY:
		if (!conf_get(map, "service_id"))
			conf_err(ctx, line, path, "service_id",
			    "is required for type fastly");
		break;
	case CONF_CDN_CLOUDFLARE:
		if (!conf_get(map, "zone_id"))
			conf_err(ctx, line, path, "zone_id",
			    "is required for type cloudflare");
		break;
	case CONF_CDN_PURGE:
		if (!conf_get(map, "urls"))
			conf_err(ctx, conf_line(map, "urls"), path, "urls",
			    "is required for type purge (the caches to "
			    "purge)");
		break;
	case CONF_CDN_WEBHOOK:
		if (!conf_get(map, "url"))
			conf_err(ctx, line, path, "url",
			    "is required for type webhook");
		break;
	default:
		break;	/* missing or bad type: reported by the table */
	}
}

/* an address for a mail header: one '@', no spaces or control bytes */
static bool
email_valid(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '<' ||
		    *s == '>' || *s == ',')
			return false;
	return true;
}

static void
check_email(struct conf_ctx *ctx, void *obj, struct fy_node *map,
    UNUSED int line, const char *path)
{
	struct notify_email *e = obj;
	struct fy_node *seq, *item;
	void *iter = NULL;
	char *ipath;
	size_t i;

	if (e->from && *e->from && !email_valid(e->from))
		conf_err(ctx, conf_line(map, "from"), path, "from",
		    "expected an email address (user@host)");
	seq = conf_get(map, "to");
	for (i = 0; i < e->nto; i++) {
		item = seq && fy_node_get_type(seq) == FYNT_SEQUENCE ?
		    fy_node_sequence_iterate(seq, &iter) : NULL;
		if (email_valid(e->to[i]))
			continue;
		ipath = xasprintf("%s.to[%zu]", path, i);
		conf_err(ctx, item ? conf_line(item, NULL) :
		    conf_line(map, "to"), ipath, NULL,
		    "expected an email address (user@host)");
		free(ipath);
	}
}

static void
strip_slashes(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

/*
 * true if a URL carries a password ("scheme://user:pass@host") or a
 * PostgreSQL conninfo a "password=" setting
 */
static bool
has_password(const char *s)
{
	const char *p = strstr(s, "://"), *at, *colon;
	size_t n;

	if (strcasestr(s, "password="))
		return true;
	if (!p)
		return false;
	p += 3;
	n = strcspn(p, "/?#");
	at = memchr(p, '@', n);
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	return colon != NULL;
}

/* a git branch name kiln will accept (a safe subset of git's rules) */
static bool
branch_valid(const char *b)
{
	const char *p;
	size_t n = strlen(b);

	if (n == 0 || n > 200 || b[0] == '-' || b[0] == '/' || b[0] == '.' ||
	    b[n - 1] == '/' || b[n - 1] == '.' || strstr(b, "..") ||
	    strstr(b, "//") || strstr(b, "/.") ||
	    (n >= 5 && strcmp(b + n - 5, ".lock") == 0))
		return false;
	for (p = b; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_' &&
		    *p != '.' && *p != '/')
			return false;
	return true;
}

/*
 * taxonomies: each a lowercase name usable as a URL's first folder, none
 * twice; left out, Hugo's default (tags and categories).
 */
static void
check_taxonomies(struct conf_ctx *ctx, struct conf *c, struct fy_node *root)
{
	int line = conf_line(root, "taxonomies");

	if (!c->taxonomies) {
		c->taxonomies = xcalloc(2, sizeof(*c->taxonomies));
		c->taxonomies[0] = xstrdup("tags");
		c->taxonomies[1] = xstrdup("categories");
		c->ntaxonomies = 2;
		return;
	}
	for (size_t i = 0; i < c->ntaxonomies; i++) {
		const char *t = c->taxonomies[i];
		if (strlen(t) > 64 || strspn(t, "abcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") != strlen(t) || t[0] == '-' || t[0] == '_')
			conf_err(ctx, line, "taxonomies", NULL, "'%s': expected "
			    "a lowercase name (letters, digits, '-', '_'), "
			    "as in its URL /%s/", t, t);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t, c->taxonomies[j]))
				conf_err(ctx, line, "taxonomies", NULL,
				    "'%s' is listed twice", t);
	}
}

void
conf_check_root(struct conf_ctx *ctx, struct conf *c, struct fy_node *root)
{
	struct fy_node *sect;
	const char *colon;
	const char *errstr;
	size_t i;

	if (c->site.base_url)
		strip_slashes(c->site.base_url);
	check_taxonomies(ctx, c, root);
	conf_check_feed(ctx, c, root);
	sect = conf_get(root, "store");
	if (c->store.driver == CONF_STORE_POSTGRES && !c->store.url &&
	    !c->store.url_env)
		conf_err(ctx, conf_line(sect, "driver"), "store", "url",
		    "is required for driver postgres (or store.url_env)");
	if (c->store.url && has_password(c->store.url))
		conf_err(ctx, conf_line(sect, "url"), "store", "url",
		    "contains a password; give the password in the variable "
		    "named by store.password_env (or PGPASSWORD, ~/.pgpass)");
	sect = conf_get(root, "history");
	if (!branch_valid(c->history.branch))
		conf_err(ctx, conf_line(sect, "branch"), "history", "branch",
		    "expected a git branch name (letters, digits, '-', '_', "
		    "'.', '/')");
	if (c->history.remote && has_password(c->history.remote))
		conf_err(ctx, conf_line(sect, "remote"), "history", "remote",
		    "contains a password; use history.token_env");
	sect = conf_get(conf_get(root, "notify"), "email");
	if (c->notify.email && c->notify.email->smtp &&
	    has_password(c->notify.email->smtp))
		conf_err(ctx, conf_line(sect, "smtp"), "notify.email", "smtp",
		    "contains a password; use username and password_env");
	sect = conf_get(root, "build");
	if (c->build.command && !*c->build.command) {
		free(c->build.command);	/* "" is no command */
		c->build.command = NULL;
	}
	if (c->build.heartbeat >= c->build.lease)
		conf_err(ctx, conf_line(sect, "heartbeat"), "build",
		    "heartbeat", "must be shorter than build.lease");
	sect = conf_get(root, "serve");
	colon = strrchr(c->serve.listen, ':');
	if (!colon || colon == c->serve.listen ||
	    (strtonum(colon + 1, 1, 65535, &errstr), errstr))
		conf_err(ctx, conf_line(sect, "listen"), "serve", "listen",
		    "expected HOST:PORT (e.g. 127.0.0.1:8080)");
	for (i = 0; i < c->ntargets; i++) {
		struct cdn_conf *cdn = c->targets[i].cdn;

		if (!cdn)
			continue;
		if (!cdn->base_url && c->site.base_url)
			cdn->base_url = xstrdup(c->site.base_url);
		if (cdn->base_url)
			strip_slashes(cdn->base_url);
	}
}
