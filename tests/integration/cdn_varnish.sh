#!/bin/bash
# SPDX-License-Identifier: ISC
# cdn_varnish.sh: real Varnish in front of the published site (kiln serve
# serves the dir target); kiln purges exactly the changed URLs after the
# uploads: an edited page is fresh in Varnish right after the deploy, an
# unpublished page is gone from it, untouched pages stay cached.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/varnish.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
ORIGIN=$(free_port)
varnish_start $ORIGIN
V=http://127.0.0.1:$VARNISH_PORT
sed -i "s|^    path: .kiln/www|    path: .kiln/www\n    cdn:\n      type: purge\n      urls: [\"$V\"]|" kiln.yaml
# the public address of the site is the cache: purges carry its Host
sed -i "s|^  base_url: .*|  base_url: \"$V\"|" kiln.yaml
"$KILN" check >/dev/null || fail "cdn config"
"$KILN" publish --wait >/dev/null || fail "first build"
# the origin: kiln serve, which also runs the worker that deploys
"$KILN" serve --listen 127.0.0.1:$ORIGIN >"$T/serve.log" 2>&1 &
SERVE=$!
bg_pid $SERVE
wait_port $ORIGIN
get() { curl -s -D "$T/h" "$V$1"; }
# warm the cache
get /guides/report-a-pothole/ | grep -q "Report a pothole" || fail "origin through varnish"
get /guides/report-a-pothole/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "varnish does not cache"
get /news/park-awards/ >/dev/null; get /news/park-awards/ >/dev/null
get /about/ >/dev/null; get /about/ >/dev/null

printf 'Fresh text after the edit.\n' > "$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" page unpublish news/park-awards >/dev/null
wait_idle
assert_contains "$(sqlite3 .kiln/kiln.db "select log from builds order by id desc limit 1")" "cdn: PURGE of" "purge logged"
get /guides/report-a-pothole/ | grep -q "Fresh text after the edit" || fail "stale page served after the deploy"
code=$(curl -s -o /dev/null -w '%{http_code}' "$V/news/park-awards/")
assert_eq "$code" 404 "unpublished page still served by varnish"
get /about/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "an unchanged page was purged"
pass "varnish serves the new page at once, the removed page is gone"

# BAN instead of PURGE
kill $SERVE; wait $SERVE 2>/dev/null || true
sed -i "s|^      urls: \[\"$V\"\]|      urls: [\"$V\"]\n      method: BAN|" kiln.yaml
"$KILN" serve --listen 127.0.0.1:$ORIGIN >>"$T/serve.log" 2>&1 &
SERVE=$!
bg_pid $SERVE
wait_port $ORIGIN
get /guides/register-to-vote/ >/dev/null; get /guides/register-to-vote/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "not cached before the ban"
printf 'Banned and fresh.\n' > "$T/b.md"
"$KILN" page edit guides/register-to-vote --body-file "$T/b.md" --publish >/dev/null
wait_idle
assert_contains "$(sqlite3 .kiln/kiln.db "select log from builds order by id desc limit 1")" "cdn: BAN of" "ban logged"
get /guides/register-to-vote/ | grep -q "Banned and fresh" || fail "stale page after BAN"
pass "BAN invalidates too"

# the dry run shows the invalidation plan
printf 'Again.\n' > "$T/b.md"
kill $SERVE; wait $SERVE 2>/dev/null || true
"$KILN" page edit guides/pay-council-tax --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
"$KILN" deploy --dry-run --json | jq -e '.plan[0].invalidate | index("/guides/pay-council-tax/")' >/dev/null ||
    fail "dry run does not show the invalidation plan"

# a cache that refuses the purge fails the deploy and keeps deletions
sed -i "s|      urls: \[\"$V\"\]|      urls: [\"http://127.0.0.1:9\"]|" kiln.yaml
"$KILN" page edit guides/report-a-pothole --title "Pothole again" --publish >/dev/null
if "$KILN" publish --wait >"$T/pub2" 2>&1; then fail "publish succeeded with a dead cache"; fi
assert_contains "$(cat "$T/pub2")" "cdn: BAN http://127.0.0.1:9" "invalidation failure reported"
assert_contains "$(cat "$T/pub2")" "failed" "build failed"
pass "a failed invalidation fails the build, loudly"
