#!/bin/bash
# SPDX-License-Identifier: ISC
# feed.sh: a multi-unit site (issue #17) against a real S3 (s3rver behind
# the SigV4 gateway): 20 units, max_per_tick 5, two kiln worker processes,
# one broken unit.  Ticks run until nothing is left: 19 markers, every
# unit's pages, the broken one retried then failed, shared files uploaded
# once, no unit built twice; another tick builds nothing; a new version
# builds only itself; a worker killed mid-unit leaves no marker and the
# unit completes later.  Waits are for states, never for time.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_start www
cd "$T"
export KILN_USER=tester
"$KILN" init site >/dev/null
cd site
s3_add_target
# the bucket alone: its conditional PUT is what this test proves (a dir
# target's link(2) is proved by unit/deploy dir/*)
sed -i '/^  local:$/,/^    path: .kiln\/www$/d' kiln.yaml
sed -i 's/^  retries: 2 .*/  retries: 1/; s/^  retry_backoff: 10s.*/  retry_backoff: 1s\n  lease: 5s\n  heartbeat: 1s/' kiln.yaml
cat >> kiln.yaml <<'YAML'
feed:
  list: units.json
  max_per_tick: 5
  concurrency: 2
YAML
mkunit() {	# mkunit DIR TITLE
	mkdir -p "$1/ch"
	printf -- '---\ntitle: %s\n---\nThe book %s.\n' "$2" "$2" > "$1/_index.md"
	printf -- '---\ntitle: Chapter one\n---\nText of %s.\n' "$2" > "$1/ch/one.md"
}
entries=""
for i in $(seq -w 1 20); do
	mkunit "src/u$i" "Unit $i"
	entries="$entries{\"id\":\"unit-$i\",\"version\":\"1\",\"source\":\"src/u$i\"},"
done
printf -- '---\ntitle: [broken\n---\n' > src/u07/_index.md
printf '[%s{"id":"../escape","version":"1","source":"src/u01"}]\n' "$entries" > units.json

# ---- a dry run queues nothing; a bad entry is reported by its index ----
out=$("$KILN" feed --once --dry-run --json 2>&1)
assert_eq "$(jq -r .deferred <<<"$out")" 15 "dry run: 5 would be queued, 15 deferred"
assert_eq "$(jq -r '.problems[0].index' <<<"$out")" 20 "the bad entry's index"
assert_eq "$(db "select count(*) from unit_builds")" 0 "a dry run queues nothing"
pass "dry run"

# ---- ticks with two workers until nothing is left ----
"$KILN" worker >"$T/w1.log" 2>&1 & bg_pid $!; W1=$!
"$KILN" worker >"$T/w2.log" 2>&1 & bg_pid $!; W2=$!
drained() {	# until no unit build is queued or running
	local i
	for i in $(seq 1 1200); do
		[ "$(db "select count(*) from unit_builds where status in ('queued','running')")" = 0 ] && return 0
		sleep 0.1
	done
	fail "the unit queue never drained"
}
ticks=0
while :; do
	out=$("$KILN" feed --once --json)
	ticks=$((ticks + 1))
	[ "$(jq -r .queued <<<"$out")" -le 5 ] || fail "more than max_per_tick queued"
	[ "$(jq '.queued + .pending + .deferred' <<<"$out")" = 0 ] && break
	drained
	[ $ticks -lt 20 ] || fail "ticks never finished"
