/* SPDX-License-Identifier: ISC */
/*
 * import_page.c: Hugo front matter and body as kiln page fields.
 *
 *	title		title; missing: from the file (or folder) name,
 *			"my-first-post" -> "My First Post"
 *	date		date (publishDate when there is no date)
 *	publishDate	a future one schedules the go-live
 *	expiryDate	the expiry (a past one: imported unpublished)
 *	description	summary when there is no summary and no
 *			<!--more--> divider; kept in params too
 *	summary		summary
 *	<!--more-->	the text before it is the summary; the divider
 *			is taken out of the body
 *	weight, draft	weight, draft
 *	tags		tags (a single string is one tag)
 *	template	template (kiln's own key, written by export)
 *	params		merged into params
 *	anything else	params, as it is (categories, aliases, menu,
 *			lastmod, slug, url, headless, _build, ...)
 *
 * Bundle resources are referenced by the body relative to the bundle
 * ("cat.jpg", "./img/cat.jpg"); those references in Markdown links and
 * images, HTML src/href attributes and shortcode src= are rewritten to
 * the resource's media path "/media/NAME", which the renderer turns into
 * its content-hash name.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "import/import_int.h"
#include "import/import_page.h"
#include "store/store.h"

static void
title_from_name(const struct ipage *p, struct buf *out)
{
	const char *src;
	char *tmp = NULL;
	bool start = true;

	if (p->leaf || p->branch) {
		const char *s = strrchr(p->dir, '/');
		src = s ? s + 1 : p->dir;
	} else {
		const char *b = strrchr(p->rel, '/'), *dot;
		b = b ? b + 1 : p->rel;
		dot = strrchr(b, '.');
		tmp = xstrndup(b, dot ? (size_t)(dot - b) : strlen(b));
		src = tmp;
	}
	buf_reset(out);
	if (!*src)
		src = "Home";
	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		if (c == '-' || c == '_' || c == ' ') {
			buf_addch(out, ' ');
			start = true;
		} else {
			buf_addch(out, start && c < 0x80 ? toupper(c) : c);
			start = false;
		}
	}
	free(tmp);
}

/* which of date, publishDate, expiryDate KEY is (Hugo's aliases too) */
static int64_t *
date_slot(struct ipagefields *f, const char *k)
{
	static const char *const pub[] = { "publishDate", "publishdate",
	    "pubdate", "published", NULL };
	static const char *const exp[] = { "expiryDate", "expirydate",
	    "unpublishdate", NULL };

	if (!strcmp(k, "date"))
		return &f->date;
	for (int i = 0; pub[i]; i++)
		if (!strcmp(k, pub[i]))
			return &f->publish;
	for (int i = 0; exp[i]; i++)
		if (!strcmp(k, exp[i]))
			return &f->expire;
	return NULL;
}

/*
 * Parse a Hugo date: ISO 8601 as time_parse_iso8601 takes it, and also
 * with a space before the offset and an offset without its colon
 * ("2026-01-02 15:04:05 -0700", Go's default layout).
 */
int
import_hugo_date(const char *s, int64_t *t)
{
	char tmp[64];
	size_t n = strlen(s), k = 0;

	if (time_parse_iso8601(s, t) == 0)
		return 0;
	if (n < 16 || n >= sizeof(tmp) - 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' && i > 10 && i + 1 < n && (s[i + 1] == '+' ||
		    s[i + 1] == '-' || s[i + 1] == 'Z'))
			continue;
		tmp[k++] = s[i];
	}
	tmp[k] = '\0';
	/* +HHMM at the end: +HH:MM */
	if (k > 5 && (tmp[k - 5] == '+' || tmp[k - 5] == '-') &&
	    isdigit((unsigned char)tmp[k - 1]) && tmp[k - 3] != ':') {
		tmp[k + 1] = '\0';
		tmp[k] = tmp[k - 1];
		tmp[k - 1] = tmp[k - 2];
		tmp[k - 2] = ':';
	}
	return time_parse_iso8601(tmp, t);
}

static bool
is_ref_char(int c)
{
	return c != -1 && c != ')' && c != '"' && c != '\'' && c != ' ' &&
	    c != '\n' && c != '\t' && c != '>';
}

/* the resource named by the reference S[a, b), or NULL */
static const struct iresource *
res_find(const struct ipage *p, const char *s, size_t a, size_t b)
{
	if (b - a > 2 && s[a] == '.' && s[a + 1] == '/')
		a += 2;
	for (size_t i = 0; i < p->nres; i++)
		if (strlen(p->res[i].rel) == b - a &&
		    !memcmp(p->res[i].rel, s + a, b - a))
			return &p->res[i];
	return NULL;
}

void
import_rewrite_resources(const struct ipage *p, const char *s, size_t len,
    struct buf *out)
{
	size_t i = 0;

