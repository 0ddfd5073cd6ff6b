/* SPDX-License-Identifier: ISC */
/*
 * feed_https.c: the feeder's one https GET (the approved list, a unit's
 * .tar.gz), through libcurl: https only, bounded by the caller's write
 * callback and TIMEOUT.  CURL_CA_BUNDLE, when set, names the CA file to
 * trust instead of the system's (a private CA, as the curl tool reads
 * it).
 */
#include "common/compat.h"

#include <stdlib.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "feed/feed.h"

int
feed_https_get(const char *url, size_t (*fn)(char *, size_t, size_t, void *),
    void *arg, long timeout, struct buf *err)
{
	CURL *h = curl_easy_init();
	char ebuf[CURL_ERROR_SIZE] = "";
	const char *ca = getenv("CURL_CA_BUNDLE");
	long code = 0;
	CURLcode r;

	if (!h) {
		buf_setf(err, "%s: cannot start a transfer", url);
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, arg);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	r = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	if (r != CURLE_OK) {
		buf_setf(err, "%s: %s", url, ebuf[0] ? ebuf :
		    curl_easy_strerror(r));
		return -1;
	}
	if (code != 200) {
		buf_setf(err, "%s: HTTP %ld", url, code);
		return -1;
	}
	return 0;
}
