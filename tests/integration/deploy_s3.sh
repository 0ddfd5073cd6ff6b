#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_s3.sh: kiln deploy against real s3rver behind a gateway that
# verifies every SigV4 signature with botocore: first deploy, a 1-page
# edit (only changed objects + the manifest's shards they change and its
# head, 0 LIST), deletions, header
# rules, a mirror, read-back with the AWS CLI, retries on injected 503s,
# a phase stopped by a persistent failure, max_deletes, bad credentials.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_start www www-dr
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
cat > "$T/target.yaml" <<YAML
  prod:
    type: s3
    bucket: www
    region: us-east-1
    endpoint: $S3_ENDPOINT
    path_style: true
    mirrors:
      - {bucket: www-dr}
    headers:
      - {match: "*.xml", cache_control: "public, max-age=120"}
    max_deletes: 3
YAML
# the new target goes right after the local one, inside targets:
sed -i "/^    path: .kiln\/www/r $T/target.yaml" kiln.yaml
"$KILN" check >/dev/null || fail "config with an s3 target does not check"
"$KILN" build >/dev/null
nfiles=$(jq '.files | length' public/.kiln/manifest.json)

# 1. first deploy: every file + the manifest (its head and every shard),
#    to both buckets, no LIST
plan=$("$KILN" deploy --target prod --dry-run --json)
nman=$(jq '[.plan[0].put[] | select(startswith(".kiln/"))] | length' <<<"$plan")
assert_eq "$(jq '[.plan[].put | length] | add' <<<"$plan")" "$(( (nfiles + nman) * 2 ))" \
    "the dry run's PUTs: the files and the manifest, twice"
"$KILN" deploy --target prod >"$T/out1" 2>&1 || { cat "$T/out1"; fail "first deploy"; }
assert_eq "$(s3_count PUT)" "$(( (nfiles + nman) * 2 ))" "PUTs of the first deploy"
manifest_held "$S3_DIRECT/www" public
manifest_held "$S3_DIRECT/www-dr" public
assert_eq "$(( $(curl -s "$S3_DIRECT/www/.kiln/manifest.json" | jq '.shards | length') + 1 ))" \
    "$nman" "the head names every shard sent"
assert_eq "$(s3_count LIST)" 0 "LIST requests"
# read back with the AWS CLI: content, Content-Type, Cache-Control
aws_s3 s3 cp s3://www/news/budget-2027/index.html "$T/got.html" >/dev/null
cmp -s "$T/got.html" public/news/budget-2027/index.html || fail "content differs"
meta=$(aws_s3 s3api head-object --bucket www --key news/budget-2027/index.html)
assert_eq "$(echo "$meta" | jq -r .ContentType)" "text/html; charset=utf-8" "Content-Type"
assert_eq "$(echo "$meta" | jq -r .CacheControl)" "public, max-age=60" "Cache-Control"
css=$(jq -r '.files[] | select(.kind=="asset") | .path' public/.kiln/manifest.json | grep css)
meta=$(aws_s3 s3api head-object --bucket www --key "$css")
assert_eq "$(echo "$meta" | jq -r .CacheControl)" "public, max-age=31536000, immutable" "asset Cache-Control"
meta=$(aws_s3 s3api head-object --bucket www --key sitemap.xml)
assert_eq "$(echo "$meta" | jq -r .CacheControl)" "public, max-age=120" "header rule"
aws_s3 s3 cp s3://www-dr/index.html "$T/dr.html" >/dev/null
cmp -s "$T/dr.html" public/index.html || fail "mirror content differs"
pass "first deploy"

# 2. a 1-page edit: only the changed objects and the manifest
s3_reset_counts
printf 'New text for the guide.\n' > "$T/body.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/body.md" --publish >/dev/null
"$KILN" build >/dev/null
plan=$("$KILN" deploy --target prod --dry-run --json)
changed=$(jq '[.plan[0].phases[].objects] | add' <<<"$plan")
nman=$(jq '[.plan[0].put[] | select(startswith(".kiln/"))] | length' <<<"$plan")
# the shards of the changed paths only (at most one each), then the head
[ "$nman" -ge 2 ] && [ "$nman" -le $(( changed + 1 )) ] ||
    fail "manifest objects after a 1-page edit: $nman for $changed changed files"
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "edit deploy"
assert_eq "$(s3_count PUT)" "$(( (changed + nman) * 2 ))" "PUTs after a 1-page edit"
assert_eq "$(s3_count LIST)" 0 "LIST after a 1-page edit"
manifest_held "$S3_DIRECT/www" public
manifest_held "$S3_DIRECT/www-dr" public
aws_s3 s3 cp s3://www/guides/report-a-pothole/index.html - | grep -q "New text for the guide" ||
    fail "edited page not in the bucket"
