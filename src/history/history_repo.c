/* SPDX-License-Identifier: ISC */
/*
 * history_repo.c: what reads or rewrites the history a build's commits
 * made (history.h): finding a build's commit, the log, export for a
 * rollback, push to the remote (credentials from callbacks, never from
 * URLs), prune and the diff between two builds.  history.c makes the
 * commits.
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
		return history_giterr(err, "cannot walk history");
	if (git_revwalk_push_ref(walk, ref) < 0) {
		git_revwalk_free(walk);
		return 1;	/* no branch yet: no build */
	}
	while (rc == 1 && git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			rc = history_giterr(err, "cannot read a commit");
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
	if (!(*ref = history_branch_ref(branch, err)) ||
	    history_repo_open(repo_dir, false, repo, err) == -1)
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

	if (!(ref = history_branch_ref(branch, err)))
		return -1;
	if (history_repo_open(repo_dir, false, &repo, err) == -1)
		goto out;
	if (git_revwalk_new(&walk, repo) < 0) {
		history_giterr(err, "cannot walk history");
		goto out;
	}
	if (git_revwalk_push_ref(walk, ref) < 0) {
		rc = 0;		/* no branch yet */
		goto out;
	}
	while ((limit == 0 || n < limit) && git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&c, repo, &oid) < 0) {
			history_giterr(err, "cannot read a commit");
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
		return strcmp(root, ".kiln/") == 0 &&
		    strcmp(git_tree_entry_name(te), "manifest") == 0 ? 1 : 0;
	buf_printf(&rel, "%s%s", root, git_tree_entry_name(te));
	if (path_clean_rel(rel.buf, &clean, x->err) == -1)
		goto out;
	if (git_blob_lookup(&blob, x->repo, git_tree_entry_id(te)) < 0) {
		history_giterr(x->err, "cannot read a file");
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

/* a tree with the manifest in shards: DESTDIR's whole manifest */
static int
export_manifest(git_repository *repo, git_tree *tree, const char *destdir,
    struct buf *err)
{
	struct manifest m;
	struct buf text = BUF_INIT;
	char *file;
	int rc;

	if (!hm_tree_sharded(tree))
		return 0;
	if (hm_tree_manifest(repo, tree, &m, err) != 0)
		return -1;
	manifest_to_json(&m, &text);
	file = xasprintf("%s/%s", destdir, MANIFEST_PATH);
	rc = mkdir_parent(file, err) == -1 ||
	    file_write(file, text.buf, text.len, err) == -1 ? -1 : 0;
	manifest_release(&m);
	buf_release(&text);
	free(file);
	return rc;
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
	bool made = false;
	int rc = -1;

	if (file_exists(destdir) || dir_exists(destdir)) {
		buf_setf(err, "history: '%s' already exists", destdir);
		return -1;
	}
	if (history_repo_open(repo_dir, false, &repo, err) == -1)
		return -1;
	if (strncmp(commit, "build:", 6) == 0) {
		if (!(ref = history_branch_ref(branch, err)))
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
			history_giterr(err, "cannot read the commit");
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
		history_giterr(err, "cannot read the tree");
		goto out;
	}
	if (mkdir_p(destdir, err) == -1)
		goto out;
	made = true;
	x.repo = repo;
	x.dest = destdir;
	x.err = err;
	x.failed = 0;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, export_entry, &x) < 0 ||
	    x.failed) {
		if (!x.failed)
			history_giterr(err, "cannot walk the tree");
		goto out;
	}
	rc = export_manifest(repo, tree, destdir, err);
out:
	if (rc == -1 && made) {
		struct buf ignored = BUF_INIT;
		rm_rf(destdir, &ignored);	/* no half folder */
		buf_release(&ignored);
	}
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
	if (!(ref = history_branch_ref(branch, err)))
		goto out;
	if (history_repo_open(repo_dir, false, &repo, err) == -1)
		goto out;
	if (git_remote_create_anonymous(&remote, repo, remote_url) < 0) {
		history_giterr(err, "cannot use the remote");
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
	if (!(ref = history_branch_ref(branch, err)))
		return -1;
	history_lg2_init();
	if ((e = git_repository_open_bare(&repo, repo_dir)) ==
	    GIT_ENOTFOUND) {
		rc = 0;		/* no history yet: nothing to prune */
		goto out;
	}
	if (e < 0) {
		history_giterr(err, "cannot open repository");
		goto out;
	}
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_push_ref(walk, ref) < 0) {
		history_giterr(err, "cannot walk history");
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
			history_giterr(err, "cannot read a commit");
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
			history_giterr(err, "cannot rewrite a commit");
			goto out;
		}
		parent_oid = oid;
		have_parent = 1;
	}
	if (git_reference_create(&newref, repo, ref, &parent_oid, 1,
	    "kiln: prune history") < 0) {
		history_giterr(err, "cannot move the branch");
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
		rc = history_giterr(err, "cannot read a commit's tree");
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
		rc = history_giterr(err, "cannot compare the builds");
	if (rc == 0) {
		int g = git_diff_foreach(diff, diff_file, NULL, NULL, NULL, &x);
		if (g < 0 && g != GIT_EUSER)
			rc = history_giterr(err, "cannot compare the builds");
	}
	git_diff_free(diff);
	git_tree_free(from);
	git_tree_free(to);
	git_repository_free(repo);
	free(ref);
	return rc;
}
