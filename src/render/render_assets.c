/* SPDX-License-Identifier: ISC */
/*
 * render_assets.c: static files and media of a build (render_int.h).
 *
 * Media and the files of static/ are written under content-hash names
 * ("css/site.css" -> "css/site.3fa9c1e2.css"), giving the build a sorted
 * map from original URL to hashed URL.  References to them in rendered
 * HTML and CSS ("/css/site.css", url(/img/x.png), url(../img/x.png) in
 * CSS) are rewritten to the hashed names, so templates and content name
 * assets by their source path.  CSS goes last: it names the others.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "common/limits.h"
#include "common/walk.h"
#include "common/xmalloc.h"
#include "render/render_int.h"

static int
cmp_asset(const void *a, const void *b)
{
	return strcmp(((const struct asset *)a)->from,
	    ((const struct asset *)b)->from);
}

static const char *
asset_lookup(struct build *b, const char *from, size_t len)
{
	size_t lo = 0, hi = b->nassets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *f = b->assets[mid].from;
		int c = strncmp(f, from, len);
		if (c == 0 && f[len] != '\0')
			c = 1;
		if (c == 0)
			return b->assets[mid].to;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * "/" + BASE + "/" + REF with "." and ".." folded, into out; -1 if it
 * climbs above the root.
 */
int
assets_resolve_rel(const char *base, const char *ref, size_t len,
    struct buf *out)
{
	struct buf joined = BUF_INIT;
	size_t seg[64], n = 0;
	const char *p;
	int rc = 0;

	buf_printf(&joined, "%s/%.*s", base, (int)len, ref);
	buf_adds(out, "");
	p = joined.buf;
	while (*p) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				rc = -1;
				break;
			}
			buf_setlen(out, seg[--n]);
		} else if (l > 0 && !(l == 1 && p[0] == '.')) {
			if (n == NELEM(seg)) {
				rc = -1;
				break;
			}
			seg[n++] = out->len;
			buf_addch(out, '/');
			buf_add(out, p, l);
		}
		p += l;
		if (*p == '/')
			p++;
	}
	buf_release(&joined);
	return rc;
}

/* the bytes that end a reference (with NUL, as strchr on the set had) */
static const bool ref_stop[256] = {
	['\0'] = true, ['"'] = true, ['\''] = true, ['('] = true,
	[')'] = true, ['?'] = true, ['#'] = true, [' '] = true,
	['\n'] = true, ['\t'] = true, ['<'] = true, ['>'] = true,
};

/*
 * Copy IN to out with every reference to a known asset ("/x", '/x',
 * (/x) or relative to BASE in CSS) replaced by its hashed URL, up to
 * the end of the last one; the bytes of IN so copied (0: none was).
 * Only a reference that can name an asset is measured: one starting
 * with '/', or a url() in CSS.  IN[LEN] is NUL (a struct buf's bytes are): the
 * next quote or parenthesis is found with strcspn, a NUL before LEN
 * stepped over.
 */
static size_t
rewrite_refs(struct build *b, const char *in, size_t len, const char *base,
    struct buf *out)
{
	size_t i = 0, start = 0;

	while (i + 1 < len) {
		char c;
		size_t s, e;
		const char *to;

		i += strcspn(in + i, "\"'(");
		if (i + 1 >= len)
			break;
		c = in[i];
		if (c == '\0' || in[i + 1] == ' ') {
			i++;
			continue;
		}
		s = i + 1;
		if (c == '(' && (in[s] == '"' || in[s] == '\''))
			s++;
		if (s >= len || (in[s] != '/' && !(base && c == '('))) {
			i = s > i + 1 ? s : i + 1;
			continue;
		}
		e = s;
		while (e < len && !ref_stop[(unsigned char)in[e]])
			e++;
		to = NULL;
		if (e > s && in[s] == '/')
			to = asset_lookup(b, in + s, e - s);
		else if (e > s && base && c == '(' && !memchr(in + s, ':',
		    e - s)) {
			/* a relative url() in CSS: resolve against BASE */
			struct buf abs = BUF_INIT;
			if (assets_resolve_rel(base, in + s, e - s, &abs) == 0)
				to = asset_lookup(b, abs.buf, abs.len);
			buf_release(&abs);
		}
		if (to) {
			buf_add(out, in + start, s - start);
			buf_adds(out, to);
			start = i = e;
		} else
			i = s > i + 1 ? s : i + 1;
	}
	return start;
}