pass "1-page edit: $changed changed objects + $nman manifest objects, 0 LIST"

# 3. unpublish: the page is deleted last, and /tags/parks/ with it (the
#    page was the only one with that tag)
s3_reset_counts
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" build >/dev/null
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "unpublish deploy"
assert_eq "$(s3_count DELETE)" 4 "DELETEs (page and term page, primary + mirror)"
if aws_s3 s3api head-object --bucket www --key news/park-awards/index.html >/dev/null 2>&1; then
	fail "unpublished page still in the bucket"
fi
manifest_held "$S3_DIRECT/www" public
pass "unpublished page removed"

# 4. transient 503 SlowDown is retried; the deploy succeeds
printf 'Edited again.\n' > "$T/body.md"
"$KILN" page edit guides/register-to-vote --body-file "$T/body.md" --publish >/dev/null
"$KILN" build >/dev/null
s3_faults '[{"method":"PUT","contains":"register-to-vote","status":503,"code":"SlowDown","times":2}]'
KILN_S3_BACKOFF_MS=20 "$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy with transient 503"
aws_s3 s3 cp s3://www/guides/register-to-vote/index.html - | grep -q "Edited again" || fail "retried page"
pass "503 SlowDown retried"

# 5. a persistent failure in phase 1 stops the HTML phase
rm -f "$S3_STATE/faults.json"
mkdir -p static/img && printf '<svg xmlns="http://www.w3.org/2000/svg"/>' > static/img/new.svg
printf '![x](/img/new.svg)\n' > "$T/body.md"
"$KILN" page edit guides/pay-council-tax --body-file "$T/body.md" --publish >/dev/null
"$KILN" build >/dev/null
s3_faults '[{"method":"PUT","contains":"img/new.","status":500,"times":-1}]'
if KILN_S3_BACKOFF_MS=5 KILN_S3_MAX_ATTEMPTS=3 "$KILN" deploy --target prod >"$T/out5" 2>&1; then
	fail "deploy with a persistent failure succeeded"
fi
assert_contains "$(cat "$T/out5")" "phase immutable" "error names the phase"
if aws_s3 s3 cp s3://www/guides/pay-council-tax/index.html - | grep -q "new\."; then
	fail "HTML naming the missing asset was uploaded"
fi
rm -f "$S3_STATE/faults.json"
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy after the fault cleared"
aws_s3 s3 cp s3://www/guides/pay-council-tax/index.html - | grep -q "img/new\." ||
    fail "HTML not uploaded after recovery"
manifest_held "$S3_DIRECT/www" public
pass "failed phase stops later phases; next deploy completes"

# 6. more deletions than max_deletes: refused, nothing changed
for p in news/budget-2027 news/library-hours news/recycling-changes news/new-bridge-opens; do
	"$KILN" page unpublish "$p" >/dev/null
done
"$KILN" build >/dev/null
s3_reset_counts
expect_status 1 "$KILN" deploy --target prod
assert_eq "$(s3_count PUT)$(s3_count DELETE)" "00" "requests after the guard"
msg=$("$KILN" deploy --target prod 2>&1 || true)
assert_contains "$msg" "exceed max_deletes" "guard message"
"$KILN" deploy --target prod --allow-deletes >/dev/null 2>&1 || fail "--allow-deletes"
pass "max_deletes guard"

# 7. wrong credentials: 403 from the gateway, no secret in the output
AWS_SECRET_ACCESS_KEY=not-the-secret-xyz "$KILN" page publish news/budget-2027 >/dev/null
"$KILN" build >/dev/null
if out=$(AWS_SECRET_ACCESS_KEY=not-the-secret-xyz KILN_S3_MAX_ATTEMPTS=1 "$KILN" deploy --target prod 2>&1); then
	fail "deploy with a wrong secret succeeded"
fi
assert_contains "$out" "403" "signature rejected"
assert_not_contains "$out" "not-the-secret-xyz" "secret leaked"
pass "bad signature rejected, secret not shown"
