/* SPDX-License-Identifier: ISC */
/*
 * history_manifest.c: the manifest in a commit's tree, in shards or as
 * one blob (history_int.h, decision 0320).
 */
#include "common/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/xmalloc.h"
#include "history/history_int.h"

static int
hm_giterr(struct buf *err, const char *what)
{
	const git_error *e = git_error_last();

	buf_setf(err, "history: %s: %s", what,
	    e && e->message ? e->message : "unknown error");
	return -1;
}

void
hm_shard_path(unsigned s, char out[32])
{
	snprintf(out, 32, HM_DIR "/%02x.json", s);
}

bool
hm_tree_sharded(git_tree *tree)
{
	git_tree_entry *te = NULL;
	bool yes = git_tree_entry_bypath(&te, tree, HM_HEAD) == 0;

	git_tree_entry_free(te);
	return yes;
}

/* parse the blob at PATH of TREE into M: 0, 1 absent, -1 with err */
static int
blob_manifest(git_repository *repo, git_tree *tree, const char *path,
    struct manifest *m, struct buf *err)
{
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int rc;

	manifest_init(m);
	if (git_tree_entry_bypath(&te, tree, path) < 0)
		return 1;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		git_tree_entry_free(te);
		return hm_giterr(err, "cannot read the committed manifest");
	}
	rc = manifest_parse(git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob), m, err);
	if (rc == -1) {
		char *why = xstrdup(err->buf ? err->buf : "");
		buf_setf(err, "history: %s: %s", path, why);
		free(why);
	}
	git_blob_free(blob);
	git_tree_entry_free(te);
	return rc;
}

int
hm_tree_shard(git_repository *repo, git_tree *tree, unsigned s,
    struct manifest *m, struct buf *err)
{
	char path[32];

	hm_shard_path(s, path);
	return blob_manifest(repo, tree, path, m, err) == -1 ? -1 : 0;
}

/* move PART's entries to the end of M (PART released) */
static void
move_entries(struct manifest *m, struct manifest *part)
{
	if (m->nfiles + part->nfiles > m->alloc) {
		m->alloc = 2 * (m->nfiles + part->nfiles);
		m->files = xreallocarray(m->files, m->alloc,
		    sizeof(*m->files));
	}
	if (part->nfiles)
		memcpy(m->files + m->nfiles, part->files,
		    part->nfiles * sizeof(*part->files));
	m->nfiles += part->nfiles;
	part->nfiles = 0;	/* the strings are M's now */
	manifest_release(part);
}

/* put every shard of DIR (TREE's .kiln/manifest) into M */
static int
add_shards(git_repository *repo, git_tree *tree, git_tree *dir,
    struct manifest *m, struct buf *err)
{
	struct manifest part;
	size_t n = git_tree_entrycount(dir);
	char path[300];

	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(dir, i);
		const char *name = git_tree_entry_name(te);
		if (strcmp(name, "head.json") == 0)
			continue;
		snprintf(path, sizeof(path), HM_DIR "/%s", name);
		if (blob_manifest(repo, tree, path, &part, err) != 0)
			return -1;
		move_entries(m, &part);
	}
	return manifest_sort(m, err);
}

int
hm_tree_manifest(git_repository *repo, git_tree *tree, struct manifest *m,
    struct buf *err)
{
	git_tree_entry *te = NULL;
	git_tree *dir = NULL;
	int rc;

	if (!hm_tree_sharded(tree))
		return blob_manifest(repo, tree, MANIFEST_PATH, m, err);
	if ((rc = blob_manifest(repo, tree, HM_HEAD, m, err)) != 0)
		return -1;
	if (git_tree_entry_bypath(&te, tree, HM_DIR) < 0 ||
	    git_tree_lookup(&dir, repo, git_tree_entry_id(te)) < 0)
		rc = hm_giterr(err, "cannot read the committed manifest");
	else
		rc = add_shards(repo, tree, dir, m, err);
	if (rc == -1)
		manifest_release(m);
	git_tree_free(dir);
	git_tree_entry_free(te);
	return rc;
}

int
hm_write_shard(git_repository *repo, const struct manifest_entry *e,
    size_t n, git_oid *oid, struct buf *err)
{
	struct buf text = BUF_INIT;
	int rc = 0;

	manifest_shard_json(&text, e, n);
	if (git_blob_create_from_buffer(oid, repo, text.buf, text.len) < 0)
		rc = hm_giterr(err, "cannot store the manifest");
	buf_release(&text);
	return rc;
}

int
hm_write_head(git_repository *repo, const char *build,
    const char *generated, git_oid *oid, struct buf *err)
{
	struct buf text = BUF_INIT;
	int rc = 0;

	manifest_json_head(&text, build, generated);
	manifest_json_tail(&text);
	if (git_blob_create_from_buffer(oid, repo, text.buf, text.len) < 0)
		rc = hm_giterr(err, "cannot store the manifest");
	buf_release(&text);
	return rc;
}
