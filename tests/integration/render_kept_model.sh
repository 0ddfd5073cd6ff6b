#!/bin/bash
# SPDX-License-Identifier: ISC
# render_kept_model.sh: the model a running `kiln worker` keeps between
# builds (decision 0360: each page's summary, kept while its snapshot row
# is the same).  One worker builds after each change to a page's summary
# inputs (body without a summary, summary, title, tags, weight, date,
# unpublish and publish, a delete and a new page at the same path in one
# snapshot, with the worker held), after a template change and after a
# new section; after each build its site must equal a full build by a
# fresh process byte for byte, and the worker must have taken most
# summaries from what it kept (its build log says how many).
. "$KILN_SRC/tests/integration/lib.sh"
fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/worker.log" ] && tail -20 "$T/worker.log" >&2
	exit 1
}
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
}
# check WHAT: the worker's last build equals a full one
check() {
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $1"
	same_build public "$T/full" ||
	    { head -20 "$T/diff"; fail "$1: the worker's build differs from a full one"; }
	echo "# $1: $KEPT summaries kept"
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
"$KILN" page edit news/kept-a --summary "Its own summary." --publish >/dev/null
step "summary"
"$KILN" page edit news/kept-a --title "Kept A, retitled" --publish >/dev/null
step "title"
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
printf '\n{{! changed }}<!-- template changed -->\n' >> templates/page.mustache
step "page template"
grep -q "template changed" public/news/kept-a/index.html ||
    fail "the template change is not in the page"
"$KILN" page new garden --title "Garden" --publish >/dev/null
"$KILN" page new garden/roses --title "Roses" --publish >/dev/null
step "new section"
kill -TERM $W
wait $W || fail "kiln worker exited $?"
pass "a worker's kept summaries give the builds a full build gives"
