#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/feed/run.sh [N]: multi-unit sites (issue #17) against s3rver behind
# the request-counting gateway of the tests.
#   1. units/hour with 1, 2 and 4 concurrent unit builds (feed.concurrency
#      of one kiln worker): N units (default 8) of 200 pages each, from
#      `kiln feed --once` until the unit queue is empty;
#   2. the cost of one feeder tick over a list of 1,000 complete units:
#      requests by kind and seconds.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-8}
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
export KILN=$here/build-rel/kiln KILN_SRC=$here
. "$here/tests/integration/lib.sh"
. "$here/tests/integration/lib/s3.sh"
s3_start b1 b2 b4 tick
"$here/bench/render/gen-corpus.sh" 200 "$T/unit" >/dev/null

site() {	# site DIR BUCKET CONCURRENCY: a site whose units go to BUCKET
	"$KILN" init "$1" >/dev/null
	sed -i '/^  local:$/,/^    path: .kiln\/www$/d' "$1/kiln.yaml"
	sed -i "s|^targets:\$|targets:\\
  bench:\\
    type: s3\\
    bucket: $2\\
    endpoint: $S3_ENDPOINT\\
    path_style: true\\
    concurrency: 16|" "$1/kiln.yaml"
	printf 'feed:\n  list: units.json\n  max_per_tick: 100000\n  concurrency: %s\n' \
	    "$3" >> "$1/kiln.yaml"
}

units() {	# units COUNT: a list of COUNT units, all from $T/unit
	/usr/bin/python3 -c 'import json,sys
print(json.dumps([{"id": "unit-%d" % i, "version": "1", "source": sys.argv[2]}
                  for i in range(int(sys.argv[1]))]))' "$1" "$T/unit"
}

printf '%-12s %6s %6s %9s %10s\n' concurrency units pages seconds units/hour
for c in 1 2 4; do
	site "$T/s$c" "b$c" "$c"
	cd "$T/s$c"
	units "$n" > units.json
	"$KILN" worker >"$T/w$c.log" 2>&1 & w=$!; bg_pid $w
	t0=$(date +%s.%N)
	"$KILN" feed --once >/dev/null
	while [ "$(sqlite3 .kiln/kiln.db "select count(*) from unit_builds where status in ('queued','running')")" != 0 ]; do
		sleep 0.05
	done
	t1=$(date +%s.%N)
	ok=$(sqlite3 .kiln/kiln.db "select count(*) from unit_builds where status = 'succeeded'")
	[ "$ok" = "$n" ] || { echo "only $ok of $n units built"; tail -5 "$T/w$c.log"; exit 1; }
	kill $w; wait $w 2>/dev/null || true
	printf '%-12s %6s %6s %9.2f %10.0f\n' "$c" "$n" $((n * 200)) \
	    "$(echo "$t1 - $t0" | bc)" "$(echo "$n * 3600 / ($t1 - $t0)" | bc -l)"
done

# one tick over 1,000 complete units: markers written straight to the bucket
site "$T/tick" tick 2
cd "$T/tick"
units 1000 > units.json
mkdir -p "$T/markers"
for i in $(seq 0 999); do mkdir -p "$T/markers/unit-$i/1"; echo '{}' > "$T/markers/unit-$i/1/.complete"; done
aws_s3 s3 sync "$T/markers" s3://tick/units/ --only-show-errors
s3_reset_counts
t0=$(date +%s.%N)
out=$("$KILN" feed --once --json)
t1=$(date +%s.%N)
printf '\ntick over 1,000 complete units: skipped %s, queued %s; LIST %s, HEAD %s, GET %s, PUT %s; %.3f s\n' \
    "$(jq -r .skipped <<<"$out")" "$(jq -r .queued <<<"$out")" "$(s3_count LIST)" \
    "$(s3_count HEAD)" "$(s3_count GET)" "$(s3_count PUT)" "$(echo "$t1 - $t0" | bc)"
