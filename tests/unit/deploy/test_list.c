/* SPDX-License-Identifier: ISC */
/*
 * test_list.c: what --verify learns from an S3 listing.  The ETag of a
 * single-part PUT is the object's MD5, quoted (and the quotes escaped in
 * the XML); a multipart ETag ("...-N") is not an MD5 and must not be
 * compared with one.
 */
#include "test.h"

#include "common/buf.h"
#include "deploy/deploy_int.h"

int s3_parse_list(const char *xml, size_t len, int (*fn)(const char *,
    int64_t, const char *, void *), void *arg, struct buf *next,
    struct buf *err);

static int
collect(const char *key, int64_t size, const char *md5, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s %lld [%s]\n", key, (long long)size, md5);
	return 0;
}

TEST(list, etag_is_md5_only_for_single_part)
{
	const char *xml = "<?xml version=\"1.0\"?><ListBucketResult>"
	    "<Contents><Key>a.html</Key><Size>3</Size><ETag>&quot;"
	    "900150983CD24FB0D6963F7D28E17F72&quot;</ETag></Contents>"
	    "<Contents><Key>big.bin</Key><Size>9</Size><ETag>&quot;"
	    "d41d8cd98f00b204e9800998ecf8427e-3&quot;</ETag></Contents>"
	    "<Contents><Key>c.css</Key><Size>0</Size><ETag>"
	    "d41d8cd98f00b204e9800998ecf8427e</ETag></Contents>"
	    "<Contents><Key>d</Key><Size>1</Size></Contents>"
	    "<IsTruncated>false</IsTruncated></ListBucketResult>";
	struct buf got = BUF_INIT, next = BUF_INIT, err = BUF_INIT;

	CHECK_INT_EQ(s3_parse_list(xml, strlen(xml), collect, &got, &next,
	    &err), 0);
	CHECK_STR_EQ(got.buf,
	    "a.html 3 [900150983cd24fb0d6963f7d28e17f72]\n"
	    "big.bin 9 []\n"
	    "c.css 0 [d41d8cd98f00b204e9800998ecf8427e]\n"
	    "d 1 []\n");
	CHECK_STR_EQ(next.buf, "");
	buf_release(&got);
	buf_release(&next);
	buf_release(&err);
}
