/* SPDX-License-Identifier: ISC */
/*
 * cmd_builds.c: `kiln builds list|show|log|retry|rollback`.
 */
#include "common/compat.h"

#include <getopt.h>
#include <jansson.h>

#include "common/buf.h"
#include "conf/conf.h"
#include "queue/queue.h"
#include "store/store.h"
#include "store/store_build.h"
#include "cli/cli.h"
#include "cli/site.h"

static void
print_json(json_t *v)
{
	char *d = json_dumps(v, JSON_INDENT(2));

	printf("%s\n", d);
	free(d);
}

int
cmd_builds(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf err = BUF_INIT;
	struct site s;
	const char *sub, *errstr;
	bool json = false, wait = false;
	int64_t id = 0, nid;
	json_t *v = NULL;
	size_t i;
	json_t *b;
	int ch, rc = EXIT_FAIL;

	if (argc < 2 || cli_wants_help(argc, argv))
		return cli_usage("builds", argc < 2);
	sub = argv[1];
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 'w')
			wait = true;
		else
			return cli_usage("builds", 1);
	}
	if (strcmp(sub, "list") != 0) {
		if (optind != argc - 1)
			return cli_usage("builds", 1);
		id = strtonum(argv[optind], 1, INT64_MAX, &errstr);
		if (errstr) {
			cli_error("build id '%s': %s", argv[optind], errstr);
			return EXIT_USAGE;
		}
	} else if (optind != argc)
		return cli_usage("builds", 1);
	if (site_open(&s, &err) == -1) {
		rc = cli_fail(&err);
		buf_release(&err);
		return rc;
	}
	if (!strcmp(sub, "list")) {
		if (store_build_list(s.st, 100, &v, &err) == -1)
			goto fail;
		if (json)
			print_json(v);
		else
			json_array_foreach(v, i, b)
				printf("%5lld  %-9s  %s  %.12s  %s\n",
				    (long long)json_integer_value(
				    json_object_get(b, "id")),
				    json_string_value(json_object_get(b,
				    "status")), json_string_value(
				    json_object_get(b, "started_at")) ?
				    json_string_value(json_object_get(b,
				    "started_at")) : "-",
				    json_string_value(json_object_get(b,
				    "commit")) ? json_string_value(
				    json_object_get(b, "commit")) : "-",
				    json_string_value(json_object_get(b,
				    "reasons")));
	} else if (!strcmp(sub, "show") || !strcmp(sub, "log")) {
		int r = store_build_get(s.st, id, true, &v, &err);
		if (r == -1)
			goto fail;
		if (r == 1) {
			cli_error("no build %lld", (long long)id);
			goto out;
		}
		if (!strcmp(sub, "log"))
			printf("%s", json_string_value(json_object_get(v,
			    "log")));
		else if (json)
			print_json(v);
		else {
			json_object_del(v, "log");
			print_json(v);
		}
	} else if (!strcmp(sub, "retry")) {
		if (store_request_build(s.st, "retry", cli_actor(), &nid,
		    &err) == -1)
			goto fail;
		printf("build requested (request %lld)\n", (long long)nid);
	} else if (!strcmp(sub, "cancel")) {
		int r = store_build_cancel(s.st, id, &err);
		if (r != 0)
			goto fail;
		printf("build %lld cancelled\n", (long long)id);
	} else if (!strcmp(sub, "rollback") && !wait) {
		json_t *rec = NULL;
		int r = store_build_get(s.st, id, false, &rec, &err);
		if (r == -1)
			goto fail;
		if (r == 1) {
			cli_error("no build %lld", (long long)id);
			goto out;
		}
		json_decref(rec);
		if (store_build_rollback_request(s.st, id, &err) == -1)
			goto fail;
		printf("rollback to build %lld requested (a running kiln serve "
		    "or kiln worker does it; --wait does it now)\n",
		    (long long)id);
	} else if (!strcmp(sub, "rollback")) {
		if (worker_rollback(s.conf, s.st, id, &nid, &err) == -1)
			goto fail;
		printf("rolled back to build %lld (recorded as build %lld)\n",
		    (long long)id, (long long)nid);
	} else {
		rc = cli_usage("builds", 1);
		goto out;
	}
	rc = EXIT_OK;
	goto out;
fail:
	cli_fail(&err);
out:
	json_decref(v);
	site_close(&s);
	buf_release(&err);
	return rc;
}
