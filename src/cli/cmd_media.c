/* SPDX-License-Identifier: ISC */
/*
 * cmd_media.c: `kiln media add FILE [--name NAME]` stores a file by its
 * SHA-256; `kiln media list [--json]`.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/mediatype.h"
#include "conf/conf.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt add_opts[] = {
	{ 'n', "name", 0, "NAME", "Store the file under NAME.",
	    "the file's own name", false },
	CLI_OPT_END
};

static const struct cli_opt list_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const char *const add_ex[] = {
	"kiln media add photos/town-hall.jpg",
	"kiln media add scan.pdf --name minutes-2026-11.pdf", NULL
};

static const struct cli_cmd media_add = {
	"media add", "FILE", "Add a file to the media store.",
	"Stored by SHA-256 and published under a content-hash name; prints "
	"the hash, the name and the size.", add_opts, add_ex, NULL, NULL,
	false
};
static const struct cli_cmd media_list = {
	"media list", "", "Every media file: hash, size, name.", NULL,
	list_opts, NULL, NULL, NULL, false
};
static const struct cli_cmd *const media_subs[] = {
	&media_add, &media_list, NULL
};

const struct cli_cmd cli_cmd_media = {
	"media", NULL, "Media files (images, documents): add, list.", NULL,
	NULL, NULL, media_subs, cmd_media, false
};

int
cmd_media(int argc, char **argv)
{
	const struct cli_cmd *sc;
	char size[32];
	struct buf err = BUF_INIT;
	struct site s;
	struct media_info m, *list = NULL;
	const char *sub, *name = NULL;
	bool json = false;
	size_t n = 0;
	int ch, rc = EXIT_FAIL;

	if (!(sc = cli_subcommand(&cli_cmd_media, &argc, &argv, &sub)))
		return cli_bad_usage(&cli_cmd_media);
	while ((ch = cli_getopt(sc, argc, argv)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'n')
			name = optarg;
		else
			return cli_bad_usage(sc);
	}
	if (!((!strcmp(sub, "add") && optind == argc - 1) ||
	    (!strcmp(sub, "list") && optind == argc)))
		return cli_bad_usage(sc);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (!strcmp(sub, "add")) {
		const char *base = strrchr(argv[optind], '/');
		if (mediatype_file_ok(argv[optind], name ? name : base ?
		    base + 1 : argv[optind], s.conf->media.max_size,
		    &err) == -1 || store_media_add(s.st, s.media_dir, argv[optind], name,
		    cli_actor(), &m, &err) == -1) {
			cli_fail(&err);
			goto out;
		}
		printf("%s %s %s\n", m.sha256, m.name, cli_size(size,
		    sizeof(size), (long long)m.size));
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
			printf("%.12s  %10s  %s\n", list[i].sha256,
			    cli_size(size, sizeof(size),
			    (long long)list[i].size), list[i].name);
	}
	store_media_list_free(list, n);
	rc = EXIT_OK;
out:
	site_close(&s);
	buf_release(&err);
	return rc;
}
