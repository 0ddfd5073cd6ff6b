/* SPDX-License-Identifier: ISC */
/*
 * import_toml.c: a small, strict TOML 1.0 reader for Hugo front matter
 * and Hugo's config (import.h).  No TOML library is packaged for C in
 * Debian 12, so this is ours: one pass over the bytes, a JSON object out.
 * Tables ([a.b]), arrays of tables ([[a]]), dotted and quoted keys, basic
 * and literal strings (single- and multi-line), integers (decimal, 0x,
 * 0o, 0b, '_' separators), floats (inf and nan refused: JSON has none),
 * booleans, date-times (kept as their text: "1979-05-27T07:32:00Z"),
 * arrays and inline tables.  Redefining a key or a table, adding to an
 * inline table or a static array, bad escapes, control characters and
 * invalid UTF-8 are errors "FILE:LINE: reason".  Nesting is capped at 32
 * and the caller caps the size, so hostile input cannot blow the stack.
 */
#include "common/compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "import/import.h"

#define TOML_MAX_DEPTH	32

struct toml {
	const char *s;
	size_t len, pos;
	int line;
	const char *file;
	int line0;		/* lines before S in the file */
	struct buf *err;
	bool failed;
	json_t *root;
	json_t *lines;		/* top-level key -> line, or NULL */
	/* tables that may not be reopened or extended */
	json_t **defined;	/* by a [header] */
	size_t ndefined, adefined;
	json_t **frozen;	/* inline tables and static arrays */
	size_t nfrozen, afrozen;
	json_t **aot;		/* arrays made by [[header]] */
	size_t naot, aaot;
};

static void toml_error(struct toml *t, const char *fmt, ...)
    PRINTF_LIKE(2, 3);

static void
toml_error(struct toml *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failed)
		return;
	t->failed = true;
	buf_printf(t->err, "%s:%d: ", t->file, t->line + t->line0);
	va_start(ap, fmt);
	buf_vprintf(t->err, fmt, ap);
	va_end(ap);
}

static void
ptr_add(json_t ***v, size_t *n, size_t *alloc, json_t *p)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		*v = xreallocarray(*v, *alloc, sizeof(**v));
	}
	(*v)[(*n)++] = p;
}

static bool
ptr_has(json_t **v, size_t n, const json_t *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

static int
peek(struct toml *t)
{
	return t->pos < t->len ? (unsigned char)t->s[t->pos] : -1;
}

static int
peek_at(struct toml *t, size_t off)
{
	return t->pos + off < t->len ? (unsigned char)t->s[t->pos + off] : -1;
}

static void
skip_ws(struct toml *t)
{
	while (peek(t) == ' ' || peek(t) == '\t')
		t->pos++;
}

/* a comment's text: no control characters but tab */
static void
skip_comment(struct toml *t)
{
	if (peek(t) != '#')
		return;
	while (t->pos < t->len && t->s[t->pos] != '\n') {
		unsigned char c = (unsigned char)t->s[t->pos];
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			toml_error(t, "control character in a comment");
			return;
		}
		t->pos++;
	}
}

/* the end of a line: optional spaces and comment, then '\n' or the end */
static void
expect_eol(struct toml *t)
{
	skip_ws(t);
	skip_comment(t);
	if (peek(t) == '\r' && peek_at(t, 1) == '\n')
		t->pos++;
	if (peek(t) == '\n') {
		t->pos++;
		t->line++;
	} else if (peek(t) != -1)
		toml_error(t, "expected the end of the line, found '%c'",
		    peek(t));
}

/* spaces, newlines and comments inside arrays */
static void
skip_ws_nl(struct toml *t)
{
	for (;;) {
		skip_ws(t);
		skip_comment(t);
		if (peek(t) == '\r' && peek_at(t, 1) == '\n')
			t->pos++;
		if (peek(t) != '\n')
			return;
		t->pos++;
		t->line++;
	}
}

