/* SPDX-License-Identifier: ISC */
/*
 * linediff.c: LCS line diff (see linediff.h).  The table holds, for each
 * (i, j), the length of the LCS of A[i..] and B[j..]; walking it from
 * (0, 0) emits the diff in order, preferring removals before additions
 * at a change, as diff(1) prints them.
 */
#include "common/compat.h"

#include <stdint.h>

#include "common/linediff.h"
#include "common/xmalloc.h"

struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

static void
split(const char *t, struct lines *l)
{
	size_t cap = 16;

	l->n = 0;
	l->s = xreallocarray(NULL, cap, sizeof(*l->s));
	l->len = xreallocarray(NULL, cap, sizeof(*l->len));
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) : strlen(t);
		if (l->n == cap) {
			cap *= 2;
			l->s = xreallocarray(l->s, cap, sizeof(*l->s));
			l->len = xreallocarray(l->len, cap, sizeof(*l->len));
		}
		l->s[l->n] = t;
		l->len[l->n++] = n;
		t += n + (nl != NULL);
	}
}

static bool
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->s[i], b->s[j], a->len[i]);
}

static void
emit(struct diff_line *out, size_t *k, char op, const char *s, size_t len)
{
	out[*k].op = op;
	out[*k].s = s;
	out[*k].len = len;
	(*k)++;
}

int
line_diff(const char *a, const char *b, struct diff_line **out, size_t *n)
{
	struct lines la, lb;
	size_t head = 0, tail = 0, na, nb, k = 0;
	uint32_t *t = NULL;
	int minimal = 1;

	split(a, &la);
	split(b, &lb);
	while (head < la.n && head < lb.n && same(&la, head, &lb, head))
		head++;
	while (tail < la.n - head && tail < lb.n - head &&
	    same(&la, la.n - 1 - tail, &lb, lb.n - 1 - tail))
		tail++;
	na = la.n - head - tail;
	nb = lb.n - head - tail;
	*out = xreallocarray(NULL, la.n + lb.n + 1, sizeof(**out));
	for (size_t i = 0; i < head; i++)
		emit(*out, &k, ' ', la.s[i], la.len[i]);
	if (na && nb && (na + 1) * (nb + 1) <= LINEDIFF_CELLS) {
		size_t w = nb + 1, i = 0, j = 0;
		t = xcalloc((na + 1) * w, sizeof(*t));
		for (size_t x = na; x-- > 0;)
			for (size_t y = nb; y-- > 0;) {
				if (same(&la, head + x, &lb, head + y))
					t[x * w + y] = t[(x + 1) * w + y + 1] +
					    1;
				else
					t[x * w + y] = t[(x + 1) * w + y] >=
					    t[x * w + y + 1] ? t[(x + 1) * w +
					    y] : t[x * w + y + 1];
			}
		while (i < na || j < nb) {
			if (i < na && j < nb && same(&la, head + i, &lb,
			    head + j)) {
				emit(*out, &k, ' ', la.s[head + i],
				    la.len[head + i]);
				i++;
				j++;
			} else if (i < na && (j == nb || t[(i + 1) * w + j] >=
			    t[i * w + j + 1])) {
				emit(*out, &k, '-', la.s[head + i],
				    la.len[head + i]);
				i++;
			} else {
				emit(*out, &k, '+', lb.s[head + j],
				    lb.len[head + j]);
				j++;
			}
		}
		free(t);
	} else {
		if (na && nb)
			minimal = 0;
		for (size_t i = 0; i < na; i++)
			emit(*out, &k, '-', la.s[head + i], la.len[head + i]);
		for (size_t j = 0; j < nb; j++)
			emit(*out, &k, '+', lb.s[head + j], lb.len[head + j]);
	}
	for (size_t i = la.n - tail; i < la.n; i++)
		emit(*out, &k, ' ', la.s[i], la.len[i]);
	*n = k;
	free(la.s);
	free(la.len);
	free(lb.s);
	free(lb.len);
	return minimal;
}
