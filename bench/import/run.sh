#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/import/run.sh [N]: generate an N-page Hugo-style tree (default
# 10,000) and time `kiln import` into a fresh site, then a re-import of
# the unchanged tree (release build).
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
echo "import of $n pages: $(echo "$t1 - $t0" | bc) s; unchanged re-import: $(echo "$t2 - $t1" | bc) s"
