#!/bin/bash
# SPDX-License-Identifier: ISC
# render_kept_outputs.sh: the manifest entries and record lines a running
# `kiln worker` keeps between builds (decision 0390).  One worker builds
# after each kind of change to its outputs: a body changed (new size),
# a body of the same size (only the SHA-256 changes), a new page (a path
# merged into the kept order), a page moved (its redirect's target
# changes), a page taken down (an output removed), a page deleted and
# made again at another path in one snapshot (renamed), a static file
# changed (a fingerprinted path replaced), and a build by another process
# between two of the worker's (its record must be read, not the memo).
# After each: the site, the record and the manifest (its bytes, but for
# the build id) equal a full build's by a fresh process, the worker's
# changes.json applied to the manifest before gives the new one, and the
# worker took most entries from what it kept (its build log says how
# many).
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
HOLD=$T/hold	# while this file exists, a claimed build waits
"$KILN" init site >/dev/null
cd site
mkdir -p "$T/in/news"
printf -- '---\ntitle: Home\n---\nhi\n' > "$T/in/_index.md"
printf -- '---\ntitle: A\naliases: [/old/a/, a-old.html]\n---\na\n' \
    > "$T/in/news/a.md"
for p in b c d e f; do
	printf -- '---\ntitle: %s\n---\nThe body of %s.\n' "$p" "$p" \
	    > "$T/in/news/$p.md"
done
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "import"
"$KILN" build >/dev/null || fail "first build"
KILN_TEST_HOLD_FILE=$HOLD "$KILN" worker >"$T/worker.log" 2>&1 &
W=$!
bg_pid $W

# the manifest without its build id
bare() { sed '1s/"build":"[^"]*"/"build":""/' "$1"; }
# before: the live output's manifest and id (for changes_apply), and the
# last build's id
before() {
	cp public/.kiln/manifest.json "$T/old.json"
	OLD_ID=$(sed -n '2s/^id //p' public/.kiln/outputs)
	LAST=$(db "select coalesce(max(id), 0) from builds")
}
# build WHAT: the worker has built the change (one build, asked for by
# the change or else here); it in $B; the entries it kept in $KEPT, of
# $FILES
build() {
	worker_one_build "$1"
	set -- $("$KILN" builds log "$B" |
	    sed -n 's/.* \([0-9]*\) of \([0-9]*\) manifest entries kept.*/\1 \2/p')
	KEPT=${1:-}
	FILES=${2:-}
}
# check WHAT: the worker's last build equals a full one, and its changes
# lead from the manifest before to its own
check() {
	rm -rf "$T/full"
	"$KILN" build --full --out "$T/full" >/dev/null ||
	    fail "full build after $1"
	same_build public "$T/full" ||
	    { head -20 "$T/diff"; fail "$1: the worker's build differs from a full one"; }
	cmp -s <(bare public/.kiln/manifest.json) <(bare "$T/full/.kiln/manifest.json") ||
	    fail "$1: the manifest's bytes differ from a full build's"
	changes_apply "$T/old.json" "$OLD_ID" public
	echo "# $1: $KEPT of $FILES entries kept"
}
# step WHAT: build and check; at most CHANGED entries made anew
step() {
	build "$1"
	check "$1"
	[ -n "$KEPT" ] || fail "$1: the build log says nothing of kept entries"
	[ "$KEPT" -ge "$((FILES - $2))" ] ||
	    fail "$1: only $KEPT of $FILES entries kept"
}
body() { printf '%s\n' "$1" > "$T/b.md"; }

before
build "the start"
check "the start"
before
printf -- '---\ntitle: A\nurl: /articles/a/\naliases: [/old/a/]\n---\na\n' \
    > "$T/in/news/a.md"
"$KILN" import "$T/in" --prune >/dev/null 2>&1 || fail "re-import"
step "a page moved" 100000
assert_eq "$(jq -r '.files[] | select(.path == "old/a/index.html") | .redirect' public/.kiln/manifest.json)" \
    "/articles/a/" "the moved page's redirect"
before
body "A longer body of page b, which makes its page longer."
"$KILN" page edit news/b --body-file "$T/b.md" --publish >/dev/null
step "a body changed" 6
# the same length: only the SHA-256 of the page tells it apart
sz=$(jq '.files[] | select(.path == "news/b/index.html") | .size' public/.kiln/manifest.json)
before
body "A longer body of page B, which makes its page longer."
"$KILN" page edit news/b --body-file "$T/b.md" --publish >/dev/null
step "a body of the same size" 6
assert_eq "$(jq '.files[] | select(.path == "news/b/index.html") | .size' public/.kiln/manifest.json)" \
    "$sz" "the page's size after a body of the same size"
before
body "A new page."
"$KILN" page new news/bb --title "BB" --body-file "$T/b.md" --publish >/dev/null
step "a new page" 8
before
"$KILN" page unpublish news/c >/dev/null
step "a page taken down" 8
assert_eq "$(jq '[.files[] | select(.path == "news/c/index.html")] | length' public/.kiln/manifest.json)" \
    0 "the taken down page's entry"
# deleted and made again at another path, with the same body, in one
# snapshot: the worker is held between the two
before
touch "$HOLD"
"$KILN" page unpublish news/d >/dev/null
held=$(wait_running)
wait_build_log "$held" "test hook: held"
"$KILN" page delete news/d >/dev/null
printf 'The body of d.\n' > "$T/b.md"
"$KILN" page new news/dd --title "d" --body-file "$T/b.md" --publish >/dev/null
rm "$HOLD"
step "a page renamed" 8
before
css=$(ls static/css | head -1)
printf '\n/* changed */\n' >> "static/css/$css"
step "a static file changed" 100000
# another process builds the folder (another template) between two of
# the worker's builds: its record, not the worker's memo, is the live one
printf '\n<!-- another process -->\n' >> templates/page.mustache
"$KILN" build >/dev/null || fail "the other process's build"
before
body "After the other process."
"$KILN" page edit news/e --body-file "$T/b.md" --publish >/dev/null
step "after another process's build" 100000
grep -q "another process" public/news/f/index.html ||
    fail "a page the worker did not render lacks the other build's template"
before
body "Once more."
"$KILN" page edit news/e --body-file "$T/b.md" --publish >/dev/null
step "the build after" 6
kill -TERM $W
wait $W || fail "kiln worker exited $?"
pass "a worker's kept manifest entries and record lines give a full build's"
