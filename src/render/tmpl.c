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
 * Rendering is in tmpl_render.c.
 */
#include "common/compat.h"

#include <pthread.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "render/tmpl_int.h"

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

/* tmpl_int.h */
const struct tmpl *
tmpl_set_get_indented(struct tmpl_set *s, const char *name,
    const char *indent, struct buf *err)
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
		base = tmpl_set_get_indented(s, name, "", err);
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
	return tmpl_set_get_indented(s, name, "", err);
}
