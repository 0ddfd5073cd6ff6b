/* SPDX-License-Identifier: ISC */
/*
 * render_outputs.c: the manifest's entries and the record's lines of a
 * build's outputs, and what a long-lived process keeps of them
 * (decision 0390).
 *
 * A 1-page edit build lists every output of the site again, nearly all
 * as the last build did.  A worker (render_opts.remember) keeps, for each
 * output folder, the last build's outputs in path order with the text of
 * each one's manifest entry and record line.  The next build finds each
 * of its outputs there by path (a hash index): those fall into the kept
 * order and only new paths are sorted; an output whose fields are the
 * same as the kept ones takes the kept texts, any other is formatted.
 * The texts are a function of the fields only, so what is kept is never
 * stale, whatever happened to the folder meanwhile.
 */
#include "common/compat.h"

#include <pthread.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/xmalloc.h"
#include "render/render_int.h"
#include "render/render_outputs.h"

#define CC_HTML		"public, max-age=60"
#define CC_FEED		"public, max-age=300"
#define CC_IMMUTABLE	"public, max-age=31536000, immutable"

/* the last build's outputs of one folder, in path order */
struct outkept {
	char *outdir;
	char id[33];		/* the id of the record made of it */
	struct outtext_ent *v;	/* n + 1, as in struct outtext */
	size_t n;
	struct buf json;
	struct outrec lines;	/* the record lines (lines.data), shared
				   with the memo of records: cut there */
	uint32_t *slots;	/* hash index of v by path (i + 1) */
	size_t nslots;		/* a power of two */
};

/* a handful of folders: a site's, its staging ones */
static struct outkept *kept[4];
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

static void
outkept_free(struct outkept *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].redirect);
	free(k->v);
	buf_release(&k->json);
	outrec_release(&k->lines);
	free(k->slots);
	free(k->outdir);
	free(k);
}

/* the kept list of OUTDIR, taken out of the table, or NULL */
static struct outkept *
outkept_take(const char *outdir)
{
	struct outkept *k = NULL;

	pthread_mutex_lock(&kept_mu);
	for (size_t i = 0; i < NELEM(kept); i++)
		if (kept[i] && !strcmp(kept[i]->outdir, outdir)) {
			k = kept[i];
			kept[i] = NULL;
			break;
		}
	pthread_mutex_unlock(&kept_mu);
	return k;
}

/* K into the table, in an empty place, else the first's */
static void
outkept_put(struct outkept *k)
{
	struct outkept *old;
	size_t i;

	pthread_mutex_lock(&kept_mu);
	for (i = 0; i < NELEM(kept) - 1 && kept[i]; i++)
		;
	old = kept[i];
	kept[i] = k;
	pthread_mutex_unlock(&kept_mu);
	outkept_free(old);
}

/* entry I's path in K's record line (not terminated) */
static const char *
outkept_path(const struct outkept *k, size_t i)
{
	return k->lines.data + k->v[i + 1].rec - 1 - k->v[i].pathlen;
}

/* the entry of PATH (hashed H) in K, or SIZE_MAX */
static size_t
outkept_find(const struct outkept *k, const char *path, uint32_t h)
{
	size_t mask = k->nslots - 1, len = strlen(path);

	for (size_t s = h & mask; k->slots[s]; s = (s + 1) & mask) {
		size_t i = k->slots[s] - 1;
		if (k->v[i].pathlen == len && !memcmp(outkept_path(k, i), path,
		    len))
			return i;
	}
	return SIZE_MAX;
}

static int
cmp_outfile(const void *a, const void *b)
{
	return strcmp(((const struct outfile *)a)->path,
	    ((const struct outfile *)b)->path);
}

/* an output the kept list lacks: its path and place in the build's list */
struct fresh {
	const char *path;
	size_t i;
};

static int
cmp_fresh(const void *a, const void *b)
{
	return strcmp(((const struct fresh *)a)->path,
	    ((const struct fresh *)b)->path);
}

