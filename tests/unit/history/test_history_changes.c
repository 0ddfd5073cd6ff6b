/* SPDX-License-Identifier: ISC */
/*
 * test_history_changes.c: commits made from a build's changes list
 * (decision 0320) give the trees of commits made from the manifests;
 * anything that does not fit falls back; a repository of the old layout
 * (one manifest blob) keeps working and rolls back byte for byte.
 */
#include "test.h"

#include <git2.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/xmalloc.h"
#include "history/history.h"

/* write DIR with FILES ({path, content}..., NULL-ended) and its manifest */
static void
write_out(const char *dir, const char *const *files, const char *build,
    struct manifest *m)
{
	struct buf err = BUF_INIT;
	char path[1024], sha[65];

	CHECK_OK(rm_rf(dir, &err));
	manifest_init(m);
	for (size_t i = 0; files[i]; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		CHECK_OK(mkdir_parent(path, &err));
		CHECK_OK(file_write(path, files[i + 1], strlen(files[i + 1]),
		    &err));
		sha256_hex(files[i + 1], strlen(files[i + 1]), sha);
		manifest_add(m, files[i], sha, (int64_t)strlen(files[i + 1]),
		    mime_type_for(files[i]), "public, max-age=60", false,
		    strstr(files[i], ".html") ? MK_HTML : MK_OTHER);
	}
	free(m->build);
	m->build = xstrdup(build);
	CHECK_OK(manifest_sort(m, &err));
	CHECK_OK(manifest_save(m, dir, &err));
	buf_release(&err);
}

/* DIR's changes.json: output ID over BASE, from OLD to NEW */
static void
write_changes(const char *dir, const char *id, const char *base,
    const struct manifest *old, const struct manifest *new)
{
	struct buf err = BUF_INIT, text = BUF_INIT;
	struct manifest files;
	const char *removed[64];
	size_t nremoved = 0;
	char path[1024];

	manifest_init(&files);
	for (size_t i = 0; i < new->nfiles; i++) {
		const struct manifest_entry *o = manifest_find(old,
		    new->files[i].path);
		if (!o || strcmp(o->sha256, new->files[i].sha256) != 0)
			manifest_add_copy(&files, &new->files[i]);
	}
	for (size_t i = 0; i < old->nfiles && nremoved < 64; i++)
		if (!manifest_find(new, old->files[i].path))
			removed[nremoved++] = old->files[i].path;
	changes_to_json(&text, id, base, removed, nremoved, files.files,
	    files.nfiles);
	snprintf(path, sizeof(path), "%s/%s", dir, CHANGES_PATH);
	CHECK_OK(file_write(path, text.buf, text.len, &err));
	manifest_release(&files);
	buf_release(&text);
	buf_release(&err);
}

static void
tree_hex(const char *repo_dir, const char *commit, char out[41])
{
	git_repository *repo;
	git_object *obj;

	CHECK_OK(git_repository_open_bare(&repo, repo_dir));
	CHECK_OK(git_revparse_single(&obj, repo, commit));
	git_oid_tostr(out, 41, git_commit_tree_id((git_commit *)obj));
	git_object_free(obj);
	git_repository_free(repo);
}

/* COMMIT's message from its first line to its Kiln-Build trailer */
static void
message_pages(const char *repo_dir, const char *commit, struct buf *out)
{
	git_repository *repo;
	git_object *obj;
	const char *msg, *end;

	CHECK_OK(git_repository_open_bare(&repo, repo_dir));
	CHECK_OK(git_revparse_single(&obj, repo, commit));
	msg = git_commit_message((git_commit *)obj);
	end = strstr(msg, "\nKiln-Build: ");
	CHECK_NOT_NULL(end);
	buf_reset(out);
	buf_add(out, msg, (size_t)(end - msg));
	git_object_free(obj);
	git_repository_free(repo);
}

static bool
same_file(const char *a, const char *b)
{
	struct buf x = BUF_INIT, y = BUF_INIT, err = BUF_INIT;
	bool same;

	CHECK_OK(file_read(a, &x, 1 << 20, &err));
	CHECK_OK(file_read(b, &y, 1 << 20, &err));
	same = x.len == y.len && memcmp(x.buf, y.buf, x.len) == 0;
	buf_release(&x);
	buf_release(&y);
	buf_release(&err);
	return same;
}

