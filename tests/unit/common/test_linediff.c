/* SPDX-License-Identifier: ISC */
/*
 * test_linediff.c: the LCS line diff: identical texts, additions,
 * removals, a change in the middle, empty sides, no final newline, a
 * minimal result (the LCS is kept), and the cap's fallback is still a
 * correct diff (applying it gives B).
 */
#include "test.h"

#include "common/buf.h"
#include "common/linediff.h"

/* "op+line|" for every line */
static void
render(const char *a, const char *b, struct buf *out, int *minimal)
{
	struct diff_line *d;
	size_t n;
	int m = line_diff(a, b, &d, &n);

	if (minimal)
		*minimal = m;
	buf_reset(out);
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%c%.*s|", d[i].op, (int)d[i].len, d[i].s);
	free(d);
}

/* the ' ' and '-' lines rebuild A, the ' ' and '+' lines rebuild B */
static void
check_applies(const char *a, const char *b)
{
	struct diff_line *d;
	struct buf ra = BUF_INIT, rb = BUF_INIT;
	size_t n;

	line_diff(a, b, &d, &n);
	for (size_t i = 0; i < n; i++) {
		if (d[i].op != '+')
			buf_printf(&ra, "%.*s\n", (int)d[i].len, d[i].s);
		if (d[i].op != '-')
			buf_printf(&rb, "%.*s\n", (int)d[i].len, d[i].s);
	}
	CHECK_STR_EQ(ra.buf ? ra.buf : "", a);
	CHECK_STR_EQ(rb.buf ? rb.buf : "", b);
	free(d);
	buf_release(&ra);
	buf_release(&rb);
}

TEST(linediff, basics)
{
	struct buf o = BUF_INIT;

	render("a\nb\nc\n", "a\nb\nc\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " a| b| c|");
	render("a\nc\n", "a\nb\nc\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " a|+b| c|");
	render("a\nb\nc\n", "a\nc\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " a|-b| c|");
	render("a\nb\nc\n", "a\nB\nc\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " a|-b|+B| c|");
	render("", "x\ny", &o, NULL);
	CHECK_STR_EQ(o.buf, "+x|+y|");
	render("x\ny\n", "", &o, NULL);
	CHECK_STR_EQ(o.buf, "-x|-y|");
	render("", "", &o, NULL);
	CHECK_INT_EQ(o.len, 0);
	/* a last line without '\n' is a line */
	render("a\nb", "a\nb\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " a| b|");
	buf_release(&o);
}

TEST(linediff, minimal)
{
	struct buf o = BUF_INIT;
	int m;

	/* LCS of ABCBDAB and BDCABA has length 4 */
	render("A\nB\nC\nB\nD\nA\nB\n", "B\nD\nC\nA\nB\nA\n", &o, &m);
	CHECK_INT_EQ(m, 1);
	{
		size_t same = 0;
		for (const char *p = o.buf; *p; p = strchr(p, '|') + 1)
			if (*p == ' ')
				same++;
		CHECK_INT_EQ(same, 4);
	}
	/* a moved paragraph: one removal and one addition, rest kept */
	render("1\n2\n3\n4\n5\n", "1\n3\n4\n5\n2\n", &o, NULL);
	CHECK_STR_EQ(o.buf, " 1|-2| 3| 4| 5|+2|");
	check_applies("A\nB\nC\nB\nD\nA\nB\n", "B\nD\nC\nA\nB\nA\n");
	check_applies("one\ntwo\n", "zero\none\nthree\n");
	buf_release(&o);
}

TEST(linediff, cap_falls_back_correctly)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct diff_line *d;
	size_t n;

	/* 3000 x 3000 middle lines: over the cap */
	buf_adds(&a, "head\n");
	buf_adds(&b, "head\n");
	for (int i = 0; i < 3000; i++) {
		buf_printf(&a, "a%d\n", i);
		buf_printf(&b, "b%d\n", i);
	}
	buf_adds(&a, "tail\n");
	buf_adds(&b, "tail\n");
	CHECK_INT_EQ(line_diff(a.buf, b.buf, &d, &n), 0);
	CHECK_INT_EQ(n, 6002);
	CHECK_INT_EQ(d[0].op, ' ');
	CHECK_INT_EQ(d[1].op, '-');
	CHECK_INT_EQ(d[3001].op, '+');
	CHECK_INT_EQ(d[6001].op, ' ');
	free(d);
	check_applies(a.buf, b.buf);
	buf_release(&a);
	buf_release(&b);
}