static void
add_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80)
		buf_addch(b, (int)cp);
	else if (cp < 0x800) {
		buf_addch(b, (int)(0xc0 | (cp >> 6)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addch(b, (int)(0xe0 | (cp >> 12)));
		buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		buf_addch(b, (int)(0xf0 | (cp >> 18)));
		buf_addch(b, (int)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addch(b, (int)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (int)(0x80 | (cp & 0x3f)));
	}
}

/* one UTF-8 character of a string into out; false on a bad byte */
static bool
string_char(struct toml *t, struct buf *out, bool multiline)
{
	unsigned char c = (unsigned char)t->s[t->pos];
	uint32_t cp;
	size_t n;

	if (c == '\n') {
		if (!multiline) {
			toml_error(t, "string not closed on its line");
			return false;
		}
		t->line++;
	} else if ((c < 0x20 && c != '\t' && !(multiline && c == '\r')) ||
	    c == 0x7f) {
		toml_error(t, "control character 0x%02x in a string", c);
		return false;
	}
	if (c < 0x80) {
		buf_addch(out, c);
		t->pos++;
		return true;
	}
	n = utf8_decode(t->s + t->pos, t->len - t->pos, &cp);
	if (n == 0) {
		toml_error(t, "invalid UTF-8 in a string");
		return false;
	}
	buf_add(out, t->s + t->pos, n);
	t->pos += n;
	return true;
}

static bool
escape(struct toml *t, struct buf *out)
{
	int c = peek_at(t, 1);
	uint32_t cp = 0;
	int digits = 0;

	switch (c) {
	case 'b': buf_addch(out, '\b'); break;
	case 't': buf_addch(out, '\t'); break;
	case 'n': buf_addch(out, '\n'); break;
	case 'f': buf_addch(out, '\f'); break;
	case 'r': buf_addch(out, '\r'); break;
	case '"': buf_addch(out, '"'); break;
	case '\\': buf_addch(out, '\\'); break;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default:
		toml_error(t, "unknown escape '\\%c' in a string",
		    c > 0x20 && c < 0x7f ? c : '?');
		return false;
	}
	t->pos += 2;
	for (int i = 0; i < digits; i++) {
		int h = peek(t);
		if (h == -1 || !isxdigit(h)) {
			toml_error(t, "'\\%c' needs %d hex digits", c, digits);
			return false;
		}
		cp = cp * 16 + (uint32_t)(isdigit(h) ? h - '0' :
		    tolower(h) - 'a' + 10);
		t->pos++;
	}
	if (digits) {
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			toml_error(t, "'\\%c' escape is not a Unicode scalar "
			    "value", c);
			return false;
		}
		if (cp == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' &&
		    cp != '\r') || cp == 0x7f) {
			/* kiln's page text holds no control characters */
			toml_error(t, "escaped control character U+%04X",
			    (unsigned)cp);
			return false;
		}
		add_utf8(out, cp);
	}
	return true;
}

/* a string at t->pos (quote char Q); out holds its value */
static bool
string(struct toml *t, struct buf *out)
{
	char q = t->s[t->pos];
	bool ml = peek_at(t, 1) == q && peek_at(t, 2) == q;
	int line0 = t->line;

	buf_reset(out);
	t->pos += ml ? 3 : 1;
	if (ml) {	/* a newline right after the opening is dropped */
		if (peek(t) == '\r' && peek_at(t, 1) == '\n')
			t->pos++;
		if (peek(t) == '\n') {
			t->pos++;
			t->line++;
		}
	}
	for (;;) {
		int c = peek(t);
		if (c == -1) {
			t->line = line0;	/* where it opened */
			toml_error(t, "string not closed");
			return false;
		}
		if (c == q && !ml) {
			t->pos++;
			return true;
		}
		if (c == q && peek_at(t, 1) == q && peek_at(t, 2) == q) {
			/* up to two quotes may end the content */
			size_t n = 3;
			while (n < 5 && peek_at(t, n) == q)
				n++;
			for (size_t i = 3; i < n; i++)
				buf_addch(out, q);
			t->pos += n;
			return true;
		}
		if (c == '\\' && q == '"') {
			if (ml) {	/* line-ending backslash */
				size_t p = t->pos + 1;
				while (p < t->len && (t->s[p] == ' ' ||
				    t->s[p] == '\t'))
					p++;
				if (p < t->len && t->s[p] == '\r' &&
				    p + 1 < t->len && t->s[p + 1] == '\n')
					p++;
				if (p < t->len && t->s[p] == '\n') {
					t->pos = p;
					while (t->pos < t->len &&
					    strchr(" \t\r\n",
					    t->s[t->pos])) {
						if (t->s[t->pos] == '\n')
							t->line++;
						t->pos++;
					}
					continue;
				}
			}
			if (!escape(t, out))
				return false;
			continue;
		}
		if (!string_char(t, out, ml))
			return false;
	}
}

