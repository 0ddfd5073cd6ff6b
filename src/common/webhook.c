/* SPDX-License-Identifier: ISC */
/*
 * webhook.c: the signed-webhook POST (see webhook.h).
 */
#include "common/compat.h"

#include <curl/curl.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/webhook.h"
#include "common/xmalloc.h"

static size_t
discard(char *p, size_t s, size_t n, void *a)
{
	(void)p;
	(void)a;
	return s * n;
}

int
webhook_post(const char *url, const char *body, const char *secret,
    int attempts, long *http, struct buf *err)
{
	struct curl_slist *hdrs = NULL;
	CURLcode cc = CURLE_OK;
	CURL *c;
	int rc = -1;

	*http = 0;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (secret && *secret) {
		unsigned char mac[32];
		char hex[65], *h;
		hmac_sha256(secret, strlen(secret), body, strlen(body), mac);
		hex_encode(mac, 32, hex);
		h = xasprintf("X-Kiln-Signature: sha256=%s", hex);
		hdrs = curl_slist_append(hdrs, h);
		free(h);
	}
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	for (int a = 0; a < attempts; a++) {
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http);
		if (cc == CURLE_OK && *http < 300)
			break;
		if (attempts > 1)
			usleep((useconds_t)(100000 << a));
	}
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		*http = 0;
		buf_setf(err, "%s", curl_easy_strerror(cc));
	} else if (*http >= 300)
		buf_setf(err, "refused");
	else
		rc = 0;
	curl_slist_free_all(hdrs);
	return rc;
}
