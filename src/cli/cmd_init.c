/* SPDX-License-Identifier: ISC */
/*
 * cmd_init.c: `kiln init [DIR] [--demo]` writes a new site project from
 * the files embedded in the binary (share/skel: kiln.yaml, templates/,
 * static/); --demo adds share/demo (content/, media/) and imports it.
 * It never overwrites an existing kiln.yaml.
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/skel.h"
#include "common/xmalloc.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static int
write_tree(const char *dir, const char *prefix, struct buf *err)
{
	size_t plen = strlen(prefix);

	for (const struct skel_file *f = skel_files; f->name; f++) {
		char *path;
		int rc;

		if (strncmp(f->name, prefix, plen) != 0 ||
		    strstr(f->name, "/.keep"))
			continue;
		path = xasprintf("%s/%s", dir, f->name + plen);
		rc = mkdir_parent(path, err) == -1 ? -1 :
		    file_write(path, f->data, f->len, err);
		free(path);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
add_demo_media(struct site *s, struct buf *err)
{
	for (const struct skel_file *f = skel_files; f->name; f++) {
		char *file;
		int rc;

		if (strncmp(f->name, "demo/media/", 11) != 0)
			continue;
		file = xasprintf("media/%s", f->name + 11);
		rc = store_media_add(s->st, s->media_dir, file, NULL,
		    cli_actor(), NULL, err);
		free(file);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static const struct cli_opt init_opts[] = {
	{ 'd', "demo", 0, NULL,
	    "Add a sample council site: content (imported), media and "
	    "templates.", NULL, false },
	CLI_OPT_END
};

static const char *const init_examples[] = {
	"kiln init mysite && cd mysite && kiln build",
	"kiln init --demo /tmp/demo", NULL
};

const struct cli_cmd cli_cmd_init = {
	"init", "[DIR]", "Make a new site project: kiln.yaml, templates/, "
	"static/.", "DIR (default: the current folder) is created if needed; "
	"an existing kiln.yaml is never overwritten.", init_opts,
	init_examples, NULL, cmd_init, false
};

int
cmd_init(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct site s;
	const char *dir = ".";
	char *yaml = NULL;
	bool demo = false;
	size_t failed = 0;
	int ch, rc = EXIT_FAIL;

	while ((ch = cli_getopt(&cli_cmd_init, argc, argv)) != -1) {
		if (ch != 'd')
			return cli_bad_usage(&cli_cmd_init);
		demo = true;
	}
	if (optind < argc - 1)
		return cli_bad_usage(&cli_cmd_init);
	if (optind == argc - 1)
		dir = argv[optind];
	yaml = xasprintf("%s/kiln.yaml", dir);
	if (file_exists(yaml)) {
		cli_error("'%s' already exists: not overwriting a site", yaml);
		goto out;
	}
	if (mkdir_p(dir, &err) == -1 || write_tree(dir, "skel/", &err) == -1 ||
	    (demo && write_tree(dir, "demo/", &err) == -1)) {
		cli_fail(&err);
		goto out;
	}
	if (chdir(dir) == -1) {
		cli_error("cannot change to '%s': %s", dir, strerror(errno));
		goto out;
	}
	cli_out.config = "kiln.yaml";	/* the new one, whatever else is set */
	if (site_open(&s, &err) == -1) {
		cli_fail(&err);
		goto out;
	}
	if (demo && (add_demo_media(&s, &err) == -1 ||
	    site_import(&s, "content", false, &failed, &err) == -1)) {
		cli_fail(&err);
		site_close(&s);
		goto out;
	}
	site_close(&s);
	cli_info("initialised a kiln site in %s\n", dir);
	rc = failed ? EXIT_FAIL : EXIT_OK;
out:
	free(yaml);
	buf_release(&err);
	return rc;
}
