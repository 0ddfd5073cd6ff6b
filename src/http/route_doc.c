/* SPDX-License-Identifier: ISC */
/*
 * route_doc.c: one line per route of http_routes (route.c) saying what
 * it does, what it takes and what it answers.  `kiln help --man-api`
 * makes kiln-api(7) and `kiln help --markdown-api` docs/api.md from the
 * two tables; tests/integration/cli_docs.sh fails when either file is
 * stale or a route has no row here.  Field notation: NAME? is optional,
 * TIME is ISO 8601 (2026-03-01T09:00:00Z).
 */
#include "common/compat.h"

#include "http/route.h"

static const struct route_doc docs[] = {
	{ "GET", "/healthz", "Liveness: the daemon answers.", NULL,
	    "200 {status: \"ok\"}" },
	{ "GET", "/metrics", "Prometheus metrics: builds by status, build "
	    "duration and publish-to-live histograms, objects and bytes "
	    "uploaded and deleted, pending requests and their age, last "
	    "successful deploy per target and mirror, change sequence, HTTP "
	    "requests.", NULL, "200 text/plain; version=0.0.4" },
	{ "GET", "/api/v1/pages", "Every page; anonymous callers see the "
	    "live ones only.", NULL,
	    "200 [{id, path, title, live, has_unpublished_changes, ...}]" },
	{ "POST", "/api/v1/pages", "Create a page (a draft unless publish "
	    "is true, which needs publisher).",
	    "{path, title, body?, summary?, date?: TIME, tags?: [string], "
	    "params?: {}, template?, publish?: bool}",
	    "202 the page {id, path, title, live, ...}" },
	{ "GET", "/api/v1/pages/{id}", "One page by id; anonymous callers "
	    "see its live revision only.", NULL,
	    "200 {id, path, title, body, live, revisions...}; 404" },
	{ "PUT", "/api/v1/pages/{id}", "Edit a page: a new revision "
	    "(published at once if publish is true, which needs publisher).",
	    "{title?, body?, summary?, tags?, params?, publish?: bool}",
	    "202 the page" },
	{ "DELETE", "/api/v1/pages/{id}", "Delete a page (taken down from "
	    "the site by the next build).", NULL, "202 {deleted: PATH, id}" },
	{ "POST", "/api/v1/pages/{id}/publish", "Publish the latest "
	    "revision now, or at go_live.", "{go_live?: TIME}",
	    "202 the page" },
	{ "POST", "/api/v1/pages/{id}/unpublish", "Take a page off the "
	    "site.", NULL, "202 the page" },
	{ "POST", "/api/v1/pages/{id}/schedule", "Schedule the latest "
	    "revision to go live and/or expire.",
	    "{go_live?: TIME, expire?: TIME}", "202 the page" },
	{ "GET", "/api/v1/pages/by-path/{path}", "One page by path (all "
	    "after by-path/ is the path).", NULL, "200 the page; 404" },
	{ "PUT", "/api/v1/pages/by-path/{path}", "Edit a page by path.",
	    "as PUT /api/v1/pages/{id}", "202 the page" },
	{ "DELETE", "/api/v1/pages/by-path/{path}", "Delete a page by "
	    "path.", NULL, "202 {deleted: PATH, id}" },
	{ "POST", "/api/v1/pages/publish", "Publish the page ?path=PATH.",
	    "?path=PATH; {go_live?: TIME}", "202 the page" },
	{ "POST", "/api/v1/pages/unpublish", "Unpublish the page "
	    "?path=PATH.", "?path=PATH", "202 the page" },
	{ "POST", "/api/v1/pages/schedule", "Schedule the page ?path=PATH.",
	    "?path=PATH; {go_live?: TIME, expire?: TIME}", "202 the page" },
	{ "GET", "/api/v1/builds", "Recent build records, newest first.",
	    NULL, "200 [{id, status, reasons, attempt, worker, started_at, "
	    "finished_at, error, counts, commit}]" },
	{ "POST", "/api/v1/builds", "Request a build of the live content.",
	    NULL, "202 {request}" },
	{ "GET", "/api/v1/builds/{id}", "One build record.", NULL,
	    "200 {id, status, ...}; 404" },
	{ "GET", "/api/v1/builds/{id}/log", "A build's log.", NULL,
	    "200 text/plain; 404" },
	{ "POST", "/api/v1/builds/{id}/cancel", "Cancel a running build "
	    "(it stops before its deploy) or a failed one waiting for its "
	    "retry; its requests wait for the next publish.", NULL,
	    "202 {build, status: \"cancelled\"}; 409 nothing to cancel" },
	{ "POST", "/api/v1/builds/{id}/rollback", "Queue a rollback: the "
	    "worker re-deploys build ID's tree from history before any "
	    "other build.", NULL, "202 {rollback_to, queued: true}; 404" },
	{ "POST", "/api/v1/hooks/build", "Build request from a CMS, signed "
	    "with X-Kiln-Signature: sha256=HMAC of the body (the secret in "
	    "the variable serve.webhook_secret_env names).",
	    "any JSON body (signed)", "202 {request}; 401 bad signature" },
};

const struct route_doc *
route_doc_find(const struct route *r)
{
	for (size_t i = 0; i < NELEM(docs); i++)
		if (!strcmp(docs[i].method, r->method) &&
		    !strcmp(docs[i].pattern, r->pattern))
			return &docs[i];
	return NULL;
}
