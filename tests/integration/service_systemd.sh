#!/bin/bash
# SPDX-License-Identifier: ISC
# service_systemd.sh: the kiln.service that `cmake --install` stages into
# a DESTDIR passes `systemd-analyze verify` and carries the hardening of
# docs/service.md; its ExecStart command line, run in an initialised site
# with NOTIFY_SOCKET and WATCHDOG_USEC as systemd sets them, tells a
# socket this test reads READY=1 once the API answers, RELOADING=1 then
# READY=1 around a SIGHUP reload, WATCHDOG=1 pings, and STOPPING=1 on
# SIGTERM.  No systemd is needed to run it (none runs in CI containers).
. "$KILN_SRC/tests/integration/lib.sh"
: "${KILN_BUILD:?KILN_BUILD must name the build folder}"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (scripts/deps --test)"
ROOT=$T/root
DESTDIR=$ROOT cmake --install "$KILN_BUILD" --prefix /usr >"$T/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$T/install.log")"
UNIT=$ROOT/usr/lib/systemd/system/kiln.service
assert_file "$UNIT"
assert_file "$ROOT/usr/bin/kiln"

# 1. the unit as installed is valid, names the installed binary, hardened.
# The staging root gets what a Debian system around it would have: the
# host's systemd units (sysinit.target...) and /bin/kill for ExecReload.
mkdir -p "$ROOT/usr/bin"
ln -s usr/bin "$ROOT/bin"
cp "$(readlink -f /bin/kill)" "$ROOT/usr/bin/kill"
for u in /usr/lib/systemd/system/*; do
	[ -e "$ROOT/usr/lib/systemd/system/${u##*/}" ] ||
	    cp -a "$u" "$ROOT/usr/lib/systemd/system/"
done
systemd-analyze verify --man=no --root="$ROOT" "$UNIT" >"$T/verify.log" 2>&1 ||
    fail "systemd-analyze verify: $(cat "$T/verify.log")"
assert_eq "$(grep -c . "$T/verify.log" || true)" 0 "verify says nothing: $(cat "$T/verify.log")"
start=$(sed -n 's/^ExecStart=//p' "$UNIT")
assert_eq "$start" "/usr/bin/kiln serve" "ExecStart names the installed binary"
for kv in Type=notify WatchdogSec=30s 'ExecReload=/bin/kill -HUP $MAINPID' \
    DynamicUser=yes StateDirectory=kiln ProtectSystem=strict \
    ReadWritePaths=/var/lib/kiln NoNewPrivileges=yes PrivateTmp=yes \
    ProtectHome=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    SystemCallFilter=@system-service CapabilityBoundingSet= \
    WorkingDirectory=/var/lib/kiln; do
	grep -qxF -- "$kv" "$UNIT" || fail "kiln.service lacks '$kv'"
done
# a broken unit is caught: the check above can fail
sed 's/^Type=notify$/Type=notifyy/' "$UNIT" >"$ROOT/usr/lib/systemd/system/broken.service"
if systemd-analyze verify --man=no --root="$ROOT" \
    "$ROOT/usr/lib/systemd/system/broken.service" >"$T/broken.log" 2>&1 &&
    ! grep -q . "$T/broken.log"; then
	fail "systemd-analyze verify accepted Type=notifyy"
fi
rm "$ROOT/usr/lib/systemd/system/broken.service"
pass "installed kiln.service verifies, is hardened, runs /usr/bin/kiln"

# 2. run the ExecStart line as systemd would, in WorkingDirectory
cd "$T"
"$KILN" init site >/dev/null
cd site
PORT=$(free_port)
sed -i "s|^  listen: .*|  listen: 127.0.0.1:$PORT|" kiln.yaml
grep -q "listen: 127.0.0.1:$PORT" kiln.yaml || fail "test setup: serve.listen"
"$KILN" check >/dev/null || fail "kiln check"
SOCK=$T/notify.sock
$PY - "$SOCK" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        msg = s.recv(4096).decode()
        f.write(msg.replace("\n", " ") + "\n")
PY
bg_pid $!
for i in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || fail "notify socket never appeared"
: >"$T/notify.log"
read -r -a cmd <<<"$start"
cmd[0]=$ROOT${cmd[0]}
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=400000 "${cmd[@]}" >"$T/serve.log" 2>&1 &
SERVE=$!
bg_pid $SERVE
# wait_msg N TEXT: until the socket got TEXT at least N times
wait_msg() {
	local i
	for i in $(seq 1 300); do
		[ "$(grep -cF -- "$2" "$T/notify.log")" -ge "$1" ] && return 0
		kill -0 $SERVE 2>/dev/null || fail "kiln serve died: $(tail -5 "$T/serve.log")"
		sleep 0.1
	done
	fail "never got '$2' ($1 times): $(tail -5 "$T/notify.log")"
}
wait_msg 1 READY=1
# READY=1 means serving: the API answers at once, no wait
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/healthz)" 200 "healthz after READY=1"
assert_contains "$(grep -F READY=1 "$T/notify.log")" "MAINPID=$SERVE" "MAINPID is the daemon"
pass "READY=1 once the API answers"

wait_msg 3 WATCHDOG=1
pass "WATCHDOG=1 pings from the main loop"

sed -i "0,/^  title: .*/s//  title: \"Reloaded\"/" kiln.yaml
kill -HUP $SERVE
wait_msg 1 RELOADING=1
wait_msg 2 READY=1
# the order: READY, then RELOADING, then READY again
order=$(grep -oE 'RELOADING=1|READY=1' "$T/notify.log" | tr '\n' ' ')
assert_eq "$order" "READY=1 RELOADING=1 READY=1 " "notify order"
grep -qF "reload: kiln.yaml applied" "$T/serve.log" || fail "reload not applied: $(tail -3 "$T/serve.log")"
pass "SIGHUP: RELOADING=1 then READY=1"

kill -TERM $SERVE
wait $SERVE || fail "kiln serve exited $? on SIGTERM"
grep -qF STOPPING=1 "$T/notify.log" || fail "no STOPPING=1"
pass "SIGTERM: STOPPING=1, exit 0"

# 3. without NOTIFY_SOCKET nothing is sent and serve runs as before
: >"$T/notify.log"
"$KILN" serve >"$T/serve2.log" 2>&1 &
S2=$!
bg_pid $S2
wait_port $PORT
kill -TERM $S2
wait $S2 || fail "plain kiln serve exited $?"
assert_eq "$(grep -c . "$T/notify.log" || true)" 0 "no notify without NOTIFY_SOCKET"
pass "no NOTIFY_SOCKET: no messages"
