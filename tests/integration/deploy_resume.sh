#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_resume.sh: kill -9 in the middle of a deploy, then deploy again:
# the job finishes without re-sending what arrived (at most the batch in
# flight); --verify repairs an object removed behind kiln's back; a mirror
# that failed catches up on the next deploy.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_start www
"$KILN_SRC/bench/render/gen-corpus.sh" 300 "$T/content" >/dev/null
"$KILN" init "$T/site" >/dev/null
cd "$T/site"
s3_add_target "    concurrency: 4
    mirrors:
      - {bucket: www-dr}"
"$KILN" import "$T/content" >/dev/null
"$KILN" build >/dev/null
nfiles=$(jq '.files | length' public/.kiln/manifest.json)
# kiln's manifest objects: its shards and its head (decision 0370)
nman=$("$KILN" deploy --target prod --dry-run --json |
    jq '[.plan[0].put[] | select(startswith(".kiln/"))] | length')

# 1. kill -9 mid-deploy (slowed down by the gateway), then resume
s3_faults '[{"method":"PUT","delay_ms":40,"times":-1}]'
"$KILN" deploy --target prod >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 200); do [ "$(s3_count PUT)" -ge 150 ] && break; sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null || true
first=$(s3_count PUT)
[ "$first" -lt "$nfiles" ] || fail "the deploy finished before it was killed"
rm -f "$S3_STATE/faults.json"
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 mb s3://www-dr >/dev/null
s3_reset_counts
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "resumed deploy"
second=$(s3_count PUT)
# primary: the rest + the manifest (every shard again: the deploy did
# not end in sync); mirror: everything + the manifest
rest=$(( nfiles - first ))
[ "$second" -le $(( rest + 64 + nman + nfiles + nman )) ] ||
    fail "resume re-sent too much: $first then $second PUTs for $nfiles files"
n=$(/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 ls --recursive s3://www | wc -l)
assert_eq "$n" "$(( nfiles + nman ))" "objects in the bucket after the resume"
manifest_held "$S3_DIRECT/www" public
manifest_held "$S3_DIRECT/www-dr" public
pass "killed at $first PUTs, resumed with $(( second - nfiles - nman )) for the primary"

# 2. --verify repairs drift
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 rm s3://www/s1/page-1/index.html >/dev/null
"$KILN" deploy --target prod --verify >/dev/null 2>&1 || fail "verify"
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy after verify"
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3api head-object --bucket www --key s1/page-1/index.html >/dev/null ||
    fail "verify did not repair the removed object"
pass "--verify repaired a removed object"

# 3. a failing mirror: the deploy fails, the primary is in sync, the
# mirror catches up next time
printf 'Changed.\n' > "$T/b.md"
"$KILN" page edit s2/page-2 --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
s3_faults '[{"method":"PUT","contains":"/www-dr/","status":500,"times":-1}]'
expect_status 1 env KILN_S3_MAX_ATTEMPTS=2 KILN_S3_BACKOFF_MS=5 "$KILN" deploy --target prod
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 cp s3://www/s2/page-2/index.html - | grep -q Changed ||
    fail "primary not in sync"
rm -f "$S3_STATE/faults.json"
s3_reset_counts
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "catch-up deploy"
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 cp s3://www-dr/s2/page-2/index.html - | grep -q Changed ||
    fail "mirror did not catch up"
pass "failed mirror caught up on the next deploy"
