#!/bin/bash
# SPDX-License-Identifier: ISC
# daemon_reload.sh: SIGHUP reloads kiln.yaml in a running kiln serve.  A
# good file is applied from the next build (a changed site title and a
# new target show up) and the log names the changed top-level keys; a
# file with errors is refused with its FILE:LINE errors and the old
# configuration stays; a changed store is refused (it needs a restart); a
# changed serve section is reported as needing a restart; the daemon
# stays up throughout and stops cleanly on SIGTERM.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
PORT=$(free_port)
API=http://127.0.0.1:$PORT
TOK=$("$KILN" token create --name ci --role publisher)
auth=(-H "Authorization: Bearer $TOK")
# settitle TITLE: the site's title (the first "  title:" line: site comes first)
settitle() { sed -i "0,/^  title: .*/s//  title: \"$1\"/" kiln.yaml; }
settitle "First Title"
"$KILN" check >/dev/null || fail "config"
"$KILN" publish --wait >/dev/null || fail "first build"
serve_start
build() {	# request a build and wait for it
	assert_eq "$(code "${auth[@]}" -X POST "$API/api/v1/builds")" 202 "build request"
	wait_idle
}
# wait_log N TEXT: until the daemon's log holds TEXT at least N times
wait_log() {
	local i
	for i in $(seq 1 300); do
		[ "$(grep -cF -- "$2" "$T/serve.log")" -ge "$1" ] && return 0
		kill -0 $SERVE 2>/dev/null || fail "kiln serve died: $(tail -5 "$T/serve.log")"
		sleep 0.1
	done
	fail "the log never said '$2' ($1 times): $(tail -5 "$T/serve.log")"
}
alive() {
	kill -0 $SERVE 2>/dev/null || fail "kiln serve died"
	assert_eq "$(code "$API/healthz")" 200 "healthz"
}
build
assert_contains "$(cat .kiln/www/index.html)" "First Title" "first title"

# 1. a good file: applied from the next build, changed keys logged
settitle "Reloaded Title"
sed -i 's|^    path: .kiln/www$|    path: .kiln/www\n  extra:\n    type: dir\n    path: .kiln/extra|' kiln.yaml
"$KILN" check >/dev/null || fail "the new kiln.yaml is valid"
kill -HUP $SERVE
wait_log 1 "reload: kiln.yaml applied as configuration 2; changed: site, targets"
alive
build
assert_contains "$(cat .kiln/www/index.html)" "Reloaded Title" "new title in the next build"
assert_file .kiln/extra/index.html
assert_contains "$(cat .kiln/extra/index.html)" "Reloaded Title" "new target"
pass "SIGHUP applied a new title and a new target; changed keys logged"

# 2. a file with errors: refused with FILE:LINE, the old config stays
cp kiln.yaml "$T/kiln.yaml.good"
settitle "Bad Title"
sed -i 's/^  page_size: 10 .*/  page_size: many/' kiln.yaml
grep -q 'page_size: many' kiln.yaml || fail "test setup: page_size"
kill -HUP $SERVE
wait_log 1 "reload refused, the old configuration stays: kiln.yaml:"
assert_contains "$(grep 'reload refused' "$T/serve.log")" "build.page_size" "the key is named"
alive
build
assert_contains "$(cat .kiln/www/index.html)" "Reloaded Title" "old configuration kept"
assert_not_contains "$(cat .kiln/www/index.html)" "Bad Title" "bad file not applied"
pass "a kiln.yaml with errors is refused with FILE:LINE; the old one stays"

# 3. the store cannot change without a restart: refused
cp "$T/kiln.yaml.good" kiln.yaml
settitle "Store Moved"
sed -i 's|^  path: .kiln/kiln.db|  path: .kiln/other.db|' kiln.yaml
kill -HUP $SERVE
wait_log 1 "store changed (changed: site, store); it needs a restart"
alive
build
assert_contains "$(cat .kiln/www/index.html)" "Reloaded Title" "store change refused as a whole"
assert_no_file .kiln/other.db
pass "a changed store is refused: it needs a restart"

# 4. serve: applied except the HTTP server's settings (restart); unchanged
cp "$T/kiln.yaml.good" kiln.yaml
settitle "Third Title"
sed -i 's/^  listen: .*/  listen: "127.0.0.1:1"/' kiln.yaml
kill -HUP $SERVE
wait_log 1 "applied as configuration 3; changed: site, serve"
wait_log 1 "reload: serve changed: it needs a restart"
alive
build
assert_contains "$(cat .kiln/www/index.html)" "Third Title" "title applied"
kill -HUP $SERVE
wait_log 1 "reload: kiln.yaml unchanged"
alive
pass "serve changes need a restart; the rest applies; an unchanged file is noted"

# 5. many reloads while builds run: no crash, the last file wins
for i in 1 2 3 4 5; do
	settitle "Title $i"
	kill -HUP $SERVE
	wait_log "$((2 + i))" "applied as configuration"
	curl -s -o /dev/null "${auth[@]}" -X POST "$API/api/v1/builds"
done
wait_idle
build
assert_contains "$(cat .kiln/www/index.html)" "Title 5" "last reload wins"
alive
pass "repeated reloads during builds"

# 6. SIGTERM still stops it cleanly
kill $SERVE
wait $SERVE; rc=$?
assert_eq "$rc" 0 "exit status after SIGTERM"
pass "graceful stop after reloads"

# 7. `kiln worker` alone reloads the same way
"$KILN" worker >"$T/worker.log" 2>&1 &
WORKER=$!
bg_pid $WORKER
# it has read kiln.yaml and set its signal handlers once it says it runs
for i in $(seq 1 300); do
	grep -q "^kiln worker: running: SIGHUP reloads" "$T/worker.log" && break
	sleep 0.1
done
settitle "Worker Title"
kill -HUP $WORKER
for i in $(seq 1 300); do
	grep -q "reload: kiln.yaml applied as configuration 2; changed: site" "$T/worker.log" && break
	sleep 0.1
done
grep -q "reload: kiln.yaml applied as configuration 2; changed: site" "$T/worker.log" ||
    fail "kiln worker did not reload: $(tail -5 "$T/worker.log")"
"$KILN" publish >/dev/null
wait_idle
assert_contains "$(cat .kiln/www/index.html)" "Worker Title" "kiln worker uses the reloaded title"
kill $WORKER
wait $WORKER; rc=$?
assert_eq "$rc" 0 "kiln worker exit status after SIGTERM"
pass "kiln worker reloads on SIGHUP"
