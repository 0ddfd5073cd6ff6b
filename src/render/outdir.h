/* SPDX-License-Identifier: ISC */
/*
 * outdir.h: the build output folder as two slots behind one symlink.
 *
 * OUT (build.out, "public") is a symbolic link to one of two sibling
 * folders, ".public.a" and ".public.b".  The one it names is live: every
 * reader (deployer, history, dir targets) sees it, and a build never
 * writes to it.  A build writes the other one, the standby, which holds
 * the output of the build before the live one; the build brings it up to
 * date and one rename(2) of a new symlink over OUT switches it in.
 *
 * Each slot records its files in SLOT/.kiln/outputs: the output's id (a
 * random name given by the build that wrote it), then path, SHA-256,
 * size and (for page outputs) the incremental key of each file.  The record is removed
 * before the standby is touched and written after its last file, so a
 * slot with a record is exactly what the record says; a slot without one
 * (a build failed or crashed while writing it) is emptied and rebuilt.
 * With both records a 1-page edit writes a handful of files: an output
 * already in the standby is left alone, one unchanged since the live
 * build is hard-linked from it, and only the rest is rendered.
 *
 * Files in a slot are never written in place: they may be hard links
 * shared with the other slot or with .kiln/media, so a changed file is
 * unlinked and created anew.
 */
#ifndef KILN_OUTDIR_H
#define KILN_OUTDIR_H

#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>

struct buf;

#define OUTREC_PATH	".kiln/outputs"

/* one output; the strings point into outrec.data or the caller's */
struct outrec_ent {
	const char *path;
	const char *sha;
	const char *key;	/* "" when the output has no key */
	int64_t size;
};

/* a slot's record, sorted by path */
struct outrec {
	char id[33];		/* the output's id (32 hex), "" if none */
	struct outrec_ent *v;
	size_t n;
	char *data;		/* the loaded file, holding the paths */
	uint32_t *slots;	/* loaded records: a hash index of v (i + 1) */
	size_t nslots;		/* a power of two */
	unsigned *refs;		/* a record shared with the memo, or NULL */
};

struct outslot {
	char *link;		/* OUT itself */
	char *live;		/* the folder OUT names, or NULL */
	char *standby;		/* the folder this build writes */
	char *standby_name;	/* its name beside OUT: ".public.b" */
	struct outrec live_rec;		/* loaded when first needed */
	bool live_loaded;
	pthread_mutex_t live_mu;
	struct outrec standby_rec;
	int standby_fd;		/* the standby folder, open, or -1 */
	int lockfd;		/* flock(2) held while the standby is written */
	/*
	 * Emptying the standby (FRESH) renames it aside, beside OUT as
	 * ".public.gone-PID-N", and a thread removes it while the build
	 * goes on; that thread also removes what a build that died left
	 * aside.  outslot_release waits for it.
	 */
	pthread_t sweeper;
	bool sweeping;
	char **gone;		/* the folders it removes */
	size_t ngone;
};

/*
 * Prepare the standby slot of OUTDIR for writing.  FRESH empties it
 * (external commands start from nothing: the old one is renamed aside
 * and removed on a thread), as does a standby without a record;
 * otherwise its record is loaded and removed (full builds too: what
 * they render that the standby already holds is not written again).
 * 0, or -1 with err.
 */
int outslot_open(struct outslot *s, const char *outdir, bool fresh,
    struct buf *err);
/*
 * Remove the standby's files that are not in NEW (sorted by path), and
 * folders left empty.
 */
int outslot_prune(struct outslot *s, const struct outrec *next,
    struct buf *err);
/* the live folder's record, loaded when first needed (not thread-safe) */
const struct outrec *outslot_live_record(struct outslot *s);
/* the live folder's record of PATH (thread-safe), or NULL */
const struct outrec_ent *outslot_live_find(struct outslot *s,
    const char *path);
