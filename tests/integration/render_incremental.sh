#!/bin/bash
# SPDX-License-Identifier: ISC
# render_incremental.sh: a seeded random sequence of edits (edit,
# publish, unpublish, new page, move, template change, asset change);
# after each, the incremental build must equal a full build byte for byte,
# and must have reused outputs when little changed.  The output folder is
# a symlink to one of two slots; a failed build must leave the live one
# untouched and the next build must still equal a full build.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build >/dev/null
RANDOM=${SEED:-42}
pages=($("$KILN" page list --json | jq -r '.[] | select(.path | contains("/")) | .path'))
steps=${STEPS:-14}
# the second half of the steps also writes index.json for every page
for i in $(seq 1 "$steps"); do
	if [ "$i" = $((steps / 2 + 1)) ]; then
		sed -i 's/^  page_json: false/  page_json: true/' kiln.yaml
		grep -q '^  page_json: true' kiln.yaml || fail "page_json not set"
	fi
	p=${pages[$((RANDOM % ${#pages[@]}))]}
	case $((RANDOM % 7)) in
	0) printf 'Edit %d of %s.\n' "$i" "$p" > "$T/b.md"
	   "$KILN" page edit "$p" --body-file "$T/b.md" --publish >/dev/null; what="edit $p" ;;
	1) "$KILN" page unpublish "$p" >/dev/null 2>&1 || true; what="unpublish $p" ;;
	2) "$KILN" page publish "$p" >/dev/null 2>&1 || true; what="publish $p" ;;
	3) "$KILN" page new "news/new-$i" --title "New $i" --publish >/dev/null; what="new news/new-$i" ;;
	4) "$KILN" page edit "$p" --title "Moved title $i" --publish >/dev/null; what="retitle $p" ;;
	5) sed -i "s|</main>|<!-- step $i --></main>|" templates/base.mustache; what="template" ;;
	6) printf '\n/* step %d */\n' "$i" >> static/css/site.css; what="asset" ;;
	esac
	if [ $((i % 5)) = 0 ]; then
		# a failed build, before any output (a template that does not
		# parse) or half way through the pages (one page names a
		# template that does not exist): the live folder stays as it
		# was, and the next build still equals a full one
		before=$(readlink public)
		if [ $((i % 10)) = 0 ]; then
			"$KILN" page edit "$p" --template nope --publish >/dev/null
		else
			cp templates/page.mustache "$T/page.bak"
			printf '{{#broken}}\n' >> templates/page.mustache
		fi
		"$KILN" build >"$T/fail.out" 2>&1 && fail "step $i: a broken build succeeded"
		# failing is expected, a sanitizer's report is not (tsan/)
		grep -q "Sanitizer" "$T/fail.out" && { head -20 "$T/fail.out"; fail "step $i: a sanitizer report in the failed build"; }
		[ "$(readlink public)" = "$before" ] || fail "step $i: a failed build switched"
		same_output public "$T/full" >/dev/null 2>&1 || fail "step $i: a failed build changed the live folder"
		if [ $((i % 10)) = 0 ]; then
			"$KILN" page edit "$p" --template page --publish >/dev/null
		else
			cp "$T/page.bak" templates/page.mustache
		fi
		what="$what, then a failed build ($(head -c 60 "$T/fail.out"))"
	fi
	cp public/.kiln/manifest.json "$T/old.json"
	old_id=$(sed -n '2s/^id //p' public/.kiln/outputs)
	"$KILN" build >"$T/inc.out" || fail "incremental build after $what"
	changes_apply "$T/old.json" "$old_id" public
	"$KILN" build --full --out "$T/full" >/dev/null || fail "full build after $what"
	[ -L public ] && [ -d public/ ] || fail "public is not a symlink to a folder"
	same_output public "$T/full" >"$T/diff" 2>&1 ||
	    { head -20 "$T/diff"; fail "step $i ($what): incremental differs from full"; }
	echo "# step $i: $what: $(cat "$T/inc.out")"
done
# a build waits while the live folder is read (kiln deploy holds a shared
# lock on .public.lock): it cannot finish before the reader lets go.  This
# shell is the reader; the build must be seen blocked on the lock (a
# waiter in /proc/locks) and still running, then finish once released.
exec 9>.public.lock
flock -s 9
"$KILN" build 9>&- >"$T/waiting.out" 2>&1 &
builder=$!
for i in $(seq 1 600); do
	grep -q -- "-> FLOCK.* $builder " /proc/locks && break
	kill -0 "$builder" 2>/dev/null || break
	sleep 0.05
done
grep -q -- "-> FLOCK.* $builder " /proc/locks || fail "the build never waited for the reader"
kill -0 "$builder" 2>/dev/null || fail "the build finished while the folder was read"
exec 9>&-
wait "$builder" || { cat "$T/waiting.out"; fail "build after a reader"; }
# an edit of one leaf page renders few outputs and reuses the rest
printf 'Last edit.\n' > "$T/b.md"
"$KILN" page edit guides/report-a-pothole --body-file "$T/b.md" --publish >/dev/null
out=$("$KILN" build)
reused=$(echo "$out" | sed -n 's/.*rendered, \([0-9]*\) reused.*/\1/p')
[ "${reused:-0}" -gt 15 ] || fail "too little reused: $out"
[ -f public/news/index.json ] || fail "no page JSON in the second half"
pass "incremental equals full after $steps random edits"
