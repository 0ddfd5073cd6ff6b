#!/bin/bash
# SPDX-License-Identifier: ISC
# store_backup.sh: the restore drill of docs/service.md.  kiln serve runs
# and a client keeps creating pages through the API; `kiln backup` copies
# the store meanwhile; more pages are written; the backup restored into a
# fresh site holds exactly the pages written before some instant (a
# prefix of the writes, with every page acknowledged before the backup
# started) and builds them.  `kiln restore` refuses a store that holds
# pages without --force, and with --force replaces the store under the
# running daemon, which serves the restored content.  `kiln backup`
# refuses to overwrite a file without --force; a PostgreSQL store gets
# pg_dump advice.
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
serve_start
N=60
: >"$T/written"
# the writer: pages drill/p1..pN in order, each acknowledged (202)
# before the next; $T/written gets i once page i is stored
(
	for i in $(seq 1 $N); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" \
		    -X POST -d "{\"path\":\"drill/p$i\",\"title\":\"Drill $i\",\"body\":\"Page $i.\",\"publish\":true}" \
		    "$API/api/v1/pages")
		[ "$code" = 202 ] || { echo "page $i: $code" >"$T/writer.err"; exit 1; }
		echo "$i" >>"$T/written"
	done
) &
WRITER=$!
bg_pid $WRITER
# wait_written N: until the writer has stored N pages
wait_written() {
	local i
	for i in $(seq 1 600); do
		[ "$(wc -l <"$T/written" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
		[ -e "$T/writer.err" ] && fail "writer: $(cat "$T/writer.err")"
		sleep 0.1
	done
	fail "the writer never stored $1 pages"
}
wait_written 15
acked=$(wc -l <"$T/written")
"$KILN" backup "$T/b.db" >"$T/out" 2>"$T/err" || fail "kiln backup: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "backed up" "backup output"
wait $WRITER || fail "writer: $(cat "$T/writer.err" 2>/dev/null)"
wait_idle
assert_file "$T/b.db"
assert_no_file "$T/b.db-wal"
assert_eq "$(command sqlite3 "$T/b.db" 'pragma integrity_check')" ok "backup integrity"
assert_eq "$(command sqlite3 "$T/b.db" 'pragma journal_mode')" delete "backup is one file"
# a prefix of the writes: drill/p1..pk, k >= what was acknowledged
k=$(command sqlite3 "$T/b.db" "select count(*) from pages where path like 'drill/p%'")
[ "$k" -ge "$acked" ] || fail "backup has $k drill pages, $acked were stored before it"
want=$(seq 1 "$k" | sed 's|^|drill/p|' | sort)
got=$(command sqlite3 "$T/b.db" "select path from pages where path like 'drill/p%'" | sort)
assert_eq "$got" "$want" "the backup holds a prefix of the writes"
[ "$k" -lt $N ] || echo "note: the writer finished before the backup began ($k pages)"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages where path like 'drill/p%'")" $N "the site has every page"
pass "kiln backup while serve writes: a consistent prefix ($k of $N pages, $acked acknowledged)"

# the drill: restore into a fresh folder, same pages as the backup
cd "$T"
"$KILN" init fresh >/dev/null
cd fresh
"$KILN" restore "$T/b.db" >"$T/out" 2>"$T/err" || fail "kiln restore: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "restored" "restore output"
assert_eq "$("$KILN" page list --json | jq -r '.[].path' | sort)" \
    "$(command sqlite3 "$T/b.db" 'select path from pages' | sort)" "restored page list"
assert_eq "$("$KILN" page show drill/p1 --json | jq -r .title)" "Drill 1" "page content"
"$KILN" build >/dev/null || fail "build of the restored site"
out=$(readlink -f public 2>/dev/null || echo public)
assert_file "$out/drill/p$k/index.html"
assert_no_file "$out/drill/p$((k + 1))/index.html"
assert_contains "$(cat "$out/drill/p1/index.html")" "Page 1." "rendered body"
pass "restore drill: a fresh site from the backup has the backup's pages and builds them"

# refused over a store that holds pages; nothing changes
cd "$T/site"
before=$(sqlite3 .kiln/kiln.db "select count(*) from pages")
expect_status 1 "$KILN" restore "$T/b.db" >"$T/out" 2>"$T/err"
assert_contains "$(cat "$T/err")" "give --force" "refusal says how"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages")" "$before" "store unchanged"
pass "kiln restore refuses a store in use without --force"

# --force under the running daemon: it serves the restored store
"$KILN" restore --force "$T/b.db" >/dev/null 2>"$T/err" || fail "restore --force: $(cat "$T/err")"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages where path like 'drill/p%'")" "$k" "restored count"
assert_eq "$(sqlite3 .kiln/kiln.db 'pragma integrity_check')" ok "restored integrity"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$API/healthz")" 200 "daemon alive"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$API/api/v1/pages/by-path/drill/p$N")" 404 "p$N gone for the daemon"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$API/api/v1/pages/by-path/drill/p1")" 200 "p1 there for the daemon"
# and it keeps writing to it
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" -X POST \
    -d '{"path":"drill/after","title":"After","publish":true}' "$API/api/v1/pages")" 202 "write after restore"
kill -0 $SERVE || fail "kiln serve died"
# the restored store is another store to the daemon's kept snapshot
# (decision 0240): a store_uid of its own, so the daemon's next build
# reads every page instead of the changes since the snapshot it kept
assert_eq "$(sqlite3 .kiln/kiln.db "select value from meta where key = 'store_uid'" | grep -cx "$(sqlite3 "$T/b.db" "select value from meta where key = 'store_uid'")")" 0 \
    "the restored store has a store_uid of its own"
pass "kiln restore --force under a running daemon"

# backup refuses to overwrite; --force replaces
expect_status 1 "$KILN" backup "$T/b.db" >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "exists" "backup over a file"
"$KILN" backup --force "$T/b.db" >/dev/null || fail "backup --force"
assert_eq "$(command sqlite3 "$T/b.db" "select count(*) from pages where path = 'drill/after'")" 1 "new backup"
pass "kiln backup refuses an existing file without --force"

# PostgreSQL: advice, no file
cd "$T"
"$KILN" init pg >/dev/null
cd pg
sed -i 's|^  driver: sqlite.*|  driver: postgres\n  url_env: KILN_T_PG|' kiln.yaml
grep -q "url_env: KILN_T_PG" kiln.yaml || fail "test setup: store.driver"
expect_status 1 "$KILN" backup "$T/pg.db" >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "pg_dump --format=custom --file FILE \"\$KILN_T_PG\"" "pg_dump advice"
assert_no_file "$T/pg.db"
expect_status 1 "$KILN" restore "$T/b.db" >/dev/null 2>"$T/err"
assert_contains "$(cat "$T/err")" "pg_restore" "pg_restore advice"
pass "a PostgreSQL store gets pg_dump/pg_restore advice"
