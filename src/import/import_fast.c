/* SPDX-License-Identifier: ISC */
/*
 * import_fast.c: a re-import skips a file it imported before, unread,
 * when stat(2) says it did not change (issue #19, decision 0300).
 *
 * A page's fingerprint is a SHA-256 of what shapes it besides its bytes
 * (the import's context: format, --prefix, the content folder as given,
 * the Hugo config's keys) and of the stat of its file and of each of its
 * resources: name, device, inode, size, mtime and ctime in nanoseconds.
 * Its import record keeps the fingerprint ("fast") with the notes that
 * reading the file gave (replayed, so the report stays the same), and
 * the media its resources became.  A file whose fingerprint equals its
 * record's is not read, parsed nor hashed.
 *
 * A change within the file system's timestamp granularity after the
 * stat would leave mtime and ctime as they were: a fingerprint is only
 * trusted, hence only recorded, when every file in it last changed more
 * than FAST_SLACK_NS before this import began (as git's "racy" index
 * entries).  Such a file is read and hashed as before, and its record
 * gets the fingerprint on a later import.
 */
#include "common/compat.h"

#include <sys/stat.h>
#include <time.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/testhook.h"
#include "common/xmalloc.h"
#include "import/import_int.h"

#define FAST_FORMAT	"kiln-import-fast-1"
#define FAST_SLACK_NS	INT64_C(1000000000)	/* 1 s */

static int64_t
ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * INT64_C(1000000000) + t->tv_nsec;
}

int64_t
import_fast_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ts_ns(&t);
}

void
import_fast_context(const struct itree *t, const struct import_opts *o,
    char out[65])
{
	struct buf b = BUF_INIT;
	char *cfg = json_dumps(t->cfg, JSON_COMPACT | JSON_SORT_KEYS);

	buf_printf(&b, "%s\n%s\n%s\n%s\n%d\n", FAST_FORMAT, o->prefix ?
	    o->prefix : "", t->content, cfg ? cfg : "", t->lower);
	sha256_hex(b.buf, b.len, out);
	free(cfg);
	buf_release(&b);
}

/* FILE's stat into B after REL; *newest its latest change; -1 */
static int
stat_line(struct buf *b, const char *file, const char *rel, int64_t *newest)
{
	struct stat sb;
	int64_t v[5];

	if (stat(file, &sb) == -1)
		return -1;
	v[0] = (int64_t)sb.st_dev;
	v[1] = (int64_t)sb.st_ino;
	v[2] = (int64_t)sb.st_size;
	v[3] = ts_ns(&sb.st_mtim);
	v[4] = ts_ns(&sb.st_ctim);
	buf_add(b, rel, strlen(rel) + 1);	/* with its NUL */
	buf_add(b, v, sizeof(v));
	if (v[3] > *newest)
		*newest = v[3];
	if (v[4] > *newest)
		*newest = v[4];
	return 0;
}

void
import_fast_fingerprint(struct ipage *p, const char *ctx, int64_t began)
{
	struct buf b = BUF_INIT;
	int64_t newest = 0;
	bool ok = true;

	p->fp_ok = false;
	buf_printf(&b, "%s\n", ctx);
	if (stat_line(&b, p->file, p->rel, &newest) == -1)
		ok = false;
	for (size_t i = 0; ok && i < p->nres; i++)
		if (stat_line(&b, p->res[i].file, p->res[i].rel,
		    &newest) == -1)
			ok = false;
	if (ok) {
		sha256_hex(b.buf, b.len, p->fp);
		p->fp_ok = testhook_on(TESTHOOK_IMPORT_TRUST) ||
		    newest < began - FAST_SLACK_NS;
	}
	buf_release(&b);
}

json_t *
import_fast_index(json_t *recs, const char *root)
{
	json_t *idx = json_object(), *rec, *paths;
	const char *path, *file;

	json_object_foreach(recs, path, rec) {
		if (!json_is_string(json_object_get(rec, "fast")) ||
		    strcmp(json_string_value(json_object_get(rec, "root")) ?
		    json_string_value(json_object_get(rec, "root")) : "",
		    root) != 0 ||
		    !(file = json_string_value(json_object_get(rec, "file"))))
			continue;
		if (!(paths = json_object_get(idx, file))) {
			paths = json_array();
			json_object_set_new(idx, file, paths);
		}
		json_array_append_new(paths, json_string(path));
	}
	return idx;
}

/* do the media REC's resources became still have those names? */
static bool
media_same(json_t *rec, json_t *by_sha)
{
	json_t *res = json_object_get(rec, "media"), *name;
	const char *sha;

	json_object_foreach(res, sha, name)
		if (!json_equal(json_object_get(by_sha, sha), name))
			return false;
	return true;
}

json_t *
import_fast_match(const struct ipage *p, const struct ifast *fast,
    const char **path)
{
	json_t *paths = json_object_get(fast->idx, p->rel), *v, *rec;
	size_t i;

	if (!p->fp_ok)
		return NULL;
	json_array_foreach(paths, i, v) {
		rec = json_object_get(fast->recs, json_string_value(v));
		if (rec && !strcmp(json_string_value(json_object_get(rec,
		    "fast")), p->fp) && json_object_get(fast->pages,
		    json_string_value(v)) && media_same(rec, fast->by_sha)) {
			*path = json_string_value(v);
			return rec;
		}
	}
	return NULL;
}

void
import_fast_replay(struct import_report *r, json_t *notes)
{
	json_t *it;
	size_t i;

	json_array_foreach(notes, i, it) {
		json_array_append(r->items, it);
		if (!strcmp(json_string_value(json_object_get(it, "action")) ?
		    json_string_value(json_object_get(it, "action")) : "",
		    "warning"))
			r->warnings++;
	}
}

json_t *
import_fast_notes(const struct import_report *r, size_t from)
{
	json_t *a = json_array();

	for (size_t i = from; i < json_array_size(r->items); i++)
		json_array_append(a, json_array_get(r->items, i));
	return a;
}
