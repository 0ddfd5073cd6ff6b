/* SPDX-License-Identifier: ISC */
/*
 * target_s3.c: an S3-compatible bucket as a deploy destination.
 *
 * Transfers run on one curl multi handle with up to `concurrency` at once
 * over kept-alive connections.  Requests are signed by libcurl's SigV4
 * (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"); curl 7.88 signs the body only
 * through an x-amz-content-sha256 header we set ourselves (DESIGN §9), so
 * every PUT carries the body's SHA-256 (from the manifest) and its MD5 as
 * Content-MD5.  5xx, 429/SlowDown and network errors are retried with
 * exponential backoff and jitter; a create-only PUT answered 412 means the
 * object is already there.  Credentials are never logged: errors name the
 * method, the key and S3's error code only.
 */
#include "common/compat.h"

#include <ctype.h>
#include <curl/curl.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "deploy/deploy_int.h"

#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define RESP_MAX	(64 * 1024)

struct s3_impl {
	char *bucket, *region, *endpoint;
	bool path_style;
	struct aws_creds creds;
	char *no_creds;		/* plan only: why there are none, or NULL */
	char *userpwd;
	char *sigv4;
	int max_attempts;
	int64_t backoff_ms;
};

/* ---- URLs ---- */

/* RFC 3986 percent-encoding; '/' kept when KEEP_SLASH */
static void
uri_encode(const char *s, bool keep_slash, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
		    *p == '~' || (keep_slash && *p == '/'))
			buf_addch(out, *p);
		else {
			buf_addch(out, '%');
			buf_addch(out, hex[*p >> 4]);
			buf_addch(out, hex[*p & 15]);
		}
	}
}

void
s3_encode_key(const char *key, struct buf *out)
{
	uri_encode(key, true, out);
}

/* the bucket's base URL, without a trailing '/' */
static void
bucket_url(struct s3_impl *s, struct buf *out)
{
	const char *ep = s->endpoint, *scheme_end;

	if (s->path_style) {
		buf_printf(out, "%s/%s", ep, s->bucket);
		return;
	}
	scheme_end = strstr(ep, "://");
	buf_add(out, ep, (size_t)(scheme_end + 3 - ep));
	buf_printf(out, "%s.%s", s->bucket, scheme_end + 3);
}

/* ---- transfers ---- */

struct job {
	struct xfer *x;
	CURL *h;
	struct curl_slist *hdrs;
	struct buf body;	/* PUT body */
	size_t off;
	struct buf resp;
	int64_t not_before;	/* monotonic ms */
};

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t want = size * n, left = j->body.len - j->off;

	if (want > left)
		want = left;
	memcpy(dst, j->body.buf + j->off, want);
	j->off += want;
	return want;
}

static size_t
write_cb(char *src, size_t size, size_t n, void *arg)
{
	struct job *j = arg;

	if (j->resp.len < RESP_MAX)
		buf_add(&j->resp, src, size * n);
	return size * n;
}

/* the text of <TAG>...</TAG> in s, or "" */
static void
xml_value(const char *s, const char *tag, char *out, size_t outsz)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	out[0] = '\0';
	if (!(a = strstr(s, open)))
		return;
	a += strlen(open);
	if (!(b = strstr(a, close)))
		return;
	snprintf(out, outsz, "%.*s", (int)(b - a), a);
}

