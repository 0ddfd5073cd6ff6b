/* SPDX-License-Identifier: ISC */
/*
 * admin_media.c: the admin's media library (issue #14, decision 0200):
 * the list (size, type, upload time, uploader, the pages whose latest or
 * live revision use each file), upload, insert into a page's draft and
 * delete (publishers, unused files only).
 *
 * An upload is multipart/form-data read by libmicrohttpd's post
 * processor as it arrives: the file part goes straight to a temporary
 * file beside the media store, counted against media.max_size, and
 * nothing past the limit is parsed or kept.  When the body is in, the
 * same rule as `kiln media add` (common/mediatype.h) checks the bytes,
 * and the store adds the file under its SHA-256 like the CLI does.
 */
#include "common/compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <microhttpd.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/jsonsafe.h"
#include "common/log.h"
#include "common/mediatype.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "http/admin.h"
#include "http/admin_auth.h"
#include "http/admin_int.h"
#include "http/http_int.h"
#include "http/route.h"
#include "store/store.h"

#define UPLOAD_SLACK	(64 * 1024)	/* multipart framing and fields */
#define UPLOAD_NAME_MAX	200

struct admin_upload {
	struct MHD_PostProcessor *pp;
	int fd;
	char *tmp;			/* the file part, as it comes */
	int64_t max, size;
	int nfiles;
	bool too_big, failed, malformed;
	char name[UPLOAD_NAME_MAX + 1];
	const char *name_err;
	char csrf[80];
	size_t csrflen;
	unsigned char head[MEDIATYPE_HEAD];
	size_t headlen;
};

/* ---- the upload, while it streams ---- */

/* the part's file name: a plain, valid UTF-8 name or a reason */
static void
upload_name(struct admin_upload *up, const char *filename)
{
	size_t n = filename ? strlen(filename) : 0;

	if (!n) {
		up->name_err = "file: the upload has no file name";
		return;
	}
	if (n > UPLOAD_NAME_MAX) {
		up->name_err = "file: the file name is too long";
		return;
	}
	if (!jsafe_utf8_valid(filename, n)) {
		up->name_err = "file: the file name is not valid UTF-8";
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)filename[i] < 0x20 || filename[i] == 0x7f ||
		    filename[i] == '/' || filename[i] == '\\') {
			up->name_err = "file: expected a plain file name "
			    "(no folders, no control characters)";
			return;
		}
	if (filename[0] == '.') {
		up->name_err = "file: a file name may not start with a dot";
		return;
	}
	memcpy(up->name, filename, n + 1);
}

static enum MHD_Result
upload_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *enc,
    const char *data, uint64_t off, size_t size)
{
	struct admin_upload *up = cls;

	(void)kind;
	(void)type;
	(void)enc;
	if (!key)
		return MHD_YES;
	if (!strcmp(key, "csrf")) {
		if (up->csrflen + size >= sizeof(up->csrf))
			up->csrflen = 0;	/* too long: no token */
		else {
			memcpy(up->csrf + up->csrflen, data, size);
			up->csrflen += size;
		}
		up->csrf[up->csrflen] = '\0';
		return MHD_YES;
	}
	if (strcmp(key, "file") != 0 || up->failed)
		return MHD_YES;
	if (off == 0 && (up->nfiles++ == 0))
		upload_name(up, filename);
	if (up->nfiles > 1)
		return MHD_YES;		/* a second file part is refused later */
	if (up->size + (int64_t)size > up->max) {
		up->too_big = true;
		/* give the disk back now; the rest is never parsed */
		if (ftruncate(up->fd, 0) == -1)
			up->failed = true;
		return MHD_NO;
	}
	if (up->headlen < sizeof(up->head)) {
		size_t k = sizeof(up->head) - up->headlen;
		k = k < size ? k : size;
		memcpy(up->head + up->headlen, data, k);
		up->headlen += k;
	}
	if (write_all(up->fd, data, size) == -1) {
		up->failed = true;
		return MHD_NO;
	}
	up->size += (int64_t)size;
	return MHD_YES;
}

void
admin_upload_data(struct req *rq, const char *data, size_t n)
{
	struct admin_upload *up = rq->upload;

	if (!up->pp || up->too_big || up->failed || up->malformed)
		return;			/* drained, never kept */
	if (MHD_post_process(up->pp, data, n) == MHD_NO && !up->too_big &&
	    !up->failed)
		up->malformed = true;
}

