/* SPDX-License-Identifier: ISC */
/*
 * admin_auth.c: the web admin's security rules (see admin_auth.h).
 */
#include "common/compat.h"

#include <microhttpd.h>
#include <openssl/rand.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/jsonsafe.h"
#include "http/admin_auth.h"

int
admin_sid_new(char sid[ADMIN_SID_HEX + 1])
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	hex_encode(raw, sizeof(raw), sid);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

void
admin_sid_hash(const char *sid, char out[65])
{
	sha256_hex(sid, strlen(sid), out);
}

void
admin_csrf_of(const char *sid, char out[65])
{
	static const char label[] = "kiln admin csrf v1";
	unsigned char mac[32];

	hmac_sha256(sid, strlen(sid), label, sizeof(label) - 1, mac);
	hex_encode(mac, sizeof(mac), out);
	explicit_bzero(mac, sizeof(mac));
}

bool
admin_csrf_ok(const char *sid, const char *given)
{
	char want[65];
	bool ok;

	if (!sid || !given || strlen(given) != 64)
		return false;
	admin_csrf_of(sid, want);
	ok = str_ct_equal(want, given);
	explicit_bzero(want, sizeof(want));
	return ok;
}

/* ---- login rate limit ---- */

void
admin_rl_init(struct admin_rl *rl)
{
	memset(rl->slot, 0, sizeof(rl->slot));
	pthread_mutex_init(&rl->mu, NULL);
}

void
admin_rl_destroy(struct admin_rl *rl)
{
	pthread_mutex_destroy(&rl->mu);
}

/*
 * KEY's slot, or (CREATE) a free one, or the one whose window is oldest:
 * a flood of new keys can only push out the oldest windows.  Open
 * addressing over 8 probes keeps each call O(1).  Caller holds rl->mu.
 */
static struct admin_rl_slot *
rl_slot(struct admin_rl *rl, const char *key, bool create)
{
	uint32_t h = fnv1a32(key);
	struct admin_rl_slot *victim = NULL;

	for (uint32_t i = 0; i < 8; i++) {
		struct admin_rl_slot *s = &rl->slot[(h + i) % ADMIN_RL_SLOTS];
		if (!strcmp(s->key, key))
			return s;
		if (!victim || (victim->key[0] && (!s->key[0] ||
		    s->start < victim->start)))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	return victim;
}

int64_t
admin_rl_wait(struct admin_rl *rl, const char *key, int64_t now)
{
	struct admin_rl_slot *s;
	int64_t wait = 0;

	pthread_mutex_lock(&rl->mu);
	if ((s = rl_slot(rl, key, false)) != NULL) {
		if (now - s->start >= ADMIN_RL_WINDOW)
			memset(s, 0, sizeof(*s));
		else if (s->fails >= ADMIN_RL_FAILS)
			wait = s->start + ADMIN_RL_WINDOW - now;
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}

void
admin_rl_fail(struct admin_rl *rl, const char *key, int64_t now)
{
	struct admin_rl_slot *s;

	pthread_mutex_lock(&rl->mu);
	s = rl_slot(rl, key, true);
	if (s->fails == 0 || now - s->start >= ADMIN_RL_WINDOW) {
		s->start = now;
		s->fails = 0;
	}
	s->fails++;
	pthread_mutex_unlock(&rl->mu);
}

void
admin_rl_clear(struct admin_rl *rl, const char *key)
{
	struct admin_rl_slot *s;

	pthread_mutex_lock(&rl->mu);
	if ((s = rl_slot(rl, key, false)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&rl->mu);
}

/* ---- replies ---- */

void
admin_security_headers(struct MHD_Response *r, const char *url)
{
	bool preview = url && !strncmp(url, "/admin/preview/", 15);

	MHD_add_response_header(r, "Content-Security-Policy", preview ?
	    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'; form-action 'self'; base-uri 'none'; "
	    "object-src 'none'; frame-ancestors 'self'" :
	    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'; form-action 'self'; base-uri 'none'; "
	    "object-src 'none'; frame-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Frame-Options", preview ? "SAMEORIGIN" :
	    "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

bool
admin_next_ok(const char *next)
{
	if (!next || strncmp(next, "/admin/", 7) != 0)
		return false;
	/* no "//host", no backslashes browsers read as slashes, no
	   control characters, no going up */
	for (const char *p = next; *p; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return !strstr(next, "//") && !strstr(next, "/../") &&
	    !strstr(next, "/./") && strlen(next) < 1024;
}

bool
admin_cookie_get(const char *header, const char *name, char *out,
    size_t outsz)
{
	size_t n = strlen(name);
	const char *p = header;

	if (outsz)
		out[0] = '\0';
	while (p && *p) {
		size_t vlen;
		p += strspn(p, " \t;");
		if (!strncmp(p, name, n) && p[n] == '=') {
			p += n + 1;
			vlen = strcspn(p, ";");
			while (vlen && (p[vlen - 1] == ' ' || p[vlen - 1] ==
			    '\t'))
				vlen--;
			if (vlen >= outsz)
				return false;
			memcpy(out, p, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* decode S[0..LEN) (+ is a space, %XX a byte) into OUT; -1 if bad */
static int
url_decode(const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			buf_addch(out, ' ');
		else if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_addch(out, (char)(hi << 4 | lo));
			i += 2;
		} else
			buf_addch(out, s[i]);
	}
	if (memchr(out->buf ? out->buf : "", '\0', out->len) ||
	    !jsafe_utf8_valid(out->buf ? out->buf : "", out->len))
		return -1;
	return 0;
}

json_t *
admin_form_parse(const char *body, size_t len)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	json_t *o = json_object();
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;
		while (end < len && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		if (end > i) {
			if (url_decode(body + i, eq - i, &k) == -1 ||
			    url_decode(body + (eq < end ? eq + 1 : end),
			    eq < end ? end - eq - 1 : 0, &v) == -1) {
				json_decref(o);
				o = NULL;
				break;
			}
			json_object_set_new(o, k.buf ? k.buf : "",
			    json_stringn(v.buf ? v.buf : "", v.len));
		}
		i = end + 1;
	}
	buf_release(&k);
	buf_release(&v);
	return o;
}
