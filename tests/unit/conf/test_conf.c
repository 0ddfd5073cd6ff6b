/* SPDX-License-Identifier: ISC */
/*
 * test_conf.c: the kiln.yaml loader: every value type, defaults, the
 * per-type rules of targets and CDNs, unknown keys, every error at once
 * with its line, the size cap, and the default kiln.yaml of `kiln init`.
 */
#include "test.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

#define MINIMAL "site: {title: T, base_url: \"http://example.org/\"}\n"

static struct buf err = BUF_INIT;

static struct conf *
load(const char *yaml)
{
	buf_reset(&err);
	return conf_load_string(yaml, strlen(yaml), "kiln.yaml", &err);
}

/* the errors of yaml (which must fail to load) */
static const char *
errors(const char *yaml)
{
	struct conf *c = load(yaml);

	if (c) {
		conf_free(c);
		test_fail(__FILE__, __LINE__, "loaded: %s", yaml);
	}
	return err.buf;
}

/* the one error of MINIMAL + extra */
static const char *
error_with(const char *extra)
{
	char *y = xasprintf("%s%s", MINIMAL, extra);
	static char out[1024];

	strlcpy(out, errors(y), sizeof(out));
	free(y);
	return out;
}

TEST(conf, defaults)
{
	struct conf *c = load(MINIMAL);

	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->site.title, "T");
	CHECK_STR_EQ(c->site.base_url, "http://example.org");
	CHECK_STR_EQ(c->site.language, "en");
	CHECK_STR_EQ(c->site.description, "");
	CHECK_STR_EQ(c->site.author, "");
	CHECK_INT_EQ(c->store.driver, CONF_STORE_SQLITE);
	CHECK_STR_EQ(c->store.path, ".kiln/kiln.db");
	CHECK_NULL(c->store.url);
	CHECK_NULL(c->store.url_env);
	CHECK_STR_EQ(c->build.out, "public");
	CHECK_INT_EQ(c->build.page_size, 10);
	CHECK(!c->build.unsafe_html);	/* Hugo's default too */
	CHECK(!c->build.page_json);
	CHECK_INT_EQ(c->build.threads, 0);
	CHECK_NULL(c->build.command);
	CHECK_INT_EQ(c->build.command_timeout, 600);
	CHECK_INT_EQ(c->build.retries, 2);
	CHECK_INT_EQ(c->build.retry_backoff, 10);
	CHECK_INT_EQ(c->build.lease, 60);
	CHECK_INT_EQ(c->build.heartbeat, 10);
	CHECK_INT_EQ(c->ncollections, 0);
	CHECK_INT_EQ(c->ntargets, 0);
	CHECK(c->history.enabled);
	CHECK_STR_EQ(c->history.path, ".kiln/history.git");
	CHECK_NULL(c->history.remote);
	CHECK_STR_EQ(c->history.branch, "main");
	CHECK_INT_EQ(c->history.keep, 0);
	CHECK_STR_EQ(c->schedule.republish, "");
	CHECK_STR_EQ(c->schedule.gc, "0 3 * * *");
	CHECK_INT_EQ(c->schedule.gc_cron.minutes, 1);
	CHECK_INT_EQ(c->schedule.gc_cron.hours, 1 << 3);
	CHECK_STR_EQ(c->schedule.stuck_check, "*/5 * * * *");
	CHECK_INT_EQ(c->schedule.stuck_check_cron.minutes & 0x3f, 0x21);
	CHECK_NULL(c->notify.email);
	CHECK_NULL(c->notify.webhook);
	CHECK_INT_EQ(c->notify.stalled_after, 1800);
	CHECK_INT_EQ(c->notify.remind_every, 6 * 3600);
	CHECK_STR_EQ(c->serve.listen, "127.0.0.1:8080");
	CHECK_NULL(c->serve.webhook_secret_env);
	CHECK_INT_EQ(c->serve.max_body, 16777216);
	CHECK_INT_EQ(c->retention.builds, 100);
	CHECK_INT_EQ(c->retention.logs_days, 30);
	CHECK_STR_EQ(c->file, "kiln.yaml");
	CHECK(c->dir[0] == '/');
	conf_free(c);
}

