/* SPDX-License-Identifier: ISC */
/*
 * test_mediatype.c: the one rule for media files (decision 0200): types
 * sniffed from the first bytes; a name that promises a sniffable type
 * must hold it; HTML and scripts are never media, by name or by bytes;
 * other types keep their name's; the size limit of mediatype_file_ok.
 */
#include "test.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/mediatype.h"

static struct buf err = BUF_INIT;

static int
check(const char *name, const char *head, size_t n)
{
	buf_reset(&err);
	return mediatype_check(name, head, n, &err);
}

TEST(mediatype, sniff)
{
	CHECK_STR_EQ(mediatype_sniff("\x89PNG\r\n\x1a\nxx", 10), "image/png");
	CHECK_STR_EQ(mediatype_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
	CHECK_STR_EQ(mediatype_sniff("GIF89a", 6), "image/gif");
	CHECK_STR_EQ(mediatype_sniff("RIFF\0\0\0\0WEBPVP8 ", 16),
	    "image/webp");
	CHECK_STR_EQ(mediatype_sniff("%PDF-1.7", 8), "application/pdf");
	CHECK_STR_EQ(mediatype_sniff(" \n<!DOCTYPE html>", 17), "text/html");
	CHECK_STR_EQ(mediatype_sniff("\xef\xbb\xbf<SCRIPT>", 11),
	    "text/html");
	CHECK_NULL(mediatype_sniff("plain text", 10));
	CHECK_NULL(mediatype_sniff("\x89PN", 3));	/* cut short */
	CHECK_NULL(mediatype_sniff("", 0));
}

TEST(mediatype, check)
{
	CHECK_INT_EQ(check("a.png", "\x89PNG\r\n\x1a\n", 8), 0);
	CHECK_INT_EQ(check("a.png", "MZ", 2), -1);
	CHECK(strstr(err.buf, "the name says image/png") != NULL);
	CHECK_INT_EQ(check("a.jpg", "GIF89a", 6), -1);
	CHECK_INT_EQ(check("a.pdf", "", 0), -1);
	CHECK_INT_EQ(check("a.html", "hello", 5), -1);
	CHECK(strstr(err.buf, "HTML") != NULL);
	CHECK_INT_EQ(check("a.js", "x=1", 3), -1);
	CHECK_INT_EQ(check("a.txt", "<html><body>", 12), -1);
	CHECK_INT_EQ(check("notes.txt", "plain", 5), 0);
	CHECK_INT_EQ(check("blob.bin", "\x89PNG\r\n\x1a\n", 8), 0);
	CHECK_INT_EQ(check("logo.svg", "<svg/>", 6), 0);
	CHECK_INT_EQ(check("report.docx", "PK\x03\x04", 4), 0);
}

TEST(mediatype, file_size)
{
	CHECK_OK(file_write("a.txt", "0123456789", 10, &err));
	CHECK_INT_EQ(mediatype_file_ok("a.txt", "a.txt", 10, &err), 0);
	CHECK_INT_EQ(mediatype_file_ok("a.txt", "a.txt", 9, &err), -1);
	CHECK(strstr(err.buf, "media.max_size") != NULL);
	CHECK_INT_EQ(mediatype_file_ok("a.txt", "a.png", 10, &err), -1);
	CHECK_INT_EQ(mediatype_file_ok("missing", "x", 10, &err), -1);
	CHECK_INT_EQ(mediatype_file_ok(".", "x", 10, &err), -1);
	buf_release(&err);
}
