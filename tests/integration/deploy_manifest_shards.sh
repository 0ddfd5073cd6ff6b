#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_manifest_shards.sh: the manifest a destination holds is a head
# and 256 shards by path hash (decision 0370), on real s3rver behind the
# SigV4 gateway and in a dir target: it joins to the build's manifest
# after every deploy; an edit sends only the shards it changes; a
# gateway 500 half-way through the shards and a kill -9 there leave the
# old head and no shard naming an object the bucket lacks, and the next
# deploy converges; a damaged shard in the bucket is repaired by
# --verify; a damaged shard map in the store costs every shard once.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_demo_site
export KILN_S3_BACKOFF_MS=5
"$KILN" build >/dev/null
plan() { "$KILN" deploy --target prod --dry-run --json; }
# the manifest keys a plan puts: its shards, then the head
shard_keys() { jq -r '.plan[0].put[] | select(startswith(".kiln/manifest/"))'; }
held_build() { curl -s "$S3_DIRECT/www/.kiln/manifest.json" | jq -r .build; }
# three pages edited with TEXT and built; their shards into $T/shards
edit_three() {
	printf '%s\n' "$1" > "$T/b.md"
	for p in about news/budget-2027 guides/report-a-pothole; do
		"$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null
	done
	"$KILN" build >/dev/null
	plan | shard_keys > "$T/shards"
	[ "$(wc -l < "$T/shards")" -ge 2 ] || fail "the edit changes fewer than 2 shards"
}
# no shard in the bucket names an object the bucket lacks
names_only_objects() {
	aws_s3 s3 ls --recursive s3://www | awk '{print $4}' | LC_ALL=C sort > "$T/keys"
	grep '^\.kiln/manifest/' "$T/keys" | while read -r k; do
		curl -s "$S3_DIRECT/www/$k" | jq -r '.files[].path'
	done | LC_ALL=C sort -u > "$T/named"
	[ -s "$T/named" ] || fail "$1: no shard in the bucket"
	missing=$(LC_ALL=C comm -23 "$T/named" "$T/keys" | head -3)
	assert_eq "$missing" "" "$1: shards name objects not in the bucket"
}

# 1. the first deploy: every non-empty shard and the head, both targets
"$KILN" deploy >/dev/null 2>&1 || fail "first deploy"
manifest_held "$S3_DIRECT/www" public
manifest_held .kiln/www public
assert_eq "$(held_build)" "$(jq -r .build public/.kiln/manifest.json)" "the head's build"
assert_eq "$(jq -r .version .kiln/www/.kiln/manifest.json)" 2 "the head's version"
pass "the first deploy: the head and its shards join to the build's manifest"

# 2. a 1-page edit: the shards of its changed paths only
printf 'Edited for the shards.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
n=$(plan | shard_keys | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le "$(jq '.files | length' public/.kiln/changes.json)" ] ||
    fail "shards sent after a 1-page edit: $n"
s3_reset_counts
"$KILN" deploy >/dev/null 2>&1 || fail "edit deploy"
assert_eq "$(s3_count PUT)" "$(( $(jq '.files | length' public/.kiln/changes.json) + n + 1 ))" \
    "PUTs: the changed files, their shards, the head"
manifest_held "$S3_DIRECT/www" public
manifest_held .kiln/www public
pass "a 1-page edit sends $n shard(s) and the head"

# 3. a gateway 500 on the second shard of an edit: the head stays the
#    old one, no shard names an object the bucket lacks; then converges
old=$(held_build)
edit_three 'Edited again, for a failure.'
s3_faults "[{\"method\":\"PUT\",\"contains\":\"$(sed -n 2p "$T/shards")\",\"status\":500,\"times\":-1}]"
if KILN_S3_MAX_ATTEMPTS=2 "$KILN" deploy --target prod >"$T/out" 2>&1; then
	fail "a deploy with a failing shard succeeded"
fi
assert_contains "$(cat "$T/out")" "phase manifest" "the error names the phase"
assert_eq "$(held_build)" "$old" "the head after a failed shard"
names_only_objects "after a failed shard"
rm -f "$S3_STATE/faults.json"
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy after the failure"
manifest_held "$S3_DIRECT/www" public
pass "a shard failing half-way leaves the old head; the next deploy converges"

# 4. kill -9 while the gateway holds the second shard's PUT
old=$(held_build)
edit_three 'Edited before a kill.'
rm -f "$S3_STATE/held" "$S3_STATE/release"
s3_faults '[{"hold_at": 2, "id": "k", "contains": ".kiln/manifest/", "after_upstream": true}]'
"$KILN" deploy --target prod >/dev/null 2>&1 &
pid=$!
s3_wait_held $pid || fail "the deploy was never held at its 2nd shard"
kill -9 $pid; wait $pid 2>/dev/null || true
touch "$S3_STATE/release"
rm -f "$S3_STATE/faults.json"
assert_eq "$(held_build)" "$old" "the head after a kill"
names_only_objects "after a kill"
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy after the kill"
manifest_held "$S3_DIRECT/www" public
pass "killed while sending shards: the old head stays; the next deploy converges"

# 5. a damaged shard in the bucket: --verify sends every shard again
k=$(curl -s "$S3_DIRECT/www/.kiln/manifest.json" | jq -r '.shards | keys[0]')
printf '{"version":1,"files":[{"path":"../../etc/passwd"' > "$T/bad.json"
aws_s3 s3 cp --quiet "$T/bad.json" "s3://www/.kiln/manifest/$k.json"
if manifest_join "$S3_DIRECT/www" >/dev/null 2>&1; then
	fail "the damaged shard was not damaged"
fi
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy over a damaged shard"
"$KILN" deploy --target prod --verify >"$T/out" 2>&1 || fail "verify: $(cat "$T/out")"
assert_not_contains "$(cat "$T/out")" "extra object .kiln" "verify reports kiln's manifest objects"
manifest_held "$S3_DIRECT/www" public
pass "a damaged shard in the bucket is repaired by --verify"

# 6. a damaged shard map in the store: every shard once, no failure
id=$(plan | jq -r '.plan[0].state')
for bad in '"x"' '{"zz":"00"}' '{"00":"not a sha"}' '[1,2]'; do
	db "update state set value = json_set(value, '\$.manifest_shards', json('$bad'))
	    where key = 'deploy.state.$id'"
	all=$(plan | shard_keys | wc -l)
	assert_eq "$all" "$(curl -s "$S3_DIRECT/www/.kiln/manifest.json" | jq '.shards | length')" \
	    "every shard planned over the map $bad"
	"$KILN" deploy --target prod >/dev/null 2>&1 || fail "deploy over the map $bad"
	manifest_held "$S3_DIRECT/www" public
done
printf 'Edited after the damage.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
[ "$(plan | shard_keys | wc -l)" -le "$(jq '.files | length' public/.kiln/changes.json)" ] ||
    fail "the map was not written again by the deploy in sync"
"$KILN" deploy >/dev/null 2>&1 || fail "the deploy after the damage"
manifest_held "$S3_DIRECT/www" public
manifest_held .kiln/www public
pass "a damaged shard map in the store costs every shard once"
