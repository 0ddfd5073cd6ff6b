/* SPDX-License-Identifier: ISC */
/*
 * cdn.c: see cdn.h.  One curl easy handle per cache, reused for every
 * path so the connection is kept alive.
 */
#include "common/compat.h"

#include <curl/curl.h>
#include <time.h>

#include "common/awscreds.h"
#include "common/buf.h"
#include "common/hash.h"
#include "common/webhook.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "cdn/cdn.h"

#define ATTEMPTS 3

json_t *
cdn_plan(json_t *urls)
{
	json_t *out = json_array(), *u;
	size_t i;

	json_array_foreach(urls, i, u) {
		const char *p = json_string_value(u);
		size_t n;
		if (!p)
			continue;
		n = strlen(p);
		json_array_append_new(out, json_string(p));
		if (n > 1 && p[n - 1] == '/') {
			char *bare = xstrndup(p, n - 1);
			char *idx = xasprintf("%sindex.html", p);
			json_array_append_new(out, json_string(bare));
			json_array_append_new(out, json_string(idx));
			free(bare);
			free(idx);
		} else if (n == 1) {
			json_array_append_new(out, json_string("/index.html"));
		}
	}
	return out;
}

static size_t
discard(char *p, size_t s, size_t n, void *a)
{
	(void)p;
	(void)a;
	return s * n;
}

/* host[:port] of a URL, for the Host header */
static char *
host_of(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	return xstrndup(p, strcspn(p, "/"));
}

static int
purge(const struct cdn_conf *cdn, const char *base, json_t *paths,
    struct buf *log, struct buf *err)
{
	const char *method = cdn->method == CONF_PURGE_BAN ? "BAN" : "PURGE";
	char *host = host_of(cdn->base_url ? cdn->base_url : base), *hh;
	struct curl_slist *hdrs = NULL;
	int rc = 0;

	hh = xasprintf("Host: %s", host);
	hdrs = curl_slist_append(hdrs, hh);
	for (size_t c = 0; c < cdn->nurls && rc == 0; c++) {
		CURL *h = curl_easy_init();
		size_t i, ok = 0;
		json_t *p;

		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		json_array_foreach(paths, i, p) {
			char *url = xasprintf("%s%s", cdn->urls[c],
			    json_string_value(p));
			long http = 0;
			CURLcode cc = CURLE_OK;
			for (int a = 0; a < ATTEMPTS; a++) {
				curl_easy_setopt(h, CURLOPT_URL, url);
				cc = curl_easy_perform(h);
				curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE,
				    &http);
				/* 404: nothing cached under that URL: fine */
				if (cc == CURLE_OK && (http < 300 ||
				    http == 404))
					break;
				usleep((useconds_t)(100000 << a));
			}
			if (cc != CURLE_OK || (http >= 300 && http != 404)) {
				buf_setf(err, "cdn: %s %s: %s", method, url,
				    cc != CURLE_OK ? curl_easy_strerror(cc) :
				    "refused");
				if (cc == CURLE_OK)
					buf_printf(err, " (HTTP %ld)", http);
				rc = -1;
				free(url);
				break;
			}
			ok++;
			free(url);
		}
		curl_easy_cleanup(h);
		if (log && rc == 0)
			buf_printf(log, "cdn: %s of %zu paths at %s\n", method,
			    ok, cdn->urls[c]);
		else if (log)
			buf_printf(log, "cdn: %s of %zu paths at %s FAILED after "
			    "%zu: %s\n", method, json_array_size(paths),
			    cdn->urls[c], ok, err->buf);
	}
	curl_slist_free_all(hdrs);
	free(hh);
	free(host);
	return rc;
}

static int
webhook(const struct cdn_conf *cdn, const char *base, json_t *paths,
    struct buf *log, struct buf *err)
{
	json_t *full = json_array(), *p, *body;
	struct buf why = BUF_INIT;
	char *json;
	const char *secret = cdn->secret_env ? getenv(cdn->secret_env) : NULL;
	size_t i;
	long http = 0;
	int rc;