/*
 * V[j] = V[SRC[j]] for every j < N, in place (SRC a permutation, left
 * as the identity): the list is not copied to be reordered (at 65,000
 * outputs a copy is 11 MB).
 */
static void
permute(struct outfile *v, size_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct outfile tmp;
		size_t j = i, k;

		if (src[i] == i)
			continue;
		tmp = v[i];
		while ((k = src[j]) != i) {
			v[j] = v[k];
			src[j] = j;
			j = k;
		}
		v[j] = tmp;
		src[j] = j;
	}
}

/*
 * B's outputs in the order of the kept list OLD: each found there by
 * path takes its place, the others (NEW, sorted apart) are merged in.
 */
static int
sort_by_kept(struct build *b, struct outtext *t, struct buf *err)
{
	const struct outkept *old = t->old;
	struct filelist *l = &b->files;
	size_t *at = xcalloc(old->n + 1, sizeof(*at));
	size_t *src = xreallocarray(NULL, l->n + 1, sizeof(*src));
	struct fresh *fresh = NULL;
	size_t nfresh = 0, afresh = 0, i, j = 0, n = 0;
	int rc = -1;

	for (i = 0; i < l->n; i++) {
		size_t k = outkept_find(old, l->v[i].path,
		    fnv1a32(l->v[i].path));
		if (k == SIZE_MAX) {
			if (nfresh == afresh) {
				afresh = afresh ? afresh * 2 : 16;
				fresh = xreallocarray(fresh, afresh,
				    sizeof(*fresh));
			}
			fresh[nfresh].path = l->v[i].path;
			fresh[nfresh++].i = i;
		} else if (at[k]) {
			buf_setf(err, "two outputs at '%s'", l->v[i].path);
			goto out;
		} else
			at[k] = i + 1;
	}
	if (nfresh)
		qsort(fresh, nfresh, sizeof(*fresh), cmp_fresh);
	for (i = 1; i < nfresh; i++)
		if (!strcmp(fresh[i - 1].path, fresh[i].path)) {
			buf_setf(err, "two outputs at '%s'", fresh[i].path);
			goto out;
		}
	for (i = 0; i <= old->n; i++) {
		const char *path = i < old->n && at[i] ?
		    l->v[at[i] - 1].path : NULL;
		if (!path && i < old->n)
			continue;	/* not output by this build */
		/* the new paths before this kept one (all, past the end) */
		while (j < nfresh && (!path || strcmp(fresh[j].path,
		    path) < 0)) {
			t->from[n] = SIZE_MAX;
			src[n++] = fresh[j++].i;
		}
		if (path) {
			t->from[n] = i;
			src[n++] = at[i] - 1;
		}
	}
	permute(l->v, src, l->n);
	/* the same paths as the kept list's: its index is the new one's */
	t->same_paths = nfresh == 0 && l->n == old->n;
	t->at = at;
	at = NULL;
	rc = 0;
out:
	free(at);
	free(src);
	free(fresh);
	return rc;
}

int
outtext_sort(struct build *b, struct outtext *t, struct buf *err)
{
	struct filelist *l = &b->files;

	memset(t, 0, sizeof(*t));
	t->from = xcalloc(l->n + 1, sizeof(*t->from));
	t->v = xcalloc(l->n + 1, sizeof(*t->v));
	if (b->remember && (t->old = outkept_take(b->slot.link)) != NULL)
		return sort_by_kept(b, t, err);
	/* a build.command may write nothing: qsort(NULL, 0) is undefined */
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_outfile);
	for (size_t i = 0; i < l->n; i++) {
		t->from[i] = SIZE_MAX;
		if (i && !strcmp(l->v[i - 1].path, l->v[i].path)) {
			buf_setf(err, "two outputs at '%s'", l->v[i].path);
			return -1;
		}
	}
	return 0;
}

