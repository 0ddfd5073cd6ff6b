/* SPDX-License-Identifier: ISC */
/*
 * history.c: build history as git commits of output trees (libgit2).
 *
 * history_commit() derives the new tree from the previous commit's with
 * git_tree_create_updated(), which rewrites only the trees on changed
 * paths.  When the new output's .kiln/changes.json names as its base the
 * output the last commit was made from (decision 0320), the updates come
 * from that list alone: blobs for the changed files, removals, the
 * manifest shards of those paths.  Otherwise it compares the new
 * manifest with the previous commit's, by SHA-256.  The first commit, or
 * a change libgit2's updater cannot express (a file becoming a folder),
 * builds the whole tree through an in-memory index instead.  Everything
 * else (push, export for rollback, prune, log, diff) is history_repo.c.
 */
#include "common/compat.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "history/history.h"
#include "history/history_int.h"

#define MSG_MAX_PAGES 20
#define NOTE_PREFIX "refs/kiln/output/"

static pthread_once_t lg2_once = PTHREAD_ONCE_INIT;

static void
lg2_init(void)
{
	git_libgit2_init();
}

void
history_lg2_init(void)
{
	pthread_once(&lg2_once, lg2_init);
}

int
history_giterr(struct buf *err, const char *what)
{
	const git_error *e = git_error_last();

	buf_setf(err, "history: %s: %s", what,
	    e && e->message ? e->message : "unknown error");
	return -1;
}

char *
history_branch_ref(const char *branch, struct buf *err)
{
	char *ref = xasprintf("refs/heads/%s", branch);
	int valid = 0;

	if (git_reference_name_is_valid(&valid, ref) < 0 || !valid) {
		buf_setf(err, "history.branch: '%s' is not a valid branch name",
		    branch);
		free(ref);
		return NULL;
	}
	return ref;
}

int
history_repo_open(const char *dir, bool create, git_repository **repo,
    struct buf *err)
{
	history_lg2_init();
	if (git_repository_open_bare(repo, dir) == 0)
		return 0;
	if (!create)
		return history_giterr(err, "cannot open repository");
	if (git_repository_init(repo, dir, 1) < 0)
		return history_giterr(err, "cannot create repository");
	return 0;
}

static int
write_blob(git_repository *repo, const char *outdir, const char *path,
    git_oid *oid, struct buf *err)
{
	char *file = xasprintf("%s/%s", outdir, path);
	int rc = 0;

	if (git_blob_create_from_disk(oid, repo, file) < 0)
		rc = history_giterr(err, "cannot store a file");
	free(file);
	return rc;
}

/* one commit in the making */
struct hc {
	git_repository *repo;
	git_tree *base;			/* the previous commit's, or NULL */
	const char *outdir;
	struct history_commit_info *info;
	struct buf pages;		/* "Pages changed/removed" lines */
	git_oid tree_oid;
	bool same;			/* the same files as the last commit */
	bool inexact;			/* ...but other entries: no note */
};

/* the tree updates of a commit; paths owned */
struct upds {
	git_tree_update *u;
	size_t n, cap;
};

static void
upds_add(struct upds *l, git_tree_update_t action, const char *path,
    const git_oid *id)
{
	git_tree_update *u;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->u = xreallocarray(l->u, l->cap, sizeof(*l->u));
	}
	u = &l->u[l->n++];
	memset(u, 0, sizeof(*u));
	u->action = action;
	u->filemode = GIT_FILEMODE_BLOB;
	u->path = xstrdup(path);
	if (id)
		u->id = *id;
}

static void
upds_release(struct upds *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)(uintptr_t)l->u[i].path);
	free(l->u);
	memset(l, 0, sizeof(*l));
}

static int
cmp_upd(const void *a, const void *b)
{
	return strcmp(((const git_tree_update *)a)->path,
	    ((const git_tree_update *)b)->path);
}

