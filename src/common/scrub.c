/* SPDX-License-Identifier: ISC */
/*
 * scrub.c: see scrub.h.  The registry is a short list of variable names
 * under a mutex; a name is added at most once, so a daemon reloaded many
 * times does not grow it.  Scrubbing copies the text once per secret
 * found, which is cheap for log lines and build logs alike.
 */
#include "common/compat.h"

#include <pthread.h>

#include "common/buf.h"
#include "common/scrub.h"
#include "common/xmalloc.h"

#define SCRUB_MAX_VARS	64

static const char *const builtin[] = {
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PGPASSWORD",
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *vars[SCRUB_MAX_VARS];
static size_t nvars;

void
scrub_add_env(const char *var)
{
	size_t i;

	if (!var || !*var)
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < nvars; i++)
		if (!strcmp(vars[i], var))
			break;
	if (i == nvars && nvars < SCRUB_MAX_VARS)
		vars[nvars++] = xstrdup(var);
	pthread_mutex_unlock(&mu);
}

/* B takes OUT's bytes, whatever B's cap: scrubbing never loses text */
static void
take(struct buf *b, struct buf *out)
{
	size_t max = b->max;

	b->max = 0;
	buf_reset(b);
	buf_add(b, out->buf, out->len);
	b->max = max;
}

/* replace every occurrence of SECRET in B */
static void
replace_all(struct buf *b, const char *secret)
{
	struct buf out = BUF_INIT;
	size_t n = strlen(secret);
	const char *p = b->buf, *q;

	if (n < SCRUB_MIN_LEN || !memmem(b->buf, b->len, secret, n))
		return;
	buf_init(&out, 0);
	while ((q = memmem(p, b->len - (size_t)(p - b->buf), secret, n))) {
		buf_add(&out, p, (size_t)(q - p));
		buf_adds(&out, SCRUB_MARK);
		p = q + n;
	}
	buf_add(&out, p, b->len - (size_t)(p - b->buf));
	take(b, &out);
	buf_release(&out);
}

static bool
is_scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

static bool
ends_authority(char c)
{
	return c == '/' || c == '?' || c == '#' || c == '\0' || c == ' ' ||
	    c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' ||
	    c == '<' || c == '>';
}

/* scheme://user:PASS@host: the password goes */
static void
scrub_urls(struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *s = b->buf, *end = b->buf + b->len, *p = s, *q;
	bool changed = false;

	while ((q = memmem(p, (size_t)(end - p), "://", 3))) {
		const char *a = q + 3, *at = NULL, *colon = NULL, *e;

		/* a scheme precedes it: at least one scheme character */
		if (q == s || !is_scheme_char(q[-1])) {
			buf_add(&out, p, (size_t)(a - p));
			p = a;
			continue;
		}
		for (e = a; e < end && !ends_authority(*e); e++)
			if (*e == '@')
				at = e;
		for (const char *c = a; at && c < at; c++)
			if (*c == ':') {
				colon = c;
				break;
			}
		if (at && colon && colon + 1 < at) {
			buf_add(&out, p, (size_t)(colon + 1 - p));
			buf_adds(&out, SCRUB_MARK);
			p = at;
			changed = true;
		} else {
			buf_add(&out, p, (size_t)(a - p));
			p = a;
		}
	}
	if (changed) {
		buf_add(&out, p, (size_t)(end - p));
		take(b, &out);
	}
	buf_release(&out);
}

/* query parameters whose value is a credential (case does not matter) */
static const char *const secret_params[] = {
	"access_token", "api_key", "apikey", "auth", "password", "passwd",
	"secret", "sig", "signature", "token", "x-amz-credential",
	"x-amz-security-token", "x-amz-signature",
};

static bool
ends_value(char c)
{
	return c == '&' || c == '#' || c == '\0' || c == ' ' || c == '\t' ||
	    c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' ||
	    c == '>';
}

/* ?token=VALUE and &X-Amz-Signature=VALUE: the value goes */
static void
scrub_params(struct buf *b)
{
	struct buf out = BUF_INIT;
	const char *end = b->buf + b->len, *p = b->buf, *q = b->buf;
	bool changed = false;

	for (; q < end; q++) {
		const char *name = q + 1, *eq;
		size_t i, n;
		if ((*q != '?' && *q != '&') || !(eq = memchr(name, '=',
		    (size_t)(end - name))))
			continue;
		n = (size_t)(eq - name);
		for (i = 0; i < sizeof(secret_params) /
		    sizeof(secret_params[0]); i++)
			if (strlen(secret_params[i]) == n &&
			    !strncasecmp(name, secret_params[i], n))
				break;
		if (i == sizeof(secret_params) / sizeof(secret_params[0]) ||
		    eq + 1 >= end || ends_value(eq[1]))
			continue;
		buf_add(&out, p, (size_t)(eq + 1 - p));
		buf_adds(&out, SCRUB_MARK);
		for (p = eq + 1; p < end && !ends_value(*p); p++)
			;
		q = p - 1;
		changed = true;
	}
	if (changed) {
		buf_add(&out, p, (size_t)(end - p));
		take(b, &out);
	}
	buf_release(&out);
}

void
scrub_buf(struct buf *b)
{
	const char *v;
	size_t i;

	if (!b || !b->len)
		return;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if ((v = getenv(builtin[i])))
			replace_all(b, v);
	pthread_mutex_lock(&mu);
	for (i = 0; i < nvars; i++)
		if ((v = getenv(vars[i])))
			replace_all(b, v);
	pthread_mutex_unlock(&mu);
	scrub_urls(b);
	scrub_params(b);
}

char *
scrub_str(const char *s)
{
	struct buf b = BUF_INIT;

	if (!s)
		return NULL;
	buf_adds(&b, s);
	scrub_buf(&b);
	return buf_detach(&b, NULL);
}
