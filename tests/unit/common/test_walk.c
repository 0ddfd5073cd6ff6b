/* SPDX-License-Identifier: ISC */
/*
 * test_walk.c: the tree walker (common/walk.h): links inside the tree are
 * followed, links out of it, dangling links, loops and FIFOs are errors
 * naming the path; a missing root is empty.
 */
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/walk.h"

static void
touch(const char *path)
{
	struct buf err = BUF_INIT;

	if (mkdir_parent(path, &err) == -1 ||
	    file_write(path, "x", 1, &err) == -1)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	buf_release(&err);
}

/* walk ROOT; the files joined by ' ', or "ERR: message" */
static const char *
walk(const char *root)
{
	static char res[1024];
	struct walk_list l = WALK_LIST_INIT;
	struct buf err = BUF_INIT;

	res[0] = '\0';
	if (walk_files(root, &l, &err) == -1)
		snprintf(res, sizeof(res), "ERR: %s", err.buf);
	for (size_t i = 0; !err.len && i < l.n; i++) {
		strlcat(res, i ? " " : "", sizeof(res));
		strlcat(res, l.v[i], sizeof(res));
	}
	walk_list_release(&l);
	buf_release(&err);
	return res;
}

TEST(walk, links_inside_followed_outside_refused)
{
	touch("t/b/z.css");
	touch("t/a.txt");
	touch("t/.hidden");
	touch("outside.txt");
	CHECK_OK(symlink("b", "t/c"));
	CHECK_OK(symlink("a.txt", "t/d.txt"));
	CHECK_STR_EQ(walk("t"), "a.txt b/z.css c/z.css d.txt");
	CHECK_STR_EQ(walk("missing"), "");
	CHECK_OK(symlink("../outside.txt", "t/e.txt"));
	CHECK_STR_EQ(walk("t"), "ERR: t/e.txt: symbolic link points outside "
	    "'t'");
	CHECK_OK(unlink("t/e.txt"));
	CHECK_OK(symlink("..", "t/b/up"));
	CHECK_STR_EQ(walk("t"), "ERR: t/b/up: symbolic link loop (a folder "
	    "inside itself)");
	CHECK_STR_EQ(walk("t/b"), "ERR: t/b/up: symbolic link points outside "
	    "'t/b'");
	CHECK_OK(unlink("t/b/up"));
	CHECK_OK(symlink("../b", "t/b/loop"));
	CHECK_STR_EQ(walk("t"), "ERR: t/b/loop: symbolic link loop (a folder "
	    "inside itself)");
	CHECK_OK(unlink("t/b/loop"));
	CHECK_OK(symlink("g", "t/f"));
	CHECK_OK(symlink("f", "t/g"));
	CHECK_STR_EQ(walk("t"), "ERR: t/f: symbolic link loop");
	CHECK_OK(unlink("t/f"));
	CHECK_OK(unlink("t/g"));
	CHECK_OK(symlink("nowhere", "t/h"));
	CHECK_STR_EQ(walk("t"), "ERR: t/h: dangling symbolic link");
	CHECK_OK(unlink("t/h"));
	CHECK_OK(mkfifo("t/p", 0600));
	CHECK_STR_EQ(walk("t"), "ERR: t/p: not a file or a folder");
}
