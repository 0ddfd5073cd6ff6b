/* SPDX-License-Identifier: ISC */
/*
 * mdr.c: the md4c adapter (md4c owns the md_ prefix, so ours is mdr_).
 */
#include "common/compat.h"

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

int
mdr_render(const char *src, size_t len, unsigned flags, struct buf *out,
    struct buf *err)
{
	unsigned parser = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
	    MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_TASKLISTS;

	if (flags & MDR_NO_HTML)
		parser |= MD_FLAG_NOHTML;
	if (len > LIMIT_PAGE_BODY) {
		buf_setf(err, "markdown: body too large (over %d bytes)",
		    LIMIT_PAGE_BODY);
		return -1;
	}
	if (md_html(src, (MD_SIZE)len, emit, out, parser, 0) != 0) {
		buf_setf(err, "markdown: md4c could not render the body");
		return -1;
	}
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
