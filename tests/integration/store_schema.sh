#!/bin/bash
# SPDX-License-Identifier: ISC
# store_schema.sh: schema versions (decision 0142) on SQLite and
# PostgreSQL: a new store is created current; a store newer than the
# binary is refused and left alone; an older one is refused until
# `kiln store migrate` (SQLite: a backup first), or migrated at open with
# store.auto_migrate; two nodes migrating at once on PostgreSQL migrate
# once; `kiln store status [--json]`.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
cd "$T"
export KILN_USER=tester

"$KILN" init site >/dev/null
cd site
st=$("$KILN" store status --json)
assert_eq "$(jq -c '[.[] | [.component, .version, .latest, .pending]]' <<<"$st")" \
    '[["store",3,3,0],["queue",4,4,0],["users",2,2,0],["units",2,2,0],["deployed",1,1,0]]' "a new store is current"
"$KILN" store status >/dev/null || fail "store status of a current store"
"$KILN" page new a --title A >/dev/null

# ---- newer than this binary: refused, nothing changed ----
sqlite3 .kiln/kiln.db "insert into schema_migrations values('queue', 5, 0)"
sum=$(sqlite3 .kiln/kiln.db .dump | md5sum)
set +e; out=$("$KILN" page new b --title B 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "newer store: exit"
assert_contains "$out" "newer than this kiln (queue version 5, this kiln knows up to 4)" "newer store: message"
set +e; out=$("$KILN" store migrate 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "migrate of a newer store"
assert_contains "$out" "newer than this kiln" "migrate refuses a newer store"
expect_status 1 "$KILN" store status
assert_contains "$("$KILN" store status || true)" "use a newer kiln" "status says so"
assert_eq "$(sqlite3 .kiln/kiln.db .dump | md5sum)" "$sum" "a newer store is not changed"
sqlite3 .kiln/kiln.db "delete from schema_migrations where component='queue' and version = 5"
pass "sqlite: a newer store is refused"

# ---- older: refused until kiln store migrate, backup first ----
downgrade_sqlite() {
	sqlite3 .kiln/kiln.db "delete from schema_migrations where component='queue' and version>=2;
	    alter table tokens drop column expires_at; alter table tokens drop column last_used_at;
	    alter table builds drop column claim; alter table builds drop column staging;
	    alter table build_requests drop column staging;
	    delete from schema_migrations where component='units' and version>=2; drop table unit_shared;
	    delete from schema_migrations where component='store' and version>=3;
	    drop table page_changes; delete from meta where key in ('changes_from', 'store_uid')"
}
downgrade_sqlite
set +e; out=$("$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "older store: exit"
assert_contains "$out" "run \`kiln store migrate\`" "older store: what to do"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from schema_migrations where component='queue'")" 1 \
    "not migrated silently"
assert_eq "$("$KILN" store status --json | jq -c '.[1] | [.version, .pending]')" '[1,3]' "status: pending (queue 2 to 4)"
expect_status 1 "$KILN" store status
"$KILN" store migrate >/dev/null
assert_file .kiln/kiln.db.store-2.queue-1.users-2.units-1.deployed-1.bak
assert_eq "$(sqlite3 .kiln/kiln.db.store-2.queue-1.users-2.units-1.deployed-1.bak "select max(version) from schema_migrations where component='queue'")" 1 \
    "the backup holds the old version"
assert_eq "$(sqlite3 .kiln/kiln.db.store-2.queue-1.users-2.units-1.deployed-1.bak "select count(*) from pages")" 1 "the backup holds the pages"
"$KILN" store status >/dev/null || fail "current after migrate"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from unit_shared")" 0 "units 2: unit_shared is there"
# store 3 (decision 0240): the page changes are whole from the sequence
# at the migration on, and the store has an id of its own
assert_eq "$(sqlite3 .kiln/kiln.db "select (select value from meta where key='changes_from') =
    (select value from meta where key='change_seq'), (select value from meta where key='store_uid') > 0")" "1|1" \
    "store 3: changes_from and store_uid set by the migration"
"$KILN" page new c --title C >/dev/null
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from page_changes p join pages g on g.id = p.page_id
    where g.path = 'c' and p.seq = (select value from meta where key='change_seq')")" 1 "a change is recorded"
"$KILN" token create --name ci --expires 30d >/dev/null
pass "sqlite: an older store waits for kiln store migrate"

# ---- store.auto_migrate: migrated at open, after a backup ----
rm .kiln/kiln.db.store-2.queue-1.users-2.units-1.deployed-1.bak
sqlite3 .kiln/kiln.db "delete from tokens"
downgrade_sqlite
sed -i 's|^store:$|store:\n  auto_migrate: true|' kiln.yaml
"$KILN" page list >/dev/null
assert_file .kiln/kiln.db.store-2.queue-1.users-2.units-1.deployed-1.bak
"$KILN" store status >/dev/null || fail "auto_migrate migrated"
pass "sqlite: auto_migrate"

# ---- PostgreSQL ----
pg_start
cd "$T"
"$KILN" init pgsite >/dev/null
cd pgsite
sed -i "s|^  driver: sqlite .*|  driver: postgres\n  url: \"$PG_URL\"|" kiln.yaml
"$KILN" page new a --title A >/dev/null
assert_eq "$(pg_psql "select count(*) from pages")" 1 "a page in PostgreSQL"
assert_eq "$("$KILN" store status --json | jq -c '[.[].pending]')" '[0,0,0,0,0]' "pg: current"
pg_psql "insert into schema_migrations values('store', 7, 0)"
set +e; out=$("$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "pg: newer store: exit"
assert_contains "$out" "newer than this kiln (store version 7" "pg: newer store refused"
pg_psql "delete from schema_migrations where version = 7"
pg_psql "delete from schema_migrations where component='queue' and version>=2;
    alter table tokens drop column expires_at; alter table tokens drop column last_used_at;
    alter table builds drop column claim; alter table builds drop column staging;
    alter table build_requests drop column staging;
    delete from schema_migrations where component='units' and version>=2; drop table unit_shared;
    delete from schema_migrations where component='store' and version>=3;
    drop table page_changes; delete from meta where key in ('changes_from', 'store_uid')" >/dev/null
set +e; out=$("$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "pg: older store: exit"
assert_contains "$out" "kiln store migrate" "pg: older store refused"
# two nodes at once: both succeed (the advisory lock), one row per version
"$KILN" store migrate > "$T/m1" 2>&1 & p1=$!
"$KILN" store migrate > "$T/m2" 2>&1 & p2=$!
wait $p1 || { cat "$T/m1"; fail "first migrate"; }
wait $p2 || { cat "$T/m2"; fail "second migrate"; }
assert_eq "$(pg_psql "select count(*) from schema_migrations where component='queue' and version>=2")" 3 \
    "pg: migrated once"
assert_eq "$(pg_psql "select count(*) from schema_migrations where component='units' and version=2")" 1 \
    "pg: units 2 (unit_shared) migrated once"
assert_eq "$(pg_psql "select count(*) from unit_shared")" 0 "pg: unit_shared is there"
"$KILN" token create --name ci --expires 30d >/dev/null
"$KILN" store status >/dev/null || fail "pg: current after migrate"
assert_eq "$(pg_psql "select (select value from meta where key='changes_from') =
    (select value from meta where key='change_seq'), (select value from meta where key='store_uid') > 0")" "t|t" \
    "pg: store 3: changes_from and store_uid set by the migration"
pass "postgres: schema versions and two migrating nodes"

# a password in store.url is refused and not repeated
sed -i "s|url: \"postgresql://kiln@|url: \"postgresql://kiln:Sekr1t@|" kiln.yaml
set +e; out=$("$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "password in url: exit"
assert_contains "$out" "store.url: contains a password" "password in url: message"
assert_not_contains "$out" "Sekr1t" "password not echoed"
# store.password_env gives it (PGPASSWORD unset)
sed -i "s|kiln:Sekr1t@|kiln@|" kiln.yaml
sed -i 's|^store:$|store:\n  password_env: KILN_DB_PW|' kiln.yaml
set +e; out=$(env -u PGPASSWORD "$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "password_env unset: exit"
assert_contains "$out" "KILN_DB_PW, which is not set" "password_env unset: message"
set +e; out=$(env -u PGPASSWORD KILN_DB_PW=wrong "$KILN" page list 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "wrong password: exit"
assert_not_contains "$out" "wrong" "wrong password not echoed"
env -u PGPASSWORD KILN_DB_PW="$PGPASSWORD" "$KILN" page list >/dev/null ||
    fail "password from store.password_env"
pass "postgres: passwords"
