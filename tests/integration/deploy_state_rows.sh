#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_state_rows.sh: the deployed state of a destination as rows
# (issues #19 and #16, decision record 0250).  A deploy after a 1-page
# edit writes only the rows that changed (counted by SQLite triggers);
# a deploy that fails half-way leaves its plan and what landed as
# journal rows, and the next deploy folds them and sends only the rest;
# a store written by an older kiln (the deployed manifest as one JSON
# record, a journal with its plan inside) is migrated by the first
# deploy without sending again what the destination holds.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build >/dev/null
"$KILN" deploy --target local >/dev/null 2>&1 || fail "first deploy"
nfiles=$(jq '.files | length' public/.kiln/manifest.json)
id=$("$KILN" deploy --target local --dry-run --json | jq -r '.plan[0].state')
assert_eq "$(db "select count(*) from deployed_files where dest = '$id'")" "$nfiles" \
    "one row per deployed file"
assert_eq "$(db "select count(*) from state where key like 'deploy.manifest.%' or key like 'deploy.journal.%'")" 0 \
    "no whole-manifest record, no journal once in sync"
assert_eq "$(db "select count(*) from deploy_journal")" 0 "no journal rows once in sync"
pass "the deployed state is $nfiles rows"

# 1. a 1-page edit writes the rows that changed, not the whole state
db "create table t_writes(n integer); insert into t_writes values(0);
    create trigger t_i after insert on deployed_files begin update t_writes set n = n + 1; end;
    create trigger t_u after update on deployed_files begin update t_writes set n = n + 1; end;
    create trigger t_d after delete on deployed_files begin update t_writes set n = n + 1; end;"
printf 'Changed.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
changed=$("$KILN" deploy --target local --dry-run --json | jq '[.plan[0].put[]] | length - 1')
"$KILN" deploy --target local >/dev/null 2>&1 || fail "deploy after an edit"
w=$(db "select n from t_writes")
[ "$w" -ge 1 ] && [ "$w" -le "$changed" ] ||
    fail "$w row writes for $changed changed files of $nfiles"
grep -q Changed .kiln/www/about/index.html || fail "the edit was not deployed"
assert_eq "$(db "select count(*) from deployed_files where dest = '$id'")" "$nfiles" "rows after the edit"
assert_eq "$(db "select sha256 from deployed_files where dest = '$id' and path = 'about/index.html'")" \
    "$(jq -r '.files[] | select(.path == "about/index.html") | .sha256' public/.kiln/manifest.json)" \
    "the changed row holds the new checksum"
db "drop trigger t_i; drop trigger t_u; drop trigger t_d; drop table t_writes"
pass "a 1-page edit wrote $w rows of $nfiles"

# 2. a deploy that fails half-way: its journal is rows; the next folds it
printf 'Changed again.\n' > "$T/b.md"
for p in about news/budget-2027 news/park-awards; do
	"$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null
done
"$KILN" build >/dev/null
# a file where the deploy needs a folder: news/* cannot be written
mv .kiln/www/news "$T/news.moved"
printf 'in the way\n' > .kiln/www/news
expect_status 1 "$KILN" deploy --target local
plan=$(db "select count(*) from deploy_journal where dest = '$id' and what = 'plan'")
landed=$(db "select count(*) from deploy_journal where dest = '$id' and what = 'landed'")
[ "$plan" -gt 0 ] && [ "$landed" -gt 0 ] && [ "$landed" -lt "$plan" ] ||
    fail "journal rows after a failed deploy: plan $plan, landed $landed"
assert_eq "$(db "select json_extract(value, '$.plan') is null from state where key = 'deploy.journal.$id'")" 1 \
    "the journal record holds no plan (its rows do)"
assert_eq "$(db "select sha256 from deployed_files where dest = '$id' and path = 'about/index.html'")" \
    "$(manifest_join .kiln/www | jq -r '.files[] | select(.path == "about/index.html") | .sha256')" \
    "rows unchanged by the failed deploy"
rm .kiln/www/news && mv "$T/news.moved" .kiln/www/news
out=$("$KILN" deploy --target local 2>&1) || fail "deploy after the failure: $out"
assert_contains "$out" "the last deploy did not finish: $landed objects arrived" "the journal was folded"
assert_eq "$(db "select count(*) from deploy_journal")" 0 "journal rows gone"
assert_eq "$(db "select count(*) from state where key = 'deploy.journal.$id'")" 0 "journal record gone"
grep -q 'Changed again' .kiln/www/news/park-awards/index.html || fail "the rest was not deployed"
pass "a failed deploy left $plan plan and $landed landed rows; the next folded them"

# 3. a store written by an older kiln: the component is not there, the
# deployed manifest is one JSON record, the journal holds its plan
printf 'Changed a third time.\n' > "$T/b.md"
"$KILN" page edit about --body-file "$T/b.md" --publish >/dev/null
"$KILN" build >/dev/null
manifest_join .kiln/www > "$T/held.json"
db "drop table deployed_files; drop table deploy_journal;
    delete from schema_migrations where component = 'deployed';
    insert into state values('deploy.manifest.$id', readfile('$T/held.json'), 0);
    insert into state values('deploy.journal.$id',
        '{\"manifest\": \"x\", \"plan\": {\"gone.html\": \"put\"}, \"landed\": {}}', 0)"
printf 'left by a killed deploy\n' > .kiln/www/gone.html
expect_status 1 "$KILN" deploy --target local
"$KILN" store migrate >/dev/null
out=$("$KILN" deploy --target local 2>&1) || fail "deploy after the migration: $out"
assert_contains "$out" "moved to its rows ($nfiles files)" "the record became rows"
assert_contains "$out" "0 objects arrived, 1 to check again" "the old journal was folded"
# the edit and kiln's manifest: its head and every shard, as an older
# kiln's state does not say which the folder holds (decision 0370)
nman=$(( $(jq '.shards | length' .kiln/www/.kiln/manifest.json) + 1 ))
assert_contains "$out" "deployed: $(( 1 + nman )) uploaded" "only the edit and kiln's manifest were sent"
manifest_held .kiln/www public
assert_no_file .kiln/www/gone.html
assert_eq "$(db "select count(*) from state where key like 'deploy.manifest.%' or key like 'deploy.journal.%'")" 0 \
    "the old records are gone"
assert_eq "$(db "select count(*) from deployed_files where dest = '$id'")" "$nfiles" "rows after the migration"
out=$("$KILN" deploy --target local 2>&1) || fail "deploy once more"
assert_contains "$out" "nothing changed, nothing sent" "in sync after the migration"
pass "an older kiln's deployed state migrated by the first deploy"
