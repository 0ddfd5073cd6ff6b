/* SPDX-License-Identifier: ISC */
/*
 * test_outdir.c: the two output slots behind build.out: the record's
 * format, the switch (also from an older real folder), pruning, emptying
 * a slot (moved aside and removed on a thread), writes through the
 * standby's folder descriptor, and that a file is never changed through
 * a hard link.
 */
#include "test.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "render/outdir.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* FILE is "SLOT/PATH": the slot is its first component */
static void
put(const char *file, const char *text)
{
	struct buf err = BUF_INIT;
	char slot[PATH_MAX];
	const char *path = strchr(file, '/');

	snprintf(slot, sizeof(slot), "%.*s", (int)(path - file), file);
	if (slot_write(slot, path + 1, text, strlen(text), &err) != 0)
		test_fail(__FILE__, __LINE__, "write %s: %s", file, err.buf);
	buf_release(&err);
}

static char *
slurp(const char *file)
{
	static char s[256];
	struct buf b = BUF_INIT, err = BUF_INIT;

	s[0] = '\0';
	if (file_read(file, &b, 1 << 20, &err) == 0)
		strlcpy(s, b.buf, sizeof(s));
	buf_release(&b);
	buf_release(&err);
	return s;
}

static const char *
link_of(const char *path)
{
	static char s[PATH_MAX];
	ssize_t n = readlink(path, s, sizeof(s) - 1);

	s[n < 0 ? 0 : n] = '\0';
	return s;
}

/* is anything named ".OUT.gone-*" left beside OUT (in this folder)? */
static bool
gone_left(const char *out)
{
	char prefix[64];
	DIR *d = opendir(".");
	struct dirent *e;
	bool found = false;

	snprintf(prefix, sizeof(prefix), ".%s.gone-", out);
	while (d && (e = readdir(d)) != NULL)
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			found = true;
	if (d)
		closedir(d);
	return found;
}

/* one build into OUT: FILES are "path=text", sorted by path */
static void
build(const char *out, const char *const *files, size_t n)
{
	struct outslot s;
	struct outrec rec;
	struct outrec_ent *v = calloc(n + 1, sizeof(*v));
	struct buf err = BUF_INIT;
	char paths[8][64], texts[8][64];

	CHECK(n <= 8);
	CHECK_INT_EQ(outslot_open(&s, out, false, &err), 0);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(files[i], '=');
		snprintf(paths[i], sizeof(paths[i]), "%.*s",
		    (int)(eq - files[i]), files[i]);
		strlcpy(texts[i], eq + 1, sizeof(texts[i]));
		CHECK_INT_EQ(slot_write(s.standby, paths[i], texts[i],
		    strlen(texts[i]), &err), 0);
		v[i].path = paths[i];
		v[i].sha = SHA_A;
		v[i].key = "";
		v[i].size = (int64_t)strlen(texts[i]);
	}
	memset(&rec, 0, sizeof(rec));
	rec.v = v;
	rec.n = n;
	CHECK_INT_EQ(outslot_prune(&s, &rec, &err), 0);
	CHECK_INT_EQ(outrec_save(s.standby, &rec, false, &err), 0);
	CHECK_INT_EQ(outslot_switch(&s, &err), 0);
	outslot_release(&s);
	free(v);
	buf_release(&err);
}