/* the manifest entry of output F (its strings are F's or static) */
void
render_manifest_entry(const struct outfile *f, struct manifest_entry *e)
{
	e->path = (char *)(uintptr_t)f->path;
	memcpy(e->sha256, f->sha, sizeof(e->sha256));
	e->size = f->size;
	e->content_type = (char *)(uintptr_t)mime_type_for(f->path);
	e->cache_control = (char *)(uintptr_t)(f->immutable ? CC_IMMUTABLE :
	    f->kind == MK_FEED ? CC_FEED : CC_HTML);
	e->immutable = f->immutable;
	e->kind = f->kind;
	e->redirect = (char *)(uintptr_t)f->redirect;
}

/* kept entry K of OLD has the manifest fields of F (its path's) */
static bool
same_entry(const struct outkept *old, size_t k, const struct outfile *f)
{
	const struct outtext_ent *e = &old->v[k];

	return e->size == f->size && e->kind == f->kind &&
	    e->immutable == f->immutable && (e->redirect == NULL) ==
	    (f->redirect == NULL) && (!f->redirect || !strcmp(e->redirect,
	    f->redirect)) && !memcmp(old->lines.data + e->rec, f->sha, 64);
}

void
outtext_json(struct build *b, struct outtext *t)
{
	const struct outkept *old = t->old;
	struct manifest_entry e;
	size_t reused = 0;

	buf_reserve(&t->json, old ? old->json.len + 4096 : 64 + b->files.n *
	    240);
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		size_t k = t->from[i];
		t->v[i].json = t->json.len;
		if (k != SIZE_MAX && same_entry(old, k, f)) {
			buf_add(&t->json, old->json.buf + old->v[k].json,
			    old->v[k + 1].json - old->v[k].json);
			reused++;
			continue;
		}
		render_manifest_entry(f, &e);
		manifest_json_entry(&t->json, false, &e);
	}
	t->v[b->files.n].json = t->json.len;
	t->reused = reused;
	if (!old)
		buf_fit(&t->json);	/* reserved on an estimate */
	/* nothing reads the last build's entries again (decision 0400) */
	if (t->old)
		buf_release(&t->old->json);
}

