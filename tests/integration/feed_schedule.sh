#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_schedule.sh: kiln serve runs a feeder tick at feed.schedule (issue
# #17), once per due minute, counting from the first start (as the other
# cron tasks, sched_cron.sh); the clock is KILN_NOW, the wait is for the
# scheduler's first pass, never for time.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
mkdir -p src/a && printf -- '---\ntitle: A\n---\n' > src/a/_index.md
printf '%s' '[{"id":"a","version":"1","source":"src/a"}]' > units.json
printf 'feed:\n  list: units.json\n  schedule: "0 * * * *"\n' >> kiln.yaml
"$KILN" check >/dev/null || fail "kiln.yaml"
PORT=$(free_port)
runs=0
run_at() {	# kiln serve with the clock at $1 for one scheduler pass
	local pid i
	KILN_NOW=$1 "$KILN" serve --no-worker --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
	pid=$!
	bg_pid $pid
	runs=$((runs + 1))
	for i in $(seq 1 300); do
		[ "$(grep -c 'scheduler: first pass done' "$T/serve.log")" -ge $runs ] && break
		sleep 0.1
	done
	[ "$(grep -c 'scheduler: first pass done' "$T/serve.log")" -ge $runs ] ||
	    fail "the scheduler never ran at $1"
	kill $pid; wait $pid 2>/dev/null || true
}
queued() { sqlite3 .kiln/kiln.db "select count(*) from unit_builds"; }
run_at 2026-11-24T12:10:00Z		# first start: starts counting
assert_eq "$(queued)" 0 "no tick on the first start"
run_at 2026-11-24T12:50:00Z		# not due yet
assert_eq "$(queued)" 0 "not due"
run_at 2026-11-24T13:05:00Z		# 13:00 fell due
assert_eq "$(queued)" 1 "the tick queued the unit"
assert_contains "$(cat "$T/serve.log")" "scheduler: feed: queued 1" "the tick is logged"
pass "feed.schedule runs a tick in kiln serve"