/* the tree of BASE with L applied (err only set for the caller's log) */
static int
upds_apply(struct hc *h, struct upds *l, struct buf *err)
{
	qsort(l->u, l->n, sizeof(*l->u), cmp_upd);
	if (git_tree_create_updated(&h->tree_oid, h->repo, h->base, l->n,
	    l->u) < 0)
		return history_giterr(err, "cannot update the tree");
	return 0;
}

static bool
tree_has(git_tree *tree, const char *path)
{
	git_tree_entry *te = NULL;
	bool yes = git_tree_entry_bypath(&te, tree, path) == 0;

	git_tree_entry_free(te);
	return yes;
}

/* shard S of the manifest: its N entries E, or its removal when none */
static int
upds_shard(struct hc *h, struct upds *l, unsigned s,
    const struct manifest_entry *e, size_t n, struct buf *err)
{
	char path[32];
	git_oid oid;

	hm_shard_path(s, path);
	if (n == 0) {
		if (tree_has(h->base, path))
			upds_add(l, GIT_TREE_UPDATE_REMOVE, path, NULL);
		return 0;
	}
	if (hm_write_shard(h->repo, e, n, &oid, err) == -1)
		return -1;
	upds_add(l, GIT_TREE_UPDATE_UPSERT, path, &oid);
	return 0;
}

static int
upds_head(struct hc *h, struct upds *l, const char *build,
    const char *generated, struct buf *err)
{
	git_oid oid;

	if (hm_write_head(h->repo, build, generated, &oid, err) == -1)
		return -1;
	upds_add(l, GIT_TREE_UPDATE_UPSERT, HM_HEAD, &oid);
	return 0;
}

/*
 * The manifest NEW as updates: the shards marked in TOUCHED (every one
 * when the base has the old single blob, which goes) and the head
 */
static int
upds_manifest(struct hc *h, struct upds *l, const struct manifest *new,
    bool touched[HM_SHARDS], struct buf *err)
{
	struct manifest_shards sh;
	bool all = !hm_tree_sharded(h->base);
	int rc = 0;

	if (all && tree_has(h->base, MANIFEST_PATH))
		upds_add(l, GIT_TREE_UPDATE_REMOVE, MANIFEST_PATH, NULL);
	manifest_shards_split(new, &sh);
	for (unsigned s = 0; rc == 0 && s < HM_SHARDS; s++)
		if (all || touched[s])
			rc = upds_shard(h, l, s, sh.e + sh.at[s],
			    sh.at[s + 1] - sh.at[s], err);
	free(sh.e);
	if (rc == 0)
		rc = upds_head(h, l, new->build, new->generated, err);
	return rc;
}

static bool
str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* are A and B the same manifest entry, every field? */
static bool
entry_same(const struct manifest_entry *a, const struct manifest_entry *b)
{
	return strcmp(a->sha256, b->sha256) == 0 && a->size == b->size &&
	    a->immutable == b->immutable && a->kind == b->kind &&
	    str_same(a->content_type, b->content_type) &&
	    str_same(a->cache_control, b->cache_control) &&
	    str_same(a->redirect, b->redirect);
}

