#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/history/run.sh [N [PAGES]]: time a first history commit of an N-file site
# (default 10,000) and the commit after an edit of PAGES pages (default 1),
# from the changes list and from the manifests (release build).
# KILN_BENCH_DIR: the work folder (default /tmp/kiln-bench-history).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
cmake -S "$here" -B "$here/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build" --target bench_history -j2 >/dev/null
"$here/build/bench/bench_history" "${1:-10000}" "${KILN_BENCH_DIR:-/tmp/kiln-bench-history}" "${2:-1}"
