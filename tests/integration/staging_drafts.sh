#!/bin/bash
# SPDX-License-Identifier: ISC
# staging_drafts.sh: a draft saved queues a staging build (decision
# 0281).  Two dir targets: "local" (production, live content) and
# "stage" (content: latest).  Without a staging target a draft saved
# requests nothing.  With one, a draft saved from the CLI, the API and
# the admin each leads to a staging build: the stage folder shows the
# draft, production is not touched and its target is listed as skipped.
# Coalesced like any other build (the worker held: one running, the
# drafts saved meanwhile wait and are covered by it), and a publish made
# while a staging build runs is not taken as done by it: production
# gets it from its own build.  A staging build that failed and waits for
# its retry never holds a publish back.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
export KILN_USER=tester

# 0. no staging target: a draft saved requests no build
before=$(db "select count(*) from build_requests")
"$KILN" page edit about --title "About NOSTAGEMARK" >/dev/null
assert_eq "$(db "select count(*) from build_requests")" "$before" "no staging target: no request"
pass "without a staging target a draft saved requests nothing"

sed -i 's|^  retry_backoff: 10s .*|  retry_backoff: 1h|' kiln.yaml
sed -i 's|^    path: .kiln/www$|    path: .kiln/www\n  stage:\n    type: dir\n    path: .kiln/stage\n    content: latest|' kiln.yaml
"$KILN" check >/dev/null || fail "config with a staging target"
"$KILN" publish --wait >/dev/null 2>&1 || fail "the first build"
test -f .kiln/stage/about/index.html || fail "the first build did not build staging"
ED=$("$KILN" token create --name ed --role editor)
PUB=$("$KILN" token create --name pub --role publisher)
printf 'editor-pass-1234\n' | "$KILN" user add erin --role editor >/dev/null
printf 'publisher-pass-1234\n' | "$KILN" user add pat --role publisher >/dev/null
HOLD=$T/hold
PORT=$(free_port)
A=http://127.0.0.1:$PORT
serve_start KILN_TEST_HOLD_FILE="$HOLD"
www() { find .kiln/www -type f -printf '%p %T@ %s\n' | sort | sha256sum; }
last() { db "select $1 from builds order by id desc limit 1"; }
PID=$(db "select id from pages where path='news/library-hours'")

# 1. the CLI: a staging build, production untouched
prod=$(www)
id=$(last id)
printf 'Body CLIMARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
assert_eq "$(db "select staging || ' ' || reason from build_requests where build_id is null")" \
    "1 draft saved" "a staging request"
wait_idle
assert_eq "$(db "select count(*) from builds where id > $id")" 1 "one build"
assert_eq "$(last "status || ' ' || staging || ' ' || reasons")" "succeeded 1 draft saved" "a staging build"
assert_contains "$(cat .kiln/stage/news/library-hours/index.html)" "CLIMARK" "staging shows the draft"
assert_not_contains "$(cat .kiln/www/news/library-hours/index.html)" "CLIMARK" "production shows the draft"
assert_eq "$(www)" "$prod" "production's folder touched"
"$KILN" builds show "$(last id)" --json > "$T/b.json"
assert_eq "$(jq -r '[.targets[] | "\(.name):\(.status)"] | join(" ")' "$T/b.json")" \
    "local:skipped stage:deployed" "the build's targets"
assert_contains "$(jq -r '.targets[0].reason' "$T/b.json")" "staging build" "production: why skipped"
assert_eq "$(jq -r .staging "$T/b.json")" true "the record says staging"
assert_contains "$(last log)" "staging stage:" "the log names the staging deploy"
pass "a draft saved from the CLI: a staging build, production untouched"

# 2. the API
assert_eq "$(code -X PUT -H "Authorization: Bearer $ED" -H 'Content-Type: application/json' \
    -d '{"body": "Body APIMARK."}' "$A/api/v1/pages/$PID")" 202 "API edit"
wait_idle
assert_eq "$(last "status || ' ' || staging")" "succeeded 1" "the API's staging build"
assert_contains "$(cat .kiln/stage/news/library-hours/index.html)" "APIMARK" "staging shows the API's draft"
assert_eq "$(www)" "$prod" "production's folder touched"
pass "a draft saved through the API: a staging build"

# 3. the admin's Save draft
jar=$T/jar
curl -s -c "$jar" -b "$jar" -o "$T/login.html" "$A/admin/login"
tok=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/login.html" | head -1 | sed 's/.*value="//; s/"$//')
curl -s -c "$jar" -b "$jar" -o /dev/null "$A/admin/login" --data-urlencode "username=erin" \
    --data-urlencode "password=editor-pass-1234" --data-urlencode "csrf=$tok"
curl -s -c "$jar" -b "$jar" -o "$T/edit.html" "$A/admin/pages/$PID"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/edit.html" | head -1 | sed 's/.*value="//; s/"$//')
rev=$(grep -o 'name="revision" value="[0-9]*"' "$T/edit.html" | sed 's/.*value="//; s/"$//')
assert_eq "$(code -b "$jar" "$A/admin/pages/$PID" --data-urlencode "csrf=$csrf" \
    --data-urlencode "revision=$rev" --data-urlencode "title=Library hours" \
    --data-urlencode "body=Body ADMINMARK." --data-urlencode action=save)" 303 "admin Save draft"