void
admin_upload_free(struct req *rq)
{
	struct admin_upload *up = rq->upload;

	if (!up)
		return;
	if (up->pp)
		(void)MHD_destroy_post_processor(up->pp);
	if (up->fd != -1)
		close(up->fd);
	if (up->tmp) {
		(void)unlink(up->tmp);
		free(up->tmp);
	}
	free(up);
	rq->upload = NULL;
}

/* admin_admit() for POST /admin/media: 0 to read the body, or 1 */
unsigned
admin_media_admit(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Length");
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Type");
	char *dir = conf_path(h->c, ".kiln/media");
	struct buf err = BUF_INIT;
	struct admin_upload *up;
	const char *errstr = NULL;
	int64_t len = cl ? strtonum(cl, 0, INT64_MAX, &errstr) : 0;

	if (cl && (errstr || len > h->c->media.max_size + UPLOAD_SLACK)) {
		free(dir);
		rq->early = admin_error(h, conn, url, rq, 413, "Too large",
		    "The file is larger than this site accepts "
		    "(media.max_size): nothing was stored.");
		return 1;
	}
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		free(dir);
		rq->early = admin_error(h, conn, url, rq, 415, "Not a file "
		    "upload", "Send the file as multipart/form-data (the "
		    "upload form does).");
		return 1;
	}
	up = xcalloc(1, sizeof(*up));
	up->fd = -1;
	up->max = h->c->media.max_size;
	up->tmp = xasprintf("%s/.upload-XXXXXX", dir);
	free(dir);
	rq->upload = up;
	if (mkdir_parent(up->tmp, &err) == -1 ||
	    (up->fd = mkstemp(up->tmp)) == -1) {
		log_warnx("admin: upload: %s", err.len ? err.buf :
		    strerror(errno));
		buf_release(&err);
		free(up->tmp);
		up->tmp = NULL;
		rq->early = admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The upload cannot be stored now.");
		return 1;
	}
	buf_release(&err);
	if (!(up->pp = MHD_create_post_processor(conn, 64 * 1024,
	    upload_field, up))) {
		rq->early = admin_error(h, conn, url, rq, 415, "Not a file "
		    "upload", "The form's encoding cannot be read.");
		return 1;
	}
	buf_init(&rq->body, 0);
	return 0;
}

/* ---- the library ---- */

static void
human_size(int64_t n, char *out, size_t outsz)
{
	if (n < 1024)
		snprintf(out, outsz, "%lld bytes", (long long)n);
	else if (n < 1024 * 1024)
		snprintf(out, outsz, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, outsz, "%.1f MiB", (double)n / (1024 * 1024));
}

/* the Markdown that shows (an image) or links to media file M */
static char *
snippet_of(const struct media_info *m)
{
	bool odd = strpbrk(m->name, " ()<>") != NULL;

	return xasprintf("%s[%s](%s/media/%s%s)", !strncmp(m->content_type,
	    "image/", 6) ? "!" : "", m->name, odd ? "<" : "", m->name,
	    odd ? ">" : "");
}

/* does BODY name /media/NAME (a whole name, not a prefix of one)? */
static bool
uses(const char *body, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = body; (p = strstr(p, "/media/")) != NULL; p++) {
		char c;
		if (strncmp(p + 7, name, n) != 0)
			continue;
		c = p[7 + n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._-~%", c)) || c == '\0')
			return true;
	}
	return false;
}

struct usage {
	json_t *rows;			/* each {name, used: [{id, path}]} */
	const char *name;		/* or the one file asked about */
	int64_t found;			/* its first user's page id */
	char *found_path;
};

static int
usage_row(void *arg, int64_t page_id, const char *path, const char *body)
{
	struct usage *u = arg;
	json_t *row, *used, *x;
	size_t i, k;
	bool dup;

	if (u->name) {
		if (!uses(body, u->name))
			return 0;
		u->found = page_id;
		u->found_path = xstrdup(path);
		return 1;
	}
	json_array_foreach(u->rows, i, row) {
		if (!uses(body, admin_str_or(row, "name", "")))
			continue;
		used = json_object_get(row, "used");
		dup = false;
		json_array_foreach(used, k, x)
			if (json_integer_value(json_object_get(x, "id")) ==
			    page_id)
				dup = true;
		if (!dup)
			json_array_append_new(used, json_pack("{s:I, s:o}",
			    "id", (json_int_t)page_id, "path",
			    jsafe_string(path)));
	}
	return 0;
}