TEST(conf, full_config)
{
	struct conf *c = load(
	    "site:\n"
	    "  title: \"Example\"\n"
	    "  base_url: https://www.example.org///\n"
	    "  language: fr\n"
	    "  description: |\n"
	    "    two\n"
	    "    lines\n"
	    "  author: Ann\n"
	    "store: {driver: postgres, url_env: KILN_PG}\n"
	    "build:\n"
	    "  out: dist\n"
	    "  page_size: 1000\n"
	    "  unsafe_html: false\n"
	    "  page_json: True\n"
	    "  threads: 4\n"
	    "  command: hugo --destination {out}\n"
	    "  command_timeout: 1h30m\n"
	    "  retries: 0\n"
	    "  retry_backoff: 90\n"
	    "  lease: 2m\n"
	    "  heartbeat: 20s\n"
	    "collections:\n"
	    "  latest_news: {section: news, limit: 5, feed: true}\n"
	    "  upcoming_events:\n"
	    "    section: events\n"
	    "    sort: params.event_date\n"
	    "    order: asc\n"
	    "    filter: upcoming\n"
	    "    date_field: params.event_date\n"
	    "  by_title: {section: guides, sort: title, filter: past}\n"
	    "targets:\n"
	    "  production:\n"
	    "    type: s3\n"
	    "    bucket: www-example-org\n"
	    "    region: eu-west-2\n"
	    "    endpoint: http://127.0.0.1:4568\n"
	    "    path_style: true\n"
	    "    prefix: /site\n"
	    "    mirrors:\n"
	    "      - {bucket: dr, region: eu-west-1}\n"
	    "      - {bucket: dr2, path_style: false, prefix: other/}\n"
	    "    headers:\n"
	    "      - {match: \"*.html\", "
	    "cache_control: \"public, max-age=60\"}\n"
	    "      - {match: \"*.txt\", content_type: text/plain}\n"
	    "    max_deletes: 0\n"
	    "    delete_grace: 0\n"
	    "    concurrency: 64\n"
	    "    cdn:\n"
	    "      type: purge\n"
	    "      urls: [\"http://127.0.0.1:6081\", "
	    "\"http://127.0.0.1:6082\"]\n"
	    "      method: BAN\n"
	    "  local: {type: dir, path: .kiln/www}\n"
	    "history:\n"
	    "  enabled: false\n"
	    "  remote: https://git.example.org/site.git\n"
	    "  keep: 50\n"
	    "  token_env: GIT_TOKEN\n"
	    "  ssh_key: ~/.ssh/id_ed25519\n"
	    "schedule: {republish: \"@hourly\", gc: \"\", stuck_check: "
	    "\"* * * * *\"}\n"
	    "notify:\n"
	    "  email:\n"
	    "    smtp: smtps://mail.example.org:465\n"
	    "    from: kiln@example.org\n"
	    "    to: [web@example.org, ops@example.org]\n"
	    "    username: kiln\n"
	    "    password_env: SMTP_PASSWORD\n"
	    "    starttls: true\n"
	    "  webhook: {url: \"https://hooks.example.org/kiln\", "
	    "secret_env: HOOK_SECRET}\n"
	    "  stalled_after: 1h\n"
	    "  remind_every: 1d\n"
	    "serve: {listen: \"0.0.0.0:9000\", webhook_secret_env: WH, "
	    "max_body: 2048}\n"
	    "retention: {builds: 5, logs_days: 7}\n");
	const struct conf_target *t;
	const struct conf_collection *col;

	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->site.base_url, "https://www.example.org");
	CHECK_STR_EQ(c->site.language, "fr");
	CHECK_STR_EQ(c->site.description, "two\nlines\n");
	CHECK_INT_EQ(c->store.driver, CONF_STORE_POSTGRES);
	CHECK_STR_EQ(c->store.url_env, "KILN_PG");
	CHECK_STR_EQ(c->build.out, "dist");
	CHECK_INT_EQ(c->build.page_size, 1000);
	CHECK(!c->build.unsafe_html);
	CHECK(c->build.page_json);
	CHECK_INT_EQ(c->build.threads, 4);
	CHECK_STR_EQ(c->build.command, "hugo --destination {out}");
	CHECK_INT_EQ(c->build.command_timeout, 5400);
	CHECK_INT_EQ(c->build.retries, 0);
	CHECK_INT_EQ(c->build.retry_backoff, 90);
	CHECK_INT_EQ(c->build.lease, 120);
	CHECK_INT_EQ(c->build.heartbeat, 20);

	/* collections keep their order */
	CHECK_INT_EQ(c->ncollections, 3);
	CHECK_STR_EQ(c->collections[0].name, "latest_news");
	CHECK_STR_EQ(c->collections[1].name, "upcoming_events");
	CHECK_STR_EQ(c->collections[2].name, "by_title");
	col = conf_collection(c, "latest_news");
	CHECK(col == &c->collections[0]);
	CHECK_STR_EQ(col->section, "news");
	CHECK_INT_EQ(col->sort_by, CONF_SORT_DATE);
	CHECK_INT_EQ(col->order, CONF_ORDER_DESC);
	CHECK_INT_EQ(col->filter, CONF_FILTER_ALL);
	CHECK_NULL(col->date_param);
	CHECK_INT_EQ(col->limit, 5);
	CHECK(col->feed);
	col = conf_collection(c, "upcoming_events");
	CHECK_INT_EQ(col->sort_by, CONF_SORT_PARAM);
	CHECK_STR_EQ(col->sort_param, "event_date");
	CHECK_INT_EQ(col->order, CONF_ORDER_ASC);
	CHECK_INT_EQ(col->filter, CONF_FILTER_UPCOMING);
	CHECK_STR_EQ(col->date_field, "params.event_date");
	CHECK_STR_EQ(col->date_param, "event_date");
	CHECK(!col->feed);
	col = conf_collection(c, "by_title");
	CHECK_INT_EQ(col->sort_by, CONF_SORT_TITLE);
	CHECK_INT_EQ(col->filter, CONF_FILTER_PAST);
	CHECK_NULL(conf_collection(c, "nope"));

	CHECK_INT_EQ(c->ntargets, 2);
	CHECK_STR_EQ(c->targets[0].name, "production");
	CHECK_STR_EQ(c->targets[1].name, "local");
	t = conf_target(c, "production");
	CHECK(t == &c->targets[0]);
	CHECK_INT_EQ(t->type, CONF_TARGET_S3);
	CHECK_STR_EQ(t->bucket, "www-example-org");
	CHECK_STR_EQ(t->region, "eu-west-2");
	CHECK_STR_EQ(t->endpoint, "http://127.0.0.1:4568");
	CHECK(t->path_style);
	CHECK_STR_EQ(t->prefix, "site/");
	CHECK_INT_EQ(t->nmirrors, 2);
	CHECK_STR_EQ(t->mirrors[0].bucket, "dr");
	CHECK_STR_EQ(t->mirrors[0].region, "eu-west-1");
	CHECK_STR_EQ(t->mirrors[0].endpoint, "http://127.0.0.1:4568");
	CHECK(t->mirrors[0].path_style);
	CHECK_STR_EQ(t->mirrors[0].prefix, "site/");
	CHECK_STR_EQ(t->mirrors[1].region, "eu-west-2");
	CHECK(!t->mirrors[1].path_style);
	CHECK_STR_EQ(t->mirrors[1].prefix, "other/");
	CHECK_INT_EQ(t->nheaders, 2);
	CHECK_STR_EQ(t->headers[0].match, "*.html");
	CHECK_STR_EQ(t->headers[0].cache_control, "public, max-age=60");
	CHECK_NULL(t->headers[0].content_type);
	CHECK_STR_EQ(t->headers[1].content_type, "text/plain");
	CHECK_INT_EQ(t->max_deletes, 0);
	CHECK_INT_EQ(t->delete_grace, 0);
	CHECK_INT_EQ(t->concurrency, 64);
	CHECK_NOT_NULL(t->cdn);
	CHECK_INT_EQ(t->cdn->type, CONF_CDN_PURGE);
	CHECK_INT_EQ(t->cdn->nurls, 2);
	CHECK_STR_EQ(t->cdn->urls[1], "http://127.0.0.1:6082");
	CHECK_INT_EQ(t->cdn->method, CONF_PURGE_BAN);
	CHECK_STR_EQ(t->cdn->base_url, "https://www.example.org");
	t = conf_target(c, "local");
	CHECK_INT_EQ(t->type, CONF_TARGET_DIR);
	CHECK_STR_EQ(t->path, ".kiln/www");
	CHECK_STR_EQ(t->prefix, "");
	CHECK_NULL(t->cdn);
	CHECK_INT_EQ(t->max_deletes, 500);
	CHECK_INT_EQ(t->delete_grace, 3600);
	CHECK_INT_EQ(t->concurrency, 8);
	CHECK_NULL(conf_target(c, "staging"));

	CHECK(!c->history.enabled);
	CHECK_STR_EQ(c->history.remote, "https://git.example.org/site.git");
	CHECK_INT_EQ(c->history.keep, 50);
	CHECK_STR_EQ(c->history.token_env, "GIT_TOKEN");
	CHECK_STR_EQ(c->history.ssh_key, "~/.ssh/id_ed25519");
	CHECK_STR_EQ(c->schedule.republish, "@hourly");
	CHECK_INT_EQ(c->schedule.republish_cron.minutes, 1);
	CHECK_INT_EQ(c->schedule.republish_cron.hours, 0xffffff);
	CHECK_STR_EQ(c->schedule.gc, "");
	CHECK_NOT_NULL(c->notify.email);
	CHECK_STR_EQ(c->notify.email->smtp, "smtps://mail.example.org:465");
	CHECK_STR_EQ(c->notify.email->from, "kiln@example.org");
	CHECK_INT_EQ(c->notify.email->nto, 2);
	CHECK_STR_EQ(c->notify.email->to[1], "ops@example.org");
	CHECK_STR_EQ(c->notify.email->username, "kiln");
	CHECK_STR_EQ(c->notify.email->password_env, "SMTP_PASSWORD");
	CHECK(c->notify.email->starttls);
	CHECK_NOT_NULL(c->notify.webhook);
	CHECK_STR_EQ(c->notify.webhook->url, "https://hooks.example.org/kiln");
	CHECK_STR_EQ(c->notify.webhook->secret_env, "HOOK_SECRET");
	CHECK_INT_EQ(c->notify.stalled_after, 3600);
	CHECK_INT_EQ(c->notify.remind_every, 86400);
	CHECK_STR_EQ(c->serve.listen, "0.0.0.0:9000");
	CHECK_STR_EQ(c->serve.webhook_secret_env, "WH");
	CHECK_INT_EQ(c->serve.max_body, 2048);
	CHECK_INT_EQ(c->retention.builds, 5);
	CHECK_INT_EQ(c->retention.logs_days, 7);
	conf_free(c);
}

