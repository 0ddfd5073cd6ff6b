#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_targets.sh: the per-target result of a build (decision 0230).
# Three targets: a staging dir target (content: latest), an S3 target on
# s3rver that works and an S3 target whose bucket does not exist.  The
# build fails and its record says, per target, what happened: prod
# deployed (with its counts), broken failed (with its error, scrubbed),
# the staging target deployed by its own deploy; shown by `kiln builds
# show --json`, the API's build JSON and the admin (build page table,
# badges in the builds table).  `kiln deploy --target NAME` lists the
# other targets as skipped ("not selected").
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_start www
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
s3_add_target "  broken:
    type: s3
    bucket: no-such-bucket
    endpoint: $S3_ENDPOINT
    path_style: true"
sed -i 's|^    path: .kiln/www|    path: .kiln/www\n    content: latest|' kiln.yaml
"$KILN" check >/dev/null || fail "config with three targets does not check"

# 1. the build: prod deployed, broken failed, the build failed
expect_status 1 "$KILN" publish --wait >"$T/out" 2>&1
id=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
"$KILN" builds show "$id" --json > "$T/b.json"
assert_eq "$(jq -r .status "$T/b.json")" failed "build status"
assert_eq "$(jq -r '[.targets[].name] | join(" ")' "$T/b.json")" \
    "prod broken local" "the targets, production first, then staging"
t() { jq -r --arg n "$1" ".targets[] | select(.name==\$n) | $2" "$T/b.json"; }
assert_eq "$(t prod .status)" deployed "prod"
# objects: every file and kiln's manifest (its head and its shards,
# decision 0370); unchanged: the site's files not sent
nfiles=$(jq '.files | length' public/.kiln/manifest.json)
nobj=$(( nfiles + 1 + $(curl -s "$S3_DIRECT/www/.kiln/manifest.json" | jq '.shards | length') ))
assert_eq "$(t prod .uploaded)" "$nobj" "prod: uploaded every object"
manifest_held "$S3_DIRECT/www" public
assert_eq "$(t prod .deleted)" 0 "prod: deleted"
assert_eq "$(t prod .error)" null "prod: no error"
assert_eq "$(t broken .status)" failed "broken"
assert_eq "$(t broken .uploaded)" 0 "broken: uploaded"
err=$(t broken .error)
assert_contains "$err" "broken" "broken: the error names the target"
assert_contains "$(jq -r .error "$T/b.json")" "broken" "the build's error"
assert_not_contains "$(cat "$T/b.json")" "$AWS_SECRET_ACCESS_KEY" "a secret in the record"
assert_eq "$(t local .status)" deployed "staging target"
assert_eq "$(t local .staging)" true "staging target marked"
assert_eq "$(jq -r '.counts | has("targets")' "$T/b.json")" false "targets not left in counts"
aws_s3 s3 cp s3://www/index.html "$T/got.html" >/dev/null
cmp -s "$T/got.html" public/index.html || fail "prod does not hold the build"
pass "build record: prod deployed, broken failed with its error, staging deployed"

# 2. a second build: prod has nothing to send, broken still fails
expect_status 1 "$KILN" publish --wait >"$T/out" 2>&1
id2=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
"$KILN" builds show "$id2" --json > "$T/b.json"
assert_eq "$(t prod .status)/$(t prod .uploaded)/$(t prod .unchanged)" \
    "deployed/0/$nfiles" "prod, unchanged"
assert_eq "$(t broken .status)" failed "broken again"
pass "a second build: prod unchanged, broken failed again"

# kiln deploy --json: the same list; a dry run plans, names no failure
"$KILN" deploy --target prod --json > "$T/d.json" || fail "deploy prod"
assert_eq "$(jq -c '[.targets[] | [.name, .status, .uploaded, .unchanged]]' "$T/d.json")" \
    "[[\"local\",\"skipped\",0,0],[\"prod\",\"deployed\",0,$nfiles],[\"broken\",\"skipped\",0,0]]" \
    "kiln deploy --target --json: the others listed as skipped"
assert_eq "$(jq -r '[.targets[] | select(.status == "skipped") | .reason] | unique | join(",")' "$T/d.json")" \
    "not selected" "skipped: not selected"
expect_status 1 "$KILN" deploy --json > "$T/d.json" 2>/dev/null
assert_eq "$(jq -r '[.targets[] | "\(.name):\(.status)"] | join(" ")' "$T/d.json")" \
    "local:skipped prod:deployed broken:failed" "kiln deploy --json, every target"
assert_contains "$(jq -r '.targets[0].reason' "$T/d.json")" "staging target" "skipped: the reason"
"$KILN" deploy --target prod --dry-run --json > "$T/d.json" || fail "dry run"
assert_eq "$(jq -r '[.targets[] | "\(.name):\(.status)"] | join(" ")' "$T/d.json")" \
    "local:skipped prod:planned broken:skipped" "a dry run plans the target named"
pass "kiln deploy --json: per-target results"

# 3. the API's build JSON and the admin
PORT=$(free_port)
A=http://127.0.0.1:$PORT
TOK=$("$KILN" token create --name ed --role editor)
echo 'admin-secret-3' | "$KILN" user add carol --role admin >/dev/null
serve_start
assert_eq "$(code -H "Authorization: Bearer $TOK" "$A/api/v1/builds/$id")" 200 "API build"
assert_eq "$(jq -r '[.targets[] | "\(.name):\(.status)"] | join(" ")' "$T/body")" \
    "prod:deployed broken:failed local:deployed" "API build targets"
jar=$T/jar
curl -s -c "$jar" -b "$jar" -o "$T/login.html" "$A/admin/login"
tok=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/login.html" | head -1 | sed 's/.*value="//; s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null "$A/admin/login" --data-urlencode "username=carol" \
    --data-urlencode "password=admin-secret-3" --data-urlencode "csrf=$tok"
assert_eq "$(code -b "$jar" "$A/admin/builds/$id")" 200 "admin build page"
page=$(cat "$T/body")
assert_contains "$page" '<table class="listing" id="build-targets">' "targets table"
assert_contains "$page" '<th scope="col">Target</th>' "targets table header"
assert_contains "$page" '<th scope="row" data-label="Target">prod</th>' "prod row"
assert_contains "$page" '<span class="badge badge-succeeded">deployed</span>' "prod deployed"
assert_contains "$page" '<th scope="row" data-label="Target">broken</th>' "broken row"
assert_contains "$page" '<span class="badge badge-failed">failed</span>' "broken failed"
assert_contains "$page" "<td data-label=\"Counts\">$nobj / 0 / 0</td>" "prod counts"
assert_contains "$page" "$(printf '%s' "$err" | cut -c1-20)" "broken's error shown"
assert_contains "$page" 'local (staging)' "staging row"
assert_eq "$(code -b "$jar" "$A/admin/builds")" 200 "admin builds table"
page=$(cat "$T/body")
assert_contains "$page" '<th scope="col">Targets</th>' "builds table: Targets column"
assert_contains "$page" 'badge badge-succeeded" title="prod: deployed"' "builds table: prod badge"
assert_contains "$page" 'badge badge-failed" title="broken: failed"' "builds table: broken badge"
pass "the API and the admin show each target's result"
