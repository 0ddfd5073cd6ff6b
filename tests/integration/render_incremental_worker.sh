#!/bin/bash
# SPDX-License-Identifier: ISC
# render_incremental_worker.sh: the snapshot kept by a running worker
# (decision 0240).  A seeded random sequence of edits (edit, publish,
# unpublish, new page, retitle, delete, media), each built by one
# long-running `kiln worker` that reads only the changed page rows; with
# KILN_TEST_SNAPSHOT_VERIFY every such snapshot is checked against a full
# read (a difference fails the build), and after each build the site
# must equal a full build by a fresh process byte for byte.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build >/dev/null
# rows FROM: the most page rows a snapshot read in the builds after FROM
rows() {
	local b
	for b in $(seq $(($1 + 1)) "$B"); do
		"$KILN" builds log "$b" | sed -n 's/.* \([0-9]*\) page rows read.*/\1/p'
	done | sort -n | tail -1
}
KILN_TEST_SNAPSHOT_VERIFY=1 "$KILN" worker >"$T/worker.log" 2>&1 &
W=$!
bg_pid $W
worker_built "the start"
total=$("$KILN" page list --json | jq '[.[] | select(.status == "live")] | length')
pages=($("$KILN" page list --json | jq -r '.[] | select(.path | contains("/")) | .path'))
RANDOM=${SEED:-4}
steps=${STEPS:-14}
deltas=0
for i in $(seq 1 "$steps"); do
	p=${pages[$((RANDOM % ${#pages[@]}))]}
	from=$B
	case $((RANDOM % 7)) in
	0) printf 'Edit %d of %s.\n' "$i" "$p" > "$T/b.md"
	   "$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null; what="edit $p" ;;
	1) "$KILN" page unpublish "$p" >/dev/null 2>&1 || true; what="unpublish $p" ;;
	2) "$KILN" page publish "$p" >/dev/null 2>&1 || true; what="publish $p" ;;
	3) "$KILN" page new "news/new-$i" --title "New $i" --publish >/dev/null
	   what="new news/new-$i" ;;
	4) "$KILN" page edit "$p" --title "Retitled $i" --publish >/dev/null; what="retitle $p" ;;
	5) "$KILN" page new "news/gone-$i" --title "Gone $i" --publish >/dev/null
	   worker_built "new news/gone-$i"
	   from=$B
	   "$KILN" page unpublish "news/gone-$i" >/dev/null
	   "$KILN" page delete "news/gone-$i" >/dev/null; what="delete news/gone-$i" ;;
	6) printf 'media %d' "$i" > "$T/m$i.txt"
	   "$KILN" media add "$T/m$i.txt" >/dev/null; what="media m$i.txt" ;;
	esac
	worker_built "$what"
	n=$(rows "$from")
	[ -n "$n" ] || fail "step $i ($what): no 'page rows read' in the build log"
	case $what in
	media*) [ "$n" -ge "$((total / 2))" ] ||
	    fail "step $i ($what): a media change must read every page, read $n" ;;
	*) [ "$n" -le 2 ] || fail "step $i ($what): $n page rows read for one page"
	   deltas=$((deltas + 1)) ;;
	esac
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $what"
	# the manifest names the build (the worker's has an id), the record
	# and changes.json the output: nothing else differs
	same_build public "$T/full" ||
	    { head -20 "$T/diff"; fail "step $i ($what): the worker's build differs from a full one"; }
	echo "# step $i: $what: $n page rows read"
done
[ "$deltas" -gt 0 ] || fail "no step was read from the changes"
grep -q "differs from a full read" "$T/worker.log" && fail "a snapshot differed"
kill -TERM $W
wait $W || fail "kiln worker exited $?"
pass "a worker's kept snapshot equals a full read after $steps random edits"
