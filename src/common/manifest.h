/* SPDX-License-Identifier: ISC */
/*
 * manifest.h: the build manifest, the contract between the renderer (or
 * an external build command), the deployer and history.
 *
 * A build's output folder OUT holds the site's files and OUT/.kiln/
 * manifest.json, which lists every file of the site except itself:
 *
 *   {"version": 1, "build": "42", "generated": "2026-11-24T14:50:55Z",
 *    "files": [{"path": "css/site.3fa9c1e2.css", "sha256": "<64 hex>",
 *               "size": 1234, "content_type": "text/css; charset=utf-8",
 *               "cache_control": "public, max-age=31536000, immutable",
 *               "immutable": true, "kind": "asset"}, ...]}
 *
 * A redirect page (a page's alias at an old URL) also has
 * "redirect": "/new/url/", the site path it redirects to.
 *
 * "files" is sorted by path (bytewise); paths are relative, canonical
 * (path_clean_rel) and unique.  kind is one of "html" (pages, 404),
 * "feed" (Atom, sitemap, robots.txt, per-page JSON), "asset"
 * (fingerprinted static file), "media" (content-addressed upload) or
 * "other" (anything else, e.g. from an external build command).
 * immutable is true exactly for files whose name carries their content
 * hash: the deployer writes them create-if-absent and never overwrites
 * them.  The deployer keeps what a destination holds in the store (as
 * rows) and puts the manifest into it in shards (decision 0370):
 * <prefix>.kiln/manifest/XX.json (below) and the head
 * <prefix>.kiln/manifest.json, version 2, naming every shard by its
 * SHA-256 (src/deploy/deploy_manifest.c).
 */
#ifndef KILN_MANIFEST_H
#define KILN_MANIFEST_H

struct buf;

#define MANIFEST_PATH ".kiln/manifest.json"

enum manifest_kind { MK_HTML, MK_FEED, MK_ASSET, MK_MEDIA, MK_OTHER };

struct manifest_entry {
	char *path;
	char sha256[65];
	int64_t size;
	char *content_type;
	char *cache_control;
	bool immutable;
	enum manifest_kind kind;
	char *redirect;		/* "/new/" for a redirect page (an alias):
				   sent as x-amz-website-redirect-location
				   by S3 targets; NULL for none */
};

struct manifest {
	char *build;			/* build id, may be "" */
	char *generated;		/* ISO 8601, may be "" */
	struct manifest_entry *files;	/* sorted by path after sort/parse */
	size_t nfiles;
	size_t alloc;
};

void manifest_init(struct manifest *m);
void manifest_release(struct manifest *m);
/*
 * Append an entry (strings copied).  Returns the new entry.  Call
 * manifest_sort() before writing or looking up.
 */
struct manifest_entry *manifest_add(struct manifest *m, const char *path,
    const char *sha256, int64_t size, const char *content_type,
    const char *cache_control, bool immutable, enum manifest_kind kind);
/* entry E's redirect (a site path starting with '/'; NULL: none) */
void manifest_set_redirect(struct manifest_entry *e, const char *redirect);
/* a copy of entry E (from another manifest) appended to M */
struct manifest_entry *manifest_add_copy(struct manifest *m,
    const struct manifest_entry *e);
/* REDIRECT is a path a redirect may name: '/' then printable ASCII, not
   "//" (another host) */
bool manifest_redirect_valid(const char *redirect);
/* sort by path; -1 with err if two entries share a path */
int manifest_sort(struct manifest *m, struct buf *err);
/* binary search by path; NULL if absent (m must be sorted) */
const struct manifest_entry *manifest_find(const struct manifest *m,
    const char *path);
/* serialise (deterministic: stable key order, sorted files) */
void manifest_to_json(const struct manifest *m, struct buf *out);
/*
 * The same text in pieces, for a writer that holds its entries
 * elsewhere: the head, each entry in path order (FIRST for the first),
 * the tail.
 */
void manifest_json_head(struct buf *out, const char *build,
    const char *generated);
void manifest_json_entry(struct buf *out, bool first,
    const struct manifest_entry *e);
void manifest_json_tail(struct buf *out);
/* S as a JSON string, quotes included */
void manifest_json_string(struct buf *out, const char *s);
/* parse and validate; -1 with err (naming the field) on bad input */
int manifest_parse(const char *json, size_t len, struct manifest *m,
    struct buf *err);
/*
 * manifest_parse's two ways (decision 0220): the fast path reads only the
 * exact text manifest_to_json writes (ASCII strings without escapes),
 * with the same checks, and gives -1 for anything else; the jansson
 * parser reads any JSON and names what is wrong.  manifest_parse tries
 * the first, then the second.
 */
int manifest_parse_fast(const char *json, size_t len, struct manifest *m);
int manifest_parse_json(const char *json, size_t len, struct manifest *m,
    struct buf *err);
/* manifest_parse of FILE's text */
int manifest_load(const char *file, struct manifest *m, struct buf *err);
/* deep copy of SRC into DST (initialised by the call) */
void manifest_copy(struct manifest *dst, const struct manifest *src);
/* write OUT/.kiln/manifest.json atomically */
int manifest_save(const struct manifest *m, const char *outdir,
    struct buf *err);
/*
 * Append the site URL path of the file at PATH to out: "/a/b/" for
 * "a/b/index.html", "/" for "index.html", "/a/b.html" for "a/b.html".
 */
void manifest_page_url(const char *path, struct buf *out);
const char *manifest_kind_name(enum manifest_kind k);
int manifest_kind_parse(const char *s, enum manifest_kind *k);
/*
 * The manifest in shards (manifest_shard.c; decisions 0320, 0370): the
 * entries whose path's FNV-1a hash is S modulo MANIFEST_SHARDS make
 * shard S, a manifest with an empty build and time, in path order.  The
 * count is part of the layout (history's trees, the buckets' objects).
 */
#define MANIFEST_SHARDS	256

/* PATH's shard, 0..MANIFEST_SHARDS-1 */
unsigned manifest_shard(const char *path);
/*
 * M's entries split by shard, each in path order: shard S's are
 * SH->e[SH->at[S] .. SH->at[S + 1]) (shallow copies; free(SH->e))
 */
struct manifest_shards {
	struct manifest_entry *e;
	size_t at[MANIFEST_SHARDS + 1];
};
void manifest_shards_split(const struct manifest *m,
    struct manifest_shards *sh);
/* the text of a shard holding the N entries E (path order) */
void manifest_shard_json(struct buf *out, const struct manifest_entry *e,
    size_t n);
/*
 * The build and time of the manifest TEXT when it starts as
 * manifest_to_json writes it (*build and *generated allocated): 0, or
 * -1 when it does not.
 */
int manifest_text_head(const char *text, size_t len, char **build,
    char **generated);
/*
 * The shards S with WANT[S] of the manifest TEXT, without parsing it:
 * when TEXT is exactly as manifest_to_json writes it (no escapes in
 * paths) and each shard given parses (manifest_parse_fast), OUT[S]
 * gets the shard's text (manifest_shard_json's bytes)
 * and COUNT[S] its entries, *build and *generated the head's (allocated):
 * 0.  Anything else: -1, nothing given (parse it instead).
 */
int manifest_text_shards(const char *text, size_t len, const bool want[],
    struct buf out[], size_t count[], char **build, char **generated);
/* MIME type by file extension, e.g. "text/html; charset=utf-8" */
const char *mime_type_for(const char *path);

#endif
