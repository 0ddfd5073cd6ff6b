/* SPDX-License-Identifier: ISC */
/*
 * bench_history.c: time history_commit() for a first commit of an N-file
 * output folder and for a commit after a 1-file edit.
 * Usage: bench_history [N] [WORKDIR] [PAGES_PER_EDIT]
 */
#include "common/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/timeutil.h"
#include "history/history.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void
write_page(const char *out, size_t i, const char *extra, struct manifest *m)
{
	struct buf err = BUF_INIT, body = BUF_INIT;
	char rel[128], path[1024], sha[65];

	snprintf(rel, sizeof(rel), "section-%zu/page-%zu/index.html", i % 50,
	    i);
	snprintf(path, sizeof(path), "%s/%s", out, rel);
	buf_printf(&body, "<!doctype html><title>Page %zu</title><p>%s"
	    "Lorem ipsum dolor sit amet, page %zu.</p>\n", i, extra, i);
	if (mkdir_parent(path, &err) == -1 ||
	    file_write(path, body.buf, body.len, &err) == -1) {
		fprintf(stderr, "%s\n", err.buf);
		exit(1);
	}
	sha256_hex(body.buf, body.len, sha);
	manifest_add(m, rel, sha, (int64_t)body.len,
	    "text/html; charset=utf-8", "public, max-age=60", false, MK_HTML);
	buf_release(&err);
	buf_release(&body);
}

/* user + system CPU of the process so far, ms */
static int64_t
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/* OUT's changes.json: output ID made over BASE, FILES changed */
static void
write_changes(const char *out, const char *id, const char *base,
    const struct manifest_entry *files, size_t nfiles)
{
	struct buf err = BUF_INIT, text = BUF_INIT;
	char path[1024];

	changes_to_json(&text, id, base, NULL, 0, files, nfiles);
	snprintf(path, sizeof(path), "%s/%s", out, CHANGES_PATH);
	if (file_write(path, text.buf, text.len, &err) == -1) {
		fprintf(stderr, "%s\n", err.buf);
		exit(1);
	}
	buf_release(&err);
	buf_release(&text);
}

/* pages changed per edit build (argv[3]) */
static size_t pages_per_edit = 1;

/* is page I among those an edit build from page EDIT changes? */
static bool
edited(size_t i, size_t edit)
{
	return i >= edit && i - edit < pages_per_edit;
}

/* a build of N pages with pages EDIT.. changed (N: none); the time of
   its commit, with a changes list over BASE when ID is not NULL */
static int64_t
edit_commit(const char *out, const char *repo, size_t n, size_t edit,
    const char *bid, const char *id, const char *base,
    struct history_commit_info *info, int64_t *cpu)
{
	struct manifest m, ch;
	struct buf err = BUF_INIT;
	char extra[32], rel[128], path[1024];
	int64_t t0;

	manifest_init(&m);
	manifest_init(&ch);
	snprintf(extra, sizeof(extra), "EDIT %s ", bid);
	for (size_t i = 0; i < n; i++)
		write_page(out, i, edited(i, edit) ? extra : "", &m);
	manifest_sort(&m, &err);
	manifest_save(&m, out, &err);
	for (size_t i = edit; i < n && edited(i, edit); i++) {
		snprintf(rel, sizeof(rel), "section-%zu/page-%zu/index.html",
		    i % 50, i);
		manifest_add_copy(&ch, manifest_find(&m, rel));
	}
	manifest_sort(&ch, &err);
	snprintf(path, sizeof(path), "%s/%s", out, CHANGES_PATH);
	unlink(path);
	if (id)
		write_changes(out, id, base, ch.files, ch.nfiles);
	manifest_release(&ch);
	manifest_release(&m);
	t0 = mono_ms();
	*cpu = cpu_ms();
	if (history_commit(repo, "main", out, bid, "bench", info, &err)) {
		fprintf(stderr, "%s\n", err.buf);
		exit(1);
	}
	*cpu = cpu_ms() - *cpu;
	buf_release(&err);
	return mono_ms() - t0;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtonum(argv[1], 1, 1000000, NULL) : 10000;
	const char *work = argc > 2 ? argv[2] : "/tmp/kiln-bench-history";
	struct history_commit_info info;
	struct manifest m;
	struct buf err = BUF_INIT;
	char out[1024], repo[1024];
	int64_t t0, t1, t2, cpu;

	if (argc > 3)
		pages_per_edit = (size_t)strtonum(argv[3], 1, 100000, NULL);
	snprintf(out, sizeof(out), "%s/out", work);
	snprintf(repo, sizeof(repo), "%s/history.git", work);
	rm_rf(work, &err);
	manifest_init(&m);
	for (size_t i = 0; i < n; i++)
		write_page(out, i, "", &m);
	manifest_sort(&m, &err);
	manifest_save(&m, out, &err);
	t0 = mono_ms();
	if (history_commit(repo, "main", out, "1", "bench", &info, &err)) {
		fprintf(stderr, "%s\n", err.buf);
		return 1;
	}
	t1 = mono_ms();
	printf("first commit, %zu files: %lld ms (%zu blobs written)\n", n,
	    (long long)(t1 - t0), info.written);
	t2 = edit_commit(out, repo, n, n, "2", ID_A, "", &info, &cpu);
	printf("no-op build, its output noted: %lld ms, CPU %lld ms (same "
	    "tree: %d)\n", (long long)t2, (long long)cpu, info.same_tree);
	t2 = edit_commit(out, repo, n, n / 2, "3", ID_B, ID_A, &info, &cpu);
	printf("%zu-page edit commit from the changes: %lld ms, CPU %lld ms "
	    "(%zu files written, fast: %d)\n", pages_per_edit, (long long)t2,
	    (long long)cpu, info.written, info.fast);
	t2 = edit_commit(out, repo, n, n / 3, "4", NULL, NULL, &info, &cpu);
	printf("%zu-page edit commit from the manifests: %lld ms, CPU %lld ms "
	    "(%zu files written, %zu reused)\n", pages_per_edit, (long long)t2,
	    (long long)cpu, info.written, info.unchanged);
	manifest_release(&m);
	buf_release(&err);
	return 0;
}
