/* SPDX-License-Identifier: ISC */
/*
 * conf.c: the kiln.yaml loader, driven by the key table in conf_keys.c
 * (STYLE H32, H33).
 *
 * Design: libfyaml builds a document tree (its diagnostics collected,
 * never printed); one recursive walk then visits every mapping, looks each
 * key up in the table by its pattern, checks the node type, converts the
 * value and stores it at the row's offset in the object that owns it
 * (conf_set_scalar, conf_value.c).
 * Objects (struct conf, each target, mirror, cdn, ...) are zeroed, then
 * filled with the defaults of their rows, then with the file's values, so
 * a missing key always has its default.  Required keys are checked after
 * each mapping; cross-key rules (a bucket for s3 targets, ...) are the
 * rows' check functions.
 *
 * Errors never stop the walk: each is recorded with its line, and at the
 * end they are sorted by line and written to err, one per line, as
 * "FILE:LINE: dotted.key: reason".  Values are never echoed in errors
 * except short validated words (enum values), so a secret pasted into the
 * wrong key cannot reach a log.  The same table drives conf_free(), which
 * wipes the fields marked CK_SECRET.
 *
 * A plain null ("key:", "~", "null") means the key is absent.  Aliases are
 * refused (no billion laughs); duplicate keys are libfyaml errors.
 */
#include "common/compat.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>

#include <libfyaml.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"
#include "conf/yaml.h"

#define CONF_MAX_ERRORS	100	/* then "too many errors" */
#define CONF_MAX_ITEMS	1000	/* targets, collections, list items */
#define CONF_MAX_PATTERN 128
#define CONF_MAX_NAME	64

struct conf_error {
	int line;
	size_t seq;
	char *text;
};

struct conf_ctx {
	const char *file;
	struct conf *c;
	struct conf_error *errs;
	size_t nerr;
	bool too_many;
	bool check_files;	/* kiln check: the files keys name, too */
};

bool
conf_checking_files(const struct conf_ctx *ctx)
{
	return ctx->check_files;
}

static void walk_map(struct conf_ctx *, struct fy_node *, int, const char *,
    const char *, void *);
static void free_obj(const char *, void *);

void
conf_err(struct conf_ctx *ctx, int line, const char *path, const char *key,
    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (ctx->nerr >= CONF_MAX_ERRORS) {
		ctx->too_many = true;
		return;
	}
	buf_printf(&b, "%s:%d: ", ctx->file, line);
	if (path && *path) {
		buf_adds(&b, path);
		if (key)
			buf_addch(&b, '.');
	}
	if (key)
		buf_adds(&b, key);
	if ((path && *path) || key)
		buf_adds(&b, ": ");
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ctx->errs = xreallocarray(ctx->errs, ctx->nerr + 1,
	    sizeof(*ctx->errs));
	ctx->errs[ctx->nerr].line = line;
	ctx->errs[ctx->nerr].seq = ctx->nerr;
	ctx->errs[ctx->nerr].text = buf_detach(&b, NULL);
	ctx->nerr++;
}

struct fy_node *
conf_get(struct fy_node *map, const char *key)
{
	if (!map || !key || fy_node_get_type(map) != FYNT_MAPPING)
		return NULL;
	return fy_node_mapping_lookup_by_string(map, key, strlen(key));
}

int
conf_line(struct fy_node *map, const char *key)
{
	struct fy_node *v = conf_get(map, key);

	return yaml_node_line(v ? v : map, 1);
}

