#!/bin/bash
# SPDX-License-Identifier: ISC
# render_kept_model.sh: the model a running `kiln worker` keeps between
# builds (decision 0360: each page's summary, kept while its snapshot row
# is the same; decision 0380: its outputs' keys, carried over while what
# they are made of is the same).  One worker builds after each change to
# a page's summary inputs (body without a summary, summary, title, tags,
# weight, date, unpublish and publish, a delete and a new page at the
# same path in one snapshot, with the worker held), a section's title
# (its pages' breadcrumbs), a page moved to another section, a template
# change, a new section and changes of kiln.yaml (raw HTML allowed, the
# page size, index.json, the taxonomies' order); after each build its
# site must equal a full build by a fresh process byte for byte, and the
# worker must have taken most summaries and most pages' keys from what
# it kept (its build log says how many).
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
HOLD=$T/hold	# while this file exists, a claimed build waits
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build >/dev/null
KILN_TEST_HOLD_FILE=$HOLD "$KILN" worker >"$T/worker.log" 2>&1 &
W=$!
bg_pid $W
# build WHAT: the worker has built everything requested; the last build
# in $B; its summaries kept from the build before in $KEPT
build() {
	worker_built "$1"
	KEPT=$("$KILN" builds log "$B" | sed -n 's/.* \([0-9]*\) summaries kept.*/\1/p')
	CARRIED=$("$KILN" builds log "$B" | sed -n 's/.* \([0-9]*\) pages and [0-9]* term pages carried over.*/\1/p')
}
# edit_carried [terms]: the pages (term pages) carried over by the last
# build that read a changed row (worker_built's own request builds again,
# reading none)
edit_carried() {
	local id c re='\1'
	[ "${1:-}" = terms ] && re='\2'
	for id in $(db "select id from builds where status = 'succeeded' order by id desc limit 4"); do
		c=$("$KILN" builds log "$id" | sed -n "s/.* [1-9][0-9]* page rows read.* \([0-9]*\) pages and \([0-9]*\) term pages carried over.*/$re/p")
		[ -n "$c" ] && { echo "$c"; return; }
	done
	fail "no build read a changed row"
}
# check WHAT: the worker's last build equals a full one
check() {
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $1"
	same_build public "$T/full" ||
	    { head -20 "$T/diff"; fail "$1: the worker's build differs from a full one"; }
	echo "# $1: $KEPT summaries kept, $CARRIED pages carried over"
}
# term_pages: the term pages of the last build (pagination pages too)
term_pages() {
	find public/tags public/categories -mindepth 2 -name index.html | wc -l
}
# reconf WHAT: kiln.yaml changed by sed script WHAT, reloaded by the worker
NCONF=1
reconf() {
	sed -i "$1" kiln.yaml
	NCONF=$((NCONF + 1))
	kill -HUP $W
	for i in $(seq 1 300); do
		grep -q "applied as configuration $NCONF;" "$T/worker.log" &&
		    return 0
		sleep 0.1
	done
	fail "the worker never applied kiln.yaml ($1)"
}
body() { printf '%s\n\nMore text that is not in the excerpt.\n' "$1" > "$T/b.md"; }
step() { build "$1"; check "$1"; }

build "the start"
total=$("$KILN" page list --json | jq '[.[] | select(.status == "live")] | length')
body "The first body of page A."
"$KILN" page new news/kept-a --title "Kept A" --body-file "$T/b.md" \
    --publish >/dev/null
step "new page without a summary"
[ -n "$KEPT" ] || fail "the build log says nothing of kept summaries"
# every page but the new one (and the virtual pages) came from the kept set
[ "$KEPT" -ge "$((total - 2))" ] ||
    fail "only $KEPT of $total summaries kept after a new page"
body "A second body of page A, its excerpt changed."
"$KILN" page edit news/kept-a --body-file "$T/b.md" --publish >/dev/null
step "body of a page without a summary"
grep -q "A second body of page A" public/news/index.html ||
    fail "the section listing shows the old excerpt"
[ -n "$CARRIED" ] || fail "the build log says nothing of pages carried over"
"$KILN" page edit news/kept-a --summary "Its own summary." --publish >/dev/null
step "summary"
"$KILN" page edit news/kept-a --title "Kept A, retitled" --publish >/dev/null
step "title"
grep -q "Kept A, retitled" public/news/index.html ||
    fail "the section listing shows the old title"
"$KILN" page edit news/kept-a --tags "alpha,beta" --publish >/dev/null
step "tags"
"$KILN" page edit news/kept-a --tags "beta" --publish >/dev/null
step "a tag removed"
"$KILN" page edit news/kept-a --weight -5 --publish >/dev/null
step "weight"
"$KILN" page edit news/kept-a --date 2026-11-20T03:04:05Z --publish >/dev/null
step "date"
"$KILN" page edit news/kept-a --weight 0 --publish >/dev/null
step "weight back, the date first"
"$KILN" page unpublish news/kept-a >/dev/null
step "unpublish"
"$KILN" page publish news/kept-a >/dev/null
step "publish again"
# the same path, title and fields, another body, in one snapshot: the
# worker is held between the delete and the new page
touch "$HOLD"
"$KILN" page unpublish news/kept-a >/dev/null
held=$(wait_running)
wait_build_log "$held" "test hook: held"
"$KILN" page delete news/kept-a >/dev/null
body "The body of the page made again at the same path."
"$KILN" page new news/kept-a --title "Kept A, retitled" --body-file "$T/b.md" \
    --date 2026-11-20T03:04:05Z --tags beta --publish >/dev/null
