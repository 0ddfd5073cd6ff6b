/* SPDX-License-Identifier: ISC */
/*
 * conf_value.c: one scalar of kiln.yaml converted and checked for its
 * row of the key table (conf_int.h), then stored in the object that owns
 * it.  The loader (conf.c) walks the document and calls conf_set_scalar
 * for every scalar, and for every default.
 *
 * A value that does not fit gets a reason that never echoes it, except
 * short validated words (conf_add_safe), so a secret pasted into the
 * wrong key cannot reach a log.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"

#define DURATION_HINT	"expected a duration such as 90s, 10m, 1h or 7d"

void
conf_add_safe(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			buf_addch(b, s[i]);
		else
			buf_printf(b, "\\x%02x", (unsigned char)s[i]);
	}
	if (len > max)
		buf_adds(b, "...");
}

void
conf_add_schemes(struct buf *b, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		buf_printf(b, "%s%s://", i ? ", " : "", names[i]);
}

/* "90" -> "90s", "3600" -> "1h": the largest exact unit */
static void
fmt_dur(long long s, char *out, size_t outsz)
{
	if (s != 0 && s % 86400 == 0)
		snprintf(out, outsz, "%lldd", s / 86400);
	else if (s != 0 && s % 3600 == 0)
		snprintf(out, outsz, "%lldh", s / 3600);
	else if (s != 0 && s % 60 == 0)
		snprintf(out, outsz, "%lldm", s / 60);
	else
		snprintf(out, outsz, "%llds", s);
}

static void
add_names(struct buf *b, const char *const *names, const char *sep)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		if (i)
			buf_adds(b, names[i + 1] ? ", " : sep);
		buf_adds(b, names[i]);
	}
}

/* an environment variable's name: letters, digits, '_', not a digit first */
static bool
env_name_valid(const char *s, size_t len)
{
	bool ok = len > 0 && len <= 128 && !isdigit((unsigned char)s[0]);

	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '_';
	return ok;
}

/* the cron expression S into the row's struct cron */
static int
set_cron(const struct conf_key *k, const char *s, size_t len, void *obj,
    struct buf *why)
{
	struct buf cerr = BUF_INIT;
	struct cron cr;
	char *e = xstrndup(s, len);
	int rc = cron_parse(e, &cr, &cerr);

	free(e);
	if (rc == -1) {
		buf_setf(why, "bad cron expression: %s", cerr.buf);
		buf_release(&cerr);
		return -1;
	}
	memcpy((char *)obj + k->aux, &cr, sizeof(cr));
	return 0;
}

/* CK_STR, CK_URL, CK_ENV, CK_CRON: a string, checked for its kind */
static int
set_text(const struct conf_key *k, const char *s, size_t len, void *obj,
    struct buf *why)
{
	char *field = (char *)obj + k->off;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 || ch == 0x7f) &&
		    !((k->flags & CK_MULTILINE) &&
		    (ch == '\n' || ch == '\t'))) {
			buf_setf(why, "contains a control character");
			return -1;
		}
	}
	if ((k->flags & CK_REQUIRED) && len == 0) {
		buf_setf(why, "must not be empty");
		return -1;
	}
	if (k->type == CK_URL && len > 0 &&
	    !conf_url_valid(s, len, k->names)) {
		buf_setf(why, "expected a URL (");
		conf_add_schemes(why, k->names);
		buf_adds(why, ")");
		return -1;
	}
	if (k->type == CK_ENV && !env_name_valid(s, len)) {
		buf_setf(why, "expected the name of an environment variable "
		    "(letters, digits, '_')");
		return -1;
	}
	if (k->type == CK_CRON && len > 0 && set_cron(k, s, len, obj,
	    why) == -1)
		return -1;
	if (k->flags & CK_SECRET)
		freezero_str(*(char **)field);
	else
		free(*(char **)field);
	*(char **)field = xstrndup(s, len);
	return 0;
}

static int
set_bool(const char *s, size_t len, bool plain, bool *field,
    struct buf *why)
{
	if (plain && ((len == 4 && (!memcmp(s, "true", 4) ||
	    !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))))) {
		*field = true;
		return 0;
	}
	if (plain && ((len == 5 && (!memcmp(s, "false", 5) ||
	    !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))))) {
		*field = false;
		return 0;
	}
	buf_setf(why, "expected true or false");
	return -1;
}

/* CK_INT, CK_I64: a plain integer within the row's range */
static int
set_int(const struct conf_key *k, const char *s, size_t len, bool plain,
    void *field, struct buf *why)
{
	const char *errstr = NULL;
	char tmp[64];
	long long v;

	if (plain && len > 0 && len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		v = strtonum(tmp, k->min, k->max, &errstr);
		if (!errstr) {
			if (k->type == CK_INT)
				*(int *)field = (int)v;
			else
				*(int64_t *)field = v;
			return 0;
		}
	}
	buf_setf(why, "expected an integer from %lld to %lld", k->min,
	    k->max);
	return -1;
}

static int
set_dur(const struct conf_key *k, const char *s, size_t len,
    int64_t *field, struct buf *why)
{
	char tmp[64], lo[24], hi[24];
	int64_t d;

	fmt_dur(k->min, lo, sizeof(lo));
	fmt_dur(k->max, hi, sizeof(hi));
	if (len == 0 || len >= sizeof(tmp)) {
		buf_setf(why, DURATION_HINT);
		return -1;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (duration_parse(tmp, &d) == -1) {
		buf_setf(why, DURATION_HINT);
		return -1;
	}
	if (d < k->min || d > k->max) {
		buf_setf(why, "must be from %s to %s", lo, hi);
		return -1;
	}
	*field = d;
	return 0;
}

static int
set_enum(const struct conf_key *k, const char *s, size_t len, int *field,
    struct buf *why)
{
	for (size_t i = 0; k->names[i]; i++) {
		if (strlen(k->names[i]) == len &&
		    memcmp(s, k->names[i], len) == 0) {
			*field = (int)i;
			return 0;
		}
	}
	buf_setf(why, "expected ");
	add_names(why, k->names, " or ");
	if (len <= 32) {
		buf_adds(why, ", not '");
		conf_add_safe(why, s, len, 32);
		buf_adds(why, "'");
	}
	return -1;
}

int
conf_set_scalar(const struct conf_key *k, const char *s, size_t len,
    bool plain, void *obj, struct buf *why)
{
	void *field = (char *)obj + k->off;

	if (memchr(s, '\0', len)) {
		buf_setf(why, "contains a NUL byte");
		return -1;
	}
	switch (k->type) {
	case CK_STR:
	case CK_URL:
	case CK_ENV:
	case CK_CRON:
		return set_text(k, s, len, obj, why);
	case CK_BOOL:
		return set_bool(s, len, plain, field, why);
	case CK_INT:
	case CK_I64:
		return set_int(k, s, len, plain, field, why);
	case CK_DUR:
		return set_dur(k, s, len, field, why);
	case CK_ENUM:
		return set_enum(k, s, len, field, why);
	default:
		BUG("set_scalar: type %d", k->type);
	}
}
