/* SPDX-License-Identifier: ISC */
/*
 * http_preview.c: drafts rendered as they would be live, over HTTP
 * (decision records 0130, 0131).
 *
 *   GET  /admin/preview/ID[?path=/news/]  the draft page, or another
 *        output of the site (listing, home, feed, asset) with the draft
 *        in it; links inside stay inside (?path=...)
 *   POST /admin/preview/ID/live           the unsaved form's fields
 *        (title, body, summary, date, tags) on top of the draft
 *   POST /api/v1/pages/ID/preview-link    {"expires": "7d"} -> a signed
 *        link /preview/TOKEN/ (editor+)
 *   GET  /preview/TOKEN/[PATH]            what that link shows, to
 *        anyone holding it, until it expires (403 after, or when the
 *        token was altered)
 *
 * Rendering is render_preview (src/render/preview.c): in memory, from
 * the request's own store handle, never touching a target or the
 * output folders.  Every preview answer carries a Content-Security-
 * Policy without 'unsafe-inline' (the banner's one <style> is allowed
 * by its hash), sandboxes the page, may be framed by the admin only
 * (frame-ancestors 'self') and is never cached.
 */
#include "common/compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "http/http_int.h"
#include "http/preview_link.h"
#include "render/render.h"
#include "store/store.h"

#define PREVIEW_DEFAULT_TTL	(7 * 86400)

/* the Content-Security-Policy of every preview answer (made once) */
static char csp[512];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

static void
csp_make(void)
{
	unsigned char md[32];
	unsigned char b64[48];

	sha256_raw(preview_banner_css, strlen(preview_banner_css), md);
	EVP_EncodeBlock(b64, md, sizeof(md));
	snprintf(csp, sizeof(csp), "default-src 'self'; img-src 'self' data:; "
	    "style-src 'self' 'sha256-%s'; script-src 'self'; "
	    "object-src 'none'; base-uri 'none'; form-action 'self'; "
	    "frame-ancestors 'self'; sandbox allow-scripts allow-forms "
	    "allow-popups allow-popups-to-escape-sandbox", b64);
}

/* the headers every preview answer carries */
static void
preview_headers(struct MHD_Response *resp, const char *type)
{
	pthread_once(&csp_once, csp_make);
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Robots-Tag", "noindex, nofollow");
	/* a shared link's token must not leave in a Referer */
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result
preview_send(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len,
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result r;

	if (!resp)
		return MHD_NO;
	preview_headers(resp, type);
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* a media file of the preview, from disk */
static enum MHD_Result
preview_send_file(struct MHD_Connection *conn, const char *file,
    const char *type)
{
	struct MHD_Response *resp;
	struct stat sb;
	enum MHD_Result r;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		if (fd != -1)
			close(fd);
		return http_reply_error(conn, 404, "the media file is gone",
		    NULL);
	}
	if (!(resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd))) {
		close(fd);
		return MHD_NO;
	}
	preview_headers(resp, type);
	r = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return r;
}

/* a clear HTML page for people holding a shared link */
static enum MHD_Result
preview_page(struct MHD_Connection *conn, unsigned status, const char *title,
    const char *text)
{
	struct buf b = BUF_INIT;
	enum MHD_Result r;

	buf_printf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s</h1>\n"
	    "<p>%s</p></body></html>\n", title, title, text);
	r = preview_send(conn, status, "text/html; charset=utf-8", b.buf,
	    b.len);
	buf_release(&b);
	return r;
}

/* the form field a message starts with ("body: line 2: ..."), or NULL */
static const char *
field_named(const char *msg)
{
	static const char *const fields[] = { "title", "body", "summary",
	    "date", "tags", "path" };

	for (size_t i = 0; i < NELEM(fields); i++) {
		size_t n = strlen(fields[i]);
		if (!strncmp(msg, fields[i], n) && msg[n] == ':')
			return fields[i];
	}
	return NULL;
}

/*
 * The form field a preview's bad input names: the store says which for
 * the page's fields; render_preview's own messages (the URL previewed)
 * carry no kind yet, so their "path: ..." prefix is read (src/render/
 * is another owner's; see docs/decisions/0210-error-fields.md).
 */
static const char *
bad_field(struct store *st, const char *msg)
{
	if (store_err_field(st))
		return store_err_field(st);
	return field_named(msg);
}