TEST(conf, missing_required)
{
	CHECK_STR_EQ(errors("build: {out: x}\n"),
	    "kiln.yaml:1: site.title: is required\n"
	    "kiln.yaml:1: site.base_url: is required");
	CHECK_STR_EQ(errors(""),
	    "kiln.yaml:1: site.title: is required\n"
	    "kiln.yaml:1: site.base_url: is required");
	CHECK_STR_EQ(errors("# just a comment\n"),
	    "kiln.yaml:1: site.title: is required\n"
	    "kiln.yaml:1: site.base_url: is required");
	CHECK_STR_EQ(errors("site:\n  title: \"\"\n  base_url: http://x\n"),
	    "kiln.yaml:2: site.title: must not be empty");
	CHECK_STR_EQ(errors("site:\n  title:\n  base_url: http://x\n"),
	    "kiln.yaml:1: site.title: is required");
}

TEST(conf, unknown_keys)
{
	CHECK_STR_EQ(error_with("sites: {}\n"),
	    "kiln.yaml:2: sites: unknown key");
	CHECK_STR_EQ(error_with("build:\n  out: x\n  outt: y\n"),
	    "kiln.yaml:4: build.outt: unknown key");
	CHECK_STR_EQ(error_with("targets:\n  a:\n    type: dir\n"
	    "    path: p\n    buckett: b\n"),
	    "kiln.yaml:6: targets.a.buckett: unknown key");
	CHECK_STR_EQ(error_with("targets:\n  a:\n    type: s3\n"
	    "    bucket: b\n    mirrors:\n      - {bucket: m, x: 1}\n"),
	    "kiln.yaml:7: targets.a.mirrors[0].x: unknown key");
	/* a merge key is not special: aliases are refused anyway */
	CHECK_STR_EQ(error_with("\"<<\": 1\n"),
	    "kiln.yaml:2: <<: unknown key");
}

