/* SPDX-License-Identifier: ISC */
/*
 * target_dir.c: a local folder as a deploy destination (for nginx, a
 * mounted share, or the demo).  Same semantics as a bucket: each file is
 * written atomically (temp + rename), create-only objects are left alone
 * when present, deletes remove files and then empty folders.
 */
#include "common/compat.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "deploy/deploy_int.h"

struct dir_impl {
	char *root;
};

static int
dir_put(struct dir_impl *di, struct xfer *x, struct buf *err)
{
	char *dst = xasprintf("%s/%s", di->root, x->key);
	struct buf data = BUF_INIT;
	int rc = -1;

	if (x->create_only && file_exists(dst)) {
		free(dst);
		return 1;
	}
	if (mkdir_parent(dst, err) == -1)
		goto out;
	if (x->file) {
		if (file_read(x->file, &data, LIMIT_MEDIA_FILE, err) == -1)
			goto out;
		rc = file_write_atomic(dst, data.buf, data.len, err);
	} else
		rc = file_write_atomic(dst, x->data, x->len, err);
out:
	buf_release(&data);
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
dir_run(struct dest *d, struct xfer *x, size_t n, struct buf *err)
{
	struct dir_impl *di = d->impl;
	struct buf e = BUF_INIT;

	(void)err;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&e);
		x[i].attempts = 1;
		x[i].status = x[i].op == X_PUT ? dir_put(di, &x[i], &e) :
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
};

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
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = walk(p, w, depth + 1);
		else if (S_ISREG(st.st_mode) && !strstr(p, ".tmp."))
			rc = w->fn(p + w->rootlen + 1, (int64_t)st.st_size, "",
			    w->arg);
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
	struct walkctx w = { fn, arg, strlen(di->root) };

	(void)err;
	return walk(di->root, &w, 0);
}

static void
dir_free(struct dest *d)
{
	struct dir_impl *di = d->impl;

	free(di->root);
	free(di);
}

static const struct dest_ops dir_ops = { dir_run, dir_list, dir_free };

struct dest *
dest_dir_new(const char *name, const char *root, const char *prefix,
    struct buf *err)
{
	struct dest *d;
	struct dir_impl *di;

	if (mkdir_p(root, err) == -1)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	di = xcalloc(1, sizeof(*di));
	di->root = xstrdup(root);
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
	free(d->name);
	free(d->prefix);
	free(d);
}
