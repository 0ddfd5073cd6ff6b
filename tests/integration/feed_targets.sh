#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_targets.sh: the per-target result of a unit build (decision 0273,
# as 0230 for site builds).  Three targets: a staging dir target
# (content: latest), an S3 target on s3rver that works and an S3 target
# whose PUTs fail (a fault rule of the gateway; it still lists, so the
# feeder can tick).  The unit fails and its record says, per
# target, in kiln.yaml order: local skipped (with the reason), prod
# deployed (with its counts, marker written), broken failed (with its
# error, scrubbed); shown by `kiln builds units [--json]` and /metrics.
# Once the fault is gone the next unit is deployed everywhere.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_start www www2
cd "$T"
export KILN_USER=tester
"$KILN" init site >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
s3_add_target "  broken:
    type: s3
    bucket: www2
    endpoint: $S3_ENDPOINT
    path_style: true"
sed -i 's|^    path: .kiln/www|    path: .kiln/www\n    content: latest|' kiln.yaml
printf 'feed:\n  list: units.json\n' >> kiln.yaml
for u in a b; do
	mkdir -p "src/$u"
	printf -- '---\ntitle: Unit %s\n---\nThe unit %s.\n' "$u" "$u" > "src/$u/_index.md"
done
printf '%s' '[{"id":"a","version":"1","source":"src/a"}]' > units.json
"$KILN" check >/dev/null || fail "kiln.yaml with three targets"
s3_faults '[{"method":"PUT","contains":"/www2/","status":500,"times":-1}]'

# ---- one target fails: the unit fails, each target says what it got ----
out=$(timeout 300 "$KILN" feed 2>&1) || fail "kiln feed: $out"
assert_contains "$out" "failed 1" "the unit failed"
"$KILN" builds units --json > "$T/u.json"
t() { jq -r --arg n "$1" ".[0].targets[] | select(.name==\$n) | $2" "$T/u.json"; }
assert_eq "$(jq -r '.[0].status' "$T/u.json")" failed "unit status"
assert_eq "$(jq -r '[.[0].targets[].name] | join(" ")' "$T/u.json")" "local prod broken" \
    "every target, in kiln.yaml order"
assert_eq "$(t local .status)" skipped "the staging target"
assert_contains "$(t local .reason)" "staging target" "skipped: the reason"
assert_eq "$(t prod .status)" deployed "prod"
[ "$(t prod .uploaded)" -gt 0 ] || fail "prod: the unit's files counted"
assert_eq "$(t prod .shared_uploaded)" 2 "prod: the shared CSS and logo uploaded"
assert_eq "$(t prod .error)" null "prod: no error"
aws_s3 s3 ls s3://www/units/a/1/.complete >/dev/null || fail "prod has the marker"
assert_eq "$(t broken .status)" failed "broken"
assert_eq "$(t broken .uploaded)" 0 "broken: nothing uploaded"
assert_contains "$(t broken .error)" "broken" "broken: the error names the target"
assert_contains "$(jq -r '.[0].error' "$T/u.json")" "broken" "the unit's error"
assert_not_contains "$(cat "$T/u.json")" "$AWS_SECRET_ACCESS_KEY" "a secret in the record"
assert_eq "$(jq -r '.[0].counts | has("targets")' "$T/u.json")" false "targets not left in counts"
assert_contains "$("$KILN" builds units)" "local:skipped,prod:deployed,broken:failed" \
    "the text list shows each target"
pass "a unit failing on one target: per-target results"

# ---- /metrics: results per target of the last unit builds ----
sed -i 's/^serve:$/serve:\n  metrics_localhost: true/' kiln.yaml
PORT=$(free_port)
"$KILN" serve --listen 127.0.0.1:$PORT >"$T/serve.log" 2>&1 & bg_pid $!
SERVE=$!
wait_port "$PORT" 30
curl -s "http://127.0.0.1:$PORT/metrics" > "$T/metrics"
for m in 'kiln_unit_targets{target="local",status="skipped"} 1' \
    'kiln_unit_targets{target="prod",status="deployed"} 1' \
    'kiln_unit_targets{target="broken",status="failed"} 1'; do
	grep -qxF "$m" "$T/metrics" || fail "metric $m: $(grep unit_targets "$T/metrics")"
done
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true
pass "/metrics: unit results per target"

# ---- the fault gone: the next unit is deployed to both ----
s3_faults '[]'
printf '%s' '[{"id":"a","version":"1","source":"src/a"},{"id":"b","version":"1","source":"src/b"}]' > units.json
out=$(timeout 300 "$KILN" feed 2>&1) || fail "kiln feed: $out"
"$KILN" builds units --json > "$T/u.json"
assert_eq "$(jq -r '.[0].unit + " " + .[0].status' "$T/u.json")" "b succeeded" "unit b"
assert_eq "$(jq -r '[.[0].targets[] | "\(.name):\(.status)"] | join(" ")' "$T/u.json")" \
    "local:skipped prod:deployed broken:deployed" "unit b's targets"
assert_eq "$(t prod .shared_present)" 2 "prod: the shared files were there"
assert_eq "$(t broken .shared_uploaded)" 2 "broken: its first shared files"
aws_s3 s3 ls s3://www2/units/b/1/.complete >/dev/null || fail "broken has b's marker"
aws_s3 s3 ls s3://www2/units/a/1/.complete >/dev/null 2>&1 && fail "a failed unit has a marker on broken"
pass "a unit succeeding: per-target results"

# ---- a target that refuses to list (no s3:ListBucket): one HEAD each ----
s3_faults '[{"method":"GET","contains":"list-type","status":403,"code":"AccessDenied","times":-1}]'
s3_reset_counts
out=$("$KILN" feed --once --json) || fail "kiln feed with LIST refused: $out"
assert_eq "$(jq -r .method <<<"$out")" head "the tick fell back to HEAD"
assert_eq "$(s3_count HEAD)" 4 "one HEAD per unit version and S3 destination"
assert_eq "$(jq -c '[.units[] | "\(.id):\(.state)"]' <<<"$out")" '["a:failed","b:complete"]' \
    "b complete everywhere; a lacks broken's marker and failed for good"
assert_eq "$(jq -r .requests <<<"$out")" 6 "requests: a refused LIST and 2 HEADs per S3 destination"
s3_faults '[]'
pass "a target that cannot list: the markers by HEAD"
