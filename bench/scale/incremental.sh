#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/scale/incremental.sh [N] [STEPS]: issue 19's proof that
# incremental equals full at scale.  Imports an N-page tree (default
# 20,000; bench/render's corpus and theme, tags as a taxonomy), builds
# it, then makes STEPS (default 20) seeded random changes: a body edit, a
# new title, new tags, a new date, a new summary, an unpublish, a
# re-publish, a new page, a deleted page, a draft that must not show.
# After each: `kiln build` (incremental), then `kiln build --full` into
# another folder, and the two must be equal byte for byte (diff -r).
# Prints each step's change, the incremental build's own time and the
# outputs it rendered; exits 1 at the first difference.
#   SEED=N    the random sequence (default 19)
#   KILN=PATH use this binary instead of building build-rel/kiln
#   KILN_BENCH_DIR=DIR  work there instead (it is removed at the end)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-20000}
steps=${2:-20}
work=${KILN_BENCH_DIR:-/dev/shm/kiln-bench-incremental-$n}
if [ -z "${KILN:-}" ]; then
	cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
	KILN=$here/build-rel/kiln
fi
kiln=$KILN
rm -rf "$work" && mkdir -p "$work"
trap 'cd / && rm -rf "$work"' EXIT
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null
"$kiln" init "$work/kiln" >/dev/null
rm -rf "$work/kiln/templates" && cp -R "$here/bench/render/kiln-theme/templates" "$work/kiln/"
sed -i 's/^  enabled: true/  enabled: false/' "$work/kiln/kiln.yaml"
cd "$work/kiln"
export KILN_NOW=2026-12-01T12:00:00Z
"$kiln" import "$work/content" >/dev/null
"$kiln" build --full >/dev/null
RANDOM=${SEED:-19}
words=(council budget river library park road school bridge market festival)
echo "kiln: incremental = full on $n pages, $steps steps, seed ${SEED:-19}, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| step | change | incremental build | outputs rendered | equal to full |"
echo "| --- | --- | --- | --- | --- |"
for i in $(seq 1 "$steps"); do
	# page-I is in section s(I % 20)
	idx=$(( (RANDOM * 32768 + RANDOM) % n )); p="s$((idx % 20))/page-$idx"
	w=${words[$((RANDOM % ${#words[@]}))]}
	case $((RANDOM % 10)) in
	0) printf 'Step %d edits %s.\n' "$i" "$p" > "$work/b.md"
	   "$kiln" page edit "$p" --body-file "$work/b.md" --publish >/dev/null; what="body of $p" ;;
	1) "$kiln" page edit "$p" --title "Retitled $i $w" --publish >/dev/null; what="title of $p" ;;
	2) "$kiln" page edit "$p" --tags "$w,step$i" --publish >/dev/null; what="tags of $p" ;;
	3) "$kiln" page edit "$p" --date "2025-0$((1 + i % 9))-1$((i % 10))T08:00:00Z" --publish >/dev/null; what="date of $p" ;;
	4) "$kiln" page edit "$p" --summary "Summary $i" --publish >/dev/null; what="summary of $p" ;;
	5) "$kiln" page unpublish "$p" >/dev/null 2>&1 || true; what="unpublish $p" ;;
	6) "$kiln" page publish "$p" >/dev/null 2>&1 || true; what="publish $p" ;;
	7) "$kiln" page new "s$((i % 20))/new-$i" --title "New $i $w" --tags "$w" --publish >/dev/null; what="new s$((i % 20))/new-$i" ;;
	8) "$kiln" page delete "$p" >/dev/null 2>&1 || true; what="delete $p" ;;
	9) printf 'A draft that must not show %d.\n' "$i" > "$work/b.md"
	   "$kiln" page edit "$p" --body-file "$work/b.md" >/dev/null; what="draft of $p" ;;
	esac
	"$kiln" build > "$work/inc.out"
	own=$(sed -n 's/.* in \([0-9]*\) ms$/\1/p' "$work/inc.out" | tail -1)
	rendered=$(grep -o '[0-9]* rendered' "$work/inc.out" | head -1 || true)
	rm -rf "$work/full"
	"$kiln" build --full --out "$work/full" >/dev/null
	# the output's id (record line 2, changes.json) names it: not compared
	if diff -r -x changes.json -x outputs public "$work/full" > "$work/diff" &&
	    cmp <(tail -n +3 public/.kiln/outputs) \
	    <(tail -n +3 "$work/full/.kiln/outputs") >> "$work/diff"; then
		echo "| $i | $what | ${own:-?} ms | ${rendered:-?} | yes |"
	else
		echo "| $i | $what | ${own:-?} ms | ${rendered:-?} | **NO** |"
		head -20 "$work/diff"
		exit 1
	fi
done
