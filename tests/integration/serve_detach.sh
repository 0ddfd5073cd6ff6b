#!/bin/bash
# SPDX-License-Identifier: ISC
# serve_detach.sh: `kiln serve -d` returns 0 only once the daemon serves
# (the API answers at once, no wait), in a new session, its pid in
# --pid-file and its log in --log-file; SIGTERM stops it and removes the
# pid file.  A daemon that cannot start (port in use, bad kiln.yaml)
# makes `kiln serve -d` exit 1 with the daemon's error on stderr, and
# leaves no process and no pid file behind.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
PORT=$(free_port)
API=http://127.0.0.1:$PORT
PIDF=$T/kiln.pid

# wait_gone PID: until the process has exited (20 s at most)
wait_gone() {
	local i
	for i in $(seq 1 200); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "pid $1 still runs"
}

# 1. detach: exit 0 once serving
"$KILN" serve -d --listen 127.0.0.1:$PORT --pid-file "$PIDF" \
    --log-file "$T/serve.log" >"$T/out" 2>"$T/err" ||
    fail "kiln serve -d exited $?: $(cat "$T/err")"
assert_file "$PIDF"
pid=$(cat "$PIDF")
bg_pid "$pid"
kill -0 "$pid" 2>/dev/null || fail "no daemon with pid $pid"
assert_contains "$(cat "$T/out")" "running in the background, pid $pid" "what -d prints"
# ready means serving: no wait_port here
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$API/healthz")" 200 "healthz right after -d"
# its own session, not ours; not a session leader (double fork)
sid=$(ps -o sid= -p "$pid" | tr -d ' ')
[ "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')" ] || fail "the daemon is in our session"
[ "$sid" != "$pid" ] || fail "the daemon is a session leader"
assert_eq "$(ps -o tty= -p "$pid" | tr -d ' ')" "?" "no controlling terminal"
grep -q "running: SIGHUP reloads kiln.yaml" "$T/serve.log" || fail "log file: $(cat "$T/serve.log")"
# nothing of the daemon's log went to our stderr after it was ready
assert_not_contains "$(cat "$T/err")" "running:" "stderr after ready"
pass "serve -d: exit 0 once serving, new session, pid file, log file"

# 2. SIGHUP reaches it; SIGTERM stops it and removes the pid file
kill -HUP "$pid"
for i in $(seq 1 100); do grep -q "reload: kiln.yaml unchanged" "$T/serve.log" && break; sleep 0.1; done
grep -q "reload: kiln.yaml unchanged" "$T/serve.log" || fail "no reload in the log"
kill -TERM "$pid"
wait_gone "$pid"
assert_no_file "$PIDF"
grep -q "stopping" "$T/serve.log" || fail "no stop line"
pass "serve -d: SIGHUP reloads, SIGTERM stops and removes the pid file"

# 3. the port is taken: exit 1 with the daemon's error, nothing left
$PY -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
sys.stdout.write("x\n"); sys.stdout.flush(); time.sleep(600)' "$PORT" >"$T/holder" &
bg_pid $!
for i in $(seq 1 100); do [ -s "$T/holder" ] && break; sleep 0.1; done
expect_status 1 "$KILN" serve -d --listen 127.0.0.1:$PORT --pid-file "$PIDF" >"$T/out" 2>"$T/err"
assert_contains "$(cat "$T/err")" "127.0.0.1:$PORT" "the daemon's error names the address"
assert_contains "$(cat "$T/err")" "the daemon did not start" "the parent says so"
assert_no_file "$PIDF"
pgrep -f "kiln serve -d --listen 127.0.0.1:$PORT" >/dev/null && fail "a daemon is left"
pass "serve -d on a taken port: exit 1 with the error, no pid file, no process"

# 4. a bad kiln.yaml: exit 1 with FILE:LINE
sed -i 's/^  page_size: 10 .*/  page_size: many/' kiln.yaml
expect_status 1 "$KILN" serve -d --pid-file "$PIDF" >"$T/out" 2>"$T/err"
assert_contains "$(cat "$T/err")" "kiln.yaml:" "FILE:LINE"
assert_contains "$(cat "$T/err")" "build.page_size" "key"
assert_no_file "$PIDF"
pass "serve -d with a bad kiln.yaml: exit 1 with FILE:LINE"

# 5. --log-file without -d is a usage error
expect_status 2 "$KILN" serve --log-file "$T/x.log" >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "--log-file needs -d" "usage"
pass "--log-file without -d is refused"
