#!/bin/bash
# SPDX-License-Identifier: ISC
# http_slow.sh: slow, idle and greedy clients against the real kiln serve
# (issue #12 section 3).  Loopback only, bounded in count and time; every
# wait polls a state with a bound, none sleeps and hopes.
#  1. hundreds of sockets from one address that send half a header and
#     stay: /healthz still answers at once (per-IP limit), the extra
#     sockets are closed;
#  2. clients from many addresses trickling headers, and one stalling its
#     body: closed by serve.header_timeout / serve.body_timeout;
#  3. 60 unfinished 15 MB bodies without a token (3 MB of each sent):
#     refused before reading
#     them (413 from Content-Length), and chunked ones are not buffered:
#     the daemon's memory stays bounded;
#  4. a write waiting on a SQLite lock held by another process: /healthz
#     and reads answer meanwhile, the write finishes once it is released.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^serve:/serve:\n  max_connections_per_ip: 16\n  max_connections: 200\n  header_timeout: 2s\n  body_timeout: 2s/' kiln.yaml
"$KILN" check >/dev/null || fail "config"
"$KILN" publish --wait >/dev/null || fail "first build"
TOK=$("$KILN" token create --name slow --role publisher)
PORT=$(free_port)
API=http://127.0.0.1:$PORT
serve_start

# healthz_within SECONDS: /healthz answers 200 within that bound
healthz_within() {
	local code
	code=$(curl -s -o /dev/null -m "$1" -w '%{http_code}' "$API/healthz") || true
	[ "$code" = 200 ]
}
rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/$SERVE/status; }

cat > "$T/slow.py" <<'EOF'
# slow.py MODE PORT N [ARGS]: open N hostile sockets, report, keep or wait
import os, resource, socket, sys, time
mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def sock(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s

def closed(s, bound):
    """the server closed S within BOUND seconds (EOF or reset)"""
    s.settimeout(bound)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False

if mode == "hold":
    # N sockets from 127.0.0.2 with half a header; hold them until the
    # file named by argv[4] exists
    socks = []
    for i in range(n):
        try:
            s = sock("127.0.0.2")
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            pass
    open(sys.argv[5], "w").write("%d\n" % len(socks))
    while not os.path.exists(sys.argv[4]):
        time.sleep(0.05)
elif mode == "trickle":
    # N sockets from N addresses: a header byte now and then; all must be
    # closed by the server within the bound argv[4]
    socks = [sock("127.0.3.%d" % (i + 1)) for i in range(n)]
    for s in socks:
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
    t0 = time.monotonic()
    bound = float(sys.argv[4])
    left = list(socks)
    while left and time.monotonic() - t0 < bound:
        for s in list(left):
            try:
                s.sendall(b"X")
            except OSError:
                left.remove(s)
                continue
            s.settimeout(0.01)
            try:
                if not s.recv(65536):
                    left.remove(s)
            except socket.timeout:
                pass
            except OSError:
                left.remove(s)
        time.sleep(0.2)
    print(len(left))
elif mode == "body":
    # one authenticated request that stalls its body: closed in the bound
    s = sock("127.0.4.1")
    s.sendall(("POST /api/v1/pages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n{\"pa"
               % sys.argv[4]).encode())
    print("closed" if closed(s, float(sys.argv[5])) else "open")
elif mode == "bigbody":
    # N anonymous 15 MB uploads that never finish, each from its own
    # address, with a length (refused at once) or chunked (not buffered)
    chunked = sys.argv[4] == "chunked"
    socks, codes = [], []
    for i in range(n):
        s = sock("127.0.5.%d" % (i + 1))
        head = "POST /api/v1/hooks/build HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += ("Transfer-Encoding: chunked\r\n\r\n" if chunked else
                 "Content-Length: 15728640\r\n\r\n")
        s.sendall(head.encode())
        try:
            for k in range(48):
                data = b"a" * 65536
                s.sendall(b"10000\r\n" + data + b"\r\n" if chunked else data)
        except OSError:
            pass
        socks.append(s)
    for s in socks:
        s.settimeout(5)
        try:
            codes.append(s.recv(64).split(b" ")[1].decode())
        except (OSError, IndexError):
            codes.append("none")
    print(" ".join(sorted(set(codes))))
    open(sys.argv[5], "w").write("sent\n")
    while not os.path.exists(sys.argv[6]):
        time.sleep(0.05)
EOF

