/* SPDX-License-Identifier: ISC */
/*
 * import_conf.c: kiln.yaml settings taken over from a Hugo site's
 * config (import.h, decision 0190).
 *
 * The config's title, baseURL, languageCode and taxonomies become
 * site.title, site.base_url, site.language and taxonomies, but only
 * where kiln.yaml still says what `kiln init` wrote: the exact line of
 * the default (`  title: "My kiln site"`), or no taxonomies key at all.
 * A value the user set is never overwritten; the import says which
 * Hugo value it left out and the line to write instead.  The file is
 * edited line by line (its comments and order stay) and written
 * atomically; a dry run only reports.
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/limits.h"
#include "common/xmalloc.h"
#include "import/import_int.h"

/* a setting taken over: Hugo key, kiln key, kiln.yaml's line for it */
struct take {
	const char *hugo;
	const char *kiln;
	const char *indent_key;		/* "  title" */
	const char *init_line;		/* what kiln init wrote */
};

static const struct take takes[] = {
	{ "title", "site.title", "  title", "  title: \"My kiln site\"" },
	{ "baseURL", "site.base_url", "  base_url",
	    "  base_url: \"http://127.0.0.1:8080\"" },
	{ "languageCode", "site.language", "  language", "  language: en" },
};

/* the index of the line of TEXT (LEN bytes) that is exactly LINE, or -1 */
static long
line_at(const char *text, size_t len, const char *line)
{
	size_t n = strlen(line);
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (ll == n && !memcmp(s, line, n))
			return (long)(s - text);
		s = nl ? nl + 1 : end;
	}
	return -1;
}

/* TEXT with the line at offset AT (LEN bytes) replaced by WITH */
static void
replace_line(struct buf *text, long at, size_t len, const char *with)
{
	struct buf out = BUF_INIT;

	buf_add(&out, text->buf, (size_t)at);
	buf_adds(&out, with);
	buf_add(&out, text->buf + at + len, text->len - (size_t)at - len);
	buf_reset(text);
	buf_add(text, out.buf, out.len);
	buf_release(&out);
}

/* the value of Hugo key TK->hugo as kiln.yaml wants it, or NULL */
static char *
take_value(json_t *cfg, const struct take *tk, struct import_report *r,
    const char *config)
{
	const char *v = json_string_value(import_cfg_get(cfg, tk->hugo));
	size_t n;

	if (!v || !*v)
		return NULL;
	n = strlen(v);
	if (!strcmp(tk->hugo, "baseURL")) {
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
			import_note(r, "warning", config, 0, NULL, "baseURL "
			    "'%s' is not an http(s) URL: set site.base_url in "
			    "kiln.yaml yourself", v);
			return NULL;
		}
		while (n > 8 && v[n - 1] == '/')
			n--;
	}
	return xstrndup(v, n);
}

/* one setting TK into TEXT, if kiln.yaml still has kiln init's default */
static bool
take_one(json_t *cfg, const struct take *tk, struct buf *text,
    const struct import_opts *o, struct import_report *r, const char *config)
{
	char *v = take_value(cfg, tk, r, config), *q, *line, *plain;
	long at;
	bool changed = false;

	json_t *js;

	if (!v)
		return false;
	if (!(js = json_string(v))) {
		free(v);
		return false;
	}
	q = json_dumps(js, JSON_ENCODE_ANY);
	json_decref(js);
	line = xasprintf("%s: %s", tk->indent_key, q);
	plain = xasprintf("%s: %s", tk->indent_key, v);
	if (line_at(text->buf, text->len, line) >= 0 ||
	    !strcmp(plain, tk->init_line))
		;	/* taken over already, or the same as kiln's default */
	else if ((at = line_at(text->buf, text->len, tk->init_line)) >= 0) {
		replace_line(text, at, strlen(tk->init_line), line);
		import_note(r, "info", NULL, 0, NULL, "kiln.yaml: %s %s %s "
		    "(the Hugo config's %s)", tk->kiln, o->dry_run ?
		    "would be set to" : "set to", q, tk->hugo);
		changed = true;
	} else
		import_note(r, "info", NULL, 0, NULL, "kiln.yaml: %s kept as "
		    "you set it; the Hugo config's %s is %s", tk->kiln,
		    tk->hugo, q);
	free(q);
	free(line);
	free(plain);
	free(v);
	return changed;
}