static json_t *
media_row(const struct media_info *m, bool publisher)
{
	char size[32], iso[32], hum[40], *snip = snippet_of(m);
	json_t *row;

	human_size(m->size, size, sizeof(size));
	admin_human_time(m->created_at, iso, sizeof(iso), hum, sizeof(hum));
	row = json_pack("{s:s, s:s#, s:o, s:s, s:o, s:s, s:s, s:o, s:o, "
	    "s:[], s:b}", "sha256", m->sha256, "short", m->sha256, (int)12,
	    "name", jsafe_string(m->name), "size", size, "type",
	    jsafe_string(m->content_type), "at_iso", iso, "at", hum,
	    "uploader", jsafe_string(m->uploader ? m->uploader : ""),
	    "snippet", jsafe_string(snip), "used", "deletable", publisher);
	free(snip);
	return row;
}

/* a file some page uses cannot be deleted */
static void
used_not_deletable(json_t *rows)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (json_array_size(json_object_get(row, "used")) > 0)
			json_object_set_new(row, "deletable", json_false());
}

static int
newest_first(const void *a, const void *b)
{
	const struct media_info *x = *(const struct media_info *const *)a;
	const struct media_info *y = *(const struct media_info *const *)b;

	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? 1 : -1;
	return strcmp(x->sha256, y->sha256);
}

/* the rows of page CURRENT of the files whose name holds Q */
static json_t *
media_rows(struct req *rq, struct media_info *list, size_t n, const char *q,
    size_t current, size_t *total)
{
	const struct media_info **v = xreallocarray(NULL, n ? n : 1,
	    sizeof(*v));
	json_t *rows = json_array();
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!*q || strcasestr(list[i].name, q))
			v[k++] = &list[i];
	qsort(v, k, sizeof(*v), newest_first);
	*total = k;
	for (size_t i = (current - 1) * ADMIN_PAGE_SIZE; i < k &&
	    i < current * ADMIN_PAGE_SIZE; i++)
		json_array_append_new(rows, media_row(v[i],
		    rq->role >= ROLE_PUBLISHER));
	free(v);
	return rows;
}

/* the page files are inserted into (?insert=ID), into CTX */
static void
media_target(struct MHD_Connection *conn, struct req *rq, json_t *ctx)
{
	const char *s = admin_arg(conn, "insert"), *errstr;
	struct buf err = BUF_INIT;
	struct page_info p;
	int64_t id;

	if (!s || !*s)
		return;
	id = strtonum(s, 1, INT64_MAX, &errstr);
	memset(&p, 0, sizeof(p));
	if (!errstr && store_page_get_id(rq->st, id, &p, &err) == 0)
		json_object_set_new(ctx, "target", json_pack("{s:I, s:o}",
		    "id", (json_int_t)p.id, "title", jsafe_string(p.title)));
	store_err_clear(rq->st);
	page_info_release(&p);
	buf_release(&err);
}

