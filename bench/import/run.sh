#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/import/run.sh [N]: generate an N-page Hugo-style tree (default
# 10,000) and time `kiln import` into a fresh site, then a re-import of
# the unchanged tree, then of the tree with 10 files changed (release
# build).  Each line gives the wall time, the CPU time (user + sys) and
# the 1-minute load average after it: on a shared machine the CPU time
# is the number to compare.
#   KILN=PATH           use this binary instead of building build-rel/kiln
#   KILN_BENCH_DIR=DIR  work there (default /tmp/kiln-bench-import)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
if [ -z "${KILN:-}" ]; then
	cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
	KILN=$here/build-rel/kiln
fi
kiln=$KILN
work=${KILN_BENCH_DIR:-/tmp/kiln-bench-import}
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
# a file changed within 2 s before an import is read again by the next
# one (decision 0300: its stat cannot be trusted yet); a tree being
# imported is normally older than that
sleep 3
"$kiln" init "$work/site" >/dev/null
cd "$work/site"
run() {	# run LABEL: time one import, check its summary has $want
	/usr/bin/time -f "%e %U %S" -o "$work/time" "$kiln" import \
	    "$work/content" >"$work/out"
	grep -q "$want" "$work/out" || { cat "$work/out"; exit 1; }
	read -r wall user sys < "$work/time"
	echo "$1: ${wall} s wall, $(echo "$user + $sys" | bc) s CPU," \
	    "load $(cut -d' ' -f1 /proc/loadavg)"
}
want=", 0 failed" run "import of $n pages"
want=": 0 created, 0 updated" run "unchanged re-import"
for f in $(find "$work/content" -name '*.md' | sort | head -10); do
	printf '\nChanged for the benchmark.\n' >> "$f"
done
want=" 10 updated" run "re-import with 10 changed"