	json_array_foreach(paths, i, p) {
		char *u = xasprintf("%s%s", cdn->base_url ? cdn->base_url :
		    base, json_string_value(p));
		json_array_append_new(full, json_string(u));
		free(u);
	}
	body = json_pack("{s:o}", "urls", full);
	json = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	rc = webhook_post(cdn->url, json, secret, ATTEMPTS, &http, &why);
	if (rc == -1) {
		buf_setf(err, "cdn: webhook: %s", why.buf);
		if (http)
			buf_printf(err, " (HTTP %ld)", http);
	} else if (log)
		buf_printf(log, "cdn: webhook told of %zu URLs\n",
		    json_array_size(paths));
	buf_release(&why);
	free(json);
	return rc;
}

/* ---- API providers ---- */

#define CF_MAX_PATHS	1000	/* paths past 1,000 a month cost money */
#define CF_MAX_WILD	15	/* wildcards in progress per distribution */
#define CLOUDFLARE_BATCH 30	/* files per purge_cache request */

/*
 * CloudFront paths within its limits: the paths themselves when there are
 * at most CF_MAX_PATHS; else one wildcard per top-level folder ("/news/"
 * followed by '*': the fewest that cover them) when that is at most
 * CF_MAX_WILD; else the whole distribution.
 */
json_t *
cdn_cloudfront_paths(json_t *paths)
{
	json_t *tops, *out, *p;
	size_t i;

	if (json_array_size(paths) <= CF_MAX_PATHS)
		return json_incref(paths);
	tops = json_object();
	json_array_foreach(paths, i, p) {
		const char *s = json_string_value(p) + 1;
		size_t n = strcspn(s, "/");
		char *w = s[n] == '/' ? xasprintf("/%.*s/*", (int)n, s) :
		    xasprintf("/%s", s);
		json_object_set_new(tops, w, json_true());
		free(w);
	}
	out = json_array();
	if (json_object_size(tops) > CF_MAX_WILD)
		json_array_append_new(out, json_string("/*"));
	else {
		const char *k;
		json_t *v;
		json_object_foreach(tops, k, v)
			json_array_append_new(out, json_string(k));
	}
	json_decref(tops);
	return out;
}

static int
http_call(const char *method, const char *url, struct curl_slist *hdrs,
    const char *body, const char *sigv4, const char *userpwd, long *http,
    struct buf *resp)
{
	CURL *h = curl_easy_init();
	CURLcode cc = CURLE_OK;

	buf_reset(resp);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (sigv4) {
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	}
	for (int a = 0; a < ATTEMPTS; a++) {
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, http);
		if (cc == CURLE_OK && *http < 500 && *http != 429)
			break;
		usleep((useconds_t)(100000 << a));
	}
	curl_easy_cleanup(h);
	if (cc != CURLE_OK)
		buf_setf(resp, "%s", curl_easy_strerror(cc));
	return cc == CURLE_OK ? 0 : -1;
}

/* " (HTTP 503)", or " (Couldn't connect to server)": never empty */
static void
why_failed(struct buf *err, long http, const struct buf *why)
{
	if (why->len)
		buf_printf(err, " (%s)", why->buf);
	else
		buf_printf(err, " (HTTP %ld)", http);
}

static const char *
api_token(const struct cdn_conf *cdn, const char *what, struct buf *err)
{
	const char *t = cdn->token_env ? getenv(cdn->token_env) : NULL;

	if (!t || !*t)
		buf_setf(err, "cdn: %s: no API token (set the variable "
		    "named by cdn.token_env)", what);
	return t && *t ? t : NULL;
}

static int
cloudfront(const struct cdn_conf *cdn, json_t *paths, struct buf *log,
    struct buf *err)
{
	json_t *plan = cdn_cloudfront_paths(paths), *p;
	struct buf xml = BUF_INIT, url = BUF_INIT, h = BUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct buf e2 = BUF_INIT;
	char *userpwd = NULL, sha[65];
	struct aws_creds cr;
	long http = 0;
	size_t i;
	int rc = -1;

