/* SPDX-License-Identifier: ISC */
/*
 * target_dir.c: a local folder as a deploy destination (for nginx, a
 * mounted share, or the demo).  Same semantics as a bucket: each file is
 * written atomically (temp + rename), create-only objects are written
 * with link(2), so that of two writers one wins and the other finds it
 * there (as S3's If-None-Match: *), deletes remove files and then empty
 * folders.
 *
 * Temporary files are never written inside the served folder: a deploy
 * killed mid-write would leave them there for the web server to serve.
 * They go to a staging folder beside it, ROOT/../.NAME.kiln-staging/, on
 * the same file system so that rename(2) moves them in atomically; only
 * when that is impossible (ROOT is a mount point, or its parent is not
 * writable) does the staging folder go inside ROOT, as .kiln-staging/,
 * which listing skips.  Whatever a killed deploy left in the staging
 * folder is removed when the next deploy opens the destination.
 */
#include "common/compat.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "deploy/deploy_int.h"

#define STAGING_IN_ROOT ".kiln-staging"

struct dir_impl {
	char *root;
	char *staging;		/* where temporary files are written */
};

/*
 * The body, complete and synced, in a new temporary file of the staging
 * folder, named put.PID.XXXXXX (the cleanup spares a live process's).
 */
static char *
stage_write(struct dir_impl *di, const void *data, size_t len,
    struct buf *err)
{
	char *tmp = xasprintf("%s/put.%ld.XXXXXX", di->staging,
	    (long)getpid());
	int fd;

	if ((fd = mkstemp(tmp)) == -1) {
		buf_setf(err, "cannot create a file in '%s': %s", di->staging,
		    strerror(errno));
		free(tmp);
		return NULL;
	}
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1 ||
	    fchmod(fd, 0644) == -1) {
		buf_setf(err, "cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
	} else if (close(fd) == -1)
		buf_setf(err, "cannot close '%s': %s", tmp, strerror(errno));
	else
		return tmp;
	unlink(tmp);
	free(tmp);
	return NULL;
}

/*
 * Move the staged file TMP to DST: rename(2) replaces; create-only is
 * link(2), which fails with EEXIST when DST is there, atomically (two
 * writers: one wins, the other finds it there), as S3's conditional PUT.
 * Either way DST is never seen partly written.  1: already there.
 */
static int
stage_commit(const char *tmp, const char *dst, bool create_only,
    struct buf *err)
{
	int rc = 0;

	if (!create_only) {
		if (rename(tmp, dst) == 0)
			return 0;
		rc = -1;
	} else if (link(tmp, dst) == -1) {
		rc = errno == EEXIST ? 1 : -1;
	}
	if (rc == -1)
		buf_setf(err, "cannot %s '%s' to '%s': %s", create_only ?
		    "link" : "rename", tmp, dst, strerror(errno));
	unlink(tmp);
	return rc;
}

static int
dir_put(struct dir_impl *di, struct xfer *x, struct buf *err)
{
	char *dst = xasprintf("%s/%s", di->root, x->key), *tmp = NULL;
	struct buf data = BUF_INIT;
	int rc = -1;

	/* present: no need to read and stage it (the link decides races) */
	if (x->create_only && file_exists(dst)) {
		free(dst);
		return 1;
	}
	if (mkdir_parent(dst, err) == -1)
		goto out;
	if (x->file) {
		if (file_read(x->file, &data, LIMIT_MEDIA_FILE, err) == -1)
			goto out;
		tmp = stage_write(di, data.buf, data.len, err);
	} else
		tmp = stage_write(di, x->data, x->len, err);
	if (tmp)
		rc = stage_commit(tmp, dst, x->create_only, err);
out:
	buf_release(&data);
	free(tmp);
	free(dst);
	return rc;
}

static int
dir_delete(struct dir_impl *di, struct xfer *x, struct buf *err)
{
	char *dst = xasprintf("%s/%s", di->root, x->key), *slash;

	if (unlink(dst) == -1 && errno != ENOENT) {
		buf_setf(err, "cannot remove '%s': %s", dst, strerror(errno));
		free(dst);
		return -1;
	}
	/* remove folders left empty, up to the root */
	while ((slash = strrchr(dst, '/')) && (size_t)(slash - dst) >
	    strlen(di->root)) {
		*slash = '\0';
		if (rmdir(dst) == -1)
			break;
	}
	free(dst);
	return 0;
}

static int
dir_head(struct dir_impl *di, struct xfer *x)
{
	char *dst = xasprintf("%s/%s", di->root, x->key);
	int rc = file_exists(dst) ? 0 : 1;

	free(dst);
	return rc;
}

static int
dir_run(struct dest *d, struct xfer *x, size_t n, struct buf *err)
{
	struct dir_impl *di = d->impl;
	struct buf e = BUF_INIT;

	(void)err;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&e);
		x[i].attempts = 1;
		x[i].status = x[i].op == X_PUT ? dir_put(di, &x[i], &e) :
		    x[i].op == X_HEAD ? dir_head(di, &x[i]) :
		    dir_delete(di, &x[i], &e);
		if (x[i].status == -1)
			x[i].error = xstrdup(e.buf);
	}
	buf_release(&e);
	return 0;
}

