/* SPDX-License-Identifier: ISC */
/*
 * cmd_token.c: API tokens.
 *   kiln token create --name NAME [--role editor|publisher|admin]
 *       [--expires DURATION|TIME]   prints a new token once; the store
 *                                   keeps its SHA-256 only
 *   kiln token list [--json]        name, role, created, last used,
 *                                   expires; never the secret
 *   kiln token revoke NAME          the daemon refuses it from then on
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "store/store_token.h"
#include "cli/cli.h"
#include "cli/site.h"

/* --expires: a duration from now ("30d", "12h") or an ISO 8601 time */
static int
parse_expires(const char *s, int64_t *at, struct buf *err)
{
	int64_t v;

	if (duration_parse(s, &v) == 0) {
		if (v <= 0) {
			buf_setf(err, "--expires: expected a duration above "
			    "zero");
			return -1;
		}
		*at = time_now() + v;
		return 0;
	}
	if (time_parse_iso8601(s, &v) == 0) {
		*at = v;
		return 0;
	}
	buf_setf(err, "--expires: expected a duration (30d, 12h) or an "
	    "ISO 8601 time (2027-01-31T12:00:00Z)");
	return -1;
}

static const struct cli_opt create_opts[] = {
	{ 'n', "name", 0, "NAME", "The token's name (for list and revoke).",
	    NULL, true },
	{ 'r', "role", 0, "editor|publisher|admin",
	    "What it may do: editor (create, edit), publisher (also publish, "
	    "unpublish, schedule, delete, request builds), admin.", "editor",
	    false },
	{ 'e', "expires", 0, "DURATION|TIME",
	    "Stop working after a duration (30d, 12h) or at an ISO 8601 time.",
	    "never", false },
	CLI_OPT_END
};
static const struct cli_opt list_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const char *const create_ex[] = {
	"kiln token create --name cms --role publisher --expires 90d", NULL
};

static const struct cli_cmd token_create_cmd = {
	"token create", "", "Make an API token and print it, once.",
	"The store keeps only its SHA-256. Send it as Authorization: Bearer "
	"TOKEN.", create_opts, create_ex, NULL, NULL, false
};
static const struct cli_cmd token_list_cmd = {
	"token list", "", "Every token: name, role, created, last used, "
	"expires; never the secret.",
	"Last use is recorded at most once a minute.", list_opts, NULL, NULL,
	NULL, false
};
static const struct cli_cmd token_revoke_cmd = {
	"token revoke", "NAME", "Delete a token.",
	"A running daemon refuses it (401) from its next request.", NULL,
	NULL, NULL, NULL, false
};
static const struct cli_cmd *const token_subs[] = {
	&token_create_cmd, &token_list_cmd, &token_revoke_cmd, NULL
};

const struct cli_cmd cli_cmd_token = {
	"token", NULL, "API tokens: create, list, revoke.", NULL, NULL, NULL,
	token_subs, cmd_token, false
};

static int
token_create(struct site *s, int argc, char **argv, struct buf *err)
{
	const char *name = NULL, *role = "editor", *expires = NULL;
	int64_t at = 0;
	char token[65];
	int ch;

	while ((ch = cli_getopt(&token_create_cmd, argc, argv)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if (ch == 'r')
			role = optarg;
		else if (ch == 'e')
			expires = optarg;
		else
			return cli_bad_usage(&token_create_cmd);
	}
	if (!name || optind != argc)
		return cli_bad_usage(&token_create_cmd);
	if (expires && parse_expires(expires, &at, err) == -1)
		return cli_fail(err);
	if (store_token_create(s->st, name, role, at, token, err) == -1)
		return cli_fail(err);
	printf("%s\n", token);
	explicit_bzero(token, sizeof(token));
	return EXIT_OK;
}

static int
token_list(struct site *s, int argc, char **argv, struct buf *err)
{
	bool as_json;
	json_t *a = NULL, *t;
	size_t i;
	int rc;

	if ((rc = cli_json_only(&token_list_cmd, argc, argv, &as_json)) != -1)
		return rc;
	if (store_token_list(s->st, &a, err) == -1)
		return cli_fail(err);
	if (as_json) {
		cli_print_json(a);
	} else {
		printf("%-24s %-10s %-21s %-21s %s\n", "NAME", "ROLE",
		    "CREATED", "LAST USED", "EXPIRES");
		json_array_foreach(a, i, t)
			printf("%-24s %-10s %-21s %-21s %s%s\n",
			    json_string_value(json_object_get(t, "name")),
			    json_string_value(json_object_get(t, "role")),
			    cli_or_never(json_object_get(t, "created")),
			    cli_or_never(json_object_get(t, "last_used")),
			    cli_or_never(json_object_get(t, "expires")),
			    json_is_true(json_object_get(t, "expired")) ?
			    " (expired)" : "");
	}
	json_decref(a);
	return EXIT_OK;
}

static int
token_revoke(struct site *s, int argc, char **argv, struct buf *err)
{
	if (cli_getopt(&token_revoke_cmd, argc, argv) != -1 ||
	    optind != argc - 1)
		return cli_bad_usage(&token_revoke_cmd);
	if (store_token_revoke(s->st, argv[optind], err) != 0)
		return cli_fail(err);
	cli_info("revoked token '%s'\n", argv[optind]);
	return EXIT_OK;
}

static const struct site_verb token_verbs[] = {
	{ &token_create_cmd, token_create },
	{ &token_list_cmd, token_list },
	{ &token_revoke_cmd, token_revoke },
	{ NULL, NULL }
};

int
cmd_token(int argc, char **argv)
{
	return site_run_verb(&cli_cmd_token, token_verbs, argc, argv);
}
