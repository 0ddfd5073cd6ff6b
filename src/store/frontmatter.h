/* SPDX-License-Identifier: ISC */
/*
 * frontmatter.h: Markdown files with YAML front matter (Hugo's format):
 *
 *	---
 *	title: Budget 2027
 *	date: 2026-11-02T09:00:00Z
 *	tags: [budget, finance]
 *	event_date: 2027-03-01      # any other key: an extra field
 *	---
 *	Markdown body...
 *
 * Known keys: title (required), date, draft, tags, summary, weight,
 * template.  Every other key is kept, as JSON, in extra.  Errors are
 * "FILE:LINE: key: reason" with the line in the file.  The input is
 * untrusted (a fuzz target) and bounded by LIMIT_FRONT_MATTER.
 */
#ifndef KILN_FRONTMATTER_H
#define KILN_FRONTMATTER_H

#include <jansson.h>

struct buf;
struct fy_node;
struct fy_node_pair;

struct fm {
	char *title;
	int64_t date;		/* 0 = none */
	bool draft;
	json_t *tags;		/* array of strings */
	char *summary;		/* NULL = none */
	int weight;
	bool has_weight;
	char *template;		/* NULL = default */
	json_t *extra;		/* object */
	const char *body;	/* borrowed from the input */
	size_t body_len;
};

/* parse TEXT; 0, or -1 with every error found in err (one per line) */
int fm_parse(const char *text, size_t len, const char *file, struct fm *out,
    struct buf *err);
void fm_release(struct fm *fm);
/*
 * A YAML node as JSON, plain scalars resolved as fm_parse does (YAML 1.2
 * core: null, booleans, numbers; everything else a string); new
 * reference.  For importers reading front matter keys of their own.
 */
json_t *fm_node_json(struct fy_node *n);
/*
 * The key of a front matter mapping's PAIR, malloc'd; NULL if it is not
 * a non-empty string (the caller reports it at the key's line).
 */
char *fm_key(struct fy_node_pair *pair);

#endif
