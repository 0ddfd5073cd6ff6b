/* SPDX-License-Identifier: ISC */
/*
 * site.c: opening a site project.  Its kiln.yaml is -c FILE, else
 * $KILN_CONFIG, else the first kiln.yaml found in the current folder or
 * one of its parents, as git finds .git (the global -C has already
 * changed folder).  Paths inside are relative to the file's folder
 * (conf_path), so the current folder stays where the user is and their
 * relative arguments keep their meaning.
 * (docs/decisions/0091-config-discovery.md)
 */
#include "common/compat.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_secrets.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

#define CONF_NAME	"kiln.yaml"
#define MAX_PARENTS	128

static char *
named(const char *file, const char *how, struct buf *err)
{
	if (access(file, R_OK) == -1) {
		buf_setf(err, "cannot open '%s' (%s): %s", file, how,
		    strerror(errno));
		return NULL;
	}
	return xstrdup(file);
}

char *
site_find_config(struct buf *err)
{
	const char *env = getenv("KILN_CONFIG");
	char cwd[PATH_MAX], *p;
	struct buf rel = BUF_INIT, looked = BUF_INIT;
	char *found = NULL;

	if (cli_out.config)
		return named(cli_out.config, "-c", err);
	if (env && *env)
		return named(env, "KILN_CONFIG", err);
	if (!getcwd(cwd, sizeof(cwd))) {
		buf_setf(err, "cannot open '" CONF_NAME "': the current folder "
		    "is unknown: %s", strerror(errno));
		return NULL;
	}
	/* ./kiln.yaml, ../kiln.yaml, ...: relative, as the user would type */
	for (int up = 0; up < MAX_PARENTS; up++) {
		buf_reset(&rel);
		for (int i = 0; i < up; i++)
			buf_adds(&rel, "../");
		buf_adds(&rel, CONF_NAME);
		if (access(rel.buf, F_OK) == 0) {
			found = buf_detach(&rel, NULL);
			break;
		}
		buf_printf(&looked, "%s%s", looked.len ? ", " : "", cwd);
		if (strcmp(cwd, "/") == 0)
			break;
		p = strrchr(cwd, '/');
		p[p == cwd ? 1 : 0] = '\0';
	}
	if (found)
		cli_verbose("kiln: using %s\n", found);
	else
		buf_setf(err, "cannot open '" CONF_NAME "': looked in %s\n"
		    "not in a kiln site: run 'kiln init' to make one here, or "
		    "name a kiln.yaml with -c FILE or KILN_CONFIG", looked.buf);
	buf_release(&rel);
	buf_release(&looked);
	return found;
}

int
site_open(struct site *s, struct buf *err)
{
	return site_open_flags(s, -1, err);
}

int
site_open_flags(struct site *s, int flags, struct buf *err)
{
	char *file;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!(file = site_find_config(err)))
		return -1;
	s->conf = conf_load(file, err);
	free(file);
	if (!s->conf)
		return -1;
	conf_register_secrets(s->conf);
	log_setformat_default((enum log_format)s->conf->log.format);
	rc = flags == -1 ? store_open_conf(s->conf, &s->st, err) :
	    store_open_conf_flags(s->conf, flags, &s->st, err);
	if (rc == -1) {
		site_close(s);
		return -1;
	}
	s->media_dir = conf_path(s->conf, ".kiln/media");
	return 0;
}

void
site_close(struct site *s)
{
	store_close(s->st);
	conf_free(s->conf);
	free(s->media_dir);
	memset(s, 0, sizeof(*s));
}

int
site_run_verb(const struct cli_cmd *c, const struct site_verb *verbs,
    int argc, char **argv)
{
	const struct cli_cmd *sc;
	const struct site_verb *v;
	const char *sub;
	struct buf err = BUF_INIT;
	struct site s;
	int rc;

	if (!(sc = cli_subcommand(c, &argc, &argv, &sub)))
		return cli_bad_usage(c);
	for (v = verbs; v->cmd && v->cmd != sc; v++)
		;
	if (!v->cmd)
		return cli_bad_usage(c);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	rc = v->fn(&s, argc, argv, &err);
	site_close(&s);
	buf_release(&err);
	return rc;
}

const char *
cli_actor(void)
{
	const char *a = getenv("KILN_USER");

	if (!a || !*a)
		a = getenv("USER");
	return a && *a ? a : "cli";
}

int
cli_fail(const struct buf *err)
{
	const char *p = err->buf, *nl;

	if (!err->len)
		return cli_error("failed");
	while (*p) {
		nl = strchr(p, '\n');
		fprintf(stderr, "kiln: %.*s\n", (int)(nl ? nl - p :
		    (ptrdiff_t)strlen(p)), p);
		if (!nl)
			break;
		p = nl + 1;
	}
	return EXIT_FAIL;
}
