#!/bin/bash
# SPDX-License-Identifier: ISC
# import_fast.sh: issue 19's re-import that skips unchanged files unread
# (decision 0300), and --prune of a folder below which a page was made
# in kiln.  KILN_TEST_IMPORT_TRUST=1 lets the import trust the stat of
# the files this test has just written (it would re-read a file changed
# within 2 s before the import, for fear of a change its timestamps
# cannot show).  The report of a skipped file is the report of reading
# it: the same warnings, the same lines.
. "$KILN_SRC/tests/integration/lib.sh"

H=$T/hugo
mkdir -p "$H/content/a" "$H/content/notes/cat" "$H/content/keep"
printf 'title = "Fast"\nbaseURL = "https://example.org/"\n' > "$H/hugo.toml"
printf -- '---\ntitle: Home\n---\nWelcome.\n' > "$H/content/_index.md"
printf -- '---\ntitle: A\n---\nA.\n' > "$H/content/a/_index.md"
printf -- '---\ntitle: B\n---\nB.\n' > "$H/content/a/b.md"
# warnings from reading (url .html) and from the body (a shortcode)
printf -- '---\ntitle: Old\nurl: /old.html\n---\nOld.\n' > "$H/content/notes/old.md"
printf -- '---\ntitle: SC\n---\n{{< nosuch x >}}\n' > "$H/content/notes/sc.md"
printf -- '---\ntitle: Cat\n---\n![cat](cat.txt)\n' > "$H/content/notes/cat/index.md"
printf 'a cat\n' > "$H/content/notes/cat/cat.txt"
printf -- '---\ntitle: Same\n---\nxxxx\n' > "$H/content/notes/same.md"
printf -- '---\ntitle: Keep\n---\nKeep.\n' > "$H/content/keep/one.md"

cd "$T"
"$KILN" init site >/dev/null
cd site
export KILN_TEST_IMPORT_TRUST=1
"$KILN" import ../hugo >/dev/null || fail "first import"
assert_eq "$(db "SELECT count(*) FROM state WHERE key LIKE 'import:%'
    AND CAST(value AS TEXT) LIKE '%\"fast\"%'")" 8 "every record has its fingerprint"

# the report of the unread files is the report of reading them
KILN_TEST_IMPORT_TRUST= "$KILN" import ../hugo -v --json > slow.json ||
    fail "slow re-import"
"$KILN" import ../hugo -v --json > fast.json || fail "fast re-import"
diff slow.json fast.json || fail "a skipped file reports otherwise"
assert_contains "$(cat fast.json)" "nosuch" "the shortcode's warning replayed"
assert_contains "$(cat fast.json)" "old.html" "the url's warning replayed"
assert_contains "$(cat fast.json)" '"unchanged": 8' "all unchanged"
pass "an unchanged file is reported as when read"

# the same size and mtime, other bytes: its ctime says it changed
printf -- '---\ntitle: Same\n---\nyyyy\n' > "$H/content/notes/same.md.new"
touch -r "$H/content/notes/same.md" "$H/content/notes/same.md.new"
mv "$H/content/notes/same.md.new" "$H/content/notes/same.md"
printf 'a dog\n' > "$H/content/notes/cat/cat.txt"	# a resource
out=$("$KILN" import ../hugo) || fail "changed: $out"
assert_contains "$out" "0 created, 2 updated, 6 unchanged" "two changed"
assert_contains "$("$KILN" page show notes/same --json)" "yyyy" "same size"
pass "an edit keeping size and mtime, a changed resource: updated"

# a page deleted in kiln comes back; the config's keys shape every path
"$KILN" page delete keep/one >/dev/null || fail "delete keep/one"
out=$("$KILN" import ../hugo) || fail "deleted: $out"
assert_contains "$out" "1 created, 0 updated, 7 unchanged" "re-created"
printf 'title = "Fast"\nbaseURL = "https://example.org/"\n[permalinks]\nkeep = "/kept/:filename/"\n' \
    > "$H/hugo.toml"
out=$("$KILN" import ../hugo) || fail "permalinks: $out"
assert_contains "$out" "1 created" "a permalink in the config is seen"
"$KILN" page show kept/one >/dev/null || fail "kept/one not made"
pass "a page deleted in kiln, a config change: not skipped"

# --prune of a/, below which a page was made in kiln: what the import
# owns goes, what keeps the kiln page stays (named), the rest is done
printf 'Made in kiln.\n' > "$T/y.md"
"$KILN" page new a/b/y --title Y --body-file "$T/y.md" >/dev/null ||
    fail "page new a/b/y"
rm -r "$H/content/a" "$H/content/notes/old.md"
printf '\nMore.\n' >> "$H/content/notes/sc.md"
out=$("$KILN" import ../hugo --prune -v 2>&1) || fail "prune: $out"
assert_contains "$out" "1 updated" "the rest of the import is done"
assert_contains "$out" "removed old" "old pruned"
assert_contains "$out" "2 skipped, 0 conflicts, 2 removed" "the summary"
assert_contains "$out" "skipped: a/b: its file is gone" "a/b kept"
assert_contains "$out" "skipped: a: its file is gone" "a kept"
assert_contains "$out" "'a/b/y'" "the kiln page named"
"$KILN" page show a/b/y >/dev/null || fail "a/b/y is gone"
"$KILN" page show old >/dev/null 2>&1 && fail "old not pruned"
"$KILN" page delete a/b/y >/dev/null || fail "delete a/b/y"
out=$("$KILN" import ../hugo --prune) || fail "prune again: $out"
assert_contains "$out" "2 removed" "a/b and a go once the kiln page is gone"
pass "--prune keeps what a page made in kiln needs, and names it"
