/* SPDX-License-Identifier: ISC */
/*
 * conf_int.h: the key table shared by the loader (conf.c), the table
 * itself with its checks (conf_keys.c) and the scalar setters
 * (conf_value.c).  Not for use outside src/conf.
 *
 * A row names a key by its dotted pattern: "site.title" is a key of the
 * "site" section, "targets.*.bucket" a key of every target (the map key
 * is the target's name), "targets.*.mirrors[].bucket" a key of every item
 * of the mirrors sequence.  A row's OWNER is the object its field lives
 * in: the pattern minus its last component, minus any further components
 * that are sections (sections are embedded in their owner, objects are
 * allocated).  The root object is struct conf, pattern "".
 */
#ifndef KILN_CONF_INT_H
#define KILN_CONF_INT_H

#include <libfyaml.h>

struct buf;
struct conf;

enum ck_type {
	/* containers */
	CK_SECTION,	/* mapping embedded in its owner */
	CK_OBJ,		/* mapping -> malloc'd struct, pointer at off */
	CK_NAMED,	/* mapping NAME -> struct; array at off, count at aux */
	CK_LIST,	/* sequence of mappings; array at off, count at aux */
	/* scalars */
	CK_STR,		/* char * */
	CK_BOOL,	/* bool */
	CK_INT,		/* int within min..max */
	CK_I64,		/* int64_t within min..max */
	CK_DUR,		/* int64_t seconds from duration_parse(), min..max */
	CK_ENUM,	/* int: index into names[] */
	CK_URL,		/* char *: URL with a scheme from names[] */
	CK_ENV,		/* char *: environment variable name */
	CK_CRON,	/* char * at off, struct cron at aux; "" = off */
	/* sequences of scalars */
	CK_STRLIST,	/* char ** at off, count at aux; URLs if names */
};

#define CK_REQUIRED	0x01	/* must be present (and not empty) */
#define CK_SECRET	0x02	/* wiped on free */
#define CK_MULTILINE	0x04	/* CK_STR: may hold newlines and tabs */

struct conf_ctx;

/*
 * Called once an object's mapping has been read, to check across keys;
 * line is that of the key that introduced the object.
 */
typedef void conf_check_fn(struct conf_ctx *ctx, void *obj,
    struct fy_node *map, int line, const char *path);

struct conf_key {
	const char *pattern;
	enum ck_type type;
	int flags;
	size_t off;		/* the field, in the owner object */
	const char *def;	/* default, as YAML text; NULL: none */
	long long min, max;	/* CK_INT, CK_I64, CK_DUR */
	const char *const *names;	/* CK_ENUM values; URL schemes */
	size_t aux;		/* count (NAMED, LIST, STRLIST); cron */
	size_t size;		/* element size (OBJ, NAMED, LIST) */
	size_t name_off;	/* CK_NAMED: char *name in the element */
	conf_check_fn *check;	/* OBJ, NAMED, LIST elements */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* the checks that span sections, run after the whole file was read */
void conf_check_root(struct conf_ctx *ctx, struct conf *c,
    struct fy_node *root);
/* feed: (conf_feed.c), after the taxonomies are known */
void conf_check_feed(struct conf_ctx *ctx, struct conf *c,
    struct fy_node *root);
/* loaded for kiln check (conf_load_check)? */
bool conf_checking_files(const struct conf_ctx *ctx);

/* report an error at `line` (1-based) for key path/key (key may be NULL) */
void conf_err(struct conf_ctx *ctx, int line, const char *path,
    const char *key, const char *fmt, ...) PRINTF_LIKE(5, 6);
/* 1-based line of map's value for key, else of map itself (1 if NULL) */
int conf_line(struct fy_node *map, const char *key);
/* the value node of key in map, or NULL */
struct fy_node *conf_get(struct fy_node *map, const char *key);
/* index in names of the plain scalar at map.key, or -1 */
int conf_enum_given(struct fy_node *map, const char *key,
    const char *const *names);
/* true if s (len bytes) is a URL with one of the schemes in names */
bool conf_url_valid(const char *s, size_t len, const char *const *names);

extern const char *const conf_http_schemes[];

/* conf_value.c: scalars */
/*
 * Convert scalar S (LEN bytes; PLAIN: unquoted) for row K and store it in
 * OBJ, the owner (strings are copied; the old value is freed).  0, or -1
 * with the reason in why (never the value itself).
 */
int conf_set_scalar(const struct conf_key *k, const char *s, size_t len,
    bool plain, void *obj, struct buf *why);
/* append S to B, control and non-ASCII bytes as \xNN, at most MAX bytes */
void conf_add_safe(struct buf *b, const char *s, size_t len, size_t max);
/* append "http://, https://" for the schemes in NAMES to B */
void conf_add_schemes(struct buf *b, const char *const *names);

#endif
