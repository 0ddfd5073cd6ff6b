#!/bin/bash
# SPDX-License-Identifier: ISC
# pg_chaos.sh: issue 16's chaos test.  PostgreSQL, two API nodes (kiln
# serve --no-worker) and three kiln worker processes, each in a working
# folder of its own, an S3 target.  520 publishes (edits with publish)
# spread over both API nodes by 8 clients, while two workers are kill -9ed
# holding a build, PostgreSQL is restarted once, and one worker looks
# stopped to the store (its heartbeat held) until its build is taken
# over, then resumes (lease fencing, decision 0170).  Afterwards every
# edit is deployed, the bucket equals the last build byte for byte, no two
# builds overlapped, no build deployed twice and the resumed worker
# deployed nothing.  Chaos is placed by states (the hold hooks, the lease
# in the store, counts of answered requests), never by time.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
NPAGES=40
ROUNDS=13	# 40 x 13 = 520 publishes (issue 16: 500)
pg_start
s3_start www
cd "$T"
"$KILN" init a >/dev/null
cd a
pg_use_store
s3_add_target "    max_deletes: 1000"
sed -i 's/^  lease: .*//' kiln.yaml
sed -i 's/^build:/build:\n  lease: 5s\n  heartbeat: 1s/' kiln.yaml
mkdir -p "$T/c/news"
for i in $(seq 1 $NPAGES); do
	printf -- '---\ntitle: Page %d\ndraft: true\n---\nBody %d\n' $i $i > "$T/c/news/p$i.md"
done
"$KILN" import "$T/c" >/dev/null
TOK=$("$KILN" token create --name ci --role publisher)
cd "$T"
for f in b w1 w2 w3; do cp -r a $f; done
PA=$(free_port)
PB=$(free_port)
(cd a && exec "$KILN" serve --no-worker --listen 127.0.0.1:$PA >>"$T/a.log" 2>&1) &
bg_pid $!
(cd b && exec "$KILN" serve --no-worker --listen 127.0.0.1:$PB >>"$T/b.log" 2>&1) &
bg_pid $!
declare -A FOLDER
start_worker() {	# start_worker N: kiln worker in folder wN, held by $T/hold,
	# its heartbeat by $T/nobeat.wN
	(cd "w$1" && KILN_TEST_HOLD_FILE=$T/hold KILN_TEST_HOLD_HEARTBEAT=$T/nobeat.w$1 \
	    exec "$KILN" worker >>"$T/w$1.log" 2>&1) &
	local p=$!
	bg_pid $p
	FOLDER[$p]=w$1
}
for n in 1 2 3; do start_worker $n; done
wait_port $PA
wait_port $PB
q() { pg_psql "$1"; }
host=$(hostname)