/* the library, with ERROR (NULL: none) shown over it */
static enum MHD_Result
library(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq, unsigned status, const char *error)
{
	static const char *const qnames[] = { "q", "insert" };
	const char *qvalues[2];
	char *dir = conf_path(h->c, ".kiln/media"), max[32];
	struct media_info *list = NULL;
	struct buf err = BUF_INIT;
	struct usage u = { NULL, NULL, 0, NULL };
	size_t n = 0, total, current = admin_page_arg(conn, "p");
	json_t *ctx, *pager;

	qvalues[0] = admin_arg(conn, "q") ? admin_arg(conn, "q") : "";
	qvalues[1] = admin_arg(conn, "insert");
	if (store_media_list(rq->st, dir, &list, &n, &err) == -1) {
		free(dir);
		log_warnx("admin: %s", err.buf);
		buf_release(&err);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The media files cannot be read now.");
	}
	free(dir);
	ctx = admin_context(conn, rq, "Media");
	json_object_set_new(ctx, "nav_media", json_true());
	json_object_set_new(ctx, "q", jsafe_string(qvalues[0]));
	u.rows = media_rows(rq, list, n, qvalues[0], current, &total);
	if (store_media_refs(rq->st, usage_row, &u, &err) == -1)
		log_warnx("admin: %s", err.buf);
	used_not_deletable(u.rows);
	json_object_set_new(ctx, "media", u.rows);
	json_object_set_new(ctx, "total", json_integer((json_int_t)total));
	json_object_set_new(ctx, "one", json_boolean(total == 1));
	human_size(h->c->media.max_size, max, sizeof(max));
	json_object_set_new(ctx, "max", json_string(max));
	if (error)
		json_object_set_new(ctx, "error", jsafe_string(error));
	media_target(conn, rq, ctx);
	if ((pager = admin_pager("/admin/media?p=", current, total ? (total +
	    ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE : 1, qnames, qvalues, 2)))
		json_object_set_new(ctx, "pager", pager);
	store_media_list_free(list, n);
	store_err_clear(rq->st);
	buf_release(&err);
	return admin_page(h, conn, url, status, "media", ctx, NULL);
}

enum MHD_Result
admin_media(struct http *h, struct MHD_Connection *conn, const char *url,
    struct req *rq)
{
	return library(h, conn, url, rq, 200, NULL);
}

/* ---- upload, insert, delete ---- */

/* why the finished upload UP cannot be stored (status in *st), or NULL */
static const char *
upload_refused(struct admin_upload *up, struct buf *why, unsigned *st)
{
	*st = 400;
	if (up->too_big) {
		*st = 413;
		buf_setf(why, "size: the file is larger than the limit of "
		    "%lld bytes (media.max_size): nothing was stored.",
		    (long long)up->max);
		return why->buf;
	}
	if (up->malformed)
		return "file: the upload could not be read (a broken form).";
	if (up->nfiles == 0)
		return "file: choose a file to upload.";
	if (up->nfiles > 1)
		return "file: upload one file at a time.";
	if (up->name_err)
		return up->name_err;
	if (up->size == 0)
		return "file: the file is empty.";
	if (mediatype_check(up->name, up->head, up->headlen, why) == -1) {
		*st = 415;
		return why->buf;
	}
	return NULL;
}

enum MHD_Result
admin_media_upload(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq)
{
	struct admin_upload *up = rq->upload;
	const char *hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "X-CSRF-Token"), *ins = admin_arg(conn, "insert"), *bad;
	char *dir = conf_path(h->c, ".kiln/media"), *to;
	struct buf err = BUF_INIT, why = BUF_INIT;
	struct media_info m;
	enum MHD_Result r;
	unsigned st;
	int rc;

	/* the rest of the form: its last part is parsed now */
	if (up->pp && MHD_destroy_post_processor(up->pp) == MHD_NO &&
	    !up->too_big && !up->failed)
		up->malformed = true;
	up->pp = NULL;
	if (!admin_csrf_ok(rq->sid, hdr ? hdr : up->csrf)) {
		free(dir);
		return admin_error(h, conn, url, rq, 403, "Form expired",
		    "This form was not sent by this site or is from an "
		    "earlier session: reload the page and try again.");
	}
	if (up->failed) {
		free(dir);
		return admin_error(h, conn, url, rq, 503, "Unavailable",
		    "The upload could not be written to disk.");
	}
	if ((bad = upload_refused(up, &why, &st)) != NULL) {
		r = library(h, conn, url, rq, st, bad);
		free(dir);
		buf_release(&why);
		return r;
	}
	memset(&m, 0, sizeof(m));
	pthread_mutex_lock(&h->wmu);
	rc = store_media_add(rq->st, dir, up->tmp, up->name, rq->actor, &m,
	    &err);
	pthread_mutex_unlock(&h->wmu);
	free(dir);
	free(m.name);
	free(m.content_type);
	free(m.file);
	if (rc == -1) {
		r = library(h, conn, url, rq, http_kind_status(store_err_kind(
		    rq->st)) == 500 ? 400 : http_kind_status(store_err_kind(
		    rq->st)), err.buf);
		buf_release(&err);
		buf_release(&why);
		return r;
	}
	to = ins && *ins && strspn(ins, "0123456789") == strlen(ins) ?
	    xasprintf("/admin/media?insert=%s", ins) : xstrdup("/admin/media");
	r = admin_finish(h, conn, url, rq, 0, &err, "Cannot upload", to,
	    "uploaded");
	free(to);
	buf_release(&err);
	buf_release(&why);
	return r;
}

/* media file SHA into *M (a copy to free), 0; 1 if there is none; -1 */
static int
media_find(struct http *h, struct req *rq, const char *sha,
    struct media_info *m, struct buf *err)
{
	char *dir = conf_path(h->c, ".kiln/media");
	struct media_info *list = NULL;
	size_t n = 0;
	int rc = 1;

	memset(m, 0, sizeof(*m));
	if (store_media_list(rq->st, dir, &list, &n, err) == -1) {
		free(dir);
		return -1;
	}
	free(dir);
	for (size_t i = 0; i < n && rc == 1; i++)
		if (!strcmp(list[i].sha256, sha)) {
			*m = list[i];
			memset(&list[i], 0, sizeof(list[i]));
			rc = 0;
		}
	store_media_list_free(list, n);
	return rc;
}

