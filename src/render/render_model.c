/* SPDX-License-Identifier: ISC */
/*
 * render_model.c: the site model of a build (render_int.h).
 *
 * From the snapshot: the home and section pages the tree lacks
 * (virtual pages), each page's URL, output path, parent, sorted children
 * and kind (home, section, page), the summary of each page (its entry in
 * listings, with a hash of its fields for the incremental keys), the
 * collections declared in kiln.yaml and the site object every template
 * context holds.  Sorting is qsort_r with the build as its argument.
 */
#include "common/compat.h"

#include <stdatomic.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/mdr.h"
#include "render/render_int.h"

#define SUMMARY_MAX	200

/* what the comparison functions of qsort_r need */
struct sorter {
	struct build *b;
	const struct conf_collection *cc;
};

size_t
model_find(const struct snapshot *sn, const char *path)
{
	size_t lo = 0, hi = sn->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(sn->pages[mid].path, path);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* N (0 <= N < 10^WIDTH) as WIDTH digits at S */
static char *
put_digits(char *s, int n, int width)
{
	for (int k = width - 1; k >= 0; k--, n /= 10)
		s[k] = (char)('0' + n % 10);
	return s + width;
}

/*
 * The three forms of T as time_format writes them in the C locale
 * (kiln sets no other), made by hand: several dates go into every
 * page's context.  Years outside 1000-9999 go through time_format.
 */
static bool
date_forms(int64_t t, char iso[32], char human[64], char year[16])
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	struct time_utc u;
	char *p;

	time_utc(t, &u);
	if (u.year < 1000 || u.year > 9999)
		return false;
	p = put_digits(iso, (int)u.year, 4);
	*p++ = '-';
	p = put_digits(p, u.mon, 2);
	*p++ = '-';
	p = put_digits(p, u.mday, 2);
	*p++ = 'T';
	p = put_digits(p, u.hour, 2);
	*p++ = ':';
	p = put_digits(p, u.min, 2);
	*p++ = ':';
	p = put_digits(p, u.sec, 2);
	memcpy(p, "Z", 2);
	memcpy(year, iso, 4);
	year[4] = '\0';
	snprintf(human, 64, "%d %s %s", u.mday, months[u.mon - 1], year);
	return true;
}

void
model_date_forms(int64_t t, char iso[32], char human[64], char year[16])
{
	if (!date_forms(t, iso, human, year)) {
		time_format_iso8601(t, iso, 32);
		time_format(t, "%e %B %Y", human, 64);
		time_format(t, "%Y", year, 16);
	}
	if (human[0] == ' ')
		memmove(human, human + 1, strlen(human));
}

json_t *
model_date_json(int64_t t)
{
	char iso[32], human[64], year[16];
	json_t *o;

	if (!t)
		return json_null();
	model_date_forms(t, iso, human, year);
	o = json_object();
	json_object_set_new_nocheck(o, "iso", json_string_nocheck(iso));
	json_object_set_new_nocheck(o, "human", json_string_nocheck(human));
	json_object_set_new_nocheck(o, "year", json_string_nocheck(year));
	return o;
}

/*
 * {NAME: {iso, human, year}} for every front-matter field of PARAMS
 * that is an ISO 8601 date or time ("event_date: 2027-07-17"), so that
 * templates show it as they show page dates (a new reference).
 */
json_t *
model_param_dates(json_t *params)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach(params, k, v) {
		const char *s = json_string_value(v);
		int64_t t;
		if (s && strlen(s) >= 10 && s[4] == '-' && s[7] == '-' &&
		    time_parse_iso8601(s, &t) == 0 && t != 0)
			json_object_set_new(out, k, model_date_json(t));
	}
	return out;
}

/*
 * Page P's summary text and the hash of what its entry in listings and
 * collections holds: SHA-256 over the fields, each followed by NUL so
 * that no field can run into the next.  The entry itself is made only
 * for the pages a build needs (model_summary_of).
 */
