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
queued() { sqlite3 .kiln/kiln.db "select count(*) from unit_builds"; }
sched_pass 2026-11-24T12:10:00Z --no-worker		# first start: starts counting
assert_eq "$(queued)" 0 "no tick on the first start"
sched_pass 2026-11-24T12:50:00Z --no-worker		# not due yet
assert_eq "$(queued)" 0 "not due"
sched_pass 2026-11-24T13:05:00Z --no-worker		# 13:00 fell due
assert_eq "$(queued)" 1 "the tick queued the unit"
assert_contains "$(cat "$T/serve.log")" "scheduler: feed: queued 1" "the tick is logged"
pass "feed.schedule runs a tick in kiln serve"
