/* SPDX-License-Identifier: ISC */
/*
 * admin_auth.h: the web admin's security rules, apart from any server so
 * they can be tested alone (tests/unit/http/test_admin_auth.c):
 *  - session ids: 256 random bits (OpenSSL RAND_bytes) as 64 hex in the
 *    cookie, kept by the store as their SHA-256 only;
 *  - the CSRF token of a session: HMAC-SHA256 keyed by the session id,
 *    so it is per session, needs no storage and cannot be derived from
 *    the stored hash; compared in constant time;
 *  - the login rate limit: failures per account and per client address
 *    in a fixed window (ADMIN_RL_FAILS in ADMIN_RL_WINDOW seconds, then
 *    429 with Retry-After until the window ends);
 *  - the security headers of every admin reply;
 *  - where a login may send the browser next (local paths only);
 *  - cookies and application/x-www-form-urlencoded bodies.
 * Decision records 0121 (sessions, CSRF, rate limit) and 0122 (headers).
 */
#ifndef KILN_ADMIN_AUTH_H
#define KILN_ADMIN_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct MHD_Response;
struct buf;

#define ADMIN_SID_HEX		64
#define ADMIN_COOKIE		"kiln_session"
#define ADMIN_LOGIN_COOKIE	"kiln_login"	/* login form's CSRF */
#define ADMIN_FLASH_COOKIE	"kiln_flash"
#define ADMIN_RL_FAILS		5
#define ADMIN_RL_WINDOW		(15 * 60)

/* a new session id: 64 lowercase hex; -1 if the RNG fails */
int admin_sid_new(char sid[ADMIN_SID_HEX + 1]);
/* the store's key of a session id (hex SHA-256) */
void admin_sid_hash(const char *sid, char out[65]);
/* the CSRF token of session id SID: 64 hex */
void admin_csrf_of(const char *sid, char out[65]);
/* does GIVEN (may be NULL) equal the CSRF token of SID?  constant-time */
bool admin_csrf_ok(const char *sid, const char *given);

/* ---- login rate limit ---- */

#define ADMIN_RL_SLOTS	1024

struct admin_rl_slot {
	char key[96];		/* "user:NAME" or "addr:ADDRESS"; "" free */
	int64_t start;		/* the window's first failure */
	int fails;
};

struct admin_rl {
	pthread_mutex_t mu;
	struct admin_rl_slot slot[ADMIN_RL_SLOTS];
};

void admin_rl_init(struct admin_rl *rl);
void admin_rl_destroy(struct admin_rl *rl);
/* seconds until KEY may try again at NOW (0: it may now) */
int64_t admin_rl_wait(struct admin_rl *rl, const char *key, int64_t now);
/* one more failure of KEY at NOW */
void admin_rl_fail(struct admin_rl *rl, const char *key, int64_t now);
/* forget KEY (a successful login) */
void admin_rl_clear(struct admin_rl *rl, const char *key);

/* ---- replies ---- */

/*
 * The admin's security headers on R for URL: CSP without unsafe-inline,
 * frame-ancestors 'none' and X-Frame-Options DENY (/admin/preview/...:
 * 'self' and SAMEORIGIN, so the editor may frame it), nosniff,
 * Referrer-Policy same-origin, Cache-Control no-store.
 */
void admin_security_headers(struct MHD_Response *r, const char *url);
/* is NEXT a local admin path a login may redirect to? */
bool admin_next_ok(const char *next);

/* the value of cookie NAME in a Cookie header (may be NULL) into OUT */
bool admin_cookie_get(const char *header, const char *name, char *out,
    size_t outsz);
/*
 * An application/x-www-form-urlencoded body as an object of strings (a
 * repeated name keeps its last value); NULL when it is not valid
 * (bad escape, not UTF-8).
 */
json_t *admin_form_parse(const char *body, size_t len);

#endif
