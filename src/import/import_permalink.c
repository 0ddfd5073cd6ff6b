/* SPDX-License-Identifier: ISC */
/*
 * import_permalink.c: Hugo's permalinks config applied at import
 * (import_int.h, decision 0191).
 *
 *   [permalinks]
 *     posts = "/:year/:month/:slug/"     (or [permalinks.page] posts = ...)
 *
 * gives every regular page of section posts (not the section's own
 * _index.md, not a page with `url`, which wins as in Hugo) the path the
 * pattern makes.  Tokens: :year :month :monthname :day (of the page's
 * date, else its publishDate), :section, :sections, :title, :slug (the
 * slug, else the title), :filename, :slugorfilename, :contentbasename.
 * The result goes through the same slugging as any path.  A token kiln
 * does not know, or a date token on a page without a date, is reported
 * and the page keeps its usual path.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "import/import_int.h"

static const char *
base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* the pattern for page P, or NULL */
static const char *
pattern_for(const struct itree *t, const struct ipage *p)
{
	json_t *pl = import_cfg_get(t->cfg, "permalinks"), *v;
	size_t n = strcspn(p->dir, "/");
	const char *k;

	if (p->branch || !n || json_object_get(p->meta, "url") ||
	    !json_is_object(pl))
		return NULL;
	if (json_is_object(v = json_object_get(pl, "page")))
		pl = v;
	json_object_foreach(pl, k, v)
		if (strlen(k) == n && !strncasecmp(k, p->dir, n) &&
		    json_is_string(v))
			return json_string_value(v);
	return NULL;
}

/* page P's file name without its extension (a leaf bundle: its folder) */
static char *
file_stem(const struct ipage *p)
{
	const char *b = p->leaf ? base_of(p->dir) : base_of(p->rel);
	const char *dot = p->leaf ? NULL : strrchr(b, '.');

	return dot ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

/* V of front matter KEY of P as a string, '/' made '-'; NULL if none */
static char *
meta_part(const struct ipage *p, const char *key)
{
	const char *v = json_string_value(json_object_get(p->meta, key));
	char *s;

	if (!v || !*v)
		return NULL;
	s = xstrdup(v);
	for (char *c = s; *c; c++)
		if (*c == '/')
			*c = '-';
	return s;
}

/* the page's date for date tokens; 0 if none */
static int64_t
page_date(const struct ipage *p)
{
	static const char *const keys[] = { "date", "publishDate",
	    "publishdate", "pubdate", "published" };
	int64_t t;

	for (size_t k = 0; k < NELEM(keys); k++) {
		const char *v = json_string_value(json_object_get(p->meta,
		    keys[k]));
		if (v && import_hugo_date(v, &t) == 0 && t)
			return t;
	}
	return 0;
}

/* token TOK (LEN bytes) of P into out; -1 if undated, -2 if unknown */
static int
token(const struct ipage *p, const char *tok, size_t len, struct buf *out)
{
	static const char *const dated[] = { "year", "month", "monthname",
	    "day" };
	static const char *const fmt[] = { "%Y", "%m", "%B", "%d" };
	char *v = NULL, tmp[32];
	int64_t d;

	for (size_t k = 0; k < NELEM(dated); k++)
		if (strlen(dated[k]) == len && !strncmp(tok, dated[k], len)) {
			if (!(d = page_date(p)))
				return -1;
			time_format(d, fmt[k], tmp, sizeof(tmp));
			for (char *c = tmp; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			buf_adds(out, tmp);
			return 0;
		}
#define IS(s)	(len == strlen(s) && !strncmp(tok, s, len))
	if (IS("section"))
		v = xstrndup(p->dir, strcspn(p->dir, "/"));
	else if (IS("sections"))
		v = xstrdup(p->dir);
	else if (IS("title"))
		v = meta_part(p, "title");
	else if (IS("slug")) {
		if (!(v = meta_part(p, "slug")))
			v = meta_part(p, "title");
	} else if (IS("slugorfilename"))
		v = meta_part(p, "slug");
	else if (!IS("filename") && !IS("contentbasename"))
		return -2;
#undef IS
	if (!v)
		v = file_stem(p);
	buf_adds(out, v);
	free(v);
	return 0;
}

int
import_permalink(const struct itree *t, const struct ipage *p,
    struct import_report *r, struct buf *out)
{
	const char *pat = pattern_for(t, p), *s;
	int rc;

	if (!pat)
		return 0;
	buf_reset(out);
	for (s = pat; *s;) {
		size_t n;
		if (*s != ':' || !isalpha((unsigned char)s[1])) {
			buf_addch(out, *s++);
			continue;
		}
		s++;
		n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
		if ((rc = n ? token(p, s, n, out) : -2) < 0) {
			import_note(r, "warning", p->file, 0, NULL,
			    "permalinks pattern '%s': ':%.*s' %s: the page "
			    "keeps its usual path; set `url` for it", pat,
			    (int)(n ? n : 1), s, rc == -1 ? "needs a date, and "
			    "the page has none" : "is not a token kiln knows");
			return -1;
		}
		s += n;
	}
	return 1;
}
