/* SPDX-License-Identifier: ISC */
/*
 * cmd_store.c: the store's schema.
 *   kiln store status [--json]   schema version per component, pending
 *                                migrations; exit 1 if any is pending or
 *                                the store is newer than this kiln
 *   kiln store migrate           apply pending migrations (SQLite: a
 *                                backup beside the store first)
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

static const struct cli_opt status_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const struct cli_cmd store_status_cmd = {
	"store status", "", "Schema version of each component and what is "
	"pending.",
	"Exits 1 when migrations are pending or the store is newer than this "
	"kiln. Opens the store without migrating it.", status_opts, NULL,
	NULL, NULL, false
};
static const struct cli_cmd store_migrate_cmd = {
	"store migrate", "", "Apply pending schema migrations.",
	"On PostgreSQL under an advisory lock, so two nodes migrate once. A "
	"SQLite store is first copied beside itself (online backup), named "
	"with the versions it held: kiln.db.store-1.queue-2.bak.", NULL, NULL,
	NULL, NULL, false
};
static const struct cli_cmd *const store_subs[] = {
	&store_status_cmd, &store_migrate_cmd, NULL
};

const struct cli_cmd cli_cmd_store = {
	"store", NULL, "The store's schema: status, migrate.", NULL, NULL,
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

int
cmd_store(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "status"))
		return store_status(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "migrate"))
		return store_migrate_verb(argc - 1, argv + 1);
	return cli_bad_usage(&cli_cmd_store);
}
