/* SPDX-License-Identifier: ISC */
/*
 * test_conf_live.c: the reloadable configuration: a swapped-out conf
 * lives until its last reader gives it back (ASan would see a read of a
 * freed one), generations, and the top-level keys a reload changed.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "conf/conf_live.h"

static struct conf *
load(const char *title)
{
	struct buf err = BUF_INIT;
	char yaml[256];
	struct conf *c;

	snprintf(yaml, sizeof(yaml), "site: {title: %s, base_url: "
	    "\"http://example.org/\"}\n", title);
	c = conf_load_string(yaml, strlen(yaml), "kiln.yaml", &err);
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	buf_release(&err);
	return c;
}

TEST(conf_live, old_conf_lives_until_put)
{
	struct conf_live *l = conf_live_new(load("One"));
	const struct conf *a, *b, *c;
	uint64_t ga, gb;

	a = conf_live_get(l, &ga);
	CHECK_INT_EQ(ga, 1);
	CHECK_STR_EQ(a->site.title, "One");
	CHECK_INT_EQ(conf_live_set(l, load("Two")), 2);
	/* still referenced: still readable */
	CHECK_STR_EQ(a->site.title, "One");
	b = conf_live_get(l, &gb);
	CHECK_INT_EQ(gb, 2);
	CHECK_STR_EQ(b->site.title, "Two");
	conf_live_put(l, a);	/* the last reference: "One" is freed */
	CHECK_INT_EQ(conf_live_set(l, load("Three")), 3);
	CHECK_STR_EQ(b->site.title, "Two");
	c = conf_live_get(l, NULL);
	CHECK_STR_EQ(c->site.title, "Three");
	conf_live_put(l, b);
	conf_live_put(l, c);
	conf_live_put(l, NULL);
	conf_live_free(l);
}

struct reader {
	struct conf_live *l;
	atomic_int *stop;
	long reads;
};

static void *
read_loop(void *arg)
{
	struct reader *r = arg;

	while (!atomic_load(r->stop)) {
		const struct conf *c = conf_live_get(r->l, NULL);
		if (strncmp(c->site.title, "T", 1) != 0)
			abort();
		r->reads++;
		conf_live_put(r->l, c);
	}
	return NULL;
}

TEST(conf_live, swaps_under_readers)
{
	struct conf_live *l = conf_live_new(load("T0"));
	struct reader r[3];
	pthread_t th[3];
	atomic_int stop;
	char t[16];

	atomic_init(&stop, 0);
	for (int i = 0; i < 3; i++) {
		r[i].l = l;
		r[i].stop = &stop;
		r[i].reads = 0;
		pthread_create(&th[i], NULL, read_loop, &r[i]);
	}
	for (int i = 1; i <= 200; i++) {
		snprintf(t, sizeof(t), "T%d", i);
		conf_live_set(l, load(t));
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	conf_live_free(l);
}

static const char *
changed(const char *a, const char *b)
{
	static struct buf out = BUF_INIT;

	buf_reset(&out);
	if (conf_changed_keys(a, strlen(a), b, strlen(b), &out) == -1)
		return "(error)";
	return out.buf;
}

TEST(conf_live, changed_keys)
{
	const char *base = "site: {title: A, base_url: \"http://x/\"}\n"
	    "build:\n  retries: 2   # comment\n"
	    "targets:\n  www: {type: dir, path: out}\n";

	CHECK_STR_EQ(changed(base, base), "");
	/* layout and comments do not count */
	CHECK_STR_EQ(changed(base, "site:\n  title: A\n  base_url: "
	    "'http://x/'\nbuild: {retries: 2}\ntargets:\n  www:\n"
	    "    type: dir\n    path: out\n"), "");
	CHECK_STR_EQ(changed(base, "site: {title: B, base_url: "
	    "\"http://x/\"}\nbuild:\n  retries: 2\ntargets:\n  www: "
	    "{type: dir, path: out}\n  two: {type: dir, path: o2}\n"),
	    "site, targets");
	/* added and removed sections */
	CHECK_STR_EQ(changed(base, "site: {title: A, base_url: "
	    "\"http://x/\"}\nserve: {listen: \"127.0.0.1:1\"}\n"),
	    "serve, build, targets");
	CHECK_STR_EQ(changed(base, "site: [unclosed"), "(error)");
}
