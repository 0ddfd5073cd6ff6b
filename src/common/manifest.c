/* SPDX-License-Identifier: ISC */
/*
 * manifest.c: build manifests (see manifest.h for the format), parsed and
 * written with jansson.  Parsing validates every field, since a manifest
 * may come back from a bucket.
 */
#include "common/compat.h"


#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/xmalloc.h"

static const char *kind_names[] = { "html", "feed", "asset", "media",
	"other" };

void
manifest_init(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
}

void
manifest_release(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].content_type);
		free(m->files[i].cache_control);
		free(m->files[i].redirect);
	}
	free(m->files);
	free(m->build);
	free(m->generated);
	manifest_init(m);
}

const char *
manifest_kind_name(enum manifest_kind k)
{
	return (size_t)k < NELEM(kind_names) ? kind_names[k] : "other";
}

int
manifest_kind_parse(const char *s, enum manifest_kind *k)
{
	for (size_t i = 0; i < NELEM(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum manifest_kind)i;
			return 0;
		}
	return -1;
}

struct manifest_entry *
manifest_add(struct manifest *m, const char *path, const char *sha256,
    int64_t size, const char *content_type, const char *cache_control,
    bool immutable, enum manifest_kind kind)
{
	struct manifest_entry *e;

	if (m->nfiles == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 64;
		m->files = xreallocarray(m->files, m->alloc, sizeof(*e));
	}
	e = &m->files[m->nfiles++];
	e->path = xstrdup(path);
	strlcpy(e->sha256, sha256, sizeof(e->sha256));
	e->size = size;
	e->content_type = xstrdup(content_type ? content_type : "");
	e->cache_control = xstrdup(cache_control ? cache_control : "");
	e->immutable = immutable;
	e->kind = kind;
	e->redirect = NULL;
	return e;
}

void
manifest_set_redirect(struct manifest_entry *e, const char *redirect)
{
	free(e->redirect);
	e->redirect = redirect ? xstrdup(redirect) : NULL;
}

struct manifest_entry *
manifest_add_copy(struct manifest *m, const struct manifest_entry *e)
{
	struct manifest_entry *c = manifest_add(m, e->path, e->sha256,
	    e->size, e->content_type, e->cache_control, e->immutable, e->kind);

	manifest_set_redirect(c, e->redirect);
	return c;
}

bool
manifest_redirect_valid(const char *redirect)
{
	size_t n = strlen(redirect);

	/* "//host/" would send the visitor to another site */
	if (n < 1 || n > 2048 || redirect[0] != '/' || redirect[1] == '/' ||
	    redirect[1] == '\\')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)redirect[i] <= 0x20 ||
		    (unsigned char)redirect[i] >= 0x7f)
			return false;
	return true;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path,
	    ((const struct manifest_entry *)b)->path);
}

int
manifest_sort(struct manifest *m, struct buf *err)
{
	size_t i;

	/* writers usually add in order: sort only when needed */
	for (i = 1; i < m->nfiles; i++)
		if (strcmp(m->files[i - 1].path, m->files[i].path) > 0)
			break;
	if (i < m->nfiles)
		qsort(m->files, m->nfiles, sizeof(m->files[0]), cmp_entry);
	for (i = 1; i < m->nfiles; i++)
		if (strcmp(m->files[i - 1].path, m->files[i].path) == 0) {
			buf_setf(err, "manifest: duplicate path '%s'",
			    m->files[i].path);
			return -1;
		}
	return 0;
}

const struct manifest_entry *
manifest_find(const struct manifest *m, const char *path)
{
	struct manifest_entry key;

	if (!m->nfiles)
		return NULL;
	key.path = (char *)(uintptr_t)path;
	return bsearch(&key, m->files, m->nfiles, sizeof(key), cmp_entry);
}

void
manifest_json_string(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	buf_add_json_str(out, s, strlen(s));
	buf_addch(out, '"');
}