	buf_reset(out);
	if (!p->nres) {
		buf_add(out, s, len);
		return;
	}
	while (i < len) {
		size_t a = 0, b;
		const struct iresource *x;

		if (s[i] == '(' && i > 0 && s[i - 1] == ']')
			a = i + 1;
		else if ((s[i] == '"' || s[i] == '\'') && ((i >= 4 &&
		    !strncasecmp(s + i - 4, "src=", 4)) || (i >= 5 &&
		    !strncasecmp(s + i - 5, "href=", 5))))
			a = i + 1;
		if (!a) {
			buf_addch(out, s[i++]);
			continue;
		}
		b = a;
		while (b < len && is_ref_char((unsigned char)s[b]))
			b++;
		buf_add(out, s + i, a - i);
		if ((x = res_find(p, s, a, b)))
			buf_printf(out, "/media/%s", x->name);
		else
			buf_add(out, s + a, b - a);
		i = b;
	}
}

/* a failed field: reported, false */
static bool
field_bad(struct import_report *r, const struct ipage *p, int line,
    const char *why)
{
	import_note(r, "failed", p->file, line, NULL, "%s", why);
	return false;
}

/* P's tags V (a list of strings, or one) into f->tags; false if bad */
static bool
field_tags(struct ipagefields *f, const struct ipage *p, json_t *v,
    int line, struct import_report *r)
{
	size_t i;
	json_t *tag;

	if (json_is_string(v)) {
		json_array_append(f->tags, v);
		return true;
	}
	if (!json_is_array(v))
		return field_bad(r, p, line, "tags: expected a list of "
		    "strings");
	json_array_foreach(v, i, tag) {
		if (!json_is_string(tag))
			return field_bad(r, p, line, "tags: expected a list "
			    "of strings");
		json_array_append(f->tags, tag);
	}
	return true;
}

/* a date key K of P (date, publishDate, expiryDate) into SLOT */
static bool
field_date(struct ipagefields *f, const struct ipage *p, const char *k,
    json_t *v, int64_t *slot, int line, struct import_report *r)
{
	if (!json_is_string(v) || import_hugo_date(json_string_value(v),
	    slot) == -1) {
		import_note(r, "failed", p->file, line, NULL, "%s: '%s' is not "
		    "an ISO 8601 date (2026-11-24 or 2026-11-24T14:50:00Z)", k,
		    json_is_string(v) ? json_string_value(v) :
		    "(not a string)");
		return false;
	}
	if (strcmp(k, "date"))
		json_object_set(f->extra, k, v);
	return true;
}

/* front matter key K = V of P into f; false when reported as failed */
static bool
field_key(struct ipagefields *f, const struct ipage *p, const char *k,
    json_t *v, struct import_report *r)
{
	int line = import_key_line(p, k);
	int64_t *slot;

	if ((slot = date_slot(f, k)))
		return field_date(f, p, k, v, slot, line, r);
	if (!strcmp(k, "title")) {
		if (!json_is_string(v) || !*json_string_value(v))
			return field_bad(r, p, line, "title: expected a "
			    "non-empty string");
		buf_adds(&f->title, json_string_value(v));
	} else if (!strcmp(k, "summary")) {
		if (!json_is_string(v))
			return field_bad(r, p, line, "summary: expected a "
			    "string");
		free(f->summary);
		f->summary = xstrdup(json_string_value(v));
	} else if (!strcmp(k, "template")) {
		if (!json_is_string(v))
			return field_bad(r, p, line, "template: expected a "
			    "string");
		f->template = xstrdup(json_string_value(v));
	} else if (!strcmp(k, "draft")) {
		if (!json_is_boolean(v))
			return field_bad(r, p, line, "draft: expected true or "
			    "false");
		f->draft = json_is_true(v);
	} else if (!strcmp(k, "weight")) {
		if (!json_is_integer(v) || json_integer_value(v) < -1000000 ||
		    json_integer_value(v) > 1000000)
			return field_bad(r, p, line, "weight: expected an "
			    "integer");
		f->weight = (int)json_integer_value(v);
	} else if (!strcmp(k, "tags"))
		return field_tags(f, p, v, line, r);
	else if (!strcmp(k, "params") && json_is_object(v))
		json_object_update_missing(f->extra, v);
	else
		json_object_set(f->extra, k, v);
	return true;
}

/* headless: true, or _build: {render: never | false} */
static bool
is_headless(const struct ipage *p)
{
	json_t *h = json_object_get(p->meta, "headless");
	json_t *b = json_object_get(p->meta, "_build");
	json_t *rd = json_is_object(b) ? json_object_get(b, "render") : NULL;

	return json_is_true(h) || (json_is_string(rd) &&
	    !strcmp(json_string_value(rd), "never")) || json_is_false(rd);
}

/*
 * BODY (BLEN bytes) with its shortcodes converted and the <!--more-->
 * divider taken out into raw; the text before the divider is the
 * summary when the front matter gave none.
 */