TEST(outdir, record_round_trip)
{
	struct outrec_ent v[2] = {
		{ "a/index.html", SHA_A, SHA_B, 12 },
		{ "css/site 1.css", SHA_B, "", 3 },
	};
	struct outrec r = { .id = "0123456789abcdef0123456789abcdef", .v = v,
	    .n = 2 }, back;
	const struct outrec_ent *e;
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	CHECK_INT_EQ(outrec_save("slot", &r, false, &err), 0);
	CHECK_INT_EQ(outrec_load("slot", &back), 0);
	CHECK_INT_EQ(back.n, 2);
	CHECK_STR_EQ(back.id, "0123456789abcdef0123456789abcdef");
	CHECK((e = outrec_find(&back, "css/site 1.css")) != NULL);
	CHECK_STR_EQ(e->sha, SHA_B);
	CHECK_STR_EQ(e->key, "");
	CHECK_INT_EQ(e->size, 3);
	CHECK((e = outrec_find(&back, "a/index.html")) != NULL);
	CHECK_STR_EQ(e->key, SHA_B);
	CHECK(outrec_find(&back, "b/index.html") == NULL);
	outrec_release(&back);
	buf_release(&err);
}

TEST(outdir, malformed_record_is_no_record)
{
	static const char *const bad[] = {
		"kiln-outputs 1\n" SHA_A " 3 - b\n" SHA_A " 3 - a\n",	/* order */
		"kiln-outputs 1\n" SHA_A " 3 - a\n" SHA_A " 3 - a\n",	/* dup */
		"kiln-outputs 1\n" SHA_A " x - a\n",			/* size */
		"kiln-outputs 1\nabc 3 - a\n",				/* sha */
		"kiln-outputs 1\n" SHA_A " 3 - a",			/* cut */
		"kiln-outputs 2\n",					/* no id */
		"kiln-outputs 2\nid 0123\n",				/* short id */
		"kiln-outputs 2\nid 0123456789ABCDEF0123456789abcdef\n",
		"kiln-outputs 2\nid 0123456789abcdef0123456789abcdef0\n",
		"kiln-outputs 3\nid 0123456789abcdef0123456789abcdef\n",
		"kiln-outputs 1\n" SHA_A " 3 - ../x\n",		/* escapes */
		"kiln-outputs 1\n" SHA_A " 3 - /etc/x\n",
		"kiln-outputs 1\n" SHA_A " 3 - a//b\n",
		"kiln-outputs 1\n" SHA_A " 3 - a/./b\n",
	};
	struct outrec r;

	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	for (size_t i = 0; i < NELEM(bad); i++) {
		put("slot/.kiln/outputs", bad[i]);
		CHECK_INT_EQ(outrec_load("slot", &r), -1);
		CHECK_INT_EQ(r.n, 0);
	}
}

TEST(outdir, builds_alternate_slots_behind_one_symlink)
{
	static const char *const one[] = { "a/index.html=a1", "index.html=one" };
	static const char *const two[] = { "index.html=two" };
	struct outslot s;
	struct buf err = BUF_INIT;

	build("public", one, 2);
	CHECK_STR_EQ(link_of("public"), ".public.a");
	CHECK_STR_EQ(slurp("public/a/index.html"), "a1");
	build("public", two, 1);
	CHECK_STR_EQ(link_of("public"), ".public.b");
	CHECK_STR_EQ(slurp("public/index.html"), "two");
	CHECK(!file_exists("public/a/index.html"));
	/* the third build reuses slot a: its record says what it holds */
	CHECK_INT_EQ(outslot_open(&s, "public", false, &err), 0);
	CHECK_STR_EQ(s.standby, ".public.a");
	CHECK_INT_EQ(s.standby_rec.n, 2);
	CHECK(outslot_live_find(&s, "index.html") != NULL);
	CHECK(outslot_live_find(&s, "a/index.html") == NULL);
	/* the record is gone while the slot is being written */
	CHECK(!file_exists(".public.a/.kiln/outputs"));
	outslot_release(&s);
	/* a slot without a record is emptied */
	CHECK_INT_EQ(outslot_open(&s, "public", false, &err), 0);
	CHECK_INT_EQ(s.standby_rec.n, 0);
	CHECK(!file_exists(".public.a/a/index.html"));
	CHECK_STR_EQ(slurp("public/index.html"), "two");
	outslot_release(&s);
	buf_release(&err);
}

