#!/bin/bash
# SPDX-License-Identifier: ISC
# render_full_standby.sh: `kiln build --full` renders every output but
# brings the standby up to date against its record, as any build does
# (decision 0350): a file already holding what was rendered is left in
# place (same inode), a changed one is created anew, one the build no
# longer has is removed, one changed by hand is written again; a standby without a record (a build that died)
# is emptied first.  The output equals a full build from nothing.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build --full >/dev/null || fail "first full build"
"$KILN" build --full >/dev/null || fail "second full build"
standby() {	# the slot public does not name
	if [ "$(readlink public)" = .public.a ]; then echo .public.b; else echo .public.a; fi
}
# a second name outside the slot: a file left in place keeps 2 links,
# one unlinked and created anew has 1 (inode numbers may be reused)
hold() { ln "$1" "$T/held-$2"; }
links() { stat -c %h "$1"; }

s=$(standby)
assert_file "$s/.kiln/outputs"
page=$(cd "$s" && find . -path ./.kiln -prune -o -name index.html -print | sed 's|^\./||' | sort | sed -n 3p)
[ -n "$page" ] || fail "no page in the standby"
hold "$s/robots.txt" robots
hold "$s/sitemap.xml" sitemap
"$KILN" page new extra/full-standby --title "Full standby" --publish >/dev/null || fail "page new"
"$KILN" build --full >"$T/out" || fail "full build over a recorded standby"
assert_eq "$(readlink public)" "$s" "the standby was switched in"
assert_contains "$(cat "$T/out")" " 0 reused" "a full build reuses no output"
assert_eq "$(links public/robots.txt)" 2 "an unchanged file was left in place"
assert_file "public/$page"
assert_eq "$(links public/sitemap.xml)" 1 "the changed sitemap was created anew"
cmp -s public/sitemap.xml "$T/held-sitemap" && fail "the sitemap did not change"
assert_contains "$(cat public/extra/full-standby/index.html)" "Full standby" "the new page"
"$KILN" build --full --out "$T/fresh" >/dev/null || fail "full build from nothing"
same_output public "$T/fresh" >"$T/diff" 2>&1 || { head -20 "$T/diff"; fail "full build over a standby differs from one from nothing"; }
pass "a full build leaves files already right in place, rewrites the rest"

# the page goes: its file and folder leave the slot at the next full builds
"$KILN" page unpublish extra/full-standby >/dev/null || fail "unpublish"
"$KILN" build --full >/dev/null || fail "full build after the removal"
"$KILN" build --full >/dev/null || fail "second full build after the removal"
assert_no_file public/extra/full-standby/index.html
assert_no_file ".public.a/extra/full-standby"
assert_no_file ".public.b/extra/full-standby"
rm -rf "$T/fresh" && "$KILN" build --full --out "$T/fresh" >/dev/null || fail "full build from nothing"
same_output public "$T/fresh" >"$T/diff" 2>&1 || { head -20 "$T/diff"; fail "differs after the removal"; }
pass "an output the build no longer has is removed from the slot"

# listed files changed by hand while nothing else changed: one keeping
# its size, one made a symlink to a copy of its bytes; a full build
# writes both again (an incremental one trusts the record)
s=$(standby)
page=$(cd "$s" && find . -path ./.kiln -prune -o -name index.html -print | sed 's|^\./||' | sort | sed -n 3p)
sed -i '0,/html/s//HTML/' "$s/$page"
cmp -s "$s/$page" "public/$page" && fail "the page was not changed by hand"
cp "$s/404.html" "$T/404.copy" && ln -sf "$T/404.copy" "$s/404.html"
"$KILN" build --full >/dev/null || fail "full build over files changed by hand"
[ -L public/404.html ] && fail "a symlink put by hand was left in place"
same_output public "$T/fresh" >"$T/diff" 2>&1 || { head -20 "$T/diff"; fail "a file changed by hand was kept"; }
pass "a full build writes again a listed file changed by hand"

# a standby without its record (a build died while writing it) is
# emptied: a stray file in it does not survive
s=$(standby)
echo stray > "$s/stray.txt"
rm "$s/.kiln/outputs"
rm -f "$T/held-robots" && hold "$s/robots.txt" robots
"$KILN" build --full >/dev/null || fail "full build over a standby without a record"
assert_no_file public/stray.txt
assert_eq "$(links public/robots.txt)" 1 "a file of an unrecorded standby is not kept"
same_output public "$T/fresh" >"$T/diff" 2>&1 || { head -20 "$T/diff"; fail "differs after emptying"; }
pass "a standby without a record is emptied first"
