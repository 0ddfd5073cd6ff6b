#!/bin/bash
# SPDX-License-Identifier: ISC
# queue_worker.sh: `kiln publish` with no worker running says "no worker
# is consuming the queue" (the worker's presence in the store tells), and
# stops saying it while kiln worker runs; `kiln publish --wait` waits
# through a failed build's retry instead of giving up; a daemon restarted
# after a failed build picks its pending request up at the retry time,
# with no new request.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
"$KILN" init site >/dev/null
cd site
# an external build that fails while $T/fail exists (and removes it)
sed -i "s|^  # command: .*|  command: 'if [ -e $T/fail ]; then rm $T/fail; echo failing on purpose; exit 3; fi; mkdir -p {out} \&\& echo ok > {out}/index.html'|" kiln.yaml
sed -i 's/^  retries: 2 .*/  retries: 1/; s/^  retry_backoff: 10s .*/  retry_backoff: 1s/' kiln.yaml
grep -q "retry_backoff: 1s" kiln.yaml || fail "test setup: retry_backoff"
"$KILN" check >/dev/null || fail "config"
presence() { sqlite3 .kiln/kiln.db "select count(*) from state where key = 'queue.worker'"; }

# 1. no worker: publish says so (the request is stored all the same)
"$KILN" publish >"$T/out" 2>"$T/err" || fail "publish exited $?"
assert_contains "$(cat "$T/out")" "build requested" "request stored"
assert_contains "$(cat "$T/err")" "no worker is consuming the queue" "no worker"
"$KILN" worker >"$T/worker.log" 2>&1 &
W=$!
bg_pid $W
wait_db "select count(*) from state where key = 'queue.worker'" 1
"$KILN" publish >"$T/out" 2>"$T/err" || fail "publish with a worker"
assert_not_contains "$(cat "$T/err")" "no worker" "with a worker running"
wait_idle
kill -TERM $W
wait $W || fail "kiln worker exited $?"
assert_eq "$(presence)" 0 "presence removed when the worker stops"
"$KILN" publish >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "no worker is consuming the queue" "after the worker stopped"
pass "kiln publish says when no worker is consuming the queue"

# 2. publish --wait waits through the retry
touch "$T/fail"
"$KILN" publish --wait --json >"$T/rec.json" 2>"$T/err" || fail "publish --wait did not wait for the retry: $(cat "$T/err") $(cat "$T/rec.json")"
jq -e '.status == "succeeded" and .attempt == 2' "$T/rec.json" >/dev/null ||
    fail "record: $(jq -c '{status, attempt}' "$T/rec.json")"
assert_no_file "$T/fail"
pass "kiln publish --wait runs the retry after a failure"

# 3. a restarted daemon takes the pending request at its retry time
PORT=$(free_port)
touch "$T/fail"
prev=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
"$KILN" serve --listen 127.0.0.1:$PORT >"$T/s1.log" 2>&1 &
S1=$!
bg_pid $S1
wait_port $PORT
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/builds" \
    -H "Authorization: Bearer $("$KILN" token create --name t --role publisher)" || fail "request"
wait_db "select count(*) from builds where id > $prev and status = 'failed'" 1
kill -TERM $S1
wait $S1 || fail "serve exited $?"
reqs=$(sqlite3 .kiln/kiln.db "select count(*) from build_requests")
"$KILN" serve --listen 127.0.0.1:$PORT >"$T/s2.log" 2>&1 &
S2=$!
bg_pid $S2
wait_db "select count(*) from builds where id > $prev and status = 'succeeded' and attempt = 2" 1
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from build_requests")" "$reqs" "no new request"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from build_requests where build_id is null")" 0 "request satisfied"
kill -TERM $S2
wait $S2 || fail "serve exited $?"
pass "a restarted daemon runs the retry of a failed build"