TEST(conf, wrong_node_types)
{
	CHECK_STR_EQ(error_with("targets:\n  production:\n    type: s3\n"
	    "    bucket:\n      - a\n"),
	    "kiln.yaml:5: targets.production.bucket: expected a scalar, "
	    "not a sequence");
	CHECK_STR_EQ(error_with("build: 3\n"),
	    "kiln.yaml:2: build: expected a mapping, not a scalar");
	CHECK_STR_EQ(error_with("targets: [a, b]\n"),
	    "kiln.yaml:2: targets: expected a mapping, not a sequence");
	CHECK_STR_EQ(error_with("targets:\n  a: 1\n"),
	    "kiln.yaml:3: targets.a: expected a mapping, not a scalar");
	CHECK_STR_EQ(error_with("targets:\n  a: {type: s3, bucket: b, "
	    "mirrors: {bucket: c}}\n"),
	    "kiln.yaml:3: targets.a.mirrors: expected a sequence, not a "
	    "mapping");
	CHECK_STR_EQ(error_with("notify:\n  email: {smtp: \"smtp://h\", "
	    "from: a@b, to: c@d}\n"),
	    "kiln.yaml:3: notify.email.to: expected a sequence, not a "
	    "scalar");
	CHECK_STR_EQ(errors("- a\n- b\n"),
	    "kiln.yaml:1: expected a mapping of sections (site, build, "
	    "targets, ...)");
}

TEST(conf, bools)
{
	CHECK_STR_EQ(error_with("build: {page_json: yes}\n"),
	    "kiln.yaml:2: build.page_json: expected true or false");
	CHECK_STR_EQ(error_with("build: {page_json: \"true\"}\n"),
	    "kiln.yaml:2: build.page_json: expected true or false");
	CHECK_STR_EQ(error_with("build: {page_json: 1}\n"),
	    "kiln.yaml:2: build.page_json: expected true or false");
}

TEST(conf, ints_and_ranges)
{
	struct conf *c;

	CHECK_STR_EQ(error_with("build: {page_size: 0}\n"),
	    "kiln.yaml:2: build.page_size: expected an integer from 1 to "
	    "1000");
	CHECK_STR_EQ(error_with("build: {page_size: 1001}\n"),
	    "kiln.yaml:2: build.page_size: expected an integer from 1 to "
	    "1000");
	CHECK_STR_EQ(error_with("build: {page_size: ten}\n"),
	    "kiln.yaml:2: build.page_size: expected an integer from 1 to "
	    "1000");
	CHECK_STR_EQ(error_with("build: {page_size: \"10\"}\n"),
	    "kiln.yaml:2: build.page_size: expected an integer from 1 to "
	    "1000");
	CHECK_STR_EQ(error_with("build: {retries: 21}\n"),
	    "kiln.yaml:2: build.retries: expected an integer from 0 to 20");
	CHECK_STR_EQ(error_with("build: {page_size: 99999999999999999999}\n"),
	    "kiln.yaml:2: build.page_size: expected an integer from 1 to "
	    "1000");
	CHECK_STR_EQ(error_with("targets: {a: {type: dir, path: p, "
	    "concurrency: 65}}\n"),
	    "kiln.yaml:2: targets.a.concurrency: expected an integer from 1 "
	    "to 64");
	CHECK_STR_EQ(error_with("serve: {max_body: 12}\n"),
	    "kiln.yaml:2: serve.max_body: expected an integer from 1024 to "
	    "1073741824");
	c = load(MINIMAL "build: {page_size: 1}\nserve: {max_body: "
	    "1073741824}\n");
	CHECK_NOT_NULL(c);
	CHECK_INT_EQ(c->build.page_size, 1);
	CHECK_INT_EQ(c->serve.max_body, 1073741824);
	conf_free(c);
}

TEST(conf, durations)
{
	CHECK_STR_EQ(error_with("build: {lease: soon}\n"),
	    "kiln.yaml:2: build.lease: expected a duration such as 90s, "
	    "10m, 1h or 7d");
	CHECK_STR_EQ(error_with("build: {lease: 1s}\n"),
	    "kiln.yaml:2: build.lease: must be from 5s to 1d");
	CHECK_STR_EQ(error_with("notify: {remind_every: -1h}\n"),
	    "kiln.yaml:2: notify.remind_every: expected a duration such as "
	    "90s, 10m, 1h or 7d");
	CHECK_STR_EQ(error_with("build: {lease: 10s, heartbeat: 10s}\n"),
	    "kiln.yaml:2: build.heartbeat: must be shorter than build.lease");
}

TEST(conf, enums)
{
	CHECK_STR_EQ(error_with("store: {driver: mysql}\n"),
	    "kiln.yaml:2: store.driver: expected sqlite or postgres, not "
	    "'mysql'");
	CHECK_STR_EQ(error_with("collections: {a: {section: s, filter: "
	    "soon}}\n"),
	    "kiln.yaml:2: collections.a.filter: expected all, upcoming or "
	    "past, not 'soon'");
	CHECK_STR_EQ(error_with("targets: {a: {type: ftp}}\n"),
	    "kiln.yaml:2: targets.a.type: expected s3 or dir, not 'ftp'");
	CHECK_STR_EQ(error_with("store: {driver: postgres}\n"),
	    "kiln.yaml:2: store.url: is required for driver postgres (or "
	    "store.url_env)");
}