void
manifest_json_head(struct buf *out, const char *build, const char *generated)
{
	buf_adds(out, "{\"version\":1,\"build\":");
	manifest_json_string(out, build ? build : "");
	buf_adds(out, ",\"generated\":");
	manifest_json_string(out, generated ? generated : "");
	buf_adds(out, ",\"files\":[");
}

void
manifest_json_entry(struct buf *out, bool first,
    const struct manifest_entry *e)
{
	buf_adds(out, first ? "\n{\"path\":" : ",\n{\"path\":");
	manifest_json_string(out, e->path);
	buf_adds(out, ",\"sha256\":\"");
	buf_adds(out, e->sha256);
	buf_adds(out, "\",\"size\":");
	buf_add_i64(out, e->size);	/* "SIZE ", without snprintf */
	out->buf[--out->len] = '\0';	/* drop the space */
	buf_adds(out, ",\"content_type\":");
	manifest_json_string(out, e->content_type);
	buf_adds(out, ",\"cache_control\":");
	manifest_json_string(out, e->cache_control);
	buf_adds(out, e->immutable ? ",\"immutable\":true,\"kind\":\"" :
	    ",\"immutable\":false,\"kind\":\"");
	buf_adds(out, manifest_kind_name(e->kind));
	if (e->redirect) {
		buf_adds(out, "\",\"redirect\":");
		manifest_json_string(out, e->redirect);
		buf_adds(out, "}");
	} else
		buf_adds(out, "\"}");
}

void
manifest_json_tail(struct buf *out)
{
	buf_adds(out, "\n]}\n");
}

void
manifest_to_json(const struct manifest *m, struct buf *out)
{
	manifest_json_head(out, m->build, m->generated);
	for (size_t i = 0; i < m->nfiles; i++)
		manifest_json_entry(out, i == 0, &m->files[i]);
	manifest_json_tail(out);
}

int
manifest_parse_json(const char *json, size_t len, struct manifest *m,
    struct buf *err)
{
	json_t *root, *files, *f;
	json_error_t jerr;
	struct buf clean = BUF_INIT;
	size_t i;
	int rc = -1;

	manifest_init(m);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		buf_setf(err, "manifest: line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != 1) {
		buf_setf(err, "manifest: version: expected 1");
		goto out;
	}
	files = json_object_get(root, "files");
	if (!json_is_array(files)) {
		buf_setf(err, "manifest: files: expected an array");
		goto out;
	}
	m->build = xstrdup(json_is_string(json_object_get(root, "build")) ?
	    json_string_value(json_object_get(root, "build")) : "");
	m->generated = xstrdup(
	    json_is_string(json_object_get(root, "generated")) ?
	    json_string_value(json_object_get(root, "generated")) : "");
	json_array_foreach(files, i, f) {
		const char *path, *sha, *ct, *cc, *kind, *redir;
		json_t *size, *imm, *rj;
		enum manifest_kind k;

		path = json_string_value(json_object_get(f, "path"));
		sha = json_string_value(json_object_get(f, "sha256"));
		ct = json_string_value(json_object_get(f, "content_type"));
		cc = json_string_value(json_object_get(f, "cache_control"));
		kind = json_string_value(json_object_get(f, "kind"));
		size = json_object_get(f, "size");
		imm = json_object_get(f, "immutable");
		if (!path || path_clean_rel(path, &clean, err) == -1 ||
		    strcmp(clean.buf, path) != 0) {
			buf_setf(err, "manifest: files[%zu].path: expected a "
			    "canonical relative path", i);
			goto out;
		}
		if (!sha || strlen(sha) != 64 || !hex_valid(sha, 64)) {
			buf_setf(err, "manifest: files[%zu].sha256: expected "
			    "64 hex digits", i);
			goto out;
		}
		if (!json_is_integer(size) || json_integer_value(size) < 0) {
			buf_setf(err, "manifest: files[%zu].size: expected a "
			    "non-negative integer", i);
			goto out;
		}
		if (!ct || !cc || !json_is_boolean(imm) || !kind ||
		    manifest_kind_parse(kind, &k) == -1) {
			buf_setf(err, "manifest: files[%zu]: content_type, "
			    "cache_control, immutable or kind missing or "
			    "invalid", i);
			goto out;
		}
		rj = json_object_get(f, "redirect");
		redir = json_string_value(rj);
		if (rj && (!redir || !manifest_redirect_valid(redir))) {
			buf_setf(err, "manifest: files[%zu].redirect: expected "
			    "a site path starting with '/'", i);
			goto out;
		}
		manifest_set_redirect(manifest_add(m, path, sha,
		    json_integer_value(size), ct, cc, json_is_true(imm), k),
		    redir);
	}
	rc = manifest_sort(m, err);
out:
	if (rc == -1)
		manifest_release(m);
	buf_release(&clean);
	json_decref(root);
	return rc;
}

