#!/bin/bash
# SPDX-License-Identifier: ISC
# admin_http.sh: the HTTP rules of the web admin (issue #14) against the
# real kiln serve, with curl: kiln user; every admin URL without a session
# is a 303 to the login; cookie flags; the security headers; sessions kept
# hashed; a POST without the CSRF token (or a wrong one) is 403 and
# changes nothing; an editor cannot publish (403, nothing changed), a
# publisher can and the page reaches the dir target; a stale form warns
# instead of overwriting; logout, rotation, idle expiry; the login rate
# limit (429 + Retry-After), the same answer for a wrong user and a wrong
# password; every action in the audit log under the user's name.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
admin_site

# 1. kiln user: passwords from stdin or a file, never an argument
echo 'pub-secret-1' | "$KILN" user add alice --role publisher >/dev/null
printf 'edit-secret-2\n' > "$T/bob.pw"
"$KILN" user add bob --role editor --password-file "$T/bob.pw" >/dev/null
echo 'admin-secret-3' | "$KILN" user add carol --role admin >/dev/null
expect_status 2 "$KILN" user add dave --role editor --password hunter22
echo 'whatever-long' | expect_status 1 "$KILN" user add dave --role root
echo 'short' | expect_status 1 "$KILN" user add dave --role editor
echo 'whatever-long' | expect_status 1 "$KILN" user add alice --role editor
assert_eq "$(db "select name || ':' || role from users order by name" | tr '\n' ' ')" \
    "alice:publisher bob:editor carol:admin " "users"
"$KILN" user list --json > "$T/users.json"
assert_eq "$(jq -r '[.[].name] | join(" ")' "$T/users.json")" "alice bob carol" "user list"
assert_not_contains "$(cat "$T/users.json"; "$KILN" user list)" 'argon2' "a hash in the list"
assert_eq "$(db "select count(*) from users where hash like '\$argon2id\$v=19\$m=19456,t=2,p=1\$%'")" 3 "argon2id hashes"
assert_eq "$(db "select count(*) from users where hash like '%secret%'")" 0 "password stored in clear"
pass "kiln user add/list: Argon2id, stdin or --password-file, bad input refused"

# a first build of the empty site, to roll back to later
"$KILN" publish --wait >/dev/null
PORT=$(free_port)
A=http://127.0.0.1:$PORT
start() { serve_start KILN_NOW=${1:-}; }	# start [KILN_NOW]
stop() { kill $SERVE; wait $SERVE 2>/dev/null || true; }
start
# req JAR ARGS...: a request with cookie jar JAR; status in $code,
# headers in $T/h, body in $T/b
req() {
	local jar=$1; shift
	code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -b "$T/$jar" -c "$T/$jar" "$@")
}
hdr() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' "$T/b" | head -1 | sed 's/.*value="//; s/"$//'; }
login() {	# login JAR USER PASSWORD [CLIENT-ADDRESS]
	local from=(); [ -n "${4:-}" ] && from=(--interface "$4")
	rm -f "$T/$1"
	req "$1" "${from[@]}" "$A/admin/login"
	local t; t=$(csrf)
	req "$1" "${from[@]}" "$A/admin/login" --data-urlencode "username=$2" \
	    --data-urlencode "password=$3" --data-urlencode "csrf=$t"
}
check_headers() {	# the security headers of the last reply
	local csp; csp=$(hdr Content-Security-Policy)
	assert_contains "$csp" "default-src 'self'" "$1: CSP"
	assert_contains "$csp" "frame-ancestors 'none'" "$1: frame-ancestors"
	assert_not_contains "$csp" "unsafe-inline" "$1: CSP"
	assert_eq "$(hdr X-Frame-Options)" DENY "$1: X-Frame-Options"
	assert_eq "$(hdr X-Content-Type-Options)" nosniff "$1: nosniff"
	assert_eq "$(hdr Referrer-Policy)" same-origin "$1: Referrer-Policy"
	assert_eq "$(hdr Cache-Control)" no-store "$1: Cache-Control"
}

