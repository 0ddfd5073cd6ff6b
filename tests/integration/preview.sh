#!/bin/bash
# SPDX-License-Identifier: ISC
# preview.sh: drafts rendered as they would be published, against the
# real kiln serve (issue #14, decision records 0130 and 0131).
#  1. /admin/preview/ID shows the draft text in the site's layout, and
#     the listings, home page and feed it appears in, while the target
#     still serves the live text (also its tag's term page); links
#     stay inside the preview; the
#     headers (CSP without unsafe-inline, frame-ancestors, no-store).
#  2. POST /admin/preview/ID/live shows an unsaved form, saving nothing.
#  3. A preview answers while a build holds the output lock, and
#     writes nothing to the target, the output slots or the store.
#  4. Shareable links (kiln preview link, POST .../preview-link): the
#     draft without an account; tampered or expired links are 403.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
"$KILN" publish --wait >/dev/null || fail "first build"
ED=$("$KILN" token create --name ed --role editor)
AUTH=(-H "Authorization: Bearer $ED")
ID=$(sqlite3 .kiln/kiln.db "select id from pages where path='news/library-hours'")
printf 'Draft text ZEBRA-DRAFT in the body.\n' > "$T/draft.md"
"$KILN" page edit news/library-hours --title "Draft DRAFTMARK hours" \
    --body-file "$T/draft.md" >/dev/null
