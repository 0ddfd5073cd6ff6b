/* SPDX-License-Identifier: ISC */
/*
 * history_int.h: the history module's own helpers (not for callers).
 *
 * The manifest in a commit's tree (decision 0320).  A build's
 * .kiln/manifest.json is stored as
 *
 *   .kiln/manifest/head.json    {"version":1,"build":..,"generated":..,
 *                                "files":[]}
 *   .kiln/manifest/XX.json      the entries whose path hashes to shard
 *                               XX (FNV-1a of the path, low 8 bits, two
 *                               lower-case hex digits), as a manifest
 *                               with an empty build and time; a shard
 *                               with no entry is not in the tree
 *
 * so that an edit rewrites the few shards of the paths it changed.
 * manifest_to_json of head's build and time and every shard's entries
 * in path order is the build's manifest again, byte for byte: a build
 * whose manifest is not in that exact text (an external build command's)
 * is stored as one .kiln/manifest.json blob, as every commit was before
 * this layout.  Readers accept both.
 */
#ifndef KILN_HISTORY_INT_H
#define KILN_HISTORY_INT_H

#include <git2.h>

#include "common/manifest.h"

struct buf;

/* history.c: shared with history_repo.c */
/* libgit2 initialised, once a process */
void history_lg2_init(void);
/* -1 with err: WHAT and libgit2's last error */
int history_giterr(struct buf *err, const char *what);
/* "refs/heads/BRANCH", or NULL with err for a bad branch name */
char *history_branch_ref(const char *branch, struct buf *err);
/* the bare repository at DIR (made when CREATE): 0, or -1 with err */
int history_repo_open(const char *dir, bool create, git_repository **repo,
    struct buf *err);

#define HM_DIR		".kiln/manifest"
#define HM_HEAD		".kiln/manifest/head.json"
#define HM_SHARDS	MANIFEST_SHARDS	/* manifest_shard() */

/* ".kiln/manifest/XX.json" for shard S */
void hm_shard_path(unsigned s, char out[32]);
/* does TREE hold its manifest in shards? */
bool hm_tree_sharded(git_tree *tree);
/*
 * The committed manifest of TREE, in either layout: 0, 1 when the tree
 * has none, -1 with err.
 */
int hm_tree_manifest(git_repository *repo, git_tree *tree,
    struct manifest *m, struct buf *err);
/* shard S of TREE (empty when it is not in the tree): 0 or -1 with err */
int hm_tree_shard(git_repository *repo, git_tree *tree, unsigned s,
    struct manifest *m, struct buf *err);
/* the blob of a shard holding the N entries E (path order) */
int hm_write_shard(git_repository *repo, const struct manifest_entry *e,
    size_t n, git_oid *oid, struct buf *err);
/* the blob of head.json for BUILD and GENERATED */
int hm_write_head(git_repository *repo, const char *build,
    const char *generated, git_oid *oid, struct buf *err);
#endif