/* derive the new tree from BASE, writing only changed blobs */
static int
tree_incremental(struct hc *h, const struct manifest *old,
    const struct manifest *new, bool sharded, struct buf *err)
{
	struct upds l = { NULL, 0, 0 };
	bool touched[HM_SHARDS] = { false };
	git_oid oid;
	int rc = -1;

	for (size_t i = 0; i < new->nfiles; i++) {
		const struct manifest_entry *e = &new->files[i];
		const struct manifest_entry *o = manifest_find(old, e->path);
		if (o && entry_same(o, e)) {
			h->info->unchanged++;
			continue;
		}
		touched[manifest_shard(e->path)] = true;
		if (o && strcmp(o->sha256, e->sha256) == 0) {
			h->info->unchanged++;	/* its entry alone changed */
			continue;
		}
		if (write_blob(h->repo, h->outdir, e->path, &oid, err) == -1)
			goto out;
		upds_add(&l, GIT_TREE_UPDATE_UPSERT, e->path, &oid);
		h->info->written++;
	}
	for (size_t i = 0; i < old->nfiles; i++) {
		if (manifest_find(new, old->files[i].path))
			continue;
		touched[manifest_shard(old->files[i].path)] = true;
		upds_add(&l, GIT_TREE_UPDATE_REMOVE, old->files[i].path, NULL);
		h->info->removed++;
	}
	if (sharded) {
		if (upds_manifest(h, &l, new, touched, err) == -1)
			goto out;
	} else if (hm_tree_sharded(h->base)) {
		goto out;	/* shards to drop: the whole tree instead */
	} else {
		if (write_blob(h->repo, h->outdir, MANIFEST_PATH, &oid,
		    err) == -1)
			goto out;
		upds_add(&l, GIT_TREE_UPDATE_UPSERT, MANIFEST_PATH, &oid);
	}
	rc = upds_apply(h, &l, err);
out:
	upds_release(&l);
	return rc;
}

static int
index_add_blob(git_index *idx, const char *path, const git_oid *oid)
{
	git_index_entry ie;

	memset(&ie, 0, sizeof(ie));
	ie.mode = GIT_FILEMODE_BLOB;
	ie.path = path;
	ie.id = *oid;
	return git_index_add(idx, &ie);
}

/* the manifest M in IDX: shards and head when SHARDED, else the file */
static int
index_manifest(struct hc *h, git_index *idx, const struct manifest *m,
    bool sharded, struct buf *err)
{
	struct manifest_shards sh;
	char path[32];
	git_oid oid;
	int rc = 0;

	if (!sharded)
		return write_blob(h->repo, h->outdir, MANIFEST_PATH, &oid,
		    err) == -1 || index_add_blob(idx, MANIFEST_PATH, &oid) < 0 ?
		    -1 : 0;
	manifest_shards_split(m, &sh);
	for (unsigned s = 0; rc == 0 && s < HM_SHARDS; s++) {
		if (sh.at[s + 1] == sh.at[s])
			continue;
		hm_shard_path(s, path);
		if (hm_write_shard(h->repo, sh.e + sh.at[s], sh.at[s + 1] -
		    sh.at[s], &oid, err) == -1 ||
		    index_add_blob(idx, path, &oid) < 0)
			rc = -1;
	}
	free(sh.e);
	if (rc == 0 && (hm_write_head(h->repo, m->build, m->generated, &oid,
	    err) == -1 || index_add_blob(idx, HM_HEAD, &oid) < 0))
		rc = -1;
	return rc;
}

/* build the whole tree of OUTDIR's manifest through an in-memory index */
static int
tree_full(struct hc *h, const struct manifest *m, bool sharded,
    struct buf *err)
{
	git_index *idx = NULL;
	git_oid oid;
	int rc = -1;

	if (git_index_new(&idx) < 0)
		return history_giterr(err, "cannot create an index");
	for (size_t i = 0; i < m->nfiles; i++) {
		if (write_blob(h->repo, h->outdir, m->files[i].path, &oid,
		    err) == -1)
			goto out;
		if (index_add_blob(idx, m->files[i].path, &oid) < 0) {
			history_giterr(err, "cannot add to the index");
			goto out;
		}
		h->info->written++;
	}
	if (index_manifest(h, idx, m, sharded, err) == -1) {
		if (!err->len)
			history_giterr(err, "cannot add to the index");
		goto out;
	}
	if (git_index_write_tree_to(&h->tree_oid, idx, h->repo) < 0) {
		history_giterr(err, "cannot write the tree");
		goto out;
	}
	h->info->full = true;
	rc = 0;
out:
	git_index_free(idx);
	return rc;
}

/* the Nth page listed under HEADING in a commit message (N from 1) */
static void
message_page(struct buf *msg, const char *heading, size_t n,
    const char *path)
{
	if (n == 1)
		buf_printf(msg, "%s:\n", heading);
	if (n <= MSG_MAX_PAGES) {
		buf_adds(msg, "  ");
		manifest_page_url(path, msg);
		buf_addch(msg, '\n');
	}
}

