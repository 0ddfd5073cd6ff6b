/* SPDX-License-Identifier: ISC */
/*
 * cmd_media.c: `kiln media add FILE [--name NAME]` stores a file by its
 * SHA-256; `kiln media list [--json]`.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

int
cmd_media(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct site s;
	struct media_info m, *list = NULL;
	const char *sub, *name = NULL;
	bool json = false;
	size_t n = 0;
	int ch, rc = EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return cli_usage("media", 0);
	if (argc < 2)
		return cli_usage("media", 1);
	sub = argv[1];
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'n')
			name = optarg;
		else
			return cli_usage("media", 1);
	}
	if (!((!strcmp(sub, "add") && optind == argc - 1) ||
	    (!strcmp(sub, "list") && optind == argc)))
		return cli_usage("media", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (!strcmp(sub, "add")) {
		if (store_media_add(s.st, s.media_dir, argv[optind], name,
		    cli_actor(), &m, &err) == -1) {
			cli_fail(&err);
			goto out;
		}
		printf("%s %s %lld bytes\n", m.sha256, m.name,
		    (long long)m.size);
		free(m.name);
		free(m.content_type);
		free(m.file);
		rc = EXIT_OK;
		goto out;
	}
	if (store_media_list(s.st, s.media_dir, &list, &n, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	if (json) {
		json_t *a = json_array();
		char *dump;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, "
			    "s:I}", "sha256", list[i].sha256, "name",
			    list[i].name, "content_type", list[i].content_type,
			    "size", (json_int_t)list[i].size));
		dump = json_dumps(a, JSON_INDENT(2));
		printf("%s\n", dump);
		free(dump);
		json_decref(a);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%.12s  %10lld  %s\n", list[i].sha256,
			    (long long)list[i].size, list[i].name);
	}
	store_media_list_free(list, n);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
