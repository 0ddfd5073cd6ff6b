/* SPDX-License-Identifier: ISC */
/*
 * import_shortcode.c: Hugo shortcodes converted at import (decision
 * 0162).  kiln has no shortcodes at render time, so each one becomes
 * what it renders to, in Markdown (a kiln site may refuse raw HTML):
 *
 *	figure src alt title caption link	![alt](src "title"), the
 *						caption in italics below
 *	ref / relref "path#anchor"		the target page's URL
 *	highlight LANG ... /highlight		a fenced code block
 *	youtube, vimeo, gist, x/tweet,		a link to the video, gist,
 *	instagram				post
 *	details summary= ... /details		**summary** and the inner text
 *	param "name"				the page's, then the site's
 *						param
 *	qr text= (or inner)			the text (a link for a URL);
 *						no QR image: reported
 *	an escaped shortcode (comment		the literal {{< x >}}
 *	markers inside the braces)
 *
 * Any other NAME is the site's own: with templates/shortcodes/NAME
 * .mustache in the kiln site it is rendered through it (context: the
 * named arguments, positional ones as _0, _1..., inner, page.title);
 * without, it is reported with FILE:LINE and left visible as a link to
 * /kiln-unconverted-shortcode/NAME/, which the link check finds.  An
 * unresolved ref points at /kiln-unresolved-ref/PATH/ the same way.
 */
#include "common/compat.h"

#include <ctype.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "import/import_int.h"
#include "import/import_page.h"
#include "render/tmpl.h"

#define SC_MAX_DEPTH	16
#define SC_MAX_TAG	4096	/* bytes: longer is not a tag */
#define SC_MAX_NOTES	50	/* warnings per text, then a count */

struct sc {
	const struct itree *t;
	const struct ipage *p;
	const struct import_opts *o;
	struct import_report *r;
	const char *s;			/* the whole text */
	int line0;			/* line of s[0] in the file */
	const char *lpos;		/* line_at's last answer: */
	int lline;			/* lpos is on line lline */
	json_t *noclose;		/* names with no closing tag left */
	int nnotes;			/* warnings so far */
};

struct scargs {
	json_t *named;			/* object */
	json_t *pos;			/* array */
};

/* the line of AT; counting on from the last answer (linear overall) */
static int
line_at(struct sc *c, const char *at)
{
	const char *q = c->s;
	int line = c->line0;

	if (c->lpos && c->lpos <= at) {
		q = c->lpos;
		line = c->lline;
	}
	for (; q < at; q++)
		if (*q == '\n')
			line++;
	c->lpos = at;
	c->lline = line;
	return line;
}

