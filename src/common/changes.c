/* SPDX-License-Identifier: ISC */
/*
 * changes.c: a build's changes against the output before it
 * (changes.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/xmalloc.h"

int
changes_new_id(char id[CHANGES_ID_LEN + 1], struct buf *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[CHANGES_ID_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		buf_setf(err, "cannot draw an output id");
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[CHANGES_ID_LEN] = '\0';
	return 0;
}

void
changes_to_json(struct buf *out, const char *id, const char *base,
    const char *const *removed, size_t nremoved,
    const struct manifest_entry *files, size_t nfiles)
{
	buf_printf(out, "{\"version\":1,\"id\":\"%s\",\"base\":\"%s\","
	    "\"removed\":[", id, base);
	for (size_t i = 0; i < nremoved; i++) {
		buf_adds(out, i ? ",\n" : "\n");
		manifest_json_string(out, removed[i]);
	}
	buf_adds(out, "],\"files\":[");
	for (size_t i = 0; i < nfiles; i++)
		manifest_json_entry(out, i == 0, &files[i]);
	manifest_json_tail(out);
}

static bool
id_valid(const char *s, bool empty_ok)
{
	size_t n = strlen(s);

	return (empty_ok && n == 0) || (n == CHANGES_ID_LEN &&
	    hex_valid(s, CHANGES_ID_LEN));
}

/* "removed": canonical paths in order, none also in c->files */
static int
parse_removed(json_t *a, struct changes *c, struct buf *err)
{
	struct buf clean = BUF_INIT;
	size_t i;
	json_t *v;
	int rc = -1;

	if (!json_is_array(a)) {
		buf_setf(err, "changes: removed: expected an array");
		return -1;
	}
	c->removed = xcalloc(json_array_size(a) + 1, sizeof(*c->removed));
	json_array_foreach(a, i, v) {
		const char *p = json_string_value(v);
		if (!p || path_clean_rel(p, &clean, err) == -1 ||
		    strcmp(clean.buf, p) != 0 || (i && strcmp(c->removed[i -
		    1], p) >= 0) || manifest_find(&c->files, p)) {
			buf_setf(err, "changes: removed[%zu]: expected a "
			    "canonical relative path, in order, not also in "
			    "files", i);
			goto out;
		}
		c->removed[c->nremoved++] = xstrdup(p);
	}
	rc = 0;
out:
	buf_release(&clean);
	return rc;
}

int
changes_parse(const char *text, size_t len, struct changes *c,
    struct buf *err)
{
	json_error_t jerr;
	json_t *root;
	const char *id, *base;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	manifest_init(&c->files);
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr))) {
		buf_setf(err, "changes: line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	id = json_string_value(json_object_get(root, "id"));
	base = json_string_value(json_object_get(root, "base"));
	if (!id || !id_valid(id, false) || !base || !id_valid(base, true)) {
		buf_setf(err, "changes: id, base: expected %d hex digits",
		    CHANGES_ID_LEN);
		goto out;
	}
	strlcpy(c->id, id, sizeof(c->id));
	strlcpy(c->base, base, sizeof(c->base));
	/* the entries are checked as the manifest's are */
	if (manifest_parse_json(text, len, &c->files, err) == -1) {
		manifest_init(&c->files);
		goto out;
	}
	rc = parse_removed(json_object_get(root, "removed"), c, err);
out:
	json_decref(root);
	if (rc == -1)
		changes_release(c);
	return rc;
}

int
changes_load(const char *outdir, struct changes *c, struct buf *err)
{
	char *file = xasprintf("%s/%s", outdir, CHANGES_PATH);
	struct buf text = BUF_INIT;
	int rc;

	memset(c, 0, sizeof(*c));
	manifest_init(&c->files);
	if (access(file, F_OK) == -1 && errno == ENOENT)
		rc = 1;
	else if ((rc = file_read(file, &text, LIMIT_MANIFEST, err)) == 0)
		rc = changes_parse(text.buf, text.len, c, err);
	buf_release(&text);
	free(file);
	return rc;
}

void
changes_release(struct changes *c)
{
	manifest_release(&c->files);
	for (size_t i = 0; i < c->nremoved; i++)
		free(c->removed[i]);
	free(c->removed);
	memset(c, 0, sizeof(*c));
	manifest_init(&c->files);
}
