#!/bin/bash
# SPDX-License-Identifier: ISC
# log_json.sh: `log.format: json` in kiln.yaml (or the global --log-format
# json) makes kiln serve write one JSON object per line on stderr, every
# line parsed by jq with ts, level, proc and msg; the lines of a build
# carry its fields (build, attempt, phase, target, pages, uploaded,
# duration_ms); secrets in an error kiln logs are redacted there as in
# plain lines; --log-format plain overrides the file.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
PORT=$(free_port)
API=http://127.0.0.1:$PORT
TOK=$("$KILN" token create --name ci --role publisher)
printf 'log:\n  format: json\n' >>kiln.yaml
"$KILN" check >/dev/null || fail "log.format is a valid key"

# every_json FILE: each line is a JSON object with ts, level, proc, msg
every_json() {
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		jq -e 'type == "object" and (.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$"))
		    and (.level | IN("error","warning","info","debug","crit"))
		    and (.proc | type == "string") and (.msg | type == "string")' \
		    <<<"$line" >/dev/null || fail "not a log object (line $n): $line"
	done <"$1"
	[ $n -gt 0 ] || fail "no log lines in $1"
}
serve() {	# serve LOG ARGS...: start kiln serve, wait for its port
	local log=$1; shift
	"$KILN" "$@" serve --listen 127.0.0.1:$PORT >/dev/null 2>"$log" &
	SERVE=$!
	bg_pid $SERVE
	wait_port $PORT
}
stop() {
	kill -TERM $SERVE
	wait $SERVE || fail "kiln serve exited $?"
}

# 1. log.format: json from kiln.yaml; a build's lines carry its fields
serve "$T/a.log"
curl -sf -o /dev/null -H "Authorization: Bearer $TOK" -X POST "$API/api/v1/builds" || fail "build request"
wait_idle
stop
every_json "$T/a.log"
id=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
assert_eq "$(sqlite3 .kiln/kiln.db "select status from builds where id=$id")" succeeded "build"
r=$(jq -c "select(.build == $id and .phase == \"render\" and (.msg | test(\"rendered\")))" "$T/a.log")
[ -n "$r" ] || fail "no render line with build $id: $(cat "$T/a.log")"
jq -e '(.duration_ms | type == "number") and .pages > 0 and .attempt == 1' <<<"$r" >/dev/null ||
    fail "render line fields: $r"
d=$(jq -c "select(.build == $id and .phase == \"deploy\" and (.msg | test(\"deployed\")))" "$T/a.log")
[ -n "$d" ] || fail "no deploy line with build $id"
jq -e '.target == "local" and (.uploaded | type == "number") and (.duration_ms | type == "number")' <<<"$d" >/dev/null ||
    fail "deploy line fields: $d"
jq -se "any(.[]; (.msg | test(\"succeeded\")) and .build == $id and .phase == \"record\")" "$T/a.log" >/dev/null ||
    fail "no succeeded line with build $id, phase record"
# a line after the build names no build: the fields went with it
last=$(tail -1 "$T/a.log")
jq -e 'has("build") | not' <<<"$last" >/dev/null || fail "the stop line carries a build: $last"
pass "log.format json: every line is an object; build lines carry build, phase, target, duration_ms"

# 2. --log-format plain overrides the file
serve "$T/b.log" --log-format plain
stop
if grep -q '^{' "$T/b.log"; then fail "--log-format plain gave JSON: $(cat "$T/b.log")"; fi
grep -q '^kiln serve: running' "$T/b.log" || fail "plain lines: $(cat "$T/b.log")"
pass "--log-format plain overrides log.format"

# 3. secrets are scrubbed in JSON lines; --log-format json works alone.
# A template section named after secrets fails the build, and the error
# kiln logs quotes the section.
sed -i '/^log:$/,$d' kiln.yaml
export KILN_T_HOOK=hook-secret-0123456789
URLPW=url-pass-5555
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
sed -i 's/^serve:/serve:\n  webhook_secret_env: KILN_T_HOOK/' kiln.yaml
"$KILN" check >/dev/null || fail "config with a secret"
cp templates/page.mustache "$T/page.mustache"
printf '{{#https://bob:%s@h.example/%s}}unclosed' "$URLPW" "$KILN_T_HOOK" >templates/page.mustache
prev=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
serve "$T/c.log" --log-format json
curl -sf -o /dev/null -H "Authorization: Bearer $TOK" -X POST "$API/api/v1/builds" || fail "build request"
# a failed build keeps its request pending: wait for its log line
for i in $(seq 1 300); do
	id=$(sqlite3 .kiln/kiln.db "select coalesce(max(id), 0) from builds where id > $prev and status = 'failed'")
	[ "$id" != 0 ] && grep -q "build $id failed" "$T/c.log" && break
	sleep 0.1
done
stop
every_json "$T/c.log"
f=$(jq -c "select(.build == $id and .level == \"error\" and (.msg | test(\"unclosed\")))" "$T/c.log")
[ -n "$f" ] || fail "no failure line for build $id: $(cat "$T/c.log")"
assert_not_contains "$(cat "$T/c.log")" "$URLPW" "URL password in the JSON log"
assert_not_contains "$(cat "$T/c.log")" "$KILN_T_HOOK" "secret in the JSON log"
assert_contains "$f" "https://bob:[redacted]@h.example/" "the failure line is redacted"
cp "$T/page.mustache" templates/page.mustache
pass "secrets are redacted in JSON lines; --log-format json"

# 4. a bad log.format is refused with FILE:LINE and the key
printf 'log:\n  format: xml\n' >>kiln.yaml
expect_status 1 "$KILN" check >"$T/out" 2>"$T/err"
assert_contains "$(cat "$T/err")" "kiln.yaml:" "FILE:LINE"
assert_contains "$(cat "$T/err")" "log.format" "key named"
pass "log.format: xml is refused with FILE:LINE"
