#!/bin/bash
# SPDX-License-Identifier: ISC
# store_copy.sh: kiln store copy SQLite -> PostgreSQL -> SQLite.  Every
# table arrives with the same rows (row counts and SHA-256 per table
# checked by kiln, and here the round trip compared table by table); the
# copy keeps working (the deployed state's rows too, issue #19) (new ids continue after the copied ones); a target
# that is not empty is refused and left alone.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
pg_start
cd "$T"
export KILN_USER=tester
"$KILN" init site --demo >/dev/null
cd site
"$KILN" publish --wait >/dev/null || fail "first build"
"$KILN" token create --name ci --role publisher >/dev/null
"$KILN" page new news/copied --title "Copied é" >/dev/null
pages=$("$KILN" page list --json | jq -c 'sort_by(.path) | map([.path, .status, .title])')

out=$("$KILN" store copy --from .kiln/kiln.db --to "$PG_URL" --json)
assert_eq "$(jq -r '.[] | select(.table=="pages") | .rows' <<<"$out")" \
    "$(sqlite3 .kiln/kiln.db 'select count(*) from pages')" "pages copied"
assert_eq "$(jq length <<<"$out")" 11 "every table verified"
[ "$(sqlite3 .kiln/kiln.db 'select count(*) from deployed_files')" -gt 0 ] ||
    fail "no deployed rows to copy (was the site deployed?)"
assert_eq "$(pg_psql 'select count(*) from deployed_files')" \
    "$(sqlite3 .kiln/kiln.db 'select count(*) from deployed_files')" "deployed rows in PostgreSQL"
assert_eq "$(pg_psql 'select count(*) from revisions')" \
    "$(sqlite3 .kiln/kiln.db 'select count(*) from revisions')" "revisions in PostgreSQL"
assert_eq "$(pg_psql "select value from meta where key='change_seq'")" \
    "$(sqlite3 .kiln/kiln.db "select value from meta where key='change_seq'")" "change sequence"
# a store of its own to a kept snapshot (decision 0240): another
# store_uid, its page changes whole from the copied sequence on
assert_eq "$(pg_psql "select value from meta where key='store_uid'" | grep -cx "$(sqlite3 .kiln/kiln.db "select value from meta where key='store_uid'")")" 0 \
    "the copy has a store_uid of its own"
assert_eq "$(pg_psql "select (select value from meta where key='changes_from') = (select value from meta where key='change_seq')")" t \
    "the copy's page changes start at its sequence"
pass "SQLite -> PostgreSQL, verified"

# the site on PostgreSQL: same pages, and it keeps working
cp -r "$T/site" "$T/pgsite"
cd "$T/pgsite"
sed -i "s|^  driver: sqlite .*|  driver: postgres\n  url: \"$PG_URL\"|" kiln.yaml
assert_eq "$("$KILN" page list --json | jq -c 'sort_by(.path) | map([.path, .status, .title])')" \
    "$pages" "the same pages on PostgreSQL"
"$KILN" page new news/after-copy --title "After" >/dev/null || fail "new page after the copy"
"$KILN" token create --name ci2 >/dev/null || fail "new token after the copy"
pass "the copy works as a store"

# a target that is not empty is refused, unchanged
n=$(pg_psql 'select count(*) from pages')
set +e; out=$("$KILN" store copy --from "$T/site/.kiln/kiln.db" --to "$PG_URL" 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "copy into a non-empty store"
assert_contains "$out" "the target is not empty" "its error"
assert_eq "$(pg_psql 'select count(*) from pages')" "$n" "target unchanged"
pass "a non-empty target is refused"

# and back: PostgreSQL -> a new SQLite file, table by table equal to it
"$KILN" store copy --from "$PG_URL" --to "sqlite:$T/back.db" >/dev/null
for t in pages revisions media audit_log build_requests state builds tokens meta \
    deployed_files deploy_journal; do
	cnt_pg=$(pg_psql "select count(*) from $t")
	cnt_sq=$(sqlite3 "$T/back.db" "select count(*) from $t")
	assert_eq "$cnt_sq" "$cnt_pg" "$t rows back in SQLite"
done
assert_eq "$(sqlite3 "$T/back.db" "select title from revisions r join pages p on p.latest_revision_id = r.id where p.path='news/copied'")" \
    "Copied é" "text survives both ways"
assert_eq "$(sqlite3 "$T/back.db" "select hex(value) from state order by key")" \
    "$(sqlite3 "$T/site/.kiln/kiln.db" "select hex(value) from state order by key")" "state bytes survive both ways"
pass "PostgreSQL -> SQLite, verified"