/* a plain null: "", "~", "null" */
static bool
is_null(struct fy_node *n)
{
	const char *s;
	size_t len;

	if (!n)
		return true;
	if (fy_node_get_type(n) != FYNT_SCALAR ||
	    fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	s = fy_node_get_scalar(n, &len);
	if (!s)
		return true;
	return len == 0 || (len == 1 && *s == '~') ||
	    (len == 4 && (memcmp(s, "null", 4) == 0 ||
	    memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

int
conf_enum_given(struct fy_node *map, const char *key,
    const char *const *names)
{
	struct fy_node *v = conf_get(map, key);
	const char *s;
	size_t len, i;

	if (!v || fy_node_get_type(v) != FYNT_SCALAR || fy_node_is_alias(v))
		return -1;
	if (!(s = fy_node_get_scalar(v, &len)))
		return -1;
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == len && memcmp(s, names[i], len) == 0)
			return (int)i;
	return -1;
}

bool
conf_url_valid(const char *s, size_t len, const char *const *names)
{
	size_t i, n, host;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	for (i = 0; names[i]; i++) {
		n = strlen(names[i]);
		if (len > n + 3 && strncasecmp(s, names[i], n) == 0 &&
		    memcmp(s + n, "://", 3) == 0) {
			for (host = n + 3; host < len && s[host] != '/' &&
			    s[host] != '?' && s[host] != '#'; host++)
				;
			return host > n + 3;
		}
	}
	return false;
}

static const struct conf_key *
find_key(const char *pattern, enum ck_type *only)
{
	size_t i;

	for (i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].pattern, pattern) == 0 &&
		    (!only || conf_keys[i].type == *only))
			return &conf_keys[i];
	return NULL;
}

/* the pattern minus its last component ("" for a top-level key) */
static void
parent_of(const char *pattern, char *out, size_t outsz)
{
	const char *dot = strrchr(pattern, '.');
	size_t n = dot ? (size_t)(dot - pattern) : 0;

	if (n >= outsz)
		BUG("pattern too long: %s", pattern);
	memcpy(out, pattern, n);
	out[n] = '\0';
}

/* the pattern of the object that holds the row's field */
static void
owner_of(const char *pattern, char *out, size_t outsz)
{
	enum ck_type sect = CK_SECTION;

	parent_of(pattern, out, outsz);
	while (*out && find_key(out, &sect))
		parent_of(out, out, outsz);
}

/* owners[i]: the owner pattern of conf_keys[i], computed once */
static char (*owners)[CONF_MAX_PATTERN];
static pthread_once_t owners_once = PTHREAD_ONCE_INIT;

static void
owners_init(void)
{
	size_t i;

	owners = xcalloc(conf_nkeys, sizeof(*owners));
	for (i = 0; i < conf_nkeys; i++)
		owner_of(conf_keys[i].pattern, owners[i], sizeof(owners[i]));
}

static bool
owned_by(const struct conf_key *k, const char *owner)
{
	pthread_once(&owners_once, owners_init);
	return strcmp(owners[k - conf_keys], owner) == 0;
}

static void
apply_defaults(const char *owner, void *obj)
{
	struct buf why = BUF_INIT;
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (!k->def || !owned_by(k, owner))
			continue;
		if (conf_set_scalar(k, k->def, strlen(k->def), true, obj, &why))
			BUG("default of %s: %s", k->pattern, why.buf);
	}
	buf_release(&why);
}

static const char *
type_name(enum fy_node_type t)
{
	switch (t) {
	case FYNT_SCALAR:
		return "a scalar";
	case FYNT_SEQUENCE:
		return "a sequence";
	default:
		return "a mapping";
	}
}

/* check that n is of type want; report and return -1 if not */
static int
expect(struct conf_ctx *ctx, struct fy_node *n, enum fy_node_type want,
    int line, const char *path)
{
	enum fy_node_type t = fy_node_get_type(n);

	if (fy_node_is_alias(n)) {
		conf_err(ctx, line, path, NULL, "aliases are not supported");
		return -1;
	}
	if (t != want) {
		conf_err(ctx, line, path, NULL, "expected %s, not %s",
		    type_name(want), type_name(t));
		return -1;
	}
	return 0;
}

static bool
name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > CONF_MAX_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return false;
	return true;
}

static void
set_strlist(struct conf_ctx *ctx, const struct conf_key *k,
    struct fy_node *v, int line, const char *path, void *obj)
{
	char ***listp = (char ***)(void *)((char *)obj + k->off);
	size_t *np = (size_t *)(void *)((char *)obj + k->aux);
	struct fy_node *item;
	void *iter = NULL;
	struct buf ib = BUF_INIT;
	const char *ipath;
	const char *s;
	size_t len, n, i;
	int iline;

