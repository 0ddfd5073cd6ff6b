/* SPDX-License-Identifier: ISC */
/*
 * test_toml.c: the TOML reader of import (import_toml.c): every value
 * type, tables and arrays of tables, dotted keys, the strictness rules
 * (redefinitions, inline tables closed, bad escapes, control
 * characters) with FILE:LINE, and the three front matter fences.
 */
#include "test.h"

#include "common/buf.h"
#include "common/xmalloc.h"
#include "import/import.h"

static struct buf err = BUF_INIT;

static json_t *
toml(const char *s)
{
	json_t *o = NULL;

	buf_reset(&err);
	if (import_toml_parse(s, strlen(s), "f.toml", 0, &o, NULL, &err) == -1)
		return NULL;
	return o;
}

/* the compact, sorted JSON of TOML text S, or "ERR: message" */
static char *
as_json(const char *s)
{
	json_t *o = toml(s);
	char *d;

	if (!o)
		return xasprintf("ERR: %s", err.buf);
	d = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return d;
}

#define TOML_EQ(src, want) do {					\
	char *got_ = as_json(src);				\
	CHECK_STR_EQ(got_, want);				\
	free(got_);						\
} while (0)

TEST(toml, values)
{
	TOML_EQ("a = 1\nb = -2_000\nc = 0x1f\nd = 0o17\ne = 0b101\n",
	    "{\"a\":1,\"b\":-2000,\"c\":31,\"d\":15,\"e\":5}");
	TOML_EQ("f = 1.5\ng = 1e3\nh = true\ni = false\n",
	    "{\"f\":1.5,\"g\":1000.0,\"h\":true,\"i\":false}");
	TOML_EQ("d = 1979-05-27T07:32:00-08:00\nl = 1979-05-27\n"
	    "t = 1979-05-27 07:32:00Z\n",
	    "{\"d\":\"1979-05-27T07:32:00-08:00\",\"l\":\"1979-05-27\","
	    "\"t\":\"1979-05-27T07:32:00Z\"}");
	TOML_EQ("s = \"a\\tb\\u00e9\\\"\"\nl = 'C:\\path'\n",
	    "{\"l\":\"C:\\\\path\",\"s\":\"a\\tb\xc3\xa9\\\"\"}");
	TOML_EQ("m = \"\"\"\nline one\nline \\\n   two\"\"\"\n",
	    "{\"m\":\"line one\\nline two\"}");
	TOML_EQ("m = '''\nraw \\n\n'''\n", "{\"m\":\"raw \\\\n\\n\"}");
	TOML_EQ("q = \"\"\"a \"quoted\" \"\"\"\"\n",
	    "{\"q\":\"a \\\"quoted\\\" \\\"\"}");
	TOML_EQ("a = [1, 2,\n  # comment\n  3,]\nb = []\nc = [[1], ['x']]\n",
	    "{\"a\":[1,2,3],\"b\":[],\"c\":[[1],[\"x\"]]}");
	TOML_EQ("p = { x = 1, y.z = \"w\" }\n",
	    "{\"p\":{\"x\":1,\"y\":{\"z\":\"w\"}}}");
}

TEST(toml, tables)
{
	TOML_EQ("title = 'T'\n[menu.main]\nname = 'M'\n[params]\n"
	    "a.b = 1\n\"quoted key\" = 2\n",
	    "{\"menu\":{\"main\":{\"name\":\"M\"}},\"params\":{\"a\":{\"b\":1},"
	    "\"quoted key\":2},\"title\":\"T\"}");
	TOML_EQ("[[res]]\nsrc = 'a'\n[[res]]\nsrc = 'b'\n[res.params]\nx = 1\n",
	    "{\"res\":[{\"src\":\"a\"},{\"params\":{\"x\":1},\"src\":\"b\"}]}");
	TOML_EQ("[a.b]\nx = 1\n[a]\ny = 2\n",
	    "{\"a\":{\"b\":{\"x\":1},\"y\":2}}");
}

