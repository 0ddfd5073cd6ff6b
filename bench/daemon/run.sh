#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/daemon/run.sh [N] [SECONDS]: kiln serve on an N-page site (default
# 10,000) with two targets, the local folder and an S3 bucket on s3rver
# (through the tests' SigV4-checking gateway): wrk against a page read and
# against build requests, then the publish-to-live latency: API edit ->
# the object updated in the bucket (read from s3rver directly), 20 times.
# KILN_BENCH_STORE=postgres: the same on a PostgreSQL 15 store started in
# the scratch folder (tests/integration/lib/pg.sh) instead of SQLite.
# KILN=binary: measure that binary (default: build-rel, built first);
# KILN_B=binary: the publish to live again with that one, alternating;
# TMPDIR: where the scratch folder goes (default /tmp).
# WAIT_FOR=FILE: after the setup (the first publish of N pages takes long
# at 100,000), wait while FILE exists before measuring, so that the
# measure can be taken on a quiet machine (and, its serve stopped,
# publish-live.sh run on the held site with other binaries).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
secs=${2:-10}
if [ -z "${KILN:-}" ]; then
	cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
	KILN=$here/build-rel/kiln
fi
export KILN KILN_SRC=$here
. "$here/tests/integration/lib.sh"
. "$here/tests/integration/lib/s3.sh"
s3_start www
"$here/bench/render/gen-corpus.sh" "$n" "$T/content" >/dev/null
"$KILN" init "$T/site" >/dev/null
cd "$T/site"
store=${KILN_BENCH_STORE:-sqlite}
if [ "$store" = postgres ]; then
	. "$here/tests/integration/lib/pg.sh"
	pg_start
	pg_use_store
	pending() { pg_psql "select count(*) from build_requests where build_id is null"; }
else
	pending() { sqlite3 .kiln/kiln.db "select count(*) from build_requests where build_id is null"; }
fi
echo "== store: $store"
s3_add_target
"$KILN" import "$T/content" >/dev/null
"$KILN" publish --wait >"$T/first.log" 2>&1 ||
    { tail -20 "$T/first.log" >&2; echo "the first publish failed" >&2; exit 1; }
TOK=$("$KILN" token create --name bench --role publisher)
PORT=$(free_port)
"$KILN" serve --listen 127.0.0.1:$PORT >"$T/serve.log" 2>&1 &
SERVE_PID=$!
bg_pid $SERVE_PID
wait_port $PORT
if [ -n "${WAIT_FOR:-}" ]; then
	echo "== set up; waiting while $WAIT_FOR exists"
	while [ -e "$WAIT_FOR" ]; do sleep 1; done
	echo "== load before the measure: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
cat > "$T/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $TOK"
LUA
echo "== GET /api/v1/pages/by-path/s1/page-1 (2 threads, 8 connections, ${secs}s)"
wrk -t2 -c8 -d${secs}s --latency "http://127.0.0.1:$PORT/api/v1/pages/by-path/s1/page-1" |
    grep -E "Requests/sec|99%|50%"
echo "== POST /api/v1/builds (build requests)"
wrk -t2 -c8 -d${secs}s --latency -s "$T/post.lua" "http://127.0.0.1:$PORT/api/v1/builds" |
    grep -E "Requests/sec|99%|50%"
# let the requested builds drain
for i in $(seq 1 600); do
	[ "$(pending)" = 0 ] && break
	sleep 0.2
