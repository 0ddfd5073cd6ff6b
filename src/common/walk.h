/* SPDX-License-Identifier: ISC */
/*
 * walk.h: the one walker of user trees (static/, templates/, an external
 * build's output, import trees).  Issue #12 §4 and #13.
 *
 * walk_files(ROOT) lists the regular files under ROOT as paths relative
 * to it ("css/site.css"), folder by folder in alphasort order, skipping
 * names that start with '.'.  Symbolic links are followed only when their
 * target resolves inside ROOT; everything else is an error naming the
 * path: a link that points outside ROOT, a dangling link, a link loop (a
 * chain of links, or a folder reached again below itself: device and
 * inode of the folders on the path), a tree deeper than WALK_MAX_DEPTH,
 * and anything that is neither a file nor a folder (a FIFO would block
 * the reader).  A missing ROOT is an empty tree.
 */
#ifndef KILN_WALK_H
#define KILN_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct buf;

#define WALK_MAX_DEPTH	32

struct walk_list {
	char **v;		/* relative paths, owned */
	size_t n, alloc;
	bool keep_stat;		/* set before the walk: fill st */
	struct stat *st;	/* st[i]: the stat of v[i] (a link's
				   target's), when keep_stat */
};

#define WALK_LIST_INIT	{ NULL, 0, 0, false, NULL }

/* 0 with the files appended to out, or -1 with err ("PATH: reason") */
int walk_files(const char *root, struct walk_list *out, struct buf *err);
void walk_list_release(struct walk_list *l);

#endif
