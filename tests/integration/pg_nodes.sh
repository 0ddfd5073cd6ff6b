#!/bin/bash
# SPDX-License-Identifier: ISC
# pg_nodes.sh: several hosts on one PostgreSQL store.  Node A (kiln serve
# --no-worker), node B (kiln serve with its worker) and a kiln worker W,
# each in a working folder of its own, share a PostgreSQL 15 store and
# deploy to one S3 bucket.  A publish through A is deployed by B's worker
# (woken by NOTIFY); kill -9 of the worker holding a build: the other
# takes it over when the lease expires; a PostgreSQL restart is survived
# by both API nodes and the workers.  The workers are held with
# KILN_TEST_HOLD_FILE and the test waits for states, never for time.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
pg_start
s3_start www
cd "$T"
"$KILN" init a >/dev/null
cd a
pg_use_store
s3_add_target "    max_deletes: 1000"
sed -i 's/^  lease: .*//' kiln.yaml
sed -i 's/^build:/build:\n  lease: 5s\n  heartbeat: 1s/' kiln.yaml
"$KILN" check >/dev/null || fail "config"
TOK=$("$KILN" token create --name ci --role publisher)
cd "$T"
cp -r a b
cp -r a w
PA=$(free_port)
PB=$(free_port)
HB=$T/hold-b
HW=$T/hold-w
(cd a && exec "$KILN" serve --no-worker --listen 127.0.0.1:$PA >>"$T/a.log" 2>&1) &
A=$!; bg_pid $A
(cd b && KILN_TEST_HOLD_FILE=$HB exec "$KILN" serve --listen 127.0.0.1:$PB >>"$T/b.log" 2>&1) &
B=$!; bg_pid $B
wait_port $PA
wait_port $PB
auth=(-H "Authorization: Bearer $TOK")
q() { pg_psql "$1"; }
# wait_for SQL WANT [WHAT]: until SQL prints WANT; 60 s
wait_for() {
	local i got
	for i in $(seq 1 600); do
		got=$(q "$1" 2>/dev/null || true)
		[ "$got" = "$2" ] && return 0
		sleep 0.1
	done
	fail "${3:-$1}: got '$got', expected '$2'"
}
wait_idle_pg() {
	wait_for "select count(*) from build_requests where build_id is null" 0 "pending requests"
	wait_for "select count(*) from builds where status='running'" 0 "running builds"
}
wait_running_pg() {
	local i id
	for i in $(seq 1 300); do
		id=$(q "select id || ' ' || worker from builds where status='running' order by id desc limit 1")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	fail "no build was claimed"
}
in_bucket() {
	aws_s3 s3api head-object --bucket www --key "$1" >/dev/null 2>&1
}
host=$(hostname)

# 1. a publish through A is deployed by B's worker
code=$(curl -s -o "$T/body" -w '%{http_code}' "${auth[@]}" -X POST \
    -d '{"path":"news/one","title":"One","publish":true}' "http://127.0.0.1:$PA/api/v1/pages")
assert_eq "$code" 202 "create through node A"
wait_idle_pg
in_bucket news/one/index.html || fail "news/one not deployed"
assert_eq "$(q "select worker from builds where status='succeeded' order by id desc limit 1")" \
    "$host:$B" "built by node B's worker"
assert_eq "$(q "select count(distinct worker) from builds")" 1 "node A has no worker"
# the per-target results, stored in PostgreSQL, read through node A (0230)
bid=$(q "select id from builds where status='succeeded' order by id desc limit 1")
curl -s "${auth[@]}" "http://127.0.0.1:$PA/api/v1/builds/$bid" > "$T/build.json"
assert_eq "$(jq -r '[.targets[] | "\(.name):\(.status)"] | join(" ")' "$T/build.json")" \
    "local:deployed prod:deployed" "per-target results on PostgreSQL"
pass "a publish through node A was deployed by node B's worker"

# 2. kill -9 of the worker holding a build: taken over by the other
(cd w && KILN_TEST_HOLD_FILE=$HW exec "$KILN" worker >>"$T/w.log" 2>&1) &
W=$!; bg_pid $W
touch "$HB" "$HW"
curl -s -o /dev/null "${auth[@]}" -X POST \
    -d '{"path":"news/two","title":"Two","publish":true}' "http://127.0.0.1:$PB/api/v1/pages"
read -r held who < <(wait_running_pg)
wait_for "select position('test hook: held' in log) > 0 from builds where id=$held" t "build $held held"
case "$who" in
"$host:$B")	victim=$B; other=$W; hold_other=$HW ;;
"$host:$W")	victim=$W; other=$B; hold_other=$HB ;;
*)		fail "build $held claimed by '$who'" ;;
esac
kill -9 $victim; wait $victim 2>/dev/null || true
rm -f "$HB" "$HW"
wait_idle_pg
in_bucket news/two/index.html || fail "news/two not deployed after the kill"
assert_eq "$(q "select status || ' ' || worker from builds where id=$held")" \
    "succeeded $host:$other" "build $held finished by the surviving worker"
assert_contains "$(q "select log from builds where id=$held")" "taken over" "lease take-over"
# bring the killed one back as the standalone worker
if [ "$victim" = "$B" ]; then
	(cd b && exec "$KILN" serve --listen 127.0.0.1:$PB >>"$T/b.log" 2>&1) &
	B=$!; bg_pid $B
	wait_port $PB
fi
pass "kill -9 of the worker holding build $held: taken over, deployed"

# 3. PostgreSQL restarts: both API nodes and the workers carry on
pg_restart
for n in 3 4; do
	port=$PA; [ $n = 4 ] && port=$PB
	code=$(curl -s -o "$T/body" -w '%{http_code}' "${auth[@]}" -X POST \
	    -d "{\"path\":\"news/p$n\",\"title\":\"After restart $n\",\"publish\":true}" \
	    "http://127.0.0.1:$port/api/v1/pages")
	assert_eq "$code" 202 "write through port $port after the restart: $(cat "$T/body")"
done
wait_idle_pg
in_bucket news/p3/index.html || fail "news/p3 not deployed after the restart"
in_bucket news/p4/index.html || fail "news/p4 not deployed after the restart"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PA/healthz")" 200 "node A healthy"
pass "PostgreSQL restart survived by both nodes and the workers"

# never two builds at once: no two builds' [started, finished] overlap
assert_eq "$(q "select count(*) from builds x join builds y on x.id < y.id
    where x.status = 'succeeded' and y.status = 'succeeded'
    and y.started_at < x.finished_at and x.started_at < y.finished_at")" 0 "no overlapping builds"
pass "no two successful builds overlapped"
