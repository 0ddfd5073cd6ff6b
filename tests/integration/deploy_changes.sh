#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_changes.sh: a deploy after an edit plans from the build's
# changes.json (issue #19, decision record 0310) when the destination
# holds the build's base: it reads only the rows of the changed and
# removed paths ("plan": "changes", "rows_read"), and the destination
# still equals the build byte for byte after edits, deletions and
# renames, with delete_grace off (the dir target) and on (the bucket,
# on s3rver).  Any doubt takes the full plan and still converges: the
# first deploy, two builds without a deploy, a deploy that failed half
# way (a fault injected by the S3 gateway) or was killed (kill -9 while
# the gateway holds its 2nd request), --verify, changed header
# rules, a damaged changes.json or output record.  The daemon's worker
# takes the same plan.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_start www
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
# local: no delete grace; prod (the bucket): the default, 1h
s3_add_target
sed -i 's|^    path: .kiln/www|    path: .kiln/www\n    delete_grace: 0s|' kiln.yaml

# deploy TARGET: the JSON result in $T/out.json; "PLAN ROWS_READ"
deploy() {
	"$KILN" deploy --target "$1" --json > "$T/out.json" 2>"$T/err" ||
	    fail "deploy --target $1: $(cat "$T/err") $(jq -c .errors "$T/out.json")"
	jq -r '.plan[0] | "\(.plan) \(.rows_read)"' "$T/out.json"
}
# the rows a plan from the changes reads: its changed paths that the
# last build had, and its removed ones
build() { cp public/.kiln/manifest.json "$T/prev.json" 2>/dev/null || true; "$KILN" build >/dev/null; }
nchanged() {
	jq --slurpfile p "$T/prev.json" '($p[0].files | map({(.path): 1}) | add) as $had
	    | ([.files[] | select($had[.path])] | length) + (.removed | length)' \
	    public/.kiln/changes.json
}
# the destinations equal the build (the dir target and the bucket)
# (the manifest a destination holds is in shards, decision 0370)
same_dir() {
	diff -r -x changes.json -x outputs -x manifest.json -x manifest \
	    public/ .kiln/www/ >"$T/diff" ||
	    fail "the dir target differs from the build ($1): $(head -5 "$T/diff")"
	manifest_held .kiln/www public
}
same_bucket() {
	rm -rf "$T/dl" && mkdir "$T/dl"
	aws_s3 s3 sync --quiet s3://www "$T/dl" || fail "bucket download"
	diff -r -x changes.json -x outputs -x manifest.json -x manifest \
	    public/ "$T/dl/" >"$T/diff" ||
	    fail "the bucket differs from the build ($1): $(head -5 "$T/diff")"
	manifest_held "$T/dl" public
}
# the deployed rows of TARGET's destination are the build's manifest
same_rows() {
	local id
	id=$("$KILN" deploy --target "$1" --dry-run --json | jq -r '.plan[0].state')
	db "select path, sha256 from deployed_files where dest = '$id' order by path" \
	    | tr '|' ' ' > "$T/rows"
	jq -r '.files[] | "\(.path) \(.sha256)"' public/.kiln/manifest.json |
	    LC_ALL=C sort > "$T/want"
	LC_ALL=C sort "$T/rows" | cmp -s - "$T/want" ||
	    fail "$1: the deployed rows are not the build's manifest ($2)"
}
both() {	# both WHAT PLAN: deploy both targets; each plans PLAN
	local r
	for t in local prod; do
		r=$(deploy $t)
		case "$2" in
		changes) assert_eq "$r" "changes $(nchanged)" "$t: $1: plan and rows read" ;;
		*) assert_eq "${r%% *}" "$2" "$t: $1: plan" ;;
		esac
	done
}

build
both "first deploy" full
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" \
    "the destination's output is not known" "why the first plan is full"
same_dir "first deploy"; same_bucket "first deploy"
pass "the first deploy takes the full plan"