# 2. no session: every admin URL leads to the login
"$KILN" page new about --title About >/dev/null
PID=$(db "select id from pages where path='about'")
for u in /admin/ /admin/pages/new /admin/pages/$PID /admin/pages/$PID/delete /admin/logout /admin/nothing /admin/pages/999; do
	req anon "$A$u"
	assert_eq "$code" 303 "GET $u without a session"
	assert_contains "$(hdr Location)" "/admin/login" "GET $u goes to the login"
	check_headers "GET $u"
done
req anon "$A/admin/pages/$PID"
assert_eq "$(hdr Location)" "/admin/login?next=/admin/pages/$PID" "next names the page asked for"
for u in /admin/pages/new /admin/pages/$PID /admin/pages/$PID/delete /admin/logout; do
	req anon "$A$u" --data "title=x&action=publish"
	assert_eq "$code" 303 "POST $u without a session"
done
req anon "$A/admin"
assert_eq "$(hdr Location)" "/admin/" "/admin -> /admin/"
req anon "$A/admin/login"
assert_eq "$code" 200 "the login form"
check_headers "login form"
assert_contains "$(cat "$T/b")" 'name="username"' "login: username input"
assert_contains "$(cat "$T/b")" 'name="password"' "login: password input"
req anon "$A/admin/static/admin.css"
assert_eq "$code" 200 "admin.css"
assert_eq "$(hdr Content-Type)" "text/css; charset=utf-8" "admin.css type"
pass "without a session every admin URL is a 303 to /admin/login"

# 3. login: cookie flags, hashed session, only local next
login pub alice pub-secret-1
assert_eq "$code" 303 "login"
assert_eq "$(hdr Location)" "/admin/" "login goes to the page tree"
ck=$(grep -i '^set-cookie: kiln_session=' "$T/h" | tr -d '\r')
assert_contains "$ck" "HttpOnly" "cookie HttpOnly"
assert_contains "$ck" "SameSite=Strict" "cookie SameSite"
assert_contains "$ck" "Path=/admin" "cookie Path"
assert_not_contains "$ck" "Secure" "no Secure on plain HTTP by default"
SID=$(sed -n 's/.*kiln_session=\([0-9a-f]\{64\}\).*/\1/p' <<< "$ck")
assert_eq "${#SID}" 64 "a 256-bit session id"
assert_eq "$(db "select count(*) from sessions where hash = '$SID'")" 0 "session id stored in clear"
assert_eq "$(db "select count(*) from sessions where hash = '$(printf %s "$SID" | sha256sum | cut -d' ' -f1)'")" 1 "session stored as its SHA-256"
req pub "$A/admin/"
assert_eq "$code" 200 "page tree"
check_headers "page tree"
assert_contains "$(cat "$T/b")" "about" "the tree lists the page"
# next: a local path only
rm -f "$T/x"; req x "$A/admin/login"; t=$(csrf)
req x "$A/admin/login" --data-urlencode username=alice --data-urlencode password=pub-secret-1 \
    --data-urlencode "csrf=$t" --data-urlencode "next=https://evil.example/admin/"
assert_eq "$(hdr Location)" "/admin/" "an outside next is ignored"
rm -f "$T/x"; req x "$A/admin/login"; t=$(csrf)
req x "$A/admin/login" --data-urlencode username=alice --data-urlencode password=pub-secret-1 \
    --data-urlencode "csrf=$t" --data-urlencode "next=/admin/pages/$PID"
assert_eq "$(hdr Location)" "/admin/pages/$PID" "a local next is followed"
pass "login: cookie flags, session kept hashed, local next only"