PORT=$(free_port)
API=http://127.0.0.1:$PORT
start() { serve_start KILN_NOW=${1:-}; }	# start [KILN_NOW]
header() { grep -i "^$1:" "$T/head" | cut -d' ' -f2- | tr -d '\r'; }
# everything a preview must not touch
state() {
	(find .kiln/www .public.a .public.b -type f -printf '%p %s %T@\n' | sort
	 sqlite3 .kiln/kiln.db "select count(*) from builds; select count(*) from build_requests;
	     select * from pages order by id; select count(*) from revisions") | sha256sum
}
start
before=$(state)

# 1. the draft in the site's layout; the target still live
assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/$ID")" 200 "preview"
page=$(cat "$T/body")
assert_contains "$page" "ZEBRA-DRAFT" "draft body"
assert_contains "$page" "Draft DRAFTMARK hours" "draft title"
assert_contains "$page" "Riverside Borough Council" "the site's layout"
assert_contains "$page" '<nav class="breadcrumbs"' "the site's page template"
assert_contains "$page" "Preview — not published" "banner"
assert_eq "$(header Cache-Control)" "no-store" "no-store"
csp=$(header Content-Security-Policy)
assert_contains "$csp" "frame-ancestors 'self'" "frame-ancestors"
assert_not_contains "$csp" "unsafe-inline" "CSP"
# every site link stays inside the preview
links=$(grep -o '\(href\|src\)="/[^"]*"' "$T/body" | grep -v "=\"/admin/preview/$ID?path=" || true)
assert_eq "$links" "" "links leaving the preview"
css=$(grep -o "/admin/preview/$ID?path=/css/[^\"]*" "$T/body" | head -1)
assert_eq "$(code "${AUTH[@]}" "$API$css")" 200 "stylesheet through the preview"
assert_contains "$(header Content-Type)" "text/css" "stylesheet type"
curl -s "$API/news/library-hours/" > "$T/live.html"
assert_not_contains "$(cat "$T/live.html")" "ZEBRA-DRAFT" "the target shows the draft"
assert_contains "$(cat "$T/live.html")" "Longer library opening hours" "the target's live title"
for url in /news/ / /feeds/latest_news.xml /tags/libraries/; do
	assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/$ID?path=$url")" 200 "preview of $url"
	assert_contains "$(cat "$T/body")" "Draft DRAFTMARK hours" "the draft in $url"
done
assert_not_contains "$(curl -s "$API/news/")" "DRAFTMARK" "the target's listing"
# a page never published shows in its listing too
"$KILN" page new news/brand-new --title "Brand NEWMARK page" >/dev/null
NEW=$(sqlite3 .kiln/kiln.db "select id from pages where path='news/brand-new'")
before=$(state)
assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/$NEW?path=/news/")" 200 "unpublished page's listing"
assert_contains "$(cat "$T/body")" "Brand NEWMARK page" "unpublished page listed"
assert_contains "$(cat "$T/body")" "/admin/preview/$NEW?path=/news/brand-new/" "its link stays inside"
pass "draft page, listing, home and feed in the site's layout; target still live"

# errors: JSON with the status and field
assert_eq "$(code "$API/admin/preview/$ID")" 303 "no token nor session"
assert_contains "$(header Location)" "/admin/login" "sent to the login"
assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/999999")" 404 "unknown page"
assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/$ID?path=/no/such/")" 404 "unknown output"
assert_eq "$(code "${AUTH[@]}" "$API/admin/preview/$ID?path=/../kiln.yaml")" 400 "traversal"
assert_eq "$(jq -r .field "$T/body")" path "traversal field"
pass "errors: 401, 404, 400 with the field"

# 2. the live preview: the unsaved form on top of the draft
assert_eq "$(code "${AUTH[@]}" --data-urlencode "title=Typed TYPEDMARK" \
    --data-urlencode "body=Typed **LIVEBODY**" --data-urlencode "tags=a, b" \
    --data-urlencode "date=2026-11-20" -d csrf=x "$API/admin/preview/$ID/live")" 200 "live"
assert_contains "$(cat "$T/body")" "Typed TYPEDMARK" "typed title"
assert_contains "$(cat "$T/body")" "<strong>LIVEBODY</strong>" "typed body rendered"
assert_eq "$(code "${AUTH[@]}" --data-urlencode "date=soon" "$API/admin/preview/$ID/live")" 400 "bad date"
assert_eq "$(jq -r .field "$T/body")" date "bad date field"
assert_eq "$(sqlite3 .kiln/kiln.db "select title from revisions r join pages p on r.id = p.latest_revision_id where p.id = $ID")" \
    "Draft DRAFTMARK hours" "the live preview saved nothing"
pass "live preview of unsaved fields"

# 3. a build holding the output lock does not delay a preview
rm -f "$T/locked"; touch "$T/hold"
flock -x .public.lock -c "touch '$T/locked'; while [ -e '$T/hold' ]; do sleep 0.05; done" &
LOCKER=$!
for i in $(seq 1 200); do [ -e "$T/locked" ] && break; sleep 0.05; done
[ -e "$T/locked" ] || fail "could not take the output lock"
assert_eq "$(code -m 20 "${AUTH[@]}" "$API/admin/preview/$ID")" 200 "preview under the lock"
rm -f "$T/hold"; wait $LOCKER
assert_eq "$(state)" "$before" "the preview wrote to a target, a slot or the store"
pass "previews take no lock and write nothing"

# 4. shared links
LINK=$("$KILN" preview link news/library-hours --expires 1d)
case "$LINK" in /preview/*/) ;; *) fail "link: $LINK" ;; esac
assert_eq "$(code "$API$LINK")" 200 "shared link, anonymous"
assert_contains "$(cat "$T/body")" "ZEBRA-DRAFT" "shared link shows the draft"
tok=${LINK#/preview/}; tok=${tok%/}
links=$(grep -o 'href="/[^"]*"' "$T/body" | grep -v "=\"/preview/$tok/" || true)
assert_eq "$links" "" "shared links leaving the preview"
assert_eq "$(code "$API${LINK}news/")" 200 "listing through the link"
assert_contains "$(cat "$T/body")" "Draft DRAFTMARK hours" "listing through the link"
assert_eq "$(code -X POST "${AUTH[@]}" -d '{"expires":"2h"}' "$API/api/v1/pages/$ID/preview-link")" 201 "API link"
API_LINK=$(jq -r .url "$T/body")
assert_eq "$(code "$API$API_LINK")" 200 "API link works"
assert_eq "$(code -X POST "$API/api/v1/pages/$ID/preview-link")" 401 "API link needs a token"
assert_eq "$(code -X POST "${AUTH[@]}" -d '{"expires":"yesterday"}' "$API/api/v1/pages/$ID/preview-link")" 400 "bad expiry"
# tampered: another page id, a later expiry, a changed MAC
id=${tok%%.*}; rest=${tok#*.}; exp=${rest%%.*}; mac=${rest#*.}
for bad in "$((id + 1)).$exp.$mac" "$id.$((exp + 86400)).$mac" "$id.$exp.${mac%?}0" "$id.$exp.${mac%?}1" garbage; do
	[ "$bad" = "$tok" ] && continue
	assert_eq "$(code "$API/preview/$bad/")" 403 "tampered $bad"
	assert_contains "$(cat "$T/body")" "not valid" "tampered page"
	assert_not_contains "$(cat "$T/body")" "ZEBRA" "tampered shows nothing"
done
pass "shared link shows the draft; tampered links are 403"
kill $SERVE; wait $SERVE 2>/dev/null || true
start "$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)"
assert_eq "$(code "$API$LINK")" 403 "expired link"
assert_contains "$(cat "$T/body")" "expired" "expired page"
assert_not_contains "$(cat "$T/body")" "ZEBRA" "expired shows nothing"
assert_eq "$(state)" "$before" "shared links changed nothing"
pass "expired links are 403"
