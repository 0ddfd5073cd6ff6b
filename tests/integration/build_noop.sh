#!/bin/bash
# SPDX-License-Identifier: ISC
# build_noop.sh: a build in which nothing changed (a second publish of the
# same content) sends nothing to the bucket (no PUT, not even the
# manifest; no DELETE) and makes no history commit; its record names the
# commit whose tree it had, and rolling back to it works.  A real change
# afterwards uploads and commits as before.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_demo_site
"$KILN" check >/dev/null || fail "config"
"$KILN" publish --wait >/dev/null || fail "first build"
commits() { git --git-dir=.kiln/history.git rev-list --count main; }
c1=$(commits)
first=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
head1=$(git --git-dir=.kiln/history.git rev-parse main)

# 1. nothing changed: nothing sent, no commit
s3_reset_counts
"$KILN" publish --wait >"$T/out" 2>&1 || fail "no-op build: $(cat "$T/out")"
noop=$(sqlite3 .kiln/kiln.db "select max(id) from builds")
[ "$noop" -gt "$first" ] || fail "no new build record"
assert_eq "$(sqlite3 .kiln/kiln.db "select status from builds where id=$noop")" succeeded "no-op build"
assert_eq "$(s3_count PUT)" 0 "PUTs in a no-op build"
assert_eq "$(s3_count DELETE)" 0 "DELETEs in a no-op build"
assert_eq "$(commits)" "$c1" "history commits after a no-op build"
assert_contains "$(cat "$T/out")" "prod: nothing changed, nothing sent" "deploy log"
assert_contains "$(cat "$T/out")" "history: nothing changed, no commit" "history log"
assert_eq "$(sqlite3 .kiln/kiln.db "select commit_id from builds where id=$noop")" "$head1" "the record names the tree's commit"
pass "a no-op build uploads nothing and makes no history commit"

# 2. a change: uploads and a commit, as before
printf 'Changed after a no-op.\n' >"$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
s3_reset_counts
"$KILN" publish --wait >/dev/null || fail "build with a change"
[ "$(s3_count PUT)" -ge 2 ] || fail "the change was not uploaded ($(s3_count PUT) PUTs)"
assert_eq "$(commits)" "$((c1 + 1))" "a commit for the change"
aws_s3 s3 cp s3://www/guides/report-a-pothole/index.html - | grep -q "Changed after a no-op" ||
    fail "bucket not updated"
pass "a real change uploads and commits"

# 3. roll back to the no-op build: its tree (the first build's) comes back
"$KILN" builds rollback "$noop" --wait >"$T/out" 2>&1 || fail "rollback to the no-op build: $(cat "$T/out")"
aws_s3 s3 cp s3://www/guides/report-a-pothole/index.html - | grep -q "Changed after a no-op" &&
    fail "rollback did not restore the no-op build's page"
pass "rollback to a no-op build restores its tree"
