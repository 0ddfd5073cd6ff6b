/* SPDX-License-Identifier: ISC */
/*
 * conf_doc.c: what each key of kiln.yaml means, for kiln.yaml(5) and
 * `kiln help --man-config`.  The keys, types and defaults come from the
 * loader's own table (conf/conf_keys.c); this table adds only the words.
 * tests/integration/cli_docs.sh fails when a key has no row here.
 */
#include "common/compat.h"

#include "cli/clidoc.h"

const struct cli_keydoc cli_keydocs[] = {
	{ "site",
	    "The site itself." },
	{ "store",
	    "Where content, builds and the queue are kept." },
	{ "build",
	    "How kiln build renders." },
	{ "taxonomies",
	    "The taxonomies of the site: for each NAME, /NAME/ lists every "
	    "term with its page count and /NAME/TERM/ the pages with that "
	    "term (paginated), from the pages' front matter NAME (tags: the "
	    "page's tags).  Left out: tags and categories, as in Hugo; [] "
	    "for none." },
	{ "collections",
	    "A map of collection NAME to settings; each is a list of pages "
	    "available to every template as collections.NAME." },
	{ "targets",
	    "A map of target NAME to settings: where kiln deploy publishes, "
	    "in order." },
	{ "history",
	    "The git history of deployed builds." },
	{ "schedule",
	    "Periodic tasks of kiln serve (cron expressions)." },
	{ "notify",
	    "Reports of broken and stalled builds." },
	{ "admin",
	    "The web admin." },
	{ "media",
	    "Media files: images and documents pages link to." },
	{ "serve",
	    "The daemon." },
	{ "log",
	    "How kiln logs." },
	{ "retention",
	    "What kiln gc keeps." },
	{ "feed",
	    "A multi-unit site: the approved list of units that kiln feed "
	    "queues and the workers build (docs/units.md)." },
	{ "targets.*.mirrors",
	    "More buckets deployed as part of the same deploy (s3 only); "
	    "any key left out is taken from the target." },
	{ "targets.*.mirrors[].bucket",
	    "Bucket name (required)." },
	{ "targets.*.mirrors[].region",
	    "Bucket region; default: the target's." },
	{ "targets.*.mirrors[].endpoint",
	    "S3-compatible endpoint; default: the target's." },
	{ "targets.*.mirrors[].path_style",
	    "Path-style addressing; default: the target's." },
	{ "targets.*.mirrors[].prefix",
	    "Key prefix; default: the target's." },
	{ "targets.*.headers[].match",
	    "A glob on the output path, e.g. \"*.html\" or \"feeds/*\" "
	    "(required)." },
	{ "targets.*.headers[].cache_control",
	    "Cache-Control header of the matching files." },
	{ "targets.*.headers[].content_type",
	    "Content-Type header of the matching files." },
	{ "notify.webhook.url",
	    "Where the report is POSTed (Slack-compatible JSON)." },
	{ "notify.webhook.secret_env",
	    "Variable holding the HMAC-SHA256 signing secret of the "
	    "webhook." },
	{ "site.language",
	    "Language of the site (`<html lang>`, feeds)." },
	{ "site.description",
	    "Description for feeds and meta tags." },
	{ "site.author",
	    "Default author for feeds." },
	{ "store.driver",
	    "Where content, builds and the queue live." },
	{ "store.path",
	    "SQLite database file." },
	{ "store.url",
	    "PostgreSQL conninfo (`postgresql://user@host/db`). May not "
	    "contain a password: use `url_env` for a conninfo with one." },
	{ "store.password_env",
	    "Variable holding the PostgreSQL password (else libpq's "
	    "`PGPASSWORD` or `~/.pgpass`)." },
	{ "store.auto_migrate",
	    "Apply pending schema migrations when the store is opened "
	    "(SQLite: after a backup beside the store). Default false: "
	    "commands refuse an older store and say to run `kiln store "
	    "migrate`; a new store is always created at the current "
	    "version." },
	{ "store.url_env",
	    "Variable holding the PostgreSQL conninfo." },
	{ "build.out",
	    "Output of `kiln build`: a symlink to the folder of the last "
	    "build, `.public.a` or `.public.b` beside it "
	    "(docs/rendering.md). A real folder there is replaced on the "
	    "first build only if it is empty or holds a kiln build." },
	{ "build.page_size",
	    "Entries per page of section listings." },
	{ "build.unsafe_html",
	    "Raw HTML in Markdown passes through (trusted editors); `false` "
	    "escapes it." },
	{ "build.page_json",
	    "Also write a JSON document per page (title, path, summary, "
	    "content, dates)." },
	{ "build.threads",
	    "Render threads; `0` = one per core." },
	{ "build.command",
	    "External build command instead of kiln's renderer, e.g. `hugo "
	    "--destination {out}`; `{out}` is replaced by the (empty) "
	    "folder the build writes. `\"\"` is the same as none." },
	{ "build.command_timeout",
	    "Time limit of `command`." },
	{ "build.retries",
	    "Attempts after a failed build before it is reported as failed." },
	{ "build.retry_backoff",
	    "Delay before the first retry, doubled for each further "
	    "attempt." },
	{ "build.lease",
	    "How long a worker's claim on a build lasts without a "
	    "heartbeat; then another worker takes the build over." },
	{ "build.heartbeat",
	    "How often a worker renews its lease. Must be shorter than "
	    "`lease`." },
	{ "collections.*.sort",
	    "Sort field; `params.KEY` sorts by a front-matter field (e.g. "
	    "`params.event_date`)." },
	{ "collections.*.order",
	    "Sort order." },
	{ "collections.*.filter",
	    "Keep pages whose `date_field` is at/after (`upcoming`) or "
	    "before (`past`) the build time." },
	{ "collections.*.date_field",
	    "The date used by `filter`." },
	{ "collections.*.limit",
	    "At most this many pages; `0` = no limit." },
	{ "collections.*.feed",
	    "Also write an Atom feed of the collection." },
	{ "targets.*.region",
	    "Bucket region (SigV4)." },
	{ "targets.*.endpoint",
	    "Any S3-compatible service, e.g. `http://127.0.0.1:4568`." },
	{ "targets.*.path_style",
	    "Path-style addressing (`endpoint/bucket/key`) instead of "
	    "virtual hosts." },
	{ "targets.*.prefix",
	    "Key prefix inside the bucket. A leading `/` is removed and a "
	    "trailing `/` added; `.` and `..` components are refused." },
	{ "targets.*.headers",
	    "Per-path header rules; the first whose `match` fits wins. See "
	    "below." },
	{ "targets.*.max_deletes",
	    "A deploy that would delete more objects stops with an error "
	    "(unless `kiln deploy --allow-deletes`)." },
	{ "targets.*.delete_grace",
	    "Removed fingerprinted assets are deleted only this long after "
	    "the pages that used them are gone." },
	{ "targets.*.concurrency",
	    "Parallel transfers." },
	{ "targets.*.cdn",
	    "CDN invalidation after the upload phases. See below." },
	{ "targets.*.cdn.urls",
	    "`purge`: the caches (Varnish, nginx) to send PURGE/BAN to; "
	    "**required for `purge`**." },
	{ "targets.*.cdn.method",
	    "`purge`: the HTTP method." },
	{ "targets.*.cdn.token_env",
	    "Variable holding the provider's API token (Fastly, "
	    "Cloudflare). CloudFront uses the AWS credentials." },
	{ "targets.*.cdn.secret_env",
	    "`webhook`: variable holding the HMAC-SHA256 signing secret." },
	{ "targets.*.cdn.endpoint",
	    "Override the provider's API base URL (tests, private "
	    "deployments)." },
	{ "targets.*.cdn.base_url",
	    "Public URL prefix for full-URL purges." },
	{ "history.enabled",
	    "Commit every deployed build to a git repository (rollback "
	    "source)." },
	{ "history.path",
	    "The bare repository." },
	{ "history.remote",
	    "Push to this remote after each commit. A password in it "
	    "(`https://user:pass@...`) is refused: use `token_env` or "
	    "`ssh_key`." },
	{ "history.branch",
	    "Branch to commit to and push (letters, digits, `-`, `_`, `.`, "
	    "`/`; no `..`)." },
	{ "history.keep",
	    "`kiln gc` prunes history older than this many builds; `0` "
	    "keeps everything." },
	{ "history.token_env",
	    "Variable holding an HTTPS token for the remote." },
	{ "history.ssh_key",
	    "SSH private key for the remote." },
	{ "schedule.republish",
	    "Full rebuild and deploy." },
	{ "schedule.gc",
	    "Retention clean-up (`kiln gc`)." },
	{ "schedule.stuck_check",
	    "Look for stalled builds and report them." },
	{ "notify.email",
	    "Report by email (below)." },
	{ "notify.webhook",
	    "Report by webhook (Slack-compatible JSON): `url` (URL, "
	    "**required**), `secret_env` (env: HMAC signing secret)." },
	{ "notify.stalled_after",
	    "A running build is stalled after this long since its start or "
	    "last heartbeat." },
	{ "notify.remind_every",
	    "Reminder interval while an incident lasts." },
	{ "notify.email.username",
	    "SMTP user." },
	{ "notify.email.password_env",
	    "Variable holding the SMTP password." },
	{ "notify.email.starttls",
	    "Require STARTTLS on `smtp://`." },
	{ "log.format",
	    "Format of log lines on stderr: `plain` or `json` (one object "
	    "per line with ts, level, msg and the build's fields); "
	    "`--log-format` overrides it." },
	{ "admin.fields",
	    "The site's own page fields, in order, shown in the admin's "
	    "create and edit forms after the built-in ones and kept in the "
	    "page's params (templates read `page.params.NAME`)." },
	{ "admin.fields[].name",
	    "The params key (required): lower-case letters, digits and `_`, "
	    "not one of the editor's own fields." },
	{ "admin.fields[].label",
	    "The form's label; default: the name." },
	{ "admin.fields[].type",
	    "`text`, `textarea`, `date` (YYYY-MM-DD) or `select`." },
	{ "admin.fields[].options",
	    "The choices of a `select` (required for it, only for it)." },
	{ "admin.fields[].required",
	    "A page cannot be saved without a value." },
	{ "media.max_size",
	    "Largest media file, in bytes, for `kiln media add` and an "
	    "upload in the web admin's media library (at most 256 MiB); "
	    "an upload is refused while it streams, nothing stored." },
	{ "serve.listen",
	    "Address of `kiln serve` (overridden by `--listen`)." },
	{ "serve.webhook_secret_env",
	    "Variable holding the HMAC secret of `POST "
	    "/api/v1/hooks/build`; the endpoint is off without it." },
	{ "serve.max_body",
	    "Largest accepted request body, in bytes (413 above)." },
	{ "serve.max_anonymous_body",
	    "Largest request body without a token (the signed build "
	    "webhook), in bytes; checked before the body is read." },
	{ "serve.max_connections",
	    "Connections served at once; more are closed when accepted." },
	{ "serve.max_connections_per_ip",
	    "Connections served at once from one client address." },
	{ "serve.header_timeout",
	    "A client must send a request's headers within this time, or "
	    "its connection is closed." },
	{ "serve.body_timeout",
	    "A client must send a request's body within this time of its "
	    "headers." },
	{ "serve.idle_timeout",
	    "A connection with no traffic for this long is closed." },
	{ "serve.metrics_localhost",
	    "Let loopback clients read GET /metrics without a token." },
	{ "serve.allowed_hosts",
	    "More Host names a daemon listening on loopback answers "
	    "(besides localhost, 127.0.0.1, [::1] and its listen address)." },
	{ "serve.session_idle",
	    "A web admin session unused for this long ends (the user logs in "
	    "again)." },
	{ "serve.session_max",
	    "A web admin session ends this long after login, however busy." },
	{ "serve.secure_cookies",
	    "Mark the admin's cookies Secure even on plain HTTP (set it "
	    "behind a TLS-terminating proxy); they are always Secure over "
	    "TLS." },
	{ "retention.builds",
	    "Records of this many succeeded builds are kept; failed builds "
	    "are always kept." },
	{ "retention.logs_days",
	    "Build logs older than this are removed." },
	{ "feed.list",
	    "The approved units: a JSON file (relative to kiln.yaml) or an "
	    "https URL of entries {\"id\", \"version\", \"source\"}; "
	    "required in a feed section (kiln check: the file is readable)." },
	{ "feed.fallback_list",
	    "Read instead when feed.list cannot be fetched or parsed (a file "
	    "or an https URL)." },
	{ "feed.max_per_tick",
	    "At most this many unit builds are queued by one tick." },
	{ "feed.concurrency",
	    "Unit builds each worker process runs at the same time." },
	{ "feed.schedule",
	    "Cron expression: kiln serve runs a feeder tick then; empty: "
	    "only kiln feed does." },
	{ "feed.prefix",
	    "Where units go in the site and on every target: "
	    "PREFIX/ID/VERSION/. A relative folder ending in `/`, each part "
	    "a slug; not a path the site writes itself (feeds/, media/, a "
	    "taxonomy, a folder of static/)." },
	{ "site.title",
	    "The site's name (templates: `site.title`)." },
	{ "site.base_url",
	    "Public address of the site, used for absolute links, feeds and "
	    "the sitemap. A trailing `/` is removed." },
	{ "collections.*.section",
	    "The section whose pages it lists (e.g. `news`; `/news/` is the "
	    "same)." },
	{ "targets.*.type",
	    "An S3-compatible bucket, or a local folder." },
	{ "targets.*.bucket",
	    "Bucket name; **required for `s3`**." },
	{ "targets.*.path",
	    "The folder; **required for `dir`**." },
	{ "targets.*.content",
	    "What the target shows: `live` revisions, or `latest` ones "
	    "(drafts included) for a staging site, which is built into its "
	    "own folder, marked noindex, disallowed in robots.txt and deployed "
	    "on its own. With one, a draft saved (admin, API, CLI) queues a "
	    "staging build, which deploys the staging targets only." },
	{ "targets.*.basic_auth_env",
	    "The variable holding `user:password` that `kiln serve` asks for "
	    "(HTTP basic auth) when it serves this target; with `content: "
	    "latest` and no such variable it refuses every request." },
	{ "targets.*.cdn.type",
	    "The provider." },
	{ "targets.*.cdn.distribution_id",
	    "**Required for `cloudfront`**." },
	{ "targets.*.cdn.service_id",
	    "**Required for `fastly`**." },
	{ "targets.*.cdn.zone_id",
	    "**Required for `cloudflare`**." },
	{ "targets.*.cdn.url",
	    "`webhook`: where the JSON list of changed URLs is POSTed; "
	    "**required for `webhook`**." },
	{ "notify.email.smtp",
	    "The mail server, e.g. `smtp://127.0.0.1:2525`. A password in "
	    "it is refused: use `username` and `password_env`." },
	{ "notify.email.from",
	    "Sender address (`user@host`)." },
	{ "notify.email.to",
	    "Recipient addresses, at least one." },
	{ NULL, NULL }
};
