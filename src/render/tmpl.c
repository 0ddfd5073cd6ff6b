/* SPDX-License-Identifier: ISC */
/*
 * tmpl.c: a Mustache engine (spec v1.4 without lambdas).
 *
 * Parsing has two passes.  The lexer walks the source with the current
 * delimiters and yields text tokens (split so that none spans a newline)
 * and tag tokens.  The line pass then applies the spec's standalone rule
 * to whole lines: a line whose tags are all standalone-capable (section,
 * inverted, end, comment, delimiter, partial, parent, block) and whose
 * text is only blanks loses its indentation and line ending; partials and
 * parents on such a line remember the indentation.  The tree builder
 * pairs sections with their end tags.
 *
 * Rendering walks the tree with a stack of jansson contexts and a stack of
 * block overrides (inheritance: the outermost override wins).  Standalone
 * partials are rendered from a copy of their source with the indentation
 * inserted at every line start (cached in the set per indentation).
 * Standalone blocks are re-indented: the indentation of the first line of
 * the definition is removed and that of the expansion site added.
 */
#include "common/compat.h"

#include <pthread.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/arena.h"
#include "common/xmalloc.h"
#include "render/tmpl.h"

enum ttype {
	T_TEXT,
	T_ETAG,		/* {{name}}: escaped */
	T_UTAG,		/* {{{name}}} or {{&name}} */
	T_SECTION,	/* {{#name}} */
	T_INVERTED,	/* {{^name}} */
	T_END,		/* {{/name}} (lexer only) */
	T_COMMENT,	/* {{! ...}} (lexer only) */
	T_DELIM,	/* {{=a b=}} (lexer only) */
	T_PARTIAL,	/* {{>name}} */
	T_PARENT,	/* {{<name}} */
	T_BLOCK,	/* {{$name}} */
};

struct tnode {
	enum ttype type;
	size_t off, len;	/* text: bytes of the source */
	char *name;		/* tags: trimmed name (after '*') */
	bool dynamic;		/* {{>*name}}, {{<*name}} */
	bool standalone;	/* the tag's line was standalone */
	char *indent;		/* standalone line's indentation, or NULL */
	char *first_indent;	/* blocks: indentation of the first line */
	int line, col;
	bool deleted;		/* lexer: dropped by the standalone rule */
	struct tnode *kids;
	size_t nkids, akids;
};

struct tmpl {
	char *name;
	char *src;
	size_t len;
	struct tnode root;
};

struct tset_entry {
	char *key;		/* name, or name "\001" indent */
	struct tmpl *t;		/* NULL: known not to exist */
};

struct tmpl_set {
	tmpl_loader load;
	void *arg;
	pthread_mutex_t mu;
	struct tset_entry *e;
	size_t n, alloc;
};

/* ---- lexer ---- */

struct lexer {
	const char *name, *s;
	size_t len, pos;
	char open[16], close[16];
	size_t olen, clen;
	struct tnode *toks;
	size_t ntoks, atoks;
	size_t at;		/* line_col() resumes here ... */
	int at_line, at_col;	/* ... at this line and column */
	struct buf *err;
};

/*
 * The line and column of OFF.  Tokens come in source order, so each call
 * resumes where the last one stopped: the lexer stays linear (it was
 * quadratic: 80,000 tags took 42 s).
 */
static void
line_col(struct lexer *lx, size_t off, int *line, int *col)
{
	if (off < lx->at) {
		lx->at = 0;
		lx->at_line = lx->at_col = 1;
	}
	for (; lx->at < off; lx->at++) {
		if (lx->s[lx->at] == '\n') {
			lx->at_line++;
			lx->at_col = 1;
		} else
			lx->at_col++;
	}
	*line = lx->at_line;
	*col = lx->at_col;
}