static int
job_start(struct s3_impl *s, CURLM *m, struct job *j, struct buf *err)
{
	struct xfer *x = j->x;
	struct buf url = BUF_INIT, h = BUF_INIT;
	char md5[25];

	j->h = curl_easy_init();
	j->hdrs = NULL;
	j->off = 0;
	buf_reset(&j->resp);
	bucket_url(s, &url);
	buf_addch(&url, '/');
	s3_encode_key(x->key, &url);
	curl_easy_setopt(j->h, CURLOPT_URL, url.buf);
	curl_easy_setopt(j->h, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(j->h, CURLOPT_USERPWD, s->userpwd);
	curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(j->h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(j->h, CURLOPT_TIMEOUT, 300L);
	if (x->op == X_PUT) {
		if (!j->body.len && x->file) {
			struct buf e = BUF_INIT;
			if (file_read(x->file, &j->body, LIMIT_MEDIA_FILE,
			    &e) == -1) {
				buf_setf(err, "%s", e.buf);
				buf_release(&e);
				buf_release(&url);
				return -1;
			}
			buf_release(&e);
		} else if (!j->body.len && x->data)
			buf_add(&j->body, x->data, x->len);
		md5_base64(j->body.buf, j->body.len, md5);
		curl_easy_setopt(j->h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(j->h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(j->h, CURLOPT_READDATA, j);
		curl_easy_setopt(j->h, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)j->body.len);
		buf_printf(&h, "Content-MD5: %s", md5);
		j->hdrs = curl_slist_append(j->hdrs, h.buf);
		buf_reset(&h);
		buf_printf(&h, "x-amz-content-sha256: %s", x->sha256);
		j->hdrs = curl_slist_append(j->hdrs, h.buf);
		if (x->content_type && *x->content_type) {
			buf_reset(&h);
			buf_printf(&h, "Content-Type: %s", x->content_type);
			j->hdrs = curl_slist_append(j->hdrs, h.buf);
		}
		if (x->cache_control && *x->cache_control) {
			buf_reset(&h);
			buf_printf(&h, "Cache-Control: %s", x->cache_control);
			j->hdrs = curl_slist_append(j->hdrs, h.buf);
		}
		if (x->create_only)
			j->hdrs = curl_slist_append(j->hdrs, "If-None-Match: *");
		if (x->redirect) {
			buf_reset(&h);
			buf_printf(&h, "x-amz-website-redirect-location: %s",
			    x->redirect);
			j->hdrs = curl_slist_append(j->hdrs, h.buf);
		}
		if (x->surrogate_key) {
			buf_reset(&h);
			buf_printf(&h, "x-amz-meta-surrogate-key: %s",
			    x->surrogate_key);
			j->hdrs = curl_slist_append(j->hdrs, h.buf);
		}
	} else {
		if (x->op == X_HEAD)
			curl_easy_setopt(j->h, CURLOPT_NOBODY, 1L);
		else
			curl_easy_setopt(j->h, CURLOPT_CUSTOMREQUEST,
			    "DELETE");
		j->hdrs = curl_slist_append(j->hdrs,
		    "x-amz-content-sha256: " EMPTY_SHA256);
	}
	if (s->creds.token) {
		buf_reset(&h);
		buf_printf(&h, "x-amz-security-token: %s", s->creds.token);
		j->hdrs = curl_slist_append(j->hdrs, h.buf);
		explicit_bzero(h.buf, h.len);
	}
	curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdrs);
	curl_multi_add_handle(m, j->h);
	x->attempts++;
	buf_release(&url);
	buf_release(&h);
	return 0;
}

static void
job_end(CURLM *m, struct job *j)
{
	curl_multi_remove_handle(m, j->h);
	curl_easy_cleanup(j->h);
	curl_slist_free_all(j->hdrs);
	j->h = NULL;
	j->hdrs = NULL;
}

static const char *
op_name(enum xfer_op op)
{
	return op == X_PUT ? "PUT" : op == X_HEAD ? "HEAD" : "DELETE";
}

/* 1: retry later, 0: final */
static int
job_result(struct s3_impl *s, struct job *j, CURLcode cc)
{
	struct xfer *x = j->x;
	char code[128], msg[256];
	long http = 0;

	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &http);
	x->http = (int)http;
	free(x->error);
	x->error = NULL;
	if (cc == CURLE_OK && http >= 200 && http < 300) {
		x->status = 0;
		return 0;
	}
	if (cc == CURLE_OK && http == 412 && x->create_only) {
		x->status = 1;
		return 0;
	}
	if (cc == CURLE_OK && http == 404 && x->op == X_DELETE) {
		x->status = 0;
		return 0;
	}
	if (cc == CURLE_OK && http == 404 && x->op == X_HEAD) {
		x->status = 1;
		return 0;
	}
	code[0] = msg[0] = '\0';
	if (j->resp.len) {
		xml_value(j->resp.buf, "Code", code, sizeof(code));
		xml_value(j->resp.buf, "Message", msg, sizeof(msg));
	}
	x->status = -1;
	if (cc != CURLE_OK)
		x->error = xasprintf("%s %s: %s", op_name(x->op), x->key,
		    curl_easy_strerror(cc));
	else
		x->error = xasprintf("%s %s: HTTP %ld%s%s%s%s", op_name(x->op),
		    x->key, http, code[0] ? " " : "", code,
		    msg[0] ? ": " : "", msg);
	if (x->attempts >= s->max_attempts)
		return 0;
	if (cc != CURLE_OK || http >= 500 || http == 429 ||
	    !strcmp(code, "SlowDown"))
		return 1;
	return 0;
}

static int
s3_run(struct dest *d, struct xfer *x, size_t n, struct buf *err)
{
	struct s3_impl *s = d->impl;
	struct job *jobs;
	size_t *queue;
	size_t qhead = 0, qtail = 0, active = 0, done = 0;
	CURLM *m;
	int rc = 0;

	if (s->no_creds) {
		buf_setf(err, "%s", s->no_creds);
		return -1;
	}
	jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	queue = xcalloc(n ? n : 1, sizeof(*queue));
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)d->concurrency);
	for (size_t i = 0; i < n; i++) {
		jobs[i].x = &x[i];
		buf_init(&jobs[i].body, 0);
		buf_init(&jobs[i].resp, 0);
		queue[qtail++] = i;
	}
	while (done < n) {
		int running, nmsg;
		CURLMsg *msg;
		int64_t now = mono_ms();

		/* start what may start: the queue is a ring of n slots */
		for (size_t k = 0; k < n && active < (size_t)d->concurrency &&
		    qhead != qtail; k++) {
			size_t i = queue[qhead % n];
			if (jobs[i].not_before > now) {
				/* not yet: rotate it to the back */
				qhead++;
				queue[qtail++ % n] = i;
				continue;
			}
			qhead++;
			if (job_start(s, m, &jobs[i], err) == -1) {
				x[i].status = -1;
				x[i].error = xstrdup(err->buf);
				buf_reset(err);
				done++;
				continue;
			}
			active++;
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &nmsg))) {
			struct job *j;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&j);
			active--;
			if (job_result(s, j, msg->data.result) == 1) {
				int64_t delay = s->backoff_ms <<
				    (j->x->attempts - 1);
				if (delay > 5000)
					delay = 5000;
				delay += random() % (s->backoff_ms + 1);
				j->not_before = mono_ms() + delay;
				job_end(m, j);
				queue[qtail++ % n] = (size_t)(j - jobs);
				continue;
			}
			job_end(m, j);
			buf_release(&j->body);
			done++;
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, active ? 100 : 20, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		buf_release(&jobs[i].body);
		buf_release(&jobs[i].resp);
	}
	curl_multi_cleanup(m);
	free(jobs);
	free(queue);
	return rc;
}

