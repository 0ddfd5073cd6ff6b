/* SPDX-License-Identifier: ISC */
/*
 * bench_history.c: time history_commit() for a first commit of an N-file
 * output folder and for a commit after a 1-file edit.
 * Usage: bench_history [N] [WORKDIR]
 */
#include "common/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/timeutil.h"
#include "history/history.h"

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

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtonum(argv[1], 1, 1000000, NULL) : 10000;
	const char *work = argc > 2 ? argv[2] : "/tmp/kiln-bench-history";
	struct history_commit_info info;
	struct manifest m;
	struct buf err = BUF_INIT;
	char out[1024], repo[1024];
	int64_t t0, t1, t2;

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
	manifest_release(&m);
	manifest_init(&m);
	for (size_t i = 0; i < n; i++)
		write_page(out, i, i == n / 2 ? "EDITED " : "", &m);
	manifest_sort(&m, &err);
	manifest_save(&m, out, &err);
	t1 = mono_ms();
	if (history_commit(repo, "main", out, "2", "bench", &info, &err)) {
		fprintf(stderr, "%s\n", err.buf);
		return 1;
	}
	t2 = mono_ms();
	printf("1-page edit commit: %lld ms (%zu blobs written, %zu reused)\n",
	    (long long)(t2 - t1), info.written, info.unchanged);
	manifest_release(&m);
	buf_release(&err);
	return 0;
}
