/* SPDX-License-Identifier: ISC */
/*
 * render_kept.c: what a long-lived process (render_opts.remember: a
 * `kiln worker`, `kiln serve`) keeps of one build's model for the next
 * (decision 0360).
 *
 * Kept: each page's summary (make_summary: its excerpt, the hash of its
 * entry in listings, its lastmod), which is a function of its snapshot
 * row alone and was computed for every page of every build (a SHA-256
 * each: 7% of a worker's edit build at 10,000 pages).  A kept entry
 * holds references to its row's string block and body (snapshot_hold),
 * so a row of a later snapshot with those very pointers has those very
 * strings (the kept snapshot hands unchanged rows out again, decision
 * 0240); with the same revision, date, weight and last publication it
 * has the same summary.  Any other row (changed, new, virtual, a full
 * read) is a miss and is summarised anew: a wrong hit would need a
 * freed block's address, which cannot be reused while it is held.
 *
 * Kept too: the listing order of the pages (model_build's sort of the
 * whole site, 3%): the last order, with the pages gone dropped and the
 * new ones put at the end, is sorted by insertion, which touches only
 * the pages out of place; the order being total (paths break ties),
 * it is the order a sort gives.  A change that moves many pages (over
 * 8 moves a page) is sorted anew.
 *
 * Kept too (decision 0380): each page's output keys, with what they
 * were made of besides the row (kind, parent, children, template) and
 * the build's global inputs.  A page whose row is kept, whose ancestors
 * and children have the summary hashes they had and whose global inputs
 * are the same has the same key material: its keys are carried over
 * (rpage.carry), not hashed again.  The term pages' keys are kept here
 * too (render_taxonomy.c makes and reads them).  The set is given back
 * after the build's last output, so that it holds this build's keys.
 *
 * Two sets are kept (a site's live builds and its staging builds, or two
 * sites), each taken by one build at a time: a build that finds none
 * summarises every page, as a one-shot build always does.
 */
#include "common/compat.h"

#include <pthread.h>
#include <stdatomic.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "render/render_int.h"

/* one page's kept summary, and what its outputs' keys were made of */
struct kept_sum {
	struct snap_hold h;	/* h.block NULL: moved to the next set */
	int64_t revision, date, last_published_at;
	int weight;
	char sumhash[65];
	char *excerpt;
	int64_t lastmod;
	/* page_key's material beside the row's: kind, parent, children */
	int64_t first_published_at;
	enum pkind kind;
	size_t parent;		/* its parent's entry, or SIZE_MAX */
	size_t *kids;		/* its children's entries, in order */
	size_t nkids;
	char *tname;		/* the template of its outputs */
	struct pkeys keys;	/* keys.n 0: none */
	char *terms;		/* its terms (rpage.terms), or NULL */
};

/* the summaries of one build's pages, in their (path) order */
struct kept {
	char *key;		/* the site's folder, then "\n1" if staging */
	struct kept_sum *v;
	size_t n;
	size_t *order;		/* that build's listing order (of v) */
	unsigned age;
	/* the global inputs of every page's keys */
	char globhash[65];
	int page_size;
	bool unsafe_html, page_json;
	struct kept_taxos *taxos;	/* its term pages' keys */
	/*
	 * The record its keys are in (the id of the one its build saved,
	 * "" if none), and the record its held keys (pkeys.held: carried
	 * over by that build) are in too: the set before's (decision 0430).
	 */
	char rec_id[33], held_id[33];
	char *taxonomies;	/* the names its pages' terms are of, each
				   ended by a newline */
};

static struct kept kept_slots[2];
static unsigned kept_clock;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

/* K's keys, and what they were recorded with: one block (pkeys_new) */
static void
pkeys_free(struct pkeys *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}

/* E emptied, as a new entry is */
static void
kept_sum_clear(struct kept_sum *e)
{
	snapshot_unhold(&e->h);
	free(e->excerpt);
	free(e->kids);
	free(e->tname);
	free(e->terms);
	pkeys_free(&e->keys);
	memset(e, 0, sizeof(*e));
}

