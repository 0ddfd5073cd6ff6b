#!/bin/bash
# SPDX-License-Identifier: ISC
# notify_stall_fail.sh: a build that stalls and later fails is reported
# twice: "stalled" by kiln report, then "broken: build N failed" when a
# worker takes the lapsed build over and it fails (issue #12 §4).  The
# open stall incident used to swallow the failure report until
# remind_every had passed.  The clock moves with KILN_NOW; aiosmtpd
# receives the mail.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/smtp.sh"
smtp_start
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
cat > "$T/notify.yaml" <<YAML
  email:
    smtp: "smtp://127.0.0.1:$SMTP_PORT"
    from: "kiln@example.org"
    to: ["web-team@example.org"]
YAML
sed -i "/^notify:/r $T/notify.yaml" kiln.yaml
"$KILN" check >/dev/null || fail "notify config"
"$KILN" publish --wait >/dev/null || fail "first build"
# a build that started 40 minutes ago and whose worker is gone
t=$(date -u -d "$KILN_NOW" +%s)
"$KILN" page edit about --title "About us" --publish >/dev/null
sqlite3 .kiln/kiln.db "insert into builds(status, reasons, requested_at, started_at, worker, lease_until, heartbeat_at) values ('running', 'manual', $((t - 2400)), $((t - 2400)), 'gone:1', $((t - 2300)), $((t - 2360)))"
id=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
assert_eq "$("$KILN" report)" "1 report sent" "stall reported"
assert_eq "$(smtp_count)" 1 "one mail"
assert_contains "$(smtp_all)" "stalled: build $id" "stalled subject"
# it then fails (a broken template), a minute later: reported as failed
printf '{{#page.title}}unclosed' > templates/page.mustache
KILN_NOW=2026-11-24T12:01:00Z "$KILN" publish --wait >/dev/null 2>&1 && fail "build should fail"
assert_eq "$(smtp_count)" 2 "the failure is mailed too"
assert_contains "$(smtp_all)" "broken: build" "failure subject"
assert_contains "$(smtp_all)" "unclosed section" "error in the mail"
# the incident is now a failure: a further failure waits for a reminder
KILN_NOW=2026-11-24T12:02:00Z "$KILN" publish --wait >/dev/null 2>&1 || true
assert_eq "$(smtp_count)" 2 "no flood"
pass "a build that stalls and later fails is reported as failed"