	if (expect(ctx, v, FYNT_SEQUENCE, line, path) == -1)
		return;
	n = (size_t)fy_node_sequence_item_count(v);
	if (n > CONF_MAX_ITEMS) {
		conf_err(ctx, line, path, NULL, "more than %d items",
		    CONF_MAX_ITEMS);
		return;
	}
	if (n == 0 && (k->flags & CK_REQUIRED)) {
		conf_err(ctx, line, path, NULL, "must not be empty");
		return;
	}
	*listp = xcalloc(n ? n : 1, sizeof(char *));
	*np = 0;
	for (i = 0; (item = fy_node_sequence_iterate(v, &iter)); i++) {
		iline = yaml_node_line(item, line);
		buf_reset(&ib);
		buf_printf(&ib, "%s[%zu]", path, i);
		ipath = ib.buf;
		if (expect(ctx, item, FYNT_SCALAR, iline, ipath) == -1)
			continue;
		s = fy_node_get_scalar(item, &len);
		if (!s || len == 0) {
			conf_err(ctx, iline, ipath, NULL, "must not be empty");
			continue;
		}
		if (memchr(s, '\0', len)) {
			conf_err(ctx, iline, ipath, NULL,
			    "contains a NUL byte");
			continue;
		}
		if (k->names && !conf_url_valid(s, len, k->names)) {
			struct buf why = BUF_INIT;

			conf_add_schemes(&why, k->names);
			conf_err(ctx, iline, ipath, NULL,
			    "expected a URL (%s)", why.buf);
			buf_release(&why);
			continue;
		}
		for (size_t j = 0; j < len; j++) {
			if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f) {
				conf_err(ctx, iline, ipath, NULL,
				    "contains a control character");
				s = NULL;
				break;
			}
		}
		if (!s)
			continue;
		(*listp)[(*np)++] = xstrndup(s, len);
	}
	buf_release(&ib);
}

/* report required keys under pattern `pat` (path `path`) never seen */
static void
report_missing(struct conf_ctx *ctx, const char *pat, const char *path,
    int line, const bool *seen)
{
	char parent[CONF_MAX_PATTERN], sub[CONF_MAX_PATTERN];
	size_t i;

	for (i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *last;

		if (seen && seen[i])
			continue;
		parent_of(k->pattern, parent, sizeof(parent));
		if (strcmp(parent, pat) != 0)
			continue;
		last = *pat ? k->pattern + strlen(pat) + 1 : k->pattern;
		if (k->type == CK_SECTION) {
			/* an absent section: its required keys are missing */
			if (*path)
				snprintf(sub, sizeof(sub), "%s.%s", path, last);
			else
				snprintf(sub, sizeof(sub), "%s", last);
			report_missing(ctx, k->pattern, sub, line, NULL);
		} else if (k->flags & CK_REQUIRED) {
			conf_err(ctx, line, path, last, "is required");
		}
	}
}

/*
 * The name of element NAME (a mapping key) of a CK_NAMED collection at
 * PATH: its path into eb and 0, or -1 reported.
 */
static int
elem_name(struct conf_ctx *ctx, struct fy_node *key, int eline,
    const char *path, const char **s, size_t *len, struct buf *eb)
{
	if (!key || fy_node_get_type(key) != FYNT_SCALAR ||
	    fy_node_is_alias(key) || !(*s = fy_node_get_scalar(key, len))) {
		conf_err(ctx, eline, path, NULL, "names must be scalars");
		return -1;
	}
	if (!name_valid(*s, *len)) {
		struct buf nb = BUF_INIT;

		conf_add_safe(&nb, *s, *len, CONF_MAX_NAME);
		conf_err(ctx, eline, path, NULL, "'%s' is not a valid name "
		    "(1-%d letters, digits, '-' or '_')", nb.buf,
		    CONF_MAX_NAME);
		buf_release(&nb);
		return -1;
	}
	buf_reset(eb);
	buf_printf(eb, "%s.%.*s", path, (int)*len, *s);
	return 0;
}