static void
message_more(struct buf *msg, size_t n)
{
	if (n > MSG_MAX_PAGES)
		buf_printf(msg, "  ... and %zu more\n", n - MSG_MAX_PAGES);
}

/* the pages OLD -> NEW changed, for the message */
static void
pages_diff(const struct manifest *old, const struct manifest *new,
    struct buf *msg)
{
	size_t changed = 0, removed = 0;

	for (size_t i = 0; i < new->nfiles; i++) {
		const struct manifest_entry *e = &new->files[i];
		const struct manifest_entry *o = manifest_find(old, e->path);
		if (e->kind != MK_HTML || (o && !strcmp(o->sha256, e->sha256)))
			continue;
		message_page(msg, "Pages changed", ++changed, e->path);
	}
	message_more(msg, changed);
	for (size_t i = 0; i < old->nfiles; i++) {
		const struct manifest_entry *o = &old->files[i];
		if (o->kind != MK_HTML || manifest_find(new, o->path))
			continue;
		message_page(msg, "Pages removed", ++removed, o->path);
	}
	message_more(msg, removed);
}

static void
commit_message(const char *build_id, const char *reasons,
    const char *pages, const char *output, struct buf *msg)
{
	const char *why = reasons && *reasons ? reasons : "build";

	buf_printf(msg, "build %s: %s\n\n%s", build_id, why,
	    *pages ? pages : "No page changed.\n");
	buf_printf(msg, "\nKiln-Build: %s\nKiln-Reasons: %s\n", build_id,
	    why);
	if (*output)
		buf_printf(msg, "Kiln-Output: %s\n", output);
}

/* do A and B list the same files with the same content? */
static bool
same_files(const struct manifest *a, const struct manifest *b)
{
	if (!a->files || a->nfiles != b->nfiles)
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].path, b->files[i].path) != 0 ||
		    strcmp(a->files[i].sha256, b->files[i].sha256) != 0)
			return false;
	return true;
}

/* the build and time at the start of OUTDIR's manifest: 0, or -1 */
static int
manifest_head_of(const char *outdir, char **build, char **generated)
{
	char *file = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	char text[8192];
	size_t len = 0;
	ssize_t r = 1;
	int fd, rc = -1;

	*build = *generated = NULL;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) != -1) {
		while (len < sizeof(text) && (r = read(fd, text + len,
		    sizeof(text) - len)) > 0)
			len += (size_t)r;
		close(fd);
		if (r >= 0)
			rc = manifest_text_head(text, len, build, generated);
	}
	free(file);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
is_removed(const struct changes *c, const char *path)
{
	return c->nremoved && bsearch(&path, c->removed, c->nremoved,
	    sizeof(*c->removed), cmp_str) != NULL;
}

/* what the fast path knows: each changed file's shard, old shards */
struct fast {
	const struct changes *c;
	unsigned *shard;		/* of c->files[i] */
	bool touched[HM_SHARDS];
	struct manifest old[HM_SHARDS];	/* the touched ones, from BASE */
};

static int
fast_load(struct hc *h, struct fast *f, struct buf *err)
{
	const struct changes *c = f->c;

	f->shard = xcalloc(c->files.nfiles + 1, sizeof(*f->shard));
	for (size_t i = 0; i < HM_SHARDS; i++)
		manifest_init(&f->old[i]);
	for (size_t i = 0; i < c->files.nfiles; i++) {
		f->shard[i] = manifest_shard(c->files.files[i].path);
		f->touched[f->shard[i]] = true;
	}
	for (size_t i = 0; i < c->nremoved; i++)
		f->touched[manifest_shard(c->removed[i])] = true;
	for (unsigned s = 0; s < HM_SHARDS; s++)
		if (f->touched[s] && hm_tree_shard(h->repo, h->base, s,
		    &f->old[s], err) == -1)
			return -1;
	return 0;
}

