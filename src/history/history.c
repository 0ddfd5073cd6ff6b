/* SPDX-License-Identifier: ISC */
/*
 * history.c: build history as git commits of output trees (libgit2).
 *
 * history_commit() reads the new build's manifest and the previous
 * commit's manifest (from its tree), writes blobs only for paths whose
 * SHA-256 changed, and derives the new tree from the previous one with
 * git_tree_create_updated(), which rewrites only the trees on changed
 * paths.  The first commit, or a change libgit2's updater cannot express
 * (a file becoming a folder), builds the whole tree through an in-memory
 * index instead.  Everything else (push, export for rollback, prune) works
 * on the branch ref.  Credentials come from callbacks, never from URLs.
 */
#include "common/compat.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "history/history.h"

#define MSG_MAX_PAGES 20

static pthread_once_t lg2_once = PTHREAD_ONCE_INIT;

static void
lg2_init(void)
{
	git_libgit2_init();
}

static int
giterr(struct buf *err, const char *what)
{
	const git_error *e = git_error_last();

	buf_setf(err, "history: %s: %s", what,
	    e && e->message ? e->message : "unknown error");
	return -1;
}

static char *
branch_ref(const char *branch, struct buf *err)
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

static int
repo_open(const char *dir, bool create, git_repository **repo,
    struct buf *err)
{
	pthread_once(&lg2_once, lg2_init);
	if (git_repository_open_bare(repo, dir) == 0)
		return 0;
	if (!create)
		return giterr(err, "cannot open repository");
	if (git_repository_init(repo, dir, 1) < 0)
		return giterr(err, "cannot create repository");
	return 0;
}

/* the manifest stored in TREE, if any: 0 found, 1 absent, -1 error */
static int
tree_manifest(git_repository *repo, git_tree *tree, struct manifest *m,
    struct buf *err)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc;

	manifest_init(m);
	if (git_tree_entry_bypath(&te, tree, MANIFEST_PATH) < 0)
		return 1;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		git_tree_entry_free(te);
		return giterr(err, "cannot read the previous manifest");
	}
	rc = manifest_parse(git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob), m, err);
	git_blob_free(blob);
	git_tree_entry_free(te);
	return rc;
}

static int
write_blob(git_repository *repo, const char *outdir, const char *path,
    git_oid *oid, struct buf *err)
{
	char *file = xasprintf("%s/%s", outdir, path);
	int rc = 0;

	if (git_blob_create_from_disk(oid, repo, file) < 0)
		rc = giterr(err, "cannot store a file");
	free(file);
	return rc;
}

struct upd {
	git_tree_update u;
	char *path;
};

static int
cmp_upd(const void *a, const void *b)
{
	return strcmp(((const struct upd *)a)->path,
	    ((const struct upd *)b)->path);
}

/* derive the new tree from BASE, writing only changed blobs */
static int
tree_incremental(git_repository *repo, git_tree *base,
    const struct manifest *old, const struct manifest *new,
    const char *outdir, git_oid *tree_oid, struct history_commit_info *info,
    struct buf *err)
{
	struct upd *u;
	git_tree_update *ups;
	size_t n = 0, cap = 1 + new->nfiles + old->nfiles;
	int rc = -1;

	u = xcalloc(cap, sizeof(*u));
	for (size_t i = 0; i < new->nfiles; i++) {
		const struct manifest_entry *e = &new->files[i];
		const struct manifest_entry *o = manifest_find(old, e->path);
		if (o && strcmp(o->sha256, e->sha256) == 0) {
			info->unchanged++;
			continue;
		}
		if (write_blob(repo, outdir, e->path, &u[n].u.id, err) == -1)
			goto out;
		u[n].u.action = GIT_TREE_UPDATE_UPSERT;
		u[n].u.filemode = GIT_FILEMODE_BLOB;
		u[n].path = e->path;
		n++;
		info->written++;
	}
	for (size_t i = 0; i < old->nfiles; i++) {
		if (manifest_find(new, old->files[i].path))
			continue;
		u[n].u.action = GIT_TREE_UPDATE_REMOVE;
		u[n].path = old->files[i].path;
		n++;
		info->removed++;
	}
	if (write_blob(repo, outdir, MANIFEST_PATH, &u[n].u.id, err) == -1)
		goto out;
	u[n].u.action = GIT_TREE_UPDATE_UPSERT;
	u[n].u.filemode = GIT_FILEMODE_BLOB;
	u[n].path = (char *)(uintptr_t)MANIFEST_PATH;
	n++;
	qsort(u, n, sizeof(*u), cmp_upd);
	ups = xcalloc(n, sizeof(*ups));
	for (size_t i = 0; i < n; i++) {
		ups[i] = u[i].u;
		ups[i].path = u[i].path;
	}
	rc = git_tree_create_updated(tree_oid, repo, base, n, ups) < 0 ?
	    giterr(err, "cannot update the tree") : 0;
	free(ups);
out:
	free(u);
	return rc;
}

