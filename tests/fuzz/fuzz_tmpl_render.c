/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tmpl_render.c: templates are written by site editors.  First byte:
 * bit 0 = parse only; otherwise render with a small fixed context and a
 * partial "p" that is the input itself (recursion must stay bounded).
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "render/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const char *s;
	size_t n;
};

static int
loader(void *arg, const char *name, struct buf *out, struct buf *err)
{
	struct src *s = arg;

	(void)err;
	if (strcmp(name, "p") != 0)
		return 1;
	buf_add(out, s->s, s->n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl *t;
	struct tmpl_set *set;
	struct src s;
	json_t *ctx;

	if (size < 1)
		return 0;
	s.s = (const char *)data + 1;
	s.n = size - 1;
	t = tmpl_parse(s.s, s.n, "fuzz", &err);
	if (!t || (data[0] & 1)) {
		tmpl_free(t);
		buf_release(&err);
		return 0;
	}
	ctx = json_loads("{\"a\":{\"b\":\"<x>\"},\"l\":[1,2,{\"c\":true}],"
	    "\"p\":\"p\",\"s\":\"str\",\"n\":1.5,\"f\":false}", 0, NULL);
	set = tmpl_set_new(loader, &s);
	tmpl_render(set, t, ctx, &out, &err);
	tmpl_set_free(set);
	tmpl_free(t);
	json_decref(ctx);
	buf_release(&out);
	buf_release(&err);
	return 0;
}