static void
fast_release(struct fast *f)
{
	for (size_t i = 0; i < HM_SHARDS; i++)
		manifest_release(&f->old[i]);
	free(f->shard);
}

/* the message's pages and the files' updates; -1 when the changes do
   not fit the base (a removed path it lacks) */
static int
fast_files(struct hc *h, struct fast *f, struct upds *l, struct buf *err)
{
	const struct changes *c = f->c;
	const struct manifest_entry *o;
	size_t changed = 0, removed = 0;
	git_oid oid;

	for (size_t i = 0; i < c->files.nfiles; i++) {
		const struct manifest_entry *e = &c->files.files[i];
		if (write_blob(h->repo, h->outdir, e->path, &oid, err) == -1)
			return -1;
		upds_add(l, GIT_TREE_UPDATE_UPSERT, e->path, &oid);
		h->info->written++;
		if (e->kind == MK_HTML)
			message_page(&h->pages, "Pages changed", ++changed,
			    e->path);
	}
	message_more(&h->pages, changed);
	for (size_t i = 0; i < c->nremoved; i++) {
		const char *p = c->removed[i];
		if (!(o = manifest_find(&f->old[manifest_shard(p)], p))) {
			buf_setf(err, "history: %s is not in the base", p);
			return -1;
		}
		upds_add(l, GIT_TREE_UPDATE_REMOVE, p, NULL);
		h->info->removed++;
		if (o->kind == MK_HTML)
			message_page(&h->pages, "Pages removed", ++removed, p);
	}
	message_more(&h->pages, removed);
	return 0;
}

/* shard S after the changes: its old entries less the removed and
   changed ones, plus the changed ones */
static int
fast_shard(struct hc *h, struct fast *f, struct upds *l, unsigned s,
    struct buf *err)
{
	const struct changes *c = f->c;
	const struct manifest *old = &f->old[s];
	struct manifest m;
	int rc = -1;

	manifest_init(&m);
	for (size_t i = 0; i < old->nfiles; i++) {
		const char *p = old->files[i].path;
		if (!is_removed(c, p) && !manifest_find(&c->files, p))
			manifest_add_copy(&m, &old->files[i]);
	}
	for (size_t i = 0; i < c->files.nfiles; i++)
		if (f->shard[i] == s)
			manifest_add_copy(&m, &c->files.files[i]);
	if (manifest_sort(&m, err) == 0)
		rc = upds_shard(h, l, s, m.files, m.nfiles, err);
	manifest_release(&m);
	return rc;
}

/*
 * The new tree from the build's changes alone (decision 0320): the base
 * is the tree of the output C->base.  -1 (err for the log) when they do
 * not fit; the caller then takes the manifests' way.
 */
static int
tree_fast(struct hc *h, const struct changes *c, struct buf *err)
{
	struct fast f;
	struct upds l = { NULL, 0, 0 };
	char *build = NULL, *generated = NULL;
	int rc = -1;

	if (c->files.nfiles == 0 && c->nremoved == 0) {
		h->same = true;
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.c = c;
	if (manifest_head_of(h->outdir, &build, &generated) == -1) {
		buf_setf(err, "history: the manifest's head is not canonical");
		goto out;
	}
	if (fast_load(h, &f, err) == -1 || fast_files(h, &f, &l, err) == -1)
		goto out;
	for (unsigned s = 0; s < HM_SHARDS; s++)
		if (f.touched[s] && fast_shard(h, &f, &l, s, err) == -1)
			goto out;
	if (upds_head(h, &l, build, generated, err) == -1 ||
	    upds_apply(h, &l, err) == -1)
		goto out;
	h->info->fast = true;
	rc = 0;
out:
	fast_release(&f);
	upds_release(&l);
	free(build);
	free(generated);
	return rc;
}

/* do A and B hold the same entries, every field? */
static bool
same_entries(const struct manifest *a, const struct manifest *b)
{
	if (a->nfiles != b->nfiles)
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].path, b->files[i].path) != 0 ||
		    !entry_same(&a->files[i], &b->files[i]))
			return false;
	return true;
}

