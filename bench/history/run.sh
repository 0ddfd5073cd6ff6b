#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/history/run.sh [N]: time a first history commit of an N-file site
# (default 10,000) and the commit after a 1-page edit (release build).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" --target bench_history -j2 >/dev/null
"$here/build/bench/bench_history" "${1:-10000}" "${KILN_BENCH_DIR:-/tmp/kiln-bench-history}"
