#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_s3_aliases.sh: issue #15 item 1 on a real S3 server (s3rver
# behind the SigV4-checking gateway).  A page's aliases become redirect
# pages whose objects carry x-amz-website-redirect-location (read back
# with HEAD); deploying the same build again uploads nothing (the
# redirect survives the target's state); moving the page changes the
# redirect, and only the redirect pages, the moved page and the pages
# that list it are uploaded again; an alias removed is deleted.
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"

s3_start www
cd "$T"
"$KILN" init site >/dev/null
cd site
s3_add_target
mkdir -p "$T/in/news"
printf -- '---\ntitle: Home\n---\nhi\n' > "$T/in/_index.md"
printf -- '---\ntitle: A\naliases: [/old/a/, a-old.html]\n---\na\n' > "$T/in/news/a.md"
printf -- '---\ntitle: B\n---\nb\n' > "$T/in/news/b.md"
"$KILN" import "$T/in" >/dev/null 2>&1 || fail "import"
"$KILN" build >/dev/null || fail "build"
assert_eq "$(jq -r '.files[] | select(.path=="old/a/index.html") | .redirect' public/.kiln/manifest.json)" "/news/a/" "manifest redirect"
assert_eq "$(jq -r '[.files[] | select(.redirect)] | length' public/.kiln/manifest.json)" 2 "redirect entries"
"$KILN" deploy --target prod >"$T/out1" 2>&1 || { cat "$T/out1"; fail "first deploy"; }
meta=$(aws_s3 s3api head-object --bucket www --key old/a/index.html)
assert_eq "$(echo "$meta" | jq -r .WebsiteRedirectLocation)" "/news/a/" "x-amz-website-redirect-location"
assert_eq "$(echo "$meta" | jq -r .ContentType)" "text/html; charset=utf-8" "Content-Type"
meta=$(aws_s3 s3api head-object --bucket www --key news/a-old.html)
assert_eq "$(echo "$meta" | jq -r .WebsiteRedirectLocation)" "/news/a/" "relative .html alias"
meta=$(aws_s3 s3api head-object --bucket www --key news/b/index.html)
assert_eq "$(echo "$meta" | jq -r '.WebsiteRedirectLocation // "none"')" "none" "a page has no redirect"
aws_s3 s3 cp s3://www/old/a/index.html "$T/got.html" >/dev/null
assert_contains "$(cat "$T/got.html")" 'http-equiv="refresh" content="0; url=/news/a/"' "redirect page body"
pass "alias objects carry the redirect header"

# the same build again: nothing to upload
s3_reset_counts
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "second deploy"
assert_eq "$(s3_count PUT)" 0 "PUTs of an unchanged build"
pass "an unchanged redirect is no change"

# the page moves (url): its redirects change; one alias is dropped
printf -- '---\ntitle: A\nurl: /articles/a/\naliases: [/old/a/]\n---\na\n' > "$T/in/news/a.md"
"$KILN" import "$T/in" --prune >/dev/null 2>&1 || fail "re-import"
"$KILN" build >/dev/null || fail "build 2"
"$KILN" deploy --target prod >"$T/out3" 2>&1 || { cat "$T/out3"; fail "third deploy"; }
meta=$(aws_s3 s3api head-object --bucket www --key old/a/index.html)
assert_eq "$(echo "$meta" | jq -r .WebsiteRedirectLocation)" "/articles/a/" "redirect moved"
if aws_s3 s3api head-object --bucket www --key news/a-old.html >/dev/null 2>&1; then
	fail "a dropped alias is still in the bucket"
fi
pass "a moved page's redirect follows it; a dropped alias is deleted"