# 1. 500 half-open sockets from one address
/usr/bin/python3 "$T/slow.py" hold $PORT 500 "$T/release1" "$T/opened1" &
HOLD=$!
bg_pid $HOLD
for i in $(seq 1 200); do [ -f "$T/opened1" ] && break; sleep 0.1; done
[ -f "$T/opened1" ] || fail "the slow clients never connected"
healthz_within 3 || fail "/healthz unreachable behind 500 half-open sockets"
# the daemon keeps at most max_connections_per_ip of them
for i in $(seq 1 100); do
	n=$(ss -tnH state established "( sport = :$PORT and dst 127.0.0.2 )" | wc -l)
	[ "$n" -le 16 ] && break
	sleep 0.1
done
[ "$n" -le 16 ] || fail "$n connections from one address kept (limit 16)"
touch "$T/release1"
wait $HOLD || true
pass "500 half-open sockets from one address: $n kept, /healthz answers"

# 2. trickled headers and a stalled body are cut off by their timeouts
left=$(/usr/bin/python3 "$T/slow.py" trickle $PORT 40 20)
assert_eq "$left" 0 "trickling clients still connected after 20 s (header_timeout 2s)"
assert_eq "$(/usr/bin/python3 "$T/slow.py" body $PORT 1 "$TOK" 20)" closed "stalled body (body_timeout 2s)"
healthz_within 3 || fail "/healthz after the timeouts"
pass "trickled headers and a stalled body are closed by serve.header_timeout and serve.body_timeout"

# 3. 60 unfinished 15 MB anonymous bodies: never buffered
rss0=$(rss_kb)
for mode in length chunked; do
	rm -f "$T/sent" "$T/release3"
	/usr/bin/python3 "$T/slow.py" bigbody $PORT 60 $mode "$T/sent" "$T/release3" > "$T/codes" &
	BIG=$!
	bg_pid $BIG
	for i in $(seq 1 300); do [ -f "$T/sent" ] && break; sleep 0.1; done
	[ -f "$T/sent" ] || fail "$mode uploads never finished sending"
	rss1=$(rss_kb)
	healthz_within 3 || fail "/healthz during 60 unfinished $mode bodies"
	touch "$T/release3"
	wait $BIG || true
	[ "$mode" = length ] && assert_eq "$(cat "$T/codes")" 413 "bodies over serve.max_anonymous_body refused from Content-Length"
	# 60 x 3 MB sent: buffering them would take 180 MB more; a thread
	# per connection costs about 0.5 MB (1 MB under TSan)
	[ $((rss1 - rss0)) -lt 100000 ] || fail "$mode: RSS grew $((rss1 - rss0)) kB for 60 unfinished anonymous bodies"
	echo "# $mode: RSS $rss0 -> $rss1 kB, answers: $(cat "$T/codes")"
done
pass "60 unfinished 15 MB anonymous bodies: refused or discarded, RSS bounded"

# 4. a write waiting on a SQLite lock blocks nobody else
mkfifo "$T/sqlin"
sqlite3 .kiln/kiln.db < "$T/sqlin" > "$T/sqlout" 2>&1 &
SQL=$!
bg_pid $SQL
exec 7>"$T/sqlin"
echo "BEGIN IMMEDIATE; SELECT 'locked';" >&7
for i in $(seq 1 100); do grep -q locked "$T/sqlout" && break; sleep 0.1; done
grep -q locked "$T/sqlout" || fail "could not take the write lock"
curl -s -o "$T/wbody" -w '%{http_code}' -H "Authorization: Bearer $TOK" -X POST "$API/api/v1/builds" > "$T/wcode" &
W=$!
# the write is in the daemon, waiting on the lock
for i in $(seq 1 100); do
	[ "$(ss -tnH state established "( dport = :$PORT )" | wc -l)" -ge 1 ] && break
	sleep 0.05
done
healthz_within 3 || fail "/healthz waited behind a write blocked on SQLite"
assert_eq "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$API/api/v1/pages")" 200 "a read behind a blocked write"
kill -0 $W 2>/dev/null || fail "the write did not wait for the lock (test invalid)"
echo "COMMIT;" >&7
exec 7>&-
wait $W || true
assert_eq "$(cat "$T/wcode")" 202 "the write once the lock is released"
pass "a write waiting on a SQLite lock: /healthz and reads answer meanwhile"

healthz_within 3 || fail "daemon down at the end"
kill -0 $SERVE || fail "daemon died"
