#!/bin/bash
# SPDX-License-Identifier: ISC
# admin_fields.sh: site-declared page fields in the web admin (issue #14,
# kiln.yaml admin.fields): a bad declaration is refused with file:line;
# the fields appear in the create and edit forms; a missing required
# field, a bad date, a value not among a select's options are refused
# with the field named and nothing stored; good values go into the
# page's params, come back in the edit form, and the site's templates
# show them on the published page.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
admin_site
cp kiln.yaml "$T/good.yaml"
printf 'admin:\n  fields:\n    - name: title\n    - name: kind\n      type: select\n' >> kiln.yaml
expect_status 1 "$KILN" check
out=$("$KILN" check 2>&1 || true)
assert_contains "$out" "kiln.yaml:" "file:line"
assert_contains "$out" "admin.fields[0].name: 'title' is one of the editor's own fields" "a built-in name"
assert_contains "$out" "admin.fields[1].options: is required for type select" "select without options"
cp "$T/good.yaml" kiln.yaml
cat >> kiln.yaml <<'Y'
admin:
  fields:
    - name: event_date
      label: Event date
      type: date
      required: true
    - name: location
      label: Where
    - name: audience
      label: Audience
      type: select
      options: [residents, businesses]
    - name: notes
      type: textarea
Y
"$KILN" check >/dev/null
echo 'pub-secret-1' | "$KILN" user add alice --role publisher >/dev/null
"$KILN" publish --wait >/dev/null
PORT=$(free_port)
A=http://127.0.0.1:$PORT
"$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
bg_pid $!
wait_port $PORT
req() {
	code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -b "$T/jar" -c "$T/jar" "$@")
}
hdr() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
req "$A/admin/login"
t=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/b" | sed 's/.*value="//; s/"$//')
req "$A/admin/login" --data "username=alice&password=pub-secret-1&csrf=$t"
req "$A/admin/pages/new"
C=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/b" | tail -1 | sed 's/.*value="//; s/"$//')
assert_contains "$(cat "$T/b")" '<label for="x-event_date">Event date <small>(required)</small></label>' "a labelled date field"
assert_contains "$(cat "$T/b")" 'name="event_date" type="date"' "type date"
assert_contains "$(cat "$T/b")" '<select id="x-audience" name="audience">' "a select"
assert_contains "$(cat "$T/b")" '<option>businesses</option>' "its options"
assert_contains "$(cat "$T/b")" '<textarea id="x-notes" name="notes"' "a textarea"
pass "the site's fields are in the create form"

n=$(db "select count(*) from pages")
post() { req "$A/admin/pages/new" --data-urlencode "csrf=$C" --data "path=events/fair&title=Fair&body=Come&action=save" "$@"; }
post --data "location=Hall"
assert_eq "$code" 400 "a required field missing"
assert_contains "$(cat "$T/b")" "event_date: Event date is required" "names the field"
assert_contains "$(cat "$T/b")" 'value="Hall"' "keeps what was typed"
post --data "event_date=2026-13-45"
assert_eq "$code" 400 "a bad date"
assert_contains "$(cat "$T/b")" "event_date: Event date: expected a date" "says why"
post --data "event_date=2026-12-24&audience=aliens"
assert_eq "$code" 400 "not an option"
assert_contains "$(cat "$T/b")" "audience: Audience: not one of the choices" "says why"
post --data-urlencode "event_date=2026-12-24" --data-urlencode "location=Town
hall"
assert_eq "$code" 400 "a line break in a text field"
assert_eq "$(db "select count(*) from pages")" "$n" "nothing stored"
pass "missing, bad and unknown values refused, the field named, nothing stored"

post --data "event_date=2026-12-24&location=Town+hall&audience=residents&notes=Bring+a+hat"
assert_eq "$code" 303 "created"
ID=$(db "select id from pages where path='events/fair'")
assert_eq "$(db "select extra from revisions where id=(select latest_revision_id from pages where id=$ID)" | jq -cS .)" \
    '{"audience":"residents","event_date":"2026-12-24","location":"Town hall","notes":"Bring a hat"}' "kept in params"
req "$A/admin/pages/$ID"
assert_contains "$(cat "$T/b")" 'name="location" value="Town hall"' "back in the edit form"
assert_contains "$(cat "$T/b")" '<option selected>residents</option>' "the choice selected"
R=$(grep -o 'name="revision" value="[0-9]*"' "$T/b" | sed 's/.*value="//; s/"$//')
req "$A/admin/pages/$ID" --data-urlencode "csrf=$C" --data "revision=$R&title=Fair&body=Come&event_date=2026-12-24&location=Town+hall&audience=&action=publish"
assert_eq "$code" 303 "published"
assert_eq "$(db "select extra from revisions where id=(select latest_revision_id from pages where id=$ID)" | jq -cS .)" \
    '{"event_date":"2026-12-24","location":"Town hall"}' "emptied fields leave params"
wait_idle
assert_contains "$(cat .kiln/www/events/fair/index.html)" "Town hall" "the template shows params.location"
assert_contains "$(cat .kiln/www/events/fair/index.html)" "2026-12-24" "and params.event_date"
pass "values kept in params, shown again in the editor, used by the templates"