/* the elements of a CK_NAMED mapping or CK_LIST sequence V of row K */
static void
walk_elems(struct conf_ctx *ctx, const struct conf_key *k, struct fy_node *v,
    int line, const char *path, void *obj)
{
	char epat[CONF_MAX_PATTERN];
	struct buf eb = BUF_INIT;
	const char *epath;
	struct fy_node_pair *pair;
	void *iter = NULL, *elem, **arrp;
	size_t *np, n, i;
	const char *s = NULL;
	size_t len = 0;

	if (expect(ctx, v, k->type == CK_NAMED ? FYNT_MAPPING :
	    FYNT_SEQUENCE, line, path) == -1)
		return;
	n = k->type == CK_NAMED ? (size_t)fy_node_mapping_item_count(v) :
	    (size_t)fy_node_sequence_item_count(v);
	if (n > CONF_MAX_ITEMS) {
		conf_err(ctx, line, path, NULL, "more than %d items",
		    CONF_MAX_ITEMS);
		return;
	}
	arrp = (void **)(void *)((char *)obj + k->off);
	np = (size_t *)(void *)((char *)obj + k->aux);
	*arrp = xcalloc(n ? n : 1, k->size);
	*np = 0;
	snprintf(epat, sizeof(epat), "%s%s", k->pattern,
	    k->type == CK_NAMED ? ".*" : "[]");
	for (i = 0; i < n; i++) {
		struct fy_node *val;
		int eline;

		if (k->type == CK_NAMED) {
			pair = fy_node_mapping_iterate(v, &iter);
			val = fy_node_pair_value(pair);
			eline = yaml_node_line(fy_node_pair_key(pair), line);
			if (elem_name(ctx, fy_node_pair_key(pair), eline, path,
			    &s, &len, &eb) == -1)
				continue;
		} else {
			val = fy_node_sequence_iterate(v, &iter);
			eline = yaml_node_line(val, line);
			buf_reset(&eb);
			buf_printf(&eb, "%s[%zu]", path, i);
		}
		epath = eb.buf;
		elem = (char *)*arrp + *np * k->size;
		apply_defaults(epat, elem);
		if (k->type == CK_NAMED)
			*(char **)(void *)((char *)elem + k->name_off) =
			    xstrndup(s, len);
		(*np)++;
		if (is_null(val)) {
			/* "name:" alone: an empty mapping */
			report_missing(ctx, epat, epath,
			    yaml_node_line(val, eline), NULL);
			continue;
		}
		if (expect(ctx, val, FYNT_MAPPING, yaml_node_line(val, eline),
		    epath) == -1)
			continue;
		walk_map(ctx, val, eline, epat, epath, elem);
		if (k->check)
			k->check(ctx, elem, val, eline, epath);
	}
	buf_release(&eb);
}

static void
walk_value(struct conf_ctx *ctx, const struct conf_key *k, struct fy_node *v,
    int line, const char *path, void *obj)
{
	struct buf why = BUF_INIT;
	void *elem;
	const char *s;
	size_t len = 0;

	switch (k->type) {
	case CK_SECTION:
		if (expect(ctx, v, FYNT_MAPPING, line, path) == 0)
			walk_map(ctx, v, line, k->pattern, path, obj);
		return;
	case CK_OBJ:
		if (expect(ctx, v, FYNT_MAPPING, line, path) == -1)
			return;
		elem = xcalloc(1, k->size);
		*(void **)(void *)((char *)obj + k->off) = elem;
		apply_defaults(k->pattern, elem);
		walk_map(ctx, v, line, k->pattern, path, elem);
		if (k->check)
			k->check(ctx, elem, v, line, path);
		return;
	case CK_NAMED:
	case CK_LIST:
		walk_elems(ctx, k, v, line, path, obj);
		return;
	case CK_STRLIST:
		set_strlist(ctx, k, v, line, path, obj);
		return;
	default:
		break;
	}
	/* a scalar */
	if (expect(ctx, v, FYNT_SCALAR, line, path) == -1)
		return;
	s = fy_node_get_scalar(v, &len);
	if (!s) {
		s = "";
		len = 0;
	}
	if (conf_set_scalar(k, s, len, fy_node_get_style(v) == FYNS_PLAIN,
	    obj, &why) == -1)
		conf_err(ctx, line, path, NULL, "%s", why.buf);
	buf_release(&why);
}

/*
 * Walk one mapping: line is where it starts (its key's line), pat its
 * pattern (keys are pat.KEY), path the concrete dotted path for errors,
 * obj the object owning its fields.
 */