static bool
bare_key_char(int c)
{
	return c != -1 && (isalnum(c) || c == '_' || c == '-');
}

/* a dotted key into KEYS (array of strings) */
static bool
key(struct toml *t, json_t *keys)
{
	struct buf b = BUF_INIT;
	bool ok = false;

	for (;;) {
		int c;
		skip_ws(t);
		c = peek(t);
		if (c == '"' || c == '\'') {
			if (peek_at(t, 1) == c && peek_at(t, 2) == c) {
				toml_error(t, "a key cannot be a multi-line "
				    "string");
				goto out;
			}
			if (!string(t, &b))
				goto out;
		} else if (bare_key_char(c)) {
			buf_reset(&b);
			while (bare_key_char(peek(t)))
				buf_addch(&b, t->s[t->pos++]);
		} else {
			toml_error(t, "expected a key");
			goto out;
		}
		json_array_append_new(keys, json_stringn(b.buf ? b.buf : "",
		    b.len));
		skip_ws(t);
		if (peek(t) != '.')
			break;
		t->pos++;
	}
	ok = true;
out:
	buf_release(&b);
	return ok;
}

static json_t *value(struct toml *t, int depth);

/* the digits of a number: '_' only between digits */
static bool
digits(struct toml *t, struct buf *b, int (*isdig)(int))
{
	bool any = false, under = false;

	for (;;) {
		int c = peek(t);
		if (c != -1 && isdig(c)) {
			buf_addch(b, c);
			any = true;
			under = false;
		} else if (c == '_' && any && !under) {
			under = true;
		} else
			break;
		t->pos++;
	}
	if (!any || under) {
		toml_error(t, "bad number");
		return false;
	}
	return true;
}

static int
is_odigit(int c)
{
	return c >= '0' && c <= '7';
}

static int
is_bdigit(int c)
{
	return c == '0' || c == '1';
}

static bool
is_datetime(struct toml *t)
{
	size_t p = t->pos;

	/* YYYY-MM-DD or HH:MM */
	if (p + 5 > t->len)
		return false;
	if (isdigit((unsigned char)t->s[p]) &&
	    isdigit((unsigned char)t->s[p + 1])) {
		if (t->s[p + 2] == ':')
			return true;
		return p + 5 <= t->len && isdigit((unsigned char)t->s[p + 2]) &&
		    isdigit((unsigned char)t->s[p + 3]) && t->s[p + 4] == '-';
	}
	return false;
}

/* a date-time kept as its text, checked loosely for shape */
static json_t *
datetime(struct toml *t)
{
	size_t start = t->pos;

	while (t->pos < t->len) {
		char c = t->s[t->pos];
		if (isdigit((unsigned char)c) || strchr("-:.TtZz+", c))
			t->pos++;
		else if (c == ' ' && t->pos + 1 < t->len &&
		    isdigit((unsigned char)t->s[t->pos + 1]) &&
		    t->pos - start == 10)
			t->pos++;	/* "1979-05-27 07:32:00" */
		else
			break;
	}
	if (t->pos - start < 5) {
		toml_error(t, "bad date-time");
		return NULL;
	}
	{
		char *s = xstrndup(t->s + start, t->pos - start);
		json_t *v;
		for (char *p = s; *p; p++)
			if (*p == ' ' || *p == 't')
				*p = 'T';
			else if (*p == 'z')
				*p = 'Z';
		v = json_string(s);
		free(s);
		return v;
	}
}

