/* SPDX-License-Identifier: ISC */
/*
 * site.c: opening a site project from the current folder (the global -C
 * has already changed to it).
 */
#include "common/compat.h"

#include "common/buf.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_secrets.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

int
site_open(struct site *s, struct buf *err)
{
	memset(s, 0, sizeof(*s));
	if (!(s->conf = conf_load("kiln.yaml", err)))
		return -1;
	conf_register_secrets(s->conf);
	if (store_open_conf(s->conf, &s->st, err) == -1) {
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
