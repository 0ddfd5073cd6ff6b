/* SPDX-License-Identifier: ISC */
/*
 * manifest_shard.c: a manifest in shards by path hash (manifest.h): the
 * layout history keeps in git (decision 0320) and a deploy keeps in the
 * bucket (decision 0370).
 */
#include "common/compat.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/xmalloc.h"

#define HEAD_MAX (64 * 1024)

unsigned
manifest_shard(const char *path)
{
	return fnv1a32(path) % MANIFEST_SHARDS;
}

void
manifest_shards_split(const struct manifest *m, struct manifest_shards *sh)
{
	size_t fill[MANIFEST_SHARDS];
	unsigned *of = xcalloc(m->nfiles + 1, sizeof(*of));

	memset(sh->at, 0, sizeof(sh->at));
	for (size_t i = 0; i < m->nfiles; i++) {
		of[i] = manifest_shard(m->files[i].path);
		sh->at[of[i] + 1]++;
	}
	for (size_t s = 0; s < MANIFEST_SHARDS; s++) {
		sh->at[s + 1] += sh->at[s];
		fill[s] = sh->at[s];
	}
	sh->e = xcalloc(m->nfiles + 1, sizeof(*sh->e));
	for (size_t i = 0; i < m->nfiles; i++)
		sh->e[fill[of[i]]++] = m->files[i];
	free(of);
}

void
manifest_shard_json(struct buf *out, const struct manifest_entry *e, size_t n)
{
	manifest_json_head(out, "", "");
	for (size_t i = 0; i < n; i++)
		manifest_json_entry(out, i == 0, &e[i]);
	manifest_json_tail(out);
}

int
manifest_text_head(const char *text, size_t len, char **build,
    char **generated)
{
	static const char files[] = ",\"files\":[";
	struct buf head = BUF_INIT, again = BUF_INIT;
	struct manifest m;
	const char *p;
	size_t n = len < HEAD_MAX ? len : HEAD_MAX;
	int rc = -1;

	*build = *generated = NULL;
	if (!(p = memmem(text, n, files, sizeof(files) - 1)))
		return -1;
	buf_add(&head, text, (size_t)(p - text) + sizeof(files) - 1);
	buf_adds(&head, "\n]}\n");
	if (manifest_parse_fast(head.buf, head.len, &m) == 0) {
		manifest_json_head(&again, m.build, m.generated);
		if (again.len == head.len - 4 &&
		    memcmp(again.buf, text, again.len) == 0) {
			*build = xstrdup(m.build);
			*generated = xstrdup(m.generated);
			rc = 0;
		}
		manifest_release(&m);
	}
	buf_release(&head);
	buf_release(&again);
	return rc;
}

/* the path of the entry line L (after {"path":"): its length, or -1 */
static ssize_t
line_path(const char *l, const char *end)
{
	static const char pfx[] = "{\"path\":\"";
	const char *q;

	if ((size_t)(end - l) < sizeof(pfx) || memcmp(l, pfx,
	    sizeof(pfx) - 1) != 0)
		return -1;
	l += sizeof(pfx) - 1;
	for (q = l; q < end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return -1;	/* an escape: not the plain text */
	return q < end && q > l ? q - l : -1;
}

int
manifest_text_shards(const char *text, size_t len, const bool want[],
    struct buf out[], size_t count[], char **build, char **generated)
{
	const char *p, *end = text + len, *nl;
	char path[4096];
	struct buf head = BUF_INIT;
	size_t hl;

	if (manifest_text_head(text, len, build, generated) == -1)
		return -1;
	manifest_json_head(&head, *build, *generated);
	hl = head.len;
	buf_release(&head);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		count[s] = 0;
		if (want[s])
			manifest_json_head(&out[s], "", "");
	}
	/* one entry a line: "\n{...}," or "\n{...}" then "\n]}\n" */
	for (p = text + hl; p < end && *p == '\n'; p = nl) {
		const char *l = p + 1, *e;
		ssize_t pl;
		unsigned s;
		if (!(nl = memchr(l, '\n', (size_t)(end - l))))
			goto bad;
		if (nl - l == 2 && l[0] == ']' && l[1] == '}' &&
		    nl + 1 == end)
			break;
		e = nl[-1] == ',' ? nl - 1 : nl;
		if (e - l < 2 || e[-1] != '}' || (pl = line_path(l, e)) < 0 ||
		    (size_t)pl >= sizeof(path))
			goto bad;
		memcpy(path, l + 9, (size_t)pl);
		path[pl] = '\0';
		s = manifest_shard(path);
		if (!want[s])
			continue;
		buf_adds(&out[s], count[s]++ ? ",\n" : "\n");
		buf_add(&out[s], l, (size_t)(e - l));
	}
	if (p >= end)
		goto bad;
	/* every shard given is a manifest its entries make (0370) */
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		struct manifest m;
		bool ok;
		if (!want[s])
			continue;
		manifest_json_tail(&out[s]);
		if (manifest_parse_fast(out[s].buf, out[s].len, &m) == -1)
			goto bad;
		ok = m.nfiles == count[s];
		manifest_release(&m);
		if (!ok)
			goto bad;
	}
	return 0;
bad:
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		buf_reset(&out[s]);
	free(*build);
	free(*generated);
	*build = *generated = NULL;
	return -1;
}
