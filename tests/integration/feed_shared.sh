#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_shared.sh: a site deploy never deletes a shared file a complete
# unit uses (issue #17, decision 0270), on a real S3 (s3rver behind the
# SigV4 gateway).  Units complete with the site's CSS; the site's CSS
# changes and a file no unit names is dropped; a site deploy with
# delete_grace 0 runs: the units' CSS and logo stay in the bucket and
# every unit page's stylesheet and image load, while the file no one uses
# is deleted.  A unit version removed from the list keeps its files.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_start www
cd "$T"
export KILN_USER=tester
"$KILN" init site >/dev/null
cd site
s3_add_target "    delete_grace: 0s"
sed -i '/^  local:$/,/^    path: .kiln\/www$/d' kiln.yaml
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
printf 'feed:\n  list: units.json\n' >> kiln.yaml
for u in a b; do
	mkdir -p "src/$u"
	printf -- '---\ntitle: Unit %s\n---\nThe unit %s.\n' "$u" "$u" > "src/$u/_index.md"
done
printf '%s' '[{"id":"a","version":"1","source":"src/a"},{"id":"b","version":"1","source":"src/b"}]' > units.json

# the site, with a fingerprinted file no unit will name (added later)
"$KILN" build >/dev/null || fail "kiln build"
"$KILN" deploy >/dev/null || fail "kiln deploy"
keys() { aws_s3 s3 ls s3://www/ --recursive | awk '{print $4}' | sort; }
css1=$(keys | grep -E '^css/site\.[0-9a-f]+\.css$')
logo=$(keys | grep -E '^img/logo\.[0-9a-f]+\.svg$')
[ -n "$css1" ] && [ -n "$logo" ] || fail "the site's CSS and logo: $(keys)"

# ---- the units complete with the site's CSS (kiln feed builds them) ----
out=$(timeout 300 "$KILN" feed) || fail "kiln feed: $out"
assert_contains "$out" "skipped 2, failed 0" "both units complete"
for u in a b; do
	aws_s3 s3 cp "s3://www/units/$u/1/index.html" "$T/$u.html" >/dev/null ||
	    fail "unit $u's page"
	assert_contains "$(cat "$T/$u.html")" "/$css1" "unit $u's page links the site's CSS"
done
assert_eq "$(db "select count(distinct path) from unit_shared")" 2 \
    "the shared paths of the complete units are in the store: $(db "select * from unit_shared")"

# ---- the site's CSS changes; a file no unit names comes, then goes ----
printf 'img { border: 0 }\n' > static/css/extra.css
"$KILN" build >/dev/null && "$KILN" deploy >/dev/null || fail "deploy with extra.css"
extra=$(keys | grep -E '^css/extra\.[0-9a-f]+\.css$')
[ -n "$extra" ] || fail "extra.css deployed: $(keys)"
rm static/css/extra.css
printf 'body { color: #123456 }\n' >> static/css/site.css
"$KILN" build >/dev/null || fail "kiln build"
out=$("$KILN" deploy 2>&1) || fail "kiln deploy: $out"
css2=$(keys | grep -E '^css/site\.[0-9a-f]+\.css$' | grep -vxF "$css1")
[ -n "$css2" ] || fail "the new CSS deployed: $(keys)"
keys | grep -qxF "$extra" && fail "the file no one uses was not deleted: $(keys)"
keys | grep -qxF "$css1" || fail "the units' CSS was deleted: $(keys)"
keys | grep -qxF "$logo" || fail "the units' logo was deleted"
# every unit page's stylesheet and image load (from the bucket, as a reader)
for u in a b; do
	for ref in $(grep -oE '(href|src)="/(css|img)/[^"]+"' "$T/$u.html" | sed 's/^[a-z]*="\///; s/"$//'); do
		aws_s3 s3 cp "s3://www/$ref" - >/dev/null 2>&1 || fail "unit $u: /$ref does not load"
	done
done
pass "a site deploy past delete_grace keeps the units' shared files, deletes the rest"

# ---- the next site deploy still keeps them (the grace map remembers) ----
printf 'p { margin: 0 }\n' >> static/css/site.css
"$KILN" build >/dev/null && "$KILN" deploy --json > "$T/deploy.json" || fail "kiln deploy"
keys | grep -qxF "$css1" || fail "the units' CSS deleted by a later deploy"
keys | grep -qxF "$css2" && fail "the site's own old CSS (no unit uses it) was kept"
jq -e --arg p "$css1" '[.plan[].kept[]] | index($p)' "$T/deploy.json" >/dev/null ||
    fail "the plan says what it kept: $(jq -c '.plan' "$T/deploy.json")"
pass "a later deploy: kept again, the site's own old CSS deleted"

# ---- a unit version removed from the list: complete, kept ----
printf '%s' '[{"id":"b","version":"1","source":"src/b"}]' > units.json
out=$("$KILN" feed --once) || fail "kiln feed: $out"
assert_contains "$out" "queued 0," "nothing queued"
"$KILN" build >/dev/null && "$KILN" deploy >/dev/null || fail "kiln deploy"
aws_s3 s3 ls s3://www/units/a/1/.complete >/dev/null || fail "unit a's marker went"
keys | grep -qxF "$css1" || fail "unit a's CSS went"
pass "a unit version removed from the list keeps its files"

# ---- --verify does not report the units' objects as the site's extras ----
out=$("$KILN" deploy --verify 2>&1) || fail "kiln deploy --verify: $out"
assert_contains "$out" "0 not in the build" "verify: nothing extra"
assert_not_contains "$out" "extra object units/" "verify: the units' objects are not extras"
pass "deploy --verify on a multi-unit site"
