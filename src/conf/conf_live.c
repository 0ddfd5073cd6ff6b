/* SPDX-License-Identifier: ISC */
/*
 * conf_live.c: see conf_live.h.  The holder is a short list of confs,
 * each with a reference count; the current one also holds a reference of
 * its own, dropped when it is replaced.  A mutex guards the list: taking
 * and giving back a reference are a few instructions under it, done once
 * per build or scheduler tick, never per request.
 */
#include "common/compat.h"

#include <pthread.h>

#include <libfyaml.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_live.h"

struct live_entry {
	struct conf *c;
	uint64_t gen;
	unsigned refs;
	struct live_entry *next;
};

struct conf_live {
	pthread_mutex_t mu;
	struct live_entry *cur;		/* also the head of the list */
	uint64_t gen;
};

struct conf_live *
conf_live_new(struct conf *c)
{
	struct conf_live *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->mu, NULL);
	l->cur = xcalloc(1, sizeof(*l->cur));
	l->cur->c = c;
	l->cur->gen = l->gen = 1;
	l->cur->refs = 1;
	return l;
}

const struct conf *
conf_live_get(struct conf_live *l, uint64_t *gen)
{
	const struct conf *c;

	pthread_mutex_lock(&l->mu);
	l->cur->refs++;
	c = l->cur->c;
	if (gen)
		*gen = l->cur->gen;
	pthread_mutex_unlock(&l->mu);
	return c;
}

/* drop a reference of E (under the lock); free it at zero */
static void
unref(struct conf_live *l, struct live_entry *e)
{
	struct live_entry **pp;

	if (--e->refs > 0)
		return;
	for (pp = &l->cur; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	conf_free(e->c);
	free(e);
}

void
conf_live_put(struct conf_live *l, const struct conf *c)
{
	struct live_entry *e;

	if (!c)
		return;
	pthread_mutex_lock(&l->mu);
	for (e = l->cur; e; e = e->next)
		if (e->c == c) {
			unref(l, e);
			break;
		}
	pthread_mutex_unlock(&l->mu);
}

uint64_t
conf_live_set(struct conf_live *l, struct conf *c)
{
	struct live_entry *e = xcalloc(1, sizeof(*e)), *old;
	uint64_t gen;

	e->c = c;
	e->refs = 1;
	pthread_mutex_lock(&l->mu);
	e->gen = gen = ++l->gen;
	old = l->cur;
	e->next = old;
	l->cur = e;
	unref(l, old);		/* the holder's own reference */
	pthread_mutex_unlock(&l->mu);
	return gen;
}

void
conf_live_free(struct conf_live *l)
{
	struct live_entry *e, *next;

	if (!l)
		return;
	for (e = l->cur; e; e = next) {
		next = e->next;
		conf_free(e->c);
		free(e);
	}
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* a document, or NULL; errors are collected (and dropped), not printed */
static struct fy_document *
parse(const char *yaml, size_t len)
{
	struct fy_parse_cfg cfg;
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag;
	struct fy_document *doc;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	dcfg.colorize = false;
	if (!(diag = fy_diag_create(&dcfg)))
		return NULL;
	fy_diag_set_collect_errors(diag, true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	cfg.diag = diag;
	doc = fy_document_build_from_string(&cfg, yaml, len);
	fy_diag_destroy(diag);
	return doc;
}

/* KEY's value in mapping ROOT, or NULL */
static struct fy_node *
value_of(struct fy_node *root, struct fy_node *key)
{
	const char *k;
	size_t n;

	if (!root || fy_node_get_type(root) != FYNT_MAPPING ||
	    !(k = fy_node_get_scalar(key, &n)))
		return NULL;
	return fy_node_mapping_lookup_value_by_string(root, k, n);
}

/* the keys of A that B lacks or holds another value for */
static void
differ(struct fy_node *a, struct fy_node *b, bool only_missing,
    struct buf *out)
{
	struct fy_node_pair *p;
	void *it = NULL;
	const char *k;
	size_t n;

	if (!a || fy_node_get_type(a) != FYNT_MAPPING)
		return;
	while ((p = fy_node_mapping_iterate(a, &it))) {
		struct fy_node *other = value_of(b, fy_node_pair_key(p));
		if (!(k = fy_node_get_scalar(fy_node_pair_key(p), &n)))
			continue;
		if (other ? only_missing || fy_node_compare(
		    fy_node_pair_value(p), other) : false)
			continue;
		buf_printf(out, "%s%.*s", out->len ? ", " : "", (int)n, k);
	}
}

int
conf_changed_keys(const char *old_yaml, size_t oldlen, const char *new_yaml,
    size_t newlen, struct buf *out)
{
	struct fy_document *a = parse(old_yaml, oldlen);
	struct fy_document *b = parse(new_yaml, newlen);
	int rc = -1;

	if (a && b) {
		differ(fy_document_root(b), fy_document_root(a), false, out);
		differ(fy_document_root(a), fy_document_root(b), true, out);
		rc = 0;
	}
	fy_document_destroy(a);
	fy_document_destroy(b);
	return rc;
}
