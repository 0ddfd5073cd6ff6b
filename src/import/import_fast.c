/* SPDX-License-Identifier: ISC */
/*
 * import_fast.c: a re-import skips a file it imported before, unread,
 * when stat(2) says it did not change (issue #19, decision 0300).
 *
 * A page's fingerprint is a SHA-256 of what shapes it besides its bytes
 * (the import's context: format, the import root and --prefix, the
 * content folder as given, the Hugo config's keys) and of the stat of
 * its file and of each of its resources, as the walk of the tree took
 * it (walk.h, keep_stat: no second stat): name, device, inode, size,
 * mtime and ctime in nanoseconds.
 * Its import record keeps the fingerprint ("fast") with the notes that
 * reading the file gave (replayed, so the report stays the same), and
 * the media its resources became.  A file whose fingerprint equals its
 * record's is not read, parsed nor hashed.  Nor is its record: the
 * records come as text, and what a skip needs of them (fingerprint,
 * revision, whether there are notes or media) is found in the text;
 * the few records a change needs are parsed (import_fast_rec).
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
/* the coarsest timestamps a tree may have: FAT's mtime, 2 s */
#define FAST_SLACK_NS	INT64_C(2000000000)

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
    const char *root, char out[65])
{
	struct buf b = BUF_INIT;
	char *cfg = json_dumps(t->cfg, JSON_COMPACT | JSON_SORT_KEYS);

	buf_printf(&b, "%s\n%s\n%s\n%s\n%s\n%d\n", FAST_FORMAT, root,
	    o->prefix ? o->prefix : "", t->content, cfg ? cfg : "",
	    t->lower);
	sha256_hex(b.buf, b.len, out);
	free(cfg);
	buf_release(&b);
}

void
import_fast_sig(const struct stat *sb, int64_t sig[5])
{
	sig[0] = (int64_t)sb->st_dev;
	sig[1] = (int64_t)sb->st_ino;
	sig[2] = (int64_t)sb->st_size;
	sig[3] = ts_ns(&sb->st_mtim);
	sig[4] = ts_ns(&sb->st_ctim);
}

/* REL and its stat SIG into B; *newest its latest change */
static void
sig_add(struct buf *b, const char *rel, const int64_t sig[5],
    int64_t *newest)
{
	buf_add(b, rel, strlen(rel) + 1);	/* with its NUL */
	buf_add(b, sig, 5 * sizeof(*sig));
	if (sig[3] > *newest)
		*newest = sig[3];
	if (sig[4] > *newest)
		*newest = sig[4];
}

void
import_fast_fingerprint(struct ipage *p, const char *ctx, int64_t began)
{
	struct buf b = BUF_INIT;
	int64_t newest = 0;

	buf_printf(&b, "%s\n", ctx);
	sig_add(&b, p->rel, p->sig, &newest);
	for (size_t i = 0; i < p->nres; i++)
		sig_add(&b, p->res[i].rel, p->res[i].sig, &newest);
	sha256_hex(b.buf, b.len, p->fp);
	p->fp_ok = testhook_on(TESTHOOK_IMPORT_TRUST) ||
	    newest < began - FAST_SLACK_NS;
	buf_release(&b);
}

json_t *
import_fast_rec(json_t *recs, const char *path)
{
	json_t *v = json_object_get(recs, path), *rec;

	if (!json_is_string(v))
		return v;
	rec = json_loadb(json_string_value(v), json_string_length(v), 0,
	    NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		json_object_del(recs, path);
		return NULL;
	}
	json_object_set_new(recs, path, rec);
	return rec;
}

/*
 * Where top-level member KEY's value begins in record text RAW, or
 * NULL.  The records are import.c's own compact JSON: the names looked
 * for are no member of the notes they hold, and a quote inside a
 * string is escaped, so '"KEY":' is that member.
 */
static const char *
raw_member(const char *raw, const char *key)
{
	char pat[32];
	const char *at;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(raw, pat);
	return at ? at + strlen(pat) : NULL;
}

/* does PATH's record (RECS, parsed or not) have member KEY? */
static bool
rec_has(json_t *recs, const char *path, const char *key)
{
	json_t *v = json_object_get(recs, path);

	/* no array or object inside: no notes, no media (most records) */
	if (json_is_string(v))
		return strpbrk(json_string_value(v) + 1, "[{") &&
		    raw_member(json_string_value(v), key) != NULL;
	return json_object_get(v, key) != NULL;
}

int64_t
import_fast_revision(json_t *recs, const char *path)
{
	json_t *v = json_object_get(recs, path);
	const char *at;

	if (!json_is_string(v))
		return json_integer_value(json_object_get(v, "revision"));
	at = raw_member(json_string_value(v), "revision");
	return at ? strtoll(at, NULL, 10) : 0;
}

json_t *
import_fast_notes_of(json_t *recs, const char *path, const char *key)
{
	if (!rec_has(recs, path, key))
		return NULL;
	return json_object_get(import_fast_rec(recs, path), key);
}

json_t *
import_fast_index(json_t *recs)
{
	json_t *idx = json_object(), *v;
	const char *path, *raw, *at;
	char fp[65];

	json_object_foreach(recs, path, v) {
		if (!(raw = json_string_value(v)) ||
		    !(at = raw_member(raw, "fast")) || at[0] != '"' ||
		    strlen(at) < 66 || at[65] != '"')
			continue;
		memcpy(fp, at + 1, 64);
		fp[64] = '\0';
		json_object_set_new(idx, fp, json_string(path));
	}
	return idx;
}

/* do the media PATH's resources became still have those names? */
static bool
media_same(json_t *recs, const char *path, json_t *by_sha)
{
	json_t *res, *name;
	const char *sha;

	if (!rec_has(recs, path, "media"))
		return true;
	res = json_object_get(import_fast_rec(recs, path), "media");
	json_object_foreach(res, sha, name)
		if (!json_equal(json_object_get(by_sha, sha), name))
			return false;
	return true;
}

const char *
import_fast_match(const struct ipage *p, const struct ifast *fast)
{
	const char *path;

	if (!p->fp_ok || !(path = json_string_value(json_object_get(
	    fast->idx, p->fp))))
		return NULL;
	if (!json_object_get(fast->pages, path) ||
	    !media_same(fast->recs, path, fast->by_sha))
		return NULL;
	return path;
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
