# SPDX-License-Identifier: ISC
# lib.sh: sourced by every integration test.  Gives a scratch folder
# ($T), a cleanup trap that stops whatever the test started, free ports,
# and assertions.  Servers have their own files in lib/ (s3.sh, pg.sh,
# varnish.sh, smtp.sh, git.sh) that build on this one.
set -eu
: "${KILN:?KILN must name the kiln binary}"
: "${KILN_SRC:?KILN_SRC must name the source tree}"
PY=/usr/bin/python3		# Debian's python3: it has botocore, aiosmtpd
T=$(mktemp -d "${TMPDIR:-/tmp}/kiln-it-XXXXXX")
KILN_PIDS=""
export AWS_EC2_METADATA_DISABLED=true

cleanup() {
	for p in $KILN_PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in $KILN_PIDS; do kill -9 "$p" 2>/dev/null || true; done
	if [ "${KEEP_TMP:-}" = "" ]; then rm -rf "$T"; fi
}
trap cleanup EXIT

# the sqlite3 shell has no busy timeout: a test reading or poking the
# store while the daemon writes would fail on "database is locked"
sqlite3() { command sqlite3 -cmd ".timeout 10000" "$@"; }

# track a background process for cleanup
bg_pid() { KILN_PIDS="$KILN_PIDS $1"; }

# free_port: a TCP port nobody listens on now
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT
wait_port() {
	local i=0 max=$(( ${2:-20} * 10 ))
	while ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge $max ] && { echo "port $1 never opened" >&2; return 1; }
		sleep 0.1
	done
}

# fail MESSAGE: the test fails; a worker's log ($T/worker.log), where a
# test keeps one, is shown too
fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/worker.log" ] && tail -20 "$T/worker.log" >&2
	exit 1
}
pass() { echo "ok - $*"; }

