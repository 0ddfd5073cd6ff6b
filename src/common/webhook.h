/* SPDX-License-Identifier: ISC */
/*
 * webhook.h: the one signed-webhook POST, used by the CDN's webhook
 * provider and by notify's webhook.
 */
#ifndef KILN_WEBHOOK_H
#define KILN_WEBHOOK_H

struct buf;

/*
 * POST the JSON text BODY to URL (Content-Type: application/json), signed
 * with "X-Kiln-Signature: sha256=<hex HMAC-SHA256 of BODY>" when SECRET
 * is set and not empty, in at most ATTEMPTS tries (100 ms, 200 ms, ...
 * apart).  0 on an answer below 300.  Else -1 with the reason in err:
 * curl's text (*HTTP 0), or "refused" (*HTTP the status); the caller
 * names itself in front.  The secret is never in err.
 */
int webhook_post(const char *url, const char *body, const char *secret,
    int attempts, long *http, struct buf *err);

#endif