TEST(conf, collection_sort_and_date_field)
{
	CHECK_STR_EQ(error_with("collections:\n  a:\n    section: s\n"
	    "    sort: random\n"),
	    "kiln.yaml:5: collections.a.sort: expected date, title, weight, "
	    "path or params.KEY");
	CHECK_STR_EQ(error_with("collections:\n  a:\n    section: s\n"
	    "    date_field: params.\n"),
	    "kiln.yaml:5: collections.a.date_field: expected date or "
	    "params.KEY");
	CHECK_STR_EQ(error_with("collections:\n  a:\n    sort: weight\n"),
	    "kiln.yaml:3: collections.a.section: is required");
	CHECK_STR_EQ(error_with("collections:\n  \"bad name\": "
	    "{section: s}\n"),
	    "kiln.yaml:3: collections: 'bad name' is not a valid name (1-64 "
	    "letters, digits, '-' or '_')");
}

TEST(conf, urls)
{
	CHECK_STR_EQ(error_with("targets: {a: {type: s3, bucket: b, "
	    "endpoint: \"127.0.0.1:4568\"}}\n"),
	    "kiln.yaml:2: targets.a.endpoint: expected a URL (http://, "
	    "https://)");
	CHECK_STR_EQ(errors("site: {title: T, base_url: ftp://x}\n"),
	    "kiln.yaml:1: site.base_url: expected a URL (http://, https://)");
	CHECK_STR_EQ(errors("site: {title: T, base_url: \"http://\"}\n"),
	    "kiln.yaml:1: site.base_url: expected a URL (http://, https://)");
	CHECK_STR_EQ(error_with("notify:\n  email: {smtp: "
	    "\"http://mail\", from: a@b, to: [c@d]}\n"),
	    "kiln.yaml:3: notify.email.smtp: expected a URL (smtp://, "
	    "smtps://)");
	CHECK_STR_EQ(error_with("targets:\n  a:\n    type: s3\n"
	    "    bucket: b\n    cdn:\n      type: purge\n"
	    "      urls: [\"http://ok\", \"not a url\"]\n"),
	    "kiln.yaml:8: targets.a.cdn.urls[1]: expected a URL (http://, "
	    "https://)");
}

TEST(conf, env_names)
{
	CHECK_STR_EQ(error_with("serve: {webhook_secret_env: \"s3cr3t "
	    "value\"}\n"),
	    "kiln.yaml:2: serve.webhook_secret_env: expected the name of an "
	    "environment variable (letters, digits, '_')");
	CHECK_STR_EQ(error_with("history: {token_env: 1ABC}\n"),
	    "kiln.yaml:2: history.token_env: expected the name of an "
	    "environment variable (letters, digits, '_')");
}

TEST(conf, cron_keys)
{
	CHECK_STR_EQ(error_with("schedule: {gc: \"0 25 * * *\"}\n"),
	    "kiln.yaml:2: schedule.gc: bad cron expression: hour: 25 is out "
	    "of range 0-23");
	CHECK_STR_EQ(error_with("schedule: {republish: hourly}\n"),
	    "kiln.yaml:2: schedule.republish: bad cron expression: expected "
	    "5 fields (minute hour day-of-month month day-of-week), got 1");
}

TEST(conf, target_rules)
{
	CHECK_STR_EQ(error_with("targets:\n  prod:\n    type: s3\n"),
	    "kiln.yaml:3: targets.prod.bucket: is required for type s3");
	CHECK_STR_EQ(error_with("targets:\n  www:\n    type: dir\n"),
	    "kiln.yaml:3: targets.www.path: is required for type dir");
	CHECK_STR_EQ(error_with("targets:\n  www:\n    path: x\n"),
	    "kiln.yaml:3: targets.www.type: is required");
	CHECK_STR_EQ(error_with("targets:\n  www:\n"),
	    "kiln.yaml:3: targets.www.type: is required");
	CHECK_STR_EQ(error_with("targets:\n  p:\n    type: s3\n"
	    "    bucket: b\n    prefix: a/../b\n"),
	    "kiln.yaml:6: targets.p.prefix: path 'a/../b': '..' is not "
	    "allowed");
	CHECK_STR_EQ(error_with("targets:\n  p:\n    type: s3\n"
	    "    bucket: b\n    mirrors:\n      - region: x\n"),
	    "kiln.yaml:7: targets.p.mirrors[0].bucket: is required");
	CHECK_STR_EQ(error_with("targets:\n  p:\n    type: s3\n"
	    "    bucket: b\n    headers:\n      - cache_control: x\n"),
	    "kiln.yaml:7: targets.p.headers[0].match: is required");
	CHECK_STR_EQ(error_with("targets:\n  p:\n    type: s3\n"
	    "    bucket: b\n    headers:\n      - match: \"*\"\n"
	    "        cache_control: \"a\\r\\nX-Evil: 1\"\n"),
	    "kiln.yaml:8: targets.p.headers[0].cache_control: contains a "
	    "control character");
}