/* a warning at AT, or past SC_MAX_NOTES only counted */
static void sc_warn(struct sc *c, const char *at, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void
sc_warn(struct sc *c, const char *at, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (++c->nnotes > SC_MAX_NOTES)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	import_note(c->r, "warning", c->p->file, line_at(c, at), c->p->path,
	    "%s", b.buf ? b.buf : "");
	buf_release(&b);
}

/* parse "name args" of a tag [a, b) */
static void
parse_args(const char *a, const char *b, struct scargs *x)
{
	x->named = json_object();
	x->pos = json_array();
	while (a < b) {
		const char *ks = NULL, *ke = NULL, *vs, *ve;
		while (a < b && isspace((unsigned char)*a))
			a++;
		if (a >= b)
			break;
		vs = a;
		if (*a != '"' && *a != '`') {
			const char *q = a;
			while (q < b && !isspace((unsigned char)*q) &&
			    *q != '=')
				q++;
			if (q < b && *q == '=') {
				ks = a;
				ke = q;
				a = q + 1;
			}
		}
		if (a < b && (*a == '"' || *a == '`')) {
			char quote = *a++;
			struct buf v = BUF_INIT;
			while (a < b && *a != quote) {
				if (quote == '"' && *a == '\\' && a + 1 < b)
					a++;
				buf_addch(&v, *a++);
			}
			if (a < b)
				a++;
			if (ks) {
				char *k = xstrndup(ks, (size_t)(ke - ks));
				json_object_set_new(x->named, k,
				    json_stringn(v.buf ? v.buf : "", v.len));
				free(k);
			} else
				json_array_append_new(x->pos,
				    json_stringn(v.buf ? v.buf : "", v.len));
			buf_release(&v);
			continue;
		}
		vs = a;
		while (a < b && !isspace((unsigned char)*a))
			a++;
		ve = a;
		if (ks) {
			char *k = xstrndup(ks, (size_t)(ke - ks));
			json_object_set_new(x->named, k, json_stringn(vs,
			    (size_t)(ve - vs)));
			free(k);
		} else
			json_array_append_new(x->pos, json_stringn(vs,
			    (size_t)(ve - vs)));
	}
}

/* argument NAME, or positional I (-1: none); "" if absent */
static const char *
arg(const struct scargs *x, const char *name, int i)
{
	json_t *v = name ? json_object_get(x->named, name) : NULL;

	if (!v && i >= 0)
		v = json_array_get(x->pos, (size_t)i);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* the page a ref names, or NULL */
static const struct ipage *
ref_find(const struct sc *c, const char *target, size_t n)
{
	char *t = xstrndup(target, n), *want;
	const struct ipage *hit = NULL;
	size_t nhit = 0;
	const char *bare = t;

	while (*bare == '/')
		bare++;
	for (size_t i = 0; i < c->t->npages && !hit; i++) {
		const struct ipage *q = &c->t->pages[i];
		const char *cands[] = { "", ".md", "/index.md",
		    "/_index.md", NULL };
		if (!q->path)
			continue;
		for (int k = 0; cands[k] && !hit; k++) {
			/* from the content root, then from the page's folder */
			want = xasprintf("%s%s", bare, cands[k]);
			if (!strcasecmp(q->rel, want) || (bare == t &&
			    c->p->dir[0] && !strncmp(q->rel, c->p->dir,
			    strlen(c->p->dir)) && q->rel[strlen(c->p->dir)] ==
			    '/' && !strcasecmp(q->rel + strlen(c->p->dir) + 1,
			    want)))
				hit = q;
			free(want);
		}
		if (!hit && !strcmp(q->path, bare))
			hit = q;
	}
	if (!hit && !strchr(bare, '/')) {	/* a unique file name */
		for (size_t i = 0; i < c->t->npages; i++) {
			const struct ipage *q = &c->t->pages[i];
			const char *b = strrchr(q->rel, '/');
			b = b ? b + 1 : q->rel;
			want = xasprintf("%s.md", bare);
			if (q->path && (!strcasecmp(b, bare) ||
			    !strcasecmp(b, want))) {
				hit = q;
				nhit++;
			}
			free(want);
		}
		if (nhit != 1)
			hit = NULL;
	}
	free(t);
	return hit;
}

static void
ref_url(struct sc *c, const char *at, const char *target, struct buf *out)
{
	const char *hash = strchr(target, '#');
	size_t n = hash ? (size_t)(hash - target) : strlen(target);
	const struct ipage *q;

	if (n == 0) {		/* an anchor on this page */
		buf_adds(out, hash ? hash : "");
		return;
	}
	if ((q = ref_find(c, target, n))) {
		buf_printf(out, "/%s%s%s", q->path, q->path[0] ? "/" : "",
		    hash ? hash : "");
		return;
	}
	{
		struct buf slug = BUF_INIT;
		bool changed;
		import_slugify(target, n, &slug, &changed);
		buf_printf(out, "/kiln-unresolved-ref/%s/", slug.buf);
		buf_release(&slug);
	}
	sc_warn(c, at,
	    "ref '%.*s': no imported page has that file; the link points at "
	    "/kiln-unresolved-ref/ so the link check finds it: fix the path",
	    (int)n, target);
}

static json_t *
page_param(struct sc *c, const char *name)
{
	json_t *v = json_object_get(c->p->meta, name), *pp;

	if (!v && (pp = json_object_get(c->p->meta, "params")))
		v = json_object_get(pp, name);
	if (!v && (pp = import_cfg_get(c->t->cfg, "params")))
		v = json_object_get(pp, name);
	return v;
}

static int convert(struct sc *c, const char *s, size_t len, int depth,
    struct buf *out);

/* a site's own shortcode through templates/shortcodes/NAME.mustache */
static int
custom(struct sc *c, const char *at, const char *name, struct scargs *x,
    const char *inner, size_t ilen, bool paired, const char *tag,
    size_t taglen, int depth, struct buf *out)
{
	struct buf src = BUF_INIT, why = BUF_INIT, in = BUF_INIT;
	char *file = NULL;
	struct tmpl *tp = NULL;
	json_t *ctx = NULL;
	size_t i;
	json_t *v;
	int rc = 0;

	if (c->o->templates_dir)
		file = xasprintf("%s/shortcodes/%s.mustache",
		    c->o->templates_dir, name);
	if (!file || !file_exists(file)) {
		sc_warn(c, at, "shortcode '%s' is the site's own: add "
		    "templates/shortcodes/%s.mustache to the kiln site and "
		    "import again; until then it is left as text linking to "
		    "/kiln-unconverted-shortcode/%s/, which the link check "
		    "reports", name, name, name);
		buf_adds(out, "[");
		for (size_t k = 0; k < taglen; k++) {
			if (strchr("[]\\", tag[k]))
				buf_addch(out, '\\');
			buf_addch(out, tag[k]);
		}
		buf_printf(out, "](/kiln-unconverted-shortcode/%s/)", name);
		if (paired) {
			convert(c, inner, ilen, depth + 1, out);
			buf_printf(out, "[{{< /%s >}}](/kiln-unconverted-"
			    "shortcode/%s/)", name, name);
		}
		goto out;
	}
	if (file_read(file, &src, LIMIT_TEMPLATE, &why) == -1 ||
	    !(tp = tmpl_parse(src.buf ? src.buf : "", src.len, file,
	    &why))) {
		import_note(c->r, "failed", c->p->file, line_at(c, at),
		    c->p->path, "shortcode '%s': %s", name, why.buf);
		rc = -1;
		goto out;
	}
	ctx = json_deep_copy(x->named);
	json_array_foreach(x->pos, i, v) {
		char k[32];
		snprintf(k, sizeof(k), "_%zu", i);
		json_object_set(ctx, k, v);
	}
	if (paired && convert(c, inner, ilen, depth + 1, &in) == -1) {
		rc = -1;
		goto out;
	}
	json_object_set_new(ctx, "inner", json_stringn(in.buf ? in.buf : "",
	    in.len));
	json_object_set_new(ctx, "page", json_pack("{s:s}", "title",
	    json_is_string(json_object_get(c->p->meta, "title")) ?
	    json_string_value(json_object_get(c->p->meta, "title")) : ""));
	if (tmpl_render(NULL, tp, ctx, out, &why) == -1) {
		import_note(c->r, "failed", c->p->file, line_at(c, at),
		    c->p->path, "shortcode '%s': %s", name, why.buf);
		rc = -1;
	}
out:
	free(file);
	tmpl_free(tp);
	json_decref(ctx);
	buf_release(&src);
	buf_release(&why);
	buf_release(&in);
	return rc;
}

/* the end of tag opening at s[i] ("{{<" or "{{%"): index after "}}" */
static size_t
tag_end(const char *s, size_t len, size_t i, char kind)
{
	char quote = 0;

	for (size_t k = i + 3; k < len && k - i < SC_MAX_TAG; k++) {
		if (s[k] == '\n' && k + 1 < len && s[k + 1] == '\n')
			return 0;	/* no tag spans a blank line */
		if (quote) {
			if (s[k] == quote)
				quote = 0;
			continue;
		}
		if (s[k] == '"' || s[k] == '`')
			quote = s[k];
		else if (s[k] == kind && k + 2 < len && s[k + 1] == '}' &&
		    s[k + 2] == '}')
			return k + 3;
	}
	return 0;
}

/* where "{{< /NAME >}}" closing S[from..] starts, its end in *end */
static const char *
find_close(const char *s, size_t len, size_t from, const char *name,
    size_t *end)
{
	size_t nlen = strlen(name);
	int depth = 0;

	for (size_t i = from; i + 3 < len; i++) {
		size_t j, e;
		/* i moves past each tag: see the end of the loop */
		char kind;
		if (s[i] != '{' || s[i + 1] != '{' || (s[i + 2] != '<' &&
		    s[i + 2] != '%'))
			continue;
		kind = s[i + 2] == '<' ? '>' : '%';
		if (!(e = tag_end(s, len, i, kind)))
			continue;
		j = i + 3;
		while (j < e && isspace((unsigned char)s[j]))
			j++;
		if (j + 2 + nlen >= e)
			continue;
		if (s[j] == '/' && !strncmp(s + j + 1, name, nlen) &&
		    (isspace((unsigned char)s[j + 1 + nlen]) ||
		    s[j + 1 + nlen] == kind)) {
			if (depth-- == 0) {
				*end = e;
				return s + i;
			}
		} else if (!strncmp(s + j, name, nlen) &&
		    (isspace((unsigned char)s[j + nlen]) ||
		    s[j + nlen] == kind) && s[e - 4] != '/')
			depth++;
		i = e - 1;
	}
	return NULL;
}

static bool
known_inline(const char *n)
{
	static const char *const v[] = { "figure", "ref", "relref",
	    "youtube", "vimeo", "gist", "x", "tweet", "instagram", "param",
	    NULL };

	for (int i = 0; v[i]; i++)
		if (!strcmp(n, v[i]))
			return true;
	return false;
}

/*
 * An escaped shortcode at S[i] ("{{<" then "/\*"), its name starting at J:
 * the literal one into out, *next after it; false when it has no end.
 */
static bool
sc_escaped(const char *s, size_t len, size_t i, size_t j, char kind,
    size_t *next, struct buf *out)
{
	for (size_t k = j + 2; k + 1 < len; k++) {
		size_t m = k + 2;
		if (s[k] != '*' || s[k + 1] != '/')
			continue;
		while (m < len && isspace((unsigned char)s[m]))
			m++;
		if (m + 2 < len && s[m] == kind && s[m + 1] == '}' &&
		    s[m + 2] == '}') {
			buf_printf(out, "{{%c", s[i + 2]);
			buf_add(out, s + j + 2, k - (j + 2));
			buf_printf(out, "%c}}", kind);
			*next = m + 3;
			return true;
		}
	}
	return false;
}

/* one shortcode call, as convert found it */
struct scall {
	const char *at;		/* its opening tag */
	size_t taglen;
	char *name;
	struct scargs x;
	const char *inner;	/* between the tags, when paired */
	size_t ilen;
	bool paired;
};

/* {{< figure src alt title caption link >}} as Markdown */
static void
sc_figure(struct sc *c, struct scall *k, struct buf *out)
{
	const char *src = arg(&k->x, "src", 0);
	const char *link = arg(&k->x, "link", -1);
	const char *cap = arg(&k->x, "caption", -1);
	const char *title = arg(&k->x, "title", -1);
	struct buf img = BUF_INIT, tmp = BUF_INIT;

	/* a bundle resource: the media path */
	import_rewrite_resources(c->p, src, strlen(src), &tmp);
	buf_printf(&img, "![%s](%s", arg(&k->x, "alt", -1),
	    tmp.buf ? tmp.buf : "");
	if (*title)
		buf_printf(&img, " \"%s\"", title);
	buf_addch(&img, ')');
	if (*link)
		buf_printf(out, "[%s](%s)", img.buf, link);
	else
		buf_adds(out, img.buf);
	if (*cap || *title)
		buf_printf(out, "\n*%s*", *cap ? cap : title);
	buf_release(&img);
	buf_release(&tmp);
}

/* {{< highlight LANG >}}...{{< /highlight >}} as a fenced block */
static void
sc_highlight(struct scall *k, struct buf *out)
{
	const char *in = k->paired ? k->inner : "";
	size_t n = k->paired ? k->ilen : 0;

	while (n && (*in == '\n' || *in == '\r'))
		in++, n--;
	while (n && (in[n - 1] == '\n' || in[n - 1] == '\r'))
		n--;
	buf_printf(out, "```%s\n", arg(&k->x, "lang", 0));
	buf_add(out, in, n);
	buf_adds(out, "\n```");
}

/* youtube, vimeo, gist, x/tweet, instagram as links; false for others */
static bool
sc_link(struct scall *k, struct buf *out)
{
	struct scargs *x = &k->x;
	const char *name = k->name, *t = arg(x, "title", -1);

	if (!strcmp(name, "youtube"))
		buf_printf(out, "[%s](https://www.youtube.com/watch?v=%s)",
		    *t ? t : "Video on YouTube", arg(x, "id", 0));
	else if (!strcmp(name, "vimeo"))
		buf_printf(out, "[%s](https://vimeo.com/%s)", *t ? t :
		    "Video on Vimeo", arg(x, "id", 0));
	else if (!strcmp(name, "gist"))
		buf_printf(out, "[Gist %s](https://gist.github.com/%s/%s)",
		    arg(x, NULL, 1), arg(x, NULL, 0), arg(x, NULL, 1));
	else if (!strcmp(name, "x") || !strcmp(name, "tweet")) {
		const char *user = arg(x, "user", -1);
		buf_printf(out, "[Post on X](https://x.com/%s/status/%s)",
		    *user ? user : "i", arg(x, "id", 0));
	} else if (!strcmp(name, "instagram"))
		buf_printf(out, "[Post on Instagram](https://www.instagram."
		    "com/p/%s/)", arg(x, "id", 0));
	else
		return false;
	return true;
}

/* {{< param "name" >}}: the page's param, else the site config's */
static void
sc_param(struct sc *c, struct scall *k, struct buf *out)
{
	const char *pn = arg(&k->x, "name", 0);
	json_t *v = page_param(c, pn);

	if (json_is_string(v))
		buf_adds(out, json_string_value(v));
	else if (json_is_number(v) || json_is_boolean(v)) {
		char *d = json_dumps(v, JSON_ENCODE_ANY);
		buf_adds(out, d);
		free(d);
	} else
		sc_warn(c, k->at, "param '%s': neither the page nor the "
		    "site's config has it; left empty", pn);
}

/* {{< qr >}}: its text (a link when it is a URL), reported */
static void
sc_qr(struct sc *c, struct scall *k, struct buf *out)
{
	const char *text = arg(&k->x, "text", -1);
	struct buf in = BUF_INIT;

	if (!*text && k->paired) {
		buf_add(&in, k->inner, k->ilen);
		text = in.buf ? in.buf : "";
	}
	if (!strncmp(text, "http://", 7) || !strncmp(text, "https://", 8))
		buf_printf(out, "<%s>", text);
	else
		buf_adds(out, text);
	sc_warn(c, k->at, "qr: kiln makes no QR code image; the text is "
	    "kept");
	buf_release(&in);
}

/* call K converted into out: a built-in, else the site's own */
static int
sc_call(struct sc *c, struct scall *k, int depth, struct buf *out)
{
	const char *name = k->name;

	if (!strcmp(name, "figure"))
		sc_figure(c, k, out);
	else if (!strcmp(name, "ref") || !strcmp(name, "relref"))
		ref_url(c, k->at, arg(&k->x, "path", 0), out);
	else if (!strcmp(name, "highlight"))
		sc_highlight(k, out);
	else if (sc_link(k, out))
		;
	else if (!strcmp(name, "details")) {
		const char *sum = arg(&k->x, "summary", -1);
		buf_printf(out, "**%s**\n\n", *sum ? sum : "Details");
		if (k->paired && convert(c, k->inner, k->ilen, depth + 1,
		    out) == -1)
			return -1;
	} else if (!strcmp(name, "param"))
		sc_param(c, k, out);
	else if (!strcmp(name, "qr"))
		sc_qr(c, k, out);
	else
		return custom(c, k->at, name, &k->x, k->inner, k->ilen,
		    k->paired, k->at, k->taglen, depth, out);
	return 0;
}

/*
 * The call whose tag is S[i, e) and its name S[j, ne) into K: its
 * arguments, and its closing tag when it has one (*close_end after it).
 */
static void
sc_parse(struct sc *c, const char *s, size_t len, size_t i, size_t j,
    size_t ne, size_t e, struct scall *k, size_t *close_end)
{
	size_t ae = e - 3;
	const char *cl;
	bool selfclose;

	memset(k, 0, sizeof(*k));
	k->at = s + i;
	k->taglen = e - i;
	k->name = xstrndup(s + j, ne - j);
	while (ae > ne && isspace((unsigned char)s[ae - 1]))
		ae--;
	selfclose = ae > ne && s[ae - 1] == '/';
	parse_args(s + ne, s + ae - (selfclose ? 1 : 0), &k->x);
	if (selfclose || known_inline(k->name) ||
	    json_object_get(c->noclose, k->name))
		return;
	if ((cl = find_close(s, len, e, k->name, close_end))) {
		k->paired = true;
		k->inner = s + e;
		k->ilen = (size_t)(cl - k->inner);
	} else	/* none later either: never look again */
		json_object_set_new(c->noclose, k->name, json_true());
}

/*
 * The shortcode tag starting at S[i] converted into out: 1 and *next
 * after it (and its closing tag), 0 when it is no tag after all, -1.
 */
static int
convert_at(struct sc *c, const char *s, size_t len, size_t i, int depth,
    size_t *next, struct buf *out)
{
	char kind = s[i + 2] == '<' ? '>' : '%';
	size_t j = i + 3, e, ne, close_end = 0;
	struct scall k;
	int rc;

	while (j < len && isspace((unsigned char)s[j]))
		j++;
	if (j + 1 < len && s[j] == '/' && s[j + 1] == '*')
		return sc_escaped(s, len, i, j, kind, next, out) ? 1 : 0;
	if (!(e = tag_end(s, len, i, kind)))
		return 0;
	ne = j;
	while (ne < e - 3 && !isspace((unsigned char)s[ne]) && s[ne] != '/')
		ne++;
	if (ne == j || s[j] == '/') {
		sc_warn(c, s + i, "a closing shortcode tag without its "
		    "opening: left as it is");
		buf_add(out, s + i, e - i);
		*next = e;
		return 1;
	}
	sc_parse(c, s, len, i, j, ne, e, &k, &close_end);
	rc = sc_call(c, &k, depth, out);
	json_decref(k.x.named);
	json_decref(k.x.pos);
	free(k.name);
	*next = k.paired ? close_end : e;
	return rc == -1 ? -1 : 1;
}

static int
convert(struct sc *c, const char *s, size_t len, int depth, struct buf *out)
{
	size_t i = 0, next;
	int rc;

	if (depth > SC_MAX_DEPTH) {
		buf_add(out, s, len);
		return 0;
	}
	while (i < len) {
		if (!(i + 3 < len && s[i] == '{' && s[i + 1] == '{' &&
		    (s[i + 2] == '<' || s[i + 2] == '%'))) {
			buf_addch(out, s[i++]);
			continue;
		}
		if ((rc = convert_at(c, s, len, i, depth, &next, out)) == -1)
			return -1;
		if (rc == 0)
			buf_addch(out, s[i++]);
		else
			i = next;
	}
	return 0;
}

int
import_shortcodes(const struct itree *t, const struct ipage *p,
    const struct import_opts *o, struct import_report *r, const char *s,
    size_t len, int line0, struct buf *out)
{
	struct sc c = { t, p, o, r, s, line0, NULL, 0, NULL, 0 };
	int rc;

	buf_reset(out);
	if (!memmem(s, len, "{{<", 3) && !memmem(s, len, "{{%", 3)) {
		buf_add(out, s, len);
		return 0;
	}
	c.noclose = json_object();
	rc = convert(&c, s, len, 0, out);
	if (c.nnotes > SC_MAX_NOTES)
		import_note(r, "warning", p->file, line0, p->path, "%d more "
		    "shortcode warnings in this text, not shown",
		    c.nnotes - SC_MAX_NOTES);
	json_decref(c.noclose);
	return rc;
}