/* a taxonomy name kiln.yaml accepts (conf_keys.c: check_taxonomies) */
static bool
taxonomy_ok(const char *t)
{
	return *t && strlen(t) <= 64 && t[0] != '-' && t[0] != '_' &&
	    strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(t);
}

/* "taxonomies: [a, b]" of the config's taxonomies, or NULL for Hugo's
   default (tags and categories) or none given */
static char *
taxonomies_line(json_t *cfg, struct import_report *r, const char *config)
{
	json_t *tx = import_cfg_get(cfg, "taxonomies"), *v;
	struct buf line = BUF_INIT;
	const char *k;
	size_t n = 0;

	if (!json_is_object(tx))
		return NULL;
	buf_adds(&line, "taxonomies: [");
	json_object_foreach(tx, k, v) {
		const char *t = json_string_value(v);
		if (!t || !taxonomy_ok(t)) {
			import_note(r, "warning", config, 0, NULL, "taxonomy "
			    "'%s' is not a lowercase name (letters, digits, "
			    "'-', '_'): not taken over", t ? t : k);
			continue;
		}
		buf_printf(&line, "%s%s", n++ ? ", " : "", t);
	}
	buf_addch(&line, ']');
	if (!strcmp(line.buf, "taxonomies: [tags, categories]")) {
		buf_release(&line);
		return NULL;
	}
	return buf_detach(&line, NULL);
}

/* the config's taxonomies into TEXT when kiln.yaml has no taxonomies */
static bool
take_taxonomies(json_t *cfg, struct buf *text, const struct import_opts *o,
    struct import_report *r, const char *config)
{
	char *line = taxonomies_line(cfg, r, config);
	bool changed = false;

	if (!line)
		return false;
	if (line_at(text->buf, text->len, line) >= 0)
		;	/* taken over already */
	else if (!strncmp(text->buf, "taxonomies:", 11) ||
	    strstr(text->buf, "\ntaxonomies:"))
		import_note(r, "info", NULL, 0, NULL, "kiln.yaml: taxonomies "
		    "kept as you set them; the Hugo config's would be `%s`",
		    line);
	else {
		if (text->len && text->buf[text->len - 1] != '\n')
			buf_addch(text, '\n');
		buf_printf(text, "\n# The taxonomies of the Hugo site (kiln "
		    "import): /NAME/ and /NAME/TERM/ listings.\n%s\n", line);
		import_note(r, "info", NULL, 0, NULL, "kiln.yaml: %s `%s` "
		    "(the Hugo config's taxonomies)", o->dry_run ?
		    "would add" : "added", line);
		changed = true;
	}
	free(line);
	return changed;
}

int
import_conf_take(const struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err)
{
	struct buf text = BUF_INIT;
	bool changed = false;
	int rc = 0;

	if (!t->config || !o->conf_file)
		return 0;
	if (file_read(o->conf_file, &text, LIMIT_CONFIG_FILE, err) == -1)
		return -1;
	if (!text.buf)
		buf_adds(&text, "");
	for (size_t k = 0; k < NELEM(takes); k++)
		changed |= take_one(t->cfg, &takes[k], &text, o, r, t->config);
	changed |= take_taxonomies(t->cfg, &text, o, r, t->config);
	if (changed && !o->dry_run)
		rc = file_write_atomic(o->conf_file, text.buf, text.len, err);
	buf_release(&text);
	return rc;
}
