#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_grace.sh: a fingerprinted asset no longer named by the build
# stays in the target for delete_grace (old cached pages may still name
# it) and goes on the first deploy after the grace; a removed page goes
# at once.  The clock is moved with KILN_NOW.  Uses the dir target, which
# has the same semantics as a bucket.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site --demo >/dev/null
cd site
sed -i 's|^    path: .kiln/www|    path: .kiln/www\n    delete_grace: 1h|' kiln.yaml
"$KILN" build >/dev/null && "$KILN" deploy >/dev/null 2>&1 || fail "first deploy"
old=$(cd .kiln/www && ls css/site.*.css)
printf '\nbody { color: #000; }\n' >> static/css/site.css
"$KILN" page unpublish news/park-awards >/dev/null
"$KILN" build >/dev/null
out=$("$KILN" deploy --json 2>/dev/null) || fail "deploy after the change"
assert_eq "$(echo "$out" | jq .deferred)" 1 "asset deletion deferred"
assert_file ".kiln/www/$old"
assert_no_file .kiln/www/news/park-awards/index.html
new=$(cd .kiln/www && ls css/site.*.css | grep -v "$old")
grep -q "$new" .kiln/www/index.html || fail "pages do not name the new asset"
# within the grace: still there
KILN_NOW=2026-11-24T12:59:00Z "$KILN" deploy >/dev/null 2>&1 || fail "deploy in the grace"
assert_file ".kiln/www/$old"
# after it: deleted
out=$(KILN_NOW=2026-11-24T13:00:01Z "$KILN" deploy --json 2>/dev/null) || fail "deploy after the grace"
assert_eq "$(echo "$out" | jq .deleted)" 1 "asset deleted after the grace"
assert_no_file ".kiln/www/$old"
pass "delete grace for fingerprinted assets"
