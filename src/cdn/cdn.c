/* SPDX-License-Identifier: ISC */
/*
 * cdn.c: see cdn.h.  One curl easy handle per cache, reused for every
 * path so the connection is kept alive.
 */
#include "common/compat.h"

#include <curl/curl.h>

#include "common/buf.h"
#include "common/hash.h"
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
		if (log)
			buf_printf(log, "cdn: %s of %zu paths at %s%s\n", method,
			    ok, cdn->urls[c], rc ? " FAILED" : "");
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
	struct curl_slist *hdrs = NULL;
	char *json, *h;
	const char *secret = cdn->secret_env ? getenv(cdn->secret_env) : NULL;
	size_t i;
	long http = 0;
	CURLcode cc = CURLE_OK;
	CURL *c;
	int rc = -1;

	json_array_foreach(paths, i, p) {
		char *u = xasprintf("%s%s", cdn->base_url ? cdn->base_url :
		    base, json_string_value(p));
		json_array_append_new(full, json_string(u));
		free(u);
	}
	body = json_pack("{s:o}", "urls", full);
	json = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (secret && *secret) {
		unsigned char mac[32];
		char hex[65];
		hmac_sha256(secret, strlen(secret), json, strlen(json), mac);
		hex_encode(mac, 32, hex);
		h = xasprintf("X-Kiln-Signature: sha256=%s", hex);
		hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, cdn->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	for (int a = 0; a < ATTEMPTS; a++) {
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
		if (cc == CURLE_OK && http < 300)
			break;
		usleep((useconds_t)(100000 << a));
	}
	curl_easy_cleanup(c);
	if (cc != CURLE_OK || http >= 300) {
		buf_setf(err, "cdn: webhook: %s", cc != CURLE_OK ?
		    curl_easy_strerror(cc) : "refused");
		if (cc == CURLE_OK)
			buf_printf(err, " (HTTP %ld)", http);
	} else {
		if (log)
			buf_printf(log, "cdn: webhook told of %zu URLs\n",
			    json_array_size(paths));
		rc = 0;
	}
	curl_slist_free_all(hdrs);
	free(json);
	return rc;
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
	default:
		buf_setf(err, "cdn: this build of kiln cannot invalidate "
		    "cloudfront, fastly or cloudflare yet; use purge or "
		    "webhook");
		rc = -1;
	}
	json_decref(paths);
	return rc;
}