/* render O and answer it; SHARED: errors as pages, else as JSON */
static enum MHD_Result
preview_answer(struct http *h, struct MHD_Connection *conn, struct req *rq,
    const struct preview_opts *o, bool shared)
{
	struct preview_result res;
	struct buf body = BUF_INIT, err = BUF_INIT;
	enum MHD_Result r;

	memset(&res, 0, sizeof(res));
	res.body = &body;
	if (render_preview(h->c, rq->st, o, &res, &err) == -1) {
		if (res.status >= 500)
			log_warnx("preview of page %lld: %s",
			    (long long)o->page_id, err.buf);
		if (shared)
			r = preview_page(conn, res.status, res.status == 404 ?
			    "Not found" : "Preview not available",
			    res.status == 404 ? "This page is not part of the "
			    "preview." : "The preview cannot be shown now.");
		else
			r = http_reply_error(conn, res.status, err.buf,
			    res.status == 400 ? bad_field(rq->st, err.buf) :
			    NULL);
	} else if (res.file)
		r = preview_send_file(conn, res.file, res.type);
	else
		r = preview_send(conn, 200, res.type, body.buf, body.len);
	log_debug("preview of page %lld%s%s: %lld ms", (long long)o->page_id,
	    o->url ? " at " : "", o->url ? o->url : "", (long long)res.ms);
	preview_result_release(&res);
	buf_release(&body);
	buf_release(&err);
	return r;
}

/* ---- the live preview's form ---- */

/* %XX and '+' decoded in place; false if a NUL was encoded */
static bool
form_unescape(char *s, size_t *len)
{
	size_t i, o = 0, n = *len;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n && isxdigit((unsigned char)
		    s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			c = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (c == '\0')
			return false;
		s[o++] = c;
	}
	s[o] = '\0';
	*len = o;
	return true;
}

struct live_form {
	char *title, *body, *summary, *date, *tags;
};

/* the fields of an application/x-www-form-urlencoded body */
static int
form_parse(const struct buf *in, struct live_form *f, struct buf *err)
{
	static const char *const names[] = { "title", "body", "summary",
	    "date", "tags" };
	char **dst[] = { &f->title, &f->body, &f->summary, &f->date,
	    &f->tags };
	const char *p = in->buf, *end = in->buf + in->len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		size_t kl = (size_t)((eq ? eq : stop) - p), vl;
		char *key = xstrndup(p, kl), *val;

		vl = eq ? (size_t)(stop - eq - 1) : 0;
		val = xstrndup(eq ? eq + 1 : "", vl);
		if (!form_unescape(key, &kl) || !form_unescape(val, &vl)) {
			buf_setf(err, "%s: contains a NUL byte", key);
			free(key);
			free(val);
			return -1;
		}
		for (size_t k = 0; k < NELEM(names); k++)
			if (!strcmp(key, names[k])) {
				free(*dst[k]);
				*dst[k] = val;
				val = NULL;
				break;
			}
		free(key);
		free(val);
		p = stop + (amp ? 1 : 0);
	}
	return 0;
}

/* "a, b" -> ["a", "b"] (empty items dropped) */
static json_t *
tags_of(const char *s)
{
	json_t *a = json_array();

	while (*s) {
		size_t n = strcspn(s, ",");
		const char *t = s, *e = s + n;
		while (t < e && *t == ' ')
			t++;
		while (e > t && e[-1] == ' ')
			e--;
		if (e > t)
			json_array_append_new(a, json_stringn(t,
			    (size_t)(e - t)));
		s += n + (s[n] == ',');
	}
	return a;
}

static enum MHD_Result
preview_live(struct http *h, struct MHD_Connection *conn, struct req *rq)
{
	struct live_form f = { NULL, NULL, NULL, NULL, NULL };
	struct page_fields over;
	struct preview_opts o;
	struct buf err = BUF_INIT;
	char prefix[96];
	enum MHD_Result r;

	memset(&over, 0, sizeof(over));
	if (form_parse(&rq->body, &f, &err) == -1) {
		r = http_reply_error(conn, 400, err.buf, NULL);
		goto out;
	}
	over.title = f.title;
	over.body = f.body;
	over.summary = f.summary;
	if (f.date && f.date[0]) {
		char *iso = strlen(f.date) == 10 ? xasprintf("%sT00:00:00Z",
		    f.date) : xstrdup(f.date);
		int bad = time_parse_iso8601(iso, &over.date);
		free(iso);
		if (bad) {
			r = http_reply_error(conn, 400, "date: expected an ISO "
			    "8601 date (2026-11-24) or time", "date");
			goto out;
		}
	}
	if (f.tags) {
		struct buf why = BUF_INIT;
		if (page_text_check(f.tags, strlen(f.tags), false, 0, NULL,
		    &why) == -1) {
			buf_setf(&err, "tags: %s", why.buf);
			buf_release(&why);
			r = http_reply_error(conn, 400, err.buf, "tags");
			goto out;
		}
		over.tags = tags_of(f.tags);
	}
	snprintf(prefix, sizeof(prefix), "/admin/preview/%lld?path=",
	    (long long)rq->m.id);
	memset(&o, 0, sizeof(o));
	o.page_id = rq->m.id;
	o.over = &over;
	o.link_prefix = prefix;
	o.link_query = true;
	r = preview_answer(h, conn, rq, &o, false);
	json_decref(over.tags);
out:
	free(f.title);
	free(f.body);
	free(f.summary);
	free(f.date);
	free(f.tags);
	buf_release(&err);
	return r;
}

/* ---- shared links ---- */

