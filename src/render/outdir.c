/* SPDX-License-Identifier: ISC */
/* outdir.c: see outdir.h; the output record is outrec.c's. */
#include "common/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"
#include "render/outdir.h"

/* ---- files in a slot ---- */

/*
 * Make the folders above FILE inside the slot (FILE's first ROOTLEN
 * bytes name the slot), removing a file that stands where a folder must
 * be (an output that became a folder since this slot was written).
 * Nothing above the slot is ever touched.
 */
static int
make_parents(const char *file, size_t rootlen, struct buf *err)
{
	char *s = xstrdup(file);
	int rc = 0;

	for (char *p = strchr(s + rootlen + 1, '/'); p && rc == 0;
	    p = strchr(p + 1, '/')) {
		struct stat st;
		*p = '\0';
		if (lstat(s, &st) == 0 && !S_ISDIR(st.st_mode) &&
		    unlink(s) == -1) {
			buf_setf(err, "cannot remove '%s': %s", s,
			    strerror(errno));
			rc = -1;
		} else if (mkdir(s, 0755) == -1 && errno != EEXIST) {
			buf_setf(err, "cannot create folder '%s': %s", s,
			    strerror(errno));
			rc = -1;
		}
		*p = '/';
	}
	free(s);
	return rc;
}

/* open FILE for a new file: anything in the way in the slot is removed */
static int
create_new(char *file, size_t rootlen, struct buf *err)
{
	struct buf ignored = BUF_INIT;
	char *slash = strrchr(file + rootlen, '/');
	int fd, tries = 0;

	/* an emptied slot has neither the folder nor the file: the folder
	   is made first (where it is, that costs a failed mkdir), then the
	   file opened (where an old one is, it costs an unlink more) */
	if (slash && slash > file + rootlen) {
		*slash = '\0';
		(void)mkdir(file, 0755);
		*slash = '/';
	}
	while ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 && tries++ < 4) {
		if (errno == ENOENT) {
			if (mkdir_parent(file, &ignored) == -1 &&
			    make_parents(file, rootlen, err) == -1)
				break;
		} else if (errno == ENOTDIR) {
			if (make_parents(file, rootlen, err) == -1)
				break;
		} else if (errno == EEXIST) {
			/* an old file (or a folder) where the new one goes */
			if (unlink(file) == -1 && errno != ENOENT &&
			    rm_rf(file, err) == -1)
				break;
		} else
			break;
		buf_reset(err);
	}
	if (fd == -1 && !err->len)
		buf_setf(err, "cannot create '%s': %s", file, strerror(errno));
	buf_release(&ignored);
	return fd;
}

/* DATA into the new file FD (closed); -1 with err naming FILE */
static int
write_fd(int fd, const char *file, const void *data, size_t len,
    struct buf *err)
{
	if (write_all(fd, data, len) == -1) {
		buf_setf(err, "cannot write '%s': %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		buf_setf(err, "cannot close '%s': %s", file, strerror(errno));
		return -1;
	}
	return 0;
}

int
slot_write(const char *slot, const char *path, const void *data, size_t len,
    struct buf *err)
{
	struct iovec iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return slot_writev(slot, path, &iov, 1, err);
}

int
slot_writev(const char *slot, const char *path, struct iovec *iov, int n,
    struct buf *err)
{
	char *file = xasprintf("%s/%s", slot, path);
	int fd, rc = -1;

	if ((fd = create_new(file, strlen(slot), err)) == -1)
		goto out;
	if (writev_all(fd, iov, n) == -1) {
		buf_setf(err, "cannot write '%s': %s", file, strerror(errno));
		close(fd);
	} else if (close(fd) == -1)
		buf_setf(err, "cannot close '%s': %s", file, strerror(errno));
	else
		rc = 0;
out:
	free(file);
	return rc;
}

int
outslot_write(struct outslot *s, const char *path, const void *data,
    size_t len, struct buf *err)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], *file;
	int fd, rc;

	if (s->standby_fd == -1 || (slash && (size_t)(slash - path) >=
	    sizeof(dir)))
		return slot_write(s->standby, path, data, len, err);
	if (slash && slash > path) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		(void)mkdirat(s->standby_fd, dir, 0755);
	}
	if ((fd = openat(s->standby_fd, path, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0644)) == -1)
		return slot_write(s->standby, path, data, len, err);
	file = xasprintf("%s/%s", s->standby, path);
	rc = write_fd(fd, file, data, len, err);
	free(file);
	return rc;
}

