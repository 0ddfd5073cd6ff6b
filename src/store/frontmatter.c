/* SPDX-License-Identifier: ISC */
/*
 * frontmatter.c: YAML front matter with libfyaml (see frontmatter.h).
 * The YAML between the "---" lines is parsed as one document with
 * libfyaml's diagnostics collected, never printed; line numbers are
 * shifted by the opening "---" line so they point into the file.
 */
#include "common/compat.h"

#include <errno.h>
#include <math.h>

#include <libfyaml.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/yaml.h"
#include "store/frontmatter.h"
#include "store/store.h"

struct fmctx {
	const char *file;
	int offset;		/* lines before the YAML */
	struct buf *err;
	int nerr;
};

static void
fm_error(struct fmctx *c, int line, const char *key, const char *fmt, ...)
    PRINTF_LIKE(4, 5);

static void
fm_error(struct fmctx *c, int line, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (c->nerr++)
		buf_addch(c->err, '\n');
	buf_printf(c->err, "%s:%d: ", c->file, line + c->offset);
	if (key)
		buf_printf(c->err, "%s: ", key);
	va_start(ap, fmt);
	buf_vprintf(c->err, fmt, ap);
	va_end(ap);
}

/* yaml_load's errors, with the line shifted into the file */
static void
yaml_error(void *arg, int line, const char *msg)
{
	fm_error(arg, line, NULL, "%s", msg);
}

static int
line_of(struct fy_node *n)
{
	return yaml_node_line(n, 1);
}

/* a scalar as a JSON value: plain scalars resolve like YAML 1.2 core */
static json_t *
scalar_json(struct fy_node *n)
{
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	char *tmp, *end;
	json_t *v;

	if (!s)
		return json_null();
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return json_stringn(s, len);
	tmp = xstrndup(s, len);
	if (len == 0 || !strcmp(tmp, "~") || !strcmp(tmp, "null") ||
	    !strcmp(tmp, "Null") || !strcmp(tmp, "NULL"))
		v = json_null();
	else if (!strcmp(tmp, "true") || !strcmp(tmp, "True") ||
	    !strcmp(tmp, "TRUE"))
		v = json_true();
	else if (!strcmp(tmp, "false") || !strcmp(tmp, "False") ||
	    !strcmp(tmp, "FALSE"))
		v = json_false();
	else {
		long long ll;
		double d;
		errno = 0;
		ll = strtoll(tmp, &end, 10);
		if (*end == '\0' && errno == 0 && end != tmp)
			v = json_integer(ll);
		else {
			errno = 0;
			d = strtod(tmp, &end);
			if (*end == '\0' && errno == 0 && end != tmp &&
			    isfinite(d) && strpbrk(tmp, "0123456789"))
				v = json_real(d);
			else
				v = json_stringn(s, len);
		}
	}
	free(tmp);
	return v ? v : json_stringn(s, len);
}

static json_t *
node_json(struct fy_node *n, int depth)
{
	struct fy_node_pair *pair;
	struct fy_node *item;
	void *iter = NULL;
	json_t *v;

	if (!n || depth > 32)
		return json_null();
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		return scalar_json(n);
	case FYNT_SEQUENCE:
		v = json_array();
		while ((item = fy_node_sequence_iterate(n, &iter)))
			json_array_append_new(v, node_json(item, depth + 1));
		return v;
	default:
		v = json_object();
		while ((pair = fy_node_mapping_iterate(n, &iter))) {
			struct fy_node *k = fy_node_pair_key(pair);
			size_t klen;
			const char *ks = k && fy_node_get_type(k) ==
			    FYNT_SCALAR ? fy_node_get_scalar(k, &klen) : NULL;
			char *key;
			if (!ks)
				continue;
			key = xstrndup(ks, klen);
			json_object_set_new(v, key, node_json(
			    fy_node_pair_value(pair), depth + 1));
			free(key);
		}
		return v;
	}
}

char *
fm_key(struct fy_node_pair *pair)
{
	struct fy_node *k = fy_node_pair_key(pair);
	const char *ks;
	size_t klen;

	if (!k || fy_node_get_type(k) != FYNT_SCALAR ||
	    !(ks = fy_node_get_scalar(k, &klen)) || klen == 0)
		return NULL;
	return xstrndup(ks, klen);
}

json_t *
fm_node_json(struct fy_node *n)
{
	return node_json(n, 0);
}

static char *
scalar_str(struct fmctx *c, struct fy_node *v, const char *key)
{
	size_t len;
	const char *s;

	if (!v || fy_node_get_type(v) != FYNT_SCALAR) {
		fm_error(c, line_of(v), key, "expected a string");
		return NULL;
	}
	s = fy_node_get_scalar(v, &len);
	return xstrndup(s ? s : "", s ? len : 0);
}

/* the store's rules for page text (store.h), at the value's line */
static void
text_check(struct fmctx *c, struct fy_node *v, const char *key, const char *s,
    bool multiline, size_t max)
{
	struct buf why = BUF_INIT;

	if (page_text_check(s, strlen(s), multiline, max, NULL, &why) == -1)
		fm_error(c, line_of(v), key, "%s", why.buf);
	buf_release(&why);
}

