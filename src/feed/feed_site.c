/* SPDX-License-Identifier: ISC */
/*
 * feed_site.c: the site's own pages over its units (docs/units.md).
 * After a unit version completes, the feeder keeps one page per unit at
 * PREFIX/ID in the site's store, published, whose params.unit holds the
 * latest version and every complete version with its URL; the section
 * PREFIX lists them.  Templates reach them as any page: a collection
 * over the section is the latest version of each unit, a unit's page
 * has all its versions.  Publishing requests the site's build through
 * the normal coalescing queue.
 */
#include "common/compat.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "feed/feed.h"
#include "store/store.h"
#include "store/store_unit.h"

#define FEED_ACTOR "feed"

/* create PATH with F, or edit it; then publish it */
static int
put_page(struct store *st, const char *path, const struct page_fields *f,
    struct buf *err)
{
	struct page_info p;
	int r = store_page_get(st, path, &p, err);

	if (r == -1)
		return -1;
	if (r == 0) {
		page_info_release(&p);
		r = store_page_edit(st, path, f, FEED_ACTOR, err);
	} else
		r = store_page_create(st, path, f, FEED_ACTOR, NULL, err);
	if (r == -1)
		return -1;
	return store_page_publish(st, path, 0, FEED_ACTOR, err);
}

/* every folder of PREFIX ("a/b/") as a page, if missing */
static int
put_sections(struct store *st, const char *prefix, struct buf *err)
{
	struct buf path = BUF_INIT;
	const char *p = prefix, *slash;
	int rc = 0;

	while (rc == 0 && (slash = strchr(p, '/'))) {
		struct page_info pi;
		struct page_fields f;
		int r;

		buf_add(&path, p, (size_t)(slash - p));
		if ((r = store_page_get(st, path.buf, &pi, err)) == 0)
			page_info_release(&pi);
		else if (r == -1)
			rc = -1;
		else {
			memset(&f, 0, sizeof(f));
			f.title = "Units";
			rc = put_page(st, path.buf, &f, err);
			/* another unit's thread made it meanwhile */
			if (rc == -1 && store_page_get(st, path.buf, &pi,
			    err) == 0) {
				page_info_release(&pi);
				buf_reset(err);
				rc = 0;
			}
		}
		buf_addch(&path, '/');
		p = slash + 1;
	}
	buf_release(&path);
	return rc;
}

int
feed_site_unit(const struct conf *c, struct store *st, const char *unit,
    struct buf *err)
{
	struct page_fields f;
	json_t *versions = NULL, *v, *extra;
	char *path, ts[32];
	size_t i;
	int rc = -1;

	if (store_unit_versions(st, unit, &versions, err) == -1)
		return -1;
	json_array_foreach(versions, i, v) {
		char *url = xasprintf("/%s%s/%s/", c->feed.prefix, unit,
		    json_string_value(json_object_get(v, "version")));
		time_format_iso8601(json_integer_value(json_object_get(v,
		    "at")), ts, sizeof(ts));
		json_object_set_new(v, "url", json_string(url));
		json_object_set_new(v, "completed", json_string(ts));
		json_object_del(v, "at");
		free(url);
	}
	extra = json_pack("{s:{s:s, s:O, s:O}}", "unit", "id", unit, "latest",
	    json_array_size(versions) ? json_array_get(versions,
	    json_array_size(versions) - 1) : json_null(), "versions",
	    versions);
	memset(&f, 0, sizeof(f));
	f.title = unit;
	f.extra = extra;
	path = xasprintf("%s%s", c->feed.prefix, unit);
	if (put_sections(st, c->feed.prefix, err) == 0 &&
	    put_page(st, path, &f, err) == 0)
		rc = 0;
	free(path);
	json_decref(extra);
	json_decref(versions);
	return rc;
}