static json_t *
number(struct toml *t)
{
	struct buf b = BUF_INIT;
	json_t *v = NULL;
	int c = peek(t);
	bool isfloat = false;

	if (c == '+' || c == '-') {
		buf_addch(&b, c);
		t->pos++;
	}
	if (t->len - t->pos >= 3 && (!memcmp(t->s + t->pos, "inf", 3) ||
	    !memcmp(t->s + t->pos, "nan", 3))) {
		toml_error(t, "inf and nan cannot be imported");
		goto out;
	}
	if (peek(t) == '0' && (peek_at(t, 1) == 'x' || peek_at(t, 1) == 'o' ||
	    peek_at(t, 1) == 'b')) {
		int base = peek_at(t, 1) == 'x' ? 16 : peek_at(t, 1) == 'o' ?
		    8 : 2;
		char *end;
		long long ll;
		if (b.len) {
			toml_error(t, "a sign is not allowed on hex, octal "
			    "or binary numbers");
			goto out;
		}
		t->pos += 2;
		if (!digits(t, &b, base == 16 ? isxdigit : base == 8 ?
		    is_odigit : is_bdigit))
			goto out;
		errno = 0;
		ll = strtoll(b.buf, &end, base);
		if (errno || *end) {
			toml_error(t, "number out of range");
			goto out;
		}
		v = json_integer(ll);
		goto out;
	}
	if (peek(t) == '0' && peek_at(t, 1) != -1 && isdigit(peek_at(t, 1))) {
		toml_error(t, "leading zeros are not allowed");
		goto out;
	}
	if (!digits(t, &b, isdigit))
		goto out;
	if (peek(t) == '.') {
		isfloat = true;
		buf_addch(&b, '.');
		t->pos++;
		if (!digits(t, &b, isdigit))
			goto out;
	}
	if (peek(t) == 'e' || peek(t) == 'E') {
		isfloat = true;
		buf_addch(&b, 'e');
		t->pos++;
		if (peek(t) == '+' || peek(t) == '-')
			buf_addch(&b, t->s[t->pos++]);
		if (!digits(t, &b, isdigit))
			goto out;
	}
	errno = 0;
	if (isfloat) {
		char *end;
		double d = strtod(b.buf, &end);
		if (errno || *end || !isfinite(d)) {
			toml_error(t, "number out of range");
			goto out;
		}
		v = json_real(d);
	} else {
		char *end;
		long long ll = strtoll(b.buf, &end, 10);
		if (errno || *end) {
			toml_error(t, "number out of range");
			goto out;
		}
		v = json_integer(ll);
	}
out:
	buf_release(&b);
	return v;
}