static const char *const s1[] = {
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a one</p>",
	"news/b/index.html", "<p>b one</p>",
	"news/c/index.html", "<p>c one</p>",
	"css/site.0123abcd.css", "body{}",
	"feed.xml", "<feed/>",
	NULL
};
static const char *const s2[] = {	/* an edit */
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a TWO</p>",
	"news/b/index.html", "<p>b one</p>",
	"news/c/index.html", "<p>c one</p>",
	"css/site.0123abcd.css", "body{}",
	"feed.xml", "<feed>a</feed>",
	NULL
};
static const char *const s3[] = {	/* a delete */
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a TWO</p>",
	"news/c/index.html", "<p>c one</p>",
	"css/site.0123abcd.css", "body{}",
	"feed.xml", "<feed>a</feed>",
	NULL
};
static const char *const s4[] = {	/* a rename, and a new folder */
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a TWO</p>",
	"news/d/index.html", "<p>c one</p>",
	"events/x/index.html", "<p>x</p>",
	"events/y/index.html", "<p>y</p>",
	"css/site.0123abcd.css", "body{}",
	"feed.xml", "<feed>a</feed>",
	NULL
};
static const char *const s5[] = {	/* a folder emptied, files back */
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a three</p>",
	"news/b/index.html", "<p>b one</p>",
	"css/site.0123abcd.css", "body{}",
	"feed.xml", "<feed>b</feed>",
	NULL
};
static const char *const *const seq[] = { s1, s2, s3, s4, s5, NULL };
static const char *const ids[] = {
	"00000000000000000000000000000001", "00000000000000000000000000000002",
	"00000000000000000000000000000003", "00000000000000000000000000000004",
	"00000000000000000000000000000005",
};

TEST(history, changes_give_the_trees_of_the_manifests)
{
	struct history_commit_info fi, si;
	struct manifest prev, cur;
	struct buf err = BUF_INIT, fm = BUF_INIT, sm = BUF_INIT;
	char ft[41], st[41], bid[8], dir[64];

	git_libgit2_init();
	manifest_init(&prev);
	for (size_t k = 0; seq[k]; k++) {
		snprintf(bid, sizeof(bid), "%zu", k + 1);
		/* the same output, without its changes: the manifests' way */
		write_out("slow", seq[k], bid, &cur);
		CHECK_OK(history_commit("s.git", "main", "slow", bid, "edit",
		    &si, &err));
		manifest_release(&cur);
		write_out("fast", seq[k], bid, &cur);
		write_changes("fast", ids[k], k ? ids[k - 1] : "", &prev,
		    &cur);
		CHECK_OK(history_commit("f.git", "main", "fast", bid, "edit",
		    &fi, &err));
		CHECK(fi.fast == (k > 0));
		CHECK(!si.fast);
		tree_hex("f.git", fi.commit, ft);
		tree_hex("s.git", si.commit, st);
		CHECK_STR_EQ(ft, st);
		message_pages("f.git", fi.commit, &fm);
		message_pages("s.git", si.commit, &sm);
		CHECK_STR_EQ(fm.buf, sm.buf);
		/* checked out, it is the output, manifest byte for byte */
		snprintf(dir, sizeof(dir), "back%zu", k);
		CHECK_OK(history_export("f.git", "main", fi.commit, dir, &err));
		for (size_t i = 0; seq[k][i]; i += 2) {
			char a[256], b[256];
			snprintf(a, sizeof(a), "fast/%s", seq[k][i]);
			snprintf(b, sizeof(b), "%s/%s", dir, seq[k][i]);
			CHECK(same_file(a, b));
		}
		snprintf(dir, sizeof(dir), "back%zu/" MANIFEST_PATH, k);
		CHECK(same_file("fast/" MANIFEST_PATH, dir));
		manifest_release(&prev);
		prev = cur;
	}
	CHECK_INT_EQ(fi.written, 3);	/* s5: a, b back, feed */
	CHECK_INT_EQ(fi.removed, 3);
	CHECK(strstr(fm.buf, "Pages removed:\n  /events/x/\n  /events/y/\n"
	    "  /news/d/\n") != NULL);
	manifest_release(&prev);
	buf_release(&fm);
	buf_release(&sm);
	buf_release(&err);
}

TEST(history, changes_that_do_not_fit_fall_back)
{
	struct history_commit_info i;
	struct manifest m1, m2, m3;
	struct buf err = BUF_INIT;
	char t[41], want[41];

	git_libgit2_init();
	write_out("o", s1, "1", &m1);
	write_changes("o", ids[0], "", &m1, &m1);
	CHECK_OK(history_commit("h.git", "main", "o", "1", "x", &i, &err));
	/* another base: the manifests' way, the same tree */
	write_out("o", s2, "2", &m2);
	write_changes("o", ids[1], ids[2], &m1, &m2);
	CHECK_OK(history_commit("h.git", "main", "o", "2", "x", &i, &err));
	CHECK(!i.fast);
	CHECK_INT_EQ(i.written, 2);
	CHECK_OK(history_commit("s.git", "main", "o", "2", "x", &i, &err));
	/* the right base, but a list that removes what the base lacks */
	write_out("o", s3, "3", &m3);
	m2.files[0].path[0] = 'Z';	/* "Zss/..." was never there */
	write_changes("o", ids[2], ids[1], &m2, &m3);
	CHECK_OK(history_commit("h.git", "main", "o", "3", "x", &i, &err));
	CHECK(!i.fast);
	tree_hex("h.git", i.commit, t);
	CHECK_OK(history_commit("s.git", "main", "o", "3", "x", &i, &err));
	tree_hex("s.git", i.commit, want);
	CHECK_STR_EQ(t, want);
	manifest_release(&m1);
	manifest_release(&m2);
	manifest_release(&m3);
	buf_release(&err);
}

