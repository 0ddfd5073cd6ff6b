/* SPDX-License-Identifier: ISC */
/*
 * linediff.h: a line diff of two texts by longest common subsequence
 * (the admin's revision comparison).  Lines are split on '\n'; a final
 * line without one is a line too.  The common head and tail are taken
 * off first; the LCS table of what is left is capped at LINEDIFF_CELLS
 * cells, beyond which the middle is reported as removed then added (a
 * correct diff, not a minimal one).  Thread-safe.
 */
#ifndef KILN_LINEDIFF_H
#define KILN_LINEDIFF_H

#include <stddef.h>

#define LINEDIFF_CELLS	(4u * 1024 * 1024)

struct diff_line {
	char op;		/* ' ' same, '-' only in A, '+' only in B */
	const char *s;		/* into A or B, not NUL-terminated */
	size_t len;		/* without the '\n' */
};

/*
 * The diff of A and B into *OUT (malloc'd, *N lines; free() it).  The
 * lines point into A and B, which must outlive *OUT.  Returns whether
 * the result is minimal (1) or the cap was hit (0).
 */
int line_diff(const char *a, const char *b, struct diff_line **out,
    size_t *n);

#endif
