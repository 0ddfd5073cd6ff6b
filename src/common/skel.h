/* SPDX-License-Identifier: ISC */
/*
 * skel.h: files embedded in the binary from share/ at build time
 * (scripts/embed.cmake): the default theme and kiln.yaml under "skel/",
 * the demo site's content under "demo/".  The table ends with a NULL name.
 */
#ifndef KILN_SKEL_H
#define KILN_SKEL_H

struct skel_file {
	const char *name;		/* e.g. "skel/templates/base.mustache" */
	const unsigned char *data;	/* NUL-terminated */
	size_t len;
};

extern const struct skel_file skel_files[];

#endif