TEST(conf, cdn_rules)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "{type: purge}", "targets.p.cdn.urls: is required for type "
		    "purge (the caches to purge)" },
		{ "{type: cloudfront}", "targets.p.cdn.distribution_id: is "
		    "required for type cloudfront" },
		{ "{type: fastly}", "targets.p.cdn.service_id: is required "
		    "for type fastly" },
		{ "{type: cloudflare}", "targets.p.cdn.zone_id: is required "
		    "for type cloudflare" },
		{ "{type: webhook}", "targets.p.cdn.url: is required for type "
		    "webhook" },
		{ "{urls: [\"http://x\"]}", "targets.p.cdn.type: is required" },
		{ "{type: akamai}", "targets.p.cdn.type: expected cloudfront, "
		    "fastly, cloudflare, purge or webhook, not 'akamai'" },
		{ "{type: purge, urls: [\"http://x\"], method: GET}",
		    "targets.p.cdn.method: expected PURGE or BAN, not 'GET'" },
	};
	struct conf *c;
	char *y, *want;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		y = xasprintf("%stargets: {p: {type: s3, bucket: b, cdn: "
		    "%s}}\n", MINIMAL, cases[i].yaml);
		want = xasprintf("kiln.yaml:2: %s", cases[i].want);
		CHECK_STR_EQ(errors(y), want);
		free(y);
		free(want);
	}
	c = load(MINIMAL "targets: {p: {type: s3, bucket: b, cdn: {type: "
	    "cloudfront, distribution_id: E123, token_env: T, base_url: "
	    "\"https://cdn.example.org/\", endpoint: \"http://127.0.0.1:9\"}}}"
	    "\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_INT_EQ(c->targets[0].cdn->type, CONF_CDN_CLOUDFRONT);
	CHECK_STR_EQ(c->targets[0].cdn->distribution_id, "E123");
	CHECK_STR_EQ(c->targets[0].cdn->base_url, "https://cdn.example.org");
	CHECK_STR_EQ(c->targets[0].cdn->endpoint, "http://127.0.0.1:9");
	CHECK_INT_EQ(c->targets[0].cdn->method, CONF_PURGE_PURGE);
	conf_free(c);
}

TEST(conf, notify_rules)
{
	CHECK_STR_EQ(error_with("notify:\n  email:\n    smtp: "
	    "\"smtp://h\"\n    to: []\n"),
	    "kiln.yaml:3: notify.email.from: is required\n"
	    "kiln.yaml:5: notify.email.to: must not be empty");
	CHECK_STR_EQ(error_with("notify:\n  email:\n    smtp: "
	    "\"smtp://h\"\n    from: \"a@b\\r\\nBcc: x@y\"\n    to:\n"
	    "      - ok@example.org\n      - nobody\n"),
	    "kiln.yaml:5: notify.email.from: contains a control character\n"
	    "kiln.yaml:8: notify.email.to[1]: expected an email address "
	    "(user@host)");
	CHECK_STR_EQ(error_with("notify:\n  webhook: {secret_env: S}\n"),
	    "kiln.yaml:3: notify.webhook.url: is required");
}

TEST(conf, every_error_at_once)
{
	CHECK_STR_EQ(errors(
	    "site:\n"				/* 1 */
	    "  title: T\n"			/* 2 */
	    "  colour: red\n"			/* 3 */
	    "build:\n"				/* 4 */
	    "  page_size: 0\n"			/* 5 */
	    "  lease: forever\n"		/* 6 */
	    "targets:\n"			/* 7 */
	    "  production:\n"			/* 8 */
	    "    type: s3\n"			/* 9 */
	    "    bucket: [a]\n"			/* 10 */
	    "schedule:\n"			/* 11 */
	    "  gc: \"61 * * * *\"\n"),		/* 12 */
	    "kiln.yaml:1: site.base_url: is required\n"
	    "kiln.yaml:3: site.colour: unknown key\n"
	    "kiln.yaml:5: build.page_size: expected an integer from 1 to "
	    "1000\n"
	    "kiln.yaml:6: build.lease: expected a duration such as 90s, 10m, "
	    "1h or 7d\n"
	    "kiln.yaml:10: targets.production.bucket: expected a scalar, not "
	    "a sequence\n"
	    "kiln.yaml:12: schedule.gc: bad cron expression: minute: 61 is "
	    "out of range 0-59");
}

TEST(conf, syntax_errors)
{
	CHECK_STR_EQ(errors("site: {title: T\nbuild: 1\n"),
	    "kiln.yaml:2: syntax error: missing comma in flow mapping");
	CHECK_STR_EQ(errors("a: 1\na: 2\n"),
	    "kiln.yaml:2: syntax error: duplicate key");
	CHECK_STR_EQ(errors("site: \"unterminated\n"),
	    "kiln.yaml:1: syntax error: double-quoted scalar without "
	    "closing quote");
}

TEST(conf, aliases_are_refused)
{
	CHECK_STR_EQ(errors("site: {title: &t T, base_url: \"http://x\"}\n"
	    "build: {out: *t}\n"),
	    "kiln.yaml:2: build.out: aliases are not supported");
}

TEST(conf, null_means_absent)
{
	struct conf *c = load(MINIMAL "build:\n  out:\n  page_size: ~\n"
	    "targets:\n");

	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->build.out, "public");
	CHECK_INT_EQ(c->build.page_size, 10);
	conf_free(c);
}

TEST(conf, size_cap)
{
	size_t n = LIMIT_CONFIG_FILE + 1;
	char *big = xmalloc(n);
	struct conf *c;

	memset(big, '#', n);
	c = conf_load_string(big, n, "big.yaml", &err);
	CHECK_NULL(c);
	CHECK_STR_EQ(err.buf, "big.yaml: larger than 1048576 bytes");
	free(big);
}

TEST(conf, load_file_and_paths)
{
	struct conf *c;
	char *p;

	CHECK_OK(mkdir_p("site", &err));
	CHECK_OK(file_write("site/kiln.yaml", MINIMAL, strlen(MINIMAL),
	    &err));
	c = conf_load("site/kiln.yaml", &err);
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->file, "site/kiln.yaml");
	p = xasprintf("%s/site", test_tmpdir());
	{
		char *real = realpath(p, NULL);

		CHECK_STR_EQ(c->dir, real);
		free(p);
		p = conf_path(c, ".kiln/kiln.db");
		CHECK(strncmp(p, real, strlen(real)) == 0);
		CHECK_STR_EQ(p + strlen(real), "/.kiln/kiln.db");
		free(p);
		free(real);
	}
	p = conf_path(c, "/abs/path");
	CHECK_STR_EQ(p, "/abs/path");
	free(p);
	conf_free(c);

	CHECK_NULL(conf_load("nope/kiln.yaml", &err));
	CHECK(strstr(err.buf, "cannot open 'nope/kiln.yaml'") != NULL);
}

