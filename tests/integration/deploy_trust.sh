#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_trust.sh: the deployed state never lies (issue #12 §1).
#  1. the repro: a publish that fails at the CDN purge after B reached the
#     bucket, then an edit back to A: the bucket, the mirror and the local
#     folder all serve A, and the CDN is told; the failure's reason is in
#     the build record, the log and the report, counts are right;
#  2. a failed purge is retried by the next deploy;
#  3. `kiln deploy` prints no "deployed" line when it failed;
#  4. a target pointed at a new empty bucket gets everything;
#  5. --verify compares content (not size) and repairs fingerprinted
#     objects too; --full sends everything;
#  6. a deploy killed mid-write leaves no temporary file in a served folder.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/purge.sh"
. "$KILN_SRC/tests/integration/lib/smtp.sh"
s3_start www www-dr www2
purge_start
smtp_start
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
cat > "$T/notify.yaml" <<YAML
  email:
    smtp: "smtp://127.0.0.1:$SMTP_PORT"
    from: "kiln@example.org"
    to: ["web-team@example.org"]
YAML
sed -i "/^notify:/r $T/notify.yaml" kiln.yaml
s3_add_target "    mirrors:
      - {bucket: www-dr}
    cdn:
      type: purge
      urls: [\"$PURGE_URL\"]"
"$KILN" check >/dev/null || fail "config"
P=guides/report-a-pothole
U=/guides/report-a-pothole/
edit() {	# edit TEXT: the page's body, published
	printf '%s\n' "$1" > "$T/body.md"
	"$KILN" page edit $P --body-file "$T/body.md" --publish >/dev/null
}
in_bucket() {	# in_bucket BUCKET: the page as the bucket has it
	aws_s3 s3 cp "s3://$1/$P/index.html" - 2>/dev/null
}
edit "Version A of the page."
"$KILN" publish --wait >/dev/null || fail "first publish"
in_bucket www | grep -q "Version A" || fail "A not deployed"

# 1. the repro: the purge fails after B reached the bucket and the mirror
dead=$(free_port)
sed -i "s|urls: \[\"$PURGE_URL\"\]|urls: [\"http://127.0.0.1:$dead\"]|" kiln.yaml
edit "Version B of the page."
purge_clear
set +e
"$KILN" publish --wait >"$T/pub.out" 2>"$T/pub.err"
st=$?
set -e
assert_eq "$st" 1 "publish with a dead CDN"
in_bucket www | grep -q "Version B" || fail "B did not reach the bucket"
why=$(sqlite3 .kiln/kiln.db "select error from builds order by id desc limit 1")
assert_contains "$why" "cdn: PURGE http://127.0.0.1:$dead" "reason in the build record"
assert_contains "$(cat "$T/pub.err")" "cdn: PURGE http://127.0.0.1:$dead" "reason in the log"
smtp_all | grep -q "^Error: .*cdn: PURGE http://127.0.0.1:$dead" ||
    fail "reason in the report: $(smtp_all)"
log=$(cat "$T/pub.out")
assert_not_contains "$log" "PURGE of 0 paths" "purge count"
echo "$log" | grep -Eq "PURGE of [1-9][0-9]* paths at http://127.0.0.1:$dead FAILED after 0" ||
    fail "purge count: $log"
pass "the failure's reason is in the build record, the log and the report"
# the CDN is fixed, the page edited back to A
sed -i "s|urls: \[\"http://127.0.0.1:$dead\"\]|urls: [\"$PURGE_URL\"]|" kiln.yaml
edit "Version A of the page."
"$KILN" publish --wait >/dev/null || fail "publish after the fix"
in_bucket www | grep -q "Version A" || fail "the bucket still serves B"
in_bucket www-dr | grep -q "Version A" || fail "the mirror serves B"
grep -q "Version A" .kiln/www/$P/index.html || fail "the local folder serves B"
purged "$U" || fail "the CDN was not told of $U"
pass "a failed deploy does not leave the state behind: A everywhere"

# 2. a failed purge is retried by the next deploy, even with no change
purge_down
edit "Version C of the page."
expect_status 1 "$KILN" publish --wait
purge_up
purge_clear
"$KILN" deploy >"$T/dep.out" 2>&1 || fail "deploy after the CDN came back"
purged "$U" || fail "the failed purge was dropped"
purge_clear
"$KILN" deploy >/dev/null 2>&1 || fail "deploy in sync"
[ ! -s "$PURGE_LOG" ] || fail "purged again once done: $(cat "$PURGE_LOG")"
pass "a failed purge is retried by the next deploy, once"

# 3. a failed `kiln deploy` prints no "deployed" line, and says why
purge_down
edit "Version D of the page."
"$KILN" build >/dev/null
set +e
"$KILN" deploy >"$T/d.out" 2>"$T/d.err"
st=$?
"$KILN" deploy --json >"$T/d.json" 2>/dev/null
set -e
assert_eq "$st" 1 "deploy with the CDN down"
assert_not_contains "$(cat "$T/d.out")" "deployed:" "deployed line on failure"
assert_contains "$(cat "$T/d.err")" "cdn: PURGE $PURGE_URL" "reason on stderr"
assert_eq "$(jq -r '.ok' "$T/d.json")" false "json ok"
assert_eq "$(jq -r '[.errors[] | select(.error == "")] | length' "$T/d.json")" 0 "empty error in --json"
assert_eq "$(jq -r '.errors | length' "$T/d.json")" 1 "errors in --json"
purge_up
"$KILN" deploy >"$T/d.out" 2>/dev/null || fail "deploy after the CDN came back"
assert_contains "$(cat "$T/d.out")" "deployed:" "deployed line on success"
pass "a failed deploy prints no deployed line"

# 4. the same target pointed at a new, empty bucket gets every object
sed -i 's/^    bucket: www$/    bucket: www2/' kiln.yaml
nfiles=$(jq '.files | length' public/.kiln/manifest.json)
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy to the new bucket"
n=$(aws_s3 s3 ls --recursive s3://www2 | wc -l)
# kiln's manifest: its head and every shard it names (decision 0370)
nman=$(( $(curl -s "$S3_DIRECT/www2/.kiln/manifest.json" | jq '.shards | length') + 1 ))
assert_eq "$n" "$(( nfiles + nman ))" "objects in the new bucket"
manifest_held "$S3_DIRECT/www2" public
mkdir "$T/rb"
aws_s3 s3 cp --recursive --quiet s3://www2 "$T/rb"
diff -r -x .kiln public "$T/rb" >/dev/null || fail "the new bucket differs from the build"
pass "a new bucket gets everything ($nfiles objects)"

# 5. --verify compares content and repairs fingerprinted objects too
asset=$(jq -r '[.files[] | select(.immutable)][0].path' public/.kiln/manifest.json)
[ "$asset" != null ] || fail "no fingerprinted asset in the demo"
for k in "$P/index.html" "$asset"; do
	# the same size, other bytes
	tr 'a-y' 'b-z' < "public/$k" > "$T/bad"
	cmp -s "$T/bad" "public/$k" && fail "could not alter $k"
	aws_s3 s3 cp --quiet "$T/bad" "s3://www2/$k"
done
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy"
aws_s3 s3 cp --quiet "s3://www2/$asset" "$T/got"
cmp -s "$T/got" "public/$asset" && fail "a plain deploy should not notice drift"
"$KILN" deploy --target prod --verify >"$T/v.out" 2>&1 || fail "deploy --verify"
for k in "$P/index.html" "$asset"; do
	aws_s3 s3 cp --quiet "s3://www2/$k" "$T/got"
	cmp -s "$T/got" "public/$k" || fail "--verify did not repair $k"
done
pass "--verify repaired a changed page and a changed fingerprinted asset"
s3_reset_counts
"$KILN" deploy --target prod --full >/dev/null 2>&1 || fail "deploy --full"
# every object of the build, the manifest, to the primary and the mirror
assert_eq "$(s3_count PUT)" "$(( 2 * (nfiles + nman) ))" "PUTs of --full"
pass "--full sends every object"

# 6. a deploy killed while writing a file leaves no temporary file in the
# served folder: the write of a 3 MB asset crosses RLIMIT_FSIZE, and the
# kernel kills kiln with SIGXFSZ half-way through it (like kill -9)
head -c 3000000 /dev/urandom > static/big.bin
"$KILN" build >/dev/null
set +e
( ulimit -f 1024; exec "$KILN" deploy --target local ) >/dev/null 2>&1
st=$?
set -e
[ "$st" -gt 128 ] || fail "the deploy was not killed mid-write (status $st)"
left=$(find .kiln/www \( -name '*.tmp.*' -o -name 'put.*' -o -name '.kiln-staging' \) | head -5)
assert_eq "$left" "" "temporary files in the served folder"
"$KILN" deploy --target local >/dev/null 2>&1 || fail "deploy after the kill"
diff -r -x .kiln public .kiln/www >/dev/null || fail "the folder differs from the build"
assert_eq "$(ls -A .kiln/.www.kiln-staging)" "" "staging folder left over"
pass "a killed dir deploy leaves nothing in the web root"
