#!/bin/bash
# SPDX-License-Identifier: ISC
# secrets_scrub.sh: a build whose output and error carry secrets (values
# of known secret variables, a URL with a password) stores and prints them
# redacted: the build log and error in the store, `kiln builds log`,
# `kiln builds show --json`, and kiln's own log lines.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
export PGPASSWORD=pg-pass-4242
export KILN_T_HOOK=hook-secret-0123456789
export KILN_T_SMTP=smtp-pass-9876
URLPW=url-pass-5555
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
sed -i "s|^  # command: .*|  command: 'echo \"aws \$AWS_SECRET_ACCESS_KEY pg \$PGPASSWORD\"; echo \"hook \$KILN_T_HOOK smtp \$KILN_T_SMTP\"; echo \"push https://bob:$URLPW@git.example/x.git\"; exit 3'|" kiln.yaml
sed -i 's/^serve:/serve:\n  webhook_secret_env: KILN_T_HOOK/' kiln.yaml
sed -i 's/^notify:/notify:\n  email:\n    smtp: "smtp:\/\/127.0.0.1:1"\n    from: kiln@example.org\n    to: [ops@example.org]\n    username: kiln\n    password_env: KILN_T_SMTP/' kiln.yaml
"$KILN" check >/dev/null || fail "config"
secrets=("$AWS_SECRET_ACCESS_KEY" "$PGPASSWORD" "$KILN_T_HOOK" "$KILN_T_SMTP" "$URLPW")
no_secret() {	# no_secret TEXT WHERE
	local s
	for s in "${secrets[@]}"; do
		assert_not_contains "$1" "$s" "$2"
	done
}

# 1. the external command prints secrets into the build log
expect_status 1 "$KILN" publish --wait >"$T/out" 2>"$T/err"
id=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
assert_eq "$(sqlite3 .kiln/kiln.db "select status from builds where id=$id")" failed "build failed"
log=$(sqlite3 .kiln/kiln.db "select log from builds where id=$id")
no_secret "$log" "stored log"
assert_contains "$log" "aws [redacted] pg [redacted]" "stored log"
assert_contains "$log" "hook [redacted] smtp [redacted]" "stored log"
assert_contains "$log" "https://bob:[redacted]@git.example/x.git" "stored log"
cli_log=$("$KILN" builds log "$id")
no_secret "$cli_log" "kiln builds log"
assert_contains "$cli_log" "aws [redacted]" "kiln builds log"
no_secret "$("$KILN" builds show "$id" --json)" "kiln builds show --json"
no_secret "$(cat "$T/out" "$T/err")" "kiln publish output"
pass "secrets printed by build.command are redacted in the log"

# 2. an error that carries them: a template section named after them
sed -i 's/^  command: .*//' kiln.yaml
printf '{{#https://bob:%s@h.example/%s}}unclosed' "$URLPW" "$KILN_T_HOOK" > templates/page.mustache
expect_status 1 "$KILN" publish --wait >"$T/out" 2>"$T/err"
id=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
error=$(sqlite3 .kiln/kiln.db "select error from builds where id=$id")
assert_contains "$error" "unclosed section" "the error is stored"
assert_contains "$error" "https://bob:[redacted]@h.example/" "stored error"
no_secret "$error" "stored error"
no_secret "$("$KILN" builds show "$id" --json)" "kiln builds show --json"
no_secret "$("$KILN" builds log "$id")" "kiln builds log"
no_secret "$(cat "$T/out" "$T/err")" "kiln publish output"
pass "secrets in a build error are redacted in the store and the output"

# 3. records stored before scrubbing existed are scrubbed when read
sqlite3 .kiln/kiln.db "update builds set log = log || 'old https://bob:$URLPW@h/ ?token=qtok-77 $PGPASSWORD', error = 'old $KILN_T_HOOK' where id=$id"
secrets+=(qtok-77)
shown=$("$KILN" builds show "$id" --json)
no_secret "$shown" "kiln builds show --json (old record)"
assert_contains "$shown" "old [redacted]" "old error"
shown=$("$KILN" builds log "$id")
no_secret "$shown" "kiln builds log (old record)"
assert_contains "$shown" "?token=[redacted] [redacted]" "old log"
pass "older records are scrubbed when shown"