/* ---- listing (kiln deploy --verify) ---- */

struct getbuf {
	struct buf b;
};

static size_t
get_cb(char *src, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, src, size * n) == -1)
		return 0;
	return size * n;
}

static void
xml_unescape(const char *s, size_t len, struct buf *out)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' } };

	for (size_t i = 0; i < len; i++) {
		bool hit = false;
		if (s[i] == '&')
			for (size_t k = 0; k < NELEM(ents); k++) {
				size_t el = strlen(ents[k].ent);
				if (i + el <= len && !strncmp(s + i,
				    ents[k].ent, el)) {
					buf_addch(out, ents[k].c);
					i += el - 1;
					hit = true;
					break;
				}
			}
		if (!hit)
			buf_addch(out, s[i]);
	}
}

/*
 * The MD5 an ETag stands for: a single-part upload's ETag is the quoted
 * hex MD5 of its content; a multipart one ("...-N") is not, so "".
 */
static const char *
etag_md5(struct buf *etag)
{
	char *p = etag->buf;
	size_t n = etag->len;

	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (n != 32)
		return "";
	for (size_t i = 0; i < 32; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	p[32] = '\0';
	return hex_valid(p, 32) ? p : "";
}

int s3_parse_list(const char *xml, size_t len, int (*fn)(const char *,
    int64_t, const char *, void *), void *arg, struct buf *next,
    struct buf *err);

/*
 * Parse one ListObjectsV2 page: call fn for each <Contents>; put the
 * continuation token in next ("" when the listing is complete).
 */
int
s3_parse_list(const char *xml, size_t len, int (*fn)(const char *,
    int64_t, const char *, void *), void *arg, struct buf *next,
    struct buf *err)
{
	const char *p = xml, *end = xml + len;
	struct buf key = BUF_INIT, etag = BUF_INIT;
	int rc = 0;

	buf_reset(next);
	if (!memmem(xml, len, "<ListBucketResult", 17)) {
		buf_setf(err, "S3 listing: not a ListBucketResult");
		return -1;
	}
	while (rc == 0 && (p = memmem(p, (size_t)(end - p), "<Contents>",
	    10))) {
		const char *ce = memmem(p, (size_t)(end - p), "</Contents>", 11);
		const char *k, *ke, *sz, *et, *ete;
		int64_t size = 0;
		if (!ce)
			break;
		k = memmem(p, (size_t)(ce - p), "<Key>", 5);
		ke = k ? memmem(k, (size_t)(ce - k), "</Key>", 6) : NULL;
		if (!k || !ke) {
			buf_setf(err, "S3 listing: <Contents> without <Key>");
			rc = -1;
			break;
		}
		buf_reset(&key);
		xml_unescape(k + 5, (size_t)(ke - k - 5), &key);
		sz = memmem(p, (size_t)(ce - p), "<Size>", 6);
		if (sz)
			size = strtoll(sz + 6, NULL, 10);
		buf_reset(&etag);
		et = memmem(p, (size_t)(ce - p), "<ETag>", 6);
		ete = et ? memmem(et, (size_t)(ce - et), "</ETag>", 7) : NULL;
		if (et && ete)
			xml_unescape(et + 6, (size_t)(ete - et - 6), &etag);
		rc = fn(key.buf, size, etag_md5(&etag), arg);
		p = ce + 11;
	}
	if (memmem(xml, len, "<IsTruncated>true</IsTruncated>", 31)) {
		const char *t = memmem(xml, len, "<NextContinuationToken>", 23);
		const char *te = t ? memmem(t, (size_t)(end - t),
		    "</NextContinuationToken>", 24) : NULL;
		if (t && te)
			xml_unescape(t + 23, (size_t)(te - t - 23), next);
		if (!next->len && rc == 0) {
			buf_setf(err, "S3 listing: truncated without a "
			    "continuation token");
			rc = -1;
		}
	}
	buf_release(&key);
	buf_release(&etag);
	return rc;
}

static int
s3_list(struct dest *d, int (*fn)(const char *, int64_t, const char *,
    void *), void *arg, struct buf *err)
{
	struct s3_impl *s = d->impl;
	struct buf url = BUF_INIT, page = BUF_INIT, next = BUF_INIT;
	struct curl_slist *hdrs = NULL;
	int rc = -1;

	if (s->no_creds) {
		buf_setf(err, "%s", s->no_creds);
		return -1;
	}

	buf_init(&page, LIMIT_S3_XML);
	hdrs = curl_slist_append(hdrs, "x-amz-content-sha256: "
	    EMPTY_SHA256);
	if (s->creds.token) {
		char *t = xasprintf("x-amz-security-token: %s",
		    s->creds.token);
		hdrs = curl_slist_append(hdrs, t);
		freezero_str(t);
	}
	do {
		CURL *h = curl_easy_init();
		CURLcode cc;
		long http = 0;

		buf_reset(&url);
		bucket_url(s, &url);
		/* the query in canonical order, values encoded (DESIGN §9) */
		buf_adds(&url, "/?");
		if (next.len) {
			buf_adds(&url, "continuation-token=");
			uri_encode(next.buf, false, &url);
			buf_addch(&url, '&');
		}
		buf_adds(&url, "list-type=2&prefix=");
		uri_encode(d->prefix, false, &url);
		buf_reset(&page);
		curl_easy_setopt(h, CURLOPT_URL, url.buf);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, s->userpwd);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, get_cb);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &page);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
		curl_easy_cleanup(h);
		d->list_denied = cc == CURLE_OK && http == 403;
		if (cc != CURLE_OK || http != 200) {
			buf_setf(err, "list %s: %s", s->bucket,
			    cc != CURLE_OK ? curl_easy_strerror(cc) :
			    "HTTP error");
			if (cc == CURLE_OK)
				buf_printf(err, " %ld", http);
			goto out;
		}
		if (s3_parse_list(page.buf, page.len, fn, arg, &next,
		    err) == -1)
			goto out;
	} while (next.len);
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	buf_release(&url);
	buf_release(&page);
	buf_release(&next);
	return rc;
}

