#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_dryrun.sh: `kiln deploy --dry-run` plans from the store, so it
# needs no AWS credentials (none in the environment, no profile); with
# --json (and -v in text) it lists every object key it would put and
# delete, and those are the keys a real deploy then changes in the
# bucket; `changed` lists a URL once even when two targets invalidate it.
# Without --dry-run, or with --verify (which lists the bucket), missing
# credentials are still an error.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_demo_site
"$KILN" check >/dev/null || fail "config"
"$KILN" build >/dev/null
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "first deploy"
printf 'Edited for the dry run.\n' >"$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" build >/dev/null
# nocreds CMD...: no AWS variable, no profile file, an empty HOME
nocreds() {
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
	    -u AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	    AWS_CONFIG_FILE=/dev/null HOME="$T" "$@"
}
s3_reset_counts
nocreds "$KILN" deploy --target prod --dry-run --json >"$T/plan.json" 2>"$T/err" ||
    fail "dry run without credentials: $(cat "$T/err")"
assert_eq "$(s3_count PUT)$(s3_count DELETE)$(s3_count LIST)" "000" "the dry run called the bucket"
jq -e '.ok and .dry_run' "$T/plan.json" >/dev/null || fail "dry run result: $(cat "$T/plan.json")"
put=$(jq -r '.plan[0].put[]' "$T/plan.json")
del=$(jq -r '.plan[0].delete[]' "$T/plan.json")
assert_contains "$put" "guides/report-a-pothole/index.html" "edited page put"
assert_contains "$put" ".kiln/manifest.json" "manifest put"
assert_contains "$del" "news/park-awards/index.html" "unpublished page deleted"
assert_not_contains "$put" "about/index.html" "an unchanged page put"
# the phases' objects, then the shards of the manifest they change (at
# most one a changed path, decision 0370), then its head
nshard=$(jq '[.plan[0].put[] | select(test("^[.]kiln/manifest/[0-9a-f]{2}[.]json$"))] | length' "$T/plan.json")
nobj=$(jq '[.plan[0].phases[].objects] | add' "$T/plan.json")
[ "$nshard" -ge 1 ] && [ "$nshard" -le $(( nobj + $(jq '.plan[0].delete | length' "$T/plan.json") )) ] ||
    fail "manifest shards put: $nshard for $nobj objects"
[ "$(jq '.plan[0].put | length' "$T/plan.json")" = "$(( nobj + nshard + 1 ))" ] ||
    fail "put lists every object of the phases and the manifest"
assert_eq "$(jq -r '.plan[0].put[-1]' "$T/plan.json")" ".kiln/manifest.json" "the head last"
pass "dry run with no credentials lists every key to put and delete"

nocreds "$KILN" deploy --target prod --dry-run -v >"$T/plan.txt" 2>&1 || fail "dry run -v: $(cat "$T/plan.txt")"
for k in $put; do grep -qxF "  put    $k" "$T/plan.txt" || fail "-v lacks put $k"; done
for k in $del; do grep -qxF "  delete $k" "$T/plan.txt" || fail "-v lacks delete $k"; done
pass "--dry-run -v lists the same keys"

# credentials are still needed to deploy, or to --verify
expect_status 1 nocreds "$KILN" deploy --target prod >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no AWS credentials" "deploy without credentials"
expect_status 1 nocreds "$KILN" deploy --target prod --dry-run --verify >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no AWS credentials" "verify without credentials"
pass "a deploy or --verify without credentials fails with the reason"

# the real deploy changes exactly the planned keys
s3_reset_counts
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy"
assert_eq "$(s3_count PUT)" "$(echo "$put" | wc -l)" "PUTs = planned puts"
assert_eq "$(s3_count DELETE)" "$(echo "$del" | grep -c . || true)" "DELETEs = planned deletes"
aws_s3 s3api head-object --bucket www --key news/park-awards/index.html >/dev/null 2>&1 &&
    fail "the planned delete did not happen"
aws_s3 s3 cp s3://www/guides/report-a-pothole/index.html - | grep -q "Edited for the dry run" ||
    fail "the planned put did not happen"
pass "the deploy puts and deletes the keys the dry run listed"

# two targets with a CDN invalidate the same URLs: changed lists each once
hook='    cdn: {type: webhook, url: "http://127.0.0.1:1/hook"}'
sed -i "s|^    path: .kiln/www$|&\n$hook|; s|^    path_style: true$|&\n$hook|" kiln.yaml
assert_eq "$(grep -c 'type: webhook' kiln.yaml)" 2 "test setup: two CDNs"
"$KILN" check >/dev/null || fail "config with two CDNs"
printf 'Edited twice.\n' >"$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
nocreds "$KILN" deploy --dry-run --json >"$T/plan2.json" 2>"$T/err" || fail "dry run of two targets: $(cat "$T/err")"
assert_eq "$(jq '.plan | length' "$T/plan2.json")" 2 "two destinations planned"
jq -e '.changed | index("/guides/report-a-pothole/")' "$T/plan2.json" >/dev/null || fail "changed: $(jq -c .changed "$T/plan2.json")"
assert_eq "$(jq '.changed | length == (unique | length)' "$T/plan2.json")" true "changed lists a path twice: $(jq -c .changed "$T/plan2.json")"
pass "changed never lists a path twice"
