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
	    "size, created_at, uploader) VALUES (?, ?, ?, ?, ?, ?) ON "
	    "CONFLICT(sha256) DO NOTHING", &s, err) == -1)
		goto fail;
	stmt_bind_text(s, 1, sha);
	stmt_bind_text(s, 2, clean.buf);
	stmt_bind_text(s, 3, mime_type_for(clean.buf));
	stmt_bind_i64(s, 4, (int64_t)data.len);
	stmt_bind_i64(s, 5, time_now());
	stmt_bind_text(s, 6, actor ? actor : "unknown");
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

/* the media files, with their uploader if UPLOADER (else NULL) */
static int
media_select(struct store *st, const char *media_dir, bool uploader,
    struct media_info **list, size_t *n, struct buf *err)
{
	struct stmt *s = NULL;
	struct media_info *l = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	/* the uploader: kept with the file since store version 2 (0280) */
	if (store_prepare(st, uploader ? "SELECT sha256, name, content_type, "
	    "size, created_at, uploader FROM media ORDER BY sha256" :
	    "SELECT sha256, name, content_type, size, created_at, NULL FROM "
	    "media ORDER BY sha256", &s, err) == -1)
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
		m->uploader = uploader ? store_col_str0(s, 5) : NULL;
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

int
sql_media_list(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err)
{
	return media_select(st, media_dir, true, list, n, err);
}

int
store_media_files(struct store *st, const char *media_dir,
    struct media_info **list, size_t *n, struct buf *err)
{
	return media_select(st, media_dir, false, list, n, err);
}

void
store_media_list_free(struct media_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].content_type);
		free(list[i].file);
		free(list[i].uploader);
	}
	free(list);
}


int
store_media_delete(struct store *st, const char *media_dir, const char *sha256,
    const char *actor, struct buf *err)
{
	struct stmt *s = NULL;
	char *file = NULL, *name = NULL;
	int rc = -1, r;

	if (strlen(sha256) != 64 || !hex_valid(sha256, 64))
		return 1;
	if (store_tx_begin(st, err) == -1)
		return -1;
	if (store_prepare(st, "SELECT name FROM media WHERE sha256 = ?", &s,
	    err) == -1)
		goto fail;
	stmt_bind_text(s, 1, sha256);
	if ((r = stmt_step(s)) == STMT_ROW)
		name = store_col_str0(s, 0);
	stmt_finalize(s);
	s = NULL;
	if (r != STMT_ROW && r != STMT_DONE) {
		store_sqlerr(st, "find media", err);
		goto fail;
	}
	if (!name) {
		store_tx_rollback(st);
		return 1;
	}
	if (store_prepare(st, "DELETE FROM media WHERE sha256 = ?", &s,
	    err) == -1)
		goto fail;
	stmt_bind_text(s, 1, sha256);
	if (stmt_step(s) != STMT_DONE) {
		store_sqlerr(st, "delete media", err);
		goto fail;
	}
	if (store_changed(st, actor, "media delete", 0, name, sha256,
	    "media deleted", err) == -1 || store_tx_commit(st, err) == -1)
		goto fail;
	/* the bytes go once the row is gone: a failure leaves a stray file */
	file = media_file(media_dir, sha256);
	(void)unlink(file);
	rc = 0;
	goto out;
fail:
	if (st->in_tx)
		store_tx_rollback(st);
out:
	stmt_finalize(s);
	free(file);
	free(name);
	return rc;
}

int
store_media_refs(struct store *st, int (*fn)(void *arg, int64_t page_id,
    const char *path, const char *body), void *arg, struct buf *err)
{
	struct stmt *s = NULL;
	int r;

	/*
	 * Only the revisions that may name a file (uses_media, a partial
	 * index: decision 0280), then their page by primary key: the cost
	 * follows the pages that use media, not the size of the site.
	 */
	if (store_prepare(st, "SELECT p.id, p.path, r.body FROM revisions r "
	    "JOIN pages p ON p.id = r.page_id WHERE r.uses_media = 1 AND "
	    "(p.latest_revision_id = r.id OR p.live_revision_id = r.id) "
	    "ORDER BY p.path, r.id", &s, err) == -1)
		return -1;
	while ((r = stmt_step(s)) == STMT_ROW)
		if (fn(arg, stmt_col_i64(s, 0), (const char *)stmt_col_text(s,
		    1), (const char *)stmt_col_text(s, 2)) != 0) {
			r = STMT_DONE;
			break;
		}
	stmt_finalize(s);
	if (r != STMT_DONE)
		return store_sqlerr(st, "find media uses", err);
	return 0;
}