static void
s3_free(struct dest *d)
{
	struct s3_impl *s = d->impl;

	free(s->bucket);
	free(s->region);
	free(s->endpoint);
	free(s->sigv4);
	free(s->no_creds);
	freezero_str(s->userpwd);
	aws_creds_release(&s->creds);
	free(s);
}

static const struct dest_ops s3_ops = { s3_run, s3_list, s3_free };

struct dest *
dest_s3_new(const char *name, const char *bucket, const char *region,
    const char *endpoint, bool path_style, const char *prefix,
    int concurrency, bool plan_only, struct buf *err)
{
	struct s3_impl *s;
	struct dest *d;
	const char *ma = getenv("KILN_S3_MAX_ATTEMPTS");
	const char *bo = getenv("KILN_S3_BACKOFF_MS");
	struct buf e = BUF_INIT;

	s = xcalloc(1, sizeof(*s));
	if (aws_creds_load(&s->creds, &e) == -1) {
		/* a plan from the store needs no credentials; any call
		   to the bucket still fails with the reason */
		if (!plan_only) {
			buf_setf(err, "%s", e.buf);
			buf_release(&e);
			free(s);
			return NULL;
		}
		s->no_creds = buf_detach(&e, NULL);
	}
	buf_release(&e);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	s->bucket = xstrdup(bucket);
	s->region = xstrdup(region ? region : "us-east-1");
	s->endpoint = endpoint ? xstrdup(endpoint) :
	    xasprintf("https://s3.%s.amazonaws.com", s->region);
	if (s->endpoint[strlen(s->endpoint) - 1] == '/')
		s->endpoint[strlen(s->endpoint) - 1] = '\0';
	s->path_style = path_style;
	s->userpwd = xasprintf("%s:%s", s->creds.key_id ? s->creds.key_id :
	    "", s->creds.secret ? s->creds.secret : "");
	s->sigv4 = xasprintf("aws:amz:%s:s3", s->region);
	s->max_attempts = ma ? (int)strtonum(ma, 1, 20, NULL) : 5;
	if (s->max_attempts < 1)
		s->max_attempts = 5;
	s->backoff_ms = bo ? strtonum(bo, 1, 60000, NULL) : 200;
	if (s->backoff_ms < 1)
		s->backoff_ms = 200;
	d = xcalloc(1, sizeof(*d));
	d->ops = &s3_ops;
	d->impl = s;
	d->name = xstrdup(name);
	d->prefix = xstrdup(prefix ? prefix : "");
	d->ident = dest_ident("s3", s->endpoint, s->bucket, NULL, d->prefix);
	d->concurrency = concurrency > 0 ? concurrency : 8;
	return d;
}