done
# publish_live LABEL: 20 edits through the API, each until its page is in
# the bucket; the latencies, the serve process's CPU, and the median
# render and deploy of those builds (the rest of a publish is "other")
publish_live() {
	local lat=() i t0 c0 c1 first last
	echo "== publish -> live, $1 (API PUT with publish, until the object in the bucket changes)"
	first=$("$KILN" builds list --json | jq '[.[].id] | max // 0')
	c0=$(awk '{print $14 + $15}' /proc/$SERVE_PID/stat)
	for i in $(seq 1 20); do
		t0=$(date +%s%N)
		curl -s -o /dev/null -H "Authorization: Bearer $TOK" -X PUT \
		    -d "{\"body\": \"Edit number $i at $t0\", \"publish\": true}" \
		    "http://127.0.0.1:$PORT/api/v1/pages/by-path/s1/page-1"
		# --max-time: s3rver can stall a GET's body for 6 s while the
		# deploy overwrites the object (stop 28); ask again instead
		while ! curl -s --max-time 1 "$S3_DIRECT/www/s1/page-1/index.html" |
		    grep -q "Edit number $i at $t0"; do
			sleep 0.01
		done
		lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
	done
	wait_idle_builds
	c1=$(awk '{print $14 + $15}' /proc/$SERVE_PID/stat)
	printf '%s\n' "${lat[@]}" | sort -n | awk -v cpu=$(( (c1 - c0) * 10 / 20 )) '{a[NR]=$1}
	    END {printf "publish-to-live over %d edits: p50 %d ms, p90 %d ms, max %d ms; kiln serve CPU %d ms a publish\n",
	        NR, a[int((NR+1)/2)], a[int(NR*0.9)], a[NR], cpu}'
	"$KILN" builds list --json | jq -r --argjson f "$first" '[.[] | select(.id > $f and .status == "succeeded")] |
	    def med(k): (map(.counts[k] // 0) | sort) as $v | $v[($v | length - 1) / 2 | floor];
	    "its \(length) builds: render median \(med("render_ms")) ms, deploy median \(med("deploy_ms")) ms, uploaded median \(med("uploaded"))"'
}
wait_idle_builds() {
	for i in $(seq 1 600); do
		[ "$(pending)" = 0 ] && break
		sleep 0.2
	done
}
publish_live "$(basename "$KILN")"
# KILN_B=binary: the same with it, then each again (A B A B; the first
# edit after a switch may send more: the other binary's deployed state)
if [ -n "${KILN_B:-}" ]; then
	for bin in "$KILN_B" "$KILN" "$KILN_B"; do
		kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
		"$bin" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
		SERVE_PID=$!
		bg_pid $SERVE_PID
		wait_port $PORT
		publish_live "$(basename "$bin")"
	done
fi
echo "== the slowest of the last 20 builds (render + deploy)"
"$KILN" builds list --json | jq -r '[.[] | select(.status == "succeeded")] |
    sort_by(.id) | .[-20:] | max_by((.counts.render_ms // 0) + (.counts.deploy_ms // 0)) |
    "build \(.id) (\(.reasons // .reason // "")): \(.counts | with_entries(select(.key | endswith("_ms") or . == "rendered" or . == "uploaded")) | tostring)"' || true
echo "== the last build's steps"
"$KILN" builds show "$("$KILN" builds list --json |
    jq '[.[] | select(.status == "succeeded")] | max_by(.id) | .id')" --json |
    jq -r '.counts | "render \(.render_ms) ms, deploy \(.deploy_ms) ms, \(.uploaded) uploaded"'
echo "== the snapshots of the publish-to-live builds (decision 0240)"
for b in $("$KILN" builds list --json | jq -r '[.[] | select(.status == "succeeded")] | sort_by(.id) | .[-20:] | .[].id'); do
	"$KILN" builds log "$b" | sed -n 's/.* \([0-9]*\) page rows read (\([0-9.]*\) ms, \([0-9.]*\) ms CPU).*/\1 \2 \3/p'
done | sort -k2 -n | awk 'NR == 1 || $1 < lo {lo = $1} $1 > hi {hi = $1} {w[NR] = $2; c[NR] = $3}
    END {if (NR) printf "page rows read: %d to %d; snapshot: median %.1f ms (%.1f ms CPU), max %.1f ms\n",
        lo, hi, w[int((NR+1)/2)], c[int((NR+1)/2)], w[NR]}'