assert_eq() {	# assert_eq GOT WANT MESSAGE
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}
assert_contains() {	# assert_contains HAYSTACK NEEDLE MESSAGE
	case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: '$2' found in: $1" ;; *) ;; esac
}
# same_output A B: two build outputs are equal byte for byte, apart from
# what names the output (the id line of .kiln/outputs, .kiln/changes.json)
same_output() {
	diff -r -x changes.json -x outputs "$1" "$2" &&
	    cmp <(tail -n +3 "$1/.kiln/outputs") <(tail -n +3 "$2/.kiln/outputs")
}
# same_build A B: a worker's output A equals B (a full build by another
# process) byte for byte, apart from what names the build or the output
# (the manifest's build id, the record's id line, changes.json); the
# differences are left in $T/diff
same_build() {
	diff -r -x manifest.json -x changes.json -x outputs "$1" "$2" >"$T/diff" &&
	    cmp -s <(tail -n +3 "$1/.kiln/outputs") <(tail -n +3 "$2/.kiln/outputs") &&
	    cmp -s <(jq -c ".files" "$1/.kiln/manifest.json") <(jq -c ".files" "$2/.kiln/manifest.json")
}
# changes_apply OLD_MANIFEST OUT: OUT's changes.json applied to OLD gives
# OUT's manifest, and its base is OLD_ID (decision 0290)
changes_apply() {	# changes_apply OLD_MANIFEST OLD_ID OUT
	[ "$(jq -r .base "$3/.kiln/changes.json")" = "$2" ] ||
	    fail "changes.json: base $(jq -r .base "$3/.kiln/changes.json"), want $2"
	[ "$(jq -r .id "$3/.kiln/changes.json")" = "$(sed -n '2s/^id //p' "$3/.kiln/outputs")" ] ||
	    fail "changes.json: id differs from the record's"
	jq -e -n --slurpfile o "$1" --slurpfile c "$3/.kiln/changes.json" \
	    --slurpfile n "$3/.kiln/manifest.json" '
	    ($o[0].files | map({(.path): .}) | add // {})
	    | reduce $c[0].removed[] as $r (.; del(.[$r]))
	    | reduce $c[0].files[] as $f (.; .[$f.path] = $f)
	    | ([.[]] | sort_by(.path)) == ($n[0].files | sort_by(.path))' >/dev/null ||
	    fail "changes.json applied to the last manifest is not the new one"
}
# manifest_held BASE OUT: the manifest a destination holds (a folder, or a
# bucket's URL on s3rver), joined from its head and shards (decision
# 0370), is OUT's build manifest
manifest_join() { $PY "$KILN_SRC/tests/integration/lib/manifest_join.py" "$1"; }
manifest_held() {
	local got
	got=$(manifest_join "$1") ||
	    fail "the manifest held by $1 does not join"
	[ "$(jq -cS . <<<"$got")" = "$(jq -cS . "$2/.kiln/manifest.json")" ] ||
	    fail "the manifest held by $1 is not the build's"
}
assert_file() { [ -f "$1" ] || fail "missing file $1"; }
assert_no_file() { [ ! -e "$1" ] || fail "file should not exist: $1"; }
# expect_status CODE CMD...: run CMD, check its exit code
expect_status() {
	local want=$1; shift
	set +e; "$@"; local got=$?; set -e
	[ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}

# serve_start [VAR=VALUE...]: in a site folder, kiln serve on $PORT in
# the background with VARs in its environment, its output appended to
# $T/serve.log; sets SERVE and waits for the port
serve_start() {
	env "$@" "$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
	SERVE=$!
	bg_pid $SERVE
	wait_port $PORT
}
# admin_site: the admin tests' start: a failure also shows the end of
# kiln serve's log (builds' lines left out), any failed command fails
# the test, and a new site in $T/site is the current folder; db runs
# sqlite3 on its store
admin_site() {
	fail() {
		echo "FAIL: $*" >&2
		[ -f "$T/serve.log" ] &&
		    grep -v '^kiln serve: build' "$T/serve.log" | tail -40 >&2
		exit 1
	}
	trap 'fail "line $LINENO: a command failed"' ERR
	cd "$T"
	"$KILN" init site >/dev/null
	cd site
}
db() { sqlite3 .kiln/kiln.db "$@"; }
# wait_db SQL WANT: in a site folder, until the store answers WANT to SQL
# (a state, not a time; 60 s at most)
wait_db() {
	local i
	for i in $(seq 1 600); do
		[ "$(db "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	fail "store never answered '$2' to: $1 (got $(db "$1"))"
}

# sched_pass TIME [SERVE-ARGS...]: kiln serve with the clock at TIME
# (KILN_NOW) for one scheduler pass, then stopped; its log in
# $T/serve.log.  Counts the passes in SCHED_PASSES.
SCHED_PASSES=0
sched_pass() {
	local at=$1 pid i
	shift
	KILN_NOW=$at "$KILN" serve "$@" --listen 127.0.0.1:$(free_port) \
	    >>"$T/serve.log" 2>&1 &
	pid=$!
	bg_pid $pid
	SCHED_PASSES=$((SCHED_PASSES + 1))
	for i in $(seq 1 300); do
		[ "$(grep -c 'scheduler: first pass done' "$T/serve.log")" -ge $SCHED_PASSES ] && break
		sleep 0.1
	done
	[ "$(grep -c 'scheduler: first pass done' "$T/serve.log")" -ge $SCHED_PASSES ] ||
	    fail "the scheduler never ran at $at"
	kill $pid; wait $pid 2>/dev/null || true
}
# code CURL-ARGS...: the HTTP status of a request; the body is left in
# $T/body, the headers in $T/head
code() { curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"; }

# worker_built WHAT: in a site folder served by a running worker, ask
# for a build and wait until everything requested is built; the last
# build's id in $B, which must have succeeded
worker_built() {
	"$KILN" publish >/dev/null 2>&1 || fail "publish after $1"
	wait_idle
	B=$(db "select max(id) from builds")
	[ "$(db "select status from builds where id = $B")" = succeeded ] ||
	    fail "build $B after $1: $(db "select status, error from builds where id = $B")"
}

# worker_one_build WHAT: in a site folder with a running worker, the
# worker has built the change WHAT in exactly one build since build
# $LAST (asked for by the change, or else here), which succeeded: its
# id in $B
worker_one_build() {
	wait_idle
	[ "$(db "select max(id) from builds")" != "$LAST" ] ||
	    "$KILN" publish >/dev/null 2>&1 || fail "publish after $1"
	wait_idle
	B=$(db "select max(id) from builds")
	[ "$B" = "$((LAST + 1))" ] || fail "$1: builds $((LAST + 1)) to $B, not one"
	[ "$(db "select status from builds where id = $B")" = succeeded ] ||
	    fail "build $B after $1: $(db "select status, error from builds where id = $B")"
}

# wait_running: in a site folder, the id of the build a worker claimed
# (and holds, with KILN_TEST_HOLD_FILE); 30 s at most
wait_running() {
	local i id
	for i in $(seq 1 300); do
		id=$(sqlite3 .kiln/kiln.db "select id from builds where status='running' order by id desc limit 1")
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	fail "no build was claimed"
}
# wait_build_log ID TEXT: until build ID's log holds TEXT; 30 s at most
wait_build_log() {
	local i
	for i in $(seq 1 300); do
		sqlite3 .kiln/kiln.db "select log from builds where id=$1" | grep -qF "$2" && return 0
		sleep 0.1
	done
	fail "build $1 never logged '$2'"
}
# wait_idle: in a site folder, until no build request is pending and no
# build runs (the daemon's worker has caught up); 30 s at most
wait_idle() {
	local i p r
	for i in $(seq 1 300); do
		p=$(sqlite3 .kiln/kiln.db "select count(*) from build_requests where build_id is null")
		r=$(sqlite3 .kiln/kiln.db "select count(*) from builds where status='running'")
		[ "$p$r" = "00" ] && return 0
		sleep 0.1
	done
	fail "pipeline never went idle (pending $p, running $r)"
}
