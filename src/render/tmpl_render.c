/* SPDX-License-Identifier: ISC */
/*
 * tmpl_render.c: rendering of a parsed Mustache template (tmpl.h; the
 * parser and the sets are in tmpl.c).
 *
 * Rendering walks the tree with a stack of contexts (struct tval: jansson
 * values or the caller's objects and strings) and a stack of
 * block overrides (inheritance: the outermost override wins).  Standalone
 * partials are rendered from a copy of their source with the indentation
 * inserted at every line start (cached in the set per indentation).
 * Standalone blocks are re-indented: the indentation of the first line of
 * the definition is removed and that of the expansion site added.
 */
#include "common/compat.h"

#include "common/arena.h"
#include "common/buf.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "render/tmpl_int.h"

#define MAX_STACK (LIMIT_TEMPLATE_DEPTH * 4)
#define KEY_MAX 256		/* a name's part this long names nothing */

struct rctx {
	struct tmpl_set *set;
	struct arena *arena;		/* this render's scratch memory */
	const struct tmpl *t;		/* the template being rendered */
	struct tval stack[MAX_STACK];
	size_t depth;
	const struct tnode *over[MAX_STACK];	/* parent tags in effect */
	const struct tmpl *over_t[MAX_STACK];	/* and their templates */
	size_t nover;
	int nest;
	const struct tmpl *top;		/* the template asked for */
	size_t steps;			/* nodes visited, sections entered */
	struct buf *err;
};

struct tval
tval_json(json_t *v)
{
	struct tval t;

	memset(&t, 0, sizeof(t));
	t.kind = TV_JSON;
	t.u.json = v;
	return t;
}

struct tval
tval_str(const char *s)
{
	struct tval t;

	memset(&t, 0, sizeof(t));
	t.kind = TV_STR;
	t.u.str.s = s;
	t.u.str.len = strlen(s);
	return t;
}

struct tval
tval_obj(const struct tfield *f, size_t n)
{
	struct tval t;

	memset(&t, 0, sizeof(t));
	t.kind = TV_OBJ;
	t.u.obj.f = f;
	t.u.obj.n = n;
	return t;
}

static bool
is_object(const struct tval *v)
{
	return v->kind == TV_OBJ || (v->kind == TV_JSON &&
	    json_is_object(v->u.json));
}

/*
 * Member KEY (its first N bytes: a part of a dotted name, not copied)
 * of object O into *OUT; false when there is none.
 */
static bool
member(const struct tval *o, const char *key, size_t n, struct tval *out)
{
	json_t *j;

	if (o->kind == TV_OBJ) {
		for (size_t k = 0; k < o->u.obj.n; k++) {
			const char *f = o->u.obj.f[k].key;
			if (!strncmp(f, key, n) && f[n] == '\0') {
				*out = o->u.obj.f[k].v;
				return true;
			}
		}
		return false;
	}
	if (o->kind != TV_JSON || !json_is_object(o->u.json) ||
	    !(j = json_object_getn(o->u.json, key, n)))
		return false;
	*out = tval_json(j);
	return true;
}

/*
 * NAME ("a.b.c" or ".") in the context stack; a missing value if none.
 * Each part is looked up where it is in NAME, not copied; a part of 256
 * bytes or more names nothing (as when it was copied to a 256-byte key).
 */
static struct tval
lookup(struct rctx *r, const char *name)
{
	const char *dot, *p;
	struct tval v = tval_json(NULL);
	bool found = false;
	size_t n;

	if (name[0] == '.' && name[1] == '\0')
		return r->depth ? r->stack[r->depth - 1] : v;
	n = strcspn(name, ".");
	dot = name[n] ? name + n : NULL;
	if (n >= KEY_MAX)
		return v;
	for (size_t i = r->depth; i-- > 0 && !found;)
		found = member(&r->stack[i], name, n, &v);
	if (!found)
		return tval_json(NULL);
	for (p = dot; p; p = dot) {
		p++;
		n = strcspn(p, ".");
		dot = p[n] ? p + n : NULL;
		if (n >= KEY_MAX || !is_object(&v))
			return tval_json(NULL);
		if (!member(&v, p, n, &v))
			return tval_json(NULL);
	}
	return v;
}

static bool
truthy(const struct tval *t)
{
	json_t *v = t->u.json;

	if (t->kind == TV_STR)
		return t->u.str.len > 0;
	if (t->kind == TV_OBJ)
		return true;
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	return true;
}

static void
format_real(double d, char *out, size_t outsz)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static void
append_value(struct buf *out, const struct tval *t, bool escape)
{
	json_t *v = t->kind == TV_JSON ? t->u.json : NULL;
	char num[64];
	const char *s = NULL;
	size_t len = 0;

	if (t->kind == TV_STR) {
		s = t->u.str.s;
		len = t->u.str.len;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
		len = strlen(num);
	} else if (json_is_real(v)) {
		format_real(json_real_value(v), num, sizeof(num));
		s = num;
		len = strlen(num);
	} else if (json_is_true(v)) {
		s = "true";
		len = 4;
	} else if (json_is_false(v)) {
		s = "false";
		len = 5;
	}
	if (!s)
		return;
	if (escape)
		buf_add_html(out, s, len);
	else
		buf_add(out, s, len);
}

