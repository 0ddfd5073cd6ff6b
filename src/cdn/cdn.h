/* SPDX-License-Identifier: ISC */
/*
 * cdn.h: CDN invalidation after a deploy's upload phases and before its
 * deletions.  Paths are the site's URL paths that changed or went away
 * ("/news/a/"); each page is invalidated as "/news/a/", "/news/a" and
 * "/news/a/index.html".  Fingerprinted assets never need it.
 *
 * Providers: cloudfront (CreateInvalidation, SigV4, paths collapsed into
 * wildcards past its limits), fastly (purge by URL, or by surrogate key
 * for large changes; Fastly-Key),
 * cloudflare (purge_cache in batches of 30, Bearer token), purge (HTTP
 * PURGE or BAN to each cache in urls: Varnish,
 * nginx) and webhook (a POST of the JSON list of full URLs, signed with
 * HMAC-SHA256 when secret_env is set).  Failures are retried with
 * backoff, then returned; the caller fails the deploy.
 */
#ifndef KILN_CDN_H
#define KILN_CDN_H

#include <jansson.h>

struct buf;
struct cdn_conf;

/*
 * The surrogate key of every page and feed deployed to a target whose CDN
 * is Fastly (sent as x-amz-meta-surrogate-key, which the Fastly service
 * maps to Surrogate-Key); a change of more than FASTLY_KEY_PURGE_PATHS
 * paths is one purge of this key instead of one purge per URL.
 */
#define CDN_SURROGATE_KEY	"kiln-pages"
#define FASTLY_KEY_PURGE_PATHS	50

/* CloudFront's paths for PATHS within its limits (new reference) */
json_t *cdn_cloudfront_paths(json_t *paths);
/* the invalidation paths for URL paths (JSON array of strings) */
json_t *cdn_plan(json_t *urls);
/*
 * What cdn_invalidate() will send for URLS, as the provider sends it
 * (CloudFront: within its limits); an empty array without a CDN (new
 * reference)
 */
json_t *cdn_invalidation_plan(const struct cdn_conf *cdn, json_t *urls);
/*
 * The surrogate key the pages and feeds deployed behind CDN carry
 * (CDN_SURROGATE_KEY for Fastly), or NULL
 */
const char *cdn_surrogate_key(const struct cdn_conf *cdn);
/*
 * Invalidate URLS (JSON array of URL paths) for a site at SITE_BASE_URL.
 * Progress lines go to log (may be NULL).  0, or -1 with err.
 */
int cdn_invalidate(const struct cdn_conf *cdn, const char *site_base_url,
    json_t *urls, struct buf *log, struct buf *err);

#endif