TEST(conf, skel_default_loads)
{
	char *path = xasprintf("%s/share/skel/kiln.yaml", test_srcdir());
	struct conf *c = conf_load(path, &err);
	const struct conf_collection *col;
	const struct conf_target *t;

	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->site.base_url, "http://127.0.0.1:8080");
	t = conf_target(c, "local");
	CHECK_NOT_NULL(t);
	CHECK_INT_EQ(t->type, CONF_TARGET_DIR);
	CHECK_STR_EQ(t->path, ".kiln/www");
	col = conf_collection(c, "latest_news");
	CHECK_NOT_NULL(col);
	CHECK_STR_EQ(col->section, "news");
	CHECK_INT_EQ(col->limit, 5);
	CHECK(col->feed);
	col = conf_collection(c, "upcoming_events");
	CHECK_NOT_NULL(col);
	CHECK_STR_EQ(col->section, "events");
	CHECK_STR_EQ(col->sort_param, "event_date");
	CHECK_INT_EQ(col->order, CONF_ORDER_ASC);
	CHECK_INT_EQ(col->filter, CONF_FILTER_UPCOMING);
	CHECK_STR_EQ(col->date_param, "event_date");
	CHECK_INT_EQ(col->limit, 10);
	CHECK(c->history.enabled);
	conf_free(c);
	free(path);
}

