/* SPDX-License-Identifier: ISC */
/*
 * mediatype.c: sniff a media file's type from its first bytes and say
 * whether it may be stored (see mediatype.h).
 */
#include "common/compat.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <strings.h>

#include "common/buf.h"
#include "common/manifest.h"
#include "common/mediatype.h"

static const struct {
	const char *type;
	size_t off;
	const char *magic;
	size_t len;
} magics[] = {
	{ "image/png", 0, "\x89PNG\r\n\x1a\n", 8 },
	{ "image/jpeg", 0, "\xff\xd8\xff", 3 },
	{ "image/gif", 0, "GIF87a", 6 },
	{ "image/gif", 0, "GIF89a", 6 },
	{ "image/webp", 8, "WEBP", 4 },
	{ "image/avif", 4, "ftypavif", 8 },
	{ "application/pdf", 0, "%PDF-", 5 },
	{ "application/zip", 0, "PK\x03\x04", 4 },
};

/* markup a browser would run as a page */
static const char *const active[] = { "<!doctype html", "<html", "<script",
	"<head", "<body", "<iframe", "<?xml-stylesheet" };

const char *
mediatype_sniff(const void *head, size_t n)
{
	const unsigned char *p = head;
	size_t i = 0;

	for (size_t k = 0; k < sizeof(magics) / sizeof(magics[0]); k++)
		if (n >= magics[k].off + magics[k].len && !memcmp(p +
		    magics[k].off, magics[k].magic, magics[k].len))
			return magics[k].type;
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && isspace(p[i]))
		i++;
	for (size_t k = 0; k < sizeof(active) / sizeof(active[0]); k++) {
		size_t m = strlen(active[k]);
		if (n - i >= m && !strncasecmp((const char *)p + i, active[k],
		    m))
			return "text/html";
	}
	return NULL;
}

/* does the name's type promise bytes mediatype_sniff() can see? */
static bool
sniffable(const char *type)
{
	for (size_t k = 0; k < sizeof(magics) / sizeof(magics[0]); k++)
		if (!strcmp(type, magics[k].type))
			return true;
	return false;
}

int
mediatype_check(const char *name, const void *head, size_t n,
    struct buf *err)
{
	const char *byname = mime_type_for(name);
	const char *sniffed = mediatype_sniff(head, n);

	if (!strncmp(byname, "text/html", 9) ||
	    !strncmp(byname, "application/xhtml", 17) ||
	    !strncmp(byname, "text/javascript", 15) ||
	    !strncmp(byname, "application/javascript", 22) ||
	    (sniffed && !strcmp(sniffed, "text/html"))) {
		buf_setf(err, "type: HTML pages and scripts cannot be media "
		    "files");
		return -1;
	}
	if (sniffable(byname) && (!sniffed || strcmp(sniffed, byname))) {
		buf_setf(err, "type: the name says %s but the content is %s",
		    byname, sniffed ? sniffed : "something else");
		return -1;
	}
	return 0;
}

int
mediatype_file_ok(const char *file, const char *name, int64_t max,
    struct buf *err)
{
	unsigned char head[MEDIATYPE_HEAD];
	struct stat sb;
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_setf(err, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		buf_setf(err, "%s: not a regular file", file);
		close(fd);
		return -1;
	}
	if (sb.st_size > max) {
		buf_setf(err, "size: %lld bytes is over the limit of %lld "
		    "(media.max_size)", (long long)sb.st_size,
		    (long long)max);
		close(fd);
		return -1;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n < 0) {
		buf_setf(err, "%s: %s", file, strerror(errno));
		return -1;
	}
	return mediatype_check(name, head, (size_t)n, err);
}
