#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/import/run.sh [N]: generate an N-page Hugo-style tree (default
# 10,000) and time `kiln import` into a fresh site, then a re-import of
# the unchanged tree, then of the tree with 10 files changed (release
# build).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
kiln=$here/build-rel/kiln
work=/tmp/kiln-bench-import
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
"$kiln" init "$work/site" >/dev/null
cd "$work/site"
t0=$(date +%s.%N)
"$kiln" import "$work/content" >/dev/null
t1=$(date +%s.%N)
"$kiln" import "$work/content" >/dev/null
t2=$(date +%s.%N)
for f in $(find "$work/content" -name '*.md' | sort | head -10); do
	printf '\nChanged for the benchmark.\n' >> "$f"
done
t3=$(date +%s.%N)
"$kiln" import "$work/content" >"$work/changed.out"
t4=$(date +%s.%N)
grep -q ' 10 updated' "$work/changed.out" || { cat "$work/changed.out"; exit 1; }
echo "import of $n pages: $(echo "$t1 - $t0" | bc) s; unchanged re-import: $(echo "$t2 - $t1" | bc) s; re-import with 10 changed: $(echo "$t4 - $t3" | bc) s"
