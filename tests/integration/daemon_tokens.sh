#!/bin/bash
# SPDX-License-Identifier: ISC
# daemon_tokens.sh: API tokens against the real kiln serve.  `kiln token
# list [--json]` shows name, role, created, last used and expiry, never
# the secret; a revoked token and an expired one are refused (401, JSON
# body); last use is recorded; bad input to `kiln token` changes nothing.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
PORT=$(free_port)
API=http://127.0.0.1:$PORT
CI=$("$KILN" token create --name ci --role publisher)
TMP=$("$KILN" token create --name tmp --role editor --expires 1h)
REV=$("$KILN" token create --name rev --role publisher --expires 2099-01-01T00:00:00Z)
start() { serve_start KILN_NOW=${1:-}; }	# start [KILN_NOW]
tokens() { sqlite3 .kiln/kiln.db "select name || ':' || role from tokens order by name" | tr '\n' ' '; }

# 1. the list: every token, never a secret
"$KILN" token list --json > "$T/list.json"
assert_eq "$(jq -r '[.[].name] | join(" ")' "$T/list.json")" "ci rev tmp" "names"
assert_eq "$(jq -r '.[] | select(.name=="rev") | .expires' "$T/list.json")" "2099-01-01T00:00:00Z" "expiry"
assert_eq "$(jq -r '.[] | select(.name=="ci") | "\(.role) \(.last_used) \(.expires)"' "$T/list.json")" "publisher null null" "ci"
[ "$(jq -r '.[] | select(.name=="tmp") | .expires' "$T/list.json")" != null ] || fail "tmp has no expiry"
"$KILN" token list > "$T/list.txt"
assert_contains "$(cat "$T/list.txt")" "LAST USED" "table header"
for t in "$CI" "$TMP" "$REV"; do
	assert_not_contains "$(cat "$T/list.json" "$T/list.txt")" "$t" "a secret in the list"
	# hashed at rest
	assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from tokens where hash = '$t'")" 0 "token stored in clear"
done
pass "token list shows name, role, created, last used, expiry; no secret"

# 2. the daemon: valid tokens work, a revoked one is refused at once
start
assert_eq "$(code -H "Authorization: Bearer $CI" -X POST "$API/api/v1/builds")" 202 "ci"
assert_eq "$(code -H "Authorization: Bearer $REV" -X POST "$API/api/v1/builds")" 202 "rev before revoke"
assert_eq "$(code -H "Authorization: Bearer $TMP" -X POST -d '{"path":"news/t","title":"T"}' "$API/api/v1/pages")" 202 "tmp before expiry"
"$KILN" token revoke rev > "$T/out"
assert_eq "$(cat "$T/out")" "revoked token 'rev'" "revoke output"
assert_eq "$(code -H "Authorization: Bearer $REV" -X POST "$API/api/v1/builds")" 401 "revoked token"
assert_contains "$(jq -r .error "$T/body")" "token" "401 JSON body"
assert_eq "$(code -H "Authorization: Bearer $CI" -X POST "$API/api/v1/builds")" 202 "ci after the revoke"
"$KILN" token list --json > "$T/list.json"
assert_eq "$(jq -r '[.[].name] | join(" ")' "$T/list.json")" "ci tmp" "revoked token gone"
[ "$(jq -r '.[] | select(.name=="ci") | .last_used' "$T/list.json")" != null ] || fail "ci last use not recorded"
[ "$(jq -r '.[] | select(.name=="tmp") | .last_used' "$T/list.json")" != null ] || fail "tmp last use not recorded"
pass "revoked token refused by the running daemon; last use recorded"

# 3. two hours later (the daemon's clock): the 1h token has expired
kill $SERVE; wait $SERVE 2>/dev/null || true
start "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)"
assert_eq "$(code -H "Authorization: Bearer $TMP" -X POST -d '{"path":"news/u","title":"U"}' "$API/api/v1/pages")" 401 "expired token"
assert_contains "$(jq -r .error "$T/body")" "token" "401 JSON body"
assert_eq "$(code -H "Authorization: Bearer $CI" -X POST "$API/api/v1/builds")" 202 "ci still valid"
assert_eq "$(KILN_NOW=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) "$KILN" token list --json | jq -r '.[] | select(.name=="tmp") | .expired')" true "listed as expired"
pass "expired token refused"

# 4. bad input: a clear error, nothing changed
before=$(tokens)
expect_status 1 "$KILN" token create --name x --expires soon 2>"$T/err"
assert_contains "$(cat "$T/err")" "--expires: expected a duration" "bad expiry"
expect_status 1 "$KILN" token create --name x --expires 2020-01-01 2>"$T/err"
assert_contains "$(cat "$T/err")" "expires: the time has passed" "past expiry"
expect_status 1 "$KILN" token create --name x --expires 0s 2>"$T/err"
expect_status 1 "$KILN" token create --name x --role root 2>"$T/err"
assert_contains "$(cat "$T/err")" "role: expected editor, publisher or admin" "bad role"
expect_status 1 "$KILN" token create --name ci 2>"$T/err"
assert_contains "$(cat "$T/err")" "a token named 'ci' exists" "duplicate"
expect_status 1 "$KILN" token revoke nobody 2>"$T/err"
assert_contains "$(cat "$T/err")" "no token named 'nobody'" "unknown token"
expect_status 2 "$KILN" token revoke 2>/dev/null
expect_status 2 "$KILN" token list --bogus 2>/dev/null
expect_status 2 "$KILN" token frob 2>/dev/null
assert_eq "$(tokens)" "$before" "tokens unchanged"
assert_eq "$(code "$API/healthz")" 200 "daemon up"
pass "bad token commands: clear errors, nothing changed"
