#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_https.sh: the approved list and a unit's .tar.gz at https URLs
# (issue #17), served by a real TLS server on 127.0.0.1 (Python's
# http.server behind ssl, with a certificate made here by openssl).
# Without trusting that certificate the tick fails and says why; with
# CURL_CA_BUNDLE naming it, a list that answers 404 falls back to
# feed.fallback_list, and the unit is downloaded, built and marked
# complete.  kiln feed builds the units itself (no worker).  Dir target.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
mkdir www
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
    -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    >/dev/null 2>&1 || fail "openssl: no test certificate"
$PY - "$T/www" <<'PY'
import io, sys, tarfile
def add(t, name, text):
    b = text.encode()
    i = tarfile.TarInfo(name); i.size = len(b)
    t.addfile(i, io.BytesIO(b))
with tarfile.open(sys.argv[1] + "/book.tar.gz", "w:gz") as t:
    add(t, "_index.md", "---\ntitle: Fetched over TLS\n---\nFrom afar.\n")
    add(t, "ch/one.md", "---\ntitle: Chapter one\n---\nText.\n")
PY
PORT=$(free_port)
(cd www && exec $PY -c '
import http.server, ssl, sys
s = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])),
    http.server.SimpleHTTPRequestHandler)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[2], sys.argv[3])
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()' "$PORT" "$T/cert.pem" "$T/key.pem" 2>"$T/https.log") &
bg_pid $!
wait_port "$PORT"
U=https://127.0.0.1:$PORT
printf '[{"id":"book","version":"1","source":"%s/book.tar.gz"}]' "$U" > www/units.json
"$KILN" init site >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
printf 'feed:\n  list: %s/gone.json\n  fallback_list: %s/units.json\n' "$U" "$U" >> kiln.yaml

# a certificate nobody vouches for: the tick fails, naming the URLs
out=$(timeout 120 "$KILN" feed --once 2>&1) && fail "an untrusted server was read: $out"
assert_contains "$out" "$U/gone.json" "the list's URL is named"
assert_contains "$out" "$U/units.json" "the fallback's URL is named"
assert_contains "$out" "certificate" "the reason: the certificate"
assert_no_file .kiln/www/units/book/1/.complete
pass "an untrusted https server is refused with the reason"

# trusted: 404 on the list, the fallback read, the unit fetched and built
out=$(CURL_CA_BUNDLE=$T/cert.pem timeout 120 "$KILN" feed 2>&1) ||
    fail "kiln feed: $out"
assert_contains "$out" "HTTP 404" "the list's 404 is said"
assert_contains "$out" "fallback_list" "the fallback is said"
grep -q 'Fetched over TLS' .kiln/www/units/book/1/index.html ||
    fail "the unit from the https tarball"
assert_file .kiln/www/units/book/1/ch/one/index.html
assert_file .kiln/www/units/book/1/.complete
grep -q '"GET /book.tar.gz' "$T/https.log" || fail "the tarball came from the server"
pass "an https list with its fallback and an https .tar.gz unit"