# 4. CSRF: a POST without the token, or with another's, is 403
login ed bob edit-secret-2
req ed "$A/admin/pages/new"
ED_CSRF=$(csrf)
req pub "$A/admin/"
PUB_CSRF=$(csrf)
before=$(db "select count(*) from revisions")
req pub "$A/admin/pages/new" --data "path=csrf/a&title=A"
assert_eq "$code" 403 "POST without csrf"
check_headers "403"
req pub "$A/admin/pages/new" --data "path=csrf/a&title=A&csrf=$ED_CSRF"
assert_eq "$code" 403 "POST with another session's csrf"
req pub "$A/admin/pages/$PID" --data "title=Hacked&action=publish&revision=1&csrf=0000"
assert_eq "$code" 403 "POST with a wrong csrf"
req pub "$A/admin/logout" --data ""
assert_eq "$code" 403 "logout without csrf"
rm -f "$T/y"; req y "$A/admin/login" --data "username=alice&password=pub-secret-1"
assert_eq "$code" 403 "login without its form token"
assert_eq "$(db "select count(*) from revisions")" "$before" "refused POSTs wrote nothing"
assert_eq "$(db "select count(*) from pages where path like 'csrf/%'")" 0 "no page created"
req pub "$A/admin/"
assert_eq "$code" 200 "the session still works after refused POSTs"
pass "a POST without the CSRF token (or a wrong one) is 403 and changes nothing"

# 5. an editor saves drafts but cannot publish
req ed "$A/admin/pages/new" --data-urlencode csrf="$ED_CSRF" --data-urlencode path=news/draft \
    --data-urlencode 'title=Draft <by> bob' --data-urlencode 'body=Hello' --data-urlencode action=save
assert_eq "$code" 303 "editor creates a draft"
NID=$(db "select id from pages where path='news/draft'")
assert_eq "$(hdr Location)" "/admin/pages/$NID" "PRG to the editor"
req ed "$A/admin/pages/$NID"
assert_eq "$code" 200 "editor form"
assert_contains "$(cat "$T/b")" "Page created" "flash after create"
assert_contains "$(cat "$T/b")" "Draft &lt;by&gt; bob" "title escaped"
assert_not_contains "$(cat "$T/b")" "Draft <by> bob" "title escaped"
assert_contains "$(cat "$T/b")" ">Save draft<" "Save draft button"
assert_contains "$(cat "$T/b")" ">Preview<" "Preview button"
assert_not_contains "$(cat "$T/b")" ">Publish<" "no Publish button for an editor"
assert_not_contains "$(cat "$T/b")" ">Unpublish<" "no Unpublish button for an editor"
assert_not_contains "$(cat "$T/b")" ">Schedule<" "no Schedule button for an editor"
assert_not_contains "$(cat "$T/b")" ">Delete<" "no Delete button for an editor"
REV=$(db "select latest_revision_id from pages where id=$NID")
for a in publish unpublish schedule; do
	req ed "$A/admin/pages/$NID" --data-urlencode csrf="$ED_CSRF" --data-urlencode "revision=$REV" \
	    --data-urlencode 'title=Edited by bob' --data-urlencode go_live=2030-01-01T10:00 --data-urlencode action=$a
	assert_eq "$code" 403 "editor: $a"
done
req ed "$A/admin/pages/new" --data-urlencode csrf="$ED_CSRF" --data-urlencode path=news/pub \
    --data-urlencode title=P --data-urlencode action=publish
assert_eq "$code" 403 "editor: create and publish"
req ed "$A/admin/pages/$NID/delete"
assert_eq "$code" 403 "editor: delete form"
req ed "$A/admin/pages/$NID/delete" --data-urlencode csrf="$ED_CSRF"
assert_eq "$code" 403 "editor: delete"
assert_eq "$(db "select live || ':' || latest_revision_id || ':' || coalesce(go_live_at, '') from pages where id=$NID")" "0:$REV:" "refused: nothing changed"
assert_eq "$(db "select count(*) from pages where path in ('news/pub')")" 0 "refused: no page"
assert_eq "$(db "select author from revisions where id=$REV")" bob "the revision's author is the user"
pass "an editor saves drafts, sees no publish buttons and is refused them (403)"

# 6. a publisher publishes; the page reaches the dir target
req pub "$A/admin/pages/$NID"
assert_contains "$(cat "$T/b")" ">Publish<" "Publish button for a publisher"
assert_contains "$(cat "$T/b")" ">Schedule<" "Schedule button"
assert_contains "$(cat "$T/b")" ">Delete<" "Delete button"
req pub "$A/admin/pages/$NID" --data-urlencode csrf="$PUB_CSRF" --data-urlencode "revision=$REV" \
    --data-urlencode 'title=Draft <by> bob' --data-urlencode 'body=Hello from the admin' \
    --data-urlencode action=publish
