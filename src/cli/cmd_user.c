/* SPDX-License-Identifier: ISC */
/*
 * cmd_user.c: accounts of the web admin.
 *   kiln user add NAME --role editor|publisher|admin [--password-file F]
 *   kiln user list [--json]
 *   kiln user passwd NAME [--password-file F]
 *   kiln user disable NAME
 * A password is read from standard input (asked for, without echo, twice
 * on a terminal) or from --password-file, never taken as an argument:
 * arguments show in ps and shell history.  The store keeps its Argon2id
 * hash (common/passwd.h).
 */
#include "common/compat.h"

#include <errno.h>
#include <getopt.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/passwd.h"
#include "store/store.h"
#include "store/store_user.h"
#include "cli/cli.h"
#include "cli/site.h"

static const struct cli_opt add_opts[] = {
	{ 'r', "role", 0, "editor|publisher|admin",
	    "What the user may do: editor (create, edit, submit for review), "
	    "publisher (also publish, unpublish, schedule, delete, roll back), "
	    "admin.", NULL, true },
	{ 'p', "password-file", 0, "FILE",
	    "Read the password from FILE (its first line) instead of standard "
	    "input.", "standard input", false },
	CLI_OPT_END
};
static const struct cli_opt passwd_opts[] = {
	{ 'p', "password-file", 0, "FILE",
	    "Read the password from FILE (its first line) instead of standard "
	    "input.", "standard input", false },
	CLI_OPT_END
};
static const struct cli_opt list_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};

static const char *const add_ex[] = {
	"kiln user add alice --role publisher < alice.pw",
	"kiln user add bob --role editor --password-file bob.pw", NULL
};

static const struct cli_cmd user_add_cmd = {
	"user add", "NAME", "Make an account of the web admin.",
	"The password (at least 8 characters) is read from standard input, "
	"or from --password-file; never from an argument. The store keeps "
	"its Argon2id hash.", add_opts, add_ex, NULL, NULL, false
};
static const struct cli_cmd user_list_cmd = {
	"user list", "", "Every account: name, role, disabled, created, last "
	"login; never a hash.", NULL, list_opts, NULL, NULL, NULL, false
};
static const struct cli_cmd user_passwd_cmd = {
	"user passwd", "NAME", "Set a new password.",
	"Read as for user add. Every session of the user ends.", passwd_opts,
	NULL, NULL, NULL, false
};
static const struct cli_cmd user_disable_cmd = {
	"user disable", "NAME", "Stop an account from logging in.",
	"Every session of the user ends at once; the account and its name "
	"in the audit log stay.", NULL, NULL, NULL, NULL, false
};
static const struct cli_cmd *const user_subs[] = {
	&user_add_cmd, &user_list_cmd, &user_passwd_cmd, &user_disable_cmd,
	NULL
};

const struct cli_cmd cli_cmd_user = {
	"user", NULL, "Accounts of the web admin: add, list, passwd, disable.",
	NULL, NULL, NULL, user_subs, cmd_user, false
};

/* one line of F without its line break; -1 with err */
static int
read_line(FILE *f, const char *what, struct buf *pw, struct buf *err)
{
	int c;

	buf_reset(pw);
	while ((c = getc(f)) != EOF && c != '\n') {
		if (pw->len > PASSWD_MAX_LEN) {
			buf_setf(err, "%s: the password is longer than %d "
			    "bytes", what, PASSWD_MAX_LEN);
			return -1;
		}
		buf_addch(pw, (char)c);
	}
	if (pw->len && pw->buf[pw->len - 1] == '\r')
		pw->buf[--pw->len] = '\0';
	if (ferror(f)) {
		buf_setf(err, "%s: cannot read the password", what);
		return -1;
	}
	return 0;
}

/* ask on the terminal without echo */
static int
ask(const char *prompt, struct buf *pw, struct buf *err)
{
	struct termios old, quiet;
	int rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) == -1)
		return read_line(stdin, "standard input", pw, err);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = read_line(stdin, "standard input", pw, err);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* the new password's hash into HASH; -1 with err */
static int
new_password(const char *file, char hash[PASSWD_ENCODED_MAX], struct buf *err)
{
	struct buf pw = BUF_INIT, again = BUF_INIT;
	int rc = -1;

	if (file) {
		FILE *f = fopen(file, "r");
		if (!f) {
			buf_setf(err, "--password-file: cannot open '%s': %s",
			    file, strerror(errno));
			return -1;
		}
		rc = read_line(f, file, &pw, err);
		fclose(f);
		if (rc == -1)
			goto out;
		rc = -1;
	} else if (isatty(STDIN_FILENO)) {
		if (ask("Password: ", &pw, err) == -1 ||
		    ask("Again: ", &again, err) == -1)
			goto out;
		if (pw.len != again.len || (pw.len && memcmp(pw.buf,
		    again.buf, pw.len))) {
			buf_setf(err, "the passwords differ");
			goto out;
		}
	} else if (read_line(stdin, "standard input", &pw, err) == -1)
		goto out;
	if (passwd_policy(pw.len ? pw.buf : "", pw.len, err) == -1 ||
	    passwd_hash(pw.buf, pw.len, hash, err) == -1)
		goto out;
	rc = 0;
out:
	if (pw.buf)
		explicit_bzero(pw.buf, pw.len);
	if (again.buf)
		explicit_bzero(again.buf, again.len);
	buf_release(&pw);
	buf_release(&again);
	return rc;
}

