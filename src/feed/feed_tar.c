/* SPDX-License-Identifier: ISC */
/*
 * feed_tar.c: a unit's source as a .tar.gz (feed.h), at an https URL or
 * a local path.  Unpacked by tar(1) (GNU tar refuses members with ".."
 * and strips leading '/'), without owners or modes from the archive;
 * then anything but plain files and folders (a symbolic link could
 * point anywhere on the worker) fails the unit.  libarchive is not used.
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>


#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"
#include "feed/feed.h"

#define TAR_MAX_BYTES	(1024LL * 1024 * 1024)

static size_t
dl_write(char *p, size_t sz, size_t n, void *arg)
{
	FILE *f = arg;
	long long at = ftell(f);

	if (at < 0 || at + (long long)(sz * n) > TAR_MAX_BYTES)
		return 0;
	return fwrite(p, sz, n, f);
}

static int
download(const char *url, const char *file, struct buf *err)
{
	FILE *f = fopen(file, "wb");
	struct buf e = BUF_INIT;
	int rc;

	if (!f) {
		buf_setf(err, "source: %s: %s", file, strerror(errno));
		return -1;
	}
	rc = feed_https_get(url, dl_write, f, 600L, &e);
	if (fclose(f) != 0 && rc == 0)
		buf_setf(&e, "%s: %s", file, strerror(errno)), rc = -1;
	if (rc == -1)
		buf_setf(err, "source: %s", e.buf);
	buf_release(&e);
	return rc;
}

/* tar -xzf FILE -C DEST, its messages in LOG */
static int
untar(const char *file, const char *dest, const char *log, struct buf *err)
{
	int status = 0, fd;
	pid_t pid = fork();

	if (pid == -1) {
		buf_setf(err, "source: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("tar", "tar", "-xzf", file, "-C", dest, "--no-same-owner",
		    "--no-same-permissions", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct buf out = BUF_INIT, e = BUF_INIT;
		file_read(log, &out, 4096, &e);
		buf_setf(err, "source: cannot unpack the archive: %s",
		    out.len ? out.buf : "tar failed");
		buf_release(&out);
		buf_release(&e);
		return -1;
	}
	return 0;
}

static _Thread_local char *tar_bad;

static int
only_plain(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)f;
	if (flag == FTW_D || flag == FTW_DP || (flag == FTW_F &&
	    S_ISREG(sb->st_mode)))
		return 0;
	tar_bad = xstrdup(path);
	return 1;
}

int
feed_tar_unpack(const char *src, const char *work, const char *dest,
    struct buf *err)
{
	char *file = xasprintf("%s/source.tar.gz", work);
	char *log = xasprintf("%s/tar.log", work);
	int rc = -1;

	if (mkdir_p(dest, err) == -1)
		goto out;
	if (!strncmp(src, "https://", 8) && download(src, file, err) == -1)
		goto out;
	if (untar(strncmp(src, "https://", 8) ? src : file, dest, log,
	    err) == -1)
		goto out;
	tar_bad = NULL;
	if (nftw(dest, only_plain, 16, FTW_PHYS) != 0) {
		buf_setf(err, "source: the archive holds '%s', which is not a "
		    "plain file or folder (links are refused)", tar_bad ?
		    tar_bad + strlen(dest) + (tar_bad[strlen(dest)] == '/') :
		    "?");
		free(tar_bad);
		goto out;
	}
	rc = 0;
out:
	free(file);
	free(log);
	return rc;
}

bool
feed_tar_source(const char *src)
{
	size_t n = strlen(src);

	return !strncmp(src, "https://", 8) || (n > 7 &&
	    !strcmp(src + n - 7, ".tar.gz")) || (n > 4 &&
	    !strcmp(src + n - 4, ".tgz"));
}
