/* SPDX-License-Identifier: ISC */
/*
 * render_menu.c: the site's menus from the pages' front matter
 * (render_int.h).
 *
 * Hugo's `menu` front matter, kept by kiln import in params.menu, in any
 * of its forms:
 *
 *   menu: main                      the page in menu "main"
 *   menu: [main, footer]            in both
 *   menu: {main: {name: Setup, weight: 5, parent: Docs, identifier: s}}
 *
 * gives site.menus.NAME: a list of entries {name, url, weight,
 * identifier, parent, children, has_children}, children under the entry
 * whose identifier (default: its name) is their parent, each list sorted
 * by weight (weighted entries before unweighted ones, as in Hugo), then
 * name, then URL.  An entry whose parent no entry has stays at the top.
 * name defaults to the page's title, weight to the page's weight.
 */
#include "common/compat.h"

#include "common/xmalloc.h"
#include "render/render_int.h"

static int
cmp_entry(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t wa = json_integer_value(json_object_get(a, "weight"));
	json_int_t wb = json_integer_value(json_object_get(b, "weight"));
	int r;

	if (wa != wb) {
		if (!wa || !wb)
			return wa ? -1 : 1;
		return wa < wb ? -1 : 1;
	}
	if ((r = strcmp(json_string_value(json_object_get(a, "name")),
	    json_string_value(json_object_get(b, "name")))) != 0)
		return r;
	return strcmp(json_string_value(json_object_get(a, "url")),
	    json_string_value(json_object_get(b, "url")));
}

/* ARR sorted with cmp_entry, and every children list below it */
static void
sort_entries(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = xcalloc(n + 1, sizeof(*v));

	for (size_t k = 0; k < n; k++) {
		v[k] = json_incref(json_array_get(arr, k));
		sort_entries(json_object_get(v[k], "children"));
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	json_array_clear(arr);
	for (size_t k = 0; k < n; k++)
		json_array_append_new(arr, v[k]);
	free(v);
}

/* page I's entry in a menu, from SPEC (an object, or NULL) */
static json_t *
menu_entry(struct build *b, size_t i, json_t *spec)
{
	const struct rpage *p = &b->pages[i];
	const char *name = json_string_value(json_object_get(spec, "name"));
	const char *parent = json_string_value(json_object_get(spec,
	    "parent"));
	const char *ident = json_string_value(json_object_get(spec,
	    "identifier"));
	json_t *w = json_object_get(spec, "weight");

	if (!name || !*name)
		name = p->sp->title;
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:[], s:b}", "name", name,
	    "url", p->url, "weight", json_is_integer(w) ?
	    json_integer_value(w) : (json_int_t)p->sp->weight, "identifier",
	    ident && *ident ? ident : name, "parent", parent ? parent : "",
	    "children", "has_children", 0);
}

/* page I's entries into MENUS (NAME -> flat list) */
static void
page_menus(struct build *b, size_t i, json_t *menus)
{
	json_t *m = json_object_get(snapshot_extra(&b->snap, i), "menu"), *v;
	const char *name;
	size_t k;

	if (json_is_string(m))
		m = json_pack("{s:n}", json_string_value(m));
	else if (json_is_array(m)) {
		json_t *o = json_object();
		json_array_foreach(m, k, v)
			if (json_is_string(v))
				json_object_set_new(o, json_string_value(v),
				    json_null());
		m = o;
	} else if (json_is_object(m))
		json_incref(m);
	else
		return;
	json_object_foreach(m, name, v) {
		json_t *list = json_object_get(menus, name);
		if (!list) {
			list = json_array();
			json_object_set_new(menus, name, list);
		}
		json_array_append_new(list, menu_entry(b, i,
		    json_is_object(v) ? v : NULL));
	}
	json_decref(m);
}

/* the index of the entry of FLAT that entry K names as parent */
static size_t
parent_of(json_t *flat, size_t k)
{
	const char *parent = json_string_value(json_object_get(
	    json_array_get(flat, k), "parent"));
	json_t *f;
	size_t j;

	if (!*parent)
		return SIZE_MAX;
	json_array_foreach(flat, j, f)
		if (j != k && !strcmp(parent, json_string_value(
		    json_object_get(f, "identifier"))))
			return j;
	return SIZE_MAX;
}

/*
 * The flat list FLAT as a tree: entries moved under their parents; one
 * whose chain of parents comes back to itself stays at the top.
 */
static json_t *
menu_tree(json_t *flat)
{
	size_t n = json_array_size(flat), *up = xcalloc(n + 1, sizeof(*up));
	json_t *top = json_array();

	for (size_t k = 0; k < n; k++)
		up[k] = parent_of(flat, k);
	for (size_t k = 0; k < n; k++) {
		json_t *e = json_array_get(flat, k), *under;
		size_t a = up[k], steps = 0;
		while (a != SIZE_MAX && a != k && steps++ < n)
			a = up[a];
		if (up[k] == SIZE_MAX || a == k || steps > n) {
			json_array_append(top, e);
			continue;
		}
		under = json_array_get(flat, up[k]);
		json_array_append(json_object_get(under, "children"), e);
		json_object_set_new(under, "has_children", json_true());
	}
	free(up);
	sort_entries(top);
	return top;
}

json_t *
menus_json(struct build *b)
{
	json_t *flat = json_object(), *menus = json_object(), *v;
	const char *name;

	for (size_t i = 0; i < b->npages; i++)
		page_menus(b, i, flat);
	json_object_foreach(flat, name, v)
		json_object_set_new(menus, name, menu_tree(v));
	json_decref(flat);
	return menus;
}