/* ---- the fast path: the exact text manifest_to_json writes ---- */

/* the literal LIT at *P (advanced past it), or false */
static bool
fast_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/*
 * A JSON string at *P whose value is its raw bytes: printable ASCII, no
 * escape (anything else is left to jansson).  A copy into OUT, or false.
 */
static bool
fast_str(const char **p, const char *end, char **out)
{
	const char *q = *p + 1;

	if (*p >= end || **p != '"')
		return false;
	for (; q < end && *q != '"'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e ||
		    *q == '\\')
			return false;
	if (q >= end)
		return false;
	*out = xstrndup(*p + 1, (size_t)(q - *p - 1));
	*p = q + 1;
	return true;
}

/* a canonical JSON integer (0 or no leading zero, at most 18 digits) */
static bool
fast_size(const char **p, const char *end, int64_t *v)
{
	const char *q = *p;

	*v = 0;
	while (q < end && *q >= '0' && *q <= '9' && q - *p < 19)
		*v = *v * 10 + (*q++ - '0');
	if (q == *p || q - *p > 18 || (**p == '0' && q - *p > 1))
		return false;
	*p = q;
	return true;
}

/* one entry's fields after its '{"path":' into E (strings owned by E) */
static bool
fast_fields(const char **p, const char *end, struct manifest_entry *e)
{
	char *sha = NULL, *kind = NULL;
	bool ok;

	ok = fast_str(p, end, &e->path) &&
	    fast_lit(p, end, ",\"sha256\":") && fast_str(p, end, &sha) &&
	    strlen(sha) == 64 && hex_valid(sha, 64) &&
	    fast_lit(p, end, ",\"size\":") && fast_size(p, end, &e->size) &&
	    fast_lit(p, end, ",\"content_type\":") &&
	    fast_str(p, end, &e->content_type) &&
	    fast_lit(p, end, ",\"cache_control\":") &&
	    fast_str(p, end, &e->cache_control) &&
	    fast_lit(p, end, ",\"immutable\":") &&
	    ((e->immutable = fast_lit(p, end, "true")) ||
	    fast_lit(p, end, "false")) &&
	    fast_lit(p, end, ",\"kind\":") && fast_str(p, end, &kind) &&
	    manifest_kind_parse(kind, &e->kind) == 0 &&
	    (!fast_lit(p, end, ",\"redirect\":") || (fast_str(p, end,
	    &e->redirect) && manifest_redirect_valid(e->redirect))) &&
	    fast_lit(p, end, "}");
	if (sha)
		strlcpy(e->sha256, sha, sizeof(e->sha256));
	free(sha);
	free(kind);
	return ok;
}

/* the entries of "files", each checked as manifest_parse_json does */
static bool
fast_files(const char **p, const char *end, struct manifest *m)
{
	struct buf clean = BUF_INIT, ignored = BUF_INIT;
	bool ok = true;

	while (ok && fast_lit(p, end, m->nfiles ? ",\n{\"path\":" :
	    "\n{\"path\":")) {
		struct manifest_entry e;
		memset(&e, 0, sizeof(e));
		ok = fast_fields(p, end, &e) && path_clean_rel(e.path, &clean,
		    &ignored) == 0 && strcmp(clean.buf, e.path) == 0;
		if (m->nfiles == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 64;
			m->files = xreallocarray(m->files, m->alloc,
			    sizeof(e));
		}
		if (!e.content_type)
			e.content_type = xstrdup("");
		if (!e.cache_control)
			e.cache_control = xstrdup("");
		m->files[m->nfiles++] = e;	/* released with M */
	}
	buf_release(&clean);
	buf_release(&ignored);
	return ok;
}

