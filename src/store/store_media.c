/* SPDX-License-Identifier: ISC */
/*
 * store_media.c: media on SQLite, content-addressed on disk (see store.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/manifest.h"
#include "common/path.h"
#include "common/testhook.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "store/store.h"
#include "store/store_int.h"
/* ---- media ---- */

static char *
media_file(const char *dir, const char *sha)
{
	return xasprintf("%s/%.2s/%s", dir, sha, sha);
}

int
sql_media_add(struct store *st, const char *media_dir, const char *file,
    const char *name, const char *actor, struct media_info *out,
    struct buf *err)
{
	struct buf data = BUF_INIT, clean = BUF_INIT;
	struct stmt *s = NULL;
	char sha[65], *dest = NULL;
	const char *base;
	int rc = -1;

	base = name ? name : (strrchr(file, '/') ? strrchr(file, '/') + 1 :
	    file);
	if (path_clean_rel(base, &clean, err) == -1 || strchr(clean.buf,
	    '/')) {
		buf_setf(err, "media name '%s': expected a plain file name",
		    base);
		goto out;
	}
	if (file_read(file, &data, LIMIT_MEDIA_FILE, err) == -1)
		goto out;
	sha256_hex(data.buf, data.len, sha);
	dest = media_file(media_dir, sha);
	if (!file_exists(dest) && (mkdir_parent(dest, err) == -1 ||
	    file_write_atomic(dest, data.buf, data.len, err) == -1))
		goto out;
	if (store_tx_begin(st, err) == -1)
		goto out;
	if (store_prepare(st, "INSERT INTO media(sha256, name, content_type, "
	    "size, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO "
	    "NOTHING", &s, err) == -1)
		goto fail;
	stmt_bind_text(s, 1, sha);
	stmt_bind_text(s, 2, clean.buf);
	stmt_bind_text(s, 3, mime_type_for(clean.buf));
	stmt_bind_i64(s, 4, (int64_t)data.len);
	stmt_bind_i64(s, 5, time_now());
	if (stmt_step(s) != STMT_DONE) {
		store_sqlerr(st, "add media", err);
		goto fail;
	}
	if (db_changes(st->db) > 0 && store_changed(st, actor,
	    "media add", 0, clean.buf, sha, "media added", err) == -1)
		goto fail;
	if (store_tx_commit(st, err) == -1)
		goto out;
	if (out) {
		memset(out, 0, sizeof(*out));
		strlcpy(out->sha256, sha, sizeof(out->sha256));
		out->name = xstrdup(clean.buf);
		out->content_type = xstrdup(mime_type_for(clean.buf));
		out->size = (int64_t)data.len;
		out->created_at = time_now();
		out->file = dest;
		dest = NULL;
	}
	rc = 0;
	goto out;
fail:
	store_tx_rollback(st);
out:
	stmt_finalize(s);
	buf_release(&data);
	buf_release(&clean);
	free(dest);
	return rc;
}

int
sql_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err)
{
	struct stmt *s = NULL;
	struct media_info *l = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (store_prepare(st, "SELECT sha256, name, content_type, size, "
	    "created_at FROM media ORDER BY sha256", &s, err) == -1)
		return -1;
	while ((r = stmt_step(s)) == STMT_ROW) {
		struct media_info *m;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			l = xreallocarray(l, cap, sizeof(*l));
		}
		m = &l[cnt++];
		memset(m, 0, sizeof(*m));
		strlcpy(m->sha256, (const char *)stmt_col_text(s, 0),
		    sizeof(m->sha256));
		m->name = store_col_str0(s, 1);
		m->content_type = store_col_str0(s, 2);
		m->size = stmt_col_i64(s, 3);
		m->created_at = stmt_col_i64(s, 4);
		m->file = media_file(media_dir, m->sha256);
	}
	stmt_finalize(s);
	if (r != STMT_DONE) {
		store_media_list_free(l, cnt);
		return store_sqlerr(st, "list media", err);
	}
	*list = l;
	*n = cnt;
	return 0;
}

void
store_media_list_free(struct media_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].content_type);
		free(list[i].file);
	}
	free(list);
}

