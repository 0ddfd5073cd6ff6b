/* SPDX-License-Identifier: ISC */
/*
 * outrec.c: a slot's output record, SLOT/.kiln/outputs (see outdir.h):
 * its text, parsed and written, and a long-lived process's memo of the
 * records it wrote (decisions 0290, 0390).
 */
#include "common/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/uio.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/path.h"
#include "common/xmalloc.h"
#include "render/outdir.h"

#define OUTREC_MAGIC	"kiln-outputs 2\n"	/* then "id HEX\n" */
#define OUTREC_MAGIC1	"kiln-outputs 1\n"	/* no id (before 0290) */

/* the daemon's memo of records (memo_put): shared records' refs too */
static struct {
	char *slot;
	struct outrec rec;
	unsigned age;
} memo[2];
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- the record ---- */

void
outrec_release(struct outrec *r)
{
	if (r->refs) {
		bool last;
		pthread_mutex_lock(&memo_mu);
		last = --*r->refs == 0;
		pthread_mutex_unlock(&memo_mu);
		if (!last) {
			memset(r, 0, sizeof(*r));
			return;
		}
		free(r->refs);
	}
	free(r->v);
	free(r->data);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

/*
 * one line "SHA SIZE KEY|- PATH"; 0, or -1 when malformed (TRUSTED:
 * written by this process, its hashes not checked again)
 */
static int
parse_line(char *line, bool trusted, struct outrec_ent *e)
{
	char *sp1, *sp2, *sp3, *end;
	long long size;

	if (!(sp1 = strchr(line, ' ')) || !(sp2 = strchr(sp1 + 1, ' ')) ||
	    !(sp3 = strchr(sp2 + 1, ' ')) || sp3[1] == '\0')
		return -1;
	if (sp1 - line != 64 || (!trusted && !hex_valid(line, 64)))
		return -1;
	errno = 0;
	size = strtoll(sp1 + 1, &end, 10);
	if (errno || end != sp2 || size < 0)
		return -1;
	e->size = size;
	if (sp3 - sp2 == 2 && sp2[1] == '-')
		e->key = "";
	else if (sp3 - sp2 - 1 == 64 && (trusted || hex_valid(sp2 + 1, 64)))
		e->key = sp2 + 1;
	else
		return -1;
	*sp1 = *sp3 = '\0';
	e->sha = line;
	e->path = sp3 + 1;
	return 0;
}

/*
 * The first file line of record TEXT past its head, the output's id put
 * in ID ("" for a record of the first format); NULL if malformed.
 */
static char *
record_head(char *text, char id[33])
{
	size_t n = strlen(OUTREC_MAGIC);

	id[0] = '\0';
	if (strncmp(text, OUTREC_MAGIC1, n) == 0)
		return text + n;
	if (strncmp(text, OUTREC_MAGIC, n) != 0 || strncmp(text + n, "id ",
	    3) != 0 || strnlen(text + n + 3, 33) < 33 ||
	    !hex_valid(text + n + 3, 32) || text[n + 35] != '\n')
		return NULL;
	memcpy(id, text + n + 3, 32);
	id[32] = '\0';
	return text + n + 36;
}

/* the hash index of a loaded record: a lookup per output of a build */
static void
index_record(struct outrec *r)
{
	r->slots = path_index_new(r->n, &r->nslots);
	for (size_t i = 0; i < r->n; i++)
		path_index_put(r->slots, r->nslots, r->v[i].path, i);
}

uint32_t *
path_index_new(size_t n, size_t *nslots)
{
	size_t ns = 16;

	while (ns < n * 2)
		ns *= 2;
	*nslots = ns;
	return xcalloc(ns, sizeof(uint32_t));
}

void
path_index_put(uint32_t *slots, size_t nslots, const char *path, size_t i)
{
	size_t mask = nslots - 1, k = fnv1a32(path) & mask;

	while (slots[k])
		k = (k + 1) & mask;
	slots[k] = (uint32_t)(i + 1);
}

/*
 * Record TEXT (taken, freed on error) into R: 0, or -1 when it is
 * malformed (R then empty).  TRUSTED: the text this process just wrote,
 * whose paths need no second check.
 */
static int
record_parse(char *text, bool trusted, struct outrec *r)
{
	struct buf err = BUF_INIT, clean = BUF_INIT;
	char *p, *nl;
	size_t cap = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->data = text;
	if ((p = record_head(text, r->id)) == NULL)
		goto out;
	for (const char *q = p; (q = strchr(q, '\n')) != NULL; q++)
		cap++;
	r->v = xcalloc(cap + 1, sizeof(*r->v));
	while (*p) {
		struct outrec_ent e;
		if (!(nl = strchr(p, '\n')))
			goto out;
		*nl = '\0';
		/* the record names files to remove: never one outside the
		   slot, so each path must be canonical and relative */
		if (parse_line(p, trusted, &e) == -1 || (!trusted &&
		    (path_clean_rel(e.path, &clean, &err) == -1 ||
		    strcmp(clean.buf, e.path) != 0)))
			goto out;
		if (r->n && strcmp(r->v[r->n - 1].path, e.path) >= 0)
			goto out;	/* unsorted or duplicated */
		r->v[r->n++] = e;
		p = nl + 1;
	}
	if (r->n < UINT32_MAX / 2)
		index_record(r);
	rc = 0;
out:
	if (rc == -1)
		outrec_release(r);
	buf_release(&err);
	buf_release(&clean);
	return rc;
}

/* ---- the daemon's memo of records ---- */

/*
 * A long-lived process (outrec_save's REMEMBER) keeps the last record it
 * wrote to each slot: the next two builds read it (as the live record,
 * then as the standby's) and would parse every line each time (13,000
 * at 10,000 pages).  A record is named by its output id, so the file's
 * first two lines tell whether the memo holds it; the ids are random,
 * so a record another process wrote is never taken for it.  Memo records
 * are shared (refs), under memo_mu (declared above).
 */

/* keep record R (taken) as SLOT's in the memo; SHARE: a share of it */
static void
memo_store(const char *slot, struct outrec *r, struct outrec *share)
{
	static unsigned clock;
	struct outrec old;
	char *oldslot;
	size_t k, use = 0;

	r->refs = xcalloc(1, sizeof(*r->refs));
	*r->refs = share ? 2 : 1;
	if (share)
		*share = *r;	/* no one else sees R yet */
	pthread_mutex_lock(&memo_mu);
	/* SLOT's entry, else an empty one, else the older */
	for (k = 0; k < NELEM(memo); k++)
		if (memo[k].slot && !strcmp(memo[k].slot, slot))
			break;
	if (k < NELEM(memo))
		use = k;
	else
		for (k = 0; k < NELEM(memo); k++)
			if (!memo[k].slot || memo[k].age < memo[use].age) {
				use = k;
				if (!memo[k].slot)
					break;
			}
	old = memo[use].rec;
	oldslot = memo[use].slot;
	memo[use].slot = xstrdup(slot);
	memo[use].rec = *r;
	memo[use].age = ++clock;
	pthread_mutex_unlock(&memo_mu);
	outrec_release(&old);	/* takes memo_mu for its refs */
	free(oldslot);
}

/* whether the NUL-less decimal text S (LEN digits) is N >= 0 */
static bool
is_number(const char *s, size_t len, int64_t n)
{
	while (len > 0) {
		if (s[--len] != '0' + n % 10)
			return false;
		n /= 10;
	}
	return n == 0;
}

/*
 * The lines TEXT (LEN bytes, NUL after them) of record ID into R without
 * parsing them: they are the lines of the entries of SRC, so each line
 * is compared with SRC's fields and cut where they end (decision 0390),
 * no number parsed, no path checked again.  0 (R holds TEXT), or -1 when
 * a line is not SRC's (R empty, TEXT still the caller's, perhaps cut).
 */
static int
record_known(char *text, size_t len, const char *id,
    const struct outrec *src, struct outrec *r)
{
	char *p, *end = text + len;

	memset(r, 0, sizeof(*r));
	strlcpy(r->id, id, sizeof(r->id));
	r->v = xcalloc(src->n + 1, sizeof(*r->v));
	for (p = text; r->n < src->n; r->n++) {
		const struct outrec_ent *s = &src->v[r->n];
		size_t kl = s->key[0] ? 64 : 1, pl = strlen(s->path), nd;
		char *nl = memchr(p, '\n', (size_t)(end - p)), *key;

		/* "SHA SIZE KEY PATH\n", each field SRC's */
		if (nl == NULL || (size_t)(nl - p) < 68 + kl + pl)
			goto bad;
		nd = (size_t)(nl - p) - 67 - kl - pl;
		key = p + 66 + nd;
		if (p[64] != ' ' || key[-1] != ' ' || key[kl] != ' ' ||
		    !is_number(p + 65, nd, s->size) || memcmp(p, s->sha,
		    64) != 0 || memcmp(key, kl == 1 ? "-" : s->key, kl) != 0 ||
		    memcmp(key + kl + 1, s->path, pl) != 0)
			goto bad;
		p[64] = key[kl] = *nl = '\0';
		r->v[r->n].sha = p;
		r->v[r->n].size = s->size;
		r->v[r->n].key = kl == 1 ? "" : key;
		r->v[r->n].path = key + kl + 1;
		p = nl + 1;
	}
	if (p != end)
		goto bad;
	if (r->n < UINT32_MAX / 2)
		index_record(r);
	r->data = text;
	return 0;
bad:
	outrec_release(r);	/* not TEXT: r->data is not set yet */
	return -1;
}

/*
 * Keep LINES (taken; LEN bytes), the record of SRC just written to SLOT,
 * in the memo.  Should they not be the lines of SRC's entries, there is
 * no memo: the next load parses the file.  SHARE (or NULL): the memo's
 * record shared, else (no memo) a record owning LINES alone.
 */
static void
memo_put(const char *slot, char *lines, size_t len, const struct outrec *src,
    struct outrec *share)
{
	struct outrec r;

	if (!src->id[0] || record_known(lines, len, src->id, src, &r) == -1) {
		if (share) {
			memset(share, 0, sizeof(*share));
			share->data = lines;
		} else
			free(lines);
		return;
	}
	memo_store(slot, &r, share);
}

/* R shares the memo's record of SLOT when FILE's id names it: 0 or -1 */
static int
memo_get(const char *slot, const char *file, struct outrec *r)
{
	char head[64], id[33];
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	head[n] = '\0';
	if (record_head(head, id) == NULL || !id[0])
		return -1;
	pthread_mutex_lock(&memo_mu);
	for (size_t k = 0; k < NELEM(memo); k++)
		if (memo[k].slot && !strcmp(memo[k].slot, slot) &&
		    !strcmp(memo[k].rec.id, id)) {
			*r = memo[k].rec;
			(*r->refs)++;
			rc = 0;
		}
	pthread_mutex_unlock(&memo_mu);
	return rc;
}

int
outrec_load(const char *slot, struct outrec *r)
{
	struct buf data = BUF_INIT, err = BUF_INIT;
	char *file = xasprintf("%s/%s", slot, OUTREC_PATH);
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (memo_get(slot, file, r) == -1) {
		rc = file_read(file, &data, LIMIT_MANIFEST, &err);
		if (rc == 0)
			rc = record_parse(buf_detach(&data, NULL), false, r);
	}
	buf_release(&data);
	buf_release(&err);
	free(file);
	return rc;
}

/* R's head into OUT */
static void
record_head_text(const struct outrec *r, struct buf *out)
{
	if (r->id[0])
		buf_printf(out, "%sid %s\n", OUTREC_MAGIC, r->id);
	else
		buf_adds(out, OUTREC_MAGIC1);	/* an output without a name */
}

void
outrec_line(const struct outrec_ent *e, struct buf *out)
{
	buf_add(out, e->sha, 64);
	buf_addch(out, ' ');
	buf_add_i64(out, e->size);	/* "SIZE " */
	buf_adds(out, e->key[0] ? e->key : "-");
	buf_addch(out, ' ');
	buf_adds(out, e->path);
	buf_addch(out, '\n');
}

int
outrec_save(const char *slot, const struct outrec *r, bool remember,
    struct buf *err)
{
	struct buf lines = BUF_INIT;
	int rc;

	for (size_t i = 0; i < r->n; i++) {
		if (strchr(r->v[i].path, '\n')) {
			/* a name the record cannot hold: no record, no reuse */
			buf_release(&lines);
			return 0;
		}
		outrec_line(&r->v[i], &lines);
	}
	rc = outrec_save_lines(slot, r, lines.buf ? lines.buf : "", lines.len,
	    remember, err);
	buf_release(&lines);
	return rc;
}

/* R's head and LINES (LEN bytes) as SLOT's record file */
static int
record_write(const char *slot, const struct outrec *r, const char *lines,
    size_t len, struct buf *err)
{
	struct buf head = BUF_INIT;
	char *file = xasprintf("%s/%s", slot, OUTREC_PATH);
	struct iovec iov[2];
	int rc;

	record_head_text(r, &head);
	iov[0].iov_base = head.buf;
	iov[0].iov_len = head.len;
	iov[1].iov_base = (void *)(uintptr_t)lines;
	iov[1].iov_len = len;
	rc = mkdir_parent(file, err) == -1 ? -1 :
	    file_writev(file, iov, 2, err);
	buf_release(&head);
	free(file);
	return rc;
}

int
outrec_save_lines(const char *slot, const struct outrec *r,
    const char *lines, size_t len, bool remember, struct buf *err)
{
	char *text;
	int rc;

	rc = record_write(slot, r, lines, len, err);
	if (rc == 0 && remember) {
		/* the memo's copy, whose fields are cut in place */
		text = xmalloc(len + 1);
		memcpy(text, lines, len);
		text[len] = '\0';
		memo_put(slot, text, len, r, NULL);
	}
	return rc;
}

int
outrec_save_taken(const char *slot, const struct outrec *r, char *lines,
    size_t len, bool remember, struct outrec *text, struct buf *err)
{
	int rc;

	memset(text, 0, sizeof(*text));
	rc = record_write(slot, r, lines, len, err);
	if (rc == 0 && remember)
		memo_put(slot, lines, len, r, text);
	else
		text->data = lines;
	return rc;
}

const struct outrec_ent *
outrec_find(const struct outrec *r, const char *path)
{
	size_t mask = r->nslots - 1, k;

	if (!r->slots)
		return NULL;
	for (k = fnv1a32(path) & mask; r->slots[k]; k = (k + 1) & mask)
		if (!strcmp(r->v[r->slots[k] - 1].path, path))
			return &r->v[r->slots[k] - 1];
	return NULL;
}