static void
kept_free(struct kept *k)
{
	if (!k)
		return;
	for (size_t j = 0; j < k->n; j++)
		kept_sum_clear(&k->v[j]);
	free(k->v);
	free(k->order);
	free(k->key);
	free(k->taxonomies);
	kept_taxos_free(k->taxos);
	free(k);
}

/* the slot kept for KEY; for NULL an empty one, else the older */
static size_t
kept_slot(const char *key)
{
	size_t use = 0;

	for (size_t s = 0; s < NELEM(kept_slots); s++) {
		if (key ? kept_slots[s].key && !strcmp(kept_slots[s].key,
		    key) : !kept_slots[s].key)
			return s;
		if (kept_slots[s].age < kept_slots[use].age)
			use = s;
	}
	return key ? SIZE_MAX : use;
}

static char *
kept_key(const struct build *b)
{
	return xasprintf("%s\n%d", b->site_dir, b->staging);
}

/* the taxonomies of B's site, each name ended by a newline */
static char *
kept_taxonomies(const struct build *b)
{
	struct buf t = BUF_INIT;

	for (size_t k = 0; k < b->c->ntaxonomies; k++)
		buf_printf(&t, "%s\n", b->c->taxonomies[k]);
	buf_addch(&t, '\0');
	return t.buf;
}

/*
 * The set kept for B's site (taken: no other build uses it meanwhile),
 * and each page's entry in it (kept_at[i], SIZE_MAX for none), both in
 * path order.  Nothing for a one-shot process.
 */
void
kept_take(struct build *b)
{
	struct kept *k = NULL;
	char *key;
	size_t i = 0, j = 0, s, same = 0;

	if (!b->remember)
		return;
	key = kept_key(b);
	pthread_mutex_lock(&kept_mu);
	if ((s = kept_slot(key)) != SIZE_MAX) {
		k = xmalloc(sizeof(*k));
		*k = kept_slots[s];
		memset(&kept_slots[s], 0, sizeof(kept_slots[s]));
	}
	pthread_mutex_unlock(&kept_mu);
	free(key);
	b->kept = k;
	if (k && k->taxonomies) {
		char *names = kept_taxonomies(b);
		b->terms_ok = !strcmp(names, k->taxonomies);
		free(names);
	}
	b->kept_at = xcalloc(b->npages + 1, sizeof(*b->kept_at));
	for (size_t p = 0; p < b->npages; p++)
		b->kept_at[p] = SIZE_MAX;
	while (k && i < b->npages && j < k->n) {
		const char *a = b->pages[i].sp->path, *c = k->v[j].h.block;
		int r = a == c ? 0 : strcmp(a, c);
		if (r == 0) {
			b->kept_at[i++] = j++;
			same++;
		} else if (r < 0)
			i++;
		else
			j++;
	}
	/* every page the entry of its index: the set is updated in place */
	b->kept_in_place = k && k->n == b->npages && same == b->npages;
}

static bool kept_same(const struct kept_sum *e, const struct snap_page *sp);

/*
 * Insertion sort of V (N page indexes) by model_cmp_children, moving at
 * most BUDGET entries in all: false when that is not enough (then V is
 * sorted, in part, and qsort_r must finish it).  Two pages SAME (rows
 * of their kept entries: the fields compared are those the last build
 * sorted) stand in V in the last build's order, which no step of the
 * sort inverts: the first is known to come before, uncompared.
 */
static bool
insertion_sort(struct build *b, size_t *v, size_t n, size_t budget,
    const bool *same)
{
	for (size_t k = 1; k < n; k++) {
		size_t x = v[k], at = k;
		while (at > 0 && !(same[x] && same[v[at - 1]]) &&
		    model_cmp_children(&v[at - 1], &x, b) > 0) {
			if (budget-- == 0)
				return false;
			v[at] = v[at - 1];
			at--;
		}
		v[at] = x;
	}
	return true;
}

