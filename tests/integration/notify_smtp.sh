#!/bin/bash
# SPDX-License-Identifier: ISC
# notify_smtp.sh: a build that fails after its retries is reported once by
# email (aiosmtpd) with the build id, the error and the log tail, and no
# secret; a second failure inside remind_every sends nothing; after the
# interval a reminder goes; a later success sends "recovered".  The clock
# moves with KILN_NOW.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/smtp.sh"
smtp_start
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
export KILN_SMTP_SECRET=hunter2-not-in-mail
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
cat > "$T/notify.yaml" <<YAML
  email:
    smtp: "smtp://127.0.0.1:$SMTP_PORT"
    from: "kiln@example.org"
    to: ["web-team@example.org"]
    username: kiln
    password_env: KILN_SMTP_SECRET
YAML
sed -i "/^notify:/r $T/notify.yaml" kiln.yaml
"$KILN" check >/dev/null || fail "notify config"
cp templates/page.mustache "$T/page.ok"
printf '{{#page.title}}unclosed' > templates/page.mustache
expect_status 1 "$KILN" publish --wait
assert_eq "$(smtp_count)" 1 "one report"
mail=$(smtp_all)
assert_contains "$mail" "Subject: [kiln] Riverside Borough Council: broken: build 1 failed" "subject"
assert_contains "$mail" "unclosed section" "error in the mail"
assert_contains "$mail" "Last lines of the build log" "log tail"
assert_contains "$mail" "To: web-team@example.org" "recipient"
assert_not_contains "$mail" "hunter2" "secret"
# the same incident inside remind_every: no new mail
"$KILN" page edit about --title "About us" --publish >/dev/null
expect_status 1 "$KILN" publish --wait
assert_eq "$(smtp_count)" 1 "no flood"
# after remind_every: a reminder
"$KILN" page edit about --title "About us again" --publish >/dev/null
KILN_NOW=2026-11-24T18:00:01Z "$KILN" publish --wait >/dev/null 2>&1 || true
assert_eq "$(smtp_count)" 2 "reminder"
assert_contains "$(smtp_all)" "reminder: build" "reminder subject"
# fixed: recovered
cp "$T/page.ok" templates/page.mustache
"$KILN" page edit about --title "About" --publish >/dev/null
KILN_NOW=2026-11-24T18:05:00Z "$KILN" publish --wait >/dev/null || fail "build after the fix"
assert_eq "$(smtp_count)" 3 "recovered mail"
assert_contains "$(smtp_all)" "recovered: build" "recovered subject"
# nothing more to report
assert_eq "$("$KILN" report)" "0 reports sent" "kiln report"
# a stalled build (started 40 minutes ago, lease lapsed): kiln report
t=$(date -u -d 2026-11-24T18:05:00Z +%s)
sqlite3 .kiln/kiln.db "insert into builds(status, reasons, requested_at, started_at, worker, lease_until, heartbeat_at) values ('running', 'manual', $((t - 2400)), $((t - 2400)), 'gone:1', $((t - 2300)), $((t - 2360)))"
out=$(KILN_NOW=2026-11-24T18:05:00Z "$KILN" report)
assert_eq "$out" "1 report sent" "stalled build reported (singular)"
assert_contains "$(smtp_all)" "stalled: build" "stalled subject"
out=$(KILN_NOW=2026-11-24T18:06:00Z "$KILN" report)
assert_eq "$out" "0 reports sent" "no flood while the incident lasts"
pass "broken build reported once, reminded, recovered"
