#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/admin/preview-cpu.sh KILN SITE [N]: on a site made by bench/admin/run.sh
# (KILN_BENCH_DIR=DIR: SITE is DIR/kiln), start kiln serve, log in, let the
# worker catch up, preview twice to warm up, then N previews of s3/page-3:
# the median wall time and the server's CPU (user+sys from /proc) per
# preview, with the 1-minute load.
set -eu
kiln=$1; site=$2; n=${3:-20}
cd "$site"
id=$(sqlite3 .kiln/kiln.db "select id from pages where path='s3/page-3'")
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kiln" serve --listen 127.0.0.1:$port >"$site/../preview-cpu-serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
base=http://127.0.0.1:$port
for i in $(seq 1 100); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.1; done
jar=$(mktemp)
csrf=$(curl -s -c "$jar" -b "$jar" "$base/admin/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode username=bench --data-urlencode password=bench-password-1234 "$base/admin/login"
# let the worker catch up, warm up
for i in $(seq 1 300); do [ "$(sqlite3 .kiln/kiln.db "select count(*) from build_requests where build_id is null")$(sqlite3 .kiln/kiln.db "select count(*) from builds where status='running'")" = 00 ] && break; sleep 0.2; done
curl -s -o /dev/null -w '%{http_code} ' -b "$jar" "$base/admin/preview/$id"
curl -s -o /dev/null -b "$jar" "$base/admin/preview/$id"
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
l=$(cut -d' ' -f1 /proc/loadavg)
for i in $(seq 1 $n); do curl -s -o /dev/null -w '%{time_total}\n' -b "$jar" "$base/admin/preview/$id"; done | sort -n | awk -v n=$n '{v[NR]=$1} END {printf "wall median %.1f ms; ", v[int((NR+1)/2)]*1000}'
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "cpu $(( (t1 - t0) * 1000 / $(getconf CLK_TCK) / n )) ms per preview (load $l, $n requests)"