/* build the whole tree of OUTDIR's manifest through an in-memory index */
static int
tree_full(git_repository *repo, const struct manifest *m,
    const char *outdir, git_oid *tree_oid, struct history_commit_info *info,
    struct buf *err)
{
	git_index *idx = NULL;
	git_index_entry ie;
	int rc = -1;

	if (git_index_new(&idx) < 0)
		return giterr(err, "cannot create an index");
	for (size_t i = 0; i <= m->nfiles; i++) {
		const char *path = i < m->nfiles ? m->files[i].path :
		    MANIFEST_PATH;
		memset(&ie, 0, sizeof(ie));
		ie.mode = GIT_FILEMODE_BLOB;
		ie.path = path;
		if (write_blob(repo, outdir, path, &ie.id, err) == -1)
			goto out;
		if (git_index_add(idx, &ie) < 0) {
			giterr(err, "cannot add to the index");
			goto out;
		}
		info->written++;
	}
	if (git_index_write_tree_to(tree_oid, idx, repo) < 0) {
		giterr(err, "cannot write the tree");
		goto out;
	}
	info->full = true;
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

static void
commit_message(const char *build_id, const char *reasons,
    const struct manifest *old, const struct manifest *new, struct buf *msg)
{
	size_t changed = 0, removed = 0;

	buf_printf(msg, "build %s: %s\n\n", build_id,
	    reasons && *reasons ? reasons : "build");
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
	if (!changed && !removed)
		buf_adds(msg, "No page changed.\n");
	buf_printf(msg, "\nKiln-Build: %s\nKiln-Reasons: %s\n", build_id,
	    reasons && *reasons ? reasons : "build");
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

int
history_commit(const char *repo_dir, const char *branch, const char *outdir,
    const char *build_id, const char *reasons,
    struct history_commit_info *info, struct buf *err)
{
	git_repository *repo = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid parent_oid, tree_oid, commit_oid;
	const git_commit *parents[1];
	struct manifest new, old;
	struct buf msg = BUF_INIT, ignored = BUF_INIT;
	char *mfile, *ref = NULL;
	int rc = -1, have_parent;

	memset(info, 0, sizeof(*info));
	manifest_init(&old);
	mfile = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	if (manifest_load(mfile, &new, err) == -1)
		goto out;
	if (!(ref = branch_ref(branch, err)))
		goto out;
	if (repo_open(repo_dir, true, &repo, err) == -1)
		goto out;
	have_parent = git_reference_name_to_id(&parent_oid, repo, ref) == 0;
	if (have_parent) {
		if (git_commit_lookup(&parent, repo, &parent_oid) < 0 ||
		    git_commit_tree(&base, parent) < 0) {
			giterr(err, "cannot read the previous commit");
			goto out;
		}
		if (tree_manifest(repo, base, &old, err) == -1)
			manifest_init(&old);
	}
	if (have_parent && old.files && tree_incremental(repo, base, &old,
	    &new, outdir, &tree_oid, info, &ignored) == 0) {
		/* incremental tree written */
	} else {
		memset(info, 0, sizeof(*info));
		if (tree_full(repo, &new, outdir, &tree_oid, info, err) == -1)
			goto out;
	}
	if (git_tree_lookup(&tree, repo, &tree_oid) < 0) {
		giterr(err, "cannot read the new tree");
		goto out;
	}
	/*
	 * The same files as the last commit (a no-op build; only the
	 * manifest's build id and time differ): no commit
	 */
	if (have_parent && (git_oid_equal(&tree_oid, git_tree_id(base)) ||
	    same_files(&old, &new))) {
		git_oid_tostr(info->commit, sizeof(info->commit), &parent_oid);
		info->same_tree = true;
		rc = 0;
		goto out;
	}
	commit_message(build_id, reasons, &old, &new, &msg);
	if (git_signature_new(&sig, "kiln", "kiln@localhost",
	    (git_time_t)time_now(), 0) < 0) {
		giterr(err, "cannot make a signature");
		goto out;
	}
	parents[0] = parent;
	if (git_commit_create(&commit_oid, repo, ref, sig, sig, NULL, msg.buf,
	    tree, have_parent ? 1 : 0, parents) < 0) {
		giterr(err, "cannot create the commit");
		goto out;
	}
	if (!have_parent)
		git_repository_set_head(repo, ref);
	git_oid_tostr(info->commit, sizeof(info->commit), &commit_oid);
	rc = 0;
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_repository_free(repo);
	manifest_release(&new);
	manifest_release(&old);
	buf_release(&msg);
	buf_release(&ignored);
	free(mfile);
	free(ref);
	return rc;
}

static bool
message_has_build(const char *msg, const char *build_id)
{
	const char *p = msg;
	size_t n = strlen(build_id);

	while ((p = strstr(p, "Kiln-Build: ")) != NULL) {
		p += 12;
		if (strncmp(p, build_id, n) == 0 &&
		    (p[n] == '\n' || p[n] == '\0'))
			return true;
	}
	return false;
}

static int
find_build(git_repository *repo, const char *ref, const char *build_id,
    git_oid *out, struct buf *err)
{
	git_revwalk *walk = NULL;
	git_commit *c;
	git_oid oid;
	int rc = 1;

	if (git_revwalk_new(&walk, repo) < 0)
		return giterr(err, "cannot walk history");
	if (git_revwalk_push_ref(walk, ref) < 0) {
		git_revwalk_free(walk);
		return 1;	/* no branch yet: no build */
	}
	while (rc == 1 && git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			rc = giterr(err, "cannot read a commit");
			break;
		}
		if (message_has_build(git_commit_message(c), build_id)) {
			*out = oid;
			rc = 0;
		}
		git_commit_free(c);
	}
	git_revwalk_free(walk);
	return rc;
}

/*
 * Open the history for reading and find BUILD_ID's commit (*OID) on
 * BRANCH (*REF): 0, 1 when no commit is that build's, -1 on error.  The
 * caller frees *REPO and *REF whatever the answer.
 */
static int
open_build(const char *repo_dir, const char *branch, const char *build_id,
    git_repository **repo, char **ref, git_oid *oid, struct buf *err)
{
	*repo = NULL;
	if (!(*ref = branch_ref(branch, err)) ||
	    repo_open(repo_dir, false, repo, err) == -1)
		return -1;
	return find_build(*repo, *ref, build_id, oid, err);
}

int
history_find_build(const char *repo_dir, const char *branch,
    const char *build_id, char commit[41], struct buf *err)
{
	git_repository *repo;
	git_oid oid;
	char *ref;
	int rc;

	rc = open_build(repo_dir, branch, build_id, &repo, &ref, &oid, err);
	if (rc == 0)
		git_oid_tostr(commit, 41, &oid);
	git_repository_free(repo);
	free(ref);
	return rc;
}

int
history_log(const char *repo_dir, const char *branch, size_t limit,
    int (*fn)(const struct history_entry *, void *), void *arg,
    struct buf *err)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_commit *c;
	git_oid oid;
	struct history_entry e;
	struct buf sum = BUF_INIT;
	const char *msg, *p, *nl;
	char *ref;
	size_t n = 0;
	int rc = -1;