assert_eq "$code" 303 "publisher publishes"
req pub "$A$(hdr Location)"
assert_contains "$(cat "$T/b")" "Published" "flash after publish"
assert_eq "$(db "select live from pages where id=$NID")" 1 "live"
wait_idle
assert_contains "$(cat .kiln/www/news/draft/index.html)" "Hello from the admin" "deployed to the dir target"
# a schedule that fails saves nothing with it: the edit and the
# schedule are one transaction, and so are a create and its schedule
REV2=$(db "select latest_revision_id from pages where id=$NID")
req pub "$A/admin/pages/$NID" --data-urlencode csrf="$PUB_CSRF" --data-urlencode "revision=$REV2" \
    --data-urlencode 'title=Changed with a bad schedule' --data-urlencode 'body=Hello from the admin' \
    --data-urlencode go_live=not-a-time --data-urlencode action=schedule
assert_eq "$code" 400 "a bad go-live: the form again"
assert_contains "$(cat "$T/b")" "go_live: expected a date and time" "the bad go-live named"
assert_eq "$(db "select latest_revision_id from pages where id=$NID")" "$REV2" \
    "the edit was saved without its schedule"
req pub "$A/admin/pages/new" --data-urlencode csrf="$PUB_CSRF" --data-urlencode path=news/badsched \
    --data-urlencode title=B --data-urlencode go_live=not-a-time --data-urlencode action=schedule
assert_eq "$code" 400 "create with a bad go-live: the form again"
assert_eq "$(db "select count(*) from pages where path='news/badsched'")" 0 \
    "a page was created without its schedule"
req pub "$A/admin/?q=draft"
assert_contains "$(cat "$T/b")" "news/draft" "search by path"
req pub "$A/admin/?status=draft"
assert_not_contains "$(cat "$T/b")" "news/draft" "filter by status"
req pub "$A/admin/?status=live"
assert_contains "$(cat "$T/b")" "news/draft" "filter live"
pass "a publisher publishes from the form and the page is deployed"

# 7. a stale form warns instead of overwriting
req ed "$A/admin/pages/$NID"
OLD=$(db "select latest_revision_id from pages where id=$NID")
req pub "$A/admin/pages/$NID" --data-urlencode csrf="$PUB_CSRF" --data-urlencode "revision=$OLD" \
    --data-urlencode 'title=Alice was here' --data-urlencode 'body=Alice body' --data-urlencode action=save
assert_eq "$code" 303 "alice saves"
NEW=$(db "select latest_revision_id from pages where id=$NID")
req ed "$A/admin/pages/$NID" --data-urlencode csrf="$ED_CSRF" --data-urlencode "revision=$OLD" \
    --data-urlencode 'title=Bob overwrites' --data-urlencode 'body=Bob body' --data-urlencode action=save
assert_eq "$code" 409 "a stale save"
assert_contains "$(cat "$T/b")" "Someone else changed this page" "the warning"
assert_contains "$(cat "$T/b")" "Alice body" "the other person's change"
assert_contains "$(cat "$T/b")" "Bob body" "the user's own text kept in the form"
assert_eq "$(db "select latest_revision_id from pages where id=$NID")" "$NEW" "nothing overwritten"
pass "a save based on an older revision warns and changes nothing"