void
assets_rewrite(struct build *b, const char *in, size_t len, const char *base,
    struct buf *out)
{
	size_t start = rewrite_refs(b, in, len, base, out);

	buf_add(out, in + start, len - start);
}

/*
 * IN with its references rewritten, as assets_rewrite: IN itself when
 * it names no asset (most pages: not copied again), else SCRATCH.
 */
struct buf *
assets_rewrite_buf(struct build *b, struct buf *in, struct buf *scratch)
{
	size_t start;

	buf_reset(scratch);
	if ((start = rewrite_refs(b, in->buf, in->len, NULL, scratch)) == 0)
		return in;
	buf_add(scratch, in->buf + start, in->len - start);
	return scratch;
}

/* "css/site.css" + sha -> "css/site.3fa9c1e2.css" */
char *
assets_hashed_name(const char *rel, const char *sha)
{
	const char *slash = strrchr(rel, '/');
	const char *dot = strrchr(rel, '.');

	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : rel))
		return xasprintf("%s.%.8s", rel, sha);
	return xasprintf("%.*s.%.8s%s", (int)(dot - rel), rel, sha, dot);
}

static void
add_asset(struct build *b, const char *from, const char *to)
{
	if (b->nassets == b->aassets) {
		b->aassets = b->aassets ? b->aassets * 2 : 64;
		b->assets = xreallocarray(b->assets, b->aassets,
		    sizeof(*b->assets));
	}
	b->assets[b->nassets].from = xasprintf("/%s", from);
	b->assets[b->nassets].to = xasprintf("/%s", to);
	b->nassets++;
}

/* ---- static assets and media ---- */

static bool
is_css(const char *p)
{
	size_t n = strlen(p);

	return n > 4 && !strcmp(p + n - 4, ".css");
}

int
assets_build(struct build *b, struct buf *err)
{
	struct walk_list l = WALK_LIST_INIT;
	char **files, sha[65];
	size_t n;
	struct buf data = BUF_INIT, rw = BUF_INIT;
	int rc = -1;

	if (walk_files(b->static_dir, &l, err) == -1)
		goto out;
	files = l.v;
	n = l.n;
	/* media first, then non-CSS statics, then CSS (which names them) */
	for (size_t i = 0; i < b->snap.nmedia; i++) {
		const struct media_info *m = &b->snap.media[i];
		char *rel = xasprintf("media/%s", m->name);
		char *to = assets_hashed_name(rel, m->sha256);
		const struct outrec_ent *e = outrec_find(&b->slot.standby_rec,
		    to);
		if (b->preview) {
			if (!b->got_file && !strcmp(to, b->want))
				b->got_file = xstrdup(m->file);
		} else if (!(e && !strcmp(e->sha, m->sha256) &&
		    e->size == m->size) &&
		    slot_link(m->file, b->slot.standby, to, err) == -1) {
			free(rel);
			free(to);
			goto out;
		}
		render_add_file(&b->files, to, m->sha256, m->size, MK_MEDIA,
		    true, NULL);
		add_asset(b, rel, to);
		free(rel);
		free(to);
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			char *src, *to, *dir;
			if (is_css(files[i]) != (pass == 1))
				continue;
			src = xasprintf("%s/%s", b->static_dir, files[i]);
			if (file_read(src, &data, LIMIT_MEDIA_FILE, err) == -1) {
				free(src);
				goto out;
			}
			free(src);
			if (pass == 1) {
				if (b->nassets)
					qsort(b->assets, b->nassets,
					    sizeof(*b->assets), cmp_asset);
				dir = xstrdup(files[i]);
				if (strrchr(dir, '/'))
					*strrchr(dir, '/') = '\0';
				else
					dir[0] = '\0';
				buf_reset(&rw);
				assets_rewrite(b, data.buf, data.len, dir, &rw);
				free(dir);
				buf_reset(&data);
				buf_add(&data, rw.buf, rw.len);
			}
			sha256_hex(data.buf, data.len, sha);
			to = assets_hashed_name(files[i], sha);
			if (render_emit(b, to, data.buf, data.len, MK_ASSET,
			    true, err) == -1) {
				free(to);
				goto out;
			}
			add_asset(b, files[i], to);
			free(to);
		}
	}
	if (b->nassets)
		qsort(b->assets, b->nassets, sizeof(*b->assets), cmp_asset);
	rc = 0;
out:
	walk_list_release(&l);
	buf_release(&data);
	buf_release(&rw);
	return rc;
}
