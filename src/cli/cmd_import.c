/* SPDX-License-Identifier: ISC */
/*
 * cmd_import.c: `kiln import DIR`, a thin face over src/import/ (the
 * rules are in import.h): options in, the report out, as text (one
 * "FILE:LINE: reason" line per problem on stderr, a summary on stdout)
 * or as JSON (--json).  Exit 1 if any file failed or conflicted.
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "import/import.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt import_opts[] = {
	{ 'n', "dry-run", 0, NULL, "Say what would be created, updated, "
	    "removed and skipped, and why; change nothing.", NULL, false },
	{ 'j', "json", 0, NULL, "Print the report as JSON.", NULL, false },
	{ 'd', "draft", 0, NULL, "Import every page as a draft, whatever "
	    "its front matter says.", NULL, false },
	{ 'f', "force", 0, NULL, "Overwrite pages edited in kiln since their "
	    "last import.", NULL, false },
	{ 'p', "prune", 0, NULL, "Remove pages imported from DIR whose file "
	    "is gone.", NULL, false },
	{ 'm', "max-deletes", 0, "N", "Refuse to prune more than N pages.",
	    "50", false },
	{ 'P', "prefix", 0, "PATH", "Import under this page path "
	    "(docs/).", NULL, false },
	CLI_OPT_END
};

static const char *const import_examples[] = {
	"kiln import ~/my-hugo-site   # content/, static/ and hugo.toml",
	"kiln import ~/old-site/content --dry-run",
	"kiln import ~/docs-site --prefix docs/ --prune", NULL
};

const struct cli_cmd cli_cmd_import = {
	"import", "DIR", "Import a Hugo site or content tree into the store.",
	"DIR is a Hugo site root (its content/, static/ and hugo.toml or "
	"config.* are found and named) or a content tree. Paths are made as "
	"Hugo makes them: lowercased, slug and url from the front matter, "
	"_index.md sections, leaf bundles (x/index.md is /x/) whose files "
	"become media. Front matter in YAML (---), TOML (+++) or JSON ({); "
	"publishDate schedules, expiryDate expires, keys kiln has no field "
	"for are kept as params. See docs/migrating-from-hugo.md.\n\n"
	"Re-importing is a sync: unchanged files do nothing, a page edited "
	"in kiln since its last import is a conflict unless --force, and "
	"--prune removes pages whose file is gone. Problems are reported "
	"FILE:LINE: reason; the exit status is 1 if any file failed or "
	"conflicted. -v names every page.",
	import_opts, import_examples, NULL, cmd_import, false
};

static void
print_item(json_t *it)
{
	const char *action = json_string_value(json_object_get(it, "action"));
	const char *file = json_string_value(json_object_get(it, "file"));
	const char *page = json_string_value(json_object_get(it, "page"));
	const char *why = json_string_value(json_object_get(it, "reason"));
	int line = (int)json_integer_value(json_object_get(it, "line"));

	if (!strcmp(action, "created") || !strcmp(action, "updated") ||
	    !strcmp(action, "unchanged") || !strcmp(action, "removed")) {
		if (cli_out.verbose > 0 || !strcmp(action, "removed"))
			printf("%s %s (%s)\n", action, page, why);
		return;
	}
	if (!strcmp(action, "info")) {
		cli_info("%s\n", why);
		return;
	}
	if (file && line)
		fprintf(stderr, "%s:%d: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	else
		fprintf(stderr, "kiln: ");
	if (!strcmp(action, "warning"))
		fprintf(stderr, "warning: ");
	else if (!strcmp(action, "conflict"))
		fprintf(stderr, "conflict: ");
	else if (!strcmp(action, "skipped"))
		fprintf(stderr, "skipped: ");
	if (page && strcmp(action, "failed"))
		fprintf(stderr, "%s: ", page);
	fprintf(stderr, "%s\n", why);
}

int
site_import(struct site *s, const char *dir, bool verbose, size_t *failed,
    struct buf *err)
{
	struct import_opts o;
	struct import_report r;
	char nfiles[32];
	size_t i;
	json_t *it;
	int saved = cli_out.verbose;
	char *sd, *td;

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.media_dir = s->media_dir;
	o.actor = cli_actor();
	o.now = time_now();
	o.max_deletes = 50;
	o.static_dir = sd = conf_path(s->conf, "static");
	o.templates_dir = td = conf_path(s->conf, "templates");
	if (import_run(s->st, &o, &r, err) == -1) {
		free(sd);
		free(td);
		return -1;
	}
	if (verbose && cli_out.verbose < 1)
		cli_out.verbose = 1;
	json_array_foreach(r.items, i, it)
		print_item(it);
	cli_out.verbose = saved;
	cli_info("imported %s: %zu created, %zu updated, %zu unchanged, "
	    "%zu failed\n", cli_count(nfiles, sizeof(nfiles),
	    (long long)r.files, "file", NULL), r.created, r.updated,
	    r.unchanged, r.failed);
	*failed = r.failed + r.conflicts;
	import_report_release(&r);
	free(sd);
	free(td);
	return 0;
}

int
cmd_import(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct import_opts o;
	struct import_report r;
	struct site s;
	bool json = false;
	char *static_dir = NULL, *templates_dir = NULL, *end;
	char nfiles[32];
	size_t i;
	json_t *it;
	int c, rc;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.max_deletes = 50;
	while ((c = cli_getopt(&cli_cmd_import, argc, argv)) != -1) {
		switch (c) {
		case 'n':
			o.dry_run = true;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			o.draft = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'p':
			o.prune = true;
			break;
		case 'm':
			errno = 0;
			o.max_deletes = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg ||
			    o.max_deletes < 0)
				return cli_error("--max-deletes: '%s' is not "
				    "a number of pages", optarg);
			break;
		case 'P':
			o.prefix = optarg;
			break;
		default:
			return cli_bad_usage(&cli_cmd_import);
		}
	}
	if (optind != argc - 1)
		return cli_bad_usage(&cli_cmd_import);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	o.dir = argv[optind];
	o.media_dir = s.media_dir;
	o.static_dir = static_dir = conf_path(s.conf, "static");
	o.templates_dir = templates_dir = conf_path(s.conf, "templates");
	o.conf_file = s.conf->file;
	o.actor = cli_actor();
	o.now = time_now();
	if (import_run(s.st, &o, &r, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		json_t *j = import_report_json(&r);
		char *d;
		json_object_set_new(j, "dry_run", json_boolean(o.dry_run));
		json_object_set_new(j, "dir", json_string(o.dir));
		d = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", d);
		free(d);
		json_decref(j);
	} else {
		json_array_foreach(r.items, i, it)
			print_item(it);
		cli_info("%s %s: %zu created, %zu updated, %zu unchanged, "
		    "%zu skipped, %zu conflicts, %zu removed, %zu failed\n",
		    o.dry_run ? "dry run, would import" : "imported",
		    cli_count(nfiles, sizeof(nfiles), (long long)r.files,
		    "file", NULL), r.created, r.updated, r.unchanged,
		    r.skipped, r.conflicts, r.removed, r.failed);
	}
	rc = r.failed || r.conflicts ? EXIT_FAIL : EXIT_OK;
out:
	import_report_release(&r);
	free(static_dir);
	free(templates_dir);
	site_close(&s);
	buf_release(&err);
	return rc;
}