TEST(conf, encoding)
{
	/* libfyaml 0.7.12 hangs on this one: it must never see it */
	static const char hang[] = "%\xff\xff bu";
	struct conf *c;

	c = conf_load_string(hang, sizeof(hang) - 1, "kiln.yaml", &err);
	CHECK_NULL(c);
	CHECK_STR_EQ(err.buf, "kiln.yaml:1: not valid UTF-8");
	c = conf_load_string("a: 1\nb: \0\n", 10, "kiln.yaml", &err);
	CHECK_NULL(c);
	CHECK_STR_EQ(err.buf, "kiln.yaml:2: contains a NUL byte");
	CHECK_STR_EQ(errors(MINIMAL "# caf\xc3\xa9\nx: \xed\xa0\x80\n"),
	    "kiln.yaml:3: not valid UTF-8");
	CHECK_STR_EQ(errors(MINIMAL "x: \xc0\xaf\n"),
	    "kiln.yaml:2: not valid UTF-8");
	c = load("site: {title: \"Caf\xc3\xa9 \xf0\x9f\x8d\xb0\", base_url: "
	    "\"http://x\"}\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->site.title, "Caf\xc3\xa9 \xf0\x9f\x8d\xb0");
	conf_free(c);
}

TEST(conf, one_document_only)
{
	struct conf *c;

	CHECK_STR_EQ(errors(MINIMAL "---\nsite: {title: U}\n"),
	    "kiln.yaml:3: only one YAML document is allowed");
	c = load("---\n" MINIMAL "...\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	conf_free(c);
	c = load(MINIMAL "---\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	conf_free(c);
}

TEST(conf, error_cap_and_list_cap)
{
	struct buf y = BUF_INIT;
	const char *e, *last;
	int i, lines = 0;

	buf_adds(&y, MINIMAL);
	for (i = 0; i < 150; i++)
		buf_printf(&y, "k%d: 1\n", i);
	e = errors(y.buf);
	for (last = e; *last; last++)
		lines += *last == '\n';
	CHECK_INT_EQ(lines, 100);	/* 100 errors, then the last line */
	CHECK(strncmp(e, "kiln.yaml:2: k0: unknown key\n", 29) == 0);
	last = strrchr(e, '\n') + 1;
	CHECK_STR_EQ(last, "kiln.yaml: too many errors, giving up");

	buf_reset(&y);
	buf_adds(&y, MINIMAL "targets: {p: {type: s3, bucket: b, cdn: "
	    "{type: purge, urls: [");
	for (i = 0; i < 1001; i++)
		buf_printf(&y, "%s\"http://c%d\"", i ? "," : "", i);
	buf_adds(&y, "]}}}\n");
	CHECK_STR_EQ(errors(y.buf),
	    "kiln.yaml:2: targets.p.cdn.urls: more than 1000 items");
	buf_release(&y);
}

TEST(conf, single_line_strings)
{
	struct conf *c;

	CHECK_STR_EQ(errors("site: {title: \"a\\nb\", base_url: "
	    "\"http://x\"}\n"),
	    "kiln.yaml:1: site.title: contains a control character");
	c = load(MINIMAL "build:\n  command: |\n    set -e\n    make\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->build.command, "set -e\nmake\n");
	conf_free(c);
}

TEST(conf, no_passwords_in_urls)
{
	struct conf *c;
	const char *e;

	e = error_with("store:\n  driver: postgres\n  url: "
	    "\"postgresql://kiln:hunter2@db/kiln\"\n"
	    "history:\n  remote: \"https://me:ghp_abc@github.com/x.git\"\n"
	    "notify:\n  email:\n    smtp: \"smtps://u:pw@mail:465\"\n"
	    "    from: a@b\n    to: [c@d]\n");
	CHECK_STR_EQ(e,
	    "kiln.yaml:4: store.url: contains a password; give the password "
	    "in the variable named by store.password_env (or PGPASSWORD, "
	    "~/.pgpass)\n"
	    "kiln.yaml:6: history.remote: contains a password; use "
	    "history.token_env\n"
	    "kiln.yaml:9: notify.email.smtp: contains a password; use "
	    "username and password_env");
	/* and the secrets themselves are not in the errors */
	CHECK(!strstr(e, "hunter2") && !strstr(e, "ghp_abc") &&
	    !strstr(e, ":pw@"));
	CHECK_STR_EQ(error_with("store: {url: \"host=db password=x\"}\n"),
	    "kiln.yaml:2: store.url: contains a password; give the password "
	    "in the variable named by store.password_env (or PGPASSWORD, "
	    "~/.pgpass)");
	c = load(MINIMAL "store: {driver: postgres, url: "
	    "\"postgresql://kiln@127.0.0.1:5432/kiln\"}\n"
	    "history: {remote: \"git@example.org:site.git\"}\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->store.url, "postgresql://kiln@127.0.0.1:5432/kiln");
	conf_free(c);
}

TEST(conf, sections_branches_commands)
{
	struct conf *c;

	c = load(MINIMAL "collections: {a: {section: /news/}, b: {section: "
	    "docs//guides}}\nbuild: {command: \"\"}\n"
	    "history: {branch: site/live}\n");
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	CHECK_STR_EQ(c->collections[0].section, "news");
	CHECK_STR_EQ(c->collections[1].section, "docs/guides");
	CHECK_NULL(c->build.command);
	CHECK_STR_EQ(c->history.branch, "site/live");
	conf_free(c);
	CHECK_STR_EQ(error_with("collections: {a: {section: \"../etc\"}}\n"),
	    "kiln.yaml:2: collections.a.section: expected a section path "
	    "such as news (lowercase slugs)");
	CHECK_STR_EQ(error_with("collections: {a: {section: /}}\n"),
	    "kiln.yaml:2: collections.a.section: expected a section path "
	    "such as news (lowercase slugs)");
	CHECK_STR_EQ(error_with("history: {branch: \"-f\"}\n"),
	    "kiln.yaml:2: history.branch: expected a git branch name "
	    "(letters, digits, '-', '_', '.', '/')");
	CHECK_STR_EQ(error_with("history: {branch: a..b}\n"),
	    "kiln.yaml:2: history.branch: expected a git branch name "
	    "(letters, digits, '-', '_', '.', '/')");
}

/* every key of the table is in docs/configuration.md, with its default */
TEST(conf, every_key_documented)
{
	char *path = xasprintf("%s/docs/configuration.md", test_srcdir());
	struct buf doc = BUF_INIT, want = BUF_INIT;
	size_t i;

	CHECK_OK(file_read(path, &doc, 1 << 20, &err));
	for (i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *last = strrchr(k->pattern, '.'), *from;
		char name[64];

		last = last ? last + 1 : k->pattern;
		strlcpy(name, last, sizeof(name));
		if (strchr(name, '['))
			*strchr(name, '[') = '\0';
		/* search from the key's section of the page */
		buf_reset(&want);
		if (strncmp(k->pattern, "targets.*.cdn.", 14) == 0)
			buf_adds(&want, "### `targets.NAME.cdn`");
		else if (strncmp(k->pattern, "notify.email.", 13) == 0)
			buf_adds(&want, "**`notify.email`**");
		else
			buf_printf(&want, "## `%.*s`",
			    (int)strcspn(k->pattern, "."), k->pattern);
		if (!(from = strstr(doc.buf, want.buf)))
			test_fail(__FILE__, __LINE__, "no section for %s",
			    k->pattern);
		buf_reset(&want);
		buf_printf(&want, "`%s`", name);
		if (!strstr(from, want.buf))
			test_fail(__FILE__, __LINE__, "%s is not documented",
			    k->pattern);
		/* a row "| `name` | ... | `DEFAULT` |" names the default */
		if (k->def && *k->def && k->type != CK_SECTION) {
			buf_reset(&want);
			buf_printf(&want, "| `%s` |", name);
			{
				const char *row = strstr(from, want.buf);
				const char *eol = row ? strchr(row, '\n') : NULL;
				char *line, *d;

				if (!row || !eol)
					test_fail(__FILE__, __LINE__,
					    "no table row for %s", k->pattern);
				line = xstrndup(row, (size_t)(eol - row));
				d = xasprintf("`%s`", k->def);
				if (!strstr(line, d))
					test_fail(__FILE__, __LINE__, "%s: default "
					    "%s not in \"%s\"", k->pattern, d,
					    line);
				free(d);
				free(line);
			}
		}
	}
	buf_release(&doc);
	buf_release(&want);
	free(path);
}

TEST(conf, explicit_keys_are_refused)
{
	/* libfyaml 0.7.12 crashes on these: they must never reach it */
	CHECK_STR_EQ(errors("? a:\t?\n"),
	    "kiln.yaml:1: explicit keys ('? ') are not supported");
	CHECK_STR_EQ(errors("k:\n- ? a:\t?\n"),
	    "kiln.yaml:2: explicit keys ('? ') are not supported");
	CHECK_STR_EQ(errors(MINIMAL "x:\n  ?\n    a:\t?\n"),
	    "kiln.yaml:3: explicit keys ('? ') are not supported");
	/* a '?' elsewhere is an ordinary character */
	CHECK_STR_EQ(error_with("targets: {a: {type: dir, path: \"?x\", "
	    "endpoint: \"http://h/?a=b\"}}\nfoo: a ? b\n"),
	    "kiln.yaml:3: foo: unknown key");
}