	/* the chain the S3 target uses: env, then the profile's files */
	if (aws_creds_load(&cr, &e2) == -1) {
		buf_setf(err, "cdn: cloudfront: %s", e2.buf);
		goto out;
	}
	buf_printf(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/"
	    "2020-05-31/\"><Paths><Quantity>%zu</Quantity><Items>",
	    json_array_size(plan));
	json_array_foreach(plan, i, p) {
		buf_adds(&xml, "<Path>");
		buf_add_html(&xml, json_string_value(p),
		    strlen(json_string_value(p)));
		buf_adds(&xml, "</Path>");
	}
	buf_printf(&xml, "</Items></Paths><CallerReference>kiln-%lld-%ld"
	    "</CallerReference></InvalidationBatch>", (long long)time(NULL),
	    (long)getpid());
	buf_printf(&url, "%s/2020-05-31/distribution/%s/invalidation",
	    cdn->endpoint ? cdn->endpoint : "https://cloudfront.amazonaws.com",
	    cdn->distribution_id);
	sha256_hex(xml.buf, xml.len, sha);
	buf_printf(&h, "x-amz-content-sha256: %s", sha);
	hdrs = curl_slist_append(hdrs, h.buf);
	hdrs = curl_slist_append(hdrs, "Content-Type: text/xml");
	if (cr.token) {
		char *t = xasprintf("x-amz-security-token: %s", cr.token);
		hdrs = curl_slist_append(hdrs, t);
		freezero_str(t);
	}
	userpwd = xasprintf("%s:%s", cr.key_id, cr.secret);
	if (http_call("POST", url.buf, hdrs, xml.buf,
	    "aws:amz:us-east-1:cloudfront", userpwd, &http, &e2) == -1 ||
	    http != 201) {
		buf_setf(err, "cdn: cloudfront: CreateInvalidation failed");
		why_failed(err, http, &e2);
		goto out;
	}
	if (log)
		buf_printf(log, "cdn: cloudfront invalidation of %zu paths\n",
		    json_array_size(plan));
	rc = 0;
out:
	aws_creds_release(&cr);
	freezero_str(userpwd);
	curl_slist_free_all(hdrs);
	json_decref(plan);
	buf_release(&xml);
	buf_release(&url);
	buf_release(&h);
	buf_release(&e2);
	return rc;
}

static int
cloudflare(const struct cdn_conf *cdn, const char *base, json_t *paths,
    struct buf *log, struct buf *err)
{
	const char *tok = api_token(cdn, "cloudflare", err);
	struct curl_slist *hdrs = NULL;
	struct buf url = BUF_INIT, e2 = BUF_INIT;
	char *auth;
	size_t n = json_array_size(paths), batches = 0;
	int rc = 0;

	if (!tok)
		return -1;
	auth = xasprintf("Authorization: Bearer %s", tok);
	hdrs = curl_slist_append(hdrs, auth);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	buf_printf(&url, "%s/client/v4/zones/%s/purge_cache", cdn->endpoint ?
	    cdn->endpoint : "https://api.cloudflare.com", cdn->zone_id);
	for (size_t i = 0; i < n && rc == 0; i += CLOUDFLARE_BATCH) {
		json_t *files = json_array(), *body;
		char *s;
		long http = 0;
		for (size_t k = i; k < n && k < i + CLOUDFLARE_BATCH; k++) {
			char *u = xasprintf("%s%s", cdn->base_url ?
			    cdn->base_url : base, json_string_value(
			    json_array_get(paths, k)));
			json_array_append_new(files, json_string(u));
			free(u);
		}
		body = json_pack("{s:o}", "files", files);
		s = json_dumps(body, JSON_COMPACT);
		if (http_call("POST", url.buf, hdrs, s, NULL, NULL, &http,
		    &e2) == -1 || http != 200) {
			buf_setf(err, "cdn: cloudflare: purge_cache failed");
			why_failed(err, http, &e2);
			rc = -1;
		}
		batches++;
		free(s);
		json_decref(body);
	}
	if (rc == 0 && log)
		buf_printf(log, "cdn: cloudflare purge of %zu URLs in %zu "
		    "requests\n", n, batches);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	curl_slist_free_all(hdrs);
	buf_release(&url);
	buf_release(&e2);
	return rc;
}

