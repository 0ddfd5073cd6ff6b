#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/preview/run.sh [N]: how long a draft preview takes on the N-page
# bench site (default 10,000; bench/render/gen-corpus.sh and its theme):
# the median wall time of 9 requests each for the draft page itself, the
# section listing it is on, and the home page, through a running
# `kiln serve` (curl's time_total: the render and the HTTP round trip).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
work=/tmp/kiln-bench-preview
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
kiln=$here/build-rel/kiln
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
"$kiln" init "$work/kiln" >/dev/null
rm -rf "$work/kiln/templates" && cp -R "$here/bench/render/kiln-theme/templates" "$work/kiln/"
/usr/bin/python3 - "$work/kiln/kiln.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(?ms)^collections:.*?(?=^targets:)",
           "collections:\n  latest:\n    section: s0\n    limit: 5\n\n", s)
open(p, "w").write(s)
PY
cd "$work/kiln"
"$kiln" import "$work/content" >/dev/null
"$kiln" build >/dev/null
printf 'A draft body.\n' > "$work/draft.md"
"$kiln" page edit s3/page-3 --title "Draft title" --body-file "$work/draft.md" >/dev/null
id=$(sqlite3 .kiln/kiln.db "select id from pages where path='s3/page-3'")
tok=$("$kiln" token create --name bench --role editor)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kiln" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for what in "" "?path=/s3/" "?path=/"; do
	for i in 1 2 3 4 5 6 7 8 9; do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $tok" \
		    "http://127.0.0.1:$port/admin/preview/$id$what"
	done | median | awk -v w="${what:-(the page)}" '{ printf "preview %-12s %4.0f ms\n", w, $1 * 1000 }'
done
