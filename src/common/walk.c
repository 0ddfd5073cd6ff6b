/* SPDX-License-Identifier: ISC */
/*
 * walk.c: see walk.h.  Each entry is lstat()ed (fstatat() in its
 * folder); a link is resolved with
 * realpath(), which fails with ENOENT when it dangles and ELOOP on a
 * chain of links, and its target must lie under the resolved root.  A
 * folder whose device and inode are already on the path from the root
 * is a loop (a link to an ancestor).  Errors name the path as the user
 * gave it (ROOT/rel), never the resolved target.
 */
#include "common/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/walk.h"
#include "common/xmalloc.h"

struct walker {
	const char *root;	/* as given */
	char *real;		/* resolved */
	size_t real_len;
	struct walk_list *out;
	struct buf *err;
	dev_t dev[WALK_MAX_DEPTH + 1];	/* folders on the path */
	ino_t ino[WALK_MAX_DEPTH + 1];
};

static void
add(struct walk_list *l, char *rel, const struct stat *st)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
		if (l->keep_stat)
			l->st = xreallocarray(l->st, l->alloc,
			    sizeof(*l->st));
	}
	if (l->keep_stat)
		l->st[l->n] = *st;
	l->v[l->n++] = rel;
}

/* resolve the link FULL; 0 if its target is inside the root */
static int
check_link(struct walker *w, const char *full)
{
	char *target = realpath(full, NULL);
	int rc = -1;

	if (!target) {
		if (errno == ENOENT || errno == ENOTDIR)
			buf_setf(w->err, "%s: dangling symbolic link", full);
		else if (errno == ELOOP)
			buf_setf(w->err, "%s: symbolic link loop", full);
		else
			buf_setf(w->err, "%s: cannot resolve the symbolic "
			    "link: %s", full, strerror(errno));
		return -1;
	}
	if (strncmp(target, w->real, w->real_len) != 0 ||
	    (target[w->real_len] != '/' && target[w->real_len] != '\0'))
		buf_setf(w->err, "%s: symbolic link points outside '%s'", full,
		    w->root);
	else
		rc = 0;
	free(target);
	return rc;
}

static int
walk_dir(struct walker *w, const char *rel, int depth)
{
	struct dirent **ents = NULL;
	char *dir = *rel ? xasprintf("%s/%s", w->root, rel) : xstrdup(w->root);
	int cnt, i, fd = -1, rc = 0;

	if ((cnt = scandir(dir, &ents, NULL, alphasort)) < 0 ||
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		buf_setf(w->err, "%s: cannot read the folder: %s", dir,
		    strerror(errno));
		for (i = 0; i < cnt; i++)
			free(ents[i]);
		free(ents);
		free(dir);
		return -1;
	}
	for (i = 0; i < cnt && rc == 0; i++) {
		const char *name = ents[i]->d_name;
		char *sub, *full;
		struct stat st;

		if (name[0] == '.')
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		full = xasprintf("%s/%s", w->root, sub);
		/* relative to the folder: no walk of the whole path */
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			buf_setf(w->err, "%s: %s", full, strerror(errno));
			rc = -1;
		} else if (S_ISLNK(st.st_mode) && check_link(w, full) == -1) {
			rc = -1;
		} else if (S_ISLNK(st.st_mode) && stat(full, &st) == -1) {
			buf_setf(w->err, "%s: %s", full, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			for (int k = 0; k <= depth && rc == 0; k++)
				if (w->dev[k] == st.st_dev &&
				    w->ino[k] == st.st_ino) {
					buf_setf(w->err, "%s: symbolic link "
					    "loop (a folder inside itself)",
					    full);
					rc = -1;
				}
			if (rc == 0 && depth + 1 > WALK_MAX_DEPTH) {
				buf_setf(w->err, "%s: folders nested too deeply "
				    "(over %d levels)", full, WALK_MAX_DEPTH);
				rc = -1;
			}
			if (rc == 0) {
				w->dev[depth + 1] = st.st_dev;
				w->ino[depth + 1] = st.st_ino;
				rc = walk_dir(w, sub, depth + 1);
			}
		} else if (S_ISREG(st.st_mode)) {
			add(w->out, sub, &st);
			sub = NULL;
		} else {
			buf_setf(w->err, "%s: not a file or a folder", full);
			rc = -1;
		}
		free(sub);
		free(full);
	}
	for (i = 0; i < cnt; i++)
		free(ents[i]);
	free(ents);
	free(dir);
	close(fd);
	return rc;
}

int
walk_files(const char *root, struct walk_list *out, struct buf *err)
{
	struct walker w;
	struct stat st;
	int rc;

	memset(&w, 0, sizeof(w));
	if (stat(root, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		buf_setf(err, "%s: %s", root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_setf(err, "%s: not a folder", root);
		return -1;
	}
	if (!(w.real = realpath(root, NULL))) {
		buf_setf(err, "%s: cannot resolve: %s", root, strerror(errno));
		return -1;
	}
	w.root = root;
	w.real_len = strlen(w.real);
	if (w.real_len == 1)		/* "/" */
		w.real_len = 0;
	w.out = out;
	w.err = err;
	w.dev[0] = st.st_dev;
	w.ino[0] = st.st_ino;
	rc = walk_dir(&w, "", 0);
	free(w.real);
	return rc;
}

void
walk_list_release(struct walk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->st);
	memset(l, 0, sizeof(*l));
}
