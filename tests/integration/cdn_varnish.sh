#!/bin/bash
# SPDX-License-Identifier: ISC
# cdn_varnish.sh: real Varnish in front of the bucket's website endpoint
# (s3rver static website hosting); kiln deploys to the bucket through the
# SigV4-checking gateway and purges exactly the changed URLs after the
# uploads: an edited page is fresh in Varnish right after the deploy, an
# unpublished page is gone from it, untouched pages stay cached; BAN works
# too; a cache that refuses the purge fails the build.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/varnish.sh"
S3_WEBSITE_BUCKETS=www s3_start www
varnish_start "${S3_DIRECT##*:}" www.s3-website-us-east-1.amazonaws.com
V=http://127.0.0.1:$VARNISH_PORT
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
s3_add_target "    cdn:
      type: purge
      urls: [\"$V\"]"
# the public address of the site is the cache: purges carry its Host
sed -i "s|^  base_url: .*|  base_url: \"$V\"|" kiln.yaml
"$KILN" check >/dev/null || fail "cdn config"
"$KILN" publish --wait >/dev/null || fail "first build"
get() { curl -s -D "$T/h" "$V$1"; }
# warm the cache
get /guides/report-a-pothole/ | grep -q "Report a pothole" || fail "bucket website through varnish"
get /guides/report-a-pothole/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "varnish does not cache"
get /news/park-awards/ >/dev/null; get /news/park-awards/ >/dev/null
get /about/ >/dev/null; get /about/ >/dev/null

printf 'Fresh text after the edit.\n' > "$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" publish --wait >"$T/pub" || fail "publish"
assert_contains "$(cat "$T/pub")" "cdn: PURGE of" "purge logged"
get /guides/report-a-pothole/ | grep -q "Fresh text after the edit" || fail "stale page served after the deploy"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$V/news/park-awards/")" 404 "unpublished page still served"
get /about/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "an unchanged page was purged"
pass "varnish serves the new page at once, the removed page is gone"

# BAN instead of PURGE
sed -i "s|^      urls: \[\"$V\"\]|      urls: [\"$V\"]\n      method: BAN|" kiln.yaml
get /guides/register-to-vote/ >/dev/null; get /guides/register-to-vote/ >/dev/null
grep -q "X-Cache: HIT" "$T/h" || fail "not cached before the ban"
printf 'Banned and fresh.\n' > "$T/b.md"
"$KILN" page edit guides/register-to-vote --body-file "$T/b.md" --publish >/dev/null
"$KILN" publish --wait >"$T/pub" || fail "publish with BAN"
assert_contains "$(cat "$T/pub")" "cdn: BAN of" "ban logged"
get /guides/register-to-vote/ | grep -q "Banned and fresh" || fail "stale page after BAN"
pass "BAN invalidates too"

# the dry run shows the invalidation plan
printf 'Again.\n' > "$T/b.md"
"$KILN" page edit guides/pay-council-tax --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
"$KILN" deploy --target prod --dry-run --json | jq -e '.plan[0].invalidate | index("/guides/pay-council-tax/")' >/dev/null ||
    fail "dry run does not show the invalidation plan"

# a cache that refuses the invalidation fails the build, deletions kept
sed -i "s|^      urls: \[\"$V\"\]|      urls: [\"http://127.0.0.1:9\"]|" kiln.yaml
"$KILN" page unpublish about/contact >/dev/null
if "$KILN" publish --wait >"$T/pub2" 2>&1; then fail "publish succeeded with a dead cache"; fi
assert_contains "$(cat "$T/pub2")" "cdn: BAN http://127.0.0.1:9" "invalidation failure reported"
aws_s3 s3api head-object --bucket www --key about/contact/index.html >/dev/null ||
    fail "a deletion ran before the invalidation succeeded"
pass "a failed invalidation fails the build, before any deletion"
