/* SPDX-License-Identifier: ISC */
/*
 * deploy_manifest.c: the manifest a destination holds, in shards
 * (decision 0370): <prefix>.kiln/manifest/XX.json, the build's entries
 * by path hash (manifest_shard(), the layout of history's trees), and
 * the head <prefix>.kiln/manifest.json naming every shard by its
 * SHA-256:
 *
 *   {"version":2,"build":"42","generated":"...",
 *    "shards":{"00":"<sha256 of 00.json>",...}}
 *
 * A shard is sent only when its text differs from the one the
 * destination holds (the state's "manifest_shards": written once the
 * head landed, dropped when a journal begins); a deploy planned from
 * the changes (0310) computes only the shards of the paths they name.
 */
#include "common/compat.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/changes.h"
#include "common/hash.h"
#include "common/manifest.h"
#include "common/xmalloc.h"
#include "deploy/deploy.h"
#include "deploy/deploy_int.h"
#include "deploy/state.h"

#define CC_MANIFEST "no-cache"

/* the build's shards, computed once a deploy (deploy_ctx.shards) */
struct deploy_shards {
	bool have[MANIFEST_SHARDS];
	struct buf text[MANIFEST_SHARDS];
	size_t count[MANIFEST_SHARDS];
	char sha[MANIFEST_SHARDS][65];
	char *build, *generated;
};

void
deploy_shards_free(struct deploy_shards *bs)
{
	if (!bs)
		return;
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		buf_release(&bs->text[s]);
	free(bs->build);
	free(bs->generated);
	free(bs);
}

/* the shards of WANT from the parsed manifest (any JSON) */
static int
shards_parsed(const char *file, const bool want[], struct buf out[],
    size_t count[], char **build, char **generated, struct buf *err)
{
	struct manifest m;
	struct manifest_shards sh;

	if (manifest_load(file, &m, err) == -1)
		return -1;
	manifest_shards_split(&m, &sh);
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		if (!want[s])
			continue;
		count[s] = sh.at[s + 1] - sh.at[s];
		manifest_shard_json(&out[s], sh.e + sh.at[s], count[s]);
	}
	*build = xstrdup(m.build);
	*generated = xstrdup(m.generated);
	free(sh.e);
	manifest_release(&m);
	return 0;
}

/* the shards of WANT the build's manifest file has, read, not parsed */
static int
shards_read(const char *outdir, const bool want[], struct buf out[],
    size_t count[], char **build, char **generated, struct buf *err)
{
	char *file = xasprintf("%s/%s", outdir, MANIFEST_PATH);
	void *map = MAP_FAILED;
	struct stat sb;
	int fd, rc = -1;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		buf_setf(err, "%s: %s", file, strerror(errno));
		goto out;
	}
	if (sb.st_size > 0)
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
	if (map != MAP_FAILED)
		rc = manifest_text_shards(map, (size_t)sb.st_size, want, out,
		    count, build, generated);
	/* not the exact text kiln writes (an external command's): parse */
	if (rc == -1)
		rc = shards_parsed(file, want, out, count, build, generated,
		    err);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)sb.st_size);
	if (fd != -1)
		close(fd);
	free(file);
	return rc;
}

/* make sure the shards of WANT are in x->shards */
static int
shards_get(struct deploy_ctx *x, const bool want[], struct buf *err)
{
	struct buf out[MANIFEST_SHARDS];
	size_t count[MANIFEST_SHARDS];
	bool need[MANIFEST_SHARDS];
	struct deploy_shards *bs;
	char *build = NULL, *generated = NULL;
	bool any = false;

	if (!x->shards)
		x->shards = xcalloc(1, sizeof(*x->shards));
	bs = x->shards;
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		any |= need[s] = want[s] && !bs->have[s];
	if (!any)
		return 0;
	memset(out, 0, sizeof(out));
	if (shards_read(x->outdir, need, out, count, &build, &generated,
	    err) == -1)
		return -1;
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		if (!need[s])
			continue;
		bs->text[s] = out[s];
		bs->count[s] = count[s];
		sha256_hex(out[s].buf, out[s].len, bs->sha[s]);
		bs->have[s] = true;
	}
	if (!bs->build) {
		bs->build = build;
		bs->generated = generated;
	} else {
		free(build);
		free(generated);
	}
	return 0;
}

