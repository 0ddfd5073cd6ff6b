/* SPDX-License-Identifier: ISC */
/*
 * fsutil.h: files and folders.  Errors go to err as
 * "cannot <verb> '<path>': <strerror>" and the function returns -1.
 */
#ifndef KILN_FSUTIL_H
#define KILN_FSUTIL_H

struct buf;

/* read a whole file into out (replacing it); fails past max bytes */
int file_read(const char *path, struct buf *out, size_t max, struct buf *err);
/*
 * Write data to path atomically: temp file in the same folder, fsync,
 * rename (STYLE H22).  Readers see the old file or the new one.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
    struct buf *err);
/*
 * The same with the temporary file in TMPDIR (same file system; NULL: the
 * same folder), so that no half-written file ever shows in PATH's folder.
 */
int file_write_atomic_in(const char *path, const char *tmpdir,
    const void *data, size_t len, struct buf *err);
/* write without fsync (render hot path: the folder is renamed in whole) */
int file_write(const char *path, const void *data, size_t len,
    struct buf *err);
/* mkdir -p; mode 0755 */
/* write all of DATA to FD, retrying after EINTR; 0, or -1 with errno */
int write_all(int fd, const void *data, size_t len);
/*
 * write all of the N pieces IOV to FD (IOV is changed), in as few
 * writev(2) as it takes; 0, or -1 with errno
 */
struct iovec;
int writev_all(int fd, struct iovec *iov, int n);
/* file_write of the pieces IOV[0..N) (changed by the call) */
int file_writev(const char *path, struct iovec *iov, int n,
    struct buf *err);
int mkdir_p(const char *path, struct buf *err);
/* mkdir -p of the folder that holds path */
int mkdir_parent(const char *path, struct buf *err);
/* rm -rf; a missing path is not an error */
int rm_rf(const char *path, struct buf *err);
bool file_exists(const char *path);
bool dir_exists(const char *path);
/* copy a file (not atomic) */

#endif