static struct tnode *
push_tok(struct lexer *lx, enum ttype type, size_t off, size_t len)
{
	struct tnode *t;

	if (lx->ntoks == lx->atoks) {
		lx->atoks = lx->atoks ? lx->atoks * 2 : 64;
		lx->toks = xreallocarray(lx->toks, lx->atoks, sizeof(*t));
	}
	t = &lx->toks[lx->ntoks++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->off = off;
	t->len = len;
	line_col(lx, off, &t->line, &t->col);
	return t;
}

static int
lex_error(struct lexer *lx, size_t off, const char *msg, const char *arg)
{
	int line, col;

	line_col(lx, off, &line, &col);
	buf_setf(lx->err, "%s:%d:%d: %s%s%s%s", lx->name, line, col, msg,
	    arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	return -1;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* text from a to b, one token per line (each keeps its '\n') */
static void
lex_text(struct lexer *lx, size_t a, size_t b)
{
	size_t i = a;

	while (i < b) {
		const char *nl = memchr(lx->s + i, '\n', b - i);
		size_t end = nl ? (size_t)(nl - lx->s) + 1 : b;
		push_tok(lx, T_TEXT, i, end - i);
		i = end;
	}
}

static char *
trimmed(const char *s, size_t len)
{
	while (len && (is_blank(*s) || *s == '\n' || *s == '\r')) {
		s++;
		len--;
	}
	while (len && (is_blank(s[len - 1]) || s[len - 1] == '\n' ||
	    s[len - 1] == '\r'))
		len--;
	return xstrndup(s, len);
}

static int
set_delims(struct lexer *lx, size_t at, const char *s, size_t len)
{
	char *spec = trimmed(s, len), *sp;
	size_t a, b;
	int rc = -1;

	sp = spec + strcspn(spec, " \t");
	a = (size_t)(sp - spec);
	while (is_blank(*sp))
		sp++;
	b = strlen(sp);
	if (a == 0 || b == 0 || a >= sizeof(lx->open) ||
	    b >= sizeof(lx->close) || strchr(sp, ' ') || strchr(sp, '\t') ||
	    memchr(spec, '=', a) || strchr(sp, '=')) {
		lex_error(lx, at, "bad set-delimiter tag", NULL);
		goto out;
	}
	memcpy(lx->open, spec, a);
	lx->open[a] = '\0';
	lx->olen = a;
	memcpy(lx->close, sp, b + 1);
	lx->clen = b;
	rc = 0;
out:
	free(spec);
	return rc;
}

static int
lex(struct lexer *lx)
{
	size_t i = 0;

	while (i < lx->len) {
		const char *o = memmem(lx->s + i, lx->len - i, lx->open,
		    lx->olen);
		size_t start, body, end;
		const char *c, *closer;
		struct tnode *t;
		enum ttype type;
		char sigil;
		bool triple = false;

		if (!o) {
			lex_text(lx, i, lx->len);
			break;
		}
		start = (size_t)(o - lx->s);
		lex_text(lx, i, start);
		body = start + lx->olen;
		sigil = body < lx->len ? lx->s[body] : '\0';
		if (sigil == '{') {
			triple = true;
			/* "}" followed by the close delimiter */
			c = lx->s + body + 1;
			closer = NULL;
			while ((c = memchr(c, '}', lx->len - (size_t)(c -
			    lx->s))) != NULL) {
				if ((size_t)(c - lx->s) + 1 + lx->clen <=
				    lx->len && memcmp(c + 1, lx->close,
				    lx->clen) == 0) {
					closer = c;
					break;
				}
				c++;
			}
			if (!closer)
				return lex_error(lx, start, "unclosed tag",
				    NULL);
			end = (size_t)(closer - lx->s) + 1 + lx->clen;
		} else {
			/* the close delimiter comes after the sigil, if any */
			size_t from = body + (sigil && strchr("&#^/!=><$",
			    sigil) ? 1 : 0);
			if (from > lx->len)
				from = lx->len;
			closer = memmem(lx->s + from, lx->len - from, lx->close,
			    lx->clen);
			if (!closer)
				return lex_error(lx, start, "unclosed tag",
				    NULL);
			end = (size_t)(closer - lx->s) + lx->clen;
		}
		switch (sigil) {
		case '{': type = T_UTAG; break;
		case '&': type = T_UTAG; break;
		case '#': type = T_SECTION; break;
		case '^': type = T_INVERTED; break;
		case '/': type = T_END; break;
		case '!': type = T_COMMENT; break;
		case '=': type = T_DELIM; break;
		case '>': type = T_PARTIAL; break;
		case '<': type = T_PARENT; break;
		case '$': type = T_BLOCK; break;
		default: type = T_ETAG; sigil = '\0'; break;
		}
		t = push_tok(lx, type, start, end - start);
		if (type == T_DELIM) {
			const char *a = lx->s + body + 1;
			const char *b = closer;
			if (b <= a || b[-1] != '=')
				return lex_error(lx, start,
				    "bad set-delimiter tag", NULL);
			if (set_delims(lx, start, a, (size_t)(b - 1 - a)) == -1)
				return -1;
		} else if (type != T_COMMENT) {
			const char *a = lx->s + body + (sigil ? 1 : 0);
			size_t n = (size_t)(closer - a);
			(void)triple;
			t->name = trimmed(a, n);
			if ((type == T_PARTIAL || type == T_PARENT) &&
			    t->name[0] == '*') {
				char *rest = trimmed(t->name + 1,
				    strlen(t->name + 1));
				free(t->name);
				t->name = rest;
				t->dynamic = true;
			}
			if (t->name[0] == '\0')
				return lex_error(lx, start, "empty tag name",
				    NULL);
		}
		i = end;
	}
	return 0;
}

static bool
standalone_capable(enum ttype t)
{
	return t != T_TEXT && t != T_ETAG && t != T_UTAG;
}

/* text made only of blanks, optionally ending in "\n" or "\r\n" */
static bool
blank_text(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n') {
		len--;
		if (len && s[len - 1] == '\r')
			len--;
	}
	for (size_t i = 0; i < len; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

/* apply the standalone rule line by line */
static void
standalone_pass(struct lexer *lx)
{
	size_t i = 0;

	while (i < lx->ntoks) {
		size_t j = i, ntags = 0;
		bool ok = true;
		char *indent = NULL;

		/* a line: tokens up to and including a text ending in '\n' */
		while (j < lx->ntoks) {
			struct tnode *t = &lx->toks[j++];
			if (t->type == T_TEXT) {
				if (!blank_text(lx->s + t->off, t->len))
					ok = false;
				if (t->len && lx->s[t->off + t->len - 1] ==
				    '\n')
					break;
			} else {
				ntags++;
				if (!standalone_capable(t->type))
					ok = false;
			}
		}
		if (ok && ntags > 0) {
			struct tnode *first = &lx->toks[i];
			if (first->type == T_TEXT)
				indent = xstrndup(lx->s + first->off,
				    first->len);
			for (size_t k = i; k < j; k++) {
				struct tnode *t = &lx->toks[k];
				if (t->type == T_TEXT) {
					t->deleted = true;
					continue;
				}
				t->standalone = true;
				if (indent && (t->type == T_PARTIAL ||
				    t->type == T_PARENT || t->type == T_BLOCK))
					t->indent = xstrdup(indent);
			}
			free(indent);
		}
		i = j;
	}
}

/* ---- tree ---- */

static struct tnode *
add_kid(struct tnode *parent, const struct tnode *src)
{
	struct tnode *k;

	if (parent->nkids == parent->akids) {
		parent->akids = parent->akids ? parent->akids * 2 : 8;
		parent->kids = xreallocarray(parent->kids, parent->akids,
		    sizeof(*k));
	}
	k = &parent->kids[parent->nkids++];
	*k = *src;
	k->kids = NULL;
	k->nkids = k->akids = 0;
	return k;
}

static void
node_release(struct tnode *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_release(&n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->indent);
	free(n->first_indent);
}

static char *
leading_blanks(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && is_blank(s[n]))
		n++;
	return xstrndup(s, n);
}

/*
 * Build the tree from tokens [*i, ntoks) into parent until the end tag of
 * parent (when parent is a section) or the end of input.
 */
static int
build(struct lexer *lx, struct tmpl *t, struct tnode *parent,
    const struct tnode *opener, size_t *i, int depth)
{
	if (depth > LIMIT_TEMPLATE_DEPTH)
		return lex_error(lx, opener ? opener->off : 0,
		    "sections nested too deeply", NULL);
	while (*i < lx->ntoks) {
		struct tnode *tok = &lx->toks[(*i)++], *k;

		if (tok->deleted || tok->type == T_COMMENT ||
		    tok->type == T_DELIM)
			continue;
		if (tok->type == T_END) {
			if (!opener)
				return lex_error(lx, tok->off,
				    "unexpected end tag", tok->name);
			if (strcmp(tok->name, opener->name) != 0) {
				buf_setf(lx->err, "%s:%d:%d: end tag '%s' "
				    "does not match '%s' opened at %d:%d",
				    lx->name, tok->line, tok->col, tok->name,
				    opener->name, opener->line, opener->col);
				return -1;
			}
			free(tok->name);
			tok->name = NULL;
			return 0;
		}
		k = add_kid(parent, tok);
		tok->name = NULL;	/* moved */
		tok->indent = NULL;
		if (k->type == T_SECTION || k->type == T_INVERTED ||
		    k->type == T_PARENT || k->type == T_BLOCK) {
			if (build(lx, t, k, k, i, depth + 1) == -1)
				return -1;
			if (k->type == T_BLOCK) {
				if (k->nkids && k->kids[0].type == T_TEXT)
					k->first_indent = leading_blanks(
					    t->src + k->kids[0].off,
					    k->kids[0].len);
				else
					k->first_indent = xstrdup(k->indent ?
					    k->indent : "");
			}
		}
	}
	if (opener)
		return lex_error(lx, opener->off, "unclosed section",
		    opener->name);
	return 0;
}

struct tmpl *
tmpl_parse(const char *src, size_t len, const char *name, struct buf *err)
{
	struct lexer lx;
	struct tmpl *t;
	size_t i = 0;
	int rc;

	if (len > LIMIT_TEMPLATE) {
		buf_setf(err, "%s: template too large (over %d bytes)", name,
		    LIMIT_TEMPLATE);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->src = xstrndup(src, len);
	t->len = len;
	memset(&lx, 0, sizeof(lx));
	lx.name = name;
	lx.s = t->src;
	lx.len = len;
	strlcpy(lx.open, "{{", sizeof(lx.open));
	strlcpy(lx.close, "}}", sizeof(lx.close));
	lx.olen = lx.clen = 2;
	lx.at_line = lx.at_col = 1;
	lx.err = err;
	rc = lex(&lx);
	if (rc == 0) {
		standalone_pass(&lx);
		rc = build(&lx, t, &t->root, NULL, &i, 0);
	}
	for (size_t k = 0; k < lx.ntoks; k++) {
		free(lx.toks[k].name);
		free(lx.toks[k].indent);
	}
	free(lx.toks);
	if (rc == -1) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

void
tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	node_release(&t->root);
	free(t->name);
	free(t->src);
	free(t);
}

const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

/* ---- sets ---- */

struct tmpl_set *
tmpl_set_new(tmpl_loader load, void *arg)
{
	struct tmpl_set *s = xcalloc(1, sizeof(*s));

	s->load = load;
	s->arg = arg;
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

void
tmpl_set_free(struct tmpl_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].key);
		tmpl_free(s->e[i].t);
	}
	free(s->e);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* call with s->mu held */
static struct tset_entry *
set_find(struct tmpl_set *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].key, key) == 0)
			return &s->e[i];
	return NULL;
}