/* commit OUT in the layout before decision 0320: one manifest blob */
static void
old_layout_commit(const char *repo_dir, const char *out,
    const char *const *files, const char *output_id)
{
	git_repository *repo;
	git_index *idx;
	git_index_entry ie;
	git_signature *sig;
	git_tree *tree;
	git_oid oid, tree_oid;
	char path[1024], msg[256];

	CHECK_OK(git_repository_init(&repo, repo_dir, 1));
	CHECK_OK(git_index_new(&idx));
	for (size_t i = 0; ; i += 2) {
		const char *p = files[i] ? files[i] : MANIFEST_PATH;
		snprintf(path, sizeof(path), "%s/%s", out, p);
		CHECK_OK(git_blob_create_from_disk(&oid, repo, path));
		memset(&ie, 0, sizeof(ie));
		ie.mode = GIT_FILEMODE_BLOB;
		ie.path = p;
		ie.id = oid;
		CHECK_OK(git_index_add(idx, &ie));
		if (!files[i])
			break;
	}
	CHECK_OK(git_index_write_tree_to(&tree_oid, idx, repo));
	CHECK_OK(git_tree_lookup(&tree, repo, &tree_oid));
	CHECK_OK(git_signature_now(&sig, "kiln", "kiln@localhost"));
	snprintf(msg, sizeof(msg), "build 1: old\n\nKiln-Build: 1\n"
	    "Kiln-Reasons: old\nKiln-Output: %s\n", output_id);
	CHECK_OK(git_commit_create(&oid, repo, "refs/heads/main", sig, sig,
	    NULL, msg, tree, 0, NULL));
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_repository_free(repo);
}

TEST(history, old_layout_keeps_working)
{
	struct history_commit_info i;
	struct manifest m1, m2, m3;
	struct buf err = BUF_INIT;

	git_libgit2_init();
	write_out("o", s1, "1", &m1);
	{
		struct buf t = BUF_INIT;
		CHECK_OK(file_read("o/" MANIFEST_PATH, &t, 1 << 20, &err));
		CHECK_OK(file_write("m1.json", t.buf, t.len, &err));
		buf_release(&t);
	}
	old_layout_commit("h.git", "o", s1, ids[0]);
	CHECK_OK(history_export("h.git", "main", "build:1", "r1", &err));
	CHECK(same_file("m1.json", "r1/" MANIFEST_PATH));
	/* the base fits, but its tree has the old layout: the slow way,
	   which moves the manifest to shards */
	write_out("o", s2, "2", &m2);
	write_changes("o", ids[1], ids[0], &m1, &m2);
	CHECK_OK(history_commit("h.git", "main", "o", "2", "x", &i, &err));
	CHECK(!i.fast);
	CHECK_INT_EQ(i.written, 2);
	CHECK_OK(history_export("h.git", "main", "build:2", "r2", &err));
	CHECK(same_file("o/" MANIFEST_PATH, "r2/" MANIFEST_PATH));
	CHECK(!file_exists("r2/.kiln/manifest/head.json"));
	/* from then on, the changes' way */
	write_out("o", s3, "3", &m3);
	write_changes("o", ids[2], ids[1], &m2, &m3);
	CHECK_OK(history_commit("h.git", "main", "o", "3", "x", &i, &err));
	CHECK(i.fast);
	CHECK_INT_EQ(i.removed, 1);
	/* and the old commit still rolls back byte for byte */
	CHECK_OK(history_export("h.git", "main", "build:1", "r1b", &err));
	CHECK(same_file("m1.json", "r1b/" MANIFEST_PATH));
	CHECK(same_file("o/news/a/index.html", "r2/news/a/index.html"));
	manifest_release(&m1);
	manifest_release(&m2);
	manifest_release(&m3);
	buf_release(&err);
}

TEST(history, manifest_in_other_text_is_kept_whole)
{
	struct history_commit_info i;
	struct manifest m;
	struct buf err = BUF_INIT, text = BUF_INIT;

	git_libgit2_init();
	write_out("o", s1, "1", &m);
	/* an external build command's manifest: the same entries, another
	   text (a blank line at the end) */
	manifest_to_json(&m, &text);
	CHECK_OK(buf_adds(&text, "\n"));
	CHECK_OK(file_write("o/" MANIFEST_PATH, text.buf, text.len, &err));
	CHECK_OK(history_commit("h.git", "main", "o", "1", "x", &i, &err));
	CHECK_OK(history_export("h.git", "main", i.commit, "r", &err));
	CHECK(same_file("o/" MANIFEST_PATH, "r/" MANIFEST_PATH));
	CHECK(!file_exists("r/.kiln/manifest/head.json"));
	/* and the next commit, in shards, is the new text again */
	manifest_release(&m);
	write_out("o", s2, "2", &m);
	CHECK_OK(history_commit("h.git", "main", "o", "2", "x", &i, &err));
	CHECK(!i.fast);
	CHECK_OK(history_export("h.git", "main", i.commit, "r2", &err));
	CHECK(same_file("o/" MANIFEST_PATH, "r2/" MANIFEST_PATH));
	manifest_release(&m);
	buf_release(&text);
	buf_release(&err);
}
