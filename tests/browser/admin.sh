#!/bin/bash
# SPDX-License-Identifier: ISC
# browser/admin: the web admin in a real browser (issue #14): Debian's
# Chromium driven by playwright-core, axe-core on every screen.  This
# wrapper makes a site with an editor and a publisher, starts kiln serve
# with a dir target and the clock held (KILN_NOW), and runs admin.cjs.
# KILN_SCREENSHOTS=DIR saves the screens there (docs/admin/ holds them).
. "$KILN_SRC/tests/integration/lib.sh"
fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/serve.log" ] && grep -v '^kiln serve: build' "$T/serve.log" | tail -40 >&2
	exit 1
}
[ -x /usr/bin/chromium ] || fail "chromium is not installed (scripts/deps --test)"
[ -d "$KILN_SRC/tests/node_modules/playwright-core" ] || fail "playwright-core missing (scripts/deps --test)"
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
echo 'edit-secret-2' | "$KILN" user add bob --role editor >/dev/null
echo 'pub-secret-1' | "$KILN" user add alice --role publisher >/dev/null
"$KILN" publish --wait >/dev/null || fail "first build"
NOW=$(date -u +%Y-%m-%dT%H:%M:00Z)
PORT=$(free_port)
KILN_NOW=$NOW "$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
bg_pid $!
wait_port $PORT
mkdir -p "$T/shots"
BASE=http://127.0.0.1:$PORT SITE=$T/site NOW=$NOW PROFILE=$T/profile \
    SHOTS=${KILN_SCREENSHOTS:-$T/shots} \
    node "$KILN_SRC/tests/browser/admin.cjs" || fail "the browser test failed"