static void
field(struct fmctx *c, struct fm *fm, const char *key, struct fy_node *v)
{
	char *s = NULL;
	json_t *j;

	if (!strcmp(key, "title")) {
		if ((s = scalar_str(c, v, key)) && !*s)
			fm_error(c, line_of(v), key, "must not be empty");
		else if (s)
			text_check(c, v, key, s, false, LIMIT_TITLE);
		free(fm->title);
		fm->title = s;
		return;
	}
	if (!strcmp(key, "summary")) {
		free(fm->summary);
		if ((fm->summary = scalar_str(c, v, key)))
			text_check(c, v, key, fm->summary, true, 0);
		return;
	}
	if (!strcmp(key, "template")) {
		free(fm->template);
		fm->template = scalar_str(c, v, key);
		return;
	}
	if (!strcmp(key, "date")) {
		if ((s = scalar_str(c, v, key)) &&
		    time_parse_iso8601(s, &fm->date) == -1)
			fm_error(c, line_of(v), key, "'%s' is not an ISO 8601 "
			    "date (2026-11-24 or 2026-11-24T14:50:00Z)", s);
		free(s);
		return;
	}
	if (!strcmp(key, "draft")) {
		j = v && fy_node_get_type(v) == FYNT_SCALAR ?
		    scalar_json(v) : NULL;
		if (!json_is_boolean(j))
			fm_error(c, line_of(v), key, "expected true or "
			    "false");
		else
			fm->draft = json_is_true(j);
		json_decref(j);
		return;
	}
	if (!strcmp(key, "weight")) {
		j = v && fy_node_get_type(v) == FYNT_SCALAR ?
		    scalar_json(v) : NULL;
		if (!json_is_integer(j) || json_integer_value(j) < -1000000 ||
		    json_integer_value(j) > 1000000)
			fm_error(c, line_of(v), key, "expected an integer");
		else {
			fm->weight = (int)json_integer_value(j);
			fm->has_weight = true;
		}
		json_decref(j);
		return;
	}
	if (!strcmp(key, "tags")) {
		struct fy_node *item;
		void *iter = NULL;
		if (!v || fy_node_get_type(v) != FYNT_SEQUENCE) {
			fm_error(c, line_of(v), key, "expected a list");
			return;
		}
		while ((item = fy_node_sequence_iterate(v, &iter))) {
			if ((s = scalar_str(c, item, key)))
				json_array_append_new(fm->tags,
				    json_string(s));
			free(s);
		}
		return;
	}
	json_object_set_new(fm->extra, key, node_json(v, 0));
}

/* the end of the line at p: the index after its '\n' */
static size_t
line_end(const char *s, size_t len, size_t p)
{
	const char *nl = memchr(s + p, '\n', len - p);

	return nl ? (size_t)(nl - s) + 1 : len;
}

static bool
is_fence(const char *s, size_t a, size_t b)
{
	size_t n = b - a;

	while (n && (s[a + n - 1] == '\n' || s[a + n - 1] == '\r' ||
	    s[a + n - 1] == ' ' || s[a + n - 1] == '\t'))
		n--;
	return n == 3 && (!memcmp(s + a, "---", 3) || !memcmp(s + a, "...", 3));
}

int
fm_parse(const char *text, size_t len, const char *file, struct fm *fm,
    struct buf *err)
{
	struct fmctx c = { file, 1, err, 0 };
	struct yaml y;
	struct fy_node *root;
	struct fy_node_pair *pair;
	void *iter = NULL;
	size_t p, start, end = 0;
	int line = 1;

	memset(fm, 0, sizeof(*fm));
	memset(&y, 0, sizeof(y));
	fm->tags = json_array();
	fm->extra = json_object();
	buf_reset(err);
	if (len < 3 || !is_fence(text, 0, line_end(text, len, 0)) ||
	    text[0] != '-') {
		fm_error(&c, 0, NULL, "no front matter: the file must start "
		    "with a '---' line");
		goto out;
	}
	start = p = line_end(text, len, 0);
	while (p < len) {
		size_t e = line_end(text, len, p);
		line++;
		if (is_fence(text, p, e)) {
			end = p;
			fm->body = text + e;
			fm->body_len = len - e;
			break;
		}
		p = e;
	}
	if (!fm->body) {
		fm_error(&c, 0, NULL, "front matter is not closed by a '---' "
		    "line");
		goto out;
	}
	if (end - start > LIMIT_FRONT_MATTER) {
		fm_error(&c, 0, NULL, "front matter too large (over %d bytes)",
		    LIMIT_FRONT_MATTER);
		goto out;
	}
	if (yaml_load(&y, text + start, end - start, yaml_error, &c) == -1)
		goto out;
	root = y.doc ? fy_document_root(y.doc) : NULL;
	if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
		fm_error(&c, root ? line_of(root) : 1, NULL,
		    "front matter must be a mapping of keys (title: ...)");
		goto out;
	}
	iter = NULL;
	while ((pair = fy_node_mapping_iterate(root, &iter))) {
		char *key = fm_key(pair);

		if (!key)
			fm_error(&c, line_of(fy_node_pair_key(pair)), NULL,
			    "keys must be non-empty strings");
		else
			field(&c, fm, key, fy_node_pair_value(pair));
		free(key);
	}
	if (!fm->title && !c.nerr)
		fm_error(&c, 0, "title", "required");
	/* the body, with its line in the file (the fence is on LINE) */
	if (!c.nerr) {
		struct buf why = BUF_INIT;
		int bline = 1;
		if (page_text_check(fm->body, fm->body_len, true, 0, &bline,
		    &why) == -1)
			fm_error(&c, line + bline - 1, "body", "%s", why.buf);
		buf_release(&why);
	}
out:
	yaml_release(&y);
	if (c.nerr) {
		fm_release(fm);
		return -1;
	}
	return 0;
}

void
fm_release(struct fm *fm)
{
	if (!fm)
		return;
	free(fm->title);
	free(fm->summary);
	free(fm->template);
	json_decref(fm->tags);
	json_decref(fm->extra);
	memset(fm, 0, sizeof(*fm));
}
