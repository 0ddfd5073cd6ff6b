/* SPDX-License-Identifier: ISC */
/*
 * yaml.h: the one way kiln hands untrusted bytes to libfyaml, used by
 * kiln.yaml (conf.c) and by front matter (store/frontmatter.c).
 *
 * Before libfyaml sees the input, yaml_load() refuses what libfyaml
 * 0.7.12 cannot survive: NUL bytes and invalid UTF-8 (it loops forever
 * on "%\xff") and explicit keys "? " (it crashes in fy_parser_destroy()
 * on "? a:\t?", libfyaml issue 57).  libfyaml's diagnostics are
 * collected, never printed.  Every error goes to the caller's callback
 * with its line (1 = the first line of TEXT) and a message without a
 * file name, so each caller formats FILE:LINE its own way.
 *
 *	struct yaml y;
 *	if (yaml_load(&y, text, len, report, ctx) == 0 && y.doc)
 *		... fy_document_root(y.doc) ...
 *	yaml_release(&y);
 */
#ifndef KILN_YAML_H
#define KILN_YAML_H

#include <libfyaml.h>

/* an error at LINE of the input; MSG has no file name */
typedef void (*yaml_error_fn)(void *arg, int line, const char *msg);

struct yaml {
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_document *doc;	/* the first document, NULL if empty */
	struct fy_document *next;	/* yaml_next(): the second one */
	void *diag_iter;
	yaml_error_fn fn;
	void *arg;
	int nerr;
};

/*
 * Parse the first document of TEXT (LEN bytes, not copied: it must live
 * until yaml_release).  0 with y->doc (NULL for an empty stream), or -1
 * after reporting every error to fn.  Always call yaml_release(y).
 */
int yaml_load(struct yaml *y, const char *text, size_t len, yaml_error_fn fn,
    void *arg);
/*
 * The root of the document after the first (NULL: none); errors go to
 * the callback and make it return NULL.  Callers that allow one document
 * only use it to refuse a second.
 */
struct fy_node *yaml_next(struct yaml *y);
void yaml_release(struct yaml *y);
/*
 * The 1-based line of node N: a scalar's own token, a collection's first
 * key or item (libfyaml 0.7 keeps no marks on collection nodes);
 * FALLBACK when it has none.
 */
int yaml_node_line(struct fy_node *n, int fallback);

#endif
