#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/scale/run.sh [N]: how kiln's costs grow with the site (issue 19).
# Builds an N-page Hugo-style tree (default 10,000; bench/render's
# corpus), imports it, imports it again unchanged and with 10 files
# changed, then measures a full build, the next build (which
# fills the second output slot), builds after 1-page edits, a deploy to a
# dir target after a 1-page edit, edit builds by one running `kiln
# worker` (which keeps its snapshot between builds), and Hugo on the
# same tree.  Everything
# is written to tmpfs (/dev/shm).  Each row: wall, user+sys CPU and peak
# RSS from GNU time, and the 1-minute load average when it ran (the
# machine is shared; compare figures taken at similar load).
#   EDITS=N   edit builds to take the median of (default 5)
#   HUGO=0    skip Hugo (it needs ~7.5 GB at 50,000 pages)
#   KILN=PATH use this binary instead of building build-rel/kiln
#   KEEP=1    keep the site in /dev/shm/kiln-bench-scale-N (to profile)
#   S3=1      also deploy to a bucket on s3rver, first whole, then after
#             a 1-page edit
#   KILN_BENCH_DIR=DIR  work there instead
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
edits=${EDITS:-5}
work=${KILN_BENCH_DIR:-/dev/shm/kiln-bench-scale-$n}
if [ -z "${KILN:-}" ]; then
	cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
	KILN=$here/build-rel/kiln
fi
kiln=$KILN
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
# an import reads anew a file changed less than 2 s before it began (the
# racy rule of decision 0300): without this wait the new import would
# record no fingerprints and the unchanged re-import would read the tree
sleep 3

load() { cut -d' ' -f1 /proc/loadavg; }
# row LABEL CMD...: run CMD under GNU time, print one table row
row() {
	label=$1; shift
	l=$(load)
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>&1 ||
		{ cat "$work/out" >&2; exit 1; }
	awk -v label="$label" -v l="$l" '{
		printf "| %s | %.3f s | %.2f s | %.0f MB | %s |\n",
		    label, $1, $2 + $3, $4 / 1024, l }' "$work/time"
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
edit() {
	printf 'Edited body %s.\n' "$1" > "$work/edit.md"
	"$kiln" page edit "s3/page-$2" --body-file "$work/edit.md" --publish >/dev/null
}

"$kiln" init "$work/kiln" >/dev/null
rm -rf "$work/kiln/templates" && cp -R "$here/bench/render/kiln-theme/templates" "$work/kiln/"
/usr/bin/python3 - "$work/kiln/kiln.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(?ms)^collections:.*?(?=^targets:)",
           "collections:\n  latest:\n    section: s0\n    limit: 5\n\n", s)
s = re.sub(r"(?ms)^history:\n  enabled: true", "history:\n  enabled: false", s)
open(p, "w").write(s)
PY
cd "$work/kiln"
echo "kiln $n pages, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "| work | wall | user+sys | peak RSS | load |"
echo "| --- | --- | --- | --- | --- |"
row "kiln import (new site)" "$kiln" import "$work/content"
row "kiln re-import, tree unchanged" "$kiln" import "$work/content"
for f in $(find "$work/content" -name '*.md' | sort | head -10); do
	printf '\nChanged for the benchmark.\n' >> "$f"
done
row "kiln re-import, 10 files changed" "$kiln" import "$work/content"
row "full build" "$kiln" build --full
edit 0 3
row "next build (fills the other slot)" "$kiln" build
row "build, nothing changed" "$kiln" build
# steady state edit builds: median wall over EDITS, then one under time
: > "$work/edits"
i=1
while [ "$i" -le "$edits" ]; do
	edit "$i" $((3 + 20 * i))
	t0=$(date +%s%N)
	"$kiln" build > "$work/out"
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) $(sed -n 's/.* in \([0-9]*\) ms$/\1/p' "$work/out")" >> "$work/edits"
	i=$((i + 1))
