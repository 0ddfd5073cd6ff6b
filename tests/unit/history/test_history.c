/* SPDX-License-Identifier: ISC */
/* test_history.c: commits of output trees, reuse, export, prune. */
#include "test.h"

#include <git2.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "history/history.h"

/* write an output folder DIR with files {path, content}..., NULL-ended */
static void
make_out(const char *dir, const char *const *files)
{
	struct manifest m;
	struct buf err = BUF_INIT;
	char path[1024], sha[65];

	CHECK_OK(rm_rf(dir, &err));
	manifest_init(&m);
	for (size_t i = 0; files[i]; i += 2) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		CHECK_OK(mkdir_parent(path, &err));
		CHECK_OK(file_write(path, files[i + 1], strlen(files[i + 1]),
		    &err));
		sha256_hex(files[i + 1], strlen(files[i + 1]), sha);
		manifest_add(&m, files[i], sha, (int64_t)strlen(files[i + 1]),
		    mime_type_for(files[i]), "public, max-age=60", false,
		    strstr(files[i], ".html") ? MK_HTML : MK_OTHER);
	}
	CHECK_OK(manifest_sort(&m, &err));
	CHECK_OK(manifest_save(&m, dir, &err));
	manifest_release(&m);
	buf_release(&err);
}

static void
entry_id(const char *repo_dir, const char *commit, const char *path,
    git_oid *out)
{
	git_repository *repo;
	git_object *obj;
	git_tree *tree;
	git_tree_entry *te;

	CHECK_OK(git_repository_open_bare(&repo, repo_dir));
	CHECK_OK(git_revparse_single(&obj, repo, commit));
	CHECK_OK(git_commit_tree(&tree, (git_commit *)obj));
	CHECK_OK(git_tree_entry_bypath(&te, tree, path));
	git_oid_cpy(out, git_tree_entry_id(te));
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
}

static bool
has_path(const char *repo_dir, const char *commit, const char *path)
{
	git_repository *repo;
	git_object *obj;
	git_tree *tree;
	git_tree_entry *te = NULL;
	int r;

	CHECK_OK(git_repository_open_bare(&repo, repo_dir));
	CHECK_OK(git_revparse_single(&obj, repo, commit));
	CHECK_OK(git_commit_tree(&tree, (git_commit *)obj));
	r = git_tree_entry_bypath(&te, tree, path);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
	return r == 0;
}

static const char *const v1[] = {
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a one</p>",
	"news/b/index.html", "<p>b one</p>",
	"css/site.0123abcd.css", "body{}",
	NULL
};
static const char *const v2[] = {
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a TWO</p>",
	"news/b/index.html", "<p>b one</p>",
	"css/site.0123abcd.css", "body{}",
	NULL
};
static const char *const v3[] = {
	"index.html", "<h1>home</h1>",
	"news/a/index.html", "<p>a TWO</p>",
	"css/site.0123abcd.css", "body{}",
	NULL
};

TEST(history, commit_matches_manifest)
{
	struct history_commit_info info;
	struct buf err = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	char commit[41];

	git_libgit2_init();
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1",
	    "page published", &info, &err));
	CHECK(info.full);
	CHECK_INT_EQ(info.written, 4);	/* the 4 files */
	CHECK_OK(history_export("h.git", "main", info.commit, "back", &err));
	for (size_t i = 0; v1[i]; i += 2) {
		char p1[512], p2[512];
		snprintf(p1, sizeof(p1), "out/%s", v1[i]);
		snprintf(p2, sizeof(p2), "back/%s", v1[i]);
		CHECK_OK(file_read(p1, &a, 1 << 20, &err));
		CHECK_OK(file_read(p2, &b, 1 << 20, &err));
		CHECK_STR_EQ(b.buf, a.buf);
	}
	CHECK_OK(file_read("out/.kiln/manifest.json", &a, 1 << 20, &err));
	CHECK_OK(file_read("back/.kiln/manifest.json", &b, 1 << 20, &err));
	CHECK_STR_EQ(b.buf, a.buf);
	CHECK_INT_EQ(history_find_build("h.git", "main", "1", commit, &err),
	    0);
	CHECK_STR_EQ(commit, info.commit);
	CHECK_INT_EQ(history_find_build("h.git", "main", "17", commit, &err),
	    1);
	/* export refuses to write over an existing folder */
	CHECK_INT_EQ(history_export("h.git", "main", info.commit, "back",
	    &err), -1);
	buf_release(&a);
	buf_release(&b);
	buf_release(&err);
}