# 1. a 1-page edit: the plan reads the one row
printf 'Edited once.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
assert_eq "$(nchanged)" 1 "one file changed"
both "1-page edit" changes
assert_eq "$(jq -c '[.plan[0].put[] | sub("manifest/[0-9a-f]{2}[.]"; "manifest/XX.")]' "$T/out.json")" \
    '["about/index.html",".kiln/manifest/XX.json",".kiln/manifest.json"]' \
    "only the page, its manifest shard and the manifest's head sent"
assert_eq "$(jq '.targets[] | select(.name == "prod") | .unchanged' "$T/out.json")" \
    "$(( $(jq '.files | length' public/.kiln/manifest.json) - 1 ))" "unchanged objects counted"
same_dir "edit"; same_bucket "edit"; same_rows local "edit"; same_rows prod "edit"
pass "a 1-page edit reads 1 row per destination"

# the same output again: nothing read, nothing sent
r=$(deploy local)
assert_eq "$r" "changes 0" "the same output again"
assert_eq "$(jq .uploaded "$T/out.json")" 0 "nothing sent again"

# 2. a deletion, a renamed page, a renamed fingerprinted asset
old_css=$(cd public && ls css/site.*.css)
printf '\nbody { color: #010101; }\n' >> static/css/site.css
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" page show about/contact --json | jq -r .body > "$T/contact.md"
"$KILN" page new about/contact-us --title "Contact us" --body-file "$T/contact.md" --publish >/dev/null
"$KILN" page unpublish about/contact >/dev/null
build
jq -e '.removed | index("about/contact/index.html")' public/.kiln/changes.json >/dev/null &&
    jq -e '.files | map(.path) | index("about/contact-us/index.html")' public/.kiln/changes.json >/dev/null ||
    fail "the build removed too little: $(jq -c .removed public/.kiln/changes.json)"
both "deletions and renames" changes
assert_eq "$(jq '.plan[0].deferred | length' "$T/out.json")" 1 "prod: the old asset waits"
assert_no_file .kiln/www/news/park-awards/index.html
assert_no_file ".kiln/www/$old_css"
aws_s3 s3api head-object --bucket www --key "$old_css" >/dev/null ||
    fail "the bucket lost the old asset inside delete_grace"
same_dir "deletions"; same_rows local "deletions"; same_rows prod "deletions"
# after the grace, a plan from the changes still deletes it (the grace
# map is in the state)
printf 'Edited twice.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
export KILN_NOW=2026-11-24T13:00:01Z
both "after the grace" changes
assert_eq "$(jq -c '.plan[0].delete' "$T/out.json")" "[\"$old_css\"]" "prod: the old asset goes after the grace"
same_dir "after the grace"; same_bucket "after the grace"; same_rows prod "after the grace"
pass "deletions and renames from the changes, delete_grace off and on"

# 3. two builds without a deploy: the second's base is not what the
# destinations hold: full plan, converged
for n in 1 2; do
	printf 'Edit %s without a deploy.\n' "$n" > "$T/b.md"
	"$KILN" page edit news/budget-2027 --body-file "$T/b.md" --publish >/dev/null
	build
done
both "two builds without a deploy" full
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" \
    "the build's base is not the destination's output" "why the plan is full"
same_dir "two builds"; same_bucket "two builds"; same_rows prod "two builds"
pass "two builds without a deploy take the full plan"

# 4. a deploy that fails half way: the next takes the full plan (its
# journal), and the one after plans from the changes again
printf 'Edit before a failure.\n' > "$T/b.md"
for p in about news/budget-2027; do
	"$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null
done
build
s3_faults '[{"method":"PUT","contains":"budget-2027","status":500,"times":-1}]'
expect_status 1 env KILN_S3_MAX_ATTEMPTS=2 KILN_S3_BACKOFF_MS=5 "$KILN" deploy --target prod
rm -f "$S3_STATE/faults.json"
r=$(deploy prod)
assert_eq "${r%% *}" full "after a failed deploy"
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" \
    "the destination's output is not known" "why the plan after a failure is full"
same_bucket "after a failure"; same_rows prod "after a failure"
# killed (kill -9) while the gateway holds its 2nd request
printf 'Edit before a kill.\n' > "$T/b.md"
for p in about news/budget-2027; do
	"$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null
