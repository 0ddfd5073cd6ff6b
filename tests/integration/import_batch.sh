#!/bin/bash
# SPDX-License-Identifier: ISC
# import_batch.sh: a new import writes its new pages a batch at a time
# (decision 0340), on both stores (SQLite, then a real PostgreSQL).  An
# import that fails after batches were written (a scheduled page, which
# is written on its own after them, fails by the test hook) changes
# nothing: no page, revision, audit row, build request, import record,
# media file or sequence number.  The import that then goes through
# leaves what one change at a time leaves: every page's audit rows
# "create" then "publish" (or "schedule"), page after page in path
# order, one sequence number per change, each page's last number in
# page_changes and on its build request, each page below its parent.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/pg.sh"

mkdir -p "$T/c/news" "$T/c/docs/pic" "$T/c/zz"
printf -- '---\ntitle: Home\n---\nWelcome.\n' > "$T/c/_index.md"
printf -- '---\ntitle: News\n---\nNews.\n' > "$T/c/news/_index.md"
printf -- '---\ntitle: Docs\n---\nDocs.\n' > "$T/c/docs/_index.md"
for i in $(seq 1 450); do	# over two batches of 200
	s=news; [ $((i % 3)) = 0 ] && s=docs
	d=false; [ $((i % 50)) = 7 ] && d=true
	printf -- '---\ntitle: Page %d\ndraft: %s\n---\nBody %d.\n' \
	    "$i" "$d" "$i" > "$T/c/$s/p$i.md"
done
# a bundle between the batches: its media is added after what is queued
printf -- '---\ntitle: Pic\n---\n![p](p.txt)\n' > "$T/c/docs/pic/index.md"
printf 'a picture\n' > "$T/c/docs/pic/p.txt"
# the last page, scheduled: written on its own, after every batch
printf -- '---\ntitle: Later\npublishDate: 2099-01-01\n---\nLater.\n' \
    > "$T/c/zz/later.md"
total=455

# everything an import writes, counted
counts() {
	$Q "SELECT (SELECT count(*) FROM pages) || ' ' ||
	    (SELECT count(*) FROM revisions) || ' ' ||
	    (SELECT count(*) FROM audit_log) || ' ' ||
	    (SELECT count(*) FROM build_requests) || ' ' ||
	    (SELECT count(*) FROM page_changes) || ' ' ||
	    (SELECT count(*) FROM media) || ' ' ||
	    (SELECT count(*) FROM state WHERE key LIKE 'import:%') || ' ' ||
	    (SELECT value FROM meta WHERE key = 'change_seq')"
}

batch_run() {	# batch_run NAME: the sequence on the site in the cwd
	local name=$1 out before
	"$KILN" page list >/dev/null	# the store made
	before=$(counts)
	out=$(KILN_TEST_FAIL_REQUEST=schedule "$KILN" import "$T/c" 2>&1) &&
	    fail "$name: an import whose last page fails exits 0: $out"
	assert_contains "$out" "injected failure" "$name: the failure named"
	assert_contains "$out" "nothing was imported" "$name: undone"
	assert_eq "$(counts)" "$before" "$name: a failed import writes nothing"

	out=$("$KILN" import "$T/c") || fail "$name: import: $out"
	assert_contains "$out" "imported $total files: $total created" \
	    "$name: new import"
	# 9 drafts: one change each; the rest two (create, publish or
	# schedule); one scheduled: no request; the media file: one change
	n=$((2 * total - 9 + 1))
	assert_eq "$(counts)" "$total $total $n $((total - 10 + 1)) $((total + 1)) 1 $total $n" \
	    "$name: rows"
	# the audit rows: each page's create then its publish, in path order
	# (ids follow the path: pages are made in path order)
	assert_eq "$($Q "SELECT count(*) FROM pages a JOIN pages b ON
	    a.id < b.id WHERE a.path >= b.path")" 0 "$name: ids in path order"
	assert_eq "$($Q "SELECT string_agg(x, ',') FROM (SELECT
	    action || ' ' || page_id AS x FROM audit_log WHERE action IN
	    ('create', 'publish', 'schedule') ORDER BY id) q" |
	    tr ',' '\n' | awk '$1 == "create" { if ($2 <= last) print; last = $2;
	    next } $2 != last || done[last]++ { print }')" \
	    "" "$name: audit rows page by page, create first"
	# the sequence: one number per change, in the order of the audit rows
	assert_eq "$($Q "SELECT count(*) FROM page_changes c WHERE c.seq <>
	    (SELECT count(*) FROM audit_log a WHERE a.id <= (SELECT max(id)
	    FROM audit_log WHERE page_id = c.page_id)) AND c.page_id > 0")" 0 \
	    "$name: each page's last change numbered in order"
	assert_eq "$($Q "SELECT count(*) FROM build_requests r JOIN
	    page_changes c ON c.page_id = r.page_id WHERE r.seq <> c.seq OR
	    r.reason <> 'page published'")" 0 "$name: requests at the publish"
	assert_eq "$($Q "SELECT count(*) FROM pages p LEFT JOIN pages q ON
	    q.id = p.parent_id WHERE p.path <> '' AND (q.path IS NULL OR
	    q.path <> CASE WHEN p.path LIKE '%/%' THEN
	    substr(p.path, 1, length(p.path) - length(p.slug) - 1) ELSE ''
	    END)")" 1 "$name: every page below its parent (but zz/later)"
	assert_eq "$($Q "SELECT count(*) FROM pages WHERE live = 1 AND
	    live_revision_id = latest_revision_id AND
	    has_unpublished_changes = 0 AND latest_title LIKE 'Page %'")" \
	    "$((450 - 9))" "$name: live pages"
	out=$("$KILN" import "$T/c") || fail "$name: re-import: $out"
	assert_contains "$out" ": 0 created, 0 updated, $total unchanged" \
	    "$name: then unchanged"
	pass "$name: a failed batched import changes nothing; rows as one by one"
}

cd "$T"
"$KILN" init sq >/dev/null
cd sq
Q=db
# SQLite has group_concat where PostgreSQL has string_agg
Q() { db "$(printf '%s' "$1" | sed "s/string_agg(x, ',')/group_concat(x, ',')/")"; }
Q=Q
batch_run sqlite

pg_start
cd "$T"
"$KILN" init pg >/dev/null
cd pg
pg_use_store
Q=pg_psql
batch_run postgres
