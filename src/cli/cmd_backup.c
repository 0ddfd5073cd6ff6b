/* SPDX-License-Identifier: ISC */
/*
 * cmd_backup.c: `kiln backup FILE` and `kiln restore FILE [--force]`: a
 * consistent copy of the SQLite store while kiln serve runs and writes,
 * and its way back (store/store_backup.h,
 * docs/decisions/0152-store-backup.md).  A PostgreSQL store is backed up
 * with pg_dump; these commands say how.
 */
#include "common/compat.h"

#include <getopt.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_secrets.h"
#include "store/store_backup.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt backup_opts[] = {
	{ 'f', "force", 'f', NULL, "Replace FILE if it exists.", NULL,
	    false },
	CLI_OPT_END
};
static const struct cli_opt restore_opts[] = {
	{ 'f', "force", 'f', NULL, "Replace a store that holds pages or "
	    "builds (a running kiln serve sees the restored store at once).",
	    NULL, false },
	CLI_OPT_END
};
static const char *const backup_ex[] = {
	"kiln backup /var/backups/kiln-$(date +%F).db",
	"kiln -C /srv/site backup nightly.db --force", NULL
};
static const char *const restore_ex[] = {
	"kiln init restored && cd restored && kiln restore ../nightly.db",
	"kiln restore nightly.db --force   # over the store in use", NULL
};

const struct cli_cmd cli_cmd_backup = {
	"backup", "FILE", "Copy the content store to FILE, consistent while "
	"kiln serve runs and writes.", "Uses SQLite's online backup API: "
	"FILE is the store as of one instant (a plain SQLite file, checked "
	"before it is renamed into place), never a mix of before and after "
	"a write. Media files (.kiln/media) and kiln.yaml are not in it. "
	"For a PostgreSQL store it prints the pg_dump command to use.",
	backup_opts, backup_ex, NULL, cmd_backup, false
};

const struct cli_cmd cli_cmd_restore = {
	"restore", "FILE", "Replace the content store with a backup made by "
	"kiln backup.", "FILE must be a kiln store (SQLite, intact) whose "
	"schema is not newer than this kiln's; an older one is migrated. A "
	"store that holds pages or builds is replaced only with --force.",
	restore_opts, restore_ex, NULL, cmd_restore, false
};

/* the store of kiln.yaml, without opening it: NULL for PostgreSQL */
static struct conf *
load_conf(struct buf *err)
{
	struct conf *c;
	char *file;

	if (!(file = site_find_config(err)))
		return NULL;
	c = conf_load(file, err);
	free(file);
	if (c)
		conf_register_secrets(c);
	return c;
}

static int
pg_advice(const struct conf *c, bool restore)
{
	const char *var = c->store.url_env ? c->store.url_env : "KILN_PG_URL";

	cli_error("the store is PostgreSQL: %s it with PostgreSQL's tools",
	    restore ? "restore" : "back");
	fprintf(stderr, restore ?
	    "  pg_restore --clean --if-exists --dbname \"$%s\" FILE\n" :
	    "  pg_dump --format=custom --file FILE \"$%s\"\n", var);
	fprintf(stderr, "(pg_dump takes a consistent snapshot while kiln "
	    "runs; stop kiln serve before pg_restore)\n");
	return EXIT_FAIL;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv, bool restore)
{
	struct store_backup_info info;
	struct buf err = BUF_INIT;
	struct conf *c = NULL;
	char *db = NULL;
	bool force = false;
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(cmd, argc, argv)) != -1) {
		if (ch == 'f')
			force = true;
		else
			return cli_bad_usage(cmd);
	}
	if (optind != argc - 1)
		return cli_bad_usage(cmd);
	if (!(c = load_conf(&err))) {
		rc = cli_fail(&err);
		goto out;
	}
	if (c->store.driver == CONF_STORE_POSTGRES) {
		rc = pg_advice(c, restore);
		goto out;
	}
	db = conf_path(c, c->store.path);
	if (restore) {
		if (mkdir_parent(db, &err) == -1 ||
		    store_restore(argv[optind], db, force, &info, &err) == -1) {
			cli_error("restore: %s", err.buf);
			goto out;
		}
		cli_info("restored %s from %s: %lld pages, %lld builds, "
		    "change %lld\n", db, argv[optind], (long long)info.pages,
		    (long long)info.builds, (long long)info.change_seq);
	} else {
		if (store_backup(db, argv[optind], force, &info, &err) == -1) {
			cli_error("backup: %s", err.buf);
			goto out;
		}
		cli_info("backed up %s to %s: %lld pages, %lld builds, "
		    "change %lld\n", db, argv[optind], (long long)info.pages,
		    (long long)info.builds, (long long)info.change_seq);
	}
	rc = EXIT_OK;
out:
	free(db);
	conf_free(c);
	buf_release(&err);
	return rc;
}

int
cmd_backup(int argc, char **argv)
{
	return run(&cli_cmd_backup, argc, argv, false);
}

int
cmd_restore(int argc, char **argv)
{
	return run(&cli_cmd_restore, argc, argv, true);
}