static void
walk_map(struct conf_ctx *ctx, struct fy_node *map, int line, const char *pat,
    const char *path, void *obj)
{
	char cpat[CONF_MAX_PATTERN + CONF_MAX_NAME + 2];
	struct buf cb = BUF_INIT;
	const char *cpath;
	struct fy_node_pair *pair;
	struct fy_node *key, *val;
	bool *seen;
	void *iter = NULL;
	const char *s;
	size_t len;
	int kline;

	seen = xcalloc(conf_nkeys, sizeof(*seen));
	while ((pair = fy_node_mapping_iterate(map, &iter))) {
		const struct conf_key *k;

		key = fy_node_pair_key(pair);
		val = fy_node_pair_value(pair);
		kline = yaml_node_line(key, line);
		if (!key || fy_node_get_type(key) != FYNT_SCALAR ||
		    fy_node_is_alias(key) ||
		    !(s = fy_node_get_scalar(key, &len))) {
			conf_err(ctx, kline, path, NULL,
			    "keys must be plain scalars");
			continue;
		}
		k = NULL;
		if (len < CONF_MAX_NAME && !memchr(s, '\0', len) &&
		    snprintf(cpat, sizeof(cpat), "%s%s%.*s", pat,
		    *pat ? "." : "", (int)len, s) < (int)sizeof(cpat))
			k = find_key(cpat, NULL);
		buf_reset(&cb);
		buf_printf(&cb, "%s%s", path, *path ? "." : "");
		conf_add_safe(&cb, s, len, CONF_MAX_NAME);
		cpath = cb.buf;
		if (!k) {
			conf_err(ctx, kline, cpath, NULL, "unknown key");
			continue;
		}
		if (is_null(val))
			continue;	/* "key:" alone: absent */
		seen[k - conf_keys] = true;
		/* errors about a scalar point at it, others at the key */
		walk_value(ctx, k, val, fy_node_get_type(val) == FYNT_SCALAR ?
		    yaml_node_line(val, kline) : kline, cpath, obj);
	}
	report_missing(ctx, pat, path, line, seen);
	buf_release(&cb);
	free(seen);
}