# 7b. revisions: list, view, compare, revert (a new draft revision)
FIRST=$(db "select min(id) from revisions where page_id=$NID")
req ed "$A/admin/pages/$NID/revisions"
assert_eq "$code" 200 "revision list"
assert_contains "$(cat "$T/b")" "/admin/revisions/$FIRST" "the first revision listed"
assert_contains "$(cat "$T/b")" ">bob<" "author bob"
assert_contains "$(cat "$T/b")" ">alice<" "author alice"
req ed "$A/admin/revisions/$FIRST"
assert_eq "$code" 200 "view a revision"
assert_contains "$(cat "$T/b")" "Revert to this revision" "revert button"
assert_contains "$(cat "$T/b")" "Draft &lt;by&gt; bob" "the old title, escaped"
req ed "$A/admin/pages/$NID/compare?from=$FIRST&to=$NEW"
assert_eq "$code" 200 "compare"
assert_contains "$(cat "$T/b")" '<span class="ddel">- Hello</span>' "removed line"
assert_contains "$(cat "$T/b")" '<span class="dadd">+ Alice body</span>' "added line"
assert_contains "$(cat "$T/b")" '<th scope="row">title</th>' "changed field"
req ed "$A/admin/pages/$NID/compare?from=$FIRST&to=999999"
assert_eq "$code" 404 "compare with a revision of no page"
before=$(db "select count(*) from revisions where page_id=$NID")
req ed "$A/admin/revisions/$FIRST/revert" --data-urlencode csrf="$ED_CSRF"
assert_eq "$code" 303 "revert"
assert_eq "$(hdr Location)" "/admin/pages/$NID" "revert goes to the editor"
assert_eq "$(db "select count(*) from revisions where page_id=$NID")" $((before + 1)) "a new revision"
assert_eq "$(db "select v.title || '|' || v.body || '|' || v.author from pages p join revisions v on v.id = p.latest_revision_id where p.id=$NID")" \
    "Draft <by> bob|Hello|bob" "the new revision has the old content, by the reverting user"
assert_eq "$(db "select live_revision_id < latest_revision_id from pages where id=$NID")" 1 "the live page did not change"
req ed "$A/admin/revisions/$FIRST/revert" --data ""
assert_eq "$code" 403 "revert without csrf"
assert_eq "$(db "select count(*) from revisions where page_id=$NID")" $((before + 1)) "nothing more"
NEW=$(db "select latest_revision_id from pages where id=$NID")
pass "revisions: list with authors, view, compare (line diff, fields), revert"

# 7c. builds: list, one build with its log, retry, cancel, roll back
wait_idle
FIRST_OK=$(db "select min(id) from builds where status='succeeded'")
LAST_OK=$(db "select max(id) from builds where status='succeeded'")
req ed "$A/admin/builds"
assert_eq "$code" 200 "builds list"
assert_contains "$(cat "$T/b")" "/admin/builds/$LAST_OK" "the last build listed"
assert_contains "$(cat "$T/b")" ">alice<" "who asked for it"
req ed "$A/admin/builds/$LAST_OK"
assert_eq "$code" 200 "one build"
assert_contains "$(cat "$T/b")" "succeeded" "its status"
assert_contains "$(cat "$T/b")" "deployed:" "its log"
assert_not_contains "$(cat "$T/b")" ">Retry<" "no Retry for an editor"
req ed "$A/admin/builds/$LAST_OK/status"
assert_eq "$(jq -r .status "$T/b")" succeeded "the status JSON"
req ed "$A/admin/builds/$LAST_OK/retry" --data-urlencode csrf="$ED_CSRF"
assert_eq "$code" 403 "editor: retry"
req ed "$A/admin/builds/$FIRST_OK/rollback"
assert_eq "$code" 403 "editor: rollback"
req pub "$A/admin/builds/$LAST_OK"
assert_contains "$(cat "$T/b")" ">Retry<" "Retry for a publisher"
assert_contains "$(cat "$T/b")" ">Roll back to this build<" "Roll back for a publisher"
req pub "$A/admin/builds/$LAST_OK/cancel" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 409 "cancel a finished build"
n=$(db "select count(*) from builds")
req pub "$A/admin/builds/$FIRST_OK/rollback"
assert_eq "$code" 200 "rollback confirmation"
assert_contains "$(cat "$T/b")" "taken off the live site" "names what will change"
assert_contains "$(cat "$T/b")" "/admin/builds/$LAST_OK" "the later build it undoes"
assert_contains "$(cat "$T/b")" "Files that change" "the files it changes"
assert_contains "$(cat "$T/b")" '<span class="op op-removed">removed</span> <code>/news/draft/index.html</code>' "the page it takes off"
assert_not_contains "$(cat "$T/b")" "/.kiln/" "kiln's own files left out"
assert_eq "$(db "select count(*) from builds")" "$n" "the confirmation changed nothing"
req pub "$A/admin/builds/$FIRST_OK/rollback" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 303 "rollback"
for i in $(seq 1 300); do
	[ "$(db "select count(*) from builds where reasons like '%rollback%' and status='succeeded'")" -ge 1 ] && break
	sleep 0.1
