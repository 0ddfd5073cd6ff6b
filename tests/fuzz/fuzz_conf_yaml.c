/* SPDX-License-Identifier: ISC */
/*
 * fuzz_conf_yaml.c: the kiln.yaml loader on arbitrary bytes.  It must
 * never crash, leak or hang; on failure every error line must be in the
 * "NAME:LINE: ..." form; on success the normalisations the rest of kiln
 * relies on must hold (base_url without a trailing '/', prefixes empty or
 * ending in '/', required fields set, CDNs with a base_url, valid cron
 * expressions parsed, and cron_next() on them finishing with a later
 * minute or -1).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_errors(const char *e)
{
	const char *line = e, *nl;

	if (!*e)
		abort();	/* failure without a reason */
	for (;;) {
		/* "fuzz.yaml:" then a line number, or the size refusal */
		if (strncmp(line, "fuzz.yaml:", 10) != 0)
			abort();
		nl = strchr(line, '\n');
		if (!nl)
			break;
		line = nl + 1;
	}
}

static void
check_prefix(const char *p)
{
	size_t n = strlen(p);

	if (n && (p[n - 1] != '/' || p[0] == '/'))
		abort();
}

/* cron_next() on a parsed expression: a later minute, or -1 */
static void
check_cron(const char *expr, const struct cron *cr)
{
	static const int64_t from[] = { 0, 1795000000, 4102444800 };
	int64_t t;
	size_t i;

	if (!expr[0])
		return;
	for (i = 0; i < NELEM(from); i++) {
		t = cron_next(cr, from[i]);
		if (t != -1 && (t <= from[i] || t % 60 != 0))
			abort();
	}
}

static void
check_conf(const struct conf *c)
{
	size_t i, j, n;

	if (!c->site.title || !*c->site.title || !c->site.base_url)
		abort();
	n = strlen(c->site.base_url);
	if (n == 0 || c->site.base_url[n - 1] == '/')
		abort();
	if (c->build.page_size < 1 || c->build.page_size > 1000)
		abort();
	if (c->build.heartbeat >= c->build.lease)
		abort();
	for (i = 0; i < c->ntargets; i++) {
		const struct conf_target *t = &c->targets[i];

		if (!t->name || conf_target(c, t->name) != t)
			abort();
		check_prefix(t->prefix);
		if (t->type == CONF_TARGET_S3 && (!t->bucket || !*t->bucket))
			abort();
		if (t->type == CONF_TARGET_DIR && (!t->path || !*t->path))
			abort();
		for (j = 0; j < t->nmirrors; j++) {
			if (!t->mirrors[j].bucket || !t->mirrors[j].region)
				abort();
			check_prefix(t->mirrors[j].prefix);
		}
		for (j = 0; j < t->nheaders; j++)
			if (!t->headers[j].match)
				abort();
		if (t->cdn && !t->cdn->base_url)
			abort();
		if (t->cdn && t->cdn->type == CONF_CDN_PURGE &&
		    t->cdn->nurls == 0)
			abort();
	}
	for (i = 0; i < c->ncollections; i++) {
		const struct conf_collection *col = &c->collections[i];

		if (!col->section || conf_collection(c, col->name) != col)
			abort();
		if ((col->sort_by == CONF_SORT_PARAM) != (col->sort_param !=
		    NULL))
			abort();
	}
	if (c->schedule.gc[0] && c->schedule.gc_cron.months == 0)
		abort();
	check_cron(c->schedule.republish, &c->schedule.republish_cron);
	check_cron(c->schedule.gc, &c->schedule.gc_cron);
	check_cron(c->schedule.stuck_check, &c->schedule.stuck_check_cron);
	if (c->notify.email && c->notify.email->nto == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct conf *c;

	c = conf_load_string((const char *)data, size, "fuzz.yaml", &err);
	if (c)
		check_conf(c);
	else
		check_errors(err.buf);
	conf_free(c);
	buf_release(&err);
	return 0;
}
