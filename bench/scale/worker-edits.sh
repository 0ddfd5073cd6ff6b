#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/scale/worker-edits.sh SITE KILN [N]: N (default 20) 1-page edits
# built by one running `kiln worker` on a site bench/scale/run.sh kept
# (KEEP=1; SITE is its kiln folder, e.g. /dev/shm/kiln-bench-scale-N/kiln).
# As run.sh's worker row, with more edits, so that two binaries can be
# compared in turns on one site: prints the builds' render_ms (sorted),
# the worker's user+sys CPU per build (render and deploy to the dir
# target, from /proc), its peak RSS and the load.  PERF=FILE: the worker runs under
# `perf record --call-graph dwarf -o FILE`.
set -eu
site=$1
kiln=$2
n=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
cd "$site"
. "$here/edits.sh"
if [ -n "${PERF:-}" ]; then
	perf record -F 2000 --call-graph dwarf -o "$PERF" "$kiln" worker \
	    >../worker-edits.log 2>&1 &
else
	"$kiln" worker >../worker-edits.log 2>&1 &
fi
wpid=$!
trap 'kill $wpid 2>/dev/null || true' EXIT
sleep 0.3
"$kiln" publish >/dev/null 2>&1
until idle; do sleep 0.05; done
edit "w0-$$" 23
until idle; do sleep 0.05; done
last=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
# under perf the worker is perf's child
wp=$(pgrep -P $wpid kiln || echo $wpid)
c0=$(awk '{ print $14 + $15 }' "/proc/$wp/stat")
i=1
while [ "$i" -le "$n" ]; do
	edit "w$i-$$" $((3 + 20 * (i % 400)))
	until idle; do sleep 0.05; done
	i=$((i + 1))
done
c1=$(awk '{ print $14 + $15 }' "/proc/$wp/stat")
hwm=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$wp/status")
kill -INT "$wp"; wait $wpid 2>/dev/null || true
trap - EXIT
rms=$(sqlite3 .kiln/kiln.db "select json_extract(counts, '$.render_ms')
    from builds where id > $last and status = 'succeeded'" | sort -n |
    tr '\n' ' ')
echo "render_ms: $rms| CPU $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) / n )) ms a build | peak RSS $hwm MB | load $(cut -d' ' -f1 /proc/loadavg)"