/*
 * The listing order of B's pages from the last build's: its pages that
 * are still there, in that order, then the new ones, sorted by insertion
 * (an edit moves a page or two; the sort's answer is the same, its order
 * being total).  When it would move many pages, the caller sorts anew.
 */
bool
kept_order(struct build *b)
{
	const struct kept *k = b->kept;
	size_t *at = NULL, n = 0;
	bool *seen, *same, ok;

	if (!k || !k->order)
		return false;
	at = xreallocarray(NULL, k->n + 1, sizeof(*at));
	for (size_t j = 0; j < k->n; j++)
		at[j] = SIZE_MAX;
	for (size_t i = 0; i < b->npages; i++)
		if (b->kept_at[i] != SIZE_MAX)
			at[b->kept_at[i]] = i;
	seen = xcalloc(b->npages + 1, sizeof(*seen));
	same = xcalloc(b->npages + 1, sizeof(*same));
	b->order = xcalloc(b->npages + 1, sizeof(*b->order));
	for (size_t o = 0; o < k->n; o++)
		if (at[k->order[o]] != SIZE_MAX) {
			size_t i = at[k->order[o]];
			b->order[n++] = i;
			seen[i] = true;
			same[i] = kept_same(&k->v[k->order[o]], b->pages[i].sp);
		}
	for (size_t i = 0; i < b->npages; i++)
		if (!seen[i])
			b->order[n++] = i;
	free(at);
	free(seen);
	ok = insertion_sort(b, b->order, b->npages, 8 * b->npages + 64, same);
	free(same);
	if (ok)
		return true;
	free(b->order);
	b->order = NULL;
	return false;
}

/* entry E was made from page row SP */
static bool
kept_same(const struct kept_sum *e, const struct snap_page *sp)
{
	return sp->path == e->h.block && sp->revision == e->revision &&
	    sp->date == e->date && sp->weight == e->weight &&
	    sp->last_published_at == e->last_published_at &&
	    /* without a summary its excerpt is from the body */
	    (sp->summary[0] || (sp->body && sp->body == e->h.body));
}

bool
kept_summary(struct build *b, size_t i)
{
	struct rpage *p = &b->pages[i];
	const struct kept_sum *e;

	if (!b->kept_at || b->kept_at[i] == SIZE_MAX)
		return false;
	e = &b->kept->v[b->kept_at[i]];
	if (!kept_same(e, p->sp)) {
		b->kept_at[i] = SIZE_MAX;	/* made anew: not kept */
		return false;
	}
	memcpy(p->sumhash, e->sumhash, sizeof(p->sumhash));
	p->excerpt = xstrdup(e->excerpt);
	p->lastmod = e->lastmod;
	atomic_fetch_add(&b->kept_hits, 1);
	return true;
}

/* page I's summary, made by this build, as a kept entry in E */
static void
kept_entry(struct build *b, size_t i, struct kept_sum *e)
{
	const struct rpage *p = &b->pages[i];
	struct snap_page row = *p->sp;

	/* with a summary its body is not what its excerpt is made from */
	if (row.summary[0])
		row.body = NULL;
	snapshot_hold(&row, &e->h);
	e->revision = p->sp->revision;
	e->date = p->sp->date;
	e->last_published_at = p->sp->last_published_at;
	e->weight = p->sp->weight;
	memcpy(e->sumhash, p->sumhash, sizeof(e->sumhash));
	e->excerpt = xstrdup(p->excerpt);
	e->lastmod = p->lastmod;
}

/*
 * Page X of this build has entry J's summary hash: its summary was taken
 * from that entry (kept_summary leaves kept_at[x] so only then: an index
 * compare, where the pages' hashes are a cache miss each), or the hashes
 * are equal.
 */
bool
kept_same_sum(const struct build *b, size_t x, size_t j)
{
	return b->kept_at[x] == j || memcmp(b->pages[x].sumhash,
	    b->kept->v[j].sumhash, 64) == 0;
}

