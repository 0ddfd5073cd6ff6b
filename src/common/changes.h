/* SPDX-License-Identifier: ISC */
/*
 * changes.h: what a build changed against the output that was live when
 * it ran (issue #19, decision record 0290).
 *
 * Every build names its output with a random id (also the first line of
 * the slot's .kiln/outputs) and writes OUT/.kiln/changes.json beside the
 * manifest:
 *
 *   {"version": 1, "id": "<32 hex>", "base": "<32 hex, or empty>",
 *    "removed": ["old/path.html", ...],
 *    "files": [<manifest entries added or changed since base>]}
 *
 * BASE is the id of the output that was live when the build ran ("" when
 * there was none, or its record was missing: then the lists are empty
 * and mean nothing).  The manifest of BASE, less "removed", with "files"
 * put over it, is exactly this output's manifest.  So a reader that
 * holds BASE's state (a deploy's destination, history's last commit) can
 * bring it up to date from this small file alone; any other reader uses
 * the manifest.  "files" are in path order, "removed" too, and no path
 * is in both.
 */
#ifndef KILN_CHANGES_H
#define KILN_CHANGES_H

#include <stddef.h>

#include "common/manifest.h"

struct buf;

#define CHANGES_PATH	".kiln/changes.json"
#define CHANGES_ID_LEN	32

struct changes {
	char id[CHANGES_ID_LEN + 1];
	char base[CHANGES_ID_LEN + 1];	/* "" when none */
	struct manifest files;		/* added or changed, sorted */
	char **removed;			/* sorted */
	size_t nremoved;
};

/* a new output id: 32 random hex digits; -1 with err */
int changes_new_id(char id[CHANGES_ID_LEN + 1], struct buf *err);
/*
 * The text of a changes file: REMOVED (N paths) and FILES (NFILES
 * entries), each in path order.
 */
void changes_to_json(struct buf *out, const char *id, const char *base,
    const char *const *removed, size_t nremoved,
    const struct manifest_entry *files, size_t nfiles);
/* parse and check TEXT; -1 with err naming the field */
int changes_parse(const char *text, size_t len, struct changes *c,
    struct buf *err);
/* OUTDIR's changes: 0, 1 when it has none, -1 with err when malformed */
int changes_load(const char *outdir, struct changes *c, struct buf *err);
void changes_release(struct changes *c);

#endif
