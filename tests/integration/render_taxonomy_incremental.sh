#!/bin/bash
# SPDX-License-Identifier: ISC
# render_taxonomy_incremental.sh: issue #15 item 2.  A tag change on one
# page re-renders exactly the outputs it affects: the page, its section
# listing, /tags/, the term pages it left and joined; every other term
# page is reused.  After each change the incremental build equals a full
# build byte for byte; a term no page has any more is gone.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site >/dev/null
cd site
mkdir -p "$T/in/blog"
printf -- '---\ntitle: Blog\n---\n' > "$T/in/blog/_index.md"
for i in 1 2 3 4 5 6; do
	printf -- '---\ntitle: Post %d\ndate: 2026-01-0%dT10:00:00Z\ntags: [common, t%d]\ncategories: [c%d]\n---\nBody %d.\n' \
	    "$i" "$i" "$i" $((i % 2)) "$i" > "$T/in/blog/p$i.md"
done
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "import"
"$KILN" build >/dev/null || fail "first build"
[ -f public/tags/t1/index.html ] && [ -f public/categories/c0/index.html ] || fail "no term pages"

same_as_full() {	# same_as_full WHAT
	rm -rf "$T/full"
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $1"
	same_output public "$T/full" >"$T/diff" 2>&1 || { head -20 "$T/diff"; fail "incremental build differs after $1"; }
}
rendered() { sed -n 's/.*(\([0-9]*\) rendered.*/\1/p' "$T/inc.out"; }

# nothing changed: nothing rendered
"$KILN" build >"$T/inc.out" || fail "unchanged build"
assert_eq "$(rendered)" 0 "outputs rendered by an unchanged build"
pass "an unchanged build renders nothing"

# post 1 leaves t1 and joins t9: its page, /blog/, /tags/, /tags/t9/
# (new), and the lists that hold post 1's summary (which has its tags):
# /tags/common/ and /categories/c1/; /tags/t1/ is gone; /tags/t2/ ...,
# /categories/c0/ and /categories/ are reused

"$KILN" page edit blog/p1 --tags common,t9 --publish >/dev/null || fail "edit"
"$KILN" build >"$T/inc.out" || fail "build after a tag change"
assert_eq "$(rendered)" 6 "outputs rendered after one tag change"
[ -e public/tags/t1 ] && fail "/tags/t1/ still there"
assert_contains "$(cat public/tags/t9/index.html)" "Post 1" "/tags/t9/ lists post 1"
assert_contains "$(cat public/tags/index.html)" "/tags/t9/" "/tags/ lists t9"
same_as_full "a tag change"
pass "a tag change re-renders the affected term pages only"

# a category given as front matter (a param): the same for categories
printf -- '---\ntitle: Post 2\ndate: 2026-01-02T10:00:00Z\ntags: [common, t2]\ncategories: [c1, Extra Things]\n---\nBody 2.\n' > "$T/in/blog/p2.md"
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "re-import"
"$KILN" build >"$T/inc.out" || fail "build after a category change"
[ -f public/categories/extra-things/index.html ] || fail "no /categories/extra-things/"
same_as_full "a category change"
pass "categories from front matter, urlized"

# the home page's title is in every term page's breadcrumbs
printf -- '---\ntitle: Home of posts\n---\nhi\n' > "$T/in/_index.md"
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "import of a home page"
"$KILN" build >"$T/inc.out" || fail "build after a home page"
printf -- '---\ntitle: Renamed home\n---\nhi\n' > "$T/in/_index.md"
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "home retitled"
"$KILN" build >"$T/inc.out" || fail "build after the home's retitle"
assert_contains "$(cat public/tags/t2/index.html)" "Renamed home" "term page breadcrumbs"
same_as_full "the home page's title"
pass "a term page follows the home page's title"

# page_size 2: term pages paginate; still equal to a full build
sed -i 's/^  page_size: 10 /  page_size: 2  /' kiln.yaml
"$KILN" build >"$T/inc.out" || fail "build with page_size 2"
[ -f public/tags/common/page/3/index.html ] || fail "no /tags/common/page/3/"
same_as_full "page_size 2"
pass "term pages paginate"
