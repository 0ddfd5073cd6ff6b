#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/daemon/nodes.sh [N] [SECONDS]: API write throughput on a PostgreSQL
# store with 1, 2 and 4 `kiln serve --no-worker` nodes (issue 16).  One
# PostgreSQL 15 (tests/integration/lib/pg.sh), an N-page site (default
# 1,000), one `kiln worker`; for each node count, one wrk per node at
# once (2 connections each) sending page edits (PUT, a new body each
# time, no publish) for SECONDS; prints the summed requests/s, the
# slowest node's p99 and the edits the store holds afterwards.  Every
# process shares this machine's cores: the figure is the whole system's
# on one host, not a cluster's.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000}
secs=${2:-10}
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
export KILN=$here/build-rel/kiln KILN_SRC=$here
. "$here/tests/integration/lib.sh"
. "$here/tests/integration/lib/pg.sh"
pg_start
"$here/bench/render/gen-corpus.sh" "$n" "$T/content" >/dev/null
"$KILN" init "$T/site" >/dev/null
cd "$T/site"
pg_use_store
"$KILN" import "$T/content" >/dev/null
TOK=$("$KILN" token create --name bench --role publisher)
("$KILN" worker >"$T/worker.log" 2>&1) &
bg_pid $!
ports=()
for i in 1 2 3 4; do
	p=$(free_port)
	("$KILN" serve --no-worker --listen 127.0.0.1:$p >"$T/serve$i.log" 2>&1) &
	bg_pid $!
	ports+=("$p")
done
for p in "${ports[@]}"; do wait_port "$p"; done
# each request edits one of the 50 first pages of section s1 with a body of its own
cat > "$T/put.lua" <<LUA
local k = 0
request = function()
	k = k + 1
	local path = "/api/v1/pages/by-path/s1/page-" .. (20 * (k % 50) + 1)
	local body = '{"body": "edit ' .. k .. ' ' .. math.random(1e9) .. '"}'
	return wrk.format("PUT", path, {["Authorization"] = "Bearer $TOK",
	    ["Content-Type"] = "application/json"}, body)
end
local said = false
response = function(status, headers, body)
	if status >= 300 and not said then
		said = true
		io.stderr:write("first refusal: " .. status .. " " .. body .. "\n")
	end
end
LUA
edits() { pg_psql "select count(*) from revisions"; }
echo "== PostgreSQL store, $n pages, load $(cut -d' ' -f1 /proc/loadavg)"
for nodes in ${NODES:-1 2 4}; do
	before=$(edits)
	for i in $(seq 0 $((nodes - 1))); do
		wrk -t1 -c2 -d${secs}s --latency -s "$T/put.lua" \
		    "http://127.0.0.1:${ports[$i]}" >"$T/wrk$i.txt" 2>>"$T/refusals" &
	done
	wait $(jobs -p | tail -n "$nodes")
	after=$(edits)
	awk -v nodes="$nodes" -v made=$((after - before)) -v secs="$secs" '
	    /Requests\/sec/ { rps += $2 }
	    /Non-2xx/ { bad += $NF }
	    / 99%/ { v = $2; ms = v ~ /ms$/ ? v + 0 : v ~ /us$/ ? v / 1000 : v * 1000;
	             if (ms > p99) p99 = ms }
	    END { printf "%d node(s): %.0f edits/s (wrk), %d revisions stored (%.0f/s), slowest p99 %.1f ms, non-2xx %d\n",
	          nodes, rps, made, made / secs, p99, bad }' "$T"/wrk*.txt
	rm -f "$T"/wrk*.txt
done
[ -s "$T/refusals" ] && sort "$T/refusals" | uniq -c | sort -rn | head -5
