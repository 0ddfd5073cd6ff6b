/* SPDX-License-Identifier: ISC */
/*
 * mdr.h: Markdown to HTML through md4c-html (CommonMark + tables,
 * strikethrough, permissive autolinks).  Raw HTML passes through unless
 * MDR_NO_HTML, which escapes it and also empties every link and image
 * URL with a javascript:, vbscript: or data: scheme (data:image/png, gif,
 * jpeg and webp excepted), inline, reference and autolinks alike: the
 * build.unsafe_html: false of kiln.yaml.  Thread-safe.
 */
#ifndef KILN_MDR_H
#define KILN_MDR_H

struct buf;

enum mdr_flags {
	MDR_NO_HTML = (1 << 0),
};

/* append the HTML of SRC to out; -1 with err if md4c fails */
int mdr_render(const char *src, size_t len, unsigned flags, struct buf *out,
    struct buf *err);
/* plain text of the first paragraph, at most max bytes (for summaries) */
void mdr_excerpt(const char *src, size_t len, size_t max, struct buf *out);

#endif