static int
fields_body(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r,
    struct ipagefields *f, const char *body, size_t blen, struct buf *raw)
{
	struct buf conv = BUF_INIT;
	const char *more, *after;
	size_t alen;

	if (import_shortcodes(t, p, o, r, body, blen, p->body_line,
	    &conv) == -1) {
		buf_release(&conv);
		return -1;
	}
	body = conv.buf ? conv.buf : "";
	blen = conv.len;
	more = blen ? memmem(body, blen, "<!--more-->", 11) : NULL;
	buf_add(raw, body, more ? (size_t)(more - body) : blen);
	if (more) {
		after = more + 11;
		alen = blen - (size_t)(after - body);
		if (!f->summary) {
			size_t n = raw->len;
			while (n && isspace((unsigned char)raw->buf[n - 1]))
				n--;
			f->summary = xstrndup(raw->buf ? raw->buf : "", n);
		}
		if (alen && after[0] == '\r')
			after++, alen--;
		if (alen && after[0] == '\n')
			after++, alen--;
		buf_add(raw, after, alen);
	}
	buf_release(&conv);
	return 0;
}

/*
 * The summary from description when there is none; shortcodes in the
 * summary and in the description param (the meta description)
 * converted.
 */
static int
fields_summary(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r,
    struct ipagefields *f)
{
	struct buf conv = BUF_INIT;
	json_t *d = json_object_get(p->meta, "description");
	int rc = -1;

	if (!f->summary && json_is_string(d))
		f->summary = xstrdup(json_string_value(d));
	if (f->summary && (strstr(f->summary, "{{<") ||
	    strstr(f->summary, "{{%"))) {
		if (import_shortcodes(t, p, o, r, f->summary,
		    strlen(f->summary), import_key_line(p, "description"),
		    &conv) == -1)
			goto out;
		free(f->summary);
		f->summary = xstrndup(conv.buf ? conv.buf : "", conv.len);
	}
	d = json_object_get(f->extra, "description");
	if (json_is_string(d) && strstr(json_string_value(d), "{{")) {
		if (import_shortcodes(t, p, o, r, json_string_value(d),
		    strlen(json_string_value(d)), import_key_line(p,
		    "description"), &conv) == -1)
			goto out;
		json_object_set_new(f->extra, "description",
		    json_stringn(conv.buf ? conv.buf : "", conv.len));
	}
	rc = 0;
out:
	buf_release(&conv);
	return rc;
}

/* the store's rules for page text, with the line in the file */
static int
fields_check(const struct ipage *p, struct import_report *r,
    const struct ipagefields *f, const char *body0, size_t blen0)
{
	struct buf why = BUF_INIT;
	int line = 1, rc = -1;

	if (page_text_check(f->title.buf, f->title.len, false, LIMIT_TITLE,
	    NULL, &why) == -1)
		import_note(r, "failed", p->file, import_key_line(p, "title"),
		    NULL, "title: %s", why.buf);
	else if (f->summary && page_text_check(f->summary,
	    strlen(f->summary), true, 0, NULL, &why) == -1)
		import_note(r, "failed", p->file, import_key_line(p,
		    "summary"), NULL, "summary: %s", why.buf);
	else if (page_text_check(body0, blen0, true, 0, &line, &why) == -1)
		import_note(r, "failed", p->file, p->body_line + line - 1,
		    NULL, "body: %s", why.buf);
	else
		rc = 0;
	buf_release(&why);
	return rc;
}

int
import_page_fields(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r,
    struct ipagefields *f)
{
	const char *text = p->text->buf ? p->text->buf : "";
	const char *body = text + p->body_off, *k;
	size_t blen = p->text->len - p->body_off;
	struct buf raw = BUF_INIT;
	json_t *v;
	int rc = -1;
	bool bad = false;

	memset(f, 0, sizeof(*f));
	buf_init(&f->title, 0);
	f->tags = json_array();
	f->extra = json_object();
	json_object_foreach(p->meta, k, v)
		if (!field_key(f, p, k, v, r))
			bad = true;
	if (bad)
		goto out;
	if (!f->date)
		f->date = f->publish;
	if (!f->title.len)
		title_from_name(p, &f->title);
	f->headless = is_headless(p);
	if (fields_body(t, p, o, r, f, body, blen, &raw) == -1 ||
	    fields_summary(t, p, o, r, f) == -1)
		goto out;
	buf_init(&f->body, 0);
	import_rewrite_resources(p, raw.buf ? raw.buf : "", raw.len, &f->body);
	if (fields_check(p, r, f, body, blen) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&raw);
	if (rc == -1)
		import_page_fields_release(f);
	return rc;
}

void
import_page_fields_release(struct ipagefields *f)
{
	buf_release(&f->title);
	buf_release(&f->body);
	free(f->summary);
	free(f->template);
	json_decref(f->tags);
	json_decref(f->extra);
	memset(f, 0, sizeof(*f));
}