	if (!(ref = branch_ref(branch, err)))
		return -1;
	if (repo_open(repo_dir, false, &repo, err) == -1)
		goto out;
	if (git_revwalk_new(&walk, repo) < 0) {
		giterr(err, "cannot walk history");
		goto out;
	}
	if (git_revwalk_push_ref(walk, ref) < 0) {
		rc = 0;		/* no branch yet */
		goto out;
	}
	while ((limit == 0 || n < limit) && git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			giterr(err, "cannot read a commit");
			goto out;
		}
		memset(&e, 0, sizeof(e));
		git_oid_tostr(e.commit, sizeof(e.commit), &oid);
		e.time = (int64_t)git_commit_time(c);
		msg = git_commit_message(c);
		nl = strchr(msg, '\n');
		buf_reset(&sum);
		buf_add(&sum, msg, nl ? (size_t)(nl - msg) : strlen(msg));
		e.summary = sum.buf;
		if ((p = strstr(msg, "\nKiln-Build: ")) != NULL) {
			p += 13;
			nl = strchr(p, '\n');
			snprintf(e.build, sizeof(e.build), "%.*s",
			    (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
		}
		n++;
		if (fn(&e, arg) != 0) {
			git_commit_free(c);
			break;
		}
		git_commit_free(c);
	}
	rc = 0;
out:
	git_revwalk_free(walk);
	git_repository_free(repo);
	buf_release(&sum);
	free(ref);
	return rc;
}

struct export_ctx {
	git_repository *repo;
	const char *dest;
	struct buf *err;
	int failed;
};

static int
export_entry(const char *root, const git_tree_entry *te, void *arg)
{
	struct export_ctx *x = arg;
	struct buf rel = BUF_INIT, clean = BUF_INIT;
	git_blob *blob = NULL;
	char *file = NULL;
	int rc = -1;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0;
	buf_printf(&rel, "%s%s", root, git_tree_entry_name(te));
	if (path_clean_rel(rel.buf, &clean, x->err) == -1)
		goto out;
	if (git_blob_lookup(&blob, x->repo, git_tree_entry_id(te)) < 0) {
		giterr(x->err, "cannot read a file");
		goto out;
	}
	file = xasprintf("%s/%s", x->dest, clean.buf);
	if (mkdir_parent(file, x->err) == -1 ||
	    file_write(file, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob), x->err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		x->failed = 1;
	git_blob_free(blob);
	buf_release(&rel);
	buf_release(&clean);
	free(file);
	return rc == 0 ? 0 : -1;
}

int
history_export(const char *repo_dir, const char *branch, const char *commit,
    const char *destdir, struct buf *err)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	struct export_ctx x;
	char *ref = NULL;
	int rc = -1;

	if (file_exists(destdir) || dir_exists(destdir)) {
		buf_setf(err, "history: '%s' already exists", destdir);
		return -1;
	}
	if (repo_open(repo_dir, false, &repo, err) == -1)
		return -1;
	if (strncmp(commit, "build:", 6) == 0) {
		if (!(ref = branch_ref(branch, err)))
			goto out;
		rc = find_build(repo, ref, commit + 6, &oid, err);
		if (rc == 1)
			buf_setf(err, "history: no commit for build %s",
			    commit + 6);
		if (rc != 0) {
			rc = -1;
			goto out;
		}
		rc = -1;
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			giterr(err, "cannot read the commit");
			goto out;
		}
	} else {
		if (git_revparse_single(&obj, repo, commit) < 0 ||
		    git_object_peel((git_object **)&c, obj,
		    GIT_OBJECT_COMMIT) < 0) {
			buf_setf(err, "history: no commit '%s'", commit);
			goto out;
		}
	}
	if (git_commit_tree(&tree, c) < 0) {
		giterr(err, "cannot read the tree");
		goto out;
	}
	if (mkdir_p(destdir, err) == -1)
		goto out;
	x.repo = repo;
	x.dest = destdir;
	x.err = err;
	x.failed = 0;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, export_entry, &x) < 0 ||
	    x.failed) {
		if (!x.failed)
			giterr(err, "cannot walk the tree");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tree);
	git_commit_free(c);
	git_object_free(obj);
	git_repository_free(repo);
	free(ref);
	return rc;
}