/*
 * For readers of the live folder (kiln deploy): a shared lock on
 * OUTDIR's lock file, so that no build writes a slot meanwhile, and the
 * folder OUTDIR names (OUTDIR itself in the older layout) into LIVE.  The
 * lock's fd, or -1 with err.
 */
int outslot_read_lock(const char *outdir, char *live, size_t livesz,
    struct buf *err);
/* make the standby live: one rename of a new symlink over OUT */
int outslot_switch(struct outslot *s, struct buf *err);
void outslot_release(struct outslot *s);

/*
 * SLOT/.kiln/outputs: load (missing or malformed: empty, -1), save.  A
 * long-lived process saves with REMEMBER: the record stays parsed in
 * memory, and the next loads of it (known by its id) share it.
 */
int outrec_load(const char *slot, struct outrec *r);
int outrec_save(const char *slot, const struct outrec *r, bool remember,
    struct buf *err);
/*
 * outrec_save of R when its lines are made already: LINES (LEN bytes) is
 * what outrec_line gives for each entry of R, in order (no path holds a
 * newline).  The memo's record is cut from them, not parsed.
 */
int outrec_save_lines(const char *slot, const struct outrec *r,
    const char *lines, size_t len, bool remember, struct buf *err);
/*
 * outrec_save_lines of LINES (LEN bytes and a NUL, malloc'd) taken: with
 * REMEMBER the memo's record is cut from them, not from a copy, and TEXT
 * shares that record (else TEXT owns LINES alone); TEXT->data is LINES,
 * some of whose spaces and newlines are then NULs (the fields cut:
 * outrec_line's three separators).  outrec_release(TEXT) when done.
 */
int outrec_save_taken(const char *slot, const struct outrec *r, char *lines,
    size_t len, bool remember, struct outrec *text, struct buf *err);
/* E's line in the record ("SHA SIZE KEY|- PATH\n") appended to OUT */
void outrec_line(const struct outrec_ent *e, struct buf *out);
/* the entry of PATH in a loaded record, or NULL */
const struct outrec_ent *outrec_find(const struct outrec *r, const char *path);

/*
 * An open-addressing hash index of N paths by fnv1a32: *NSLOTS slots (a
 * power of two, at least 2N), each 0 or an index + 1.  path_index_put
 * files index I under the hash of its path.
 */
uint32_t *path_index_new(size_t n, size_t *nslots);
void path_index_put(uint32_t *slots, size_t nslots, const char *path,
    size_t i);
void outrec_release(struct outrec *r);

/*
 * Create SLOT/PATH with DATA: unlink whatever is there, create it anew
 * (O_EXCL), making its folders when they are missing and removing a
 * file or folder in the way; nothing outside SLOT is touched.
 */
int slot_write(const char *slot, const char *path, const void *data,
    size_t len, struct buf *err);
/* slot_write of the pieces IOV[0..N) (changed by the call) */
int slot_writev(const char *slot, const char *path, struct iovec *iov,
    int n, struct buf *err);
/*
 * slot_write into the standby of S for a PATH its record does not have:
 * through the folder descriptor S holds, mkdirat of PATH's folder and
 * openat of the new file, no walk of the slot's own path; anything in
 * the way (an old file, missing folders above) and slot_write does it.
 */
int outslot_write(struct outslot *s, const char *path, const void *data,
    size_t len, struct buf *err);
/*
 * Whether the standby's file PATH in S holds DATA byte for byte (a
 * regular file, no symlink followed).  A full build asks before it
 * leaves a file its record lists in place, so that it repairs a file
 * changed by hand (an incremental build trusts the record, as make
 * trusts timestamps).
 */
bool outslot_holds(const struct outslot *s, const char *path,
    const char *data, size_t len);
/* SLOT/PATH as a hard link to FROM (a copy across file systems) */
int slot_link(const char *from, const char *slot, const char *path,
    struct buf *err);

#endif