/* the shards this destination may need: the changes' or all */
static bool
shards_wanted(struct deploy_ctx *x, const struct deploy_state *ds,
    const json_t *held, bool want[])
{
	bool some = held && ds->partial && x->chg;

	for (unsigned s = 0; s < MANIFEST_SHARDS; s++)
		want[s] = !some;
	if (!some)
		return false;
	for (size_t i = 0; i < x->chg->files.nfiles; i++)
		want[manifest_shard(x->chg->files.files[i].path)] = true;
	for (size_t i = 0; i < x->chg->nremoved; i++)
		want[manifest_shard(x->chg->removed[i])] = true;
	return true;
}

/* a PUT of the bytes DATA to the destination's KEY */
static void
put_data(struct deploy_manifest *mp, const char *prefix, const char *key,
    const struct buf *data, const char *sha)
{
	struct xfer *t = &mp->xf[mp->n++];

	memset(t, 0, sizeof(*t));
	t->op = X_PUT;
	t->key = xasprintf("%s%s", prefix, key);
	t->data = data->buf ? data->buf : "";
	t->len = data->len;
	t->sha256 = sha;
	t->content_type = "application/json";
	t->cache_control = CC_MANIFEST;
}

/* the head: the build, its time and every shard's SHA-256 */
static void
head_text(const struct deploy_shards *bs, json_t *map, struct buf *out)
{
	const char *k;
	json_t *v;
	bool first = true;

	buf_adds(out, "{\"version\":2,\"build\":");
	manifest_json_string(out, bs->build ? bs->build : "");
	buf_adds(out, ",\"generated\":");
	manifest_json_string(out, bs->generated ? bs->generated : "");
	buf_adds(out, ",\"shards\":{");
	/* jansson keeps insertion order: the map is built in shard order */
	json_object_foreach(map, k, v) {
		buf_printf(out, "%s\n\"%s\":\"%s\"", first ? "" : ",", k,
		    json_string_value(v));
		first = false;
	}
	buf_adds(out, "\n}}\n");
}

int
deploy_manifest_plan(struct deploy_ctx *x, struct dest *d,
    const struct deploy_state *ds, struct deploy_manifest *mp,
    struct buf *err)
{
	/* what the destination holds, when known (not for --full) */
	const json_t *held = !x->o->full ? ds->shards : NULL;
	bool want[MANIFEST_SHARDS];
	struct deploy_shards *bs;
	char key[32];

	memset(mp, 0, sizeof(*mp));
	mp->some = shards_wanted(x, ds, held, want);
	if (shards_get(x, want, err) == -1)
		return -1;
	bs = x->shards;
	mp->xf = xcalloc(MANIFEST_SHARDS + 1, sizeof(*mp->xf));
	mp->map = json_object();
	for (unsigned s = 0; s < MANIFEST_SHARDS; s++) {
		const char *was;
		snprintf(key, sizeof(key), "%02x", s);
		was = json_string_value(json_object_get(held, key));
		if (!want[s]) {
			if (was)
				json_object_set_new(mp->map, key,
				    json_string(was));
			continue;
		}
		/* an emptied shard is sent empty once, then left out */
		if (bs->count[s])
			json_object_set_new(mp->map, key,
			    json_string(bs->sha[s]));
		if ((bs->count[s] || was) && (!was || strcmp(was,
		    bs->sha[s]) != 0)) {
			snprintf(key, sizeof(key), ".kiln/manifest/%02x.json",
			    s);
			put_data(mp, d->prefix, key, &bs->text[s], bs->sha[s]);
		}
	}
	mp->nshards = mp->n;
	head_text(bs, mp->map, &mp->head);
	sha256_hex(mp->head.buf, mp->head.len, mp->hsha);
	put_data(mp, d->prefix, MANIFEST_PATH, &mp->head, mp->hsha);
	return 0;
}

void
deploy_manifest_release(struct deploy_manifest *mp)
{
	for (size_t i = 0; mp->xf && i < mp->n; i++) {
		free(mp->xf[i].key);
		free(mp->xf[i].error);
	}
	free(mp->xf);
	json_decref(mp->map);
	buf_release(&mp->head);
	memset(mp, 0, sizeof(*mp));
}

bool
deploy_manifest_key(const char *path)
{
	return !strcmp(path, MANIFEST_PATH) || !strncmp(path,
	    ".kiln/manifest/", strlen(".kiln/manifest/"));
}