static void
make_summary(struct build *b, size_t i, struct buf *g)
{
	struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	const char *text[] = { sp->title, p->url, sp->path, sp->section,
	    sp->tags_json, sp->extra_json };
	struct buf ex = BUF_INIT;

	if (sp->summary[0])
		buf_adds(&ex, sp->summary);
	else {
		/* the snapshot has the bodies of pages without a summary */
		struct buf err = BUF_INIT;
		const char *body = snapshot_body(&b->snap, i, &err);
		if (body)
			mdr_excerpt(body, strlen(body), SUMMARY_MAX, &ex);
		buf_release(&err);
	}
	buf_reset(g);
	for (size_t k = 0; k < NELEM(text); k++)
		buf_add(g, text[k], strlen(text[k]) + 1);
	buf_add_i64(g, sp->date);
	buf_add_i64(g, sp->weight);
	buf_add(g, ex.buf, ex.len);
	sha256_hex(g->buf, g->len, p->sumhash);
	p->excerpt = buf_detach(&ex, NULL);
	p->lastmod = feeds_lastmod_of(b, i);
}

/* page I's entry in listings and collections (borrowed) */
json_t *
model_summary_of(struct build *b, size_t i)
{
	struct rpage *p = &b->pages[i];
	const struct snap_page *sp = p->sp;
	json_t *s;

	pthread_mutex_lock(&b->summary_mu);
	if ((s = p->summary) == NULL)
		s = p->summary = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, "
		    "s:O, s:O, s:o, s:i}", "title", sp->title, "url", p->url,
		    "path", sp->path, "section", sp->section, "date",
		    model_date_json(sp->date), "summary", p->excerpt, "tags",
		    snapshot_tags(&b->snap, i), "params",
		    snapshot_extra(&b->snap, i), "dates",
		    model_param_dates(snapshot_extra(&b->snap, i)), "weight",
		    sp->weight);
	pthread_mutex_unlock(&b->summary_mu);
	return s;
}

/*
 * Page I's entry as a new reference, taken under the lock: threads that
 * share entries (taxonomy pages) take and drop them under it, since
 * jansson reads a count without atomics before changing it.
 */
json_t *
model_summary_ref(struct build *b, size_t i)
{
	json_t *s = model_summary_of(b, i);

	pthread_mutex_lock(&b->summary_mu);
	json_incref(s);
	pthread_mutex_unlock(&b->summary_mu);
	return s;
}

/* make_summary for every page, on the build's threads */
static void *
summary_worker(void *arg)
{
	struct build *b = arg;
	struct buf g = BUF_INIT;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->npages)
		if (!kept_summary(b, i))
			make_summary(b, i, &g);
	buf_release(&g);
	return NULL;
}

int
model_cmp_children(const void *x, const void *y, void *arg)
{
	const struct build *b = arg;
	const struct snap_page *a = b->pages[*(const size_t *)x].sp;
	const struct snap_page *c = b->pages[*(const size_t *)y].sp;
	int r;

	if (a->weight != c->weight)
		return a->weight < c->weight ? -1 : 1;
	if (a->date != c->date)
		return a->date > c->date ? -1 : 1;
	if ((r = strcmp(a->title, c->title)) != 0)
		return r;
	return strcmp(a->path, c->path);
}

/*
 * As Hugo does: a site without a root page still gets its home page
 * (the home template, empty content, the site's title), and a top-level
 * folder of pages without an _index.md still gets its section listing
 * (titled from its name: "road-works" is "Road works").  Without them,
 * every "home" link of an imported tree without content/_index.md was
 * broken.
 */
static void
add_missing_pages(struct build *b)
{
	struct snapshot *sn = &b->snap;
	char **paths = xcalloc(sn->npages + 1, sizeof(*paths));
	char **titles = xcalloc(sn->npages + 1, sizeof(*titles));
	const char *last = NULL;	/* the section looked up last */
	size_t n = 0, lastlen = 0;

	if (!sn->npages || sn->pages[0].path[0] != '\0') {
		paths[n] = xstrdup("");
		titles[n++] = xstrdup(b->c->site.title);
	}
	/*
	 * sorted by path: the pages of a section come together, and the
	 * section is looked up for the first of them only
	 */
	for (size_t i = 0, real = sn->npages; i < real; i++) {
		const char *path = sn->pages[i].path;
		size_t len = strcspn(path, "/");
		char *t;
		if (!path[len] || (last && lastlen == len &&
		    !strncmp(last, path, len)))
			continue;
		last = path;
		lastlen = len;
		t = xstrndup(path, len);
		if (model_find(sn, t) != SIZE_MAX) {
			free(t);
			continue;
		}
		free(t);
		paths[n] = xstrndup(path, len);
		titles[n] = t = xstrdup(paths[n]);
		for (char *c = t; *c; c++)
			if (*c == '-' || *c == '_')
				*c = ' ';
		if (*t >= 'a' && *t <= 'z')
			*t = (char)(*t - 'a' + 'A');
		n++;
	}
	snapshot_add_virtual(sn, (const char *const *)paths,
	    (const char *const *)titles, n);
	for (size_t i = 0; i < n; i++) {
		free(paths[i]);
		free(titles[i]);
	}
	free(paths);
	free(titles);
}

