#!/bin/bash
# SPDX-License-Identifier: ISC
# sitemap_split.sh: a site with more URLs than one sitemap file may hold
# (50,000, sitemaps.org; KILN_TEST_SITEMAP_URLS lowers it) gets
# sitemap.xml as the index of sitemap-1.xml, sitemap-2.xml...: every URL
# of the site is in exactly one of them, none holds more than the limit,
# robots.txt names the index, and a site back under the limit gets one
# sitemap.xml again with the numbered files gone.  Incremental builds
# equal full ones throughout.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
"$KILN" build >/dev/null || fail "first build"
# every <loc> of a sitemap file, one per line
locs() { python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
for f in sys.argv[1:]:
    for loc in ET.parse(f).getroot().iter(ns + "loc"):
        print(loc.text)
PY
}
locs public/sitemap.xml | sort > "$T/one" || fail "sitemap.xml is not XML"
n=$(wc -l < "$T/one")
[ "$n" -gt 12 ] || fail "the demo site has only $n URLs"
assert_no_file public/sitemap-1.xml

export KILN_TEST_SITEMAP_URLS=5
"$KILN" build >/dev/null || fail "build with 5 URLs a file"
root=$(python3 -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).getroot().tag)' public/sitemap.xml)
assert_eq "$root" "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex" "sitemap.xml is an index"
files=$(( (n + 4) / 5 ))
assert_eq "$(locs public/sitemap.xml | wc -l)" "$files" "the index names every file"
base=$(locs public/sitemap.xml | head -1 | sed 's|/sitemap-1.xml$||')
for f in $(seq 1 "$files"); do
	assert_eq "$(locs public/sitemap.xml | sed -n "${f}p")" "$base/sitemap-$f.xml" "index entry $f"
	c=$(locs "public/sitemap-$f.xml" | wc -l)
	[ "$c" -ge 1 ] && [ "$c" -le 5 ] || fail "sitemap-$f.xml holds $c URLs"
done
assert_no_file "public/sitemap-$((files + 1)).xml"
cat public/sitemap-*.xml > /dev/null
locs $(seq -f 'public/sitemap-%g.xml' 1 "$files") | sort > "$T/split"
cmp "$T/one" "$T/split" || fail "the split sitemaps do not hold every URL exactly once"
grep -q "^Sitemap: .*/sitemap.xml$" public/robots.txt || fail "robots.txt does not name the index"
"$KILN" build --full --out "$T/full" >/dev/null || fail "full build"
same_output public "$T/full" > "$T/diff" 2>&1 || { head "$T/diff"; fail "incremental differs from full (split)"; }
pass "a site past the limit gets a sitemap index and files within it"

# a new page: the last file changes, the URLs still all there once
"$KILN" page new news/split-extra --title "Extra" --publish >/dev/null
"$KILN" build >/dev/null || fail "build after a new page"
files=$(( (n + 5) / 5 ))
locs $(seq -f 'public/sitemap-%g.xml' 1 "$files") | sort > "$T/split2"
assert_eq "$(wc -l < "$T/split2")" "$((n + 1))" "every URL once after a new page"
grep -q "/news/split-extra/" "$T/split2" || fail "the new page is not in a sitemap"
rm -rf "$T/full" && "$KILN" build --full --out "$T/full" >/dev/null || fail "full build"
same_output public "$T/full" > "$T/diff" 2>&1 || { head "$T/diff"; fail "incremental differs from full (new page)"; }

# back under the limit: one sitemap.xml, the numbered files gone
unset KILN_TEST_SITEMAP_URLS
"$KILN" build >/dev/null || fail "build without the hook"
assert_eq "$(locs public/sitemap.xml | wc -l)" "$((n + 1))" "one sitemap again"
assert_no_file public/sitemap-1.xml
jq -e '.files | map(.path) | index("sitemap-1.xml") == null' public/.kiln/manifest.json >/dev/null ||
    fail "the manifest still lists sitemap-1.xml"
pass "a site back under the limit has one sitemap, the numbered ones gone"