TEST(history, second_commit_reuses_unchanged_objects)
{
	struct history_commit_info i1, i2, i3;
	struct buf err = BUF_INIT;
	git_oid x, y;

	git_libgit2_init();
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1", "manual", &i1,
	    &err));
	make_out("out", v2);
	CHECK_OK(history_commit("h.git", "main", "out", "2",
	    "page published", &i2, &err));
	CHECK(!i2.full);
	CHECK_INT_EQ(i2.written, 1);
	CHECK_INT_EQ(i2.unchanged, 3);
	CHECK_INT_EQ(i2.removed, 0);
	entry_id("h.git", i1.commit, "news/b", &x);
	entry_id("h.git", i2.commit, "news/b", &y);
	CHECK(git_oid_equal(&x, &y));		/* subtree reused */
	entry_id("h.git", i1.commit, "css", &x);
	entry_id("h.git", i2.commit, "css", &y);
	CHECK(git_oid_equal(&x, &y));
	entry_id("h.git", i1.commit, "news/a/index.html", &x);
	entry_id("h.git", i2.commit, "news/a/index.html", &y);
	CHECK(!git_oid_equal(&x, &y));
	make_out("out", v3);
	CHECK_OK(history_commit("h.git", "main", "out", "3",
	    "page unpublished", &i3, &err));
	CHECK_INT_EQ(i3.removed, 1);
	CHECK(!has_path("h.git", i3.commit, "news/b/index.html"));
	CHECK(has_path("h.git", i2.commit, "news/b/index.html"));
	/* rollback source: the tree of build 2 by build id */
	CHECK_OK(history_export("h.git", "main", "build:2", "r2", &err));
	CHECK(file_exists("r2/news/b/index.html"));
	buf_release(&err);
}

TEST(history, message_names_build_reasons_and_pages)
{
	struct history_commit_info i;
	struct buf err = BUF_INIT;
	git_repository *repo;
	git_object *obj;
	const char *msg;

	git_libgit2_init();
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1", "manual", &i,
	    &err));
	make_out("out", v3);
	CHECK_OK(history_commit("h.git", "main", "out", "2",
	    "page published, scheduled", &i, &err));
	CHECK_OK(git_repository_open_bare(&repo, "h.git"));
	CHECK_OK(git_revparse_single(&obj, repo, i.commit));
	msg = git_commit_message((git_commit *)obj);
	CHECK(strstr(msg, "build 2: page published, scheduled\n") == msg);
	CHECK(strstr(msg, "Pages changed:\n  /news/a/\n") != NULL);
	CHECK(strstr(msg, "Pages removed:\n  /news/b/\n") != NULL);
	CHECK(strstr(msg, "Kiln-Build: 2\n") != NULL);
	git_object_free(obj);
	git_repository_free(repo);
	buf_release(&err);
}

TEST(history, prune_keeps_newest)
{
	struct history_commit_info i;
	struct buf err = BUF_INIT;
	git_oid before, after;
	char id[8];

	git_libgit2_init();
	for (int n = 1; n <= 5; n++) {
		make_out("out", n % 2 ? v1 : v2);
		snprintf(id, sizeof(id), "%d", n);
		CHECK_OK(history_commit("h.git", "main", "out", id, "manual",
		    &i, &err));
	}
	entry_id("h.git", "main", "news/a/index.html", &before);
	CHECK_INT_EQ(history_prune("h.git", "main", 0, &err), 0);
	CHECK_INT_EQ(history_prune("h.git", "main", 2, &err), 3);
	entry_id("h.git", "main", "news/a/index.html", &after);
	CHECK(git_oid_equal(&before, &after));
	CHECK_INT_EQ(history_find_build("h.git", "main", "5", i.commit, &err),
	    0);
	CHECK_INT_EQ(history_find_build("h.git", "main", "4", i.commit, &err),
	    0);
	CHECK_INT_EQ(history_find_build("h.git", "main", "3", i.commit, &err),
	    1);
	CHECK_INT_EQ(history_prune("h.git", "main", 2, &err), 0);
	buf_release(&err);
}

/* no repository yet is nothing to prune, not an error (sched_gc) */
TEST(history, prune_without_repository)
{
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(history_prune("none.git", "main", 2, &err), 0);
	CHECK_INT_EQ((int)err.len, 0);
	buf_release(&err);
}