void
model_build(struct build *b)
{
	size_t prevlen = 0;

	add_missing_pages(b);
	b->npages = b->snap.npages;
	b->pages = xcalloc(b->npages ? b->npages : 1, sizeof(*b->pages));
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		p->sp = &b->snap.pages[i];
		p->parent = SIZE_MAX;
		if (p->sp->path[0] == '\0') {
			p->url = xstrdup("/");
			p->out = xstrdup("index.html");
		} else {
			/* "/PATH/" and "PATH/index.html", without printf */
			size_t len = strlen(p->sp->path);
			p->url = xmalloc(len + 3);
			p->url[0] = '/';
			memcpy(p->url + 1, p->sp->path, len);
			memcpy(p->url + 1 + len, "/", 2);
			p->out = xmalloc(len + sizeof("/index.html"));
			memcpy(p->out, p->sp->path, len);
			memcpy(p->out + len, "/index.html",
			    sizeof("/index.html"));
		}
	}
	/*
	 * one sort of every page: children and terms are listed in it
	 * (the last build's order brought up to date, when one is kept)
	 */
	kept_take(b);
	if (!kept_order(b)) {
		b->order = xcalloc(b->npages + 1, sizeof(*b->order));
		for (size_t i = 0; i < b->npages; i++)
			b->order[i] = i;
		if (b->npages > 1)
			qsort_r(b->order, b->npages, sizeof(*b->order),
			    model_cmp_children, b);
	}
	/*
	 * parents: the nearest live ancestor (the home page for top level),
	 * which depends on the folder alone: pages in path order share it
	 * with the page before them but for the first of each folder
	 */
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		const char *dir = strrchr(p->sp->path, '/');
		size_t dlen = dir ? (size_t)(dir - p->sp->path) : 0;
		char *anc, *slash;
		if (!p->sp->path[0])
			continue;
		if (i > 0 && b->pages[i - 1].sp->path[0] && dlen ==
		    prevlen && !strncmp(p->sp->path, b->pages[i - 1].sp->path,
		    dlen)) {
			p->parent = b->pages[i - 1].parent;
			continue;
		}
		prevlen = dlen;
		anc = xstrdup(p->sp->path);
		for (;;) {
			slash = strrchr(anc, '/');
			if (slash)
				*slash = '\0';
			else
				anc[0] = '\0';
			p->parent = model_find(&b->snap, anc);
			if (p->parent != SIZE_MAX || !anc[0])
				break;
		}
		free(anc);
	}
	/* each parent's children, appended in listing order */
	for (size_t k = 0; k < b->npages; k++) {
		size_t i = b->order[k];
		struct rpage *p = &b->pages[i];
		if (p->parent != SIZE_MAX) {
			struct rpage *q = &b->pages[p->parent];
			if (q->nkids == q->akids) {
				q->akids = q->akids ? q->akids * 2 : 8;
				q->kids = xreallocarray(q->kids, q->akids,
				    sizeof(*q->kids));
			}
			q->kids[q->nkids++] = i;
		}
	}
	for (size_t i = 0; i < b->npages; i++) {
		struct rpage *p = &b->pages[i];
		p->kind = !p->sp->path[0] ? PK_HOME : p->nkids ? PK_SECTION :
		    PK_PAGE;
	}
	render_run_threads(b, summary_worker);
	kept_carry(b);
}

/* a collection item's sort or date value: date, title, weight, path, params.K */
static json_t *
field_of(struct build *b, size_t i, const char *field)
{
	if (!strncmp(field, "params.", 7))
		return json_object_get(snapshot_extra(&b->snap, i), field + 7);
	return json_object_get(model_summary_of(b, i), field);
}

static int64_t
field_time(struct build *b, size_t i, const struct conf_collection *cc)
{
	json_t *v;
	int64_t t;

	if (!cc->date_param)
		return b->pages[i].sp->date;
	v = json_object_get(snapshot_extra(&b->snap, i), cc->date_param);
	if (json_is_string(v) && time_parse_iso8601(json_string_value(v),
	    &t) == 0)
		return t;
	return 0;
}

