/* SPDX-License-Identifier: ISC */
/*
 * test_tmpl.c: the Mustache spec (every non-lambda case of every file in
 * tests/conformance/mustache-spec, copied from the spec with its licence),
 * each rendered from jansson values and again from struct tval values,
 * syntax errors with their positions, and
 * pathological templates.
 */
#include "test.h"

#include <jansson.h>

#include "common/arena.h"
#include "common/buf.h"
#include "render/tmpl.h"

static int
load_partial(void *arg, const char *name, struct buf *src, struct buf *err)
{
	json_t *partials = arg, *p;

	(void)err;
	if (!partials || !(p = json_object_get(partials, name)) ||
	    !json_is_string(p))
		return 1;
	buf_add(src, json_string_value(p), json_string_length(p));
	return 0;
}

/*
 * V as the renderer's own values, in A: objects as struct tval objects,
 * strings as strings it does not copy, the rest (arrays too) as jansson.
 */
static struct tval
as_tval(struct arena *a, json_t *v)
{
	struct tfield *f;
	const char *k;
	json_t *m;
	size_t n = 0;
	struct tval t;

	if (json_is_string(v)) {
		t = tval_str(json_string_value(v));
		t.u.str.len = json_string_length(v);
		return t;
	}
	if (!json_is_object(v))
		return tval_json(v);
	f = arena_alloc(a, (json_object_size(v) + 1) * sizeof(*f));
	json_object_foreach(v, k, m) {
		f[n].key = k;
		f[n++].v = as_tval(a, m);
	}
	return tval_obj(f, n);
}

/*
 * Render T with DATA as jansson and again as struct tval values (a page
 * context is made of both): the same output, or -1 with err.
 */
static int
render_both(struct tmpl_set *set, const struct tmpl *t, json_t *data,
    struct buf *out, struct buf *err)
{
	struct arena a = ARENA_INIT;
	struct buf again = BUF_INIT;
	struct tval v = as_tval(&a, data);
	int rc = tmpl_render(set, t, data, out, err);

	if (rc == 0 && tmpl_render_tv(set, t, data ? &v : NULL, &a, &again,
	    err) == -1)
		rc = -1;
	else if (rc == 0 && strcmp(out->buf, again.buf) != 0) {
		buf_setf(err, "as struct tval: \"%s\"", again.buf);
		rc = -1;
	}
	buf_release(&again);
	arena_release(&a);
	return rc;
}

/* run every case of one spec file; returns the number of failures */
static int
run_spec(const char *file, int *ncases)
{
	char path[4096];
	json_t *root, *tests, *tc;
	json_error_t jerr;
	size_t i;
	int fails = 0;

	snprintf(path, sizeof(path), "%s/mustache-spec/%s",
	    test_conformancedir(), file);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		test_fail(__FILE__, __LINE__, "cannot load %s: %s", path,
		    jerr.text);
	tests = json_object_get(root, "tests");
	json_array_foreach(tests, i, tc) {
		const char *name = json_string_value(json_object_get(tc,
		    "name"));
		const char *tpl = json_string_value(json_object_get(tc,
		    "template"));
		const char *want = json_string_value(json_object_get(tc,
		    "expected"));
		json_t *partials = json_object_get(tc, "partials");
		struct tmpl_set *set = tmpl_set_new(load_partial, partials);
		struct buf out = BUF_INIT, err = BUF_INIT;
		struct tmpl *t = tmpl_parse(tpl, strlen(tpl), "test", &err);

		(*ncases)++;
		if (!t || render_both(set, t, json_object_get(tc, "data"),
		    &out, &err) == -1 || strcmp(out.buf, want) != 0) {
			fprintf(stderr, "# %s: %s: got \"%s\" want \"%s\" %s\n",
			    file, name, out.buf, want, err.buf);
			fails++;
		}
		tmpl_free(t);
		tmpl_set_free(set);
		buf_release(&out);
		buf_release(&err);
	}
	json_decref(root);
	return fails;
}

static void
check_spec(const char *file)
{
	int n = 0, fails = run_spec(file, &n);

	printf("# %s: %d cases, %d failed\n", file, n, fails);
	CHECK(n > 0);
	CHECK_INT_EQ(fails, 0);
}

TEST(spec, comments)
{
	check_spec("comments.json");
}

TEST(spec, delimiters)
{
	check_spec("delimiters.json");
}

TEST(spec, interpolation)
{
	check_spec("interpolation.json");
}

TEST(spec, inverted)
{
	check_spec("inverted.json");
}

TEST(spec, partials)
{
	check_spec("partials.json");
}

