#!/bin/bash
# SPDX-License-Identifier: ISC
# render_held_outputs.sh: the outputs a running `kiln worker` records
# without looking them up in the standby's record (decision 0430): a
# page whose keys were carried over by the last build too, when the
# standby's record is the one the build before last saved (its id).
# One worker builds once after each change: warm-up edits, a page edited
# and then left alone (its new keys are not in the standby yet: it must
# not be held), the same for term pages (a tag added, a page retitled
# on its term pages), the standby's record removed as a build that died would
# leave it (nothing is in the standby: nothing may be held), and builds
# by another process between the worker's (the standby's record is
# another one).  After each build the site equals a full build by a
# fresh process byte for byte; the build log says how many outputs
# were held.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
# index.json outputs are held too
sed -i 's/^  page_json: false/  page_json: true/' kiln.yaml
grep -q '^  page_json: true' kiln.yaml || fail "page_json not set"
"$KILN" build >/dev/null
"$KILN" worker >"$T/worker.log" 2>&1 &
W=$!
bg_pid $W

LAST=$(db "select coalesce(max(id), 0) from builds")
# build WHAT: the worker has built the change, in one build ($B); the
# outputs it held in $HELD
build() {
	worker_one_build "$1"
	HELD=$("$KILN" builds log "$B" | sed -n 's/.* \([0-9]*\) outputs held.*/\1/p')
	[ -n "$HELD" ] || fail "$1: the build log says nothing of held outputs"
	LAST=$B
}
# check WHAT: the worker's last build equals a full one
check() {
	rm -rf "$T/full"
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $1"
	same_build public "$T/full" ||
	    { head -20 "$T/diff"; fail "$1: the worker's build differs from a full one"; }
	echo "# $1: $HELD outputs held"
}
step() { build "$1"; check "$1"; }
# edit PAGE TEXT: a new body for PAGE, published (one build)
edit() {
	printf '%s\n' "$2" > "$T/b.md"
	"$KILN" page edit "$1" --body-file "$T/b.md" --publish >/dev/null ||
	    fail "edit $1"
}
# the folder the worker's next build writes (the one public does not name)
standby() {
	case "$(readlink public)" in
	*.public.a) echo .public.b ;;
	*) echo .public.a ;;
	esac
}
outputs() { tail -n +3 public/.kiln/outputs | wc -l; }

step "the start"
edit about/contact "Warm-up one."
step "a first edit"
edit about/contact "Warm-up two."
step "a second edit"
[ "$HELD" -gt 0 ] || fail "nothing held after two builds of one worker"
# a page edited, then left alone: the next build carries its keys over,
# but the standby holds its old page
edit guides/pay-council-tax "A new body for council tax."
step "a page edited"
edit about/contact "Warm-up three."
step "the build after a page edited"
[ "$HELD" -gt 0 ] || fail "nothing held in the build after a page edited"
[ "$HELD" -lt "$(outputs)" ] || fail "every output held after a page edited"
grep -q "A new body for council tax" public/guides/pay-council-tax/index.html ||
    fail "the edited page is stale in the build after"
edit about/contact "Warm-up four."
step "held again"
[ "$HELD" -gt 0 ] || fail "nothing held"
# a term page changed (a tag added), then left alone: the same for a
# term page's keys
"$KILN" page edit guides/register-to-vote --tags "voting,held" --publish \
    >/dev/null || fail "tag added"
step "a tag added"
edit about/contact "Warm-up after a tag."
step "the build after a tag added"
grep -q "Register to vote" public/tags/voting/index.html ||
    fail "the term page lacks its page"
grep -q "Register to vote" public/tags/held/index.html ||
    fail "the new term's page lacks its page"
"$KILN" page edit guides/register-to-vote --title "Register to vote today" \
    --publish >/dev/null || fail "retitled"
step "a page retitled on its term pages"
edit about/contact "Warm-up after a title."
step "the build after a page retitled"
grep -q "Register to vote today" public/tags/voting/index.html ||
    fail "the term page is stale in the build after"
# a build that died in the standby leaves it without a record: it is
# started anew, nothing in it may be taken as held
s=$(standby)
[ -f "$s/.kiln/outputs" ] || fail "no record in the standby $s"
rm "$s/.kiln/outputs"
edit about/contact "After the record was removed."
step "the standby without its record"
assert_eq "$HELD" 0 "outputs held with the standby's record removed"
edit about/contact "Warm-up five."
step "the build after"
edit about/contact "Warm-up six."
step "held once more"
[ "$HELD" -gt 0 ] || fail "nothing held after the standby was made anew"
# another process builds between two of the worker's builds (another
# template, so that its outputs differ): the worker's standby then has a
# record the worker did not save, twice in turn
printf '\n<!-- another process -->\n' >> templates/page.mustache
"$KILN" build >/dev/null || fail "the other process's build"
edit about/contact "After another process."
step "after another process's build"
assert_eq "$HELD" 0 "outputs held after another process's build"
edit about/contact "Once more."
step "the second build after another process's"
assert_eq "$HELD" 0 "outputs held in the folder the other process wrote"
edit about/contact "And again."
step "the third build after another process's"
[ "$HELD" -gt 0 ] || fail "nothing held after another process's build"
grep -q "another process" public/guides/register-to-vote/index.html ||
    fail "a held page lacks the other build's template"
kill -TERM $W
wait $W || fail "kiln worker exited $?"
pass "a worker's held outputs give a full build's"