static int
cmp_err(const void *a, const void *b)
{
	const struct conf_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* yaml_load's errors, "FILE:LINE: message" */
static void
yaml_error(void *arg, int line, const char *msg)
{
	conf_err(arg, line, NULL, NULL, "%s", msg);
}

static struct conf *
load(const char *yaml, size_t len, const char *name, const char *dir,
    bool check_files, struct buf *err)
{
	struct conf_ctx ctx = { 0 };
	struct yaml y;
	struct fy_node *root = NULL, *root2;
	struct conf *c;
	size_t i;

	ctx.file = name;
	ctx.check_files = check_files;
	c = xcalloc(1, sizeof(*c));
	ctx.c = c;
	c->file = xstrdup(name);
	c->dir = xstrdup(dir);
	apply_defaults("", c);

	/*
	 * No document and no error: an empty stream (nothing, or only
	 * comments), where every required key is missing.
	 */
	if (yaml_load(&y, yaml, len, yaml_error, &ctx) == -1)
		goto out;
	if (y.doc)
		root = fy_document_root(y.doc);
	if (is_null(root)) {
		report_missing(&ctx, "", "", 1, NULL);
	} else if (fy_node_get_type(root) != FYNT_MAPPING ||
	    fy_node_is_alias(root)) {
		conf_err(&ctx, yaml_node_line(root, 1), NULL, NULL,
		    "expected a mapping of sections (site, build, targets, "
		    "...)");
	} else {
		walk_map(&ctx, root, 1, "", "", c);
		conf_check_root(&ctx, c, root);
	}
	/*
	 * A second document ("---") would be silently ignored: refuse it,
	 * unless it is empty (a trailing "---").
	 */
	if ((root2 = yaml_next(&y)) && !is_null(root2))
		conf_err(&ctx, yaml_node_line(root2, 1), NULL, NULL,
		    "only one YAML document is allowed");
 out:
	yaml_release(&y);
	if (ctx.nerr || ctx.too_many) {
		qsort(ctx.errs, ctx.nerr, sizeof(*ctx.errs), cmp_err);
		buf_reset(err);
		for (i = 0; i < ctx.nerr; i++) {
			buf_printf(err, "%s%s", i ? "\n" : "",
			    ctx.errs[i].text);
			free(ctx.errs[i].text);
		}
		if (ctx.too_many)
			buf_printf(err, "\n%s: too many errors, giving up",
			    name);
		free(ctx.errs);
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load_string(const char *yaml, size_t len, const char *name,
    struct buf *err)
{
	char cwd[PATH_MAX];

	if (len > LIMIT_CONFIG_FILE) {
		buf_setf(err, "%s: larger than %d bytes", name,
		    LIMIT_CONFIG_FILE);
		return NULL;
	}
	if (!getcwd(cwd, sizeof(cwd))) {
		buf_setf(err, "cannot get the current folder: %s",
		    strerror(errno));
		return NULL;
	}
	return load(yaml, len, name, cwd, false, err);
}

static struct conf *
load_file(const char *file, bool check_files, struct buf *err)
{
	struct buf data = BUF_INIT;
	char *copy = NULL, *dir = NULL;
	struct conf *c = NULL;

	if (file_read(file, &data, LIMIT_CONFIG_FILE, err) == -1)
		goto out;
	copy = xstrdup(file);
	if (!(dir = realpath(dirname(copy), NULL))) {
		buf_setf(err, "cannot resolve the folder of '%s': %s", file,
		    strerror(errno));
		goto out;
	}
	c = load(data.buf, data.len, file, dir, check_files, err);
 out:
	free(dir);
	free(copy);
	buf_release(&data);
	return c;
}

struct conf *
conf_load(const char *file, struct buf *err)
{
	return load_file(file, false, err);
}

struct conf *
conf_load_check(const char *file, struct buf *err)
{
	return load_file(file, true, err);
}

/* free what the rows owned by `owner` hold in obj (not obj itself) */
static void
free_obj(const char *owner, void *obj)
{
	char epat[CONF_MAX_PATTERN];
	size_t i, j, n;

	if (!obj)
		return;
	for (i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		char *field = (char *)obj + k->off;

		if (!owned_by(k, owner))
			continue;
		switch (k->type) {
		case CK_STR:
		case CK_URL:
		case CK_ENV:
		case CK_CRON:
			if (k->flags & CK_SECRET)
				freezero_str(*(char **)(void *)field);
			else
				free(*(char **)(void *)field);
			break;
		case CK_STRLIST:
			n = *(size_t *)(void *)((char *)obj + k->aux);
			for (j = 0; j < n; j++) {
				char *s = (*(char ***)(void *)field)[j];

				if (k->flags & CK_SECRET)
					freezero_str(s);
				else
					free(s);
			}
			free(*(char ***)(void *)field);
			break;
		case CK_OBJ:
			free_obj(k->pattern, *(void **)(void *)field);
			free(*(void **)(void *)field);
			break;
		case CK_NAMED:
		case CK_LIST:
			snprintf(epat, sizeof(epat), "%s%s", k->pattern,
			    k->type == CK_NAMED ? ".*" : "[]");
			n = *(size_t *)(void *)((char *)obj + k->aux);
			for (j = 0; j < n; j++) {
				char *e = *(char **)(void *)field +
				    j * k->size;

				if (k->type == CK_NAMED)
					free(*(char **)(void *)(e +
					    k->name_off));
				free_obj(epat, e);
			}
			free(*(void **)(void *)field);
			break;
		default:
			break;
		}
	}
}

void
conf_free(struct conf *c)
{
	if (!c)
		return;
	free_obj("", c);
	free(c->file);
	free(c->dir);
	free(c);
}

char *
conf_path(const struct conf *c, const char *rel)
{
	if (rel[0] == '/')
		return xstrdup(rel);
	if (rel[0] == '\0' || strcmp(rel, ".") == 0)
		return xstrdup(c->dir);
	return xasprintf("%s/%s", c->dir, rel);
}

const struct conf_target *
conf_target(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i].name, name) == 0)
			return &c->targets[i];
	return NULL;
}

const struct conf_collection *
conf_collection(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncollections; i++)
		if (strcmp(c->collections[i].name, name) == 0)
			return &c->collections[i];
	return NULL;
}
