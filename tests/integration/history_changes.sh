#!/bin/bash
# SPDX-License-Identifier: ISC
# history_changes.sh: after an edit, a delete and a rename the history
# commit is made from the build's changes list (decision 0320) and each
# commit, checked out, is the build's output byte for byte, pushed to a
# bare remote; a build whose base is not the last commit's output (after
# a rollback) takes the manifests' way; a repository whose last commit has
# the old layout (one .kiln/manifest.json blob) is carried on and rolls
# back byte for byte across the layout change.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/git.sh"

remote=$(git_bare remote)
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
sed -i "s|^history:|history:\n  remote: $remote|" kiln.yaml
"$KILN" check >/dev/null || fail "config"
H=.kiln/history.git
FAST="from the build's changes"

# publish_step NAME: publish, then the commit's tree checked out is the
# output (less the slot's own files) and the remote has it
publish_step() {
	"$KILN" publish --wait >"$T/out" 2>&1 || fail "$1: $(cat "$T/out")"
	rm -rf "$T/x"
	"$KILN" history export "$(git --git-dir=$H rev-parse main)" "$T/x" >/dev/null ||
	    fail "$1: export"
	diff -r -x outputs -x changes.json public "$T/x" || fail "$1: the commit is not the output"
	diff -r -x outputs -x changes.json -x manifest.json -x manifest public .kiln/www >/dev/null ||
	    fail "$1: not deployed"
	manifest_held .kiln/www public
	assert_eq "$(git --git-dir="$remote" rev-parse main)" "$(git --git-dir=$H rev-parse main)" "$1: pushed"
}

publish_step "first build"
assert_not_contains "$(cat "$T/out")" "$FAST" "first commit"
# the manifest is in shards; the commit names its output
git --git-dir=$H ls-tree -r --name-only main | grep -q '^.kiln/manifest/head.json$' ||
    fail "no manifest head in the tree"
[ -z "$(git --git-dir=$H ls-tree --name-only main .kiln/manifest.json)" ] || fail "a whole manifest in the tree"
out1=$(sed -n '2s/^id //p' public/.kiln/outputs)
git --git-dir=$H log -1 --format=%B main | grep -q "^Kiln-Output: $out1$" || fail "no Kiln-Output trailer"

# 1. an edit
printf 'Second version of the guide.\n' >"$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
publish_step "edit"
assert_contains "$(cat "$T/out")" "$FAST" "edit: the commit's way"
git --git-dir=$H log -1 --format=%B main | grep -q "^  /guides/report-a-pothole/$" ||
    fail "edit: the message does not name the page"

# 2. a delete
"$KILN" page unpublish news/park-awards >/dev/null
publish_step "delete"
assert_contains "$(cat "$T/out")" "$FAST" "delete: the commit's way"
git --git-dir=$H log -1 --format=%B main | grep -A3 "^Pages removed:" | grep -q "^  /news/park-awards/$" ||
    fail "delete: the message does not name the page"

# 3. a rename: the page at a new path, the old one gone, in one build
"$KILN" page show guides/report-a-pothole --json | jq -r .body >"$T/body.md"
"$KILN" page new guides/pothole-reports --title "Report a pothole" \
    --body-file "$T/body.md" --publish >/dev/null
"$KILN" page unpublish guides/report-a-pothole >/dev/null
publish_step "rename"
assert_contains "$(cat "$T/out")" "$FAST" "rename: the commit's way"
[ ! -e "$T/x/guides/report-a-pothole/index.html" ] || fail "rename: old path still committed"
pass "edit, delete and rename committed from the changes list, each commit the output"

# 4. a rollback: its commit has no output; the next build's base is not it
rb=$("$KILN" builds list --json | jq -r '[.[].id] | min')
"$KILN" builds rollback "$rb" --wait >/dev/null || fail "rollback"
"$KILN" page edit guides/pothole-reports --title "Pothole reports" --publish >/dev/null
publish_step "after the rollback"
assert_not_contains "$(cat "$T/out")" "$FAST" "after a rollback: the manifests' way"
assert_contains "$(cat "$T/out")" "history: commit" "after a rollback: a commit"
pass "a base that is not the last commit's output falls back to the manifests"

# 5. the old layout: the last commit rewritten as kiln wrote it before
# (the same files, the manifest as one blob, the trailers)
last=$("$KILN" builds list --json | jq -r '.[0].id')
rm -rf "$T/old"
"$KILN" history export "build:$last" "$T/old" >/dev/null || fail "export for the old layout"
cp "$T/old/.kiln/manifest.json" "$T/old-manifest.json"
GIT_INDEX_FILE="$T/old.idx" git --git-dir=$H --work-tree="$T/old" add -A . ||
    fail "old layout: index"
tree=$(GIT_INDEX_FILE="$T/old.idx" git --git-dir=$H write-tree)
oldc=$(printf 'build %s: old layout\n\nKiln-Build: %s\nKiln-Reasons: old\nKiln-Output: %s\n' \
    "$last" "$last" "$(sed -n '2s/^id //p' public/.kiln/outputs)" |
    git --git-dir=$H commit-tree "$tree" -p main)
git --git-dir=$H update-ref refs/heads/main "$oldc"
git --git-dir=$H ls-tree --name-only main .kiln/manifest.json | grep -q . || fail "old layout: no manifest blob"
printf 'Third version.\n' >"$T/c.md"
"$KILN" page edit guides/pothole-reports --body-file "$T/c.md" --publish >/dev/null
publish_step "over the old layout"
assert_not_contains "$(cat "$T/out")" "$FAST" "old layout: the manifests' way"
[ -z "$(git --git-dir=$H ls-tree --name-only main .kiln/manifest.json)" ] ||
    fail "old layout: the whole manifest is still in the tree"
printf 'Fourth version.\n' >"$T/c.md"
"$KILN" page edit guides/pothole-reports --body-file "$T/c.md" --publish >/dev/null
publish_step "after the layout change"
assert_contains "$(cat "$T/out")" "$FAST" "after the layout change: the commit's way"
# rolling back to the old-layout commit restores it byte for byte (the
# build's record names that commit, as records written before did)
db "update builds set commit_id = '$oldc' where id = $last"
"$KILN" history export "$oldc" "$T/oldx" >/dev/null || fail "export of the old layout"
diff -r "$T/old" "$T/oldx" || fail "export of the old layout differs"
"$KILN" builds rollback "$last" --wait >/dev/null || fail "rollback to the old layout"
diff -r -x outputs -x changes.json -x manifest.json -x manifest "$T/old" .kiln/www ||
    fail "rollback across the layout change"
# the folder holds the manifest as a head and shards (decision 0370)
[ "$(manifest_join .kiln/www | jq -cS .)" = "$(jq -cS . "$T/old-manifest.json")" ] ||
    fail "rollback: manifest"
pass "an old-layout repository is carried on; rollback across the layout is byte for byte"