/* call with s->mu held; takes t */
static void
set_put(struct tmpl_set *s, const char *key, struct tmpl *t)
{
	struct tset_entry *e = set_find(s, key);

	if (e) {
		tmpl_free(e->t);
		e->t = t;
		return;
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->e = xreallocarray(s->e, s->alloc, sizeof(*s->e));
	}
	s->e[s->n].key = xstrdup(key);
	s->e[s->n].t = t;
	s->n++;
}

int
tmpl_set_add(struct tmpl_set *s, const char *name, const char *src,
    size_t len, struct buf *err)
{
	struct tmpl *t = tmpl_parse(src, len, name, err);

	if (!t)
		return -1;
	pthread_mutex_lock(&s->mu);
	set_put(s, name, t);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* the source with INDENT inserted at the start of every line */
static void
indent_source(const struct tmpl *base, const char *indent, struct buf *out)
{
	const char *s = base->src;
	size_t n = base->len;

	for (size_t i = 0; i < n; i++) {
		if (i == 0 || s[i - 1] == '\n')
			buf_adds(out, indent);
		buf_addch(out, s[i]);
	}
}

/* template NAME, indented by INDENT ("" for none); NULL if absent */
static const struct tmpl *
set_get_indented(struct tmpl_set *s, const char *name, const char *indent,
    struct buf *err)
{
	struct tset_entry *e;
	struct tmpl *t = NULL;
	struct buf src = BUF_INIT;
	const struct tmpl *res = NULL;
	char keyspace[256], *heapkey = NULL;
	const char *key = keyspace;
	int r;

	if (!s)
		return NULL;
	/* "NAME" or "NAME\1INDENT"; on the stack unless it is long */
	if ((size_t)snprintf(keyspace, sizeof(keyspace), "%s%s%s", name,
	    *indent ? "\001" : "", indent) >= sizeof(keyspace))
		key = heapkey = xasprintf("%s%s%s", name, *indent ? "\001" :
		    "", indent);
	pthread_mutex_lock(&s->mu);
	if ((e = set_find(s, key)) != NULL) {
		res = e->t;
		goto out;
	}
	if (*indent) {
		const struct tmpl *base;
		pthread_mutex_unlock(&s->mu);
		base = set_get_indented(s, name, "", err);
		pthread_mutex_lock(&s->mu);
		if (!base)
			goto out;
		indent_source(base, indent, &src);
		if (!(t = tmpl_parse(src.buf, src.len, name, err)))
			goto out;
	} else {
		if (!s->load)
			goto out;
		buf_init(&src, LIMIT_TEMPLATE);
		r = s->load(s->arg, name, &src, err);
		if (r == -1)
			goto out;
		if (r == 0 && !(t = tmpl_parse(src.buf, src.len, name, err)))
			goto out;
	}
	set_put(s, key, t);
	res = t;
out:
	pthread_mutex_unlock(&s->mu);
	buf_release(&src);
	free(heapkey);
	return res;
}

const struct tmpl *
tmpl_set_get(struct tmpl_set *s, const char *name, struct buf *err)
{
	return set_get_indented(s, name, "", err);
}

/* ---- rendering ---- */

#define MAX_STACK (LIMIT_TEMPLATE_DEPTH * 4)

struct rctx {
	struct tmpl_set *set;
	struct arena *arena;		/* this render's scratch memory */
	const struct tmpl *t;		/* the template being rendered */
	json_t *stack[MAX_STACK];
	size_t depth;
	const struct tnode *over[MAX_STACK];	/* parent tags in effect */
	const struct tmpl *over_t[MAX_STACK];	/* and their templates */
	size_t nover;
	int nest;
	const struct tmpl *top;		/* the template asked for */
	size_t steps;			/* nodes visited, sections entered */
	struct buf *err;
};

static json_t *
lookup(struct rctx *r, const char *name)
{
	const char *dot, *p;
	json_t *v = NULL;
	char key[256];
	size_t n;

	if (strcmp(name, ".") == 0)
		return r->depth ? r->stack[r->depth - 1] : NULL;
	dot = strchr(name, '.');
	n = dot ? (size_t)(dot - name) : strlen(name);
	if (n >= sizeof(key))
		return NULL;
	memcpy(key, name, n);
	key[n] = '\0';
	for (size_t i = r->depth; i-- > 0;) {
		if (json_is_object(r->stack[i]) &&
		    (v = json_object_get(r->stack[i], key)) != NULL)
			break;
	}
	if (!v)
		return NULL;
	for (p = dot; p; p = dot) {
		p++;
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key) || !json_is_object(v))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!(v = json_object_get(v, key)))
			return NULL;
	}
	return v;
}

