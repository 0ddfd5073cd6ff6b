/* SPDX-License-Identifier: ISC */
/*
 * cmd_page.c: `kiln page list|show|new|edit|publish|unpublish|schedule|
 * delete`.  Reads take --json.  Every write is one store transaction
 * with its audit row and, when the live site changes, its build request.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/jsonsafe.h"
#include "common/limits.h"
#include "common/timeutil.h"
#include "store/store.h"
#include "cli/cli.h"
#include "cli/site.h"

static void
print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2));

	printf("%s\n", s);
	free(s);
	json_decref(v);
}

static int
parse_time_arg(const char *name, const char *s, int64_t *t)
{
	if (!strcmp(s, "none") || !strcmp(s, "")) {
		*t = -1;
		return 0;
	}
	if (time_parse_iso8601(s, t) == -1) {
		cli_error("--%s: '%s' is not an ISO 8601 time "
		    "(2026-11-24T14:50:00Z)", name, s);
		return -1;
	}
	return 0;
}

static int
page_list(struct site *s, bool json, struct buf *err)
{
	struct page_info *l;
	size_t n;

	if (store_page_list(s->st, &l, &n, err) == -1)
		return -1;
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, page_info_json(&l[i]));
		print_json(a);
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *c = !strncmp(l[i].status, "live", 4) ?
			    CLI_GREEN : !strcmp(l[i].status, "draft") ?
			    CLI_YELLOW : "";
			printf("%-40s %s%-17s%s %s\n", l[i].path[0] ?
			    l[i].path : "/", *c ? cli_sgr(stdout, c) : "",
			    l[i].status, *c ? cli_sgr(stdout, CLI_RESET) : "",
			    l[i].title);
		}
	}
	store_page_list_free(l, n);
	return 0;
}

static int
page_show(struct site *s, const char *path, bool json, struct buf *err)
{
	struct page_info p;
	struct revision_info r;
	json_t *o;
	int got;

	if ((got = store_page_get(s->st, path, &p, err)) != 0) {
		if (got == 1)
			buf_setf(err, "no page at '%s'", path);
		return -1;
	}
	if (store_revision_get(s->st, p.latest_revision, &r, err) == -1) {
		page_info_release(&p);
		return -1;
	}
	o = page_info_json(&p);
	json_object_set_new(o, "summary", json_string(r.summary));
	json_object_set_new(o, "date", jsafe_time(r.date));
	json_object_set(o, "tags", r.tags);
	json_object_set(o, "params", r.extra);
	json_object_set_new(o, "body", json_string(r.body));
	if (json)
		print_json(o);
	else {
		printf("path:    /%s\ntitle:   %s\nstatus:  %s\n", p.path,
		    p.title, p.status);
		if (p.go_live_at)
			printf("go-live: %s\n", json_string_value(
			    json_object_get(o, "go_live_at")));
		if (p.expire_at)
			printf("expires: %s\n", json_string_value(
			    json_object_get(o, "expire_at")));
		printf("\n%s", r.body);
		if (*r.body && r.body[strlen(r.body) - 1] != '\n')
			putchar('\n');
		json_decref(o);
	}
	page_info_release(&p);
	revision_info_release(&r);
	return 0;
}

#define FIELD_OPTS(title_required)                                      \
	{ 't', "title", 0, "TITLE", "The page's title.", NULL,           \
	    title_required },                                            \
	{ 'b', "body-file", 0, "FILE",                                   \
	    "Read the Markdown body from FILE.", NULL, false },           \
	{ 's', "summary", 0, "TEXT",                                     \
	    "Summary for listings and feeds.", NULL, false },             \
	{ 'D', "date", 0, "ISO",                                         \
	    "The page's date, ISO 8601 (2026-11-24T14:50:00Z).", NULL,    \
	    false },                                                     \
	{ 'T', "tags", 0, "a,b",                                         \
	    "Tags, separated by commas.", NULL, false },                  \
	{ 'w', "weight", 0, "N",                                         \
	    "Sort weight in its section (-1000000 to 1000000).", NULL,    \
	    false },                                                     \
	{ 'm', "template", 0, "NAME",                                    \
	    "Render with templates/NAME.mustache.", NULL, false },        \
	{ 'p', "publish", 0, NULL,                                       \
	    "Publish the new revision at once (a build is requested).",   \
	    NULL, false }

static const struct cli_opt new_opts[] = { FIELD_OPTS(true), CLI_OPT_END };
static const struct cli_opt edit_opts[] = { FIELD_OPTS(false), CLI_OPT_END };
static const struct cli_opt json_opts[] = {
	{ 'j', "json", 0, NULL, "Print JSON instead of text.", NULL, false },
	CLI_OPT_END
};
static const struct cli_opt publish_opts[] = {
	{ 'a', "at", 0, "ISO",
	    "Schedule the publication for this time instead of now.", "now",
	    false },
	CLI_OPT_END
};
static const struct cli_opt schedule_opts[] = {
	{ 'g', "go-live", 0, "ISO",
	    "Publish the latest revision at this time.", NULL, false },
	{ 'e', "expire", 0, "ISO|none",
	    "Take the page down at this time; none removes the expiry.",
	    NULL, false },
	CLI_OPT_END
};

static const char *const list_ex[] = {
	"kiln page list", "kiln page list --json | jq -r '.[].path'", NULL
};
static const char *const show_ex[] = {
	"kiln page show news/hello", "kiln page show / --json", NULL
};
static const char *const new_ex[] = {
	"kiln page new news/hello --title 'Hello' --body-file hello.md",
	"kiln page new events/fair --title 'Fair' --date 2026-12-05T10:00:00Z "
	    "--tags events,family --publish",
	NULL
};
static const char *const edit_ex[] = {
	"kiln page edit news/hello --body-file hello.md --publish", NULL
};
static const char *const publish_ex[] = {
	"kiln page publish news/hello",
	"kiln page publish news/hello --at 2026-12-01T09:00:00Z", NULL
};
static const char *const schedule_ex[] = {
	"kiln page schedule news/offer --go-live 2026-12-01T09:00:00Z "
	    "--expire 2026-12-24T00:00:00Z",
	"kiln page schedule news/offer --expire none", NULL
};

static const struct cli_cmd page_list_cmd = {
	"page list", "", "Every page with its status and title.",
	"Statuses: live, draft, scheduled, expired, live + scheduled, "
	"live + draft.", json_opts, list_ex, NULL, NULL, false
};
static const struct cli_cmd page_show_cmd = {
	"page show", "PATH", "One page and its latest revision.", NULL,
	json_opts, show_ex, NULL, NULL, false
};
static const struct cli_cmd page_new_cmd = {
	"page new", "PATH", "Create a page (a draft unless --publish).",
	"PATH is the page's site path (news/hello; / is the home page). Its "
	"parent section must exist.", new_opts, new_ex, NULL, NULL, false
};
static const struct cli_cmd page_edit_cmd = {
	"page edit", "PATH", "Make a new revision of a page.",
	"Fields not given keep their value. The live page changes only with "
	"--publish (or kiln page publish).", edit_opts, edit_ex, NULL, NULL,
	false
};
static const struct cli_cmd page_publish_cmd = {
	"page publish", "PATH",
	"Publish the latest revision now, or schedule it with --at.", NULL,
	publish_opts, publish_ex, NULL, NULL, false
};
static const struct cli_cmd page_unpublish_cmd = {
	"page unpublish", "PATH", "Take a page down (a build is requested).",
	NULL, NULL, NULL, NULL, NULL, false
};
static const struct cli_cmd page_schedule_cmd = {
	"page schedule", "PATH", "Set a page's scheduled go-live and expiry.",
	"kiln serve (or kiln scheduled) applies them at their time.",
	schedule_opts, schedule_ex, NULL, NULL, false
};
static const struct cli_cmd page_delete_cmd = {
	"page delete", "PATH", "Delete a page that has no children.", NULL,
	NULL, NULL, NULL, NULL, false
};

static const struct cli_cmd *const page_subs[] = {
	&page_list_cmd, &page_show_cmd, &page_new_cmd, &page_edit_cmd,
	&page_publish_cmd, &page_unpublish_cmd, &page_schedule_cmd,
	&page_delete_cmd, NULL
};

const struct cli_cmd cli_cmd_page = {
	"page", NULL, "Pages: list, show, new, edit, publish, unpublish, "
	"schedule, delete.",
	"Every write is one store transaction with its audit row (the actor "
	"is $KILN_USER, else $USER) and, when the live site changes, its "
	"build request. Reads take --json.",
	NULL, NULL, page_subs, cmd_page, false
};

/* what the options of one `kiln page` subcommand say */
struct page_args {
	struct page_fields f;
	const char *body_file;
	int64_t go_live, expire, at;
	bool json, publish;
	json_t *tags;		/* owned: released by the caller */
};

