/* SPDX-License-Identifier: ISC */
/* test_feed_list.c: the approved list of units and the tick's selection. */
#include "test.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "feed/feed.h"
#include "store/store.h"

static int
parse(const char *json, struct feed_list *l, struct buf *err)
{
	return feed_list_parse(json, strlen(json), "/base", l, err);
}

TEST(feed_list, entries_and_sources)
{
	struct feed_list l;
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(parse("[{\"id\":\"book\",\"version\":\"1.0\","
	    "\"source\":\"books/a\"},{\"id\":\"b\",\"version\":\"2\","
	    "\"source\":\"/abs\"},{\"id\":\"c\",\"version\":\"3\","
	    "\"source\":\"https://x.example/c.tar.gz\"},{\"id\":\"d\","
	    "\"version\":\"1\",\"source\":\"repo\",\"ref\":\"v1\"}]", &l,
	    &err), 0);
	CHECK_INT_EQ(l.n, 4);
	CHECK_STR_EQ(l.e[0].source, "/base/books/a");
	CHECK_STR_EQ(l.e[1].source, "/abs");
	CHECK_STR_EQ(l.e[2].source, "https://x.example/c.tar.gz");
	CHECK_STR_EQ(l.e[3].source, "git:v1:/base/repo");
	CHECK_INT_EQ(json_array_size(l.problems), 0);
	feed_list_release(&l);
	/* the object form */
	CHECK_INT_EQ(parse("{\"units\":[{\"id\":\"a\",\"version\":\"1\","
	    "\"source\":\"x\"}]}", &l, &err), 0);
	CHECK_INT_EQ(l.n, 1);
	feed_list_release(&l);
	buf_release(&err);
}

TEST(feed_list, bad_entries_reported_by_index_and_skipped)
{
	struct feed_list l;
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(parse("[{\"id\":\"../x\",\"version\":\"1\","
	    "\"source\":\"s\"}, 7, {\"id\":\"a/b\",\"version\":\"1\","
	    "\"source\":\"s\"}, {\"id\":\"ok\",\"version\":\"..\","
	    "\"source\":\"s\"}, {\"id\":\"ok\",\"version\":\"1\"},"
	    "{\"id\":\"Up\",\"version\":\"1\",\"source\":\"s\"},"
	    "{\"id\":\"ok\",\"version\":\"1\",\"source\":\"ftp://x\"},"
	    "{\"id\":\"ok\",\"version\":\"1\",\"source\":\"s\"},"
	    "{\"id\":\"ok\",\"version\":\"1\",\"source\":\"t\"}]", &l,
	    &err), 0);
	CHECK_INT_EQ(l.n, 1);
	CHECK_STR_EQ(l.e[0].id, "ok");
	CHECK_INT_EQ(json_array_size(l.problems), 8);
	CHECK_INT_EQ(json_integer_value(json_object_get(json_array_get(
	    l.problems, 0), "index")), 0);
	CHECK_INT_EQ(json_integer_value(json_object_get(json_array_get(
	    l.problems, 7), "index")), 8);
	feed_list_release(&l);
	buf_release(&err);
}

TEST(feed_list, whole_list_errors)
{
	struct feed_list l;
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(parse("{\"units\": 3}", &l, &err), -1);
	feed_list_release(&l);
	CHECK_INT_EQ(parse("[", &l, &err), -1);
	feed_list_release(&l);
	/* invalid UTF-8 */
	CHECK_INT_EQ(parse("[{\"id\":\"\xff\"}]", &l, &err), -1);
	feed_list_release(&l);
	/* NUL inside a string */
	CHECK_INT_EQ(parse("[{\"id\":\"a\\u0000b\",\"version\":"
	    "\"1\",\"source\":\"s\"}]", &l, &err), -1);
	CHECK_INT_EQ(l.n, 0);
	feed_list_release(&l);
	/* a list read from a URL: relative sources refused */
	{
		const char *j = "[{\"id\":\"a\",\"version\":\"1\","
		    "\"source\":\"s\"}]";
		CHECK_INT_EQ(feed_list_parse(j, strlen(j), NULL, &l, &err), 0);
	}
	CHECK_INT_EQ(l.n, 0);
	feed_list_release(&l);
	buf_release(&err);
}