/*
 * The new tree from the manifests: OUTDIR's and the one in BASE's tree
 * (either layout), compared by SHA-256.
 */
static int
tree_slow(struct hc *h, struct buf *err)
{
	struct manifest new, old;
	struct buf text = BUF_INIT, again = BUF_INIT, ignored = BUF_INIT;
	char *mfile = xasprintf("%s/%s", h->outdir, MANIFEST_PATH);
	bool sharded;
	int rc = -1;

	manifest_init(&new);
	manifest_init(&old);
	if (file_read(mfile, &text, LIMIT_MANIFEST, err) == -1 ||
	    manifest_parse(text.buf, text.len, &new, err) == -1)
		goto out;
	/* shards only when they give back this very text */
	manifest_to_json(&new, &again);
	sharded = again.len == text.len &&
	    memcmp(again.buf, text.buf, text.len) == 0;
	if (h->base && hm_tree_manifest(h->repo, h->base, &old,
	    &ignored) != 0)
		manifest_init(&old);
	if (!h->base || !old.files || tree_incremental(h, &old, &new,
	    sharded, &ignored) == -1) {
		memset(h->info, 0, sizeof(*h->info));
		if (tree_full(h, &new, sharded, err) == -1)
			goto out;
	}
	/* the same files as the last commit (a no-op build; only the
	   manifest's build id and time differ): no commit */
	h->same = h->base && (git_oid_equal(&h->tree_oid,
	    git_tree_id(h->base)) || same_files(&old, &new));
	if (!h->same)
		pages_diff(&old, &new, &h->pages);
	else
		h->inexact = !same_entries(&old, &new);
	rc = 0;
out:
	manifest_release(&new);
	manifest_release(&old);
	buf_release(&text);
	buf_release(&again);
	buf_release(&ignored);
	free(mfile);
	return rc;
}

/*
 * The id of the output PARENT was made from (or, after a no-op build,
 * that has its files): the note NOTE_REF when it names PARENT, else
 * PARENT's Kiln-Output trailer; "" when unknown.
 */
static void
parent_output(git_repository *repo, git_commit *parent, const char *note_ref,
    char id[CHANGES_ID_LEN + 1])
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *t, *p;
	git_blob *blob = NULL;
	git_oid oid;

	id[0] = '\0';
	git_oid_tostr(hex, sizeof(hex), git_commit_id(parent));
	if (git_reference_name_to_id(&oid, repo, note_ref) == 0 &&
	    git_blob_lookup(&blob, repo, &oid) == 0 &&
	    git_blob_rawsize(blob) == GIT_OID_HEXSZ + 2 + CHANGES_ID_LEN &&
	    memcmp(git_blob_rawcontent(blob), hex, GIT_OID_HEXSZ) == 0) {
		t = (const char *)git_blob_rawcontent(blob) + GIT_OID_HEXSZ + 1;
		snprintf(id, CHANGES_ID_LEN + 1, "%.*s", CHANGES_ID_LEN, t);
	} else if ((p = strstr(git_commit_message(parent),
	    "\nKiln-Output: ")) != NULL) {
		p += 14;
		if (strspn(p, "0123456789abcdef") == CHANGES_ID_LEN)
			snprintf(id, CHANGES_ID_LEN + 1, "%.*s",
			    CHANGES_ID_LEN, p);
	}
	git_blob_free(blob);
}

/* note that COMMIT's tree holds the files of output ID */
static void
note_output(git_repository *repo, const char *note_ref, const char *commit,
    const char *id)
{
	git_reference *r = NULL;
	git_oid oid;
	char *text = xasprintf("%s %s\n", commit, id);

	if (git_blob_create_from_buffer(&oid, repo, text, strlen(text)) == 0)
		git_reference_create(&r, repo, note_ref, &oid, 1,
		    "kiln: output of the branch's head");
	git_reference_free(r);
	free(text);
}

