#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/daemon/publish-live.sh SITE KILN S3_URL: publish to live on a
# site already set up and deployed (e.g. the one bench/daemon/run.sh
# holds while its WAIT_FOR file exists, its own `kiln serve` stopped):
# `KILN serve` on a free port, one warm-up edit (a new process's first
# build reads the snapshot whole), then 20 API edits of s1/page-1 with
# publish, each timed until the object in the bucket (S3_URL, s3rver
# read directly) holds it, as run.sh's publish_live.  Prints each edit
# (and how long its PUT took), p50/p90/max, the serve's CPU a publish,
# its peak RSS, and the builds' median render.  Several binaries can so
# be compared in turns on one 100,000-page setup, whose first publish
# takes half an hour.  The AWS_* variables must be the bucket's
# (S3RVER/S3RVER for s3rver).
set -eu
site=$1 kiln=$2 s3=$3
cd "$site"
page=s1/page-1
api=/api/v1/pages/by-path/$page
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tok=$("$kiln" token create --name "pl$$" --role publisher)
"$kiln" serve --listen 127.0.0.1:$port >>"$site/../pl-serve.log" 2>&1 &
sp=$!
trap 'kill $sp 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.1; done
db() { sqlite3 .kiln/kiln.db "$1"; }
idle() {
	until [ "$(db "select (select count(*) from build_requests
	    where build_id is null) + (select count(*) from builds
	    where status = 'running')")" = 0 ]; do
		sleep 0.1
	done
}
# put BODY: the page's body set to BODY and published, through the API
put() {
	curl -s -o /dev/null -H "Authorization: Bearer $tok" -X PUT \
	    -d "{\"body\": \"$1\", \"publish\": true}" \
	    "http://127.0.0.1:$port$api"
}
# live TEXT: until the object in the bucket holds TEXT (--max-time:
# s3rver can stall a GET's body for 6 s while the deploy overwrites the
# object, headers sent at once; ask again instead)
live() {
	until curl -s --max-time 1 "$s3/www/$page/index.html" |
	    grep -q "$1"; do
		sleep 0.01
	done
}
# one warm-up edit: the serve's first build reads the snapshot whole
put "warm $$"
live "warm $$"
idle
first=$(db "select coalesce(max(id), 0) from builds")
c0=$(awk '{print $14 + $15}' /proc/$sp/stat)
lat=()
for i in $(seq 1 20); do
	t0=$(date +%s%N)
	put "Edit number $i at $t0"
	t1=$(date +%s%N)
	live "Edit number $i at $t0"
	lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
	echo "  edit $i: ${lat[-1]} ms (the PUT answered in" \
	    "$(( (t1 - t0) / 1000000 )) ms; sent at $((t0 / 1000000000)))" >&2
done
idle
c1=$(awk '{print $14 + $15}' /proc/$sp/stat)
rss=$(awk '/^VmHWM/ { print int($2 / 1024) }' /proc/$sp/status)
printf '%s\n' "${lat[@]}" | sort -n | awk -v cpu=$(( (c1 - c0) * 10 / 20 )) \
    -v rss="$rss" -v k="$kiln" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    '{ a[NR] = $1 } END { printf "%s: p50 %d ms, p90 %d ms, max %d ms;" \
    " serve CPU %d ms a publish; peak RSS %d MB; load %s\n", k,
    a[int((NR + 1) / 2)], a[int(NR * 0.9)], a[NR], cpu, rss, l }'
db "select json_extract(counts, '$.render_ms'),
    json_extract(counts, '$.deploy_ms') from builds
    where id > $first and status = 'succeeded'" | sort -n |
    awk -F'|' '{ r[NR] = $1; d[NR] = $2 } END { printf "  render_ms" \
    " median %d, deploy_ms (of the same build) %d, over %d builds\n",
    r[int((NR + 1) / 2)], d[int((NR + 1) / 2)], NR }'