static int render_nodes(struct rctx *, const struct tnode *, size_t,
    struct buf *);

static int
push_ctx(struct rctx *r, struct tval v)
{
	if (r->depth >= MAX_STACK) {
		buf_setf(r->err, "%s: context nested too deeply", r->t->name);
		return -1;
	}
	r->stack[r->depth++] = v;
	return 0;
}

static int
enter(struct rctx *r)
{
	if (++r->nest > LIMIT_TEMPLATE_DEPTH) {
		buf_setf(r->err, "%s: templates nested too deeply (over %d "
		    "levels: a recursive partial?)", r->t->name,
		    LIMIT_TEMPLATE_DEPTH);
		return -1;
	}
	return 0;
}

/*
 * One unit of work: a node visited or a section item entered.  Partials
 * that fan out ({{>p}}{{>p}} in p, 64 levels deep) would otherwise run
 * for ever with little output, and the worker's heartbeat would keep the
 * build's lease all the while.
 */
static int
step(struct rctx *r)
{
	if (++r->steps <= LIMIT_RENDER_STEPS)
		return 0;
	if (r->t != r->top)
		buf_setf(r->err, "%s: too much work to render (over %d steps, "
		    "in '%s': partials or sections that fan out?)",
		    r->top->name, LIMIT_RENDER_STEPS, r->t->name);
	else
		buf_setf(r->err, "%s: too much work to render (over %d steps: "
		    "partials or sections that fan out?)", r->top->name,
		    LIMIT_RENDER_STEPS);
	return -1;
}

static int
render_section(struct rctx *r, const struct tnode *n, struct buf *out)
{
	struct tval v = lookup(r, n->name);
	json_t *item;
	size_t i;
	int rc = 0;

	if (n->type == T_INVERTED)
		return truthy(&v) ? 0 : render_nodes(r, n->kids, n->nkids,
		    out);
	if (!truthy(&v))
		return 0;
	if (enter(r) == -1)
		return -1;
	if (v.kind == TV_JSON && json_is_array(v.u.json)) {
		json_array_foreach(v.u.json, i, item) {
			if (step(r) == -1 || push_ctx(r, tval_json(item)) ==
			    -1)
				return -1;
			rc = render_nodes(r, n->kids, n->nkids, out);
			r->depth--;
			if (rc == -1)
				break;
		}
	} else {
		if (push_ctx(r, v) == -1)
			return -1;
		rc = render_nodes(r, n->kids, n->nkids, out);
		r->depth--;
	}
	r->nest--;
	return rc;
}

/* the name of a partial or parent tag, after dynamic resolution */
static const char *
tag_target(struct rctx *r, const struct tnode *n)
{
	struct tval v;

	if (!n->dynamic)
		return n->name;
	v = lookup(r, n->name);
	if (v.kind == TV_STR)
		return v.u.str.s;
	return v.kind == TV_JSON && json_is_string(v.u.json) ?
	    json_string_value(v.u.json) : NULL;
}

static int
render_template(struct rctx *r, const struct tmpl *t, struct buf *out)
{
	const struct tmpl *saved = r->t;
	int rc;

	if (enter(r) == -1)
		return -1;
	r->t = t;
	rc = render_nodes(r, t->root.kids, t->root.nkids, out);
	r->t = saved;
	r->nest--;
	return rc;
}

static int
render_partial(struct rctx *r, const struct tnode *n, struct buf *out)
{
	const char *name = tag_target(r, n);
	const struct tmpl *t;
	struct buf err = BUF_INIT;
	int rc = 0;

	if (!name)
		return 0;
	t = tmpl_set_get_indented(r->set, name, n->indent ? n->indent : "",
	    &err);
	if (!t) {
		if (err.len) {
			buf_setf(r->err, "%s", err.buf);
			rc = -1;
		}
		buf_release(&err);
		return rc;
	}
	buf_release(&err);
	return render_template(r, t, out);
}

static int
render_parent(struct rctx *r, const struct tnode *n, struct buf *out)
{
	int rc;

	if (r->nover >= MAX_STACK) {
		buf_setf(r->err, "%s: parents nested too deeply", r->t->name);
		return -1;
	}
	r->over[r->nover] = n;
	r->over_t[r->nover] = r->t;
	r->nover++;
	rc = render_partial(r, n, out);
	r->nover--;
	return rc;
}

/* remove DEDENT from, then add INDENT to, every line of s into out */
static void
reindent(const char *s, size_t len, const char *dedent, const char *indent,
    struct buf *out)
{
	size_t dl = strlen(dedent), i = 0;

	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) + 1 : len, k = 0;
		while (k < dl && i + k < end && s[i + k] == dedent[k])
			k++;
		i += k;
		if (i < end && s[i] != '\n' && s[i] != '\r')
			buf_adds(out, indent);
		buf_add(out, s + i, end - i);
		i = end;
	}
}

