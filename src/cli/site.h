/* SPDX-License-Identifier: ISC */
/*
 * site.h: what most commands share: ./kiln.yaml loaded, the store open,
 * and the actor for the audit log.
 */
#ifndef KILN_SITE_H
#define KILN_SITE_H

struct buf;
struct conf;
struct store;

struct site {
	struct conf *conf;
	struct store *st;
	char *media_dir;	/* absolute: .kiln/media */
};

/* load ./kiln.yaml and open its store; -1 with err (every config error) */
int site_open(struct site *s, struct buf *err);
/* the same with store_open_conf_flags() FLAGS (STORE_OPEN_*) */
int site_open_flags(struct site *s, int flags, struct buf *err);
void site_close(struct site *s);

struct cli_cmd;

/* a subcommand that works on the open site; argv[0] is its name */
struct site_verb {
	const struct cli_cmd *cmd;	/* NULL ends a list */
	int (*fn)(struct site *s, int argc, char **argv, struct buf *err);
};
/*
 * Run the verb of C that argv[1] names (cli_subcommand) on the site,
 * opened for it and closed after: its exit status, or C's usage error
 * when argv[1] names none.
 */
int site_run_verb(const struct cli_cmd *c, const struct site_verb *verbs,
    int argc, char **argv);
/*
 * The site's kiln.yaml: -c FILE, $KILN_CONFIG, or the nearest kiln.yaml in
 * this folder or a parent ("kiln.yaml", "../kiln.yaml"...).  Malloc'd;
 * NULL with err saying where it looked and what to do.
 */
char *site_find_config(struct buf *err);
/* $KILN_USER, else $USER, else "cli" */
const char *cli_actor(void);
/* print err (one message per line) as "kiln: ..." lines, return EXIT_FAIL */
int cli_fail(const struct buf *err);
/*
 * Import a Hugo-style content tree into the store (kiln import).  Errors
 * in single files are printed and counted in *failed; -1 on a store error.
 */
int site_import(struct site *s, const char *dir, bool verbose,
    size_t *failed, struct buf *err);

#endif
