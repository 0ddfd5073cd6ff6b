#!/bin/bash
# SPDX-License-Identifier: ISC
# cdn_purge.sh: `kiln cdn purge` for operators.  Real Varnish in front of
# the bucket's website endpoint: an object changed in the bucket by hand
# stays stale in the cache until `kiln cdn purge PATH` (or the full URL)
# purges it, with the deploy's path planning (the page's "/a/" also
# purges "/a/index.html"); other cached pages stay cached.  Bad URLs, an
# unknown target and a target without a CDN are refused.  CloudFront
# takes its credentials through the AWS chain the S3 target uses: a
# profile of a shared credentials file, with nothing in the environment.
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
sed -i "s|^  base_url: .*|  base_url: \"$V\"|" kiln.yaml
"$KILN" check >/dev/null || fail "cdn config"
"$KILN" publish --wait >/dev/null || fail "first build"
get() { curl -s -D "$T/h" "$V$1"; }
hit() { grep -q "X-Cache: HIT" "$T/h"; }
for p in /guides/report-a-pothole/ /guides/report-a-pothole/index.html /about/; do
	get $p >/dev/null; get $p >/dev/null
	hit || fail "varnish does not cache $p"
done
# an operator fixes the page in the bucket by hand: the cache is stale
sed 's|</body>|<p>Hand-fixed.</p></body>|' .kiln/www/guides/report-a-pothole/index.html >"$T/fixed.html"
grep -q Hand-fixed "$T/fixed.html" || fail "test setup: fixed page"
aws_s3 s3 cp "$T/fixed.html" s3://www/guides/report-a-pothole/index.html --content-type text/html >/dev/null
get /guides/report-a-pothole/ | grep -q Hand-fixed && fail "test setup: not stale"
hit || fail "test setup: the stale page is not a cache hit"

"$KILN" cdn purge /guides/report-a-pothole/ >"$T/out" 2>&1 || fail "cdn purge: $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "cdn: PURGE of" "purge reported"
get /guides/report-a-pothole/ | grep -q Hand-fixed || fail "still stale after cdn purge"
get /guides/report-a-pothole/index.html | grep -q Hand-fixed || fail "index.html not purged with the page"
get /about/ >/dev/null
hit || fail "an unrelated page was purged"
pass "kiln cdn purge PATH: the stale page and its index.html are fresh, others stay cached"

# a full URL under base_url, --target
get /about/ >/dev/null
aws_s3 s3 cp "$T/fixed.html" s3://www/about/index.html --content-type text/html >/dev/null
get /about/ | grep -q Hand-fixed && fail "test setup: /about/ not stale"
"$KILN" cdn purge --target prod "$V/about/" >"$T/out" 2>&1 || fail "cdn purge URL: $(cat "$T/out")"
get /about/ | grep -q Hand-fixed || fail "still stale after cdn purge URL"
pass "kiln cdn purge --target T URL"

# refused: nothing purged, a clear error
expect_status 1 "$KILN" cdn purge https://elsewhere.example/about/ >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "not a path (/news/) nor a URL under $V/" "foreign URL"
expect_status 1 "$KILN" cdn purge "/a b/" >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no spaces" "space"
expect_status 1 "$KILN" cdn purge --target nope /about/ >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no target 'nope'" "unknown target"
expect_status 1 "$KILN" cdn purge --target local /about/ >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "target 'local' has no cdn section" "no cdn"
expect_status 2 "$KILN" cdn purge >/dev/null 2>&1
pass "bad URLs, unknown targets and targets without a CDN are refused"

# CloudFront: the credentials of a profile, nothing in the environment
API_PORT=$(free_port)
$PY "$KILN_SRC/tests/integration/lib/cdn_api_server.py" $API_PORT "$T/calls.jsonl" tok >"$T/api.log" 2>&1 &
bg_pid $!
wait_port $API_PORT
sed -i "s|^    path: .kiln/www$|    path: .kiln/www\n  cf:\n    type: dir\n    path: .kiln/cf\n    cdn: {type: cloudfront, distribution_id: E2EXAMPLE, endpoint: \"http://127.0.0.1:$API_PORT\"}|" kiln.yaml
"$KILN" check >/dev/null || fail "cloudfront config"
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n[ops]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = S3RVER\n' >"$T/credentials"
noaws() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    -u AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE="$T/credentials" AWS_CONFIG_FILE=/dev/null HOME="$T" "$@"; }
noaws AWS_PROFILE=ops "$KILN" cdn purge --target cf /news/ >"$T/out" 2>&1 ||
    fail "cloudfront purge with a profile: $(cat "$T/out")"
cf=$(jq -c 'select(.provider=="cloudfront")' "$T/calls.jsonl")
[ -n "$cf" ] || fail "no CloudFront call: $(cat "$T/api.log")"
echo "$cf" | jq -e '.paths | index("/news/") and index("/news/index.html")' >/dev/null ||
    fail "CloudFront paths: $cf"
# the default profile's wrong secret: the signature check refuses it
expect_status 1 noaws "$KILN" cdn purge --target cf /news/ >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "CreateInvalidation failed" "wrong secret refused"
assert_not_contains "$(cat "$T/err")" "WRONG" "no secret in the error"
# no credentials anywhere
expect_status 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null HOME="$T" \
    "$KILN" cdn purge --target cf /news/ >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no AWS credentials" "no credentials"
pass "CloudFront takes credentials from an AWS profile like the S3 target"
