/* SPDX-License-Identifier: ISC */
/*
 * mediatype.h: what may be a media file, in one place for `kiln media
 * add` and the web admin's uploads (decision 0200).  The type is sniffed
 * from the first bytes, never taken on the name's word: a name that
 * promises an image or a PDF must hold one, and HTML, XHTML and scripts
 * (active content, run with the site's origin) are never media.
 */
#ifndef KILN_MEDIATYPE_H
#define KILN_MEDIATYPE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* bytes of a file's start mediatype_check() looks at */
#define MEDIATYPE_HEAD	512

/* the type the first bytes show ("image/png"...), or NULL if unknown */
const char *mediatype_sniff(const void *head, size_t n);
/*
 * May a file named NAME starting with HEAD (N bytes, the first
 * MEDIATYPE_HEAD or fewer) be media?  0, or -1 with the reason in err.
 */
int mediatype_check(const char *name, const void *head, size_t n,
    struct buf *err);
/*
 * The whole rule for FILE, to be stored as NAME: at most MAX bytes
 * (media.max_size) and mediatype_check().  0, or -1 with err.
 */
int mediatype_file_ok(const char *file, const char *name, int64_t max,
    struct buf *err);

#endif
