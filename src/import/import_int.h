/* SPDX-License-Identifier: ISC */
/* import_int.h: shared between the files of src/import/ */
#ifndef KILN_IMPORT_INT_H
#define KILN_IMPORT_INT_H

#include <jansson.h>
#include <sys/stat.h>

#include "import/import.h"

struct buf;

/* one resource of a page bundle */
struct iresource {
	char *file;		/* on disk */
	char *rel;		/* relative to the bundle folder: "img/a.png" */
	char *name;		/* media name it gets */
	char sha256[65];
	int64_t sig[5];		/* its stat when listed (import_fast_sig) */
};

struct ipage {
	char *file;		/* on disk, as shown in messages */
	char *rel;		/* relative to content/ */
	char *dir;		/* its folder, relative to content/ ("") */
	bool leaf, branch;	/* index.md / _index.md */
	char *path;		/* page path (canonical), NULL if failed */
	struct buf *text;	/* the file's bytes */
	json_t *meta, *lines;	/* front matter keys and their lines */
	size_t body_off;
	int body_line;
	struct iresource *res;
	size_t nres, ares;
	bool failed;
	bool drop;		/* not a page after all (import_tree.c) */
	int64_t sig[5];		/* its stat when listed (import_fast_sig) */
	char fp[65];		/* its stat fingerprint (import_fast.c) */
	bool fp_ok;		/* fp is set and may be trusted */
	bool same;		/* fp is its record's: not read */
	json_t *notes;		/* what reading it reported (its record) */
};

struct itree {
	char *root;		/* as given */
	char *content;		/* the content folder */
	char *static_src;	/* the site's static/, or NULL */
	char *config;		/* the site's config file, or NULL */
	json_t *cfg;		/* its keys (object, never NULL) */
	bool lower;		/* lowercase paths (no disablePathToLower) */
	struct ipage *pages;
	size_t npages, apages;
	json_t *leafdirs, *branchdirs;	/* folder -> page index */
};

/* an item in the report; FILE may be NULL, LINE 0 */
void import_note(struct import_report *r, const char *action,
    const char *file, int line, const char *page, const char *fmt, ...)
    PRINTF_LIKE(6, 7);

/* find the content tree, config and static folder; list the files */
int import_tree_load(struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err);

/* what a re-import knows of the files it imported before */
struct ifast {
	json_t *idx;		/* fingerprint -> page path */
	json_t *recs;		/* page path -> import record (its text) */
	json_t *pages;		/* the store's pages: path -> any */
	json_t *by_sha;		/* the media store: SHA-256 -> name */
	char ctx[65];		/* import_fast_context() */
	int64_t began;		/* when the import began (ns) */
};
/*
 * Read every page of T (its front matter and its path, failures
 * reported), but for the pages FAST says are unchanged: those get
 * their path from it, unread, and are marked same.
 */
void import_tree_read(struct itree *t, const struct import_opts *o,
    const struct ifast *fast, struct import_report *r);

/* import_fast.c: skipping an unchanged file unread (decision 0300) */
int64_t import_fast_now(void);
/* what, besides its files, shapes every page of T imported from ROOT */
void import_fast_context(const struct itree *t, const struct import_opts *o,
    const char *root, char out[65]);
/* device, inode, size, mtime and ctime (ns) of stat SB */
void import_fast_sig(const struct stat *sb, int64_t sig[5]);
/* P's fp and fp_ok from the stat of its file and resources (sig) */
void import_fast_fingerprint(struct ipage *p, const char *ctx,
    int64_t began);
/* the records' fingerprints: fingerprint -> page path; new reference */
json_t *import_fast_index(json_t *recs);
/* the path of P's page when P's fp is its record's, else NULL */
const char *import_fast_match(const struct ipage *p,
    const struct ifast *fast);
/* PATH's record in RECS, parsed there now if it was text; borrowed */
json_t *import_fast_rec(json_t *recs, const char *path);
/* PATH's record's revision (0 if none), its text left unparsed */
int64_t import_fast_revision(json_t *recs, const char *path);
/* PATH's record's notes KEY ("read", "fields"), or NULL; borrowed */
json_t *import_fast_notes_of(json_t *recs, const char *path,
    const char *key);
/* the notes NOTES into R again, warnings counted */
void import_fast_replay(struct import_report *r, json_t *notes);
/* R's items from index FROM on; new reference */
json_t *import_fast_notes(const struct import_report *r, size_t from);

void import_tree_release(struct itree *t);
/*
 * import_conf.c: the Hugo config's title, baseURL, languageCode and
 * taxonomies into o->conf_file where it still has kiln init's defaults;
 * each change, or value left out, reported.  0, or -1 with err.
 */
int import_conf_take(const struct itree *t, const struct import_opts *o,
    struct import_report *r, struct buf *err);
/* a Hugo date: ISO 8601, or Go's "2006-01-02 15:04:05 -0700"; 0 or -1 */
int import_hugo_date(const char *s, int64_t *t);
/*
 * import_permalink.c: the path of page P from the config's permalinks
 * pattern for its section (":year/:month/:slug"), in out; 1 when one
 * applies, 0 when none does, -1 reported in r (the caller falls back).
 */
int import_permalink(const struct itree *t, const struct ipage *p,
    struct import_report *r, struct buf *out);
/* a config key, case-insensitively as Hugo reads them; borrowed */
json_t *import_cfg_get(json_t *cfg, const char *key);

/* the line of front matter key KEY in P's file (1 if unknown) */
int import_key_line(const struct ipage *p, const char *key);

#endif
