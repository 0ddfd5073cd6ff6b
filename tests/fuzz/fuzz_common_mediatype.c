/* SPDX-License-Identifier: ISC */
/*
 * fuzz_common_mediatype.c: the media type rule (common/mediatype.c) reads
 * untrusted bytes: the start of an upload and its file name.  Input: a
 * name, a NUL, then the file's first bytes.  It must never read past
 * them, and must refuse whatever sniffs as HTML and any .png whose bytes
 * are not a PNG.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/mediatype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	struct buf err = BUF_INIT;
	char name[256];
	size_t n, k;
	uint8_t *head;
	const char *sniffed;
	int rc;

	if (!nul)
		return 0;
	n = (size_t)(nul - data);
	if (n >= sizeof(name))
		return 0;
	memcpy(name, data, n);
	name[n] = '\0';
	k = size - n - 1;
	if (k > MEDIATYPE_HEAD)
		k = MEDIATYPE_HEAD;
	/* a copy of exactly K bytes, so ASan sees any read past them */
	head = malloc(k ? k : 1);
	if (!head)
		return 0;
	memcpy(head, nul + 1, k);
	sniffed = mediatype_sniff(head, k);
	rc = mediatype_check(name, head, k, &err);
	if (rc == 0 && sniffed && !strcmp(sniffed, "text/html"))
		abort();
	if (rc == 0 && n > 4 && !strcmp(name + n - 4, ".png") &&
	    (!sniffed || strcmp(sniffed, "image/png")))
		abort();
	if (rc == -1 && !err.len)
		abort();
	free(head);
	buf_release(&err);
	return 0;
}