bool
outslot_holds(const struct outslot *s, const char *path, const char *data,
    size_t len)
{
	char chunk[65536];
	struct stat st;
	size_t at = 0;
	ssize_t n;
	bool same = false;
	int fd;

	if (s->standby_fd != -1)
		fd = openat(s->standby_fd, path, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC);
	else {
		char *file = xasprintf("%s/%s", s->standby, path);
		fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		free(file);
	}
	if (fd == -1)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == (off_t)len)
		for (same = true; same && at < len; at += (size_t)n) {
			n = read(fd, chunk, sizeof(chunk));
			same = n > 0 && (size_t)n <= len - at &&
			    !memcmp(chunk, data + at, (size_t)n);
		}
	close(fd);
	return same;
}

int
slot_link(const char *from, const char *slot, const char *path,
    struct buf *err)
{
	char *file = xasprintf("%s/%s", slot, path);
	struct buf data = BUF_INIT;
	int fd, rc = -1;

	if ((fd = create_new(file, strlen(slot), err)) == -1)
		goto out;
	close(fd);
	unlink(file);
	if (link(from, file) == 0) {
		rc = 0;
		goto out;
	}
	/* another file system: a copy */
	if (file_read(from, &data, (size_t)1 << 34, err) == 0 &&
	    (fd = create_new(file, strlen(slot), err)) != -1)
		rc = write_fd(fd, file, data.buf, data.len, err);
out:
	buf_release(&data);
	free(file);
	return rc;
}

/* ---- the slots ---- */

static void
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
}

/* OUTDIR without trailing slashes, split into "DIR/" (or "") and BASE */
static char *
split_outdir(const char *outdir, char **dir, const char **base)
{
	char *link = xstrdup(outdir), *slash;

	while (strlen(link) > 1 && link[strlen(link) - 1] == '/')
		link[strlen(link) - 1] = '\0';
	if ((slash = strrchr(link, '/')) != NULL) {
		*dir = xstrndup(link, (size_t)(slash - link) + 1);
		*base = slash + 1;
	} else {
		*dir = xstrdup("");
		*base = link;
	}
	return link;
}

/* open and flock(2) DIR.BASE.lock: OP is LOCK_EX or LOCK_SH */
static int
lock_outdir(const char *dir, const char *base, int op, struct buf *err)
{
	char *lockfile = xasprintf("%s.%s.lock", dir, base);
	int fd;

	if ((fd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1 ||
	    flock(fd, op) == -1) {
		buf_setf(err, "cannot lock '%s': %s", lockfile,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	free(lockfile);
	return fd;
}

int
outslot_read_lock(const char *outdir, char *live, size_t livesz,
    struct buf *err)
{
	char target[PATH_MAX], *dir, *link;
	const char *base;
	ssize_t n;
	int fd;

	link = split_outdir(outdir, &dir, &base);
	if ((fd = lock_outdir(dir, base, LOCK_SH, err)) != -1) {
		if ((n = readlink(link, target, sizeof(target) - 1)) >= 0) {
			target[n] = '\0';
			snprintf(live, livesz, "%s%s", target[0] == '/' ? "" :
			    dir, target);
		} else
			strlcpy(live, link, livesz);
	}
	free(dir);
	free(link);
	return fd;
}

/* an empty folder, or one a kiln build wrote (the older layout) */
static bool
kiln_folder(const char *dir)
{
	char *manifest = xasprintf("%s/.kiln/manifest.json", dir);
	bool ok = file_exists(manifest);
	DIR *d;
	struct dirent *e;

	free(manifest);
	if (ok || (d = opendir(dir)) == NULL)
		return ok;
	ok = true;
	while (ok && (e = readdir(d)) != NULL)
		ok = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return ok;
}

/* ---- emptying a slot ---- */

static void sweep_at(int dfd, const char *name, bool dir);

/* the entries of folder D (descriptor FD), then the folder itself */
static void
sweep_dir(int dfd, const char *name, DIR *d, int fd)
{
	struct dirent *e;

	for (int pass = 0; pass < 3; pass++) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				sweep_at(fd, e->d_name, e->d_type == DT_DIR);
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 ||
		    errno != ENOTEMPTY)
			return;
		rewinddir(d);
	}
}

/*
 * Remove NAME in folder DFD (DIR: known to be a folder) and all it
 * holds, through folder descriptors (no path walked again per file), as
 * far as it can: what is left the next sweep tries again.
 */
static void
sweep_at(int dfd, const char *name, bool dir)
{
	DIR *d;
	int fd;

	if (!dir && (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR &&
	    errno != EPERM)))
		return;
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (dir && errno == ENOTDIR)
			unlinkat(dfd, name, 0);
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	sweep_dir(dfd, name, d, fd);
	closedir(d);
}

