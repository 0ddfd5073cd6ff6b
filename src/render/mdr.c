/* SPDX-License-Identifier: ISC */
/*
 * mdr.c: the md4c adapter (md4c owns the md_ prefix, so ours is mdr_).
 *
 * Safe URLs: md4c-html has no hook for link destinations, so its output
 * is filtered.  With MD_FLAG_NOHTML every '<' of the source is escaped,
 * so each "<a href=\"" and "<img src=\"" left in the output was written
 * by md4c itself for a link, autolink or image, with the URL up to the
 * next '"' (md4c escapes '"' inside it).  The URL is read as a browser
 * reads it (HTML entities decoded, leading blanks and controls skipped,
 * tabs and newlines dropped, scheme case-folded) and emptied when its
 * scheme is dangerous.  See docs/decisions/0062-safe-markdown-urls.md.
 */
#include "common/compat.h"

#include <ctype.h>

#include <md4c-html.h>
#include <md4c.h>

#include "common/buf.h"
#include "common/limits.h"
#include "render/mdr.h"

static void
emit(const MD_CHAR *text, MD_SIZE size, void *arg)
{
	buf_add(arg, text, size);
}

/* the URL in an HTML attribute value is dangerous */
static bool
url_unsafe(const char *v, size_t n)
{
	static const char *const images[] = { "data:image/png",
	    "data:image/gif", "data:image/jpeg", "data:image/webp" };
	char s[32];
	size_t k = 0, i = 0;

	while (i < n && k < sizeof(s) - 1) {
		unsigned char c = (unsigned char)v[i++];
		if (c == '&' && n - i >= 4 && !memcmp(v + i, "amp;", 4)) {
			i += 4;
		} else if (c == '&' && n - i >= 3 && (!memcmp(v + i, "lt;", 3) ||
		    !memcmp(v + i, "gt;", 3))) {
			c = v[i] == 'l' ? '<' : '>';
			i += 3;
		} else if (c == '&' && n - i >= 5 && !memcmp(v + i, "quot;", 5)) {
			c = '"';
			i += 5;
		}
		if ((k == 0 && c <= 0x20) || c == '\t' || c == '\n' ||
		    c == '\r')
			continue;
		s[k++] = (char)tolower(c);
	}
	s[k] = '\0';
	if (!strncmp(s, "javascript:", 11) || !strncmp(s, "vbscript:", 9))
		return true;
	if (strncmp(s, "data:", 5) != 0)
		return false;
	for (size_t j = 0; j < NELEM(images); j++) {
		size_t l = strlen(images[j]);
		if (!strncmp(s, images[j], l) && (s[l] == ';' || s[l] == ','))
			return false;
	}
	return true;
}

/* empty the dangerous URLs md4c wrote into out from offset start */
static void
filter_urls(struct buf *out, size_t start)
{
	static const char *const tags[] = { "<a href=\"", "<img src=\"" };
	struct buf res = BUF_INIT;
	const char *s = out->buf + start, *end = out->buf + out->len, *p;
	const char *copied = s;
	bool changed = false;

	for (p = s; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
		for (size_t t = 0; t < NELEM(tags); t++) {
			size_t tl = strlen(tags[t]);
			const char *v, *q;
			if ((size_t)(end - p) < tl || memcmp(p, tags[t], tl))
				continue;
			v = p + tl;
			if (!(q = memchr(v, '"', (size_t)(end - v))))
				break;
			if (url_unsafe(v, (size_t)(q - v))) {
				buf_add(&res, copied, (size_t)(v - copied));
				copied = q;
				changed = true;
			}
			p = q - 1;
			break;
		}
	}
	if (changed) {
		buf_add(&res, copied, (size_t)(end - copied));
		buf_setlen(out, start);
		buf_add(out, res.buf, res.len);
	}
	buf_release(&res);
}

int
mdr_render(const char *src, size_t len, unsigned flags, struct buf *out,
    struct buf *err)
{
	unsigned parser = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
	    MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_TASKLISTS;
	size_t start;

	if (flags & MDR_NO_HTML)
		parser |= MD_FLAG_NOHTML;
	if (len > LIMIT_PAGE_BODY) {
		buf_setf(err, "markdown: body too large (over %d bytes)",
		    LIMIT_PAGE_BODY);
		return -1;
	}
	start = out->len;
	if (md_html(src, (MD_SIZE)len, emit, out, parser, 0) != 0) {
		buf_setf(err, "markdown: md4c could not render the body");
		return -1;
	}
	if (buf_error(out))
		return -1;
	if (flags & MDR_NO_HTML)
		filter_urls(out, start);
	return buf_error(out) ? -1 : 0;
}

struct excerpt {
	struct buf *out;
	size_t max;
	int para;		/* paragraphs seen */
	bool done;
};

static int
ex_enter(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct excerpt *x = arg;

	(void)detail;
	if (type == MD_BLOCK_P && x->para++ > 0)
		x->done = true;
	return 0;
}

static int
ex_leave(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct excerpt *x = arg;

	(void)detail;
	if (type == MD_BLOCK_P && x->out->len)
		x->done = true;
	return 0;
}

static int
ex_span(MD_SPANTYPE type, void *detail, void *arg)
{
	(void)type;
	(void)detail;
	(void)arg;
	return 0;
}

static int
ex_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *arg)
{
	struct excerpt *x = arg;
	size_t room;

	if (x->done || x->para == 0 || type == MD_TEXT_HTML)
		return 0;
	if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
		text = " ";
		size = 1;
	}
	room = x->max > x->out->len ? x->max - x->out->len : 0;
	if (size > room) {
		/* cut at a word boundary and mark the cut */
		MD_SIZE n = (MD_SIZE)room;
		while (n > 0 && text[n] != ' ')
			n--;
		buf_add(x->out, text, n);
		buf_adds(x->out, "…");
		x->done = true;
		return 0;
	}
	buf_add(x->out, text, size);
	return 0;
}

void
mdr_excerpt(const char *src, size_t len, size_t max, struct buf *out)
{
	struct excerpt x = { out, max, 0, false };
	MD_PARSER p;

	memset(&p, 0, sizeof(p));
	p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH;
	p.enter_block = ex_enter;
	p.leave_block = ex_leave;
	p.enter_span = ex_span;
	p.leave_span = ex_span;
	p.text = ex_text;
	md_parse(src, (MD_SIZE)(len > LIMIT_PAGE_BODY ? LIMIT_PAGE_BODY : len),
	    &p, &x);
}
