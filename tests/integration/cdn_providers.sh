#!/bin/bash
# SPDX-License-Identifier: ISC
# cdn_providers.sh: CloudFront, Cloudflare and Fastly invalidations, each
# checked for its exact request shape (and CloudFront's SigV4 signature,
# with botocore) by a local server built from the providers' API
# documentation: no real provider can be reached from here.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
API_PORT=$(free_port)
export CDN_TOKEN=tok-0123456789 AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
unset AWS_SESSION_TOKEN
$PY "$KILN_SRC/tests/integration/lib/cdn_api_server.py" $API_PORT "$T/calls.jsonl" "$CDN_TOKEN" >"$T/api.log" 2>&1 &
bg_pid $!
wait_port $API_PORT
API=http://127.0.0.1:$API_PORT
"$KILN" init site --demo >/dev/null
cd site
cat > "$T/targets.yaml" <<YAML
  cf:
    type: dir
    path: .kiln/cf
    cdn: {type: cloudfront, distribution_id: E2EXAMPLE, endpoint: "$API"}
  cfl:
    type: dir
    path: .kiln/cfl
    cdn: {type: cloudflare, zone_id: zone1, token_env: CDN_TOKEN, endpoint: "$API"}
  fst:
    type: dir
    path: .kiln/fst
    cdn: {type: fastly, service_id: svc1, token_env: CDN_TOKEN, endpoint: "$API"}
  hk:
    type: dir
    path: .kiln/hk
    cdn: {type: webhook, url: "$API/hook", secret_env: CDN_TOKEN}
YAML
sed -i "/^    path: .kiln\/www/r $T/targets.yaml" kiln.yaml
"$KILN" check >/dev/null || fail "config"
"$KILN" build >/dev/null
"$KILN" deploy >/dev/null 2>&1 || fail "first deploy"
rm -f "$T/calls.jsonl"
printf 'Edited.\n' > "$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" build >/dev/null
"$KILN" deploy >"$T/out" 2>&1 || { cat "$T/out"; fail "deploy with three CDNs"; }
cf=$(jq -c 'select(.provider=="cloudfront")' "$T/calls.jsonl")
assert_eq "$(echo "$cf" | wc -l)" 1 "one CreateInvalidation per deploy"
assert_eq "$(echo "$cf" | jq -r .distribution)" E2EXAMPLE "distribution"
for p in /guides/report-a-pothole/ /guides/report-a-pothole /guides/report-a-pothole/index.html /news/park-awards/; do
	echo "$cf" | jq -e --arg p "$p" '.paths | index($p)' >/dev/null || fail "cloudfront path $p missing"
done
echo "$cf" | jq -e '.paths | map(select(test("\\.css$"))) | length == 0' >/dev/null || fail "assets invalidated"
cfl=$(jq -c 'select(.provider=="cloudflare")' "$T/calls.jsonl")
n=$(echo "$cfl" | jq '.files | length' | paste -sd+ | bc)
assert_eq "$n" "$(echo "$cf" | jq '.paths | length')" "cloudflare files = cloudfront paths"
echo "$cfl" | jq -e '.files | index("http://127.0.0.1:8080/guides/report-a-pothole/")' >/dev/null || fail "cloudflare full URL"
fst=$(jq -r 'select(.provider=="fastly") | .url' "$T/calls.jsonl")
echo "$fst" | grep -qx "127.0.0.1:8080/guides/report-a-pothole/" || fail "fastly purge URL"
hk=$(jq -c 'select(.provider=="hook")' "$T/calls.jsonl")
assert_eq "$(echo "$hk" | jq .signed)" true "webhook signature"
echo "$hk" | jq -e '.body.urls | index("http://127.0.0.1:8080/news/park-awards/")' >/dev/null || fail "webhook URLs"
pass "cloudfront, cloudflare, fastly and webhook invalidations have the documented shape"

# a change of every page: Fastly purges the surrogate key once, CloudFront
# still fits its path budget
rm -f "$T/calls.jsonl"
sed -i 's|</main>|<!-- v2 --></main>|' templates/base.mustache
"$KILN" build >/dev/null
"$KILN" deploy >/dev/null 2>&1 || fail "deploy of a site-wide change"
fk=$(jq -c 'select(.provider=="fastly")' "$T/calls.jsonl")
assert_eq "$(echo "$fk" | wc -l)" 1 "one fastly call"
assert_eq "$(echo "$fk" | jq -r .key)/$(echo "$fk" | jq -r .service)" "kiln-pages/svc1" "surrogate key purge"
pass "fastly purges a site-wide change by surrogate key"

# a wrong token is refused, and the deploy says so
"$KILN" page edit guides/report-a-pothole --title "Pothole 2" --publish >/dev/null
"$KILN" build >/dev/null
if out=$(CDN_TOKEN=wrong "$KILN" deploy 2>&1); then fail "deploy succeeded with a wrong CDN token"; fi
assert_contains "$out" "cloudflare: purge_cache failed" "cloudflare failure reported"
assert_not_contains "$out" "wrong" "token in the output"
pass "invalidation failures fail the deploy"

# a report by webhook (Slack-compatible) when a build fails for good
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
sed -i "s|^notify:|notify:\n  webhook: {url: \"$API/hook\", secret_env: CDN_TOKEN}|" kiln.yaml
sed -i '/^  hk:/,/secret_env: CDN_TOKEN}$/d' kiln.yaml
"$KILN" check >/dev/null || fail "notify webhook config"
rm -f "$T/calls.jsonl"
printf '{{#broken' > templates/page.mustache
expect_status 1 "$KILN" publish --wait
rep=$(jq -c 'select(.provider=="hook")' "$T/calls.jsonl")
assert_eq "$(echo "$rep" | jq .signed)" true "report signature"
assert_contains "$(echo "$rep" | jq -r .body.text)" "build" "report text"
assert_contains "$(echo "$rep" | jq -r .body.text)" "unclosed tag" "report error"
pass "broken build reported by webhook"