TEST(outdir, fresh_empties_the_standby)
{
	static const char *const one[] = { "x/index.html=x" };
	static const char *const two[] = { "index.html=two" };
	struct outslot s;
	struct buf err = BUF_INIT;

	build("out", one, 1);
	build("out", two, 1);
	CHECK_INT_EQ(outslot_open(&s, "out", true, &err), 0);
	CHECK_INT_EQ(s.standby_rec.n, 0);
	CHECK(!dir_exists(".out.a/x"));
	CHECK(dir_exists(".out.a"));
	/* the old files went aside, to be removed by a thread ... */
	CHECK_INT_EQ(s.ngone, 1);
	outslot_release(&s);
	/* ... done when the slot is released */
	CHECK(!gone_left("out"));
	CHECK_STR_EQ(link_of("out"), ".out.b");
	CHECK_STR_EQ(slurp("out/index.html"), "two");
	buf_release(&err);
}

TEST(outdir, what_a_dead_build_left_aside_is_removed)
{
	static const char *const one[] = { "x/index.html=x" };
	struct outslot s;
	struct buf err = BUF_INIT;

	build("out", one, 1);
	/* a full build died after moving its standby aside */
	put(".out.gone-99999-0/a/b/c/index.html", "old");
	put(".out.gone-99999-0/a/index.html", "old");
	CHECK_INT_EQ(symlink("/nonexistent", ".out.gone-99999-0/a/link"), 0);
	put(".out.gone-1-3/z", "old");
	put("keep/.out.gone-1-3", "not beside out");
	CHECK(gone_left("out"));
	/* the next build, full or not, removes it */
	CHECK_INT_EQ(outslot_open(&s, "out", false, &err), 0);
	CHECK_INT_EQ(s.ngone, 2);
	outslot_release(&s);
	CHECK(!gone_left("out"));
	CHECK_STR_EQ(slurp("keep/.out.gone-1-3"), "not beside out");
	CHECK_STR_EQ(slurp("out/x/index.html"), "x");
	buf_release(&err);
}

TEST(outdir, prune_removes_files_and_empty_folders)
{
	static const char *const one[] = { "a/b/index.html=1",
	    "a/index.html=2", "c/index.html=3" };
	static const char *const two[] = { "a/index.html=2" };

	build("public", one, 3);
	build("public", two, 1);
	build("public", two, 1);	/* slot a again: pruned from 3 to 1 */
	CHECK_STR_EQ(link_of("public"), ".public.a");
	CHECK(file_exists("public/a/index.html"));
	CHECK(!dir_exists("public/a/b"));
	CHECK(!dir_exists("public/c"));
}

TEST(outdir, a_folder_kiln_did_not_write_is_left_alone)
{
	struct outslot s;
	struct buf err = BUF_INIT;

	put("www/index.html", "somebody's site");
	CHECK_INT_EQ(outslot_open(&s, "www", false, &err), -1);
	CHECK(strstr(err.buf, "is a folder kiln did not write") != NULL);
	CHECK_STR_EQ(slurp("www/index.html"), "somebody's site");
	CHECK(!dir_exists(".www.a"));
	buf_release(&err);
}

TEST(outdir, switch_replaces_an_older_real_folder)
{
	static const char *const one[] = { "index.html=new" };

	put("public/index.html", "old");
	put("public/stale.html", "old");
	put("public/.kiln/manifest.json", "{}");
	build("public", one, 1);
	CHECK_STR_EQ(link_of("public"), ".public.a");
	CHECK_STR_EQ(slurp("public/index.html"), "new");
	CHECK(!file_exists("public/stale.html"));
}

TEST(outdir, writes_never_go_through_a_hard_link)
{
	struct buf err = BUF_INIT;

	put("live/live.html", "live");
	CHECK_INT_EQ(slot_link("live/live.html", "slot", "x/index.html",
	    &err), 0);
	CHECK_STR_EQ(slurp("slot/x/index.html"), "live");
	put("slot/x/index.html", "changed");
	CHECK_STR_EQ(slurp("live/live.html"), "live");
	CHECK_STR_EQ(slurp("slot/x/index.html"), "changed");
	buf_release(&err);
}

