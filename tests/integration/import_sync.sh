#!/bin/bash
# SPDX-License-Identifier: ISC
# import_sync.sh: issue 19's import on both stores (SQLite, then a real
# PostgreSQL).  The same tree is imported into a new site, imported again
# unchanged (nothing written: no revision, no audit row, no build request,
# the change sequence where it was), with 3 of its files changed (those 3
# updated, the rest unchanged), with a page edited in kiln (a conflict,
# kiln's version kept), and with a file gone (--prune removes its page).
# The pages and import records are read once per import (decision 0260):
# the counts prove the skip writes nothing, the PostgreSQL run that the
# one-query read works there too.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"
NFILES=80	# over 64: the records' revisions are read in one query

mkdir -p "$T/c/news" "$T/c/docs"
printf -- '---\ntitle: Home\n---\nWelcome.\n' > "$T/c/_index.md"
printf -- '---\ntitle: News\n---\nNews.\n' > "$T/c/news/_index.md"
for i in $(seq 1 $NFILES); do
	s=news; [ $((i % 2)) = 0 ] && s=docs
	printf -- '---\ntitle: Page %d\ntags: [t%d]\n---\nBody %d.\n' \
	    "$i" $((i % 5)) "$i" > "$T/c/$s/p$i.md"
done
total=$((NFILES + 2))

# counts: revisions audit rows build requests change sequence, by Q
counts() {
	$Q "SELECT (SELECT count(*) FROM revisions) || ' ' ||
	    (SELECT count(*) FROM audit_log) || ' ' ||
	    (SELECT count(*) FROM build_requests) || ' ' ||
	    (SELECT value FROM meta WHERE key = 'change_seq')"
}

sync_run() {	# sync_run NAME: the whole sequence on the site in $T/NAME
	local name=$1 out before after
	rm -rf "$T/cc" && cp -R "$T/c" "$T/cc"
	out=$("$KILN" import "$T/cc") || fail "$name: first import: $out"
	assert_contains "$out" "imported $total files: $total created, 0 updated" \
	    "$name: new import"
	assert_eq "$($Q "SELECT count(*) FROM state WHERE key LIKE 'import:%'")" \
	    "$total" "$name: one import record per page"

	before=$(counts)
	out=$("$KILN" import "$T/cc") || fail "$name: re-import: $out"
	assert_contains "$out" ": 0 created, 0 updated, $total unchanged" \
	    "$name: unchanged re-import"
	assert_eq "$(counts)" "$before" \
	    "$name: an unchanged re-import writes no revision, audit row, request"

	for i in 1 2 3; do
		s=news; [ $((i % 2)) = 0 ] && s=docs
		printf '\nChanged.\n' >> "$T/cc/$s/p$i.md"
	done
	# each record has its page's revision: a changed file is an update
	out=$("$KILN" import "$T/cc") || fail "$name: changed: $out"
	assert_contains "$out" ": 0 created, 3 updated, $((total - 3)) unchanged" \
	    "$name: 3 changed files"
	after=$(counts)
	[ "${after%% *}" = $(( ${before%% *} + 3 )) ] ||
	    fail "$name: 3 new revisions expected: $before -> $after"
	assert_contains "$("$KILN" page show news/p1 --json)" "Changed." \
	    "$name: the change is in the store"
	# the 3 records were written with their new revisions (read one by
	# one): a further change is an update, not a conflict
	printf '\nChanged again.\n' >> "$T/cc/news/p1.md"
	out=$("$KILN" import "$T/cc") || fail "$name: changed again: $out"
	assert_contains "$out" ": 0 created, 1 updated, $((total - 1)) unchanged" \
	    "$name: changed again"

	printf 'Edited in kiln.\n' > "$T/edit.md"
	"$KILN" page edit docs/p4 --body-file "$T/edit.md" >/dev/null
	printf '\nChanged too.\n' >> "$T/cc/docs/p4.md"
	rm "$T/cc/news/p5.md"
	# a conflict makes the import exit 1: everything else was done
	out=$("$KILN" import "$T/cc" --prune 2>/dev/null) &&
	    fail "$name: a conflict exits 0: $out"
	assert_contains "$out" "1 conflicts, 1 removed" "$name: conflict, prune"
	assert_contains "$("$KILN" page show docs/p4 --json)" "Edited in kiln." \
	    "$name: kiln's edit kept"
	"$KILN" page show news/p5 >/dev/null 2>&1 && fail "$name: news/p5 not pruned"
	pass "$name: import, unchanged, changed, conflict, prune"
}

cd "$T"
"$KILN" init sq >/dev/null
cd sq
Q=db
sync_run sqlite

# PostgreSQL: the files' stat trusted, so the re-imports skip the
# unchanged files unread (import_fast.sh, decision 0300)
export KILN_TEST_IMPORT_TRUST=1
pg_start
cd "$T"
"$KILN" init pg >/dev/null
cd pg
pg_use_store
Q=pg_psql
sync_run postgres
