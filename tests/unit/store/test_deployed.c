/* SPDX-License-Identifier: ISC */
/*
 * test_deployed.c: the deployed state as rows (store_deployed.h,
 * decision 0250) on both backends: a difference writes only the entries
 * that changed and deletes the removed ones; the rows read back are the
 * manifest written, in path order; a row naming a path outside the
 * destination is refused; journal rows are appended, replaced and
 * cleared per destination.
 */
#include "test.h"
#include "store_fixture.h"

#include "common/buf.h"
#include "common/manifest.h"
#include "store/store.h"
#include "store/store_deployed.h"

/* EXPR is 0, else the failure with err's text */
#define OK(expr)							\
	do {								\
		if ((expr) != 0)					\
			test_fail(__FILE__, __LINE__, "%s: %s", #expr,	\
			    err.buf ? err.buf : "");			\
	} while (0)

#define SHA_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_B "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"

static void
add(struct manifest *m, const char *path, const char *sha, const char *ct)
{
	manifest_add(m, path, sha, 3, ct, "no-cache", false, MK_HTML);
}

static size_t
write_diff(struct store *st, const char *dest, struct manifest *old,
    struct manifest *new)
{
	struct buf err = BUF_INIT;
	size_t n = 99;

	CHECK(manifest_sort(old, &err) == 0);
	CHECK(manifest_sort(new, &err) == 0);
	OK(store_deployed_write(st, dest, old, new, &n, &err));
	buf_release(&err);
	return n;
}

TEST(deployed, rows_written_as_a_difference)
{
	struct store *st = open_store_at("deployed.db");
	struct manifest none, a, b, r;
	struct buf err = BUF_INIT;

	manifest_init(&none);
	manifest_init(&a);
	manifest_init(&b);
	manifest_init(&r);
	add(&a, "index.html", SHA_A, "text/html");
	add(&a, "a/index.html", SHA_A, "text/html");
	add(&a, "z.css", SHA_A, "text/css");
	manifest_set_redirect(manifest_add(&a, "old/index.html", SHA_A, 3,
	    "text/html", "no-cache", false, MK_HTML), "/a/");
	CHECK_INT_EQ(write_diff(st, "d1", &none, &a), 4);
	/* another destination's rows are its own */
	CHECK_INT_EQ(write_diff(st, "d2", &none, &a), 4);
	/* one changed (content), one header-only change, one removed, one new */
	add(&b, "index.html", SHA_B, "text/html");
	add(&b, "a/index.html", SHA_A, "text/html");
	add(&b, "z.css", SHA_A, "text/css; charset=utf-8");
	add(&b, "b/index.html", SHA_A, "text/html");
	CHECK_INT_EQ(write_diff(st, "d1", &a, &b), 4);
	CHECK_INT_EQ(write_diff(st, "d1", &b, &b), 0);
	OK(store_deployed_load(st, "d1", &r, &err));
	CHECK_INT_EQ(r.nfiles, 4);
	CHECK_STR_EQ(r.files[0].path, "a/index.html");
	CHECK_STR_EQ(r.files[1].path, "b/index.html");
	CHECK_STR_EQ(r.files[2].path, "index.html");
	CHECK_STR_EQ(r.files[2].sha256, SHA_B);
	CHECK_STR_EQ(r.files[3].content_type, "text/css; charset=utf-8");
	CHECK_NULL(manifest_find(&r, "old/index.html"));
	manifest_release(&r);
	manifest_init(&r);
	OK(store_deployed_load(st, "d2", &r, &err));
	CHECK_INT_EQ(r.nfiles, 4);
	CHECK_STR_EQ(manifest_find(&r, "old/index.html")->redirect, "/a/");
	CHECK(!manifest_find(&r, "old/index.html")->immutable);
	manifest_release(&r);
	manifest_init(&r);
	OK(store_deployed_clear(st, "d2", &err));
	OK(store_deployed_load(st, "d2", &r, &err));
	CHECK_INT_EQ(r.nfiles, 0);
	manifest_release(&none);
	manifest_release(&a);
	manifest_release(&b);
	manifest_release(&r);
	buf_release(&err);
	store_close(st);
}