TEST(spec, sections)
{
	check_spec("sections.json");
}

TEST(spec, dynamic_names)
{
	check_spec("~dynamic-names.json");
}

TEST(spec, inheritance)
{
	check_spec("~inheritance.json");
}

static void
check_error(const char *src, const char *want)
{
	struct buf err = BUF_INIT;
	struct tmpl *t = tmpl_parse(src, strlen(src), "page.mustache", &err);

	CHECK_NULL(t);
	CHECK_STR_EQ(err.buf, want);
	buf_release(&err);
}

TEST(tmpl, syntax_errors_name_line_and_column)
{
	check_error("a\n  {{#items}}x", "page.mustache:2:3: unclosed section "
	    "'items'");
	check_error("{{#a}}\n{{/b}}", "page.mustache:2:1: end tag 'b' does "
	    "not match 'a' opened at 1:1");
	check_error("x {{/a}}", "page.mustache:1:3: unexpected end tag 'a'");
	check_error("ok\nx {{name", "page.mustache:2:3: unclosed tag");
	check_error("{{= | =}}", "page.mustache:1:1: bad set-delimiter tag");
	check_error("{{ }}", "page.mustache:1:1: empty tag name");
	check_error("{{{x}}", "page.mustache:1:1: unclosed tag");
}

static int
self_loader(void *arg, const char *name, struct buf *src, struct buf *err)
{
	(void)arg;
	(void)err;
	if (strcmp(name, "loop") == 0) {
		buf_adds(src, "x{{>loop}}");
		return 0;
	}
	return 1;
}

TEST(tmpl, recursive_partial_fails_cleanly)
{
	struct tmpl_set *set = tmpl_set_new(self_loader, NULL);
	struct buf out = BUF_INIT, err = BUF_INIT;

	CHECK_INT_EQ(tmpl_set_render(set, "loop", NULL, &out, &err), -1);
	CHECK(strstr(err.buf, "nested too deeply") != NULL);
	tmpl_set_free(set);
	buf_release(&out);
	buf_release(&err);
}

TEST(tmpl, deep_nesting_and_huge_output_are_bounded)
{
	struct buf src = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct tmpl *t;
	json_t *ctx;

	for (int i = 0; i < 5000; i++)
		buf_adds(&src, "{{#a}}");
	CHECK_NULL(tmpl_parse(src.buf, src.len, "deep", &err));
	CHECK(strstr(err.buf, "nested too deeply") != NULL);
	/* 1000 x 1000 x 100 bytes: over the output limit, not a hang */
	buf_reset(&src);
	buf_adds(&src, "{{#l}}{{#l}}{{#l}}{{s}}{{/l}}{{/l}}{{/l}}");
	t = tmpl_parse(src.buf, src.len, "big", &err);
	CHECK_NOT_NULL(t);
	ctx = json_object();
	{
		json_t *l = json_array();
		for (int i = 0; i < 1000; i++)
			json_array_append_new(l, json_true());
		json_object_set_new(ctx, "l", l);
		json_object_set_new(ctx, "s", json_string(
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789"));
	}
	CHECK_INT_EQ(tmpl_render(NULL, t, ctx, &out, &err), -1);
	CHECK(strstr(err.buf, "output too large") != NULL);
	json_decref(ctx);
	tmpl_free(t);
	buf_release(&src);
	buf_release(&out);
	buf_release(&err);
}

TEST(tmpl, parse_once_render_many)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	const char *src = "<h1>{{page.title}}</h1>{{#page.tags}}<b>{{.}}</b>"
	    "{{/page.tags}}{{^page.tags}}none{{/page.tags}}";
	struct tmpl *t = tmpl_parse(src, strlen(src), "p", &err);
	json_t *a = json_loads("{\"page\":{\"title\":\"A & B\","
	    "\"tags\":[\"x\",\"y\"]}}", 0, NULL);
	json_t *b = json_loads("{\"page\":{\"title\":\"C\",\"tags\":[]}}",
	    0, NULL);

	CHECK_NOT_NULL(t);
	CHECK_OK(tmpl_render(NULL, t, a, &out, &err));
	CHECK_STR_EQ(out.buf, "<h1>A &amp; B</h1><b>x</b><b>y</b>");
	buf_reset(&out);
	CHECK_OK(tmpl_render(NULL, t, b, &out, &err));
	CHECK_STR_EQ(out.buf, "<h1>C</h1>none");
	json_decref(a);
	json_decref(b);
	tmpl_free(t);
	buf_release(&out);
	buf_release(&err);
}

/*
 * A dotted name is looked up part by part where it stands in the name
 * (not copied): a part that is a prefix of a key, or a key a prefix of
 * it, names nothing; an empty part names the key ""; a part of 256
 * bytes or more names nothing, as before.  Rendered from jansson and
 * from struct tval values alike.
 */
TEST(tmpl, dotted_names_by_part)
{
	struct buf out = BUF_INIT, err = BUF_INIT, src = BUF_INIT;
	struct buf key = BUF_INIT, data = BUF_INIT;
	struct tmpl *t;
	json_t *d;

	for (int i = 0; i < 256; i++)
		buf_addch(&key, 'k');
	buf_printf(&src, "[{{a.title}}|{{a.ti}}|{{a.titles}}|{{a..x}}|"
	    "{{a.}}|{{b.%s}}|{{b.%.*s}}|{{ti}}]", key.buf, 255, key.buf);
	buf_printf(&data, "{\"a\":{\"title\":\"T\",\"\":{\"x\":\"E\"}},"
	    "\"b\":{\"%s\":\"long\",\"%.*s\":\"255\"},\"title\":\"top\"}",
	    key.buf, 255, key.buf);
	d = json_loads(data.buf, 0, NULL);
	CHECK_NOT_NULL(d);
	t = tmpl_parse(src.buf, src.len, "p", &err);
	CHECK_NOT_NULL(t);
	CHECK_OK(render_both(NULL, t, d, &out, &err));
	CHECK_STR_EQ(out.buf, "[T|||E|||255|]");
	json_decref(d);
	tmpl_free(t);
	buf_release(&out);
	buf_release(&err);
	buf_release(&src);
	buf_release(&key);
	buf_release(&data);
}

TEST(tmpl, close_delimiter_equal_to_sigil)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	/* found by fuzz_tmpl_render: close ">" right after the '>' sigil */
	const char *src = "{{=<% >=}} %<%>*p%";
	struct tmpl *t = tmpl_parse(src, strlen(src), "f", &err);

	CHECK_NULL(t);
	CHECK(strstr(err.buf, "unclosed tag") != NULL);
	tmpl_free(t);
	buf_release(&out);
	buf_release(&err);
}

