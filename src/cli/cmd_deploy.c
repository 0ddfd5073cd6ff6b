/* SPDX-License-Identifier: ISC */
/*
 * cmd_deploy.c: `kiln deploy [--target NAME] [--dry-run] [--verify]
 * [--full] [--allow-deletes] [--json]` publishes the last build
 * (build.out).  The "deployed:" line is printed only when every
 * destination is in sync; a failure prints what was done and why.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "deploy/deploy.h"
#include "render/outdir.h"
#include "render/render.h"
#include "cli/cli.h"
#include "cli/site.h"

/* the progress bar on stderr, after every batch of transfers */
static void
progress(void *arg, const char *dest, size_t done, size_t total,
    int64_t bytes)
{
	int w = 30, fill = total ? (int)((double)done / (double)total * w) :
	    w;

	(void)arg;
	fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu objects %.1f MB ", dest, fill,
	    "##############################", w - fill, "", done, total,
	    (double)bytes / 1e6);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static void
print_plan(json_t *plan)
{
	size_t i;
	json_t *d;
	char n[32], sz[32];

	json_array_foreach(plan, i, d) {
		json_t *ph = json_object_get(d, "phases");
		const char *names[] = { "immutable", "other", "html" };
		printf("%s:\n", json_string_value(json_object_get(d,
		    "destination")));
		for (int k = 0; k < 3; k++) {
			json_t *p = json_object_get(ph, names[k]);
			printf("  phase %d %-9s %14s %12s\n", k + 1,
			    names[k], cli_count(n, sizeof(n), (long long)
			    json_integer_value(json_object_get(p, "objects")),
			    "object", NULL), cli_size(sz, sizeof(sz),
			    (long long)json_integer_value(json_object_get(p,
			    "bytes"))));
		}
		printf("  phase 4 %-9s %14s\n", "manifest", "1 object");
		printf("  phase 5 delete    %14s (%zu kept for the grace "
		    "period)\n", cli_count(n, sizeof(n), (long long)
		    json_array_size(json_object_get(d, "deletes")), "object",
		    NULL), json_array_size(json_object_get(d, "deferred")));
		/* -v: every object key, in the order they would go */
		if (cli_out.verbose >= 1) {
			size_t k;
			json_t *v;
			json_array_foreach(json_object_get(d, "put"), k, v)
				printf("  put    %s\n", json_string_value(v));
			json_array_foreach(json_object_get(d, "delete"), k, v)
				printf("  delete %s\n", json_string_value(v));
		}
	}
}

static const struct cli_opt deploy_opts[] = {
	{ 'a', "allow-deletes", 0, NULL,
	    "Delete even when more than max_deletes objects would go.", NULL,
	    false },
	{ 'n', "dry-run", 0, NULL,
	    "Print the plan (objects and sizes per phase; with -v or --json "
	    "every object key to put and delete); change nothing. Needs no "
	    "credentials: the plan comes from the store.", NULL, false },
	{ 'f', "full", 0, NULL,
	    "Send every object of the build whatever the deployed state "
	    "says (fingerprinted ones still create-if-absent).", NULL,
	    false },
	{ 'j', "json", 0, NULL, "Print the result as JSON.", NULL, false },
	{ 't', "target", 0, "NAME", "Deploy to the target NAME only.",
	    "every target of kiln.yaml (a staging one, content: latest, only "
	    "when named: its own build, kiln build --target NAME), in order",
	    false },
	{ 'v', "verify", 0, NULL,
	    "First list each destination and re-upload every object whose "
	    "content (MD5) differs from the build, fingerprinted ones "
	    "included (repairs drift).", NULL, false },
	CLI_OPT_END
};

static const char *const deploy_examples[] = {
	"kiln deploy --dry-run", "kiln deploy --target production --verify",
	NULL
};

const struct cli_cmd cli_cmd_deploy = {
	"deploy", "", "Upload what changed in the last build, in phases.",
	"Diffs the build's manifest against the target's last deployed one "
	"(no bucket listing), then uploads immutable assets, other files, "
	"HTML and the manifest; invalidates the CDN; deletes removed files "
	"last, after targets.NAME.delete_grace and under max_deletes "
	"(docs/deploying.md).", deploy_opts, deploy_examples, NULL,
	cmd_deploy, false
};

int
cmd_deploy(int argc, char **argv)
{
	struct deploy_opts o;
	struct deploy_result res;
	struct buf err = BUF_INIT, log = BUF_INIT;
	struct site s;
	const char *target = NULL;
	bool json = false;
	char *outdir, live[4096], size[32];
	int ch, rc, lockfd;

	if (cli_wants_help(argc, argv))
		return cli_usage("deploy", 0);
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	while ((ch = cli_getopt(&cli_cmd_deploy, argc, argv)) != -1) {
		switch (ch) {
		case 'a': o.allow_deletes = true; break;
		case 'n': o.dry_run = true; break;
		case 'f': o.full = true; break;
		case 'j': json = true; break;
		case 't': target = optarg; break;
		case 'v': o.verify = true; break;
		default: return cli_usage("deploy", 1);
		}
	}
	if (optind != argc)
		return cli_usage("deploy", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (!json && isatty(2) && cli_out.verbose >= 0)
		o.progress = progress;
	o.log = &log;
	/*
	 * Deploy the live folder itself, locked: a build running meanwhile
	 * waits, and one switched in before cannot change what is read.
	 */
	/* a staging target deploys its own build (0132) */
	if (target && conf_target(s.conf, target) && conf_target(s.conf,
	    target)->content == CONF_CONTENT_LATEST) {
		char *rel = render_staging_out(target);
		outdir = conf_path(s.conf, rel);
		free(rel);
	} else
		outdir = conf_path(s.conf, s.conf->build.out);
	if ((lockfd = outslot_read_lock(outdir, live, sizeof(live),
	    &err)) == -1)
		rc = -1;
	else
		rc = deploy_run(s.conf, s.st, target, live, &o, &res, &err);
	if (lockfd != -1)
		close(lockfd);
	if (!json && !o.progress && log.len)
		fprintf(stderr, "%s", log.buf);
	if (json) {
		json_t *j = json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, "
		    "s:O, s:O, s:O, s:O?}", "ok", rc == 0, "dry_run", o.dry_run,
		    "uploaded", (json_int_t)res.uploaded, "skipped",
		    (json_int_t)res.skipped, "deleted", (json_int_t)res.deleted,
		    "deferred", (json_int_t)res.deferred, "bytes",
		    (json_int_t)res.bytes, "ms", (json_int_t)res.ms, "plan",
		    res.plan, "changed", res.changed, "errors", res.errors,
		    "targets", res.targets);
		char *d = json_dumps(j, JSON_INDENT(2));
		printf("%s\n", d);
		free(d);
		json_decref(j);
	} else {
		if (o.dry_run)
			print_plan(res.plan);
		else if (rc == 0)
			cli_info("deployed: %zu uploaded, %zu already there, "
			    "%zu deleted, %zu deferred, %s, %lld ms\n",
			    res.uploaded, res.skipped, res.deleted,
			    res.deferred, cli_size(size, sizeof(size),
			    (long long)res.bytes), (long long)res.ms);
		else if (lockfd != -1)
			printf("deploy failed after %zu uploaded, %zu already "
			    "there, %zu deleted; the next deploy completes "
			    "it\n", res.uploaded, res.skipped, res.deleted);
	}
	if (rc == -1)
		cli_fail(&err);
	deploy_result_release(&res);
	site_close(&s);
	free(outdir);
	buf_release(&err);
	buf_release(&log);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