static void
media_release(struct media_info *m)
{
	free(m->name);
	free(m->content_type);
	free(m->file);
	free(m->uploader);
}

/* page P's latest revision with SNIPPET appended, as a new revision */
static int
append_snippet(struct req *rq, const struct page_info *p,
    const char *snippet, struct buf *err)
{
	struct revision_info rv;
	struct page_fields pf;
	struct buf body = BUF_INIT;
	int rc;

	memset(&rv, 0, sizeof(rv));
	if (store_revision_get(rq->st, p->latest_revision, &rv, err) != 0)
		return -1;
	buf_adds(&body, rv.body);
	if (body.len && body.buf[body.len - 1] != '\n')
		buf_addch(&body, '\n');
	if (body.len)
		buf_addch(&body, '\n');
	buf_printf(&body, "%s\n", snippet);
	memset(&pf, 0, sizeof(pf));
	pf.title = rv.title;
	pf.body = body.buf;
	pf.summary = rv.summary;
	pf.date = rv.date;
	pf.tags = rv.tags;
	pf.extra = rv.extra;
	rc = store_page_edit(rq->st, p->path, &pf, rq->actor, err);
	if (rc == 0)
		(void)store_audit(rq->st, rq->actor, "admin.media_insert",
		    p->path, snippet, err);
	revision_info_release(&rv);
	buf_release(&body);
	return rc;
}

enum MHD_Result
admin_media_insert(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, json_t *form)
{
	const char *errstr;
	int64_t id = strtonum(admin_field(form, "page"), 1, INT64_MAX,
	    &errstr);
	struct buf err = BUF_INIT;
	struct media_info m;
	struct page_info p;
	enum MHD_Result r;
	char to[64], *snip;
	int rc;

	memset(&p, 0, sizeof(p));
	if (errstr)
		return admin_error(h, conn, url, rq, 400, "Bad request",
		    "page: which page should the file go into?");
	if (admin_page_or_error(h, conn, url, rq, id, &p, &r) == -1)
		return r;
	if ((rc = media_find(h, rq, admin_field(form, "sha256"), &m,
	    &err)) != 0) {
		page_info_release(&p);
		buf_release(&err);
		return admin_error(h, conn, url, rq, rc == 1 ? 404 : 503,
		    rc == 1 ? "Not found" : "Unavailable", rc == 1 ?
		    "There is no such media file." : "The media files cannot "
		    "be read now.");
	}
	snip = snippet_of(&m);
	pthread_mutex_lock(&h->wmu);
	rc = append_snippet(rq, &p, snip, &err);
	pthread_mutex_unlock(&h->wmu);
	snprintf(to, sizeof(to), "/admin/pages/%lld", (long long)p.id);
	r = admin_finish(h, conn, url, rq, rc == 0 ? 0 : -1, &err,
	    "Cannot insert", to, "inserted");
	free(snip);
	media_release(&m);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

enum MHD_Result
admin_media_delete(struct http *h, struct MHD_Connection *conn,
    const char *url, struct req *rq, json_t *form)
{
	char *dir = conf_path(h->c, ".kiln/media"), msg[600];
	struct buf err = BUF_INIT;
	struct usage u = { NULL, NULL, 0, NULL };
	struct media_info m;
	enum MHD_Result r;
	int rc;

	if ((rc = media_find(h, rq, admin_field(form, "sha256"), &m,
	    &err)) != 0) {
		free(dir);
		buf_release(&err);
		return admin_error(h, conn, url, rq, rc == 1 ? 404 : 503,
		    rc == 1 ? "Not found" : "Unavailable", rc == 1 ?
		    "There is no such media file." : "The media files cannot "
		    "be read now.");
	}
	u.name = m.name;
	pthread_mutex_lock(&h->wmu);
	rc = store_media_refs(rq->st, usage_row, &u, &err);
	if (rc == 0 && u.found) {
		snprintf(msg, sizeof(msg), "%s is used by the page /%s: take "
		    "it out of that page first.", m.name, u.found_path);
		buf_setf(&err, "%s", msg);
		rc = 1;
	} else if (rc == 0)
		rc = store_media_delete(rq->st, dir, m.sha256, rq->actor,
		    &err) == -1 ? -1 : 0;
	pthread_mutex_unlock(&h->wmu);
	r = admin_finish(h, conn, url, rq, rc, &err, "Cannot delete",
	    "/admin/media", "media_deleted");
	free(u.found_path);
	free(dir);
	media_release(&m);
	buf_release(&err);
	return r;
}