static bool
truthy(json_t *v)
{
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
append_value(struct buf *out, json_t *v, bool escape)
{
	char num[64];
	const char *s = NULL;
	size_t len = 0;

	if (json_is_string(v)) {
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
push_ctx(struct rctx *r, json_t *v)
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
	json_t *v = lookup(r, n->name), *item;
	size_t i;
	int rc = 0;

	if (n->type == T_INVERTED)
		return truthy(v) ? 0 : render_nodes(r, n->kids, n->nkids, out);
	if (!truthy(v))
		return 0;
	if (enter(r) == -1)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (step(r) == -1 || push_ctx(r, item) == -1)
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
	json_t *v;

	if (!n->dynamic)
		return n->name;
	v = lookup(r, n->name);
	return json_is_string(v) ? json_string_value(v) : NULL;
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
	t = set_get_indented(r->set, name, n->indent ? n->indent : "", &err);
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
		case T_UTAG:
			append_value(out, lookup(r, nd->name),
			    nd->type == T_ETAG);
			break;
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
tmpl_render_in(struct tmpl_set *s, const struct tmpl *t, json_t *ctx,
    struct arena *arena, struct buf *out, struct buf *err)
{
	struct rctx *r = arena_alloc(arena, sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->set = s;
	r->arena = arena;
	r->t = t;
	r->top = t;
	r->err = err;
	if (ctx)
		r->stack[r->depth++] = ctx;
	return render_nodes(r, t->root.kids, t->root.nkids, out);
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
	const struct tmpl *t = tmpl_set_get(s, name, err);

	if (!t) {
		if (!err->len)
			buf_setf(err, "template '%s' not found", name);
		return -1;
	}
	return tmpl_render_in(s, t, ctx, arena, out, err);
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