void
history_scrub_url(const char *url, struct buf *out)
{
	const char *scheme = strstr(url, "://"), *at, *slash;

	if (!scheme) {
		buf_adds(out, url);
		return;
	}
	scheme += 3;
	at = strchr(scheme, '@');
	slash = strchr(scheme, '/');
	if (!at || (slash && slash < at)) {
		buf_adds(out, url);
		return;
	}
	buf_add(out, url, (size_t)(scheme - url));
	buf_adds(out, "***");
	buf_adds(out, at);
}

/* one payload for every push callback (libgit2 passes the same one) */
struct push_ctx {
	const struct history_push_opts *opts;
	int tries;
	struct buf *err;
	int rejected;
};

static int
cred_cb(git_credential **out, const char *url, const char *user_from_url,
    unsigned int allowed, void *payload)
{
	struct push_ctx *cx = payload;
	const char *tok, *colon;
	char *user;
	int rc;

	(void)url;
	if (cx->tries++ > 0)
		return GIT_EUSER;	/* the offered credential was refused */
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && cx->opts &&
	    cx->opts->ssh_key)
		return git_credential_ssh_key_new(out,
		    user_from_url ? user_from_url : "git", NULL,
		    cx->opts->ssh_key, NULL);
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && cx->opts &&
	    cx->opts->token_env && (tok = getenv(cx->opts->token_env))) {
		if ((colon = strchr(tok, ':')) != NULL) {
			user = xstrndup(tok, (size_t)(colon - tok));
			rc = git_credential_userpass_plaintext_new(out, user,
			    colon + 1);
			freezero_str(user);
			return rc;
		}
		return git_credential_userpass_plaintext_new(out,
		    user_from_url ? user_from_url : "x-access-token", tok);
	}
	return GIT_PASSTHROUGH;
}