static int
user_add(struct site *s, int argc, char **argv, struct buf *err)
{
	const char *role = NULL, *file = NULL;
	char hash[PASSWD_ENCODED_MAX];
	int ch;

	while ((ch = cli_getopt(&user_add_cmd, argc, argv)) != -1) {
		if (ch == 'r')
			role = optarg;
		else if (ch == 'p')
			file = optarg;
		else
			return cli_bad_usage(&user_add_cmd);
	}
	if (!role || optind != argc - 1)
		return cli_bad_usage(&user_add_cmd);
	if (user_name_check(argv[optind], err) == -1)
		return cli_fail(err);
	if (strcmp(role, "editor") && strcmp(role, "publisher") &&
	    strcmp(role, "admin")) {
		buf_setf(err, "--role: expected editor, publisher or admin");
		return cli_fail(err);
	}
	if (new_password(file, hash, err) == -1 ||
	    store_user_add(s->st, argv[optind], role, hash, cli_actor(),
	    err) == -1)
		return cli_fail(err);
	cli_info("added %s '%s'\n", role, argv[optind]);
	return EXIT_OK;
}

static int
user_passwd(struct site *s, int argc, char **argv, struct buf *err)
{
	const char *file = NULL;
	char hash[PASSWD_ENCODED_MAX];
	struct user_info u;
	int ch;

	while ((ch = cli_getopt(&user_passwd_cmd, argc, argv)) != -1) {
		if (ch == 'p')
			file = optarg;
		else
			return cli_bad_usage(&user_passwd_cmd);
	}
	if (optind != argc - 1)
		return cli_bad_usage(&user_passwd_cmd);
	/* say "no such user" before asking for a password */
	if (store_user_get(s->st, argv[optind], &u, err) != 0)
		return cli_fail(err);
	explicit_bzero(u.hash, sizeof(u.hash));
	if (new_password(file, hash, err) == -1 ||
	    store_user_passwd(s->st, argv[optind], hash, cli_actor(),
	    err) != 0)
		return cli_fail(err);
	cli_info("changed the password of '%s'\n", argv[optind]);
	return EXIT_OK;
}

static int
user_disable(struct site *s, int argc, char **argv, struct buf *err)
{
	if (cli_getopt(&user_disable_cmd, argc, argv) != -1 ||
	    optind != argc - 1)
		return cli_bad_usage(&user_disable_cmd);
	if (store_user_disable(s->st, argv[optind], cli_actor(), err) != 0)
		return cli_fail(err);
	cli_info("disabled '%s'\n", argv[optind]);
	return EXIT_OK;
}

static int
user_list(struct site *s, int argc, char **argv, struct buf *err)
{
	bool as_json;
	json_t *a = NULL, *u;
	size_t i;
	int rc;

	if ((rc = cli_json_only(&user_list_cmd, argc, argv, &as_json)) != -1)
		return rc;
	if (store_user_list(s->st, &a, err) == -1)
		return cli_fail(err);
	if (as_json) {
		cli_print_json(a);
	} else {
		printf("%-24s %-10s %-21s %s\n", "NAME", "ROLE", "CREATED",
		    "LAST LOGIN");
		json_array_foreach(a, i, u)
			printf("%-24s %-10s %-21s %s%s\n",
			    json_string_value(json_object_get(u, "name")),
			    json_string_value(json_object_get(u, "role")),
			    cli_or_never(json_object_get(u, "created")),
			    cli_or_never(json_object_get(u, "last_login")),
			    json_is_true(json_object_get(u, "disabled")) ?
			    " (disabled)" : "");
	}
	json_decref(a);
	return EXIT_OK;
}

static const struct site_verb user_verbs[] = {
	{ &user_add_cmd, user_add },
	{ &user_list_cmd, user_list },
	{ &user_passwd_cmd, user_passwd },
	{ &user_disable_cmd, user_disable },
	{ NULL, NULL }
};

int
cmd_user(int argc, char **argv)
{
	if (!cli_sub(&cli_cmd_user, argc >= 2 ? argv[1] : NULL))
		return cli_bad_usage(&cli_cmd_user);
	/*
	 * getopt_long takes "--password" for "--password-file": the
	 * password typed there would be read as a file name and echoed in
	 * the error.  Refuse it before anything reads it.
	 */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], "--p", 3) && strncmp(argv[i],
		    "--password-file", strcspn(argv[i], "=")) == 0 &&
		    strcspn(argv[i], "=") < strlen("--password-f")) {
			cli_error("a password is read from standard input or "
			    "--password-file FILE, never from an argument");
			return EXIT_USAGE;
		}
	return site_run_verb(&cli_cmd_user, user_verbs, argc, argv);
}