static int
render_block(struct rctx *r, const struct tnode *n, struct buf *out)
{
	const struct tnode *def = n, *o;
	const struct tmpl *def_t = r->t, *saved = r->t;
	size_t start;
	int rc;

	/* the outermost override wins */
	for (size_t i = 0; i < r->nover && def == n; i++) {
		o = r->over[i];
		for (size_t k = 0; k < o->nkids; k++)
			if (o->kids[k].type == T_BLOCK &&
			    strcmp(o->kids[k].name, n->name) == 0) {
				def = &o->kids[k];
				def_t = r->over_t[i];
				break;
			}
	}
	if (!n->standalone && !def->standalone) {
		r->t = def_t;
		rc = render_nodes(r, def->kids, def->nkids, out);
		r->t = saved;
		return rc;
	}
	/* render in place, then move the text aside and reindent it */
	r->t = def_t;
	start = out->len;
	rc = render_nodes(r, def->kids, def->nkids, out);
	r->t = saved;
	if (rc == 0) {
		size_t len = out->len - start;
		char *text = arena_alloc(r->arena, len + 1);
		memcpy(text, out->buf + start, len);
		buf_setlen(out, start);
		reindent(text, len, def->standalone ? def->first_indent : "",
		    n->standalone ? n->first_indent : "", out);
		if (n->standalone && len && text[len - 1] != '\n')
			buf_addch(out, '\n');
	}
	return rc;
}

static int
render_nodes(struct rctx *r, const struct tnode *nodes, size_t n,
    struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct tnode *nd = &nodes[i];
		int rc = 0;

		if (step(r) == -1)
			return -1;
		switch (nd->type) {
		case T_TEXT:
			buf_add(out, r->t->src + nd->off, nd->len);
			break;
		case T_ETAG:
		case T_UTAG: {
			struct tval v = lookup(r, nd->name);
			append_value(out, &v, nd->type == T_ETAG);
			break;
		}
		case T_SECTION:
		case T_INVERTED:
			rc = render_section(r, nd, out);
			break;
		case T_PARTIAL:
			rc = render_partial(r, nd, out);
			break;
		case T_PARENT:
			rc = render_parent(r, nd, out);
			break;
		case T_BLOCK:
			rc = render_block(r, nd, out);
			break;
		default:
			break;
		}
		if (rc == -1)
			return -1;
		if (out->len > LIMIT_RENDER_OUTPUT || buf_error(out)) {
			buf_setf(r->err, "%s: output too large (over %d "
			    "bytes)", r->t->name, LIMIT_RENDER_OUTPUT);
			return -1;
		}
	}
	return 0;
}

int
tmpl_render_tv(struct tmpl_set *s, const struct tmpl *t,
    const struct tval *ctx, struct arena *arena, struct buf *out,
    struct buf *err)
{
	struct rctx *r = arena_alloc(arena, sizeof(*r));

	/* not the stacks (10 KB, cleared for every page): only what is
	   below their depths is read */
	r->depth = r->nover = r->steps = 0;
	r->nest = 0;
	r->set = s;
	r->arena = arena;
	r->t = t;
	r->top = t;
	r->err = err;
	if (ctx)
		r->stack[r->depth++] = *ctx;
	return render_nodes(r, t->root.kids, t->root.nkids, out);
}

int
tmpl_render_in(struct tmpl_set *s, const struct tmpl *t, json_t *ctx,
    struct arena *arena, struct buf *out, struct buf *err)
{
	struct tval v = tval_json(ctx);

	return tmpl_render_tv(s, t, ctx ? &v : NULL, arena, out, err);
}

int
tmpl_render(struct tmpl_set *s, const struct tmpl *t, json_t *ctx,
    struct buf *out, struct buf *err)
{
	struct arena arena = ARENA_INIT;
	int rc = tmpl_render_in(s, t, ctx, &arena, out, err);

	arena_release(&arena);
	return rc;
}

int
tmpl_set_render_in(struct tmpl_set *s, const char *name, json_t *ctx,
    struct arena *arena, struct buf *out, struct buf *err)
{
	struct tval v = tval_json(ctx);

	return tmpl_set_render_tv(s, name, ctx ? &v : NULL, arena, out, err);
}

int
tmpl_set_render_tv(struct tmpl_set *s, const char *name,
    const struct tval *ctx, struct arena *arena, struct buf *out,
    struct buf *err)
{
	const struct tmpl *t = tmpl_set_get(s, name, err);

	if (!t) {
		if (!err->len)
			buf_setf(err, "template '%s' not found", name);
		return -1;
	}
	return tmpl_render_tv(s, t, ctx, arena, out, err);
}

int
tmpl_set_render(struct tmpl_set *s, const char *name, json_t *ctx,
    struct buf *out, struct buf *err)
{
	struct arena arena = ARENA_INIT;
	int rc = tmpl_set_render_in(s, name, ctx, &arena, out, err);

	arena_release(&arena);
	return rc;
}
