# SPDX-License-Identifier: ISC
# http_lib.sh: sourced by the hostile cases that attack `kiln serve`,
# after tests/integration/lib.sh.  A demo site published once, a
# publisher token, the daemon on a free port, and a digest of the
# content so a case can check that nothing changed.
hostile_site() {
	cd "$T"
	"$KILN" init site --demo >/dev/null
	cd site
	sed -i 's/^  # webhook_secret_env: KILN_HOOK_SECRET.*/  webhook_secret_env: KILN_HOOK_SECRET/' kiln.yaml
	export KILN_HOOK_SECRET=hostile-hook-secret
	"$KILN" publish --wait >/dev/null 2>&1 || fail "first build"
	TOK=$("$KILN" token create --name hostile --role publisher)
	AUTH=(-H "Authorization: Bearer $TOK")
}
hostile_serve() {
	PORT=$(free_port)
	API=http://127.0.0.1:$PORT
	"$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
	SERVE=$!
	bg_pid $SERVE
	wait_port $PORT
}
# the content and the build requests, not the daemon's own bookkeeping
content_digest() {
	sqlite3 .kiln/kiln.db "select * from pages order by id; select * from revisions order by id; select count(*) from build_requests" | sha256sum
}
# code ARGS...: the status of a curl call; the body in $T/body
code() { curl -s -m 10 -o "$T/body" -w '%{http_code}' "$@" || true; }
# expect_json_error STATUS WHAT CURL-ARGS...: that status, a JSON error
expect_json_error() {
	local want=$1 what=$2 got
	shift 2
	got=$(code "$@")
	[ "$got" = "$want" ] || fail "$what: got $got, expected $want: $(head -c 300 "$T/body")"
	jq -e '.error | strings' "$T/body" >/dev/null || fail "$what: no JSON error body: $(head -c 300 "$T/body")"
}
# the daemon is alive and answering
still_up() {
	kill -0 "$SERVE" 2>/dev/null || fail "kiln serve died"
	[ "$(code "$API/healthz")" = 200 ] || fail "/healthz does not answer"
}
