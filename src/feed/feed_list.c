/* SPDX-License-Identifier: ISC */
/*
 * feed_list.c: the approved list of units (feed.h).  The list is
 * untrusted input: ids and versions must be single safe path segments
 * (slugs: no '/', no "..", no NUL, no upper case), sizes are bounded,
 * and every bad entry is reported with its index and skipped.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "feed/feed.h"

bool
feed_name_ok(const char *s)
{
	size_t len = strlen(s);

	return len <= 128 && slug_valid(s, len) && strcmp(s, "..") != 0;
}

bool
feed_prefix_ok(const char *s)
{
	const char *p = s, *slash;

	while (*p) {
		if (!(slash = strchr(p, '/')) || slash == p ||
		    !slug_valid(p, (size_t)(slash - p)))
			return false;
		p = slash + 1;
	}
	return strlen(s) < 256;
}

static void
problem(struct feed_list *l, size_t i, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void
problem(struct feed_list *l, size_t i, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(l->problems, json_pack("{s:I, s:s}", "index",
	    (json_int_t)i, "error", b.buf));
	buf_release(&b);
}

/* SOURCE resolved against BASE; NULL with a reason in WHY */
static char *
resolve_source(const char *src, const char *ref, const char *base,
    const char **why)
{
	char *s;

	*why = NULL;
	if (!*src || strlen(src) > 2048) {
		*why = "\"source\": expected 1 to 2048 characters";
		return NULL;
	}
	if (!strncmp(src, "https://", 8))
		s = xstrdup(src);
	else if (strstr(src, "://")) {
		*why = "\"source\": expected a folder, a git repository or an "
		    "https:// URL";
		return NULL;
	} else if (src[0] == '/')
		s = xstrdup(src);
	else if (!base) {
		*why = "\"source\": a relative path in a list read from a URL";
		return NULL;
	} else
		s = xasprintf("%s/%s", base, src);
	if (ref) {
		char *g = xasprintf("git:%s:%s", ref, s);
		free(s);
		s = g;
	}
	return s;
}

/* the pair I..N-1 already holds (ID, VERSION)? */
static bool
duplicate(const struct feed_list *l, const char *id, const char *version)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].id, id) && !strcmp(l->e[i].version,
		    version))
			return true;
	return false;
}

static const char *
str_field(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static void
add_entry(struct feed_list *l, size_t i, json_t *o, const char *base)
{
	const char *id, *version, *src, *ref, *why;
	char *res;

	if (!json_is_object(o)) {
		problem(l, i, "expected an object {\"id\", \"version\", "
		    "\"source\"}");
		return;
	}
	id = str_field(o, "id");
	version = str_field(o, "version");
	src = str_field(o, "source");
	ref = str_field(o, "ref");
	if (!id || !feed_name_ok(id)) {
		problem(l, i, "\"id\": expected lower-case letters, digits, "
		    "'-', '_' or '.' (not first), at most 128");
		return;
	}
	if (!version || !feed_name_ok(version)) {
		problem(l, i, "\"version\": expected lower-case letters, "
		    "digits, '-', '_' or '.' (not first), at most 128");
		return;
	}
	if (!src) {
		problem(l, i, "\"source\": expected a string");
		return;
	}
	if (json_object_get(o, "ref") && (!ref || !*ref || strlen(ref) > 256 ||
	    strchr(ref, ':'))) {
		problem(l, i, "\"ref\": expected a git ref name");
		return;
	}
	if (!(res = resolve_source(src, ref, base, &why))) {
		problem(l, i, "%s", why);
		return;
	}
	if (duplicate(l, id, version)) {
		problem(l, i, "%s %s: listed twice; the first is kept", id,
		    version);
		free(res);
		return;
	}
	l->e[l->n].id = xstrdup(id);
	l->e[l->n].version = xstrdup(version);
	l->e[l->n].source = res;
	l->n++;
}

int
feed_list_parse(const char *text, size_t len, const char *base,
    struct feed_list *l, struct buf *err)
{
	json_error_t je;
	json_t *root, *arr;
	size_t n;

	memset(l, 0, sizeof(*l));
	l->problems = json_array();
	if (len > FEED_LIST_MAX_BYTES) {
		buf_setf(err, "the list is over %d bytes", FEED_LIST_MAX_BYTES);
		return -1;
	}
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je))) {
		buf_setf(err, "%d:%d: %s", je.line, je.column, je.text);
		return -1;
	}
	arr = json_is_object(root) ? json_object_get(root, "units") : root;
	if (!json_is_array(arr)) {
		buf_setf(err, "expected a JSON array of units, or an object "
		    "whose \"units\" is one");
		json_decref(root);
		return -1;
	}
	if ((n = json_array_size(arr)) > FEED_LIST_MAX_ENTRIES) {
		buf_setf(err, "%zu entries: at most %d", n,
		    FEED_LIST_MAX_ENTRIES);
		json_decref(root);
		return -1;
	}
	l->e = xcalloc(n ? n : 1, sizeof(*l->e));
	for (size_t i = 0; i < n; i++)
		add_entry(l, i, json_array_get(arr, i), base);
	json_decref(root);
	return 0;
}

void
feed_list_release(struct feed_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].id);
		free(l->e[i].version);
		free(l->e[i].source);
	}
	free(l->e);
	json_decref(l->problems);
	free(l->from);
	memset(l, 0, sizeof(*l));
}

static size_t
fetch_write(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + sz * n > FEED_LIST_MAX_BYTES || buf_add(b, p, sz * n))
		return 0;
	return sz * n;
}

/* read one list (a file relative to kiln.yaml, or an https URL) */
static int
load_one(const struct conf *c, const char *where, struct feed_list *l,
    struct buf *err)
{
	struct buf text = BUF_INIT, e = BUF_INIT;
	char *path = NULL, *base = NULL, *slash;
	int rc = -1;

	if (!strncmp(where, "https://", 8)) {
		if (feed_https_get(where, fetch_write, &text, 60L, &e) == -1)
			goto out;
	} else {
		path = conf_path(c, where);
		if (file_read(path, &text, FEED_LIST_MAX_BYTES, &e) == -1)
			goto out;
		base = xstrdup(path);
		if ((slash = strrchr(base, '/')))
			*slash = '\0';
	}
	if (feed_list_parse(text.buf ? text.buf : "", text.len, base, l,
	    &e) == -1) {
		feed_list_release(l);
		goto out;
	}
	l->from = xstrdup(where);
	rc = 0;
out:
	if (rc == -1)
		buf_printf(err, "%s%s: %s", err->len ? "\n" : "", where, e.buf);
	buf_release(&text);
	buf_release(&e);
	free(path);
	free(base);
	return rc;
}

int
feed_list_load(const struct conf *c, struct feed_list *l, struct buf *err)
{
	memset(l, 0, sizeof(*l));
	if (!c->feed.list) {
		buf_setf(err, "feed.list: not set in kiln.yaml");
		return -1;
	}
	buf_reset(err);
	if (load_one(c, c->feed.list, l, err) == 0)
		return 0;
	if (c->feed.fallback_list && load_one(c, c->feed.fallback_list, l,
	    err) == 0) {
		log_warnx("feed: %s; read feed.fallback_list instead", err->buf);
		buf_reset(err);
		return 0;
	}
	return -1;
}