done
[ "$(db "select count(*) from builds where reasons like '%rollback%' and status='succeeded'")" -ge 1 ] ||
    fail "no rollback build: $(db "select id, status, reasons from builds")"
assert_not_contains "$(cat .kiln/www/news/draft/index.html 2>/dev/null)" "Hello from the admin" "the rolled-back page is gone from the target"
req pub "$A/admin/builds/$LAST_OK/retry" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 303 "retry"
wait_idle
assert_contains "$(cat .kiln/www/news/draft/index.html)" "Hello from the admin" "retry deployed the live pages again"
assert_eq "$(db "select count(*) from audit_log where actor='alice' and action in ('admin.rollback', 'admin.build_retry')")" 2 "audited"
pass "builds: list with who, log, status JSON; retry, cancel, rollback (publisher, confirmed)"

# 7d. the audit log, filtered by user and by page (publishers)
req ed "$A/admin/audit"
assert_eq "$code" 403 "editor: audit log"
req pub "$A/admin/audit?user=bob"
assert_eq "$code" 200 "audit by user"
assert_contains "$(cat "$T/b")" "admin.login" "bob's login"
assert_not_contains "$(cat "$T/b")" ">alice<" "only bob's rows"
req pub "$A/admin/audit?page=news/draft"
assert_contains "$(cat "$T/b")" ">alice<" "the page's rows: alice"
assert_contains "$(cat "$T/b")" ">bob<" "the page's rows: bob"
assert_not_contains "$(cat "$T/b")" "admin.login<" "no rows of other pages"
pass "the audit log filters by user and by page"

# 7e. review workflow: submit (editor), approve / reject (publisher)
req ed "$A/admin/pages/new" --data-urlencode csrf="$ED_CSRF" --data-urlencode path=news/review \
    --data-urlencode 'title=For review' --data-urlencode 'body=Please check' --data-urlencode action=save
RID=$(db "select id from pages where path='news/review'")
REV=$(db "select latest_revision_id from pages where id=$RID")
req ed "$A/admin/pages/$RID"
assert_contains "$(cat "$T/b")" ">Submit for review<" "Submit for review button"
req ed "$A/admin/pages/$RID" --data-urlencode csrf="$ED_CSRF" --data-urlencode "revision=$REV" \
    --data-urlencode 'title=For review' --data-urlencode 'body=Please check' --data-urlencode action=submit
assert_eq "$code" 303 "submit for review"
req ed "$A$(hdr Location)"
assert_contains "$(cat "$T/b")" "waiting for a publisher" "the editor sees it is pending"
req ed "$A/admin/"
assert_not_contains "$(cat "$T/b")" "Waiting for review" "no queue for an editor"
req pub "$A/admin/"
assert_contains "$(cat "$T/b")" "Waiting for review" "the publisher's queue"
assert_contains "$(cat "$T/b")" "/admin/pages/$RID" "the page in the queue"
RV=$(db "select id from reviews where page_id=$RID and state='pending'")
req ed "$A/admin/reviews/$RV/approve" --data-urlencode csrf="$ED_CSRF"
assert_eq "$code" 403 "editor: approve"
req pub "$A/admin/reviews/$RV/reject" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 400 "reject needs a comment"
req pub "$A/admin/reviews/$RV/reject" --data-urlencode csrf="$PUB_CSRF" --data-urlencode 'comment=Add a <date>'
assert_eq "$code" 303 "reject"
assert_eq "$(db "select live from pages where id=$RID")" 0 "rejected: not live"
req ed "$A/admin/pages/$RID"
assert_contains "$(cat "$T/b")" "Add a &lt;date&gt;" "the editor sees the comment"
req pub "$A/admin/reviews/$RV/approve" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 409 "a decided review"
# again, with a go-live: approval schedules it
req ed "$A/admin/pages/$RID" --data-urlencode csrf="$ED_CSRF" --data-urlencode "revision=$REV" \
    --data-urlencode 'title=For review' --data-urlencode 'body=Please check, dated' \
    --data-urlencode go_live=2099-01-01T10:00 --data-urlencode action=submit
