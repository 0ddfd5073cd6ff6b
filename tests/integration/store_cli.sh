#!/bin/bash
# SPDX-License-Identifier: ISC
# store_cli.sh: the content commands end to end: init --demo, page
# new/edit/publish/unpublish/schedule/delete with --json, scheduled with
# a moved clock (KILN_NOW), media, re-import, bad usage.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z KILN_USER=tester

"$KILN" init site --demo >/dev/null
cd site
n=$("$KILN" page list --json | jq length)
assert_eq "$n" 23 "demo pages"
assert_eq "$("$KILN" page list --json | jq -r '[.[].status] | unique | join(",")')" "live" "demo statuses"
expect_status 1 "$KILN" init .		# never overwrites a site
out=$("$KILN" import content)
assert_contains "$out" "23 unchanged" "re-import changes nothing"

# a draft, published, edited, scheduled, unpublished
printf 'First body\n' > "$T/b1.md"
"$KILN" page new news/hello --title "Hello" --body-file "$T/b1.md" >/dev/null
show() { "$KILN" page show news/hello --json | jq -r "$1"; }
assert_eq "$(show .status)" "draft" "new page"
assert_eq "$(show .live)" "false" "draft not live"
"$KILN" page publish news/hello >/dev/null
assert_eq "$(show .status)" "live" "published"
rev1=$(show .live_revision)
"$KILN" page edit news/hello --title "Hello again" >/dev/null
assert_eq "$(show .status)" "live + draft" "edited"
assert_eq "$(show .live_revision)" "$rev1" "live revision kept"
"$KILN" page schedule news/hello --go-live 2026-11-24T13:00:00Z >/dev/null
assert_eq "$(show .status)" "live + scheduled" "scheduled"
assert_eq "$(show .go_live_at)" "2026-11-24T13:00:00Z" "go_live_at"
# dry run first, then at 13:00 the scheduled revision goes live
out=$(KILN_NOW=2026-11-24T13:00:00Z "$KILN" scheduled --dry-run)
assert_contains "$out" "would be published news/hello" "dry run"
assert_eq "$(show .status)" "live + scheduled" "dry run changed nothing"
KILN_NOW=2026-11-24T13:00:00Z "$KILN" scheduled --json > "$T/s.json"
assert_eq "$(jq .published "$T/s.json")" 1 "scheduled publish"
assert_eq "$(show .title)" "Hello again" "latest title"
assert_eq "$(show .status)" "live" "after go-live"
[ "$(show .live_revision)" != "$rev1" ] || fail "live revision not moved"
out=$(KILN_NOW=2026-11-24T13:00:00Z "$KILN" scheduled --json)
assert_eq "$(echo "$out" | jq .published)" 0 "idempotent"
# expiry
"$KILN" page schedule news/hello --expire 2026-11-25T00:00:00Z >/dev/null
KILN_NOW=2026-11-25T00:00:01Z "$KILN" scheduled >/dev/null
assert_eq "$(show .status)" "expired" "expired"
# unpublish, delete
"$KILN" page unpublish news/budget-2027 >/dev/null
assert_eq "$("$KILN" page show news/budget-2027 --json | jq -r .status)" "draft" "unpublished"
"$KILN" page delete news/hello >/dev/null
expect_status 1 "$KILN" page show news/hello
expect_status 1 "$KILN" page delete news	# has children

# every change is audited and requested a build where the site changed
pending=$(sqlite3 .kiln/kiln.db "select count(*) from build_requests where build_id is null")
[ "$pending" -ge 25 ] || fail "build requests: $pending"
actor=$(sqlite3 .kiln/kiln.db "select distinct actor from audit_log where action='unpublish'")
assert_eq "$actor" "tester" "audit actor"

# media
printf 'GIF89a' > "$T/pixel.gif"
out=$("$KILN" media add "$T/pixel.gif")
assert_contains "$out" "pixel.gif" "media add"
assert_eq "$("$KILN" media list --json | jq length)" 1 "media list"

# bad input: clear errors, exit codes, nothing changed
expect_status 1 "$KILN" page new ../escape --title x
expect_status 2 "$KILN" page new news/x
expect_status 2 "$KILN" page schedule news/park-awards --go-live tomorrow
expect_status 2 "$KILN" page
expect_status 0 "$KILN" page --help
err=$("$KILN" page new "news/Bad Slug" --title x 2>&1 || true)
assert_contains "$err" "not a valid slug" "slug error"
pass "content store from the command line"