TEST(feed_list, names_and_prefix)
{
	CHECK(feed_name_ok("book-1.2_x"));
	CHECK(!feed_name_ok(".."));
	CHECK(!feed_name_ok(".hidden"));
	CHECK(!feed_name_ok(""));
	CHECK(!feed_name_ok("a/b"));
	CHECK(feed_prefix_ok("units/"));
	CHECK(feed_prefix_ok("a/b/"));
	CHECK(feed_prefix_ok(""));
	CHECK(!feed_prefix_ok("units"));
	CHECK(!feed_prefix_ok("/units/"));
	CHECK(!feed_prefix_ok("../"));
	CHECK(!feed_prefix_ok("a//"));
}

/* a site whose dir target holds markers for some units */
static struct conf *
tick_site(const char *d, int max)
{
	struct buf y = BUF_INIT, err = BUF_INIT;
	struct conf *c;

	buf_printf(&y, "site:\n  title: T\n  base_url: http://x\n"
	    "store:\n  path: %s/kiln.db\ntargets:\n  www:\n    type: dir\n"
	    "    path: %s/www\nfeed:\n  list: %s/units.json\n"
	    "  max_per_tick: %d\n", d, d, d, max);
	c = conf_load_string(y.buf, y.len, "kiln.yaml", &err);
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	buf_release(&y);
	buf_release(&err);
	return c;
}

static void
put(const char *d, const char *rel, const char *text)
{
	struct buf err = BUF_INIT;
	char *p = xasprintf("%s/%s", d, rel);

	CHECK(mkdir_parent(p, &err) == 0);
	CHECK(file_write(p, text, strlen(text), &err) == 0);
	free(p);
	buf_release(&err);
}

static const char *
state_of(json_t *report, const char *id)
{
	size_t i;
	json_t *u;

	json_array_foreach(json_object_get(report, "units"), i, u)
		if (!strcmp(json_string_value(json_object_get(u, "id")), id))
			return json_string_value(json_object_get(u, "state"));
	return "absent";
}

TEST(feed_tick, markers_skip_and_cap_queues)
{
	char *d = xasprintf("%s/tick", test_tmpdir());
	struct buf err = BUF_INIT;
	struct feed_tick t;
	struct store *st = NULL;
	struct conf *c;

	put(d, "units.json", "[{\"id\":\"a\",\"version\":\"1\",\"source\":"
	    "\"s\"},{\"id\":\"a\",\"version\":\"2\",\"source\":\"s\"},"
	    "{\"id\":\"b\",\"version\":\"1\",\"source\":\"s\"},{\"id\":"
	    "\"c\",\"version\":\"1\",\"source\":\"s\"},{\"id\":\"d\","
	    "\"version\":\"1\",\"source\":\"s\"}]");
	put(d, "www/units/a/1/.complete", "{}");
	put(d, "www/units/c/1/index.html", "not a marker");
	c = tick_site(d, 2);
	CHECK(store_open_conf(c, &st, &err) == 0);
	CHECK(feed_tick(c, st, false, &t, &err) == 0);
	CHECK_INT_EQ(t.complete, 1);
	CHECK_INT_EQ(t.queued, 2);
	CHECK_INT_EQ(t.deferred, 2);
	CHECK_STR_EQ(t.method, "list");
	CHECK_STR_EQ(state_of(t.report, "a"), "complete");
	CHECK_STR_EQ(state_of(t.report, "b"), "queued");
	CHECK_STR_EQ(state_of(t.report, "c"), "deferred");
	feed_tick_release(&t);
	/* the next tick: the two queued are pending, two more queued */
	CHECK(feed_tick(c, st, false, &t, &err) == 0);
	CHECK_INT_EQ(t.pending, 2);
	CHECK_INT_EQ(t.queued, 2);
	CHECK_INT_EQ(t.deferred, 0);
	feed_tick_release(&t);
	/* a dry run queues nothing */
	put(d, "units.json", "[{\"id\":\"e\",\"version\":\"1\",\"source\":"
	    "\"s\"}]");
	CHECK(feed_tick(c, st, true, &t, &err) == 0);
	CHECK_INT_EQ(t.queued, 1);
	feed_tick_release(&t);
	CHECK(feed_tick(c, st, false, &t, &err) == 0);
	CHECK_INT_EQ(t.queued, 1);
	CHECK_INT_EQ(t.pending, 0);
	feed_tick_release(&t);
	store_close(st);
	conf_free(c);
	free(d);
	buf_release(&err);
}