# the clients: client K edits pages K, K+8, ... in rounds, alternating
# nodes; a write refused while PostgreSQL restarts (503) is sent again
client() {
	local k=$1 r p n=0 port code tries
	for r in $(seq 1 $ROUNDS); do
		for p in $(seq "$k" 8 $NPAGES); do
			n=$((n + 1))
			port=$PA; [ $((n % 2)) = 0 ] && port=$PB
			for tries in $(seq 1 100); do
				code=$(curl -s -o /dev/null -w '%{http_code}' \
				    -H "Authorization: Bearer $TOK" -X PUT \
				    -d "{\"title\":\"Page $p round $r\",\"publish\":true}" \
				    "http://127.0.0.1:$port/api/v1/pages/by-path/news/p$p" || true)
				case $code in 2*) break ;; esac
				echo "$code" >> "$T/retries"
				sleep 0.2
			done
			case $code in 2*) echo "$p $r" >> "$T/done" ;; *) echo "FAILED $p $r $code" >> "$T/done" ;; esac
		done
	done
}
: > "$T/done"
CLIENTS=""
for k in 1 2 3 4 5 6 7 8; do client $k & CLIENTS="$CLIENTS $!"; done
# wait_done N: until N publishes are answered (3 minutes at most)
wait_done() {
	local i
	for i in $(seq 1 1800); do
		[ "$(wc -l < "$T/done")" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "only $(wc -l < "$T/done") publishes answered"
}
# held_build: hold the next claimed build; sets id, who, pid
held_build() {
	local i code
	id=
	touch "$T/hold"
	# a request of its own: the clients may have finished meanwhile
	for i in $(seq 1 100); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		    -H "Authorization: Bearer $TOK" "http://127.0.0.1:$PA/api/v1/builds" || true)
		case $code in 2*) break ;; esac
		sleep 0.2
	done
	for i in $(seq 1 600); do
		# held now: the hold is the last line of its log (an attempt
		# killed while held left one too)
		read -r id who < <(q "select id || ' ' || worker from builds where status='running'
		    and log ~ 'test hook: held while [^\n]* exists\n$' order by id desc limit 1") || true
		# by a live worker (a killed one's build waits for take-over)
		pid=${who:-x:0}
		pid=${pid##*:}
		[ -n "${id:-}" ] && kill -0 "$pid" 2>/dev/null && break
		id=
		sleep 0.1
	done
	[ -n "${id:-}" ] || fail "no build held"
	[ -n "${FOLDER[$pid]:-}" ] || fail "build $id held by unknown worker '$who'"
}
# wait_q SQL WANT: until PostgreSQL answers WANT (60 s at most)
wait_q() {
	local i
	for i in $(seq 1 600); do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "never '$2': $1 (got $(q "$1"))"
}
# stale_holder: the worker holding a build stops renewing its lease (as a
# stopped process); once the lease expired another worker takes the build
# over (and is held too); then the first resumes, and must find its lease
# lost
stale_holder() {
	local id who pid att
	held_build
	att=$(q "select attempt from builds where id=$id")
	touch "$T/nobeat.${FOLDER[$pid]}"
	wait_q "select lease_until < extract(epoch from now())::bigint from builds where id=$id" t
	wait_q "select attempt > $att and worker <> '$who' from builds where id=$id" t
	rm -f "$T/nobeat.${FOLDER[$pid]}"
	rm -f "$T/hold"
	wait_q "select position('lease lost to take-over' in log) > 0 from builds where id=$id" t
	STALE="$STALE $id=$who"
	STALE_W="$STALE_W ${FOLDER[$pid]}"
	echo "worker $who lost build $id to a take-over"
}
# kill_holder: hold the next claimed build, kill -9 its worker, restart it
kill_holder() {
	local id who pid n
	held_build
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true
	rm -f "$T/hold"
	n=${FOLDER[$pid]#w}
	start_worker "$n"
	KILLED="$KILLED $id"
	echo "killed worker $who holding build $id"
}
KILLED=""
STALE=""
STALE_W=""
wait_done 30
kill_holder
wait_done 70
# PostgreSQL restarts while a build is held: its heartbeats and its
# next lease check meet the restart
held_build
pg_restart
rm -f "$T/hold"
echo "PostgreSQL restarted while build $id was held by $who"
wait_done 110
stale_holder
wait_done 150
kill_holder
for c in $CLIENTS; do wait "$c"; done
assert_eq "$(grep -c FAILED "$T/done" || true)" 0 "every publish answered 2xx"
assert_eq "$(wc -l < "$T/done")" $((NPAGES * ROUNDS)) "publishes answered"
# wait until the queue is empty (3 minutes at most)
for i in $(seq 1 1800); do
	[ "$(q "select count(*) from build_requests where build_id is null")$(q "select count(*) from builds where status='running'")" = 00 ] && break
	sleep 0.1
done
assert_eq "$(q "select count(*) from build_requests where build_id is null")" 0 "nothing pending"
pass "$((NPAGES * ROUNDS)) publishes over two nodes, $(wc -l < "$T/retries" 2>/dev/null || echo 0) retried writes, builds: $(q "select count(*) from builds where status='succeeded'")"

# every edit deployed: each page's last round is in the bucket
mkdir "$T/bucket"
aws_s3 s3 sync --quiet s3://www "$T/bucket"
for p in $(seq 1 $NPAGES); do
	grep -q "Page $p round $ROUNDS<" "$T/bucket/news/p$p/index.html" ||
	    fail "news/p$p: the last edit is not in the bucket"
done
pass "every page's last edit is in the bucket"

# the bucket equals the last build byte for byte
last=$(q "select worker from builds where status='succeeded' order by id desc limit 1")
dir=$T/${FOLDER[${last##*:}]}
diff -r -x .kiln "$T/bucket" "$dir/public/" > "$T/diff" || { head -20 "$T/diff"; fail "bucket differs from the last build ($last)"; }
pass "the bucket equals the last build ($last) byte for byte"

# never two builds at once; no build deployed twice; the kills taken over
assert_eq "$(q "select count(*) from builds x join builds y on x.id < y.id
    where y.started_at < x.finished_at and x.started_at < y.finished_at
    and x.status <> 'cancelled' and y.status <> 'cancelled'")" 0 "overlapping builds"
twice=$(q "select id from builds where (length(log) - length(replace(log, 'deployed:', ''))) / 9 > 1")
[ -z "$twice" ] || { q "select log from builds where id in ($(echo $twice | tr ' ' ,))"; fail "builds deployed twice: $twice"; }
for id in $KILLED; do
	assert_contains "$(q "select status || ' ' || log from builds where id=$id")" "taken over" "build $id taken over"
	assert_contains "$(q "select status from builds where id=$id")" "succeeded" "build $id finished"
done
pass "no overlapping builds, none deployed twice, killed builds taken over"
for s in $STALE; do
	id=${s%%=*}
	assert_eq "$(q "select status from builds where id=$id")" "succeeded" "build $id finished"
	[ "$(q "select worker from builds where id=$id")" != "${s#*=}" ] ||
	    fail "build $id recorded by its stale worker ${s#*=}"
done
for w in $STALE_W; do
	assert_contains "$(cat "$T/$w.log")" "lease lost to take-over" "$w saw its lease lost"
done
pass "the worker resumed after a take-over deployed and recorded nothing"
