/* SPDX-License-Identifier: ISC */
/*
 * history.h: build history in git (libgit2).
 *
 * Every deployed build's output folder (with its manifest, stored in
 * shards under .kiln/manifest/, history_int.h) is one commit on a branch
 * of a bare repository.  A commit is built from the previous commit's
 * tree with only the changed paths written: the build's
 * .kiln/changes.json says what changed when it starts from the output
 * the last commit was made from (decision 0320), else the manifests'
 * SHA-256 do.  So a 1-page edit of a 100,000-page site writes one blob,
 * one manifest shard, the trees on their paths, and one commit.
 *
 * History never blocks publishing: callers log and report a failure and
 * go on; a push that failed is retried by the next push of the branch,
 * which carries every unpushed commit.
 *
 * Thread rule: each call opens and closes its own repository handle, so
 * calls are safe from any thread, but two commits to one repository must
 * not run at once (the worker serialises builds of a site).
 */
#ifndef KILN_HISTORY_H
#define KILN_HISTORY_H

struct buf;

struct history_commit_info {
	char commit[41];	/* the new commit id (hex) */
	size_t written;		/* site files written (changed or new) */
	size_t removed;		/* paths removed */
	size_t unchanged;	/* paths reused from the previous tree */
	bool full;		/* tree built from scratch */
	bool fast;		/* made from the build's changes list alone
				   (decision 0320); unchanged is not counted */
	bool same_tree;		/* nothing changed: no commit; commit is
				   the previous one */
};

/*
 * Commit the output folder OUTDIR (which must hold .kiln/manifest.json) to
 * the bare repository REPO_DIR (created if missing) on BRANCH.  The
 * message names BUILD_ID, REASONS and the pages that changed; trailers
 * "Kiln-Build: ID" and "Kiln-Reasons: ..." make the build findable, and
 * "Kiln-Output: ID" names the output (from OUTDIR's changes.json).
 * Returns 0 and fills info, or -1 with err.
 */
int history_commit(const char *repo_dir, const char *branch,
    const char *outdir, const char *build_id, const char *reasons,
    struct history_commit_info *info, struct buf *err);

/*
 * Find the newest commit of BUILD_ID on BRANCH.  Returns 0 and the hex id,
 * 1 if there is none, -1 with err on error.
 */
int history_find_build(const char *repo_dir, const char *branch,
    const char *build_id, char commit[41], struct buf *err);

/*
 * Write the tree of COMMIT (hex, or "build:ID") into DESTDIR, which must
 * not exist yet: a complete output folder, manifest included, for a
 * rollback through the normal deploy.
 */
int history_export(const char *repo_dir, const char *branch,
    const char *commit, const char *destdir, struct buf *err);

struct history_push_opts {
	const char *ssh_key;	/* private key file, or NULL */
	const char *token_env;	/* env var with "TOKEN" or "USER:TOKEN" */
};

/*
 * Push BRANCH to REMOTE_URL.  Credentials never go in the URL; messages
 * never contain them (URLs are scrubbed of user info).  -1 with err.
 */
int history_push(const char *repo_dir, const char *branch,
    const char *remote_url, const struct history_push_opts *opts,
    struct buf *err);

/*
 * Keep only the newest KEEP commits of BRANCH (the oldest kept one becomes
 * a root commit; trees are shared, ids of kept commits change).  KEEP 0
 * keeps everything.  Returns the number of commits dropped (0 when there
 * is no repository at REPO_DIR yet), or -1.
 */
int history_prune(const char *repo_dir, const char *branch, size_t keep,
    struct buf *err);

struct history_entry {
	char commit[41];
	char build[32];		/* from the Kiln-Build trailer, or "" */
	int64_t time;		/* commit time, seconds since the epoch */
	const char *summary;	/* first line of the message (borrowed) */
};

/*
 * Call fn for each commit of BRANCH, newest first, at most LIMIT (0 = all).
 * fn returns 0 to go on, non-zero to stop.  Returns 0, or -1 with err
 * (a repository without the branch has no entries: 0).
 */
int history_log(const char *repo_dir, const char *branch, size_t limit,
    int (*fn)(const struct history_entry *, void *), void *arg,
    struct buf *err);

/*
 * What rolling back to BUILD_ID changes: call FN for each file that
 * differs between the branch's newest commit (the live build) and that
 * build's commit, OP '+' (the rollback adds it), '-' (removes it) or '~'
 * (changes it), kiln's own .kiln/ left out.  FN returns 0 to go on.  0,
 * 1 when the build (or the branch) has no commit, -1 with err.
 */
int history_diff_build(const char *repo_dir, const char *branch,
    const char *build_id, int (*fn)(void *arg, char op, const char *path),
    void *arg, struct buf *err);

/* copy URL into out with any "user:password@" replaced by "***@" */
void history_scrub_url(const char *url, struct buf *out);

#endif