assert_eq "$code" 303 "submit again"
RV=$(db "select id from reviews where page_id=$RID and state='pending'")
req pub "$A/admin/reviews/$RV/approve" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 303 "approve"
assert_eq "$(db "select live || ':' || go_live_at from pages where id=$RID")" "0:$(date -u -d 2099-01-01T10:00:00Z +%s)" \
    "approved with a go-live: scheduled"
# and one approved now goes live
REV=$(db "select latest_revision_id from pages where id=$RID")
req ed "$A/admin/pages/$RID" --data-urlencode csrf="$ED_CSRF" --data-urlencode "revision=$REV" \
    --data-urlencode 'title=For review' --data-urlencode 'body=Please check, now' --data-urlencode action=submit
RV=$(db "select id from reviews where page_id=$RID and state='pending'")
req pub "$A/admin/reviews/$RV/approve" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 303 "approve now"
assert_eq "$(db "select live from pages where id=$RID")" 1 "approved: live"
assert_eq "$(db "select group_concat(actor || ':' || action, ' ') from (select actor, action from audit_log where action like 'review.%' order by id)")" \
    "bob:review.submit alice:review.reject bob:review.submit alice:review.approve bob:review.submit alice:review.approve" "review steps audited"
pass "review: submit (editor), queue, reject with a comment, approve (schedules or publishes)"

# 8. logout, rotation
req pub "$A/admin/logout"
assert_eq "$code" 200 "GET logout is a confirm form"
assert_contains "$(cat "$T/b")" 'method="post" action="/admin/logout"' "confirm form"
cp "$T/pub" "$T/pub.old"
OLD_SID=$(awk '$6 == "kiln_session" { print $7 }' "$T/pub")
# a login from a browser that holds a session ends that session and
# gives a new id (rotation)
rm -f "$T/x"; req x "$A/admin/login"; t=$(csrf)
code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -H "Cookie: kiln_login=$t; kiln_session=$OLD_SID" \
    "$A/admin/login" --data-urlencode username=alice --data-urlencode password=pub-secret-1 --data-urlencode "csrf=$t")
assert_eq "$code" 303 "login again"
NEW_SID=$(grep -i '^set-cookie: kiln_session=' "$T/h" | sed 's/.*kiln_session=\([0-9a-f]*\).*/\1/')
[ "${#NEW_SID}" = 64 ] && [ "$NEW_SID" != "$OLD_SID" ] || fail "no new session id"
req pub.old "$A/admin/"
assert_eq "$code" 303 "the session before the new login is gone"
printf '127.0.0.1\tFALSE\t/admin\tFALSE\t0\tkiln_session\t%s\n' "$NEW_SID" > "$T/pub"
req pub "$A/admin/"
assert_eq "$code" 200 "the new session works"
PUB_CSRF=$(csrf)
n=$(db "select count(*) from sessions")
req pub "$A/admin/logout" --data-urlencode csrf="$PUB_CSRF"
assert_eq "$code" 303 "logout"
assert_eq "$(hdr Location)" "/admin/login" "logout goes to the login"
assert_contains "$(grep -i '^set-cookie: kiln_session=' "$T/h")" "Max-Age=0" "cookie cleared"
assert_eq "$(db "select count(*) from sessions")" $((n - 1)) "logout deleted the session"
# the flash is shown once, on the login form, then gone
req pub "$A/admin/login"
assert_contains "$(cat "$T/b")" "You have logged out." "logout flash"
assert_contains "$(grep -i '^set-cookie: kiln_flash=' "$T/h")" "Max-Age=0" "the flash cleared with the login form"
req pub "$A/admin/login"
assert_not_contains "$(cat "$T/b")" "You have logged out." "the flash shown once"
cp "$T/pub.old" "$T/pub"
req pub "$A/admin/"
assert_eq "$code" 303 "the logged-out cookie leads to the login"
pass "logout (GET confirms, POST ends the session), rotation on login"

