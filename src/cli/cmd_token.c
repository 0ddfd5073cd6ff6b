/* SPDX-License-Identifier: ISC */
/*
 * cmd_token.c: `kiln token create --name NAME [--role editor|publisher|
 * admin]` prints a new API token once; the store keeps its hash only.
 */
#include "common/compat.h"

#include <getopt.h>

#include "common/buf.h"
#include "store/store.h"
#include "store/store_queue.h"
#include "cli/cli.h"
#include "cli/site.h"

int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct site s;
	const char *name = NULL, *role = "editor";
	char token[65];
	int ch, rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("token", 0);
	if (argc < 2 || strcmp(argv[1], "create") != 0)
		return cli_usage("token", 1);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if (ch == 'r')
			role = optarg;
		else
			return cli_usage("token", 1);
	}
	if (!name || optind != argc)
		return cli_usage("token", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (queue_token_create(s.st, name, role, token, &err) == -1)
		cli_fail(&err);
	else {
		printf("%s\n", token);
		explicit_bzero(token, sizeof(token));
		rc = EXIT_OK;
	}
	site_close(&s);
	buf_release(&err);
	return rc;
}