done
e_wall=$(cut -d' ' -f1 "$work/edits" | median)
e_own=$(cut -d' ' -f2 "$work/edits" | median)
echo "| build after a 1-page edit, median of $edits | $e_wall ms (build itself $e_own ms) | | | $(load) |"
edit x $((3 + 20 * (edits + 1)))
row "build after a 1-page edit" "$kiln" build
row "first deploy to a dir target" "$kiln" deploy --target local
edit y $((3 + 20 * (edits + 2)))
"$kiln" build >/dev/null
row "deploy after a 1-page edit" "$kiln" deploy --target local

# one running `kiln worker` building after 1-page edits: it keeps its
# snapshot between builds (decision 0240).  The median of the builds'
# render_ms (their record's counts), and the worker's CPU (user+sys from
# /proc, render and deploy to the dir target) per build.
idle() {
	[ "$(sqlite3 .kiln/kiln.db "select (select count(*) from build_requests
	    where build_id is null) + (select count(*) from builds where
	    status = 'running')")" = 0 ]
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
"$kiln" worker >"$work/worker.log" 2>&1 &
wpid=$!
trap 'kill $wpid 2>/dev/null || true' EXIT
"$kiln" publish >/dev/null 2>&1
until idle; do sleep 0.05; done
edit w0 $((3 + 20 * (edits + 3)))
until idle; do sleep 0.05; done
last=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
c0=$(ticks $wpid)
l=$(load)
i=1
while [ "$i" -le "$edits" ]; do
	edit "w$i" $((3 + 20 * (edits + 3 + i)))
	until idle; do sleep 0.05; done
	i=$((i + 1))
done
c1=$(ticks $wpid)
kill $wpid; wait $wpid 2>/dev/null || true
trap - EXIT
rms=$(sqlite3 .kiln/kiln.db "select json_extract(counts, '$.render_ms') from
    builds where id > $last and status = 'succeeded'" | median)
nb=$(sqlite3 .kiln/kiln.db "select count(*) from builds where id > $last")
echo "| kiln worker: build after a 1-page edit, median of $nb | render $rms ms | $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) / nb )) ms a build | | $l |"

# S3=1: the same edit deploy to an S3 bucket on s3rver (the tests'
# tests/node_modules; no SigV4 gateway): a first deploy of every object,
# then one after a 1-page edit, the 1-page edit's plan reading one row
# and sending the page and the manifest object (decision 0310)
if [ "${S3:-0}" = 1 ]; then
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$work/s3data"
	node --openssl-legacy-provider \
	    "$here/tests/node_modules/s3rver/bin/s3rver.js" -d "$work/s3data" \
	    -a 127.0.0.1 -p "$port" --silent --allow-mismatched-signatures \
	    --no-vhost-buckets --configure-bucket www >"$work/s3rver.log" 2>&1 &
	spid=$!
	trap 'kill $spid 2>/dev/null || true' EXIT
	until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.1; done
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
	printf '  s3:\n    type: s3\n    bucket: www\n    endpoint: %s\n    path_style: true\n' \
	    "http://127.0.0.1:$port" > "$work/s3.yaml"
	sed -i "/^targets:/r $work/s3.yaml" kiln.yaml
	row "first deploy to S3 (s3rver)" "$kiln" deploy --target s3
	edit s $((3 + 20 * (2 * edits + 5)))
	"$kiln" build >/dev/null
	row "deploy to S3 after a 1-page edit" "$kiln" deploy --target s3
	kill $spid; wait $spid 2>/dev/null || true
	trap - EXIT
fi

if [ "${HUGO:-1}" != 0 ]; then
	cp -R "$here/bench/render/hugo-site" "$work/hugo"
	ln -s "$work/content" "$work/hugo/content"
	cd "$work/hugo"
	row "Hugo $(hugo version | awk '{print $2}' | cut -d- -f1), full build" hugo --quiet -d "$work/hugo-out"
	printf 'Edited body.\n' >> "$work/content/s3/page-3.md"
	row "Hugo after a 1-page edit (a full build)" hugo --quiet -d "$work/hugo-out"
fi
[ "${KEEP:-0}" = 1 ] || { cd / && rm -rf "$work"; }