static enum MHD_Result
preview_link_create(struct MHD_Connection *conn, struct req *rq)
{
	struct page_info p;
	struct buf err = BUF_INIT;
	json_t *in = NULL, *v;
	int64_t ttl = PREVIEW_DEFAULT_TTL, at;
	char tok[PREVIEW_TOKEN_MAX], iso[32], *url;
	enum MHD_Result r;
	int got;

	if (rq->body.len) {
		json_error_t je;
		in = json_loadb(rq->body.buf, rq->body.len, 0, &je);
		if (!json_is_object(in)) {
			json_decref(in);
			return http_reply_error(conn, 400, "expected a JSON "
			    "object {\"expires\": \"7d\"}", NULL);
		}
	}
	at = time_now() + ttl;
	if ((v = json_object_get(in, "expires")) != NULL) {
		const char *s = json_string_value(v);
		int64_t d;
		if (s && duration_parse(s, &d) == 0 && d > 0)
			at = time_now() + d;
		else if (!s || time_parse_iso8601(s, &at) == -1 ||
		    at <= time_now()) {
			json_decref(in);
			return http_reply_error(conn, 400, "expires: expected "
			    "a duration (7d, 12h) or a future ISO 8601 time",
			    "expires");
		}
	}
	json_decref(in);
	store_err_clear(rq->st);
	if ((got = store_page_get_id(rq->st, rq->m.id, &p, &err)) != 0) {
		char what[64];
		snprintf(what, sizeof(what), "no page with id %lld",
		    (long long)rq->m.id);
		r = got == 1 ? http_reply_error(conn, 404, what, "id") :
		    http_reply_store_error(conn, rq->st, err.buf);
		buf_release(&err);
		return r;
	}
	if (preview_link_make(rq->st, rq->m.id, at, tok, &err) == -1) {
		page_info_release(&p);
		r = http_reply_store_error(conn, rq->st, err.buf);
		buf_release(&err);
		return r;
	}
	store_audit(rq->st, rq->actor, "preview-link", p.path, NULL, &err);
	time_format_iso8601(at, iso, sizeof(iso));
	url = xasprintf("/preview/%s/", tok);
	r = http_reply_json(conn, 201, json_pack("{s:s, s:I, s:s, s:s}",
	    "url", url, "page_id", (json_int_t)rq->m.id, "path", p.path,
	    "expires_at", iso));
	free(url);
	page_info_release(&p);
	buf_release(&err);
	return r;
}

static enum MHD_Result
preview_shared(struct http *h, struct MHD_Connection *conn, struct req *rq)
{
	const char *rest = strchr(rq->m.path, '/');
	char tok[PREVIEW_TOKEN_MAX + 1], prefix[PREVIEW_TOKEN_MAX + 16];
	size_t tl = rest ? (size_t)(rest - rq->m.path) : strlen(rq->m.path);
	enum preview_check res = PREVIEW_BAD;
	struct preview_opts o;
	struct buf err = BUF_INIT;
	int64_t id = 0;

	if (tl < sizeof(tok)) {
		memcpy(tok, rq->m.path, tl);
		tok[tl] = '\0';
		if (preview_link_check(rq->st, tok, time_now(), &id, &res,
		    &err) == -1) {
			log_warnx("preview link: %s", err.buf);
			buf_release(&err);
			return preview_page(conn, 503, "Preview not available",
			    "The preview cannot be checked now; try again "
			    "later.");
		}
	}
	buf_release(&err);
	if (res == PREVIEW_EXPIRED)
		return preview_page(conn, 403, "This preview link has expired",
		    "Ask for a new link to see the page's draft.");
	if (res != PREVIEW_OK)
		return preview_page(conn, 403, "This preview link is not valid",
		    "The link is incomplete or was altered. Check that you "
		    "copied all of it, or ask for a new one.");
	snprintf(prefix, sizeof(prefix), "/preview/%s", tok);
	memset(&o, 0, sizeof(o));
	o.page_id = id;
	o.url = rest && rest[1] ? rest : NULL;
	o.link_prefix = prefix;
	o.link_query = false;
	return preview_answer(h, conn, rq, &o, true);
}

enum MHD_Result
http_preview(struct http *h, struct MHD_Connection *conn, struct req *rq)
{
	struct preview_opts o;
	char prefix[96];

	switch (rq->m.r->id) {
	case RT_PREVIEW_LIVE:
		return preview_live(h, conn, rq);
	case RT_PREVIEW_LINK:
		return preview_link_create(conn, rq);
	case RT_PREVIEW_SHARED:
		return preview_shared(h, conn, rq);
	default:
		break;
	}
	snprintf(prefix, sizeof(prefix), "/admin/preview/%lld?path=",
	    (long long)rq->m.id);
	memset(&o, 0, sizeof(o));
	o.page_id = rq->m.id;
	o.url = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
	    "path");
	o.link_prefix = prefix;
	o.link_query = true;
	return preview_answer(h, conn, rq, &o, false);
}
