/* SPDX-License-Identifier: ISC */
/*
 * test_dir.c: a dir destination's create-if-absent is atomic (the
 * Gatekeeper of units, decision 0271): of many processes writing the
 * same shared file at once, each with its own bytes, exactly one writes
 * it and every other finds it there; the file is never seen partly
 * written, and no temporary file is left behind.  Processes start
 * together on a pipe (no sleep), open the destination (its staging
 * cleanup must not remove a living writer's file) and put.
 */
#include "test.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "deploy/deploy_int.h"

#define WRITERS 8
#define BODY (1024 * 1024)

/* one PUT of KEY with BODY bytes; the xfer's status, -1 on failure */
static int
put(const char *root, const char *key, const char *body, size_t len,
    bool create_only, struct buf *err)
{
	struct dest *d = dest_dir_new("t", root, "", err);
	struct xfer x;
	int st;

	if (!d)
		return -1;
	memset(&x, 0, sizeof(x));
	x.op = X_PUT;
	x.key = xstrdup(key);
	x.data = body;
	x.len = len;
	x.create_only = create_only;
	if (d->ops->run(d, &x, 1, err) == -1)
		x.status = -1;
	st = x.status;
	if (x.error)
		buf_setf(err, "%s", x.error);
	free(x.key);
	free(x.error);
	dest_free(d);
	return st;
}

/* a writer: wait for the start, then put; exit 10 + status */
static void
writer(const char *root, int start, int i)
{
	char *body = xmalloc(BODY), c;
	struct buf err = BUF_INIT;
	int st;

	memset(body, 'a' + i, BODY);
	if (read(start, &c, 1) < 0)
		_exit(2);
	st = put(root, "css/site.1.css", body, BODY, true, &err);
	if (st == -1)
		fprintf(stderr, "writer %d: %s\n", i, err.buf);
	_exit(10 + st);
}

/* the file, when there, is one writer's body in full */
static int
whole(const char *path)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	int ok = 1;

	if (file_read(path, &b, LIMIT_MEDIA_FILE, &err) == 0) {
		ok = b.len == BODY && b.buf[0] >= 'a' && b.buf[0] < 'a' +
		    WRITERS;
		for (size_t k = 1; ok && k < b.len; k++)
			ok = b.buf[k] == b.buf[0];
	}
	buf_release(&b);
	buf_release(&err);
	return ok;
}

static size_t
leftovers(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (dp && (de = readdir(dp)))
		n += !strncmp(de->d_name, "put.", 4);
	if (dp)
		closedir(dp);
	return n;
}

TEST(dir, create_if_absent_one_writer_wins_never_partial)
{
	char *root = xasprintf("%s/race/www", test_tmpdir());
	char *path = xasprintf("%s/css/site.1.css", root);
	char *staging = xasprintf("%s/race/.www.kiln-staging", test_tmpdir());
	struct buf err = BUF_INIT;
	pid_t pid[WRITERS];
	int fds[2], wrote = 0, there = 0, partial = 0, reads = 0;

	CHECK_OK(mkdir_p(root, &err));
	CHECK(pipe(fds) == 0);
	for (int i = 0; i < WRITERS; i++) {
		pid[i] = fork();
		CHECK(pid[i] != -1);
		if (pid[i] == 0) {
			close(fds[1]);
			writer(root, fds[0], i);
		}
	}
	close(fds[0]);
	close(fds[1]);		/* go: every writer's read returns */
	for (int left = WRITERS; left > 0;) {
		int status;
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p > 0) {
			left--;
			CHECK(WIFEXITED(status));
			if (WEXITSTATUS(status) == 10)
				wrote++;
			else if (WEXITSTATUS(status) == 11)
				there++;
			continue;
		}
		/* a reader meanwhile: never a partial file */
		reads++;
		if (!whole(path))
			partial++;
	}
	CHECK_INT_EQ(wrote, 1);
	CHECK_INT_EQ(there, WRITERS - 1);
	CHECK_INT_EQ(partial, 0);
	CHECK(whole(path));
	CHECK_INT_EQ((long long)leftovers(staging), 0);
	(void)reads;
	free(root);
	free(path);
	free(staging);
	buf_release(&err);
}

TEST(dir, create_only_keeps_a_plain_put_replaces)
{
	char *root = xasprintf("%s/seq/www", test_tmpdir());
	char *path = xasprintf("%s/img/a.1.svg", root);
	struct buf err = BUF_INIT, got = BUF_INIT;

	CHECK_INT_EQ(put(root, "img/a.1.svg", "one", 3, true, &err), 0);
	CHECK_INT_EQ(put(root, "img/a.1.svg", "two", 3, true, &err), 1);
	CHECK_OK(file_read(path, &got, 100, &err));
	CHECK_STR_EQ(got.buf, "one");
	CHECK_INT_EQ(put(root, "img/a.1.svg", "three", 5, false, &err), 0);
	buf_reset(&got);
	CHECK_OK(file_read(path, &got, 100, &err));
	CHECK_STR_EQ(got.buf, "three");
	free(root);
	free(path);
	buf_release(&got);
	buf_release(&err);
}

/* a dead writer's temporary file goes; a living one's stays */
TEST(dir, staging_cleanup_spares_living_writers)
{
	char *root = xasprintf("%s/clean/www", test_tmpdir());
	char *staging = xasprintf("%s/clean/.www.kiln-staging", test_tmpdir());
	char *mine = xasprintf("%s/put.%ld.AAAAAA", staging, (long)getpid());
	char *dead, *old = xasprintf("%s/put.BBBBBB", staging);
	struct buf err = BUF_INIT;
	struct dest *d;
	pid_t p;
	int status;

	/* a process that has exited: its pid names no living writer */
	p = fork();
	CHECK(p != -1);
	if (p == 0)
		_exit(0);
	CHECK(waitpid(p, &status, 0) == p);
	dead = xasprintf("%s/put.%ld.CCCCCC", staging, (long)p);
	CHECK_OK(mkdir_p(root, &err));
	CHECK_OK(mkdir_p(staging, &err));
	CHECK_OK(file_write(mine, "x", 1, &err));
	CHECK_OK(file_write(dead, "x", 1, &err));
	CHECK_OK(file_write(old, "x", 1, &err));
	CHECK_NOT_NULL((d = dest_dir_new("t", root, "", &err)));
	dest_free(d);
	CHECK(file_exists(mine));
	CHECK(!file_exists(dead));
	CHECK(!file_exists(old));
	free(root);
	free(staging);
	free(mine);
	free(dead);
	free(old);
	buf_release(&err);
}