TEST(outdir, outslot_write_through_the_held_folder)
{
	struct outslot s;
	struct buf err = BUF_INIT;
	struct stat st;

	CHECK_INT_EQ(outslot_open(&s, "out", false, &err), 0);
	CHECK(s.standby_fd != -1);
	/* new: its folder made, the file created */
	CHECK_INT_EQ(outslot_write(&s, "a/index.html", "a", 1, &err), 0);
	CHECK_INT_EQ(outslot_write(&s, "top.html", "t", 1, &err), 0);
	/* in the way: an old file (a hard link to keep), missing parents, a
	   file where a folder must be: done by path, the link untouched */
	put(".out.a/old.html", "old");
	CHECK_INT_EQ(link(".out.a/old.html", "kept.html"), 0);
	CHECK_INT_EQ(outslot_write(&s, "old.html", "new", 3, &err), 0);
	CHECK_INT_EQ(outslot_write(&s, "b/c/d/index.html", "deep", 4, &err),
	    0);
	CHECK_INT_EQ(outslot_write(&s, "top.html/index.html", "x", 1, &err),
	    0);
	outslot_release(&s);
	CHECK_INT_EQ(s.standby_fd, -1);
	CHECK_STR_EQ(slurp(".out.a/a/index.html"), "a");
	CHECK_STR_EQ(slurp(".out.a/old.html"), "new");
	CHECK_STR_EQ(slurp("kept.html"), "old");
	CHECK_STR_EQ(slurp(".out.a/b/c/d/index.html"), "deep");
	CHECK_STR_EQ(slurp(".out.a/top.html/index.html"), "x");
	CHECK_INT_EQ(stat(".out.a/a/index.html", &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0644);
	buf_release(&err);
}

TEST(outdir, a_file_where_a_folder_must_be_is_replaced)
{
	put("slot/a", "a file");
	put("slot/a/index.html", "page");
	CHECK_STR_EQ(slurp("slot/a/index.html"), "page");
	/* and a folder where a file must be */
	put("slot/b/index.html", "page");
	put("slot/b", "now a file");
	CHECK_STR_EQ(slurp("slot/b"), "now a file");
}

TEST(outdir, missing_parent_folders_are_made)
{
	static const char *const one[] = { "index.html=deep" };

	build("out/site/public", one, 1);
	CHECK_STR_EQ(link_of("out/site/public"), ".public.a");
	CHECK_STR_EQ(slurp("out/site/public/index.html"), "deep");
}

TEST(outdir, repairs_stay_inside_the_slot)
{
	struct buf err = BUF_INIT;

	/* the site is reached through a symlink, as /work may be */
	CHECK_INT_EQ(mkdir("real", 0755), 0);
	CHECK_INT_EQ(symlink("real", "via"), 0);
	CHECK_INT_EQ(slot_write("via/slot", "a", "file", 4, &err), 0);
	/* a file where a folder must be, inside the slot: replaced */
	CHECK_INT_EQ(slot_write("via/slot", "a/index.html", "page", 4, &err),
	    0);
	CHECK_STR_EQ(link_of("via"), "real");
	CHECK_STR_EQ(slurp("real/slot/a/index.html"), "page");
	buf_release(&err);
}

TEST(outdir, an_output_that_becomes_a_folder_and_back)
{
	static const char *const file[] = { "a=file" };
	static const char *const folder[] = { "a/index.html=page" };

	build("public", file, 1);
	build("public", folder, 1);
	build("public", folder, 1);	/* slot a: "a" was a file there */
	CHECK_STR_EQ(slurp("public/a/index.html"), "page");
	build("public", file, 1);	/* slot b: "a" was a folder */
	build("public", file, 1);
	CHECK_STR_EQ(slurp("public/a"), "file");
}

TEST(outdir, a_record_of_the_first_format_has_no_id)
{
	struct outrec r;

	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	put("slot/.kiln/outputs", "kiln-outputs 1\n" SHA_A " 3 - a\n");
	CHECK_INT_EQ(outrec_load("slot", &r), 0);
	CHECK_INT_EQ(r.n, 1);
	CHECK_STR_EQ(r.id, "");
	outrec_release(&r);
}

TEST(outdir, a_remembered_record_is_shared_until_the_file_names_another)
{
	struct outrec_ent v[1] = { { "a/index.html", SHA_A, SHA_B, 12 } };
	struct outrec r = { .id = "0123456789abcdef0123456789abcdef", .v = v,
	    .n = 1 }, x, y, z;
	struct buf err = BUF_INIT;

	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	CHECK_INT_EQ(outrec_save("slot", &r, true, &err), 0);
	CHECK_INT_EQ(outrec_load("slot", &x), 0);
	CHECK_INT_EQ(outrec_load("slot", &y), 0);
	CHECK(x.refs != NULL);
	CHECK(x.v == y.v);	/* one parse, shared */
	CHECK_STR_EQ(outrec_find(&y, "a/index.html")->key, SHA_B);
	outrec_release(&x);
	CHECK_STR_EQ(outrec_find(&y, "a/index.html")->sha, SHA_A);
	outrec_release(&y);
	/* another process writes the slot: a new id, read from the file */
	put("slot/.kiln/outputs", "kiln-outputs 2\nid "
	    "ffffffffffffffffffffffffffffffff\n" SHA_B " 3 - b\n");
	CHECK_INT_EQ(outrec_load("slot", &z), 0);
	CHECK(z.refs == NULL);
	CHECK_STR_EQ(z.id, "ffffffffffffffffffffffffffffffff");
	CHECK(outrec_find(&z, "a/index.html") == NULL);
	CHECK(outrec_find(&z, "b") != NULL);
	outrec_release(&z);
	buf_release(&err);
}

/* the fields of records A and B are the same, entry by entry */
static void
check_same_record(const struct outrec *a, const struct outrec *b)
{
	CHECK_STR_EQ(a->id, b->id);
	CHECK_INT_EQ(a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		CHECK_STR_EQ(a->v[i].path, b->v[i].path);
		CHECK_STR_EQ(a->v[i].sha, b->v[i].sha);
		CHECK_STR_EQ(a->v[i].key, b->v[i].key);
		CHECK_INT_EQ(a->v[i].size, b->v[i].size);
		CHECK(outrec_find(a, b->v[i].path) == &a->v[i]);
	}
}

TEST(outdir, a_remembered_record_is_cut_from_its_lines_as_a_parse_gives_it)
{
	struct outrec_ent v[5] = {
		{ "404.html", SHA_A, "", 0 },
		{ "a b/index.html", SHA_B, SHA_A, 9 },
		{ "a/index.html", SHA_A, SHA_B, 10 },
		{ "big.bin", SHA_B, "", 1234567890123 },
		{ "z", SHA_A, SHA_A, 99 },
	};
	struct outrec r = { .id = "22222222222222222222222222222222", .v = v,
	    .n = 5 }, kept, parsed;
	struct buf err = BUF_INIT, lines = BUF_INIT, text = BUF_INIT;

	for (size_t i = 0; i < r.n; i++)
		outrec_line(&v[i], &lines);
	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	CHECK_INT_EQ(outrec_save_lines("slot", &r, lines.buf, lines.len, true,
	    &err), 0);
	/* the file is what outrec_save writes */
	CHECK_INT_EQ(file_read("slot/.kiln/outputs", &text, 1 << 20, &err), 0);
	CHECK_INT_EQ(mkdir("other", 0755), 0);
	CHECK_INT_EQ(outrec_save("other", &r, false, &err), 0);
	CHECK_INT_EQ(outrec_load("slot", &kept), 0);
	CHECK(kept.refs != NULL);	/* the memo's */
	CHECK_INT_EQ(outrec_load("other", &parsed), 0);
	CHECK(parsed.refs == NULL);	/* the file's */
	check_same_record(&kept, &parsed);
	outrec_release(&kept);
	outrec_release(&parsed);
	CHECK_INT_EQ(file_read("other/.kiln/outputs", &lines, 1 << 20, &err),
	    0);
	CHECK_INT_EQ(text.len, lines.len);
	CHECK(memcmp(text.buf, lines.buf, text.len) == 0);
	buf_release(&lines);
	buf_release(&text);
	buf_release(&err);
}

TEST(outdir, lines_that_are_not_the_records_leave_no_memo)
{
	struct outrec_ent v[2] = {
		{ "a", SHA_A, "", 5 },
		{ "b", SHA_B, "", 6 },
	};
	struct outrec r = { .id = "33333333333333333333333333333333", .v = v,
	    .n = 2 }, back;
	struct buf err = BUF_INIT;
	/* b's size is 7 in the lines: the file is what a load must give */
	const char *lines = SHA_A " 5 - a\n" SHA_B " 7 - b\n";

	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	CHECK_INT_EQ(outrec_save_lines("slot", &r, lines, strlen(lines), true,
	    &err), 0);
	CHECK_INT_EQ(outrec_load("slot", &back), 0);
	CHECK(back.refs == NULL);
	CHECK_INT_EQ(back.n, 2);
	CHECK_INT_EQ(outrec_find(&back, "b")->size, 7);
	outrec_release(&back);
	buf_release(&err);
}

TEST(outdir, taken_lines_are_the_memos_record_not_a_copy)
{
	struct outrec_ent v[2] = {
		{ "a", SHA_A, SHA_B, 5 },
		{ "b/index.html", SHA_B, "", 6 },
	};
	struct outrec r = { .id = "44444444444444444444444444444444", .v = v,
	    .n = 2 }, text, back, parsed;
	struct buf err = BUF_INIT, lines = BUF_INIT;
	size_t len;
	char *taken;

	for (size_t i = 0; i < r.n; i++)
		outrec_line(&v[i], &lines);
	taken = buf_detach(&lines, &len);
	CHECK_INT_EQ(mkdir("slot", 0755), 0);
	CHECK_INT_EQ(outrec_save_taken("slot", &r, taken, len, true, &text,
	    &err), 0);
	CHECK(text.data == taken);
	CHECK_INT_EQ(outrec_load("slot", &back), 0);
	/* one text: the memo's record is the one TEXT shares */
	CHECK(back.refs != NULL && back.refs == text.refs);
	CHECK(back.data == taken);
	/* its fields cut in place, each separator a NUL */
	CHECK_INT_EQ(taken[64], '\0');
	CHECK_INT_EQ(taken[len - 1], '\0');
	outrec_release(&text);
	/* the memo holds it still, as the file's parse gives it */
	CHECK_INT_EQ(mkdir("other", 0755), 0);
	CHECK_INT_EQ(outrec_save("other", &r, false, &err), 0);
	CHECK_INT_EQ(outrec_load("other", &parsed), 0);
	check_same_record(&back, &parsed);
	outrec_release(&back);
	outrec_release(&parsed);
	/* not remembered: TEXT owns the lines alone, uncut */
	for (size_t i = 0; i < r.n; i++)
		outrec_line(&v[i], &lines);
	taken = buf_detach(&lines, &len);
	CHECK_INT_EQ(outrec_save_taken("other", &r, taken, len, false, &text,
	    &err), 0);
	CHECK(text.data == taken && text.refs == NULL);
	CHECK_INT_EQ(taken[64], ' ');
	outrec_release(&text);
	buf_release(&err);
}