static int
cmp_coll(const void *x, const void *y, void *arg)
{
	const struct sorter *so = arg;
	const struct conf_collection *cc = so->cc;
	const struct rpage *a = &so->b->pages[*(const size_t *)x];
	const struct rpage *c = &so->b->pages[*(const size_t *)y];
	int r = 0;

	switch (cc->sort_by) {
	case CONF_SORT_DATE:
		r = a->sp->date < c->sp->date ? -1 : a->sp->date > c->sp->date;
		break;
	case CONF_SORT_TITLE:
		r = strcmp(a->sp->title, c->sp->title);
		break;
	case CONF_SORT_WEIGHT:
		r = a->sp->weight < c->sp->weight ? -1 :
		    a->sp->weight > c->sp->weight;
		break;
	case CONF_SORT_PATH:
		break;
	case CONF_SORT_PARAM: {
		json_t *va = field_of(so->b, *(const size_t *)x,
		    cc->sort);
		json_t *vc = field_of(so->b, *(const size_t *)y,
		    cc->sort);
		if (json_is_string(va) && json_is_string(vc))
			r = strcmp(json_string_value(va),
			    json_string_value(vc));
		else if (json_is_number(va) && json_is_number(vc))
			r = json_number_value(va) < json_number_value(vc) ?
			    -1 : json_number_value(va) > json_number_value(vc);
		else
			r = (va != NULL) - (vc != NULL);
		break;
	}
	}
	if (cc->order == CONF_ORDER_DESC)
		r = -r;
	if (r == 0)
		r = strcmp(a->sp->path, c->sp->path);
	return r;
}

void
model_collections(struct build *b)
{
	struct sorter so = { b, NULL };

	b->collections = json_object();
	for (size_t k = 0; k < b->c->ncollections; k++) {
		const struct conf_collection *cc = &b->c->collections[k];
		size_t *sel = xcalloc(b->npages + 1, sizeof(*sel)), n = 0;
		size_t plen = strlen(cc->section);
		json_t *arr = json_array();

		for (size_t i = 0; i < b->npages; i++) {
			const struct rpage *p = &b->pages[i];
			int64_t t;
			if (strncmp(p->sp->path, cc->section, plen) != 0 ||
			    p->sp->path[plen] != '/' || p->kind != PK_PAGE)
				continue;
			t = field_time(b, i, cc);
			if (cc->filter != CONF_FILTER_ALL) {
				/* at its own start time an event has begun */
				bool upcoming = t && t > b->now;
				/* the next moment this collection changes */
				if (t > b->now && (!b->res->next_change ||
				    t < b->res->next_change))
					b->res->next_change = t;
				if (!t || upcoming != (cc->filter ==
				    CONF_FILTER_UPCOMING))
					continue;
			}
			sel[n++] = i;
		}
		so.cc = cc;
		if (n > 1)
			qsort_r(sel, n, sizeof(*sel), cmp_coll, &so);
		for (size_t i = 0; i < n && (!cc->limit ||
		    i < (size_t)cc->limit); i++)
			json_array_append(arr, model_summary_of(b, sel[i]));
		json_object_set_new(b->collections, cc->name, arr);
		free(sel);
	}
}

void
model_site(struct build *b)
{
	json_t *sections = json_array(), *feeds = json_array();
	size_t home = model_find(&b->snap, "");

	for (size_t i = 0; i < b->npages; i++) {
		const struct rpage *p = &b->pages[i];
		if (p->sp->path[0] && p->parent == home &&
		    !strchr(p->sp->path, '/'))
			json_array_append_new(sections, json_pack(
			    "{s:s, s:s, s:s}", "title", p->sp->title, "url",
			    p->url, "name", p->sp->path));
	}
	for (size_t k = 0; k < b->c->ncollections; k++) {
		char *u;
		if (!b->c->collections[k].feed)
			continue;
		u = xasprintf("/feeds/%s.xml", b->c->collections[k].name);
		json_array_append_new(feeds, json_pack("{s:s, s:s}", "name",
		    b->c->collections[k].name, "url", u));
		free(u);
	}
	b->site = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s}, "
	    "s:o, s:o}", "title", b->c->site.title, "base_url",
	    b->c->site.base_url, "description", b->c->site.description,
	    "language", b->c->site.language, "author", b->c->site.author,
	    "sections", sections, "feeds", feeds, "build", "generator",
	    "kiln", "menus", menus_json(b), "taxonomies", taxonomy_list(b));
}
