/* SPDX-License-Identifier: ISC */
/*
 * fsutil.c: whole-file reads, atomic writes, mkdir -p and rm -rf.
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"

int
file_read(const char *path, struct buf *out, size_t max, struct buf *err)
{
	char chunk[65536], *to;
	struct stat st;
	size_t room;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_setf(err, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	buf_reset(out);
	/* a regular file of known size: one allocation of exactly its size
	   (a 10.5 MB output record is not rounded up to 16.8 MB), read in
	   place; what has no size, or grew meanwhile, comes by chunks */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size <= max)
		buf_reserve(out, (size_t)st.st_size);
	for (;;) {
		room = out->alloc ? out->alloc - out->len - 1 : 0;
		to = room ? out->buf + out->len : chunk;
		if ((r = read(fd, to, room ? room : sizeof(chunk))) <= 0)
			break;
		if (out->len + (size_t)r > max) {
			buf_setf(err, "'%s' is too large (over %zu bytes)",
			    path, max);
			close(fd);
			return -1;
		}
		if (to == chunk)
			buf_add(out, chunk, (size_t)r);
		else {
			out->len += (size_t)r;
			out->buf[out->len] = '\0';
		}
	}
	if (r == -1) {
		buf_setf(err, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		if (iov->iov_len == 0) {
			iov++;
			n--;
			continue;
		}
		if ((w = writev(fd, iov, n < IOV_MAX ? n : IOV_MAX)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* past the pieces written whole, into the one cut short */
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
file_writev(const char *path, struct iovec *iov, int n, struct buf *err)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		buf_setf(err, "cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	if (writev_all(fd, iov, n) == -1) {
		buf_setf(err, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		buf_setf(err, "cannot close '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
file_write(const char *path, const void *data, size_t len, struct buf *err)
{
	struct iovec iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return file_writev(path, &iov, 1, err);
}

int
file_write_atomic(const char *path, const void *data, size_t len,
    struct buf *err)
{
	return file_write_atomic_in(path, NULL, data, len, err);
}

int
file_write_atomic_in(const char *path, const char *tmpdir, const void *data,
    size_t len, struct buf *err)
{
	char *tmp;
	int fd, rc = -1;

	tmp = tmpdir ? xasprintf("%s/put.XXXXXX", tmpdir) :
	    xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		if (tmpdir)
			buf_setf(err, "cannot create a file in '%s': %s",
			    tmpdir, strerror(errno));
		else
			buf_setf(err, "cannot create '%s': %s", tmp,
			    strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1 ||
	    fchmod(fd, 0644) == -1) {
		buf_setf(err, "cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) == -1) {
		buf_setf(err, "cannot close '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		buf_setf(err, "cannot rename '%s' to '%s': %s", tmp, path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

/*
 * mkdir -p from the deep end: one mkdir(2) when the parent exists (the
 * common case when writing thousands of files), climbing only on ENOENT.
 */
int
mkdir_p(const char *path, struct buf *err)
{
	char *parent, *slash;
	int rc;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST) {
		if (dir_exists(path))
			return 0;
		buf_setf(err, "'%s' exists and is not a folder", path);
		return -1;
	}
	if (errno != ENOENT) {
		buf_setf(err, "cannot create folder '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	parent = xstrdup(path);
	slash = strrchr(parent, '/');
	while (slash && slash > parent && slash[1] == '\0') {
		*slash = '\0';
		slash = strrchr(parent, '/');
	}
	if (!slash || slash == parent) {
		free(parent);
		buf_setf(err, "cannot create folder '%s': %s", path,
		    strerror(ENOENT));
		return -1;
	}
	*slash = '\0';
	rc = mkdir_p(parent, err);
	free(parent);
	if (rc == -1)
		return -1;
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		buf_setf(err, "cannot create folder '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
mkdir_parent(const char *path, struct buf *err)
{
	char *s = xstrdup(path), *slash;
	int rc = 0;

	if ((slash = strrchr(s, '/')) && slash != s) {
		*slash = '\0';
		rc = mkdir_p(s, err);
	}
	free(s);
	return rc;
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int
rm_rf(const char *path, struct buf *err)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) == -1) {
		buf_setf(err, "cannot remove '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