static int
push_ref_cb(const char *refname, const char *status, void *payload)
{
	struct push_ctx *cx = payload;

	if (status) {
		buf_setf(cx->err, "history: remote rejected %s: %s", refname,
		    status);
		cx->rejected = 1;
	}
	return 0;
}

int
history_push(const char *repo_dir, const char *branch,
    const char *remote_url, const struct history_push_opts *opts,
    struct buf *err)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_push_options po;
	struct push_ctx cx = { opts, 0, err, 0 };
	struct buf safe = BUF_INIT;
	char *spec = NULL, *ref = NULL;
	git_strarray specs;
	int rc = -1;

	history_scrub_url(remote_url, &safe);
	if (strcmp(safe.buf, remote_url) != 0) {
		buf_setf(err, "history.remote: credentials must not be in the "
		    "URL ('%s'); use history.token_env or history.ssh_key",
		    safe.buf);
		goto out;
	}
	if (!(ref = branch_ref(branch, err)))
		goto out;
	if (repo_open(repo_dir, false, &repo, err) == -1)
		goto out;
	if (git_remote_create_anonymous(&remote, repo, remote_url) < 0) {
		giterr(err, "cannot use the remote");
		goto out;
	}
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.credentials = cred_cb;
	po.callbacks.push_update_reference = push_ref_cb;
	po.callbacks.payload = &cx;
	/* forced: the remote mirrors our branch, which prune may rewrite */
	spec = xasprintf("+%s:%s", ref, ref);
	specs.strings = &spec;
	specs.count = 1;
	if (git_remote_push(remote, &specs, &po) < 0) {
		const git_error *e = git_error_last();
		struct buf m = BUF_INIT;
		history_scrub_url(e && e->message ? e->message : "error", &m);
		buf_setf(err, "history: push to '%s' failed: %s", safe.buf,
		    m.buf);
		buf_release(&m);
		goto out;
	}
	if (cx.rejected)
		goto out;
	rc = 0;
out:
	git_remote_free(remote);
	git_repository_free(repo);
	buf_release(&safe);
	free(spec);
	free(ref);
	return rc;
}