/*
 * Page I's key material is entry E's: what page_key hashes besides the
 * row's own fields (kept_same: the same summary hash, slug, revision and
 * last publication) and the template (the page worker compares it):
 * its kind, first publication, the summary hashes of its ancestors and
 * of its children, in order.  A compare, not a hash.
 */
static bool
kept_same_material(const struct build *b, size_t i, const struct kept_sum *e)
{
	const struct kept *k = b->kept;
	const struct rpage *p = &b->pages[i];
	size_t a = p->parent, o = e->parent;

	if (!e->keys.n || e->kind != p->kind || e->nkids != p->nkids ||
	    e->first_published_at != p->sp->first_published_at)
		return false;
	for (; a != SIZE_MAX && o != SIZE_MAX; a = b->pages[a].parent,
	    o = k->v[o].parent)
		if (!kept_same_sum(b, a, o))
			return false;
	if (a != o)
		return false;	/* one chain is longer */
	for (size_t x = 0; x < p->nkids; x++)
		if (!kept_same_sum(b, p->kids[x], e->kids[x]))
			return false;
	return true;
}

/*
 * After the summaries: rpage.carry of each page whose row is its kept
 * entry's and whose key material is the same, so that its outputs'
 * keys (a function of that material, the template and the global
 * inputs, which the page worker and kept_carry_global check) are the
 * kept ones, not hashed again (decision 0380).
 */
void
kept_carry(struct build *b)
{
	if (!b->kept)
		return;
	for (size_t i = 0; i < b->npages; i++) {
		struct kept_sum *e;
		if (b->kept_at[i] == SIZE_MAX)
			continue;	/* no entry, or a changed row */
		e = &b->kept->v[b->kept_at[i]];
		if (kept_same_material(b, i, e)) {
			b->pages[i].carry = &e->keys;
			b->pages[i].carry_tname = e->tname;
		}
	}
}

/* the global inputs of the kept keys are B's (after pages_global_hash) */
void
kept_carry_global(struct build *b)
{
	const struct kept *k = b->kept;

	b->carry_ok = k && !b->full && k->page_size ==
	    b->c->build.page_size && k->unsafe_html ==
	    (b->c->build.unsafe_html != 0) && k->page_json ==
	    (b->c->build.page_json != 0) && memcmp(k->globhash, b->globhash,
	    64) == 0;
}

/*
 * The held keys of the kept set are in the standby's record: it is the
 * one they were recorded in by the build before last (its id, random
 * for every record saved, is the set's held_id), so each output of a
 * page carrying them is in the standby folder with its key, as
 * pages_reuse_output would find (decision 0430).
 */
void
kept_held(struct build *b)
{
	const struct kept *k = b->kept;

	b->held_ok = b->carry_ok && !b->preview && k->held_id[0] &&
	    strcmp(k->held_id, b->slot.standby_rec.id) == 0;
}

/*
 * The terms of page I's row as its kept entry has them: its row is the
 * entry's (kept_summary left kept_at[i]: the same string block, so the
 * same tags and front matter), and the taxonomies they were read for
 * are this build's (b->terms_ok, kept_take).
 */
const char *
kept_terms(const struct build *b, size_t i)
{
	if (!b->terms_ok || b->kept_at[i] == SIZE_MAX)
		return NULL;
	return b->kept->v[b->kept_at[i]].terms;
}

const struct kept_taxos *
kept_taxos_of(const struct build *b)
{
	return b->carry_ok ? b->kept->taxos : NULL;
}

/*
 * Entry E of page I for the next build: its place in the tree and its
 * outputs' keys, those of this build or (carried) the ones it holds.
 */