/* the digits of N >= 0 */
static size_t
digits(int64_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* kept entry K of OLD has the record fields of F (its path's) */
static bool
same_line(const struct outkept *old, size_t k, const struct outfile *f)
{
	const struct outtext_ent *e = &old->v[k];
	const char *line = old->lines.data + e->rec;
	size_t kl = f->key[0] ? 64 : 1;

	/* "SHA SIZE KEY PATH\n": the same size, then the key's length */
	return e->size == f->size && old->v[k + 1].rec - e->rec == 68 +
	    digits(f->size) + kl + e->pathlen && !memcmp(line, f->sha, 64) &&
	    !memcmp(line + 66 + digits(f->size), kl == 1 ? "-" : f->key, kl);
}

/*
 * Kept line K of OLD appended to OUT, "SHA SIZE KEY PATH\n": the memo of
 * records cut the fields in place (NULs after the SHA-256 and the key,
 * and for the newline), so the three separators are put back.
 */
static void
copy_line(const struct outkept *old, size_t k, struct buf *out)
{
	size_t at = out->len, len = old->v[k + 1].rec - old->v[k].rec;

	buf_add(out, old->lines.data + old->v[k].rec, len);
	out->buf[at + 64] = ' ';
	out->buf[at + len - 2 - old->v[k].pathlen] = ' ';
	out->buf[at + len - 1] = '\n';
}

void
outtext_lines(struct build *b, struct outtext *t)
{
	const struct outkept *old = t->old;
	struct outrec_ent e;

	buf_reserve(&t->rec, old ? old->v[old->n].rec + 4096 : 64 +
	    b->files.n * 200);
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		size_t k = t->from[i];
		t->v[i].rec = t->rec.len;
		if (k != SIZE_MAX && same_line(old, k, f)) {
			copy_line(old, k, &t->rec);
			continue;
		}
		if (strchr(f->path, '\n'))
			t->unrecordable = true;
		e.path = f->path;
		e.sha = f->sha;
		e.key = f->key;
		e.size = f->size;
		outrec_line(&e, &t->rec);
	}
	t->v[b->files.n].rec = t->rec.len;
	if (!old)
		buf_fit(&t->rec);	/* reserved on an estimate */
}

void
outtext_drop_lines(struct outtext *t)
{
	if (t->old)
		outrec_release(&t->old->lines);
}

int
outtext_save(struct build *b, struct outtext *t, const struct outrec *rec,
    struct buf *err)
{
	size_t len;
	char *lines = buf_detach(&t->rec, &len);

	return outrec_save_taken(b->slot.standby, rec, lines, len,
	    b->remember, &t->lines, err);
}

void
outchanges_removed(struct outchanges *c, const char *path)
{
	if (c->nr == c->ar) {
		c->ar = c->ar ? c->ar * 2 : 64;
		c->removed = xreallocarray(c->removed, c->ar,
		    sizeof(*c->removed));
	}
	c->removed[c->nr++] = path;
}

void
outchanges_file(struct outchanges *c, const struct outfile *f)
{
	if (c->nf == c->af) {
		c->af = c->af ? c->af * 2 : 64;
		c->files = xreallocarray(c->files, c->af, sizeof(*c->files));
	}
	render_manifest_entry(f, &c->files[c->nf++]);
}

void
outchanges_free(struct outchanges *c)
{
	free(c->removed);
	free(c->files);
	memset(c, 0, sizeof(*c));
}

bool
outtext_changes(struct build *b, const struct outtext *t,
    const struct outrec *live, struct outchanges *c)
{
	const struct outkept *old = t->old;

	/* the live record is the kept list's own when its id is */
	if (!old || !t->at || !old->id[0] || strcmp(live->id, old->id) != 0 ||
	    live->n != old->n)
		return false;
	for (size_t k = 0; k < old->n; k++)
		if (!t->at[k])
			outchanges_removed(c, live->v[k].path);
	for (size_t i = 0; i < b->files.n; i++) {
		const struct outfile *f = &b->files.v[i];
		size_t k = t->from[i];
		/* LIVE's entries are the kept list's, in its order */
		if (k == SIZE_MAX || memcmp(live->v[k].sha, f->sha, 64) != 0)
			outchanges_file(c, f);
	}
	return true;
}

/* T's texts, with B's outputs' fields, as the kept list of B's folder */
static struct outkept *
outkept_make(struct build *b, struct outtext *t, const char *id)
{
	struct outkept *k = xcalloc(1, sizeof(*k));

	k->outdir = xstrdup(b->slot.link);
	strlcpy(k->id, id, sizeof(k->id));
	k->n = b->files.n;
	k->v = t->v;
	t->v = NULL;
	k->json = t->json;
	k->lines = t->lines;
	buf_init(&t->json, 0);
	memset(&t->lines, 0, sizeof(t->lines));
	for (size_t i = 0; i < k->n; i++) {
		const struct outfile *f = &b->files.v[i];
		k->v[i].size = f->size;
		k->v[i].redirect = f->redirect ? xstrdup(f->redirect) : NULL;
		k->v[i].pathlen = strlen(f->path);
		k->v[i].kind = f->kind;
		k->v[i].immutable = f->immutable;
	}
	if (t->same_paths) {
		k->slots = t->old->slots;
		k->nslots = t->old->nslots;
		t->old->slots = NULL;
		return k;
	}
	k->slots = path_index_new(k->n, &k->nslots);
	for (size_t i = 0; i < k->n; i++)
		path_index_put(k->slots, k->nslots, b->files.v[i].path, i);
	return k;
}

void
outtext_done(struct build *b, struct outtext *t, bool ok, const char *id)
{
	/* the index holds 32-bit places; the record's lines must be all */
	if (ok && b->remember && !t->unrecordable && t->lines.data &&
	    b->files.n < UINT32_MAX / 2)
		outkept_put(outkept_make(b, t, id));
	outkept_free(t->old);
	free(t->at);
	free(t->from);
	free(t->v);
	buf_release(&t->json);
	buf_release(&t->rec);
	outrec_release(&t->lines);
	memset(t, 0, sizeof(*t));
}
