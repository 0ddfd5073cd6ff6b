/* SPDX-License-Identifier: ISC */
/*
 * path.h: canonical site paths and slugs (STYLE H26).
 *
 * A canonical site path is "" (the home page) or slugs joined by '/', no
 * leading or trailing '/', no empty, "." or ".." component.  Nothing that
 * passes path_canonicalize() can name a place outside the site root or
 * the target prefix.  Pure functions; thread-safe.
 */
#ifndef KILN_PATH_H
#define KILN_PATH_H

struct buf;

/*
 * Canonicalise a page path: folds "//" and "/./", strips leading and
 * trailing '/', lowercases nothing, and rejects "..", control characters,
 * backslashes and components that are not valid slugs.
 * Returns 0 and replaces *out, or -1 with the reason in err.
 */
int path_canonicalize(const char *in, struct buf *out, struct buf *err);
/* a slug: 1..LIMIT_SLUG of [a-z0-9-_.], not starting with '.' */
bool slug_valid(const char *s, size_t len);
/* make a slug from a title ("Hello, World!" -> "hello-world") */
void slug_from_title(const char *title, struct buf *out);
/*
 * Canonicalise a relative file path (output or asset file name): like
 * path_canonicalize() but any byte except '/', NUL, '\\' and control
 * characters is allowed in a component; "." and ".." are rejected.
 */
int path_clean_rel(const char *in, struct buf *out, struct buf *err);
/* PATH is already what path_clean_rel() makes of it */
bool path_is_clean_rel(const char *path);

#endif