static int
fastly(const struct cdn_conf *cdn, const char *base, json_t *paths,
    struct buf *log, struct buf *err)
{
	const char *tok = api_token(cdn, "fastly", err);
	struct curl_slist *hdrs = NULL;
	struct buf e2 = BUF_INIT;
	char *key;
	const char *host = cdn->base_url ? cdn->base_url : base;
	size_t i;
	json_t *p;
	int rc = 0;

	if (!tok)
		return -1;
	key = xasprintf("Fastly-Key: %s", tok);
	hdrs = curl_slist_append(hdrs, key);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (json_array_size(paths) > FASTLY_KEY_PURGE_PATHS) {
		/* one purge of every page: POST /service/ID/purge/KEY */
		char *url = xasprintf("%s/service/%s/purge/%s", cdn->endpoint ?
		    cdn->endpoint : "https://api.fastly.com", cdn->service_id,
		    CDN_SURROGATE_KEY);
		long http = 0;
		if (http_call("POST", url, hdrs, "", NULL, NULL, &http,
		    &e2) == -1 || http != 200) {
			buf_setf(err, "cdn: fastly: purge of surrogate key %s "
			    "failed", CDN_SURROGATE_KEY);
			why_failed(err, http, &e2);
			rc = -1;
		} else if (log)
			buf_printf(log, "cdn: fastly purge of surrogate key %s "
			    "(%zu paths changed)\n", CDN_SURROGATE_KEY,
			    json_array_size(paths));
		free(url);
		goto out;
	}
	/* purge by URL: POST /purge/<host><path> on the API */
	host = strstr(host, "://") ? strstr(host, "://") + 3 : host;
	json_array_foreach(paths, i, p) {
		char *url = xasprintf("%s/purge/%s%s", cdn->endpoint ?
		    cdn->endpoint : "https://api.fastly.com", host,
		    json_string_value(p));
		long http = 0;
		if (http_call("POST", url, hdrs, "", NULL, NULL, &http,
		    &e2) == -1 || http != 200) {
			buf_setf(err, "cdn: fastly: purge of %s failed",
			    json_string_value(p));
			why_failed(err, http, &e2);
			rc = -1;
		}
		free(url);
		if (rc == -1)
			break;
	}
	if (rc == 0 && log)
		buf_printf(log, "cdn: fastly purge of %zu URLs (service %s)\n",
		    json_array_size(paths), cdn->service_id);
out:
	explicit_bzero(key, strlen(key));
	free(key);
	curl_slist_free_all(hdrs);
	buf_release(&e2);
	return rc;
}

json_t *
cdn_invalidation_plan(const struct cdn_conf *cdn, json_t *urls)
{
	json_t *p, *cf;

	if (!cdn)
		return json_array();
	p = cdn_plan(urls);
	if (cdn->type != CONF_CDN_CLOUDFRONT)
		return p;
	cf = cdn_cloudfront_paths(p);
	json_decref(p);
	return cf;
}

const char *
cdn_surrogate_key(const struct cdn_conf *cdn)
{
	return cdn && cdn->type == CONF_CDN_FASTLY ? CDN_SURROGATE_KEY : NULL;
}

int
cdn_invalidate(const struct cdn_conf *cdn, const char *base, json_t *urls,
    struct buf *log, struct buf *err)
{
	json_t *paths;
	int rc;

	if (!json_array_size(urls))
		return 0;
	paths = cdn_plan(urls);
	switch (cdn->type) {
	case CONF_CDN_PURGE:
		rc = purge(cdn, base, paths, log, err);
		break;
	case CONF_CDN_WEBHOOK:
		rc = webhook(cdn, base, paths, log, err);
		break;
	case CONF_CDN_CLOUDFRONT:
		rc = cloudfront(cdn, paths, log, err);
		break;
	case CONF_CDN_CLOUDFLARE:
		rc = cloudflare(cdn, base, paths, log, err);
		break;
	case CONF_CDN_FASTLY:
		rc = fastly(cdn, base, paths, log, err);
		break;
	default:
		buf_setf(err, "cdn: unknown provider");
		rc = -1;
	}
	json_decref(paths);
	return rc;
}
