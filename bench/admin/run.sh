#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/admin/run.sh [N]: how long the web admin's screens take on the
# N-page bench site (default 10,000; bench/render/gen-corpus.sh): the
# median of 21 requests each through a running `kiln serve` with a
# logged-in publisher session (curl's time_total: the server-side render
# and the loopback round trip), and the CPU time `kiln serve` spent per
# request (user + system from /proc/PID/stat over the 21, in clock ticks:
# what other processes on a busy machine change least).  Issue #14's
# bar: every screen under 50 ms.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
work=${KILN_BENCH_DIR:-/tmp/kiln-bench-admin}
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
kiln=$here/build-rel/kiln
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
"$kiln" init "$work/kiln" >/dev/null
cd "$work/kiln"
"$kiln" import "$work/content" >/dev/null
# 100 media files, one of them used by a page, for the media library
png='\211PNG\r\n\032\n'
for i in $(seq 1 100); do
	printf "$png%08d" "$i" > "$work/img-$i.png"
	"$kiln" media add "$work/img-$i.png" >/dev/null
done
printf 'A picture: ![img-7](/media/img-7.png)\n' > "$work/body.md"
"$kiln" page edit s3/page-3 --body-file "$work/body.md" >/dev/null
"$kiln" build >/dev/null
printf 'bench-password-1234\n' | "$kiln" user add bench --role publisher >/dev/null
id=$(sqlite3 .kiln/kiln.db "select id from pages where path='s3/page-3'")
rev=$(sqlite3 .kiln/kiln.db "select latest_revision_id from pages where id=$id")
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kiln" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
base=http://127.0.0.1:$port
for i in $(seq 1 100); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.1; done
# the daemon's worker first runs the build the import requested (kiln
# build satisfies no request): measure once it is done, not during it
for i in $(seq 1 6000); do
	[ "$(sqlite3 .kiln/kiln.db "select (select count(*) from build_requests
	    where build_id is null) + (select count(*) from builds where
	    status = 'running')")" = 0 ] && break
	sleep 0.1
done
jar=$work/cookies
# the login form's CSRF token (double submit), then log in
csrf=$(curl -s -c "$jar" -b "$jar" "$base/admin/login" |
    sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode username=bench --data-urlencode password=bench-password-1234 \
    "$base/admin/login"
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
tck=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
for url in /admin/ "/admin/?q=page-3" "/admin/?status=draft" /admin/pages/new \
    "/admin/pages/$id" "/admin/pages/$id/revisions" "/admin/revisions/$rev" \
    /admin/builds /admin/builds/1 /admin/audit "/admin/preview/$id" \
    /admin/media "/admin/media?q=img-7" "/admin/media?insert=$id"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base$url")
	c0=$(cpu)
	for i in $(seq 1 21); do
		curl -s -o /dev/null -w '%{time_total}\n' -b "$jar" "$base$url"
	done > "$work/times"
	c1=$(cpu)
	median < "$work/times" | awk -v u="$url" -v c="$code" \
	    -v cpu="$((c1 - c0))" -v t="$tck" '{ printf "%-28s %s %6.1f ms  " \
	    "(cpu %5.1f ms)\n", u, c, $1 * 1000, cpu * 1000 / t / 21 }'
done
