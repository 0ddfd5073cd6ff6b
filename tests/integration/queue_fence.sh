#!/bin/bash
# SPDX-License-Identifier: ISC
# queue_fence.sh: lease fencing (decision 0170) with two kiln worker
# processes on one SQLite store, each in a working folder of its own
# (site titles "Site W1" and "Site W2", so a page tells which deployed
# it), one S3 target.  Worker 1 claims a build and is held
# (KILN_TEST_HOLD_FILE) with its heartbeat stopped
# (KILN_TEST_HOLD_HEARTBEAT): to the store it is a stopped process.  Once
# its lease has expired in the store, worker 2 takes the build over and
# deploys it.  Then worker 1 resumes: it must not render, deploy or
# record anything; the build record is worker 2's success and says the
# lease was lost; the bucket equals worker 2's build byte for byte.
# Placed by states (the hold, the lease in the store, log lines), never
# by time.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_start www
DB=$T/shared.db
cd "$T"
"$KILN" init w1 >/dev/null
cd w1
sed -i "s|^  path: .kiln/kiln.db|  path: $DB|" kiln.yaml
s3_add_target
sed -i 's/^  lease: .*//; s/^  heartbeat: .*//' kiln.yaml
sed -i 's/^build:/build:\n  lease: 5s\n  heartbeat: 1s/' kiln.yaml
mkdir -p "$T/c/news"
for i in 1 2 3; do
	printf -- '---\ntitle: Page %d\n---\nBody %d\n' $i $i > "$T/c/news/p$i.md"
done
"$KILN" import "$T/c" >/dev/null
cd "$T"
cp -r w1 w2
sed -i 's/^  title: .*/  title: "Site W1"/' w1/kiln.yaml
sed -i 's/^  title: .*/  title: "Site W2"/' w2/kiln.yaml
grep -q 'Site W2' w2/kiln.yaml || fail "test setup: title"
q() { sqlite3 "$DB" "$1"; }
# wait_for SQL WANT: until the store answers WANT (60 s at most)
wait_for() {
	local i
	for i in $(seq 1 600); do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "store never answered '$2' to: $1 (got $(q "$1"))"
}
# wait_file_has FILE TEXT: until FILE holds TEXT (60 s at most)
wait_file_has() {
	local i
	for i in $(seq 1 600); do
		grep -qF "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "$1 never said '$2'"
}

# 1. worker 1 claims the build and is held, its heartbeat stopped
touch "$T/hold" "$T/nobeat"
(cd w1 && KILN_TEST_HOLD_FILE=$T/hold KILN_TEST_HOLD_HEARTBEAT=$T/nobeat \
    exec "$KILN" worker >"$T/w1.log" 2>&1) &
W1=$!
bg_pid $W1
(cd w1 && "$KILN" publish >/dev/null 2>&1) || fail "publish"
wait_for "select count(*) from builds where status = 'running' and
    instr(log, 'test hook: held') > 0" 1
id=$(q "select id from builds where status = 'running'")
assert_contains "$(q "select worker from builds where id = $id")" ":$W1" "worker 1 holds build $id"
# 2. its lease expires in the store (nothing renews it)
wait_for "select lease_until < cast(strftime('%s', 'now') as integer)
    from builds where id = $id" 1
# 3. worker 2 takes it over and deploys it
(cd w2 && exec "$KILN" worker >"$T/w2.log" 2>&1) &
W2=$!
bg_pid $W2
wait_for "select status from builds where id = $id" succeeded
assert_contains "$(q "select worker from builds where id = $id")" ":$W2" "worker 2 finished build $id"
assert_eq "$(q "select attempt from builds where id = $id")" 2 "the take-over is attempt 2"
pass "worker 2 took over build $id once worker 1's lease expired, and deployed it"

# 4. worker 1 resumes: its heartbeat finds the take-over, then the build
#    stops at its next step
rm "$T/nobeat"
wait_file_has "$T/w1.log" "lease lost to take-over"
rm "$T/hold"
wait_for "select instr(log, 'lease lost to take-over before the render') > 0
    from builds where id = $id" 1
kill -TERM $W1
wait $W1 || fail "worker 1 exited $?"
assert_eq "$(q "select status || ' ' || attempt from builds where id = $id")" "succeeded 2" \
    "the record is worker 2's"
assert_contains "$(q "select worker from builds where id = $id")" ":$W2" "worker 2's record kept"
assert_eq "$(q "select (length(log) - length(replace(log, 'deployed:', ''))) / 9 from builds where id = $id")" 1 \
    "deployed once"
assert_eq "$(q "select count(*) from build_requests where build_id is null")" 0 "nothing pending"
assert_not_contains "$(cat "$T/w1.log")" "phase 1" "worker 1 uploaded nothing"
assert_no_file w1/public/news/p1/index.html
assert_no_file w1/.kiln/www/news/p1/index.html
pass "worker 1, resumed after the take-over, rendered, deployed and recorded nothing"

# 5. the bucket is worker 2's build, byte for byte
mkdir "$T/bucket"
aws_s3 s3 sync --quiet s3://www "$T/bucket"
grep -q "Site W2" "$T/bucket/news/p1/index.html" || fail "the bucket does not hold worker 2's build"
grep -rq "Site W1" "$T/bucket" && fail "worker 1's build reached the bucket"
diff -r -x .kiln "$T/bucket" w2/public/ > "$T/diff" || { head -20 "$T/diff"; fail "bucket differs from worker 2's build"; }
pass "the bucket equals worker 2's build byte for byte"
kill -TERM $W2
wait $W2 || fail "worker 2 exited $?"