/* the sweeper thread: remove every folder of s->gone */
static void *
sweeper(void *arg)
{
	struct outslot *s = arg;
	struct buf ignored = BUF_INIT;
	struct stat st;

	for (size_t k = 0; k < s->ngone; k++) {
		sweep_at(AT_FDCWD, s->gone[k], false);
		/* deeper than the descriptors allowed: by path */
		if (lstat(s->gone[k], &st) == 0)
			rm_rf(s->gone[k], &ignored);
	}
	buf_release(&ignored);
	return NULL;
}

static void
add_gone(struct outslot *s, char *path)
{
	s->gone = xreallocarray(s->gone, s->ngone + 1, sizeof(*s->gone));
	s->gone[s->ngone++] = path;
}

/* what builds that died left aside beside OUT ("DIR/" or "", BASE) */
static void
find_gone(struct outslot *s, const char *dir, const char *base)
{
	char *prefix = xasprintf(".%s.gone-", base);
	size_t len = strlen(prefix);
	DIR *d = opendir(*dir ? dir : ".");
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL)
		if (!strncmp(e->d_name, prefix, len))
			add_gone(s, xasprintf("%s%s", dir, e->d_name));
	if (d)
		closedir(d);
	free(prefix);
}

/*
 * Empty the standby: renamed aside beside OUT for the sweeper (one
 * rename instead of removing each file before the build can start), or
 * removed here when it cannot be.  A build that dies leaves it aside,
 * never in a slot.
 */
static int
empty_standby(struct outslot *s, const char *dir, const char *base,
    struct buf *err)
{
	struct stat st;
	char *gone;

	if (lstat(s->standby, &st) == -1)
		return 0;
	gone = xasprintf("%s.%s.gone-%ld-%zu", dir, base, (long)getpid(),
	    s->ngone);
	if (!S_ISDIR(st.st_mode) || rename(s->standby, gone) == -1) {
		free(gone);
		return rm_rf(s->standby, err);
	}
	add_gone(s, gone);
	return 0;
}

/* start the sweeper on what is queued (on this thread if it cannot) */
static void
start_sweeper(struct outslot *s)
{
	if (!s->ngone)
		return;
	if (pthread_create(&s->sweeper, NULL, sweeper, s) == 0)
		s->sweeping = true;
	else
		sweeper(s);
}

int
outslot_open(struct outslot *s, const char *outdir, bool fresh,
    struct buf *err)
{
	char target[PATH_MAX], *dir, *names[2];
	const char *base;
	ssize_t n;
	int live = -1, e;

	memset(s, 0, sizeof(*s));
	s->standby_fd = s->lockfd = -1;
	pthread_mutex_init(&s->live_mu, NULL);
	s->link = split_outdir(outdir, &dir, &base);
	names[0] = xasprintf(".%s.a", base);
	names[1] = xasprintf(".%s.b", base);

	/* one build at a time writes a site's standby, and not while the
	   live folder is read by a deploy */
	if ((*dir && mkdir_p(dir, err) == -1) ||
	    (s->lockfd = lock_outdir(dir, base, LOCK_EX, err)) == -1)
		goto fail;

