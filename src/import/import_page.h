/* SPDX-License-Identifier: ISC */
/* import_page.h: a Hugo page's fields (import_page.c) */
#ifndef KILN_IMPORT_PAGE_H
#define KILN_IMPORT_PAGE_H

#include "common/buf.h"
#include "import/import_int.h"

struct ipagefields {
	struct buf title, body;
	char *summary;		/* NULL = none */
	char *template;		/* NULL = default */
	int64_t date, publish, expire;	/* 0 = none */
	int weight;
	bool draft, headless;
	json_t *tags, *extra;
};

/* P's fields; 0, or -1 reported in r (FILE:LINE: key: reason) */
int import_page_fields(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r,
    struct ipagefields *f);
/*
 * S (LEN bytes, its first line LINE0 of P's file) with Hugo shortcodes
 * converted (import_shortcode.c) into out; 0, or -1 reported in r.
 */
int import_shortcodes(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r, const char *s,
    size_t len, int line0, struct buf *out);
void import_page_fields_release(struct ipagefields *f);
/* S with references to P's resources made /media/NAME */
void import_rewrite_resources(const struct ipage *p, const char *s,
    size_t len, struct buf *out);

#endif