static void
kept_shape(struct build *b, size_t i, struct kept_sum *e)
{
	struct rpage *p = &b->pages[i];

	e->first_published_at = p->sp->first_published_at;
	e->kind = p->kind;
	e->parent = p->parent;
	if (!e->kids || e->nkids != p->nkids)
		e->kids = xreallocarray(e->kids, p->nkids + 1,
		    sizeof(*e->kids));
	if (p->nkids)
		memcpy(e->kids, p->kids, p->nkids * sizeof(*e->kids));
	e->nkids = p->nkids;
	if (p->keys.n) {
		pkeys_free(&e->keys);
		e->keys = p->keys;
		memset(&p->keys, 0, sizeof(p->keys));
		if (!e->tname || strcmp(e->tname, p->keys_tname) != 0) {
			free(e->tname);
			e->tname = xstrdup(p->keys_tname);
		}
	} else if (!p->carry)
		pkeys_free(&e->keys);
	else
		/* carried: the entry's keys are this build's, and were the
		   last build's, recorded in its record (next.held_id) */
		e->keys.held = true;
	if (p->terms) {
		/* made by this build (a new row, or other taxonomies) */
		free(e->terms);
		e->terms = p->terms;
		p->terms = NULL;
	} else if (!p->terms_at) {
		/* none collected (a build without taxonomies) */
		free(e->terms);
		e->terms = NULL;
	}
}

/*
 * Keep the summaries and keys of B's pages for the next build (after its
 * last page output): the entries still true move over, the others are
 * made from this build; the taken set's remaining entries are dropped.
 */
void
kept_put(struct build *b)
{
	struct kept *old = b->kept, next = { 0 };
	size_t use;

	if (!b->kept_at)
		return;
	next.key = kept_key(b);
	next.n = b->npages;
	next.order = b->order;	/* nothing reads it after the outputs */
	b->order = NULL;
	if (b->kept_in_place) {
		/* the same paths: entry i is page i's, or made anew */
		next.v = old->v;
		old->v = NULL;
		old->n = 0;
	} else
		next.v = xcalloc(b->npages + 1, sizeof(*next.v));
	for (size_t i = 0; i < b->npages; i++) {
		if (b->kept_in_place) {
			if (b->kept_at[i] == SIZE_MAX) {
				kept_sum_clear(&next.v[i]);
				kept_entry(b, i, &next.v[i]);
			}
		} else if (b->kept_at[i] != SIZE_MAX) {
			next.v[i] = old->v[b->kept_at[i]];
			memset(&old->v[b->kept_at[i]], 0, sizeof(*old->v));
		} else
			kept_entry(b, i, &next.v[i]);
		kept_shape(b, i, &next.v[i]);
	}
	memcpy(next.globhash, b->globhash, sizeof(next.globhash));
	next.page_size = b->c->build.page_size;
	next.unsafe_html = b->c->build.unsafe_html != 0;
	next.page_json = b->c->build.page_json != 0;
	next.taxos = b->taxo_keys;
	b->taxo_keys = NULL;
	memcpy(next.rec_id, b->rec_id, sizeof(next.rec_id));
	next.taxonomies = kept_taxonomies(b);
	if (old)
		memcpy(next.held_id, old->rec_id, sizeof(next.held_id));
	kept_free(old);
	b->res->summaries_kept = atomic_load(&b->kept_hits);
	b->res->pages_carried = atomic_load(&b->carried);
	b->res->terms_carried = atomic_load(&b->terms_carried);
	b->res->outputs_held = atomic_load(&b->held);
	b->kept = NULL;
	free(b->kept_at);
	b->kept_at = NULL;
	pthread_mutex_lock(&kept_mu);
	/* the site's slot, else an empty one, else the older */
	if ((use = kept_slot(next.key)) == SIZE_MAX)
		use = kept_slot(NULL);
	old = xmalloc(sizeof(*old));
	*old = kept_slots[use];
	next.age = ++kept_clock;
	kept_slots[use] = next;
	pthread_mutex_unlock(&kept_mu);
	if (old->key)
		kept_free(old);
	else
		free(old);
}

/* the set B took and did not put back (a build that failed early) */
void
kept_drop(struct build *b)
{
	/* the terms a failed build made (kept_put takes them all) */
	for (size_t i = 0; b->kept_at && i < b->npages; i++)
		free(b->pages[i].terms);
	kept_free(b->kept);
	b->kept = NULL;
	free(b->kept_at);
	b->kept_at = NULL;
}
