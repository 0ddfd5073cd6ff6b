/* SPDX-License-Identifier: ISC */
/*
 * tmpl_int.h: what the two halves of the Mustache engine share (not an
 * API: tmpl.c parses and keeps sets, tmpl_render.c renders; see tmpl.h).
 * A tmpl owns its name, source and tree; a tmpl_set owns its templates.
 */
#ifndef KILN_TMPL_INT_H
#define KILN_TMPL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

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

/*
 * Template NAME of S, indented by INDENT ("" for none), loaded and
 * parsed on first use; NULL if absent (err set on a load or parse
 * error).  Borrowed: the set owns it until tmpl_set_free.
 */
const struct tmpl *tmpl_set_get_indented(struct tmpl_set *s,
    const char *name, const char *indent, struct buf *err);

#endif