int
manifest_parse_fast(const char *json, size_t len, struct manifest *m)
{
	const char *p = json, *end = json + len;
	struct buf ignored = BUF_INIT;
	bool ok;

	manifest_init(m);
	ok = fast_lit(&p, end, "{\"version\":1,\"build\":") &&
	    fast_str(&p, end, &m->build) &&
	    fast_lit(&p, end, ",\"generated\":") &&
	    fast_str(&p, end, &m->generated) &&
	    fast_lit(&p, end, ",\"files\":[") && fast_files(&p, end, m) &&
	    fast_lit(&p, end, "\n]}\n") && p == end &&
	    manifest_sort(m, &ignored) == 0;
	buf_release(&ignored);
	if (!ok)
		manifest_release(m);
	return ok ? 0 : -1;
}

int
manifest_parse(const char *json, size_t len, struct manifest *m,
    struct buf *err)
{
	if (manifest_parse_fast(json, len, m) == 0)
		return 0;
	return manifest_parse_json(json, len, m, err);
}

int
manifest_load(const char *file, struct manifest *m, struct buf *err)
{
	struct buf data = BUF_INIT;
	int rc;

	manifest_init(m);
	if (file_read(file, &data, LIMIT_MANIFEST, err) == -1)
		return -1;
	rc = manifest_parse(data.buf, data.len, m, err);
	buf_release(&data);
	return rc;
}

void
manifest_page_url(const char *path, struct buf *out)
{
	size_t n = strlen(path);

	buf_addch(out, '/');
	if (n >= 10 && strcmp(path + n - 10, "index.html") == 0)
		buf_add(out, path, n - 10);
	else
		buf_adds(out, path);
}

void
manifest_copy(struct manifest *dst, const struct manifest *src)
{
	manifest_init(dst);
	dst->build = xstrdup(src->build ? src->build : "");
	dst->generated = xstrdup(src->generated ? src->generated : "");
	dst->files = xcalloc(src->nfiles + 1, sizeof(*dst->files));
	dst->alloc = src->nfiles + 1;
	for (size_t i = 0; i < src->nfiles; i++)
		manifest_add_copy(dst, &src->files[i]);
}

int
manifest_save(const struct manifest *m, const char *outdir, struct buf *err)
{
	struct buf json = BUF_INIT;
	char *dir, *file;
	int rc = -1;

	dir = xasprintf("%s/.kiln", outdir);
	file = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	if (mkdir_p(dir, err) == -1)
		goto out;
	manifest_to_json(m, &json);
	rc = file_write_atomic(file, json.buf, json.len, err);
out:
	buf_release(&json);
	free(dir);
	free(file);
	return rc;
}

const char *
mime_type_for(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".xml", "application/xml" },
		{ ".atom", "application/atom+xml" },
		{ ".rss", "application/rss+xml" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".md", "text/markdown; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".webp", "image/webp" },
		{ ".avif", "image/avif" },
		{ ".ico", "image/x-icon" },
		{ ".pdf", "application/pdf" },
		{ ".woff", "font/woff" },
		{ ".woff2", "font/woff2" },
		{ ".ttf", "font/ttf" },
		{ ".otf", "font/otf" },
		{ ".mp4", "video/mp4" },
		{ ".webm", "video/webm" },
		{ ".mp3", "audio/mpeg" },
		{ ".csv", "text/csv; charset=utf-8" },
		{ ".zip", "application/zip" },
		{ ".wasm", "application/wasm" },
		{ ".map", "application/json" },
	};
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (!dot || (slash && dot < slash))
		return "application/octet-stream";
	for (size_t i = 0; i < NELEM(types); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}