TEST(deployed, a_row_outside_the_destination_is_refused)
{
	struct store *st = open_store_at("deployed-bad.db");
	struct manifest none, a, r;
	struct buf err = BUF_INIT;

	manifest_init(&none);
	manifest_init(&a);
	manifest_init(&r);
	/* written as a damaged record would hold it: bypass the checks */
	add(&a, "../outside.txt", SHA_A, "text/plain");
	CHECK_INT_EQ(write_diff(st, "d1", &none, &a), 1);
	CHECK(store_deployed_load(st, "d1", &r, &err) == -1);
	CHECK(strstr(err.buf, "deployed_files of d1") != NULL);
	CHECK(strstr(err.buf, "../outside.txt") != NULL);
	manifest_release(&none);
	manifest_release(&a);
	manifest_release(&r);
	buf_release(&err);
	store_close(st);
}

/* more rows than one statement holds: whole statements and the rest */
TEST(deployed, many_rows_in_statements_of_many)
{
	struct store *st = open_store_at("deployed-many.db");
	struct manifest none, a, b, r;
	struct buf err = BUF_INIT;
	char path[32];

	manifest_init(&none);
	manifest_init(&a);
	manifest_init(&b);
	manifest_init(&r);
	for (int i = 0; i < 150; i++) {
		snprintf(path, sizeof(path), "p/%03d/index.html", i);
		add(&a, path, SHA_A, "text/html");
		/* every other one changes, the last 10 go */
		if (i < 140)
			add(&b, path, i % 2 ? SHA_B : SHA_A, "text/html");
	}
	CHECK_INT_EQ(write_diff(st, "d1", &none, &a), 150);
	CHECK_INT_EQ(write_diff(st, "d1", &a, &b), 70 + 10);
	OK(store_deployed_load(st, "d1", &r, &err));
	CHECK_INT_EQ(r.nfiles, 140);
	CHECK_STR_EQ(r.files[0].sha256, SHA_A);
	CHECK_STR_EQ(r.files[139].sha256, SHA_B);
	manifest_release(&none);
	manifest_release(&a);
	manifest_release(&b);
	manifest_release(&r);
	buf_release(&err);
	store_close(st);
}

struct seen {
	struct buf text;
	int n;
};

static int
seen_row(const struct store_journal_row *r, void *arg, struct buf *err)
{
	struct seen *s = arg;

	(void)err;
	buf_printf(&s->text, "%s %s %s;", r->what, r->path,
	    r->value ? r->value : "null");
	s->n++;
	return 0;
}

TEST(deployed, journal_rows_appended_replaced_cleared)
{
	struct store *st = open_store_at("journal.db");
	struct buf err = BUF_INIT;
	struct seen s = { BUF_INIT, 0 };
	const struct store_journal_row plan[] = {
		{ "plan", "a.html", "put" }, { "plan", "b.html", "delete" },
	};
	const struct store_journal_row landed[] = {
		{ "landed", "a.html", "[\"x\"]" }, { "landed", "b.html", NULL },
	};

	OK(store_deployed_journal_add(st, "d1", plan, 2, &err));
	OK(store_deployed_journal_add(st, "d2", plan, 1, &err));
	OK(store_deployed_journal_add(st, "d1", landed, 1, &err));
	/* a row written again is replaced, not doubled */
	OK(store_deployed_journal_add(st, "d1", landed, 2, &err));
	OK(store_deployed_journal_read(st, "d1", seen_row, &s, &err));
	CHECK_INT_EQ(s.n, 4);
	CHECK(strstr(s.text.buf, "landed b.html null;") != NULL);
	CHECK(strstr(s.text.buf, "plan b.html delete;") != NULL);
	OK(store_deployed_journal_clear(st, "d1", &err));
	s.n = 0;
	OK(store_deployed_journal_read(st, "d1", seen_row, &s, &err));
	CHECK_INT_EQ(s.n, 0);
	OK(store_deployed_journal_read(st, "d2", seen_row, &s, &err));
	CHECK_INT_EQ(s.n, 1);
	buf_release(&s.text);
	buf_release(&err);
	store_close(st);
}