TEST(history, scrub_url_and_refuse_credentials)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct history_commit_info i;

	history_scrub_url("https://bob:s3cret@example.org/x.git", &out);
	CHECK_STR_EQ(out.buf, "https://***@example.org/x.git");
	buf_reset(&out);
	history_scrub_url("git://127.0.0.1:9418/x.git", &out);
	CHECK_STR_EQ(out.buf, "git://127.0.0.1:9418/x.git");
	git_libgit2_init();
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1", "manual", &i,
	    &err));
	CHECK_INT_EQ(history_push("h.git", "main",
	    "https://bob:s3cret@127.0.0.1:1/x.git", NULL, &err), -1);
	CHECK(strstr(err.buf, "s3cret") == NULL);
	CHECK(strstr(err.buf, "history.remote") != NULL);
	buf_release(&out);
	buf_release(&err);
}

TEST(history, push_to_bare_repository)
{
	struct history_commit_info i;
	struct buf err = BUF_INIT;
	git_repository *remote;
	git_oid oid;
	char want[41], got[41];

	git_libgit2_init();
	CHECK_OK(git_repository_init(&remote, "remote.git", 1));
	git_repository_free(remote);
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1", "manual", &i,
	    &err));
	CHECK_OK(history_push("h.git", "main", "remote.git", NULL, &err));
	make_out("out", v2);
	CHECK_OK(history_commit("h.git", "main", "out", "2", "manual", &i,
	    &err));
	strlcpy(want, i.commit, sizeof(want));
	CHECK_OK(history_push("h.git", "main", "remote.git", NULL, &err));
	CHECK_OK(git_repository_open_bare(&remote, "remote.git"));
	CHECK_OK(git_reference_name_to_id(&oid, remote, "refs/heads/main"));
	git_oid_tostr(got, sizeof(got), &oid);
	CHECK_STR_EQ(got, want);
	git_repository_free(remote);
	/* a remote that is not there fails without touching the history */
	CHECK_INT_EQ(history_push("h.git", "main", "/nonexistent/r.git", NULL,
	    &err), -1);
	CHECK(strstr(err.buf, "push") != NULL);
	buf_release(&err);
}

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	CHECK_OK(getsockname(fd, (struct sockaddr *)&sa, &len));
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static bool
port_open(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

TEST(history, push_to_git_daemon_and_catch_up)
{
	struct history_commit_info i;
	struct buf err = BUF_INIT;
	char url[128], port_arg[32], base[600], cmd[1024], want[41];
	int port = free_port();
	pid_t pid;
	FILE *f;

	git_libgit2_init();
	snprintf(base, sizeof(base), "--base-path=%s/srv", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "git init -q --bare %s/srv/site.git",
	    test_tmpdir());
	CHECK_OK(system(cmd));
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/site.git", port);
	make_out("out", v1);
	CHECK_OK(history_commit("h.git", "main", "out", "1", "manual", &i,
	    &err));
	/* the remote is down: the push fails, the commit stays */
	CHECK_INT_EQ(history_push("h.git", "main", url, NULL, &err), -1);
	make_out("out", v2);
	CHECK_OK(history_commit("h.git", "main", "out", "2", "manual", &i,
	    &err));
	strlcpy(want, i.commit, sizeof(want));
	snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
	if ((pid = fork()) == 0) {
		execlp("git", "git", "daemon", "--reuseaddr", "--export-all",
		    "--enable=receive-pack", base, "--listen=127.0.0.1",
		    port_arg, (char *)NULL);
		_exit(127);
	}
	for (int t = 0; t < 100 && !port_open(port); t++)
		usleep(50000);
	/* the next push carries both commits */
	CHECK_OK(history_push("h.git", "main", url, NULL, &err));
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "git --git-dir=srv/site.git rev-parse main"
	    " && git --git-dir=srv/site.git rev-list --count main");
	f = popen(cmd, "r");
	CHECK_NOT_NULL(f);
	{
		char got[64] = "", count[16] = "";
		CHECK_NOT_NULL(fgets(got, sizeof(got), f));
		CHECK_NOT_NULL(fgets(count, sizeof(count), f));
		got[strcspn(got, "\n")] = '\0';
		CHECK_STR_EQ(got, want);
		CHECK_STR_EQ(count, "2\n");
	}
	pclose(f);
	buf_release(&err);
}