TEST(toml, errors)
{
	TOML_EQ("a = 1\na = 2\n", "ERR: f.toml:2: key 'a' is defined twice");
	TOML_EQ("[t]\n[t]\n", "ERR: f.toml:2: table 't' is defined twice");
	TOML_EQ("p = {x = 1}\n[p]\n", "ERR: f.toml:2: 'p' is already defined "
	    "and is not a table");
	TOML_EQ("a = []\n[[a]]\n", "ERR: f.toml:2: 'a' is already defined and "
	    "is not an array of tables");
	TOML_EQ("\n\ns = \"open\n", "ERR: f.toml:3: string not closed on its "
	    "line");
	TOML_EQ("s = \"\\q\"\n", "ERR: f.toml:1: unknown escape '\\q' in a "
	    "string");
	TOML_EQ("s = \"\\u0000\"\n", "ERR: f.toml:1: escaped control "
	    "character U+0000");
	TOML_EQ("a = 1 b = 2\n", "ERR: f.toml:1: expected the end of the "
	    "line, found 'b'");
	TOML_EQ("a = 01\n", "ERR: f.toml:1: leading zeros are not allowed");
	TOML_EQ("a = 1__0\n", "ERR: f.toml:1: bad number");
	TOML_EQ("a = nan\n", "ERR: f.toml:1: inf and nan cannot be imported");
	TOML_EQ("a = 99999999999999999999\n", "ERR: f.toml:1: number out of "
	    "range");
	TOML_EQ("a = {x = 1,\n y = 2}\n", "ERR: f.toml:1: expected a key");
	TOML_EQ("a = \n", "ERR: f.toml:1: expected a value (a string in "
	    "quotes, a number, true/false, a date, [array] or {table})");
	TOML_EQ("a = [1 2]\n", "ERR: f.toml:1: expected ',' or ']' in an "
	    "array");
	TOML_EQ("= 1\n", "ERR: f.toml:1: expected a key");
	TOML_EQ("a = \"\xff\"\n", "ERR: f.toml:1: invalid UTF-8 in a string");
	TOML_EQ("a = 'x\x01'\n", "ERR: f.toml:1: control character 0x01 in "
	    "a string");
	TOML_EQ("[a\n", "ERR: f.toml:1: expected ']' to close the table "
	    "header");
}

TEST(toml, depth_capped)
{
	struct buf b = BUF_INIT;
	char *got;

	buf_adds(&b, "a = ");
	for (int i = 0; i < 100000; i++)
		buf_addch(&b, '[');
	got = as_json(b.buf);
	CHECK_STR_EQ(got, "ERR: f.toml:1: nested deeper than 32");
	free(got);
	buf_release(&b);
}

TEST(toml, front_matter_fences)
{
	const char *t = "+++\ntitle = 'T'\n\ndate = 2026-01-02\n+++\nbody\n";
	json_t *meta, *lines;
	size_t off;
	int line;

	buf_reset(&err);
	CHECK_OK(import_fm_split(t, strlen(t), "p.md", &meta, &lines, &off,
	    &line, &err));
	CHECK_STR_EQ(json_string_value(json_object_get(meta, "date")),
	    "2026-01-02");
	CHECK_INT_EQ(json_integer_value(json_object_get(lines, "date")), 4);
	CHECK_STR_EQ(t + off, "body\n");
	CHECK_INT_EQ(line, 6);
	json_decref(meta);
	json_decref(lines);

	t = "\xef\xbb\xbf{\n \"title\": \"J\",\n \"n\": 2\n}\nbody\n";
	CHECK_OK(import_fm_split(t, strlen(t), "p.md", &meta, &lines, &off,
	    &line, &err));
	CHECK_INT_EQ(json_integer_value(json_object_get(lines, "n")), 3);
	CHECK_STR_EQ(t + off, "body\n");
	CHECK_INT_EQ(line, 5);
	json_decref(meta);
	json_decref(lines);

	t = "+++\ntitle = 'T'\nbad = [\n+++\nbody\n";
	CHECK(import_fm_split(t, strlen(t), "p.md", &meta, &lines, &off,
	    &line, &err) == -1);
	CHECK_STR_EQ(err.buf, "p.md:4: expected a value (a string in quotes, "
	    "a number, true/false, a date, [array] or {table})");
	buf_reset(&err);
	t = "{\"title\": }\n";
	CHECK(import_fm_split(t, strlen(t), "p.md", &meta, &lines, &off,
	    &line, &err) == -1);
	CHECK(strncmp(err.buf, "p.md:1: JSON front matter: ", 27) == 0);
	buf_reset(&err);
	t = "no front matter\n";
	CHECK_OK(import_fm_split(t, strlen(t), "p.md", &meta, &lines, &off,
	    &line, &err));
	CHECK_INT_EQ(off, 0);
	CHECK_INT_EQ(json_object_size(meta), 0);
	json_decref(meta);
	json_decref(lines);
	buf_release(&err);
}