/* a section in a section over a long list: work, not output, is the cap */
TEST(tmpl, work_without_output_is_bounded)
{
	const char *src = "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}";
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl *t = tmpl_parse(src, strlen(src), "fan", &err);
	json_t *ctx = json_object(), *l = json_array();

	CHECK_NOT_NULL(t);
	for (int i = 0; i < 200; i++)	/* 200^4 = 1.6e9 items */
		json_array_append_new(l, json_true());
	json_object_set_new(ctx, "l", l);
	CHECK_INT_EQ(tmpl_render(NULL, t, ctx, &out, &err), -1);
	CHECK(strstr(err.buf, "fan: too much work to render (over") ==
	    err.buf);
	CHECK_INT_EQ(out.len, 0);
	json_decref(ctx);
	tmpl_free(t);
	buf_release(&out);
	buf_release(&err);
}

/* partials that fan out: the error names the template and the partial */
TEST(tmpl, partial_fanout_names_the_template)
{
	json_t *parts = json_object();
	struct tmpl_set *set = tmpl_set_new(load_partial, parts);
	struct buf out = BUF_INIT, err = BUF_INIT;
	char name[8], body[128];

	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		body[0] = '\0';
		for (int k = 0; k < 10; k++)
			snprintf(body + strlen(body), sizeof(body) -
			    strlen(body), "{{>p%d}}", i + 1);
		json_object_set_new(parts, name, json_string(body));
	}
	json_object_set_new(parts, "p12", json_string(""));
	CHECK_OK(tmpl_set_add(set, "home", "{{>p0}}", 7, &err));
	CHECK_INT_EQ(tmpl_set_render(set, "home", NULL, &out, &err), -1);
	CHECK(strstr(err.buf, "home: too much work to render (over") ==
	    err.buf);
	CHECK(strstr(err.buf, "in 'p1") != NULL);
	tmpl_set_free(set);
	json_decref(parts);
	buf_release(&out);
	buf_release(&err);
}

/* positions stay right when the lexer resumes from the last token */
TEST(tmpl, positions_after_many_tags)
{
	struct buf src = BUF_INIT, err = BUF_INIT;

	for (int i = 0; i < 20000; i++)
		buf_adds(&src, "ab {{x}}\n");
	buf_adds(&src, "  {{/nope}}");
	CHECK_NULL(tmpl_parse(src.buf, src.len, "many", &err));
	CHECK_STR_EQ(err.buf, "many:20001:3: unexpected end tag 'nope'");
	buf_release(&src);
	buf_release(&err);
}
