#!/bin/bash
# SPDX-License-Identifier: ISC
# browser/theme: the default theme's pages that issue #15 added, in
# Debian's Chromium with axe-core: a Hugo site (tests/corpus/hugo-site)
# imported and built, its home page with the menu nav (nested entries),
# a page with its tag and category links, /tags/, a term page (and an
# alias page redirects to its page); and the demo site's pages with tags.  No serious or
# critical violation on any of them.
. "$KILN_SRC/tests/integration/lib.sh"
[ -x /usr/bin/chromium ] || fail "chromium is not installed (scripts/deps --test)"
[ -d "$KILN_SRC/tests/node_modules/playwright-core" ] || fail "playwright-core missing (scripts/deps --test)"
cd "$T"
export KILN_NOW=2026-11-24T12:00:00Z
"$KILN" init site >/dev/null
cd site
"$KILN" import "$KILN_SRC/tests/corpus/hugo-site" >/dev/null 2>&1 || fail "import"
"$KILN" build >/dev/null || fail "build"
cd "$T"
"$KILN" init demo --demo >/dev/null
(cd demo && "$KILN" build >/dev/null) || fail "demo build"
PORT=$(free_port)
DPORT=$(free_port)
$PY -m http.server --bind 127.0.0.1 --directory "$T/site/public/" "$PORT" >"$T/http.log" 2>&1 &
bg_pid $!
$PY -m http.server --bind 127.0.0.1 --directory "$T/demo/public/" "$DPORT" >"$T/dhttp.log" 2>&1 &
bg_pid $!
wait_port "$PORT"
wait_port "$DPORT"
BASE=http://127.0.0.1:$PORT DEMO=http://127.0.0.1:$DPORT PROFILE=$T/profile \
    node "$KILN_SRC/tests/browser/theme.cjs" || fail "the browser test failed"