/* parse one option of `kiln page SUB`: -1 to go on, else an exit code */
static int
page_opt(const struct cli_cmd *sc, int ch, struct page_args *a)
{
	const char *errstr;

	switch (ch) {
	case 'a':
		return parse_time_arg("at", optarg, &a->at) == -1 ?
		    EXIT_USAGE : -1;
	case 'b':
		a->body_file = optarg;
		return -1;
	case 'D':
		if (time_parse_iso8601(optarg, &a->f.date) == -1) {
			cli_error("--date: '%s' is not an ISO 8601 date",
			    optarg);
			return EXIT_USAGE;
		}
		return -1;
	case 'e':
		return parse_time_arg("expire", optarg, &a->expire) == -1 ?
		    EXIT_USAGE : -1;
	case 'g':
		return parse_time_arg("go-live", optarg, &a->go_live) == -1 ?
		    EXIT_USAGE : -1;
	case 'j':
		a->json = true;
		return -1;
	case 'm':
		a->f.template = optarg;
		return -1;
	case 'p':
		a->publish = true;
		return -1;
	case 's':
		a->f.summary = optarg;
		return -1;
	case 'T': {
		char *copy = strdup(optarg), *tok, *save = NULL;

		json_decref(a->tags);	/* --tags given twice */
		a->tags = json_array();
		for (tok = strtok_r(copy, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save))
			json_array_append_new(a->tags, json_string(tok));
		free(copy);
		a->f.tags = a->tags;
		return -1;
	}
	case 't':
		a->f.title = optarg;
		return -1;
	case 'w':
		a->f.weight = (int)strtonum(optarg, -1000000, 1000000, &errstr);
		if (errstr) {
			cli_error("--weight: %s", errstr);
			return EXIT_USAGE;
		}
		a->f.has_weight = true;
		return -1;
	default:
		return cli_bad_usage(sc);
	}
}