static int
commit_write(struct hc *h, const char *ref, git_commit *parent,
    const char *build_id, const char *reasons, const char *output,
    struct buf *err)
{
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid commit_oid;
	const git_commit *parents[1] = { parent };
	struct buf msg = BUF_INIT;
	int rc = -1;

	commit_message(build_id, reasons, h->pages.buf ? h->pages.buf : "",
	    output, &msg);
	if (git_tree_lookup(&tree, h->repo, &h->tree_oid) < 0)
		history_giterr(err, "cannot read the new tree");
	else if (git_signature_new(&sig, "kiln", "kiln@localhost",
	    (git_time_t)time_now(), 0) < 0)
		history_giterr(err, "cannot make a signature");
	else if (git_commit_create(&commit_oid, h->repo, ref, sig, sig, NULL,
	    msg.buf, tree, parent ? 1 : 0, parents) < 0)
		history_giterr(err, "cannot create the commit");
	else {
		if (!parent)
			git_repository_set_head(h->repo, ref);
		git_oid_tostr(h->info->commit, sizeof(h->info->commit),
		    &commit_oid);
		rc = 0;
	}
	git_signature_free(sig);
	git_tree_free(tree);
	buf_release(&msg);
	return rc;
}

/* the fast way when the build's changes start from PARENT's output */
static bool
try_fast(struct hc *h, git_commit *parent, const char *note_ref,
    const struct changes *c)
{
	struct buf ignored = BUF_INIT;
	char id[CHANGES_ID_LEN + 1];
	bool ok = false;

	if (parent && c->base[0] && hm_tree_sharded(h->base)) {
		parent_output(h->repo, parent, note_ref, id);
		ok = strcmp(id, c->base) == 0 &&
		    tree_fast(h, c, &ignored) == 0;
	}
	if (!ok) {
		memset(h->info, 0, sizeof(*h->info));
		buf_reset(&h->pages);
		h->same = false;
	}
	buf_release(&ignored);
	return ok;
}

int
history_commit(const char *repo_dir, const char *branch, const char *outdir,
    const char *build_id, const char *reasons,
    struct history_commit_info *info, struct buf *err)
{
	struct hc h = { .outdir = outdir, .info = info, .pages = BUF_INIT };
	git_commit *parent = NULL;
	git_oid parent_oid;
	struct changes c;
	struct buf ignored = BUF_INIT;
	char *ref = NULL, *note_ref = xasprintf(NOTE_PREFIX "%s", branch);
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (changes_load(outdir, &c, &ignored) != 0)
		memset(c.id, 0, sizeof(c.id));	/* none: the slow way */
	if (!(ref = history_branch_ref(branch, err)) ||
	    history_repo_open(repo_dir, true, &h.repo, err) == -1)
		goto out;
	if (git_reference_name_to_id(&parent_oid, h.repo, ref) == 0 &&
	    (git_commit_lookup(&parent, h.repo, &parent_oid) < 0 ||
	    git_commit_tree(&h.base, parent) < 0)) {
		history_giterr(err, "cannot read the previous commit");
		goto out;
	}
	if (!try_fast(&h, parent, note_ref, &c) && tree_slow(&h, err) == -1)
		goto out;
	if (h.same) {
		git_oid_tostr(info->commit, sizeof(info->commit), &parent_oid);
		info->same_tree = true;
	} else if (commit_write(&h, ref, parent, build_id, reasons, c.id,
	    err) == -1)
		goto out;
	if (c.id[0] && !h.inexact)
		note_output(h.repo, note_ref, info->commit, c.id);
	rc = 0;
out:
	git_tree_free(h.base);
	git_commit_free(parent);
	git_repository_free(h.repo);
	changes_release(&c);
	buf_release(&h.pages);
	buf_release(&ignored);
	free(note_ref);
	free(ref);
	return rc;
}
