/* SPDX-License-Identifier: ISC */
/*
 * tmpl.h: Mustache templates (the official spec: interpolation, sections,
 * inverted sections, comments, set delimiters, partials, ~inheritance and
 * ~dynamic-names; no lambdas).  Values come from jansson, or from a
 * struct tval the caller builds in its own memory (a page's context in
 * the page's arena): the renderer reads both alike.
 *
 * Parse once, render many.  A parsed struct tmpl is immutable and may be
 * rendered from many threads at once.  A struct tmpl_set owns templates by
 * name and loads partials on first use through a loader callback; its cache
 * is guarded by a mutex, so one set may be shared by render threads.
 *
 * Errors: "NAME:LINE:COL: reason" in err.  Rendering is bounded: nesting of
 * sections, partials and parents by LIMIT_TEMPLATE_DEPTH, output by
 * LIMIT_RENDER_OUTPUT, and the work of one render (nodes visited and
 * section items entered, partials included) by LIMIT_RENDER_STEPS, so
 * partials that fan out fail with "NAME: too much work to render".
 * Parsing is linear in the size of the template.
 */
#ifndef KILN_TMPL_H
#define KILN_TMPL_H

#include <jansson.h>

struct arena;
struct buf;
struct tmpl;
struct tmpl_set;

struct tfield;

/*
 * A context value: a jansson value (JSON; NULL is a missing one), a
 * string the renderer does not copy (STR: S holds LEN bytes and a NUL
 * after them) or an object of named values (OBJ: N fields, the first
 * of a name wins).  An OBJ is truthy and prints nothing, as a jansson
 * object does; a STR as a jansson string.  Everything an OBJ or STR
 * points to is the caller's and must outlive the render.
 */
struct tval {
	enum { TV_JSON, TV_STR, TV_OBJ } kind;
	union {
		json_t *json;
		struct {
			const char *s;
			size_t len;
		} str;
		struct {
			const struct tfield *f;
			size_t n;
		} obj;
	} u;
};

struct tfield {
	const char *key;
	struct tval v;
};

/* the three kinds of value */
struct tval tval_json(json_t *v);
struct tval tval_str(const char *s);
struct tval tval_obj(const struct tfield *f, size_t n);

/*
 * Loader: put the source of template NAME into src.  Return 0 if found,
 * 1 if there is no such template (a missing partial renders as nothing,
 * as the spec says), -1 with err on error.
 */
typedef int (*tmpl_loader)(void *arg, const char *name, struct buf *src,
    struct buf *err);

/* parse SRC (copied); NULL with "NAME:LINE:COL: reason" in err */
struct tmpl *tmpl_parse(const char *src, size_t len, const char *name,
    struct buf *err);
void tmpl_free(struct tmpl *t);
const char *tmpl_name(const struct tmpl *t);

/* a set whose partials come from load(arg, ...); load may be NULL */
struct tmpl_set *tmpl_set_new(tmpl_loader load, void *arg);
void tmpl_set_free(struct tmpl_set *s);
/* add a template under NAME (src copied); -1 with err if it does not parse */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src,
    size_t len, struct buf *err);
/*
 * The template NAME, loading and parsing it on first use.  NULL if it does
 * not exist (err empty) or does not parse (err set).  Borrowed: owned by s.
 */
const struct tmpl *tmpl_set_get(struct tmpl_set *s, const char *name,
    struct buf *err);

/*
 * Render T with context CTX (borrowed), appending to out.  Partials and
 * parents are looked up in s (may be NULL: none).  0, or -1 with err.
 */
int tmpl_render(struct tmpl_set *s, const struct tmpl *t, json_t *ctx,
    struct buf *out, struct buf *err);
/* tmpl_set_get + tmpl_render; -1 with err if NAME does not exist */
int tmpl_set_render(struct tmpl_set *s, const char *name, json_t *ctx,
    struct buf *out, struct buf *err);
/*
 * The same with the renderer's scratch memory taken from ARENA (a page
 * worker resets it after each page) instead of malloc.
 */
int tmpl_render_in(struct tmpl_set *s, const struct tmpl *t, json_t *ctx,
    struct arena *arena, struct buf *out, struct buf *err);
int tmpl_set_render_in(struct tmpl_set *s, const char *name, json_t *ctx,
    struct arena *arena, struct buf *out, struct buf *err);
/* tmpl_render_in and tmpl_set_render_in with a struct tval context */
int tmpl_render_tv(struct tmpl_set *s, const struct tmpl *t,
    const struct tval *ctx, struct arena *arena, struct buf *out,
    struct buf *err);
int tmpl_set_render_tv(struct tmpl_set *s, const char *name,
    const struct tval *ctx, struct arena *arena, struct buf *out,
    struct buf *err);

#endif
