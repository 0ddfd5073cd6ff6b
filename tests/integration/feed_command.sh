#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_command.sh: a unit built by build.command (issue #17): the command
# gets KILN_UNIT_ID, KILN_UNIT_VERSION, KILN_UNIT_SOURCE and "{out}" (the
# unit's folder in the output); a command that writes nothing under it
# fails the unit, which gets no marker.  `kiln feed` without --once ticks
# until nothing is left, building the units itself while no worker runs;
# the failed unit is reported by email.  Dir target.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/smtp.sh"
smtp_start
cd "$T"
"$KILN" init site >/dev/null
cd site
mkdir -p src/a "src/b c"
printf '%s' '[{"id":"a","version":"1","source":"src/a"},{"id":"b","version":"2","source":"src/b c"},{"id":"none","version":"1","source":"src/a"}]' > units.json
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
sed -i 's|^  # command: .*|  command: "[ $KILN_UNIT_ID = none ] \|\| { mkdir -p {out} \&\& echo \\"<p>$KILN_UNIT_ID $KILN_UNIT_VERSION $KILN_UNIT_SOURCE</p>\\" > {out}/index.html; }"|' kiln.yaml
printf 'feed:\n  list: units.json\n' >> kiln.yaml
printf '  email:\n    smtp: "smtp://127.0.0.1:%s"\n    from: "kiln@example.org"\n    to: ["web-team@example.org"]\n' \
    "$SMTP_PORT" > "$T/notify.yaml"
sed -i "/^notify:/r $T/notify.yaml" kiln.yaml
"$KILN" check >/dev/null || fail "kiln.yaml"
out=$(timeout 20 "$KILN" feed) || fail "kiln feed: $out"
assert_contains "$out" "skipped 2, failed 1" "the last tick"
assert_eq "$(cat .kiln/www/units/a/1/index.html)" "<p>a 1 $T/site/src/a</p>" "unit a: the command's environment"
assert_eq "$(cat .kiln/www/units/b/2/index.html)" "<p>b 2 $T/site/src/b c</p>" "unit b: a source with a space"
assert_eq "$(jq -r '.files[0].path' .kiln/www/units/a/1/.complete)" "units/a/1/index.html" "unit a's marker"
assert_no_file .kiln/www/units/none/1/.complete
assert_contains "$(sqlite3 .kiln/kiln.db "select error from unit_builds where unit_id = 'none'")" \
    "wrote no file under units/none/1/" "a command that wrote nothing"
# the report is sent after the failure is recorded: wait for it
for i in $(seq 1 200); do [ "$(smtp_count)" = 0 ] || break; sleep 0.05; done
assert_eq "$(smtp_count)" 1 "one report"
assert_contains "$(smtp_all)" "Unit none version 1 failed after 1 attempts" "the report names the unit"
pass "units built by build.command"