	n = readlink(s->link, target, sizeof(target) - 1);
	e = n >= 0 ? 0 : errno;	/* EINVAL: not a symlink; ENOENT: nothing */
	if (n >= 0) {
		target[n] = '\0';
		live = !strcmp(target, names[0]) ? 0 : !strcmp(target,
		    names[1]) ? 1 : -1;
	} else if (e != ENOENT && e != EINVAL) {
		buf_setf(err, "cannot read '%s': %s", s->link, strerror(e));
		goto fail;
	} else if (e == EINVAL && !dir_exists(s->link)) {
		buf_setf(err, "'%s' exists and is not a folder", s->link);
		goto fail;
	} else if (e == EINVAL && !kiln_folder(s->link)) {
		/* the first build replaces it: only ever an output of ours */
		buf_setf(err, "'%s' is a folder kiln did not write (it has "
		    "files but no .kiln/manifest.json): move it away or set "
		    "another build.out", s->link);
		goto fail;
	}
	find_gone(s, dir, base);
	if (live != -1)
		s->live = xasprintf("%s%s", dir, names[live]);
	s->standby_name = xstrdup(names[live == 0 ? 1 : 0]);
	s->standby = xasprintf("%s%s", dir, s->standby_name);
	if (!fresh && outrec_load(s->standby, &s->standby_rec) == 0) {
		char *rec = xasprintf("%s/%s", s->standby, OUTREC_PATH);
		char *kdir = xasprintf("%s/.kiln", s->standby);
		/* from here on the slot is being changed: forget the record */
		if (unlink(rec) == -1) {
			buf_setf(err, "cannot remove '%s': %s", rec,
			    strerror(errno));
			free(rec);
			free(kdir);
			goto fail;
		}
		fsync_dir(kdir);
		free(rec);
		free(kdir);
	} else {
		outrec_release(&s->standby_rec);
		if (empty_standby(s, dir, base, err) == -1)
			goto fail;
	}
	if (mkdir_p(s->standby, err) == -1)
		goto fail;
	/* without it, outslot_write goes by path */
	s->standby_fd = open(s->standby, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	start_sweeper(s);
	free(dir);
	free(names[0]);
	free(names[1]);
	return 0;
fail:
	free(dir);
	free(names[0]);
	free(names[1]);
	outslot_release(s);
	return -1;
}

const struct outrec *
outslot_live_record(struct outslot *s)
{
	pthread_mutex_lock(&s->live_mu);
	if (!s->live_loaded && s->live)
		outrec_load(s->live, &s->live_rec);
	s->live_loaded = true;
	pthread_mutex_unlock(&s->live_mu);
	return &s->live_rec;
}

const struct outrec_ent *
outslot_live_find(struct outslot *s, const char *path)
{
	return outrec_find(outslot_live_record(s), path);
}

int
outslot_prune(struct outslot *s, const struct outrec *next, struct buf *err)
{
	size_t root = strlen(s->standby), j = 0;

	for (size_t i = 0; i < s->standby_rec.n; i++) {
		const char *path = s->standby_rec.v[i].path;
		char *file, *slash;
		int c = 1;

		while (j < next->n && (c = strcmp(next->v[j].path, path)) < 0)
			j++;
		if (j < next->n && c == 0)
			continue;
		file = xasprintf("%s/%s", s->standby, path);
		/* gone, or replaced by a folder or a file of this build */
		if (unlink(file) == -1 && errno != ENOENT && errno != ENOTDIR &&
		    errno != EISDIR) {
			buf_setf(err, "cannot remove '%s': %s", file,
			    strerror(errno));
			free(file);
			return -1;
		}
		while ((slash = strrchr(file, '/')) != NULL &&
		    (size_t)(slash - file) > root) {
			*slash = '\0';
			if (rmdir(file) == -1)
				break;
		}
		free(file);
	}
	return 0;
}

int
outslot_switch(struct outslot *s, struct buf *err)
{
	char *tmp = xasprintf("%s.switch-%ld", s->link, (long)getpid());
	char *parent = xstrdup(s->link), *slash;
	int rc = -1;

	unlink(tmp);
	if (symlink(s->standby_name, tmp) == -1) {
		buf_setf(err, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, s->link) == -1) {
		if (errno != EISDIR && errno != ENOTEMPTY && errno != EEXIST) {
			buf_setf(err, "cannot switch '%s' in: %s", s->link,
			    strerror(errno));
			unlink(tmp);
			goto out;
		}
		/* OUT is a real folder (an older layout): swap, then drop it */
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, s->link,
		    RENAME_EXCHANGE) == -1) {
			buf_setf(err, "cannot switch '%s' in: %s", s->link,
			    strerror(errno));
			unlink(tmp);
			goto out;
		}
		if (rm_rf(tmp, err) == -1)
			goto out;
	}
	if ((slash = strrchr(parent, '/')) != NULL) {
		slash[slash == parent ? 1 : 0] = '\0';
		fsync_dir(parent);
	} else
		fsync_dir(".");
	rc = 0;
out:
	free(tmp);
	free(parent);
	return rc;
}

void
outslot_release(struct outslot *s)
{
	if (!s->link)
		return;		/* never opened, or released already */
	if (s->sweeping)
		pthread_join(s->sweeper, NULL);
	for (size_t k = 0; k < s->ngone; k++)
		free(s->gone[k]);
	free(s->gone);
	s->gone = NULL;
	s->ngone = 0;
	s->sweeping = false;
	outrec_release(&s->live_rec);
	outrec_release(&s->standby_rec);
	if (s->lockfd != -1)
		close(s->lockfd);
	s->lockfd = -1;
	if (s->standby_fd != -1)
		close(s->standby_fd);
	s->standby_fd = -1;
	free(s->link);
	free(s->live);
	free(s->standby);
	free(s->standby_name);
	s->link = s->live = s->standby = s->standby_name = NULL;
	pthread_mutex_destroy(&s->live_mu);
}