rm "$HOLD"
step "delete and new page at the same path"
grep -q "The body of the page made again" public/news/index.html ||
    fail "the listing shows the deleted page's excerpt"
# pages in no collection (a change of one in a collection changes every
# page's context): their keys are carried over but for the pages whose
# own material changed
"$KILN" page edit guides/report-a-pothole --title "Report a broken light" \
    --publish >/dev/null
step "a child's title"
grep -q "Report a broken light" public/guides/index.html ||
    fail "the section listing shows the child's old title"
# all but the page and its section (its children's summaries changed)
c=$(edit_carried)
[ "$c" -ge "$((total - 1))" ] ||
    fail "only $c of $((total + 1)) pages carried over after a 1-page edit"
# term pages: those showing a changed page are keyed again, the others
# carried over
"$KILN" page edit guides/register-to-vote --tags "voting,alpha" \
    --publish >/dev/null
step "tags of a page in no collection"
"$KILN" page edit guides/register-to-vote --title "Register to vote now" \
    --publish >/dev/null
step "the title of a page with tags"
grep -q "Register to vote now" public/tags/voting/index.html ||
    fail "a term page shows the page's old title"
c=$(edit_carried terms)
[ "$c" -ge "$(($(term_pages) - 2))" ] ||
    fail "only $c of $(term_pages) term pages carried over after a 1-page edit"
"$KILN" page edit guides/register-to-vote --tags "alpha" --publish >/dev/null
step "a tag of a page in no collection removed"
[ ! -e public/tags/voting/index.html ] || fail "a term page of no page left"
"$KILN" page edit guides/register-to-vote --title "Register to vote" \
    --publish >/dev/null
step "the title of a page with a tag, again"
grep -q "Register to vote<" public/tags/alpha/index.html ||
    fail "a term page shows the page's old title"
# a term's count changes, its first pages the same: listed after the
# other page of the term (weight), the page is added, then removed
"$KILN" page edit guides/pay-council-tax --tags "alpha" --weight 5 \
    --publish >/dev/null
step "a second page of a term"
"$KILN" page edit guides/pay-council-tax --tags "" --publish >/dev/null
step "the last page of a term removed from it"
# the home page's title is in every term page's breadcrumbs
"$KILN" page edit / --title "Riverside home" --publish >/dev/null
step "the home page's title"
grep -q "Riverside home" public/tags/alpha/index.html ||
    fail "a term page shows the home page's old title"
# a section's title is in its pages' breadcrumbs (a section below the
# top level: those are in every page's context, site.sections)
"$KILN" page new guides/parking --title "Parking" --publish >/dev/null
"$KILN" page new guides/parking/permits --title "Permits" --publish >/dev/null
step "a section below a section"
"$KILN" page edit guides/parking --title "Parking and permits" \
    --publish >/dev/null
step "a section's title"
grep -q "Parking and permits" public/guides/parking/permits/index.html ||
    fail "a page of the section shows its old title"
c=$(edit_carried)
[ "$c" -ge "$((total - 1))" ] ||
    fail "only $c pages carried over after a section's title"
# a page moved: another section's child, in one snapshot
touch "$HOLD"
"$KILN" page unpublish about/accessibility >/dev/null
held=$(wait_running)
wait_build_log "$held" "test hook: held"
"$KILN" page new guides/accessibility --title "Accessibility, moved" \
    --body-file "$T/b.md" --publish >/dev/null
rm "$HOLD"
step "a page moved to another section"
grep -q "Accessibility, moved" public/guides/index.html ||
    fail "the new section does not list the moved page"
! grep -q "Accessibility" public/about/index.html ||
    fail "the old section still lists the moved page"
printf '\n{{! changed }}<!-- template changed -->\n' >> templates/page.mustache
step "page template"
grep -q "template changed" public/guides/accessibility/index.html ||
    fail "the template change is not in the page"
"$KILN" page new garden --title "Garden" --publish >/dev/null
"$KILN" page new garden/roses --title "Roses" --publish >/dev/null
step "new section"
# kiln.yaml: the page keys' global inputs
printf 'Raw <b class="raw-html">HTML</b> here.\n' > "$T/b.md"
"$KILN" page new garden/raw --title "Raw" --body-file "$T/b.md" \
    --publish >/dev/null
step "a page with raw HTML"
reconf 's/^  unsafe_html: false/  unsafe_html: true/'
step "raw HTML allowed"
grep -q 'class="raw-html"' public/garden/raw/index.html ||
    fail "the page with raw HTML was not rendered again"
reconf 's/^  page_size: 10 /  page_size: 3 /'
step "page size"
reconf 's/^  page_json: false/  page_json: true/'
step "index.json"
"$KILN" page edit garden/roses --title "Roses, red" --publish >/dev/null
step "index.json of an edited page"
c=$(edit_carried)
[ "$c" -ge "$((total - 1))" ] ||
    fail "only $c pages carried over with index.json"
# the taxonomies in another order: the terms each entry kept (decision
# 0430) are of the taxonomies they were read for, not these
reconf '$a taxonomies: [categories, tags]'
step "taxonomies in another order"
"$KILN" page edit guides/register-to-vote --tags "voting,reordered" \
    --publish >/dev/null
step "a tag added with the taxonomies reordered"
kill -TERM $W
wait $W || fail "kiln worker exited $?"
pass "a worker's kept summaries give the builds a full build gives"
