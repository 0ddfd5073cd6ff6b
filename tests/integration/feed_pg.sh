#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_pg.sh: unit builds shared by two hosts through one PostgreSQL store
# (issue #17): two site folders (two "hosts"), one kiln worker each with
# feed.concurrency 2.  Host A holds its first units (KILN_TEST_HOLD_FILE)
# while host B builds the rest; released, A finishes its own.  Every unit
# is built once, by one of the two, and marked in the shared bucket.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
pg_start
s3_start www
cd "$T"
"$KILN" init a >/dev/null
cd a
pg_use_store
s3_add_target
sed -i '/^  local:$/,/^    path: .kiln\/www$/d' kiln.yaml
printf 'feed:\n  list: units.json\n  max_per_tick: 100\n  concurrency: 2\n' >> kiln.yaml
entries=""
for i in 1 2 3 4 5 6 7 8; do
	mkdir -p "$T/src/u$i"
	printf -- '---\ntitle: Unit %s\n---\nText.\n' "$i" > "$T/src/u$i/_index.md"
	entries="$entries${entries:+,}{\"id\":\"u$i\",\"version\":\"1\",\"source\":\"$T/src/u$i\"}"
done
printf '[%s]\n' "$entries" > units.json
"$KILN" check >/dev/null || fail "config"
cd "$T"
cp -r a b
q() { pg_psql "$1"; }
touch "$T/hold"
(cd a && KILN_TEST_HOLD_FILE=$T/hold exec "$KILN" worker >"$T/a.log" 2>&1) & A=$!; bg_pid $A
cd a
"$KILN" feed --once >/dev/null
# A's two threads hold a unit each, rendered, before their deploy
for i in $(seq 1 600); do
	[ "$(grep -c 'test hook: held' "$T/a.log")" = 2 ] && break
	sleep 0.1
done
assert_eq "$(grep -c 'test hook: held' "$T/a.log")" 2 "host A holds two units"
(cd "$T/b" && exec "$KILN" worker >"$T/b.log" 2>&1) & B=$!; bg_pid $B
for i in $(seq 1 1200); do
	[ "$(q "select count(*) from unit_builds where status = 'succeeded'")" = 6 ] && break
	sleep 0.1
done
assert_eq "$(q "select count(*) from unit_builds where status = 'succeeded'")" 6 "host B built the other six"
assert_eq "$(q "select count(*) from unit_builds where status = 'running'")" 2 "A's two still running"
rm -f "$T/hold"
for i in $(seq 1 1200); do
	[ "$(q "select count(*) from unit_builds where status = 'succeeded'")" = 8 ] && break
	sleep 0.1
done
assert_eq "$(q "select count(*) from unit_builds where status = 'succeeded' and attempt = 1")" 8 "each unit built once"
assert_eq "$(q "select count(distinct worker) from unit_builds")" 2 "two worker processes"
assert_eq "$(aws_s3 s3 ls s3://www/units/ --recursive | grep -c '/.complete$')" 8 "8 markers"
out=$("$KILN" feed --once)
assert_contains "$out" "queued 0, built 8, skipped 8," "nothing left"
pass "unit builds shared by two hosts through PostgreSQL"