# 9. audit: every action under the user's name
assert_eq "$(db "select count(*) from audit_log where actor='alice' and action='admin.login'")" 4 "logins audited"
assert_eq "$(db "select count(*) from audit_log where actor='alice' and action='admin.logout'")" 1 "logout audited"
[ "$(db "select count(*) from audit_log where actor='bob' and path='news/draft'")" -ge 1 ] || fail "bob's create not audited"
[ "$(db "select count(*) from audit_log where actor='alice' and path='news/draft' and action like '%publish%'")" -ge 1 ] ||
    fail "alice's publish not audited: $(db "select actor, action, path from audit_log")"
pass "admin actions are in the audit log under the user's name"

# 10. the login rate limit; a wrong user and a wrong password look alike
login x alice wrong-password-1
assert_eq "$code" 401 "wrong password"
grep -v 'name="csrf"\|value="alice"\|value="nobody"' "$T/b" > "$T/wrong-pw"
login x nobody wrong-password-1
assert_eq "$code" 401 "wrong user"
grep -v 'name="csrf"\|value="alice"\|value="nobody"' "$T/b" > "$T/wrong-user"
cmp -s "$T/wrong-pw" "$T/wrong-user" || fail "a wrong user and a wrong password differ: $(diff "$T/wrong-pw" "$T/wrong-user")"
# per account: failures from several addresses (loopback has them all)
for i in 2 3 4 5; do
	login x alice "wrong-password-$i" 127.0.0.$i
	assert_eq "$code" 401 "failure $i"
done
login x alice pub-secret-1 127.0.0.6
assert_eq "$code" 429 "the sixth try, even right, is refused"
ra=$(hdr Retry-After)
[ "$ra" -gt 0 ] && [ "$ra" -le 900 ] || fail "Retry-After: $ra"
assert_contains "$(cat "$T/b")" "Too many failed logins" "429 says why"
# per address: 127.0.0.1 has failed twice; three more names fail
for u in x1 x2 x3; do
	login x "$u" wrong-password 127.0.0.1
	assert_eq "$code" 401 "failure of $u"
done
login x bob edit-secret-2 127.0.0.1
assert_eq "$code" 429 "per address: even a right login is refused"
login x bob edit-secret-2 127.0.0.7
assert_eq "$code" 303 "another address, another account: fine"
assert_eq "$(db "select count(*) from audit_log where action='admin.login_failed'")" 9 "failures audited"
pass "5 failed logins per account / address in 15 minutes, then 429 + Retry-After"

# 11. idle expiry: the same session, the daemon's clock 2 hours on
stop
start
login ed bob edit-secret-2
assert_eq "$code" 303 "a restarted daemon forgets the rate limit"
req ed "$A/admin/"
assert_eq "$code" 200 "session works"
stop
start "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)"
req ed "$A/admin/"
assert_eq "$code" 303 "idle session expired"
pass "an idle session ends (serve.session_idle)"

# 12. serve.secure_cookies: Secure on every cookie
stop
sed -i 's/^serve:/serve:\n  secure_cookies: true/' kiln.yaml
grep -q 'secure_cookies: true' kiln.yaml || printf 'serve:\n  secure_cookies: true\n' >> kiln.yaml
"$KILN" check >/dev/null
start
login s alice pub-secret-1
assert_contains "$(grep -i '^set-cookie: kiln_session=' "$T/h")" "; Secure" "Secure with serve.secure_cookies"

# 13. disable: the sessions end, no more logins
"$KILN" user disable alice >/dev/null
req s "$A/admin/"
assert_eq "$code" 303 "a disabled user's session ends"
login s alice pub-secret-1
assert_eq "$code" 401 "a disabled user cannot log in"
echo 'new-secret-4' | "$KILN" user passwd bob >/dev/null
login s bob new-secret-4
assert_eq "$code" 303 "bob's new password"
pass "secure_cookies, disable, passwd"
