#!/bin/bash
# SPDX-License-Identifier: ISC
# sched_cron.sh: cron tasks of kiln serve (schedule.republish) run once
# per due time: a restart neither runs a task twice nor skips one that
# fell due while the daemon was down.  The clock is KILN_NOW.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
"$KILN" init site >/dev/null
cd site
sed -i 's|^  republish: .*|  republish: "0 * * * *"|' kiln.yaml
grep -q '^  republish: "0 \* \* \* \*"' kiln.yaml || fail "could not set schedule.republish"
republishes() { sqlite3 .kiln/kiln.db "select count(*) from build_requests where reason='republish'"; }
sched_pass 2026-11-24T12:10:00Z		# first start: starts counting
assert_eq "$(republishes)" 0 "no run on the first start"
sched_pass 2026-11-24T12:50:00Z		# not due yet
assert_eq "$(republishes)" 0 "not due"
sched_pass 2026-11-24T14:20:00Z		# 13:00 and 14:00 fell due while down
assert_eq "$(republishes)" 1 "a missed run happens once"
sched_pass 2026-11-24T14:30:00Z		# restart: no repeat
assert_eq "$(republishes)" 1 "no repeat after a restart"
sched_pass 2026-11-24T15:00:00Z
assert_eq "$(republishes)" 2 "next due run"
pass "cron tasks: no repeat, no skip across restarts"

# a time-filtered collection: when the next upcoming event passes, the
# daemon rebuilds once, and the event leaves the home page
cd "$T"
"$KILN" init demo --demo >/dev/null
cd demo
KILN_NOW=2027-04-09T12:00:00Z "$KILN" publish --wait >/dev/null || fail "build"
grep -q "Spring clean-up day" .kiln/www/index.html || fail "event not upcoming before its day"
PORT=$(free_port)
KILN_NOW=2027-04-10T00:00:01Z "$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve2.log" 2>&1 &
pid=$!
bg_pid $pid
wait_port $PORT
for i in $(seq 1 300); do
	grep -q "Spring clean-up day" .kiln/www/index.html || break
	sleep 0.1
done
kill $pid; wait $pid 2>/dev/null || true
! grep -q "Spring clean-up day" .kiln/www/index.html || fail "passed event still on the home page"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from build_requests where reason='collection changed'")" 1 "one rebuild"
pass "a time-filtered collection triggers a rebuild when it changes"
