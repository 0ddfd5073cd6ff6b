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
	    "finished_at, error, counts, commit, staging (a build of the "
	    "staging targets alone, for drafts saved), targets: [{name, "
	    "status: deployed|failed|skipped, uploaded, deleted, unchanged, "
	    "error?, reason?, staging?}]}]" },
	{ "POST", "/api/v1/builds", "Request a build of the live content.",
	    NULL, "202 {request}" },
	{ "GET", "/api/v1/builds/{id}", "One build record.", NULL,
	    "200 {id, status, ..., targets}; 404" },
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
	{ "GET", "/admin/preview/{id}",
	    "Web admin: page ID's draft rendered with the site's "
	    "templates, with a preview banner; ?path=URL shows "
	    "another output (a listing, the home page, a feed) with "
	    "the draft in it. A token or an admin session.",
	    "?path=URL",
	    "200 text/html; 303 to the login without a session" },
	{ "POST", "/admin/preview/{id}/live",
	    "Web admin: the draft with the fields of an unsaved edit "
	    "form on top (the live preview pane).",
	    "form: title?, body?, summary?, date?, tags?",
	    "200 text/html" },
	{ "POST", "/api/v1/pages/{id}/preview-link",
	    "A signed, expiring, read-only link to page ID's draft "
	    "for reviewers without an account.",
	    "{expires?: DURATION}",
	    "201 {url, expires_at}" },
	{ "GET", "/preview/{path}",
	    "A shared preview link: the draft it names until it "
	    "expires (the signed token in the URL is the credential).",
	    NULL,
	    "200 text/html; 403 tampered or expired" },
	{ "GET", "/admin",
	    "Web admin: redirects to /admin/.",
	    NULL,
	    "303" },
	{ "GET", "/admin/static/{path}",
	    "Web admin: its stylesheet and script (embedded in the "
	    "binary).",
	    NULL,
	    "200; 404" },
	{ "GET", "/admin/login",
	    "Web admin: the login form (inputs username, password).",
	    "?next=PATH",
	    "200 text/html" },
	{ "POST", "/admin/login",
	    "Web admin: log in; a new session cookie (HttpOnly, "
	    "SameSite=Strict, Path=/admin). Rate-limited per account "
	    "and address.",
	    "form: username, password, csrf",
	    "303; 200 the form again on failure; 429 Retry-After" },
	{ "GET", "/admin/logout",
	    "Web admin: a form confirming logout.",
	    NULL,
	    "200 text/html" },
	{ "POST", "/admin/logout",
	    "Web admin: end the session.",
	    "form: csrf",
	    "303 to the login" },
	{ "GET", "/admin/",
	    "Web admin: the page tree with statuses; the review queue"
	    " for publishers.",
	    "?q=TEXT, ?status=STATUS, ?page=N",
	    "200 text/html" },
	{ "GET", "/admin/pages/new",
	    "Web admin: the create form.",
	    NULL,
	    "200 text/html" },
	{ "POST", "/admin/pages/new",
	    "Web admin: create a page (action=save, preview, submit; "
	    "publish and schedule need publisher).",
	    "form: path, title, body, summary, date, tags, action, "
	    "go_live?, expire?, csrf",
	    "303 to the page; 403; 200 the form with errors" },
	{ "GET", "/admin/pages/{id}",
	    "Web admin: the edit form of page ID.",
	    NULL,
	    "200 text/html; 404" },
	{ "POST", "/admin/pages/{id}",
	    "Web admin: save, submit for review, publish, unpublish "
	    "or schedule page ID (publishing needs publisher); a save"
	    " over a newer revision is refused with the other change "
	    "shown.",
	    "form: title, body, summary, date, tags, base_revision, "
	    "action, go_live?, expire?, csrf",
	    "303; 403; 409 text/html" },
	{ "GET", "/admin/pages/{id}/delete",
	    "Web admin: confirm deleting page ID.",
	    NULL,
	    "200 text/html" },
	{ "POST", "/admin/pages/{id}/delete",
	    "Web admin: delete page ID.",
	    "form: csrf",
	    "303 to /admin/" },
	{ "GET", "/admin/pages/{id}/revisions",
	    "Web admin: page ID's revisions with author and time.",
	    NULL,
	    "200 text/html" },
	{ "GET", "/admin/pages/{id}/compare",
	    "Web admin: compare two revisions (changed fields, line "
	    "diff of the body).",
	    "?from=REV&to=REV",
	    "200 text/html" },
	{ "GET", "/admin/revisions/{id}",
	    "Web admin: one revision.",
	    NULL,
	    "200 text/html; 404" },
	{ "POST", "/admin/revisions/{id}/revert",
	    "Web admin: a new draft revision with this revision's "
	    "fields.",
	    "form: csrf",
	    "303 to the page" },
	{ "GET", "/admin/builds",
	    "Web admin: the build table.",
	    "?page=N",
	    "200 text/html" },
	{ "GET", "/admin/builds/{id}",
	    "Web admin: one build and its log, refreshed while it "
	    "runs.",
	    NULL,
	    "200 text/html; 404" },
	{ "GET", "/admin/builds/{id}/status",
	    "Web admin: a build's status and log for the live "
	    "refresh.",
	    NULL,
	    "200 {status, log}" },
	{ "POST", "/admin/builds/{id}/retry",
	    "Web admin: retry a failed build.",
	    "form: csrf",
	    "303" },
	{ "POST", "/admin/builds/{id}/cancel",
	    "Web admin: cancel a pending or running build.",
	    "form: csrf",
	    "303" },
	{ "GET", "/admin/builds/{id}/rollback",
	    "Web admin: confirm rolling the site back to this build, "
	    "naming the builds whose changes leave the site.",
	    NULL,
	    "200 text/html" },
	{ "POST", "/admin/builds/{id}/rollback",
	    "Web admin: roll the site back to this build.",
	    "form: csrf",
	    "303" },
	{ "GET", "/admin/audit",
	    "Web admin: the audit log.",
	    "?user=NAME&page=PATH",
	    "200 text/html" },
	{ "POST", "/admin/reviews/{id}/approve",
	    "Web admin: approve a submitted revision (published, or "
	    "scheduled when it has a go-live).",
	    "form: csrf",
	    "303" },
	{ "POST", "/admin/reviews/{id}/reject",
	    "Web admin: reject a submitted revision with a comment "
	    "the editor sees.",
	    "form: comment, csrf",
	    "303" },
	{ "GET", "/admin/media",
	    "Web admin: the media library (size, type, upload time, "
	    "uploader, the pages using each file); with insert=PAGEID, "
	    "buttons that add a file to that page's draft.",
	    "?q=NAME&p=N&insert=PAGEID",
	    "200 text/html" },
	{ "POST", "/admin/media",
	    "Web admin: upload a media file (multipart/form-data, at most "
	    "media.max_size, type sniffed from the content).",
	    "form: csrf, file",
	    "303; 400, 413, 415 with the library and the reason" },
	{ "POST", "/admin/media/insert",
	    "Web admin: append a media file's Markdown to a page's draft "
	    "(a new revision).",
	    "form: csrf, page, sha256",
	    "303" },
	{ "POST", "/admin/media/delete",
	    "Web admin: delete a media file no page uses.",
	    "form: csrf, sha256",
	    "303; 409 while a page uses it" },
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