wait_idle
assert_eq "$(last "status || ' ' || staging")" "succeeded 1" "the admin's staging build"
assert_contains "$(cat .kiln/stage/news/library-hours/index.html)" "ADMINMARK" "staging shows the admin's draft"
assert_not_contains "$(cat .kiln/www/news/library-hours/index.html)" "ADMINMARK" "production shows it"
assert_eq "$(www)" "$prod" "production's folder touched"
assert_eq "$(code -b "$jar" "$A/admin/builds")" 200 "the builds table"
assert_contains "$(cat "$T/body")" 'draft saved <span class="badge badge-draft">staging only</span>' \
    "the builds table marks a staging build"
# nothing of production to roll back to
pjar=$T/pjar
curl -s -c "$pjar" -b "$pjar" -o "$T/login.html" "$A/admin/login"
tok=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/login.html" | head -1 | sed 's/.*value="//; s/"$//')
curl -s -c "$pjar" -b "$pjar" -o /dev/null "$A/admin/login" --data-urlencode "username=pat" \
    --data-urlencode "password=publisher-pass-1234" --data-urlencode "csrf=$tok"
sid=$(last id)
assert_eq "$(code -b "$pjar" "$A/admin/builds/$sid")" 200 "a staging build's page"
assert_not_contains "$(cat "$T/body")" "Roll back to this build" "a staging build offers a rollback"
assert_eq "$(code -b "$pjar" "$A/admin/builds/$sid/rollback")" 409 "no rollback to a staging build"
assert_eq "$(code -X POST -H "Authorization: Bearer $PUB" "$A/api/v1/builds/$sid/rollback")" 409 \
    "API: no rollback to a staging build"
assert_contains "$(cat "$T/body")" "deployed the staging targets only" "API: why not"
set +e; out=$("$KILN" builds rollback "$sid" 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "CLI: no rollback to a staging build"
assert_contains "$out" "deployed the staging targets only" "CLI: why not"
assert_eq "$(db "select count(*) from state where key = 'queue.rollback'")" 0 "no rollback was queued"
pass "a draft saved in the admin: a staging build"

# 4. coalesced: one running (held), the drafts saved meanwhile covered by it
id=$(last id)
touch "$HOLD"
printf 'Body HOLD1MARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
wait_db "select count(*) from builds where id > $id and instr(log, 'test hook: held') > 0" 1
assert_eq "$(db "select status || ' ' || staging from builds where id > $id")" "running 1" "the staging build, held"
printf 'Body HOLD2MARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
printf 'Body HOLD3MARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
assert_eq "$(db "select count(*) from builds where id > $id")" 1 "no second build while one runs"
assert_eq "$(db "select count(*) from build_requests where build_id is null")" 3 "three drafts wait"
rm -f "$HOLD"
wait_idle
assert_eq "$(db "select count(*) from builds where id > $id")" 1 "the held build covered the drafts saved meanwhile"
assert_contains "$(cat .kiln/stage/news/library-hours/index.html)" "HOLD3MARK" "staging shows the last draft"
pass "staging builds coalesce like any other"

# 5. a publish while a staging build runs: production gets its own build
id=$(last id)
touch "$HOLD"
printf 'Body HOLD4MARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
wait_db "select count(*) from builds where id > $id and instr(log, 'test hook: held') > 0" 1
assert_eq "$(db "select status || ' ' || staging from builds where id > $id")" "running 1" "held again"
"$KILN" page edit about --title "About PUBMARK" --publish >/dev/null
rm -f "$HOLD"
wait_idle
assert_eq "$(db "select group_concat(status || ' ' || staging, ', ') from (select * from builds where id > $id order by id)")" \
    "succeeded 1, succeeded 0" "the staging build, then a build of production"
assert_contains "$(cat .kiln/www/about/index.html)" "PUBMARK" "production shows the publish"
assert_not_contains "$(cat .kiln/www/news/library-hours/index.html)" "HOLD4MARK" "production shows the draft"
assert_contains "$(cat .kiln/stage/news/library-hours/index.html)" "HOLD4MARK" "staging shows the draft"
pass "a publish during a staging build waits for a build of production"

# 6. the staging target fails: its build waits an hour for the retry,
# and a publish made meanwhile is built at once
id=$(last id)
rm -rf .kiln/stage && echo "not a folder" > .kiln/stage
printf 'Body FAILMARK.\n' > "$T/body.md"
"$KILN" page edit news/library-hours --body-file "$T/body.md" >/dev/null
wait_db "select count(*) from builds where id > $id and status = 'failed'" 1
assert_eq "$(db "select status || ' ' || staging || ' ' || (next_attempt_at > strftime('%s','now') + 600) from builds where id > $id")" \
    "failed 1 1" "the staging build failed and waits for its retry"
"$KILN" page edit about --title "About RETRYMARK" --publish >/dev/null
wait_idle
assert_eq "$(db "select group_concat(status || ' ' || staging || ' ' || attempt, ', ') from (select * from builds where id > $id order by id)")" \
    "failed 1 1, succeeded 0 1" "the publish built at once, a first attempt"
assert_contains "$(cat .kiln/www/about/index.html)" "RETRYMARK" "production shows the publish"
pass "a failed staging build waiting for its retry does not hold a publish back"
