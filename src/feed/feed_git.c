/* SPDX-License-Identifier: ISC */
/*
 * feed_git.c: a unit's source in a git repository (feed.h): a bare
 * clone of the repository, and the tree of the ref written out as a
 * plain folder, through libgit2.
 */
#include "common/compat.h"

#include <git2.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"
#include "feed/feed.h"

static int
git_fail(const char *what, struct buf *err)
{
	const git_error *e = git_error_last();

	buf_setf(err, "git: %s: %s", what, e && e->message ? e->message :
	    "failed");
	return -1;
}

/* REF as written, else as a branch of the cloned remote */
static int
resolve(git_repository *repo, const char *ref, git_object **tree,
    struct buf *err)
{
	git_object *obj = NULL;
	char *remote = xasprintf("origin/%s", ref);
	int rc = -1;

	if (git_revparse_single(&obj, repo, ref) < 0 &&
	    git_revparse_single(&obj, repo, remote) < 0) {
		buf_setf(err, "git: no ref '%s' in the repository", ref);
		goto out;
	}
	if (git_object_peel(tree, obj, GIT_OBJECT_TREE) < 0) {
		git_fail(ref, err);
		goto out;
	}
	rc = 0;
out:
	git_object_free(obj);
	free(remote);
	return rc;
}

int
feed_git_checkout(const char *url, const char *ref, const char *work,
    const char *dest, struct buf *err)
{
	git_clone_options co;
	git_checkout_options ck;
	git_repository *repo = NULL;
	git_object *tree = NULL;
	char *bare = xasprintf("%s/source.git", work);
	int rc = -1;

	git_libgit2_init();
	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	git_checkout_options_init(&ck, GIT_CHECKOUT_OPTIONS_VERSION);
	co.bare = 1;
	if (rm_rf(bare, err) == -1 || mkdir_p(dest, err) == -1)
		goto out;
	if (git_clone(&repo, url, bare, &co) < 0) {
		git_fail(url, err);
		goto out;
	}
	if (resolve(repo, ref, &tree, err) == -1)
		goto out;
	ck.checkout_strategy = GIT_CHECKOUT_FORCE;
	ck.target_directory = dest;
	if (git_checkout_tree(repo, tree, &ck) < 0) {
		git_fail("checkout", err);
		goto out;
	}
	rc = 0;
out:
	git_object_free(tree);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(bare);
	return rc;
}