int
history_prune(const char *repo_dir, const char *branch, size_t keep,
    struct buf *err)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_reference *newref = NULL;
	git_oid *oids = NULL, oid, parent_oid;
	size_t n = 0, cap = 0;
	char *ref = NULL;
	int rc = -1, have_parent = 0, e;

	if (keep == 0)
		return 0;
	if (!(ref = branch_ref(branch, err)))
		return -1;
	pthread_once(&lg2_once, lg2_init);
	if ((e = git_repository_open_bare(&repo, repo_dir)) ==
	    GIT_ENOTFOUND) {
		rc = 0;		/* no history yet: nothing to prune */
		goto out;
	}
	if (e < 0) {
		giterr(err, "cannot open repository");
		goto out;
	}
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_push_ref(walk, ref) < 0) {
		giterr(err, "cannot walk history");
		goto out;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL);
	while (git_revwalk_next(&oid, walk) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			oids = xreallocarray(oids, cap, sizeof(*oids));
		}
		oids[n++] = oid;
	}
	if (n <= keep) {
		rc = 0;
		goto out;
	}
	/* re-create the newest KEEP commits, oldest first, on a new root */
	for (size_t i = keep; i-- > 0;) {
		git_commit *c = NULL, *p = NULL;
		const git_commit *parents[1];
		git_tree *t = NULL;
		int r;

		if (git_commit_lookup(&c, repo, &oids[i]) < 0 ||
		    git_commit_tree(&t, c) < 0 ||
		    (have_parent && git_commit_lookup(&p, repo,
		    &parent_oid) < 0)) {
			git_commit_free(c);
			giterr(err, "cannot read a commit");
			goto out;
		}
		parents[0] = p;
		r = git_commit_create(&oid, repo, NULL,
		    git_commit_author(c), git_commit_committer(c), NULL,
		    git_commit_message(c), t, have_parent ? 1 : 0, parents);
		git_tree_free(t);
		git_commit_free(p);
		git_commit_free(c);
		if (r < 0) {
			giterr(err, "cannot rewrite a commit");
			goto out;
		}
		parent_oid = oid;
		have_parent = 1;
	}
	if (git_reference_create(&newref, repo, ref, &parent_oid, 1,
	    "kiln: prune history") < 0) {
		giterr(err, "cannot move the branch");
		goto out;
	}
	rc = (int)(n - keep);
out:
	git_reference_free(newref);
	git_revwalk_free(walk);
	git_repository_free(repo);
	free(oids);
	free(ref);
	return rc;
}

/* the tree of commit OID; -1 with err */
static int
tree_of(git_repository *repo, const git_oid *oid, git_tree **tree,
    struct buf *err)
{
	git_commit *c = NULL;
	int rc = 0;

	if (git_commit_lookup(&c, repo, oid) < 0 ||
	    git_commit_tree(tree, c) < 0)
		rc = giterr(err, "cannot read a commit's tree");
	git_commit_free(c);
	return rc;
}

struct diff_ctx {
	int (*fn)(void *, char, const char *);
	void *arg;
};

static int
diff_file(const git_diff_delta *d, float progress, void *arg)
{
	struct diff_ctx *x = arg;
	const char *p = d->new_file.path ? d->new_file.path :
	    d->old_file.path;
	char op;

	(void)progress;
	if (!strncmp(p, ".kiln/", 6))
		return 0;
	switch (d->status) {
	case GIT_DELTA_ADDED:
		op = '+';
		break;
	case GIT_DELTA_DELETED:
		op = '-';
		p = d->old_file.path;
		break;
	default:
		op = '~';
		break;
	}
	return x->fn(x->arg, op, p);
}

int
history_diff_build(const char *repo_dir, const char *branch,
    const char *build_id, int (*fn)(void *arg, char op, const char *path),
    void *arg, struct buf *err)
{
	git_repository *repo;
	git_tree *from = NULL, *to = NULL;
	git_diff *diff = NULL;
	git_oid head, oid;
	struct diff_ctx x = { fn, arg };
	char *ref;
	int rc;

	rc = open_build(repo_dir, branch, build_id, &repo, &ref, &oid, err);
	if (rc == 0 && git_reference_name_to_id(&head, repo, ref) < 0)
		rc = 1;
	if (rc == 0 && (tree_of(repo, &head, &from, err) == -1 ||
	    tree_of(repo, &oid, &to, err) == -1))
		rc = -1;
	if (rc == 0 && git_diff_tree_to_tree(&diff, repo, from, to,
	    NULL) < 0)
		rc = giterr(err, "cannot compare the builds");
	if (rc == 0) {
		int g = git_diff_foreach(diff, diff_file, NULL, NULL, NULL, &x);
		if (g < 0 && g != GIT_EUSER)
			rc = giterr(err, "cannot compare the builds");
	}
	git_diff_free(diff);
	git_tree_free(from);
	git_tree_free(to);
	git_repository_free(repo);
	free(ref);
	return rc;
}
