/* SPDX-License-Identifier: ISC */
/*
 * import_fm.c: Hugo's three kinds of front matter (import.h): YAML
 * between "---" lines (the one guarded loader, conf/yaml.h), TOML
 * between "+++" lines (import_toml.c) and a JSON object at the start of
 * the file (jansson, reading stops after the object).  A UTF-8 BOM is
 * skipped.  Each gives the same thing: a JSON object of the keys, each
 * key's line in the file, and where the body starts.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "conf/yaml.h"
#include "import/import.h"
#include "store/frontmatter.h"

struct fmerr {
	const char *file;
	int offset;
	struct buf *err;
	int nerr;
};

static void
fm_err(struct fmerr *c, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void
fm_err(struct fmerr *c, int line, const char *fmt, ...)
{
	va_list ap;

	if (c->nerr++)
		buf_addch(c->err, '\n');
	buf_printf(c->err, "%s:%d: ", c->file, line + c->offset);
	va_start(ap, fmt);
	buf_vprintf(c->err, fmt, ap);
	va_end(ap);
}

static void
yaml_err(void *arg, int line, const char *msg)
{
	fm_err(arg, line, "%s", msg);
}

static size_t
line_end(const char *s, size_t len, size_t p)
{
	const char *nl = memchr(s + p, '\n', len - p);

	return nl ? (size_t)(nl - s) + 1 : len;
}

/* the line [a, b) is FENCE (or "..." closing YAML), spaces after allowed */
static bool
is_fence(const char *s, size_t a, size_t b, const char *fence)
{
	size_t n = b - a;

	while (n && (s[a + n - 1] == '\n' || s[a + n - 1] == '\r' ||
	    s[a + n - 1] == ' ' || s[a + n - 1] == '\t'))
		n--;
	return n == 3 && (!memcmp(s + a, fence, 3) || (fence[0] == '-' &&
	    a > 0 && !memcmp(s + a, "...", 3)));
}

static int
yaml_meta(const char *s, size_t len, struct fmerr *c, json_t *meta,
    json_t *lines)
{
	struct yaml y;
	struct fy_node *root;
	struct fy_node_pair *pair;
	void *iter = NULL;
	int rc = -1;

	memset(&y, 0, sizeof(y));
	if (yaml_load(&y, s, len, yaml_err, c) == -1)
		goto out;
	root = y.doc ? fy_document_root(y.doc) : NULL;
	if (!root) {
		rc = 0;		/* "---\n---": empty front matter */
		goto out;
	}
	if (fy_node_get_type(root) != FYNT_MAPPING) {
		fm_err(c, yaml_node_line(root, 1), "front matter must be a "
		    "mapping of keys (title: ...)");
		goto out;
	}
	while ((pair = fy_node_mapping_iterate(root, &iter))) {
		int kline = yaml_node_line(fy_node_pair_key(pair), 1);
		char *key = fm_key(pair);

		if (!key) {
			fm_err(c, kline, "keys must be non-empty strings");
			continue;
		}
		json_object_set_new(meta, key,
		    fm_node_json(fy_node_pair_value(pair)));
		json_object_set_new(lines, key, json_integer(c->offset +
		    kline));
		free(key);
	}
	rc = c->nerr ? -1 : 0;
out:
	yaml_release(&y);
	return rc;
}

/* the line of the first "KEY" in the JSON text, else 1 */
static int
json_key_line(const char *s, size_t len, const char *key)
{
	char *pat = xasprintf("\"%s\"", key);
	size_t n = strlen(pat);
	int line = 1;

	for (size_t i = 0; i + n <= len; i++) {
		if (s[i] == '\n')
			line++;
		else if (!memcmp(s + i, pat, n)) {
			free(pat);
			return line;
		}
	}
	free(pat);
	return 1;
}

int
import_fm_split(const char *text, size_t len, const char *file,
    json_t **metap, json_t **linesp, size_t *body_off, int *body_line,
    struct buf *err)
{
	struct fmerr c = { file, 0, err, 0 };
	json_t *meta = json_object(), *lines = json_object();
	size_t base = 0, p, start, end = 0, body = 0;
	const char *fence;
	int line = 1;

	*metap = *linesp = NULL;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		base = 3;
	if (len > base && text[base] == '{') {
		json_error_t je;
		json_t *o = json_loadb(text + base, len - base,
		    JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
		const char *k;
		json_t *v;

		if (!o) {
			fm_err(&c, je.line > 0 ? je.line : 1, "JSON front "
			    "matter: %s", je.text);
			goto fail;
		}
		if (!json_is_object(o)) {
			json_decref(o);
			fm_err(&c, 1, "JSON front matter must be an object");
			goto fail;
		}
		json_decref(meta);
		meta = o;
		body = base + (size_t)je.position;
		if (body > LIMIT_FRONT_MATTER) {
			fm_err(&c, 1, "front matter too large (over %d "
			    "bytes)", LIMIT_FRONT_MATTER);
			goto fail;
		}
		json_object_foreach(meta, k, v)
			json_object_set_new(lines, k, json_integer(
			    json_key_line(text + base, body - base, k)));
		for (size_t i = base; i < body; i++)
			if (text[i] == '\n')
				line++;
		/* the rest of the closing line belongs to the front matter */
		while (body < len && (text[body] == ' ' ||
		    text[body] == '\t' || text[body] == '\r'))
			body++;
		if (body < len && text[body] == '\n') {
			body++;
			line++;
		}
		goto done;
	}
	p = line_end(text, len, base);
	if (is_fence(text, base, p, "---"))
		fence = "---";
	else if (is_fence(text, base, p, "+++"))
		fence = "+++";
	else {
		body = base;	/* no front matter: all body */
		goto done;
	}
	start = p;
	while (p < len) {
		size_t e = line_end(text, len, p);
		line++;
		if (is_fence(text, p, e, fence)) {
			end = p;
			body = e;
			break;
		}
		p = e;
	}
	if (!body) {
		fm_err(&c, 1, "front matter is not closed by a '%s' line",
		    fence);
		goto fail;
	}
	line++;
	if (end - start > LIMIT_FRONT_MATTER) {
		fm_err(&c, 1, "front matter too large (over %d bytes)",
		    LIMIT_FRONT_MATTER);
		goto fail;
	}
	c.offset = 1;
	if (fence[0] == '-') {
		if (yaml_meta(text + start, end - start, &c, meta, lines) == -1)
			goto fail;
	} else {
		json_decref(meta);
		json_decref(lines);
		meta = lines = NULL;
		if (import_toml_parse(text + start, end - start, file, 1,
		    &meta, &lines, err) == -1)
			goto fail;
	}
done:
	*metap = meta;
	*linesp = lines;
	*body_off = body;
	*body_line = line;
	return 0;
fail:
	json_decref(meta);
	json_decref(lines);
	return -1;
}
