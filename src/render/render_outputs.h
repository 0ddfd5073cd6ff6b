/* SPDX-License-Identifier: ISC */
/*
 * render_outputs.h: the texts of a build's outputs, the manifest's
 * entries and the output record's lines, and what a long-lived process
 * keeps of them for its next build (render_outputs.c; decision 0390).
 */
#ifndef KILN_RENDER_OUTPUTS_H
#define KILN_RENDER_OUTPUTS_H

#include "common/buf.h"
#include "common/manifest.h"
#include "render/outdir.h"

struct build;
struct outkept;

/* one output's texts in outtext's buffers, and what they were made of */
struct outtext_ent {
	size_t json;		/* its manifest entry (",\n{...}") */
	size_t rec;		/* its record line ("SHA SIZE KEY PATH\n") */
	int64_t size;
	char *redirect;		/* owned by a kept list only */
	size_t pathlen;
	enum manifest_kind kind;
	bool immutable;
};

/* the texts of one build's outputs, b->files in path order */
struct outtext {
	struct outkept *old;	/* the last build's, or NULL */
	size_t *from;		/* output I's entry in old, or SIZE_MAX */
	size_t *at;		/* old's entry K: non-zero if output again */
	struct outtext_ent *v;	/* b->files.n + 1: the last one's offsets
				   are the texts' lengths */
	struct buf json;	/* the manifest's entries, each ",\n{...}" */
	struct buf rec;		/* the record's lines, until saved */
	struct outrec lines;	/* then saved: shared with the memo */
	bool unrecordable;	/* a path the record cannot hold */
	bool same_paths;	/* old's paths, no other: old's index fits */
	size_t reused;		/* entries whose texts were kept */
};

/*
 * Sort B's outputs by path (-1 with err when two share one): with what
 * was kept for B's output folder (b->remember), the outputs it knows
 * fall into its order and only the new ones are sorted.
 */
int outtext_sort(struct build *b, struct outtext *t, struct buf *err);
/* T's manifest entries; T's record lines (the two may run at once) */
void outtext_json(struct build *b, struct outtext *t);
void outtext_lines(struct build *b, struct outtext *t);
/*
 * The last build's record lines are read by no one once both of the
 * above are done (outtext_json drops its entries): freed before the
 * record's memo is made, so that the three are not held at once
 * (decision 0400).
 */
void outtext_drop_lines(struct outtext *t);
/*
 * T's record lines as the record REC of B's standby (outrec_save_taken):
 * the memo of records and the list kept for the next build hold the
 * same text, not one copy each (decision 0420).
 */
int outtext_save(struct build *b, struct outtext *t,
    const struct outrec *rec, struct buf *err);
/*
 * The changes of a build's outputs against the live record (decision
 * 0290), in path order: lists that grow as changes are found (a 1-page
 * edit has a few, not a place for each of 65,000 outputs).
 */
struct outchanges {
	const char **removed;		/* live paths not output again */
	size_t nr, ar;
	struct manifest_entry *files;	/* outputs new or changed */
	size_t nf, af;
};
struct outfile;
void outchanges_removed(struct outchanges *c, const char *path);
void outchanges_file(struct outchanges *c, const struct outfile *f);
void outchanges_free(struct outchanges *c);
/*
 * The changes of B's outputs against the live folder's record LIVE from
 * T, when LIVE is the record the kept list was made with (its id): the
 * outputs not kept or with another SHA-256 into C's files, the kept ones
 * this build does not output into C's removed (LIVE's paths), as a merge
 * of the two records gives them.  false when LIVE is another record
 * (nothing given).
 */
bool outtext_changes(struct build *b, const struct outtext *t,
    const struct outrec *live, struct outchanges *c);
/*
 * The build is done (OK) and its record named ID: T is kept for the next
 * build of the same folder (b->remember), the last build's dropped.
 */
void outtext_done(struct build *b, struct outtext *t, bool ok,
    const char *id);
/* the manifest entry of output F (its strings are F's or static) */
void render_manifest_entry(const struct outfile *f,
    struct manifest_entry *e);

#endif
