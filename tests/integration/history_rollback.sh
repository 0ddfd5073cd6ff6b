#!/bin/bash
# SPDX-License-Identifier: ISC
# history_rollback.sh: every build is a commit pushed to a bare remote;
# a rollback restores the bucket (s3rver, read back with the AWS CLI)
# byte for byte to the earlier build without touching the content store,
# and the next publish moves forward again; gc prunes only when asked.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/git.sh"

s3_start www
remote=$(git_bare remote)
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
s3_add_target
sed -i "s|^history:|history:\n  remote: $remote|" kiln.yaml
"$KILN" check >/dev/null || fail "config"

"$KILN" publish --wait >/dev/null || fail "build 1"
printf 'Second version of the guide.\n' > "$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" publish --wait >/dev/null || fail "build 2"

# the commits: one per build, pushed, findable by build id
ids=$("$KILN" builds list --json | jq -r '.[].id' | tr '\n' ' ')
assert_eq "$ids" "2 1 " "builds"
c1=$("$KILN" builds list --json | jq -r '.[] | select(.id==1) | .commit')
[ ${#c1} = 40 ] || fail "build 1 has no commit"
assert_eq "$(git --git-dir="$remote" rev-list --count main)" 2 "commits pushed"
git --git-dir="$remote" log -1 --format=%B main | grep -q "Kiln-Build: 2" || fail "commit message"
git --git-dir="$remote" ls-tree -r --name-only "$c1" | grep -q "^news/park-awards/index.html$" ||
    fail "build 1 tree lacks the page it had"

# rollback to build 1: the bucket equals build 1's tree
"$KILN" builds rollback 1 --wait >/dev/null || fail "rollback"
"$KILN" history export 1 "$T/b1" >/dev/null
aws_s3 s3 sync s3://www "$T/bucket" >/dev/null
# (the bucket holds the manifest as a head and shards, decision 0370)
diff -r -x manifest.json -x manifest "$T/b1" "$T/bucket" ||
    fail "bucket differs from build 1 after the rollback"
manifest_held "$T/bucket" "$T/b1"
assert_eq "$("$KILN" page show news/park-awards --json | jq -r .status)" "draft" "store untouched by rollback"
assert_eq "$("$KILN" builds list --json | jq -r '.[0].reasons')" "rollback to build 1" "rollback recorded"
# its per-target results, as a queued build's (decision 0230)
assert_eq "$("$KILN" builds list --json | jq -r '[.[0].targets[] | "\(.name):\(.status)"] | join(" ")')" \
    "local:deployed prod:deployed" "rollback: per-target results"
pass "rollback restored the bucket byte for byte"

# the next publish builds from current content again
"$KILN" publish --wait >/dev/null || fail "build after rollback"
rm -rf "$T/bucket" && aws_s3 s3 sync s3://www "$T/bucket" >/dev/null
diff -r -x outputs -x changes.json -x manifest.json -x manifest public "$T/bucket" >/dev/null ||
    fail "bucket not back to current content"
manifest_held "$T/bucket" public
[ ! -e "$T/bucket/news/park-awards/index.html" ] || fail "unpublished page back online"
pass "next publish moved forward"

# a push failure never fails a build; the next push catches up
sed -i "s|^  remote: $remote|  remote: /nonexistent/remote.git|" kiln.yaml
"$KILN" page edit guides/report-a-pothole --title "Pothole v3" --publish >/dev/null
"$KILN" publish --wait > "$T/out" || fail "build with a broken remote"
assert_contains "$(cat "$T/out")" "push failed" "push failure logged"
sed -i "s|^  remote: /nonexistent/remote.git|  remote: $remote|" kiln.yaml
"$KILN" history push >/dev/null || fail "history push"
assert_eq "$(git --git-dir="$remote" rev-parse main)" "$(git --git-dir=.kiln/history.git rev-parse main)" "remote caught up"
pass "push failure did not block publishing"

# gc prunes history only when history.keep is set
n=$(git --git-dir=.kiln/history.git rev-list --count main)
"$KILN" gc >/dev/null
assert_eq "$(git --git-dir=.kiln/history.git rev-list --count main)" "$n" "no prune by default"
sed -i "s|^  keep: 0 |  keep: 2 |; s|^  keep: 0$|  keep: 2|" kiln.yaml
"$KILN" gc >/dev/null
assert_eq "$(git --git-dir=.kiln/history.git rev-list --count main)" 2 "pruned to history.keep"
pass "gc"
