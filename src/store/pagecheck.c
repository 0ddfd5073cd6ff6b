/* SPDX-License-Identifier: ISC */
/*
 * pagecheck.c: what a page's text may hold (see page_text_check in
 * store.h).  Every way in (the CLI, the API, import) goes through
 * store_page_create/edit, which call it, so nothing can store a title or
 * a body that would break a page, a JSON file or an Atom feed: XML 1.0
 * has no way to write most control characters at all.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/limits.h"
#include "common/utf8.h"
#include "store/store.h"

int
page_text_check(const char *s, size_t len, bool multiline, size_t maxchars,
    int *linep, struct buf *why)
{
	size_t i = 0, n, chars = 0;
	uint32_t cp;
	int line = 1;

	while (i < len) {
		/* printable ASCII, most of any text: no decoding */
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			chars++;
			i++;
			continue;
		}
		if (!(n = utf8_decode(s + i, len - i, &cp))) {
			buf_setf(why, "not valid UTF-8 (byte 0x%02x)",
			    (unsigned char)s[i]);
			goto bad;
		}
		if ((cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) &&
		    !(multiline && (cp == '\t' || cp == '\n' || cp == '\r'))) {
			buf_setf(why, "contains a control character (U+%04X)",
			    (unsigned)cp);
			goto bad;
		}
		if (cp == '\n')
			line++;
		chars++;
		i += n;
	}
	if (maxchars && chars > maxchars) {
		line = 1;
		buf_setf(why, "too long (%zu characters, at most %zu)", chars,
		    maxchars);
		goto bad;
	}
	return 0;
bad:
	if (linep)
		*linep = line;
	return -1;
}

const char *
page_fields_bad(const struct page_fields *f, struct buf *err)
{
	struct buf why = BUF_INIT;
	const char *bad = NULL;
	int line = 1;

	if (f->title && page_text_check(f->title, strlen(f->title), false,
	    LIMIT_TITLE, NULL, &why) == -1) {
		buf_setf(err, "title: %s", why.buf);
		bad = "title";
	} else if (f->summary && page_text_check(f->summary,
	    strlen(f->summary), true, 0, &line, &why) == -1) {
		buf_setf(err, "summary: line %d: %s", line, why.buf);
		bad = "summary";
	} else if (f->body && page_text_check(f->body, strlen(f->body), true,
	    0, &line, &why) == -1) {
		buf_setf(err, "body: line %d: %s", line, why.buf);
		bad = "body";
	}
	buf_release(&why);
	return bad;
}

int
page_fields_check(const struct page_fields *f, struct buf *err)
{
	return page_fields_bad(f, err) ? -1 : 0;
}
