/* SPDX-License-Identifier: ISC */
/*
 * store_backup.h: `kiln backup` and `kiln restore` of a SQLite store
 * (docs/decisions/0152-store-backup.md).  A backup is a plain SQLite
 * file (rollback journal, no WAL), a consistent snapshot taken with
 * SQLite's online backup API while other processes read and write.
 */
#ifndef KILN_STORE_BACKUP_H
#define KILN_STORE_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

struct buf;

struct store_backup_info {
	int store_version;	/* schema_migrations of component "store" */
	int queue_version;	/* ... and "queue" */
	int64_t pages;		/* rows of pages */
	int64_t builds;		/* rows of builds */
	int64_t change_seq;	/* meta.change_seq */
};

/*
 * Copy the store at DB (SQLite, in use or not) to FILE: written to a
 * temporary file beside it, checked and renamed, so FILE is a whole
 * backup or untouched.  FILE existing is an error unless OVERWRITE.
 */
int store_backup(const char *db, const char *file, bool overwrite,
    struct store_backup_info *info, struct buf *err);

/*
 * Check that FILE is a kiln store this binary can open: a SQLite file
 * with kiln's tables, intact (quick_check), no component newer than the
 * binary's.  Fills INFO.
 */
int store_backup_check(const char *file, struct store_backup_info *info,
    struct buf *err);

/*
 * Replace the store at DB with the backup FILE (checked first).  A DB
 * that holds pages or builds is refused unless FORCE.  The copy goes
 * through the backup API into DB under its write lock, so a daemon
 * using DB sees the old store or the restored one, never a mix.
 */
int store_restore(const char *file, const char *db, bool force,
    struct store_backup_info *info, struct buf *err);

#endif