done
assert_eq "$ticks" 5 "4 ticks of 5 and a last one with nothing left"
assert_eq "$(jq -r .skipped <<<"$out")" 19 "19 complete"
assert_eq "$(jq -r .failed <<<"$out")" 1 "the broken one failed"
markers=$(aws_s3 s3 ls s3://www/units/ --recursive | grep -c '/.complete$')
assert_eq "$markers" 19 "19 markers in the bucket"
for i in $(seq -w 1 20); do
	[ "$i" = 07 ] && continue
	aws_s3 s3 ls "s3://www/units/unit-$i/1/ch/one/index.html" >/dev/null || fail "unit-$i's page"
done
aws_s3 s3 ls s3://www/units/unit-07/ >/dev/null 2>&1 && fail "the broken unit has objects"
assert_eq "$(db "select status || ' ' || attempt from unit_builds where unit_id = 'unit-07'")" "failed 2" \
    "the broken unit was retried, then failed"
assert_contains "$(db "select error from unit_builds where unit_id = 'unit-07'")" "_index.md" "its error names the file"
assert_eq "$(db "select count(*) from unit_builds where status = 'succeeded' and attempt = 1")" 19 \
    "every unit built once: $(db "select unit_id, attempt, log from unit_builds where attempt > 1")"
for i in $(seq -w 1 20); do
	n=$(db "select log from unit_builds where unit_id = 'unit-$i'" | grep -c 'claimed' || true)
	want=1; [ "$i" = 07 ] && want=2
	assert_eq "$n" "$want" "unit-$i claims"
done
# the Gatekeeper: every content-hashed file sent by exactly one unit
shared=$(db "select json_extract(counts, '$.shared_uploaded') + json_extract(counts, '$.shared_present') from unit_builds where status = 'succeeded'" | sort -u)
assert_eq "$(wc -l <<<"$shared")" 1 "every unit names the same shared files"
assert_eq "$(db "select sum(json_extract(counts, '$.shared_uploaded')) from unit_builds")" "$shared" \
    "each shared file uploaded once across all units"
logo=$(aws_s3 s3 ls s3://www/img/ | grep -c 'logo\.[0-9a-f]*\.svg')
assert_eq "$logo" 1 "the shared image is in the bucket"
# the two workers both built units
for w in "$T/w1.log" "$T/w2.log"; do
	grep -q 'complete:' "$w" || fail "worker $w built no unit"
done
pass "20 units, one broken: 19 built once each on two workers"

# ---- another tick builds nothing ----
out=$("$KILN" feed --once)
assert_contains "$out" "queued 0," "nothing left to queue"
pass "a tick with every unit complete"

# ---- a new version of one unit builds only it ----
jq '. + [{"id":"unit-03","version":"2","source":"src/u03"}]' units.json > u.json && mv u.json units.json
out=$("$KILN" feed --once --json)
assert_eq "$(jq -r .queued <<<"$out")" 1 "one new version queued"
drained
assert_eq "$(db "select status from unit_builds where unit_id = 'unit-03' and version = '2'")" succeeded "unit-03 2 built"
aws_s3 s3 ls s3://www/units/unit-03/2/.complete >/dev/null || fail "unit-03 2's marker"
assert_eq "$(db "select count(*) from unit_builds")" 21 "no other unit built"
aws_s3 s3 cp s3://www/units/unit-03/2/.complete "$T/marker.json" >/dev/null
assert_eq "$(jq -r '.unit + " " + .unit_version' "$T/marker.json")" "unit-03 2" "the marker names the unit"
jq -e '.files | map(.path) | index("units/unit-03/2/index.html")' "$T/marker.json" >/dev/null ||
    fail "the marker holds the unit's manifest"
# the site's own page of the unit: every complete version, the latest
assert_eq "$("$KILN" page show units/unit-03 --json | jq -c '[.params.unit.latest.version, [.params.unit.versions[].version], .params.unit.latest.url]')" \
    '["2",["1","2"],"/units/unit-03/2/"]' "the unit's page in the site"
wait_idle
aws_s3 s3 cp s3://www/units/unit-03/index.html - | grep -q 'unit-03' || fail "the site's page of unit-03 deployed"
pass "a new version builds only that version"

# ---- a unit from a git repository and ref (libgit2) ----
mkunit repo "Git unit v1"
git -C repo init -q && git -C repo add -A &&
    git -C repo -c user.name=t -c user.email=t@x commit -qm v1 && git -C repo tag v1
mkunit repo "Git unit v2"
git -C repo -c user.name=t -c user.email=t@x commit -qam v2
jq '. + [{"id":"from-git","version":"1","source":"repo","ref":"v1"}]' units.json > u.json && mv u.json units.json
out=$("$KILN" feed --once --json)
assert_eq "$(jq -r .queued <<<"$out")" 1 "the git unit queued"
drained
assert_eq "$(db "select status from unit_builds where unit_id = 'from-git'")" succeeded \
    "the git unit: $(db "select error from unit_builds where unit_id = 'from-git'")"
assert_contains "$(aws_s3 s3 cp s3://www/units/from-git/1/index.html -)" "Git unit v1" "the tag's tree, not the branch's"
pass "a unit from a git ref"

# ---- a worker killed mid-unit: no marker; the unit completes later ----
kill "$W1" "$W2"; wait "$W1" "$W2" 2>/dev/null || true
touch "$T/hold"
KILN_TEST_HOLD_FILE="$T/hold" "$KILN" worker >"$T/w3.log" 2>&1 & bg_pid $!; W3=$!
mkunit src/u21 "Unit 21"
jq '. + [{"id":"unit-21","version":"1","source":"src/u21"}]' units.json > u.json && mv u.json units.json
"$KILN" feed --once >/dev/null
for i in $(seq 1 600); do
	grep -q 'unit-21 1: test hook: held' "$T/w3.log" && break
	sleep 0.1
done
grep -q 'unit-21 1: test hook: held' "$T/w3.log" || fail "the worker never held unit-21"
kill -9 "$W3"
aws_s3 s3 ls s3://www/units/unit-21/1/.complete >/dev/null 2>&1 && fail "a killed unit build left a marker"
out=$("$KILN" feed --once --json)
assert_eq "$(jq -r '.units[] | select(.id == "unit-21") | .state' <<<"$out")" pending "still pending after the kill"
rm -f "$T/hold"
"$KILN" worker >"$T/w4.log" 2>&1 & bg_pid $!
drained
assert_eq "$(db "select status || ' ' || attempt from unit_builds where unit_id = 'unit-21'")" "succeeded 2" \
    "taken over after the lease expired"
aws_s3 s3 ls s3://www/units/unit-21/1/.complete >/dev/null || fail "unit-21's marker"
out=$("$KILN" feed --once)
assert_contains "$out" "queued 0," "nothing left after the takeover"
pass "kill -9 mid-unit: no marker, completed by another worker"

# ---- the build table and the metrics show unit builds ----
assert_eq "$("$KILN" builds units --json | jq -c '[length, (map(select(.status == "succeeded")) | length)]')" \
    '[23,22]' "kiln builds units"
assert_contains "$("$KILN" builds units)" "unit-21  1" "the text list names unit and version"
sed -i 's/^serve:$/serve:\n  metrics_localhost: true/' kiln.yaml
grep -q 'metrics_localhost: true' kiln.yaml || printf 'serve:\n  metrics_localhost: true\n' >> kiln.yaml
PORT=$(free_port)
"$KILN" serve --listen 127.0.0.1:$PORT >"$T/serve.log" 2>&1 & bg_pid $!
wait_port "$PORT" 30
curl -s "http://127.0.0.1:$PORT/metrics" > "$T/metrics"
for m in 'kiln_unit_builds{status="succeeded"} 22' 'kiln_unit_builds{status="failed"} 1' \
    'kiln_units_per_hour 22' 'kiln_feed_queue_depth 0'; do
	grep -qxF "$m" "$T/metrics" || fail "metric $m: $(grep unit "$T/metrics")"
done
pass "builds units and /metrics"