struct walkctx {
	int (*fn)(const char *, int64_t, const char *, void *);
	void *arg;
	size_t rootlen;
	const char *skip;	/* the staging folder, when inside the root */
};

int
md5_file_hex(const char *file, char out[33], struct buf *err)
{
	struct buf data = BUF_INIT;
	unsigned char md[16];
	unsigned int n = 16;

	if (file_read(file, &data, LIMIT_MEDIA_FILE, err) == -1) {
		buf_release(&data);
		return -1;
	}
	EVP_Digest(data.buf, data.len, md, &n, EVP_md5(), NULL);
	hex_encode(md, 16, out);
	out[32] = '\0';
	buf_release(&data);
	return 0;
}

static int
walk(const char *dir, struct walkctx *w, int depth)
{
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	if (depth > 64 || !(dp = opendir(dir)))
		return 0;
	while (rc == 0 && (de = readdir(dp))) {
		char *p;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (w->skip && !strcmp(p, w->skip)) {
			free(p);
			continue;
		}
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk(p, w, depth + 1);
		else if (S_ISREG(st.st_mode)) {
			char md5[33];
			struct buf e = BUF_INIT;
			if (md5_file_hex(p, md5, &e) == -1)
				md5[0] = '\0';
			rc = w->fn(p + w->rootlen + 1, (int64_t)st.st_size, md5,
			    w->arg);
			buf_release(&e);
		}
		free(p);
	}
	closedir(dp);
	return rc;
}

static int
dir_list(struct dest *d, int (*fn)(const char *, int64_t, const char *,
    void *), void *arg, struct buf *err)
{
	struct dir_impl *di = d->impl;
	struct walkctx w = { fn, arg, strlen(di->root), NULL };
	size_t rl = strlen(di->root);

	(void)err;
	if (!strncmp(di->staging, di->root, rl) && di->staging[rl] == '/')
		w.skip = di->staging;
	return walk(di->root, &w, 0);
}

static void
dir_free(struct dest *d)
{
	struct dir_impl *di = d->impl;

	free(di->root);
	free(di->staging);
	free(di);
}

/*
 * put.PID.XXXXXX of a process that is alive: another deploy or unit
 * build writing to the same folder now, whose file must not be removed
 * under it
 */
static bool
writer_alive(const char *name)
{
	char *end;
	long pid = strtol(name + 4, &end, 10);

	if (end == name + 4 || *end != '.' || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * The staging folder beside the root, on the same file system; inside it
 * when that cannot be.  Emptied of a killed deploy's leftovers (a
 * living process's files stay: it may be writing them now).
 */
static int
staging_open(struct dir_impl *di, struct buf *err)
{
	struct stat rs, ss;
	const char *base = strrchr(di->root, '/');
	char *parent = xstrndup(di->root, (size_t)(base - di->root));

	di->staging = xasprintf("%s/.%s.kiln-staging", *parent ? parent : "",
	    base + 1);
	free(parent);
	if (base[1] && (mkdir(di->staging, 0700) == 0 || errno == EEXIST) &&
	    stat(di->root, &rs) == 0 && stat(di->staging, &ss) == 0 &&
	    S_ISDIR(ss.st_mode) && rs.st_dev == ss.st_dev &&
	    access(di->staging, W_OK) == 0)
		goto clean;
	free(di->staging);
	di->staging = xasprintf("%s/%s", di->root, STAGING_IN_ROOT);
	if (mkdir(di->staging, 0700) == -1 && errno != EEXIST) {
		buf_setf(err, "cannot create the staging folder '%s': %s",
		    di->staging, strerror(errno));
		return -1;
	}
clean:
	/* a killed deploy's temporary files */
	{
		DIR *dp = opendir(di->staging);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			char *p;
			if (strncmp(de->d_name, "put.", 4) != 0 ||
			    writer_alive(de->d_name))
				continue;
			p = xasprintf("%s/%s", di->staging, de->d_name);
			unlink(p);
			free(p);
		}
		if (dp)
			closedir(dp);
	}
	return 0;
}

static const struct dest_ops dir_ops = { dir_run, dir_list, dir_free };

struct dest *
dest_dir_new(const char *name, const char *root, const char *prefix,
    struct buf *err)
{
	struct dest *d;
	struct dir_impl *di;
	char real[PATH_MAX];

	if (mkdir_p(root, err) == -1)
		return NULL;
	if (!realpath(root, real)) {
		buf_setf(err, "cannot resolve '%s': %s", root, strerror(errno));
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	di = xcalloc(1, sizeof(*di));
	di->root = xstrdup(real);
	if (staging_open(di, err) == -1) {
		free(di->root);
		free(di);
		free(d);
		return NULL;
	}
	d->ident = dest_ident("dir", NULL, NULL, di->root, prefix);
	d->ops = &dir_ops;
	d->impl = di;
	d->name = xstrdup(name);
	d->prefix = xstrdup(prefix ? prefix : "");
	d->concurrency = 1;
	return d;
}

void
dest_free(struct dest *d)
{
	if (!d)
		return;
	d->ops->free(d);
	free(d->ident);
	free(d->name);
	free(d->prefix);
	free(d);
}
