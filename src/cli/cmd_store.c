/* SPDX-License-Identifier: ISC */
/*
 * cmd_store.c: the store's schema.
 *   kiln store status [--json]   schema version per component, pending
 *                                migrations; exit 1 if any is pending or
 *                                the store is newer than this kiln
 *   kiln store migrate           apply pending migrations (SQLite: a
 *                                backup beside the store first)
 *   kiln store copy --from URL --to URL
 *                                a whole store to a new one, verified
 * Migrations never run silently: other commands refuse an older store
 * unless store.auto_migrate is true (decision 0142).
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static int store_status(int, char **);
static int store_migrate_verb(int, char **);
static int store_copy_verb(int, char **);

static const struct cli_opt status_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const struct cli_cmd store_status_cmd = {
	"store status", "", "Schema version of each component and what is "
	"pending.",
	"Exits 1 when migrations are pending or the store is newer than this "
	"kiln. Opens the store without migrating it.", status_opts, NULL,
	NULL, store_status, false
};
static const struct cli_cmd store_migrate_cmd = {
	"store migrate", "", "Apply pending schema migrations.",
	"On PostgreSQL under an advisory lock, so two nodes migrate once. A "
	"SQLite store is first copied beside itself (online backup), named "
	"with the versions it held: kiln.db.store-1.queue-2.bak.", NULL, NULL,
	NULL, store_migrate_verb, false
};
static const struct cli_opt copy_opts[] = {
	{ 'f', "from", 0, "URL", "The store to copy: a SQLite file "
	    "(sqlite:PATH or a path) or a PostgreSQL URL.", NULL, true },
	{ 't', "to", 0, "URL", "A new, empty store to fill, same forms; "
	    "created at the current schema.", NULL, true },
	{ 'j', "json", 0, NULL, "Print the verification as JSON.", NULL,
	    false },
	CLI_OPT_END
};
static const char *const copy_ex[] = {
	"kiln store copy --from .kiln/kiln.db --to "
	"postgresql://kiln@db.example.org/kiln",
	"kiln store copy --from postgresql://kiln@db/kiln --to sqlite:back.db",
	NULL
};
static const struct cli_cmd store_copy_cmd = {
	"store copy", "", "Copy a whole store between backends (SQLite, "
	"PostgreSQL), verified.",
	"Everything in one transaction on the target, read from one snapshot "
	"of the source; then row counts and a SHA-256 of every table are "
	"compared, and on any difference nothing is kept. Passwords come "
	"from PGPASSWORD or ~/.pgpass, never the URL. Stop the daemons "
	"writing to the source first.", copy_opts, copy_ex, NULL,
	store_copy_verb, false
};
static const struct cli_cmd *const store_subs[] = {
	&store_status_cmd, &store_migrate_cmd, &store_copy_cmd, NULL
};

const struct cli_cmd cli_cmd_store = {
	"store", NULL, "The store: status, migrate, copy.", NULL, NULL,
	NULL, store_subs, cmd_store, false
};

static int
store_status(int argc, char **argv)
{
	struct store_schema v[8];
	struct buf err = BUF_INIT;
	struct site s;
	size_t n = NELEM(v);
	bool as_json = false, pending = false, newer = false;
	json_t *a;
	int ch;

	while ((ch = cli_getopt(&store_status_cmd, argc, argv)) != -1) {
		if (ch == 'j')
			as_json = true;
		else
			return cli_bad_usage(&store_status_cmd);
	}
	if (optind != argc)
		return cli_bad_usage(&store_status_cmd);
	if (site_open_flags(&s, STORE_OPEN_NO_MIGRATE, &err) == -1 ||
	    store_schema(s.st, v, &n, &err) == -1) {
		ch = cli_fail(&err);
		if (s.conf)
			site_close(&s);
		buf_release(&err);
		return ch;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		pending |= v[i].version < v[i].latest;
		newer |= v[i].version > v[i].latest;
		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:i}",
		    "component", v[i].component, "version", v[i].version,
		    "latest", v[i].latest, "pending", v[i].version <
		    v[i].latest ? v[i].latest - v[i].version : 0));
	}
	if (as_json) {
		char *d = json_dumps(a, JSON_INDENT(2));
		printf("%s\n", d);
		free(d);
	} else {
		printf("%-10s %-8s %-8s %s\n", "COMPONENT", "VERSION",
		    "LATEST", "PENDING");
		for (size_t i = 0; i < n; i++)
			printf("%-10s %-8d %-8d %d\n", v[i].component,
			    v[i].version, v[i].latest, v[i].version <
			    v[i].latest ? v[i].latest - v[i].version : 0);
		if (newer)
			printf("the store is newer than this kiln: use a "
			    "newer kiln\n");
		else if (pending)
			printf("run `kiln store migrate`\n");
	}
	json_decref(a);
	site_close(&s);
	buf_release(&err);
	return pending || newer ? EXIT_FAIL : EXIT_OK;
}

static int
store_migrate_verb(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	int rc = EXIT_OK;

	if (cli_getopt(&store_migrate_cmd, argc, argv) != -1 ||
	    optind != argc)
		return cli_bad_usage(&store_migrate_cmd);
	if (site_open_flags(&s, STORE_OPEN_NO_MIGRATE, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (store_migrate(s.st, &err) == -1)
		rc = cli_fail(&err);
	else
		cli_info("the store's schema is current\n");
	site_close(&s);
	buf_release(&err);
	return rc;
}

static int
open_url(const char *url, struct store **st, struct buf *err)
{
	const char *path;
	const char *driver = store_url_driver(url, &path);

	return store_open(driver, path, st, err);
}

static int
store_copy_verb(int argc, char **argv)
{
	struct store_copy_report rep;
	struct store *from = NULL, *to = NULL;
	struct buf err = BUF_INIT;
	const char *f = NULL, *t = NULL;
	bool as_json = false;
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(&store_copy_cmd, argc, argv)) != -1) {
		if (ch == 'f')
			f = optarg;
		else if (ch == 't')
			t = optarg;
		else if (ch == 'j')
			as_json = true;
		else
			return cli_bad_usage(&store_copy_cmd);
	}
	if (!f || !t || optind != argc)
		return cli_bad_usage(&store_copy_cmd);
	if (open_url(f, &from, &err) == -1 || open_url(t, &to, &err) == -1 ||
	    store_copy(from, to, &rep, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (as_json) {
		json_t *a = json_array();
		char *d;
		for (size_t i = 0; i < rep.ntables; i++)
			json_array_append_new(a, json_pack("{s:s, s:I, s:s}",
			    "table", rep.tables[i].name, "rows",
			    (json_int_t)rep.tables[i].rows, "sha256",
			    rep.tables[i].sha256));
		d = json_dumps(a, JSON_INDENT(2));
		printf("%s\n", d);
		free(d);
		json_decref(a);
	} else {
		for (size_t i = 0; i < rep.ntables; i++)
			cli_info("%-15s %8lld rows  sha256 %.16s  same\n",
			    rep.tables[i].name,
			    (long long)rep.tables[i].rows,
			    rep.tables[i].sha256);
		cli_info("copied and verified\n");
	}
	rc = EXIT_OK;
out:
	store_close(from);
	store_close(to);
	buf_release(&err);
	return rc;
}

int
cmd_store(int argc, char **argv)
{
	const struct cli_cmd *sc;
	const char *sub;

	if (!(sc = cli_subcommand(&cli_cmd_store, &argc, &argv, &sub)))
		return cli_bad_usage(&cli_cmd_store);
	return sc->fn(argc, argv);
}