done
build
assert_eq "$("$KILN" deploy --target prod --dry-run --json | jq -r '.plan[0].plan')" changes \
    "the plan of the deploy to kill"
rm -f "$S3_STATE/held" "$S3_STATE/release"
s3_faults '[{"hold_at": 2, "id": "kill", "after_upstream": true}]'
"$KILN" deploy --target prod >/dev/null 2>&1 &
pid=$!
s3_wait_held $pid || fail "the deploy was never held at its 2nd request"
kill -9 $pid; wait $pid 2>/dev/null || true
touch "$S3_STATE/release"
rm -f "$S3_STATE/faults.json"
r=$(deploy prod)
assert_eq "${r%% *}" full "after a killed deploy"
same_bucket "after a kill"; same_rows prod "after a kill"
deploy local >/dev/null
printf 'Edit after a failure.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
both "the edit after a failure" changes
same_dir "after a failure"; same_bucket "after a failure"
pass "a failed or killed deploy is converged by a full plan, then changes again"

# 5. --verify and changed header rules take the full plan
printf 'Edit with a verify.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
"$KILN" deploy --target local --verify --json > "$T/out.json" 2>"$T/err" || fail "verify"
assert_eq "$(jq -r '.plan[0].plan' "$T/out.json")" full "--verify"
sed -i 's|^    path_style: true|    path_style: true\n    headers:\n      - {match: "*.html", cache_control: "public, max-age=30"}|' kiln.yaml
r=$(deploy prod)
assert_eq "${r%% *}" full "changed header rules"
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" \
    "the target's header rules changed" "why the plan is full"
assert_eq "$(aws_s3 s3api head-object --bucket www --key about/index.html | jq -r .CacheControl)" \
    "public, max-age=30" "the new header rule applied"
printf 'Edit with the new rules.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
both "an edit under the new rules" changes
assert_eq "$(aws_s3 s3api head-object --bucket www --key about/index.html | jq -r .CacheControl)" \
    "public, max-age=30" "the changed page keeps the target's rule"
same_dir "new rules"; same_bucket "new rules"; same_rows prod "new rules"
pass "--verify and changed header rules take the full plan"

# 6. damaged: a changes.json that does not parse, an output record with a
# bad count: a full plan (said why), never a failure, and it converges
printf 'Edit with a damaged changes file.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
printf '{"version": 1, "id": "zz"' > public/.kiln/changes.json
r=$(deploy local)
assert_eq "$r" "full $(jq '.files | length' public/.kiln/manifest.json)" "a damaged changes.json"
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" "the build lists no changes" \
    "why the plan is full"
same_dir "a damaged changes.json"
printf 'Edit with a damaged output record.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
build
sid=$(jq -r '.plan[0].state' "$T/out.json")
db "update state set value = json_set(value, '$.files', -5) where key = 'deploy.state.$sid'"
r=$(deploy local)
assert_eq "${r%% *}" full "a damaged output record"
assert_eq "$(jq -r '.plan[0].plan_reason' "$T/out.json")" "the destination's output is not known" \
    "why the plan is full"
same_dir "a damaged output record"; same_rows local "a damaged output record"
deploy prod >/dev/null
pass "a damaged changes.json or output record: a full plan"

# 7. the daemon's worker deploys after each build: the same plan from the
# changes (its build log says so), the bucket still equals the build
"$KILN" worker >"$T/worker.log" 2>&1 &
bg_pid $!
for n in 1 2; do
	printf 'Edit %s by the worker.\n' "$n" > "$T/b.md"
	cp public/.kiln/manifest.json "$T/prev.json"
	"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
	wait_idle
	B=$(db "select max(id) from builds")
	assert_eq "$(db "select status from builds where id = $B")" succeeded "worker build $n"
	"$KILN" builds log "$B" > "$T/blog"
	for t in local prod; do
		grep -q "^$t: plan from the changes since output .*: $(nchanged) rows read" "$T/blog" ||
		    fail "worker build $n: $t: no plan from the changes: $(grep -i plan "$T/blog")"
	done
	same_dir "worker build $n"; same_bucket "worker build $n"; same_rows prod "worker build $n"
done
pass "the worker's deploys plan from the changes"