static json_t *
array(struct toml *t, int depth)
{
	json_t *a = json_array(), *v;

	t->pos++;	/* [ */
	for (;;) {
		skip_ws_nl(t);
		if (t->failed)
			goto fail;
		if (peek(t) == ']') {
			t->pos++;
			ptr_add(&t->frozen, &t->nfrozen, &t->afrozen, a);
			return a;
		}
		if (!(v = value(t, depth + 1)))
			goto fail;
		json_array_append_new(a, v);
		skip_ws_nl(t);
		if (peek(t) == ',') {
			t->pos++;
			continue;
		}
		if (peek(t) == ']')
			continue;
		toml_error(t, "expected ',' or ']' in an array");
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static bool set_keys(struct toml *t, json_t *tab, json_t *keys, json_t *v);

static json_t *
inline_table(struct toml *t, int depth)
{
	json_t *o = json_object(), *keys = NULL, *v;
	bool first = true;

	t->pos++;	/* { */
	for (;;) {
		skip_ws(t);
		if (peek(t) == '}' && first) {
			t->pos++;
			break;
		}
		keys = json_array();
		if (!key(t, keys))
			goto fail;
		skip_ws(t);
		if (peek(t) != '=') {
			toml_error(t, "expected '=' after a key");
			goto fail;
		}
		t->pos++;
		skip_ws(t);
		if (!(v = value(t, depth + 1)))
			goto fail;
		if (!set_keys(t, o, keys, v))
			goto fail;
		json_decref(keys);
		keys = NULL;
		first = false;
		skip_ws(t);
		if (peek(t) == ',') {
			t->pos++;
			continue;
		}
		if (peek(t) == '}') {
			t->pos++;
			break;
		}
		toml_error(t, "expected ',' or '}' in an inline table "
		    "(inline tables stay on one line)");
		goto fail;
	}
	ptr_add(&t->frozen, &t->nfrozen, &t->afrozen, o);
	return o;
fail:
	json_decref(keys);
	json_decref(o);
	return NULL;
}

static json_t *
value(struct toml *t, int depth)
{
	struct buf b = BUF_INIT;
	json_t *v = NULL;
	int c = peek(t);

	if (depth > TOML_MAX_DEPTH) {
		toml_error(t, "nested deeper than %d", TOML_MAX_DEPTH);
		return NULL;
	}
	if (c == '"' || c == '\'') {
		if (string(t, &b))
			v = json_stringn(b.buf ? b.buf : "", b.len);
	} else if (c == '[')
		v = array(t, depth);
	else if (c == '{')
		v = inline_table(t, depth);
	else if (t->len - t->pos >= 4 && !memcmp(t->s + t->pos, "true", 4) &&
	    !bare_key_char(peek_at(t, 4))) {
		t->pos += 4;
		v = json_true();
	} else if (t->len - t->pos >= 5 && !memcmp(t->s + t->pos, "false",
	    5) && !bare_key_char(peek_at(t, 5))) {
		t->pos += 5;
		v = json_false();
	} else if (is_datetime(t))
		v = datetime(t);
	else if (c != -1 && (isdigit(c) || c == '+' || c == '-' || c == 'i' ||
	    c == 'n'))
		v = number(t);
	else
		toml_error(t, "expected a value (a string in quotes, a "
		    "number, true/false, a date, [array] or {table})");
	buf_release(&b);
	if (v && t->failed) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* TAB[keys...] = V (V's reference taken); intermediate tables made */
static bool
set_keys(struct toml *t, json_t *tab, json_t *keys, json_t *v)
{
	size_t n = json_array_size(keys);

	for (size_t i = 0; i + 1 < n; i++) {
		const char *k = json_string_value(json_array_get(keys, i));
		json_t *sub = json_object_get(tab, k);
		if (!sub) {
			sub = json_object();
			json_object_set_new(tab, k, sub);
		} else if (!json_is_object(sub) || ptr_has(t->frozen,
		    t->nfrozen, sub) || ptr_has(t->defined, t->ndefined,
		    sub)) {
			toml_error(t, "key '%s' is already defined", k);
			json_decref(v);
			return false;
		}
		tab = sub;
	}
	{
		const char *k = json_string_value(json_array_get(keys, n - 1));
		if (json_object_get(tab, k)) {
			toml_error(t, "key '%s' is defined twice", k);
			json_decref(v);
			return false;
		}
		json_object_set_new(tab, k, v);
	}
	return true;
}

/* [a.b] or [[a.b]]: the table new keys go into, or NULL */
static json_t *
header(struct toml *t)
{
	bool aot = peek_at(t, 1) == '[';
	json_t *keys = json_array(), *tab = t->root, *res = NULL;
	size_t n;

	t->pos += aot ? 2 : 1;
	if (!key(t, keys))
		goto out;
	skip_ws(t);
	if (peek(t) != ']' || (aot && peek_at(t, 1) != ']')) {
		toml_error(t, "expected '%s' to close the table header",
		    aot ? "]]" : "]");
		goto out;
	}
	t->pos += aot ? 2 : 1;
	n = json_array_size(keys);
	if (t->lines && n)
		json_object_set_new(t->lines, json_string_value(
		    json_array_get(keys, 0)), json_integer(t->line +
		    t->line0));
	for (size_t i = 0; i < n; i++) {
		const char *k = json_string_value(json_array_get(keys, i));
		json_t *sub = json_object_get(tab, k);
		bool last = i + 1 == n;

		if (last && aot) {
			json_t *o = json_object();
			if (!sub) {
				sub = json_array();
				json_object_set_new(tab, k, sub);
				ptr_add(&t->aot, &t->naot, &t->aaot, sub);
			} else if (!json_is_array(sub) || !ptr_has(t->aot,
			    t->naot, sub)) {
				toml_error(t, "'%s' is already defined and is "
				    "not an array of tables", k);
				json_decref(o);
				goto out;
			}
			json_array_append_new(sub, o);
			res = o;
			goto out;
		}
		if (!sub) {
			sub = json_object();
			json_object_set_new(tab, k, sub);
		} else if (json_is_array(sub) && ptr_has(t->aot, t->naot,
		    sub) && !last) {
			sub = json_array_get(sub, json_array_size(sub) - 1);
		} else if (!json_is_object(sub) || ptr_has(t->frozen,
		    t->nfrozen, sub)) {
			toml_error(t, "'%s' is already defined and is not a "
			    "table", k);
			goto out;
		} else if (last && ptr_has(t->defined, t->ndefined, sub)) {
			toml_error(t, "table '%s' is defined twice", k);
			goto out;
		}
		tab = sub;
	}
	ptr_add(&t->defined, &t->ndefined, &t->adefined, tab);
	res = tab;
out:
	json_decref(keys);
	return res;
}

int
import_toml_parse(const char *s, size_t len, const char *file, int line0,
    json_t **out, json_t **lines, struct buf *err)
{
	struct toml t;
	json_t *cur;

	memset(&t, 0, sizeof(t));
	t.s = s;
	t.len = len;
	t.line = 1;
	t.line0 = line0;
	t.file = file;
	t.err = err;
	t.root = json_object();
	t.lines = lines ? json_object() : NULL;
	cur = t.root;
	if (memchr(s, '\0', len)) {
		t.line = 1;
		for (const char *p = s; *p; p++)
			if (*p == '\n')
				t.line++;
		toml_error(&t, "NUL byte");
	}
	while (!t.failed) {
		json_t *keys, *v;
		int c;

		skip_ws_nl(&t);
		c = peek(&t);
		if (c == -1 || t.failed)
			break;
		if (c == '[') {
			if (!(cur = header(&t)))
				break;
			expect_eol(&t);
			continue;
		}
		keys = json_array();
		if (!key(&t, keys)) {
			json_decref(keys);
			break;
		}
		skip_ws(&t);
		if (peek(&t) != '=') {
			toml_error(&t, "expected '=' after the key '%s'",
			    json_string_value(json_array_get(keys, 0)));
			json_decref(keys);
			break;
		}
		t.pos++;
		skip_ws(&t);
		if (t.lines && cur == t.root)
			json_object_set_new(t.lines, json_string_value(
			    json_array_get(keys, 0)), json_integer(t.line +
			    t.line0));
		v = value(&t, 0);
		if (!v || !set_keys(&t, cur, keys, v)) {
			json_decref(keys);
			break;
		}
		json_decref(keys);
		expect_eol(&t);
	}
	free(t.defined);
	free(t.frozen);
	free(t.aot);
	if (t.failed) {
		json_decref(t.root);
		json_decref(t.lines);
		return -1;
	}
	*out = t.root;
	if (lines)
		*lines = t.lines;
	return 0;
}