/* the write of SUB on PATH: 0, -1 with err, or an exit code (> 0) */
static int
page_write(struct site *s, const char *sub, const char *path,
    struct page_args *a, struct buf *err)
{
	int rc;

	if (!strcmp(sub, "new")) {
		if (!a->f.title) {
			cli_error("page new: --title is required");
			return EXIT_USAGE;
		}
		rc = store_page_save(s->st, path, &a->f, true, a->publish,
		    cli_actor(), NULL, err);
	} else if (!strcmp(sub, "edit")) {
		rc = store_page_save(s->st, path, &a->f, false, a->publish,
		    cli_actor(), NULL, err);
	} else if (!strcmp(sub, "publish"))
		rc = store_page_publish(s->st, path, a->at > 0 ? a->at : 0,
		    cli_actor(), err);
	else if (!strcmp(sub, "unpublish"))
		rc = store_page_unpublish(s->st, path, cli_actor(), err);
	else if (!strcmp(sub, "schedule"))
		rc = store_page_schedule(s->st, path, a->go_live > 0 ?
		    a->go_live : 0, a->expire, cli_actor(), err);
	else if (!strcmp(sub, "delete"))
		rc = store_page_delete(s->st, path, cli_actor(), err);
	else
		return EXIT_USAGE;
	return rc;
}

int
cmd_page(int argc, char **argv)
{
	const struct cli_cmd *sc;
	struct buf err = BUF_INIT, body = BUF_INIT;
	struct page_args a;
	struct site s;
	const char *sub, *path = NULL;
	int ch, line, rc = EXIT_FAIL;

	if (!(sc = cli_subcommand(&cli_cmd_page, &argc, &argv, &sub)))
		return cli_bad_usage(&cli_cmd_page);
	memset(&a, 0, sizeof(a));
	while ((ch = cli_getopt(sc, argc, argv)) != -1)
		if ((rc = page_opt(sc, ch, &a)) != -1)
			goto out_noclose;
	rc = EXIT_FAIL;
	if (strcmp(sub, "list") != 0) {
		if (optind != argc - 1) {
			rc = cli_bad_usage(sc);
			goto out_noclose;
		}
		path = argv[optind];
	} else if (optind != argc) {
		rc = cli_bad_usage(sc);
		goto out_noclose;
	}
	if (a.body_file) {
		if (file_read(a.body_file, &body, LIMIT_PAGE_BODY,
		    &err) == -1) {
			rc = cli_fail(&err);
			goto out_noclose;
		}
		/* FILE:LINE here; the store would see it cut at a NUL */
		if (page_text_check(body.buf, body.len, true, 0, &line,
		    &err) == -1) {
			cli_error("%s:%d: body: %s", a.body_file, line, err.buf);
			goto out_noclose;
		}
		a.f.body = body.buf;
	}
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		goto out_noclose;
	}
	if (!strcmp(sub, "list"))
		rc = page_list(&s, a.json, &err);
	else if (!strcmp(sub, "show"))
		rc = page_show(&s, path, a.json, &err);
	else if ((rc = page_write(&s, sub, path, &a, &err)) == EXIT_USAGE) {
		if (strcmp(sub, "new"))
			rc = cli_bad_usage(sc);
		goto out;
	}
	if (rc == -1)
		rc = cli_fail(&err);
	else if (rc == 0 && strcmp(sub, "list") && strcmp(sub, "show")) {
		struct page_info p;
		if (strcmp(sub, "delete") && store_page_get(s.st, path, &p,
		    &err) == 0) {
			cli_info("%s: %s\n", p.path[0] ? p.path : "/",
			    p.status);
			page_info_release(&p);
		} else if (!strcmp(sub, "delete"))
			cli_info("deleted %s\n", path);
	}
out:
	site_close(&s);
out_noclose:
	json_decref(a.tags);
	buf_release(&body);
	buf_release(&err);
	return rc;
}
