# SPDX-License-Identifier: ISC
# lib/purge.sh: a cache purge endpoint that logs (sourced after lib.sh).
#   purge_start      -> purge_server.py on a free port; sets PURGE_URL and
#                       PURGE_LOG (one "PURGE /path" line per purge)
#   purge_down       -> it answers 503 to every purge (the CDN is down)
#   purge_up         -> it accepts purges again
#   purged PATH      -> true when PATH was purged (since purge_clear)
#   purge_clear      -> forget the purges so far
purge_start() {
	local port
	port=$(free_port)
	PURGE_LOG=$T/purges.log
	mkdir -p "$T/purge"
	: > "$PURGE_LOG"
	$PY "$KILN_SRC/tests/integration/lib/purge_server.py" "$port" \
	    "$PURGE_LOG" "$T/purge" >"$T/purge.out" 2>&1 &
	bg_pid $!
	wait_port "$port" 20
	PURGE_URL="http://127.0.0.1:$port"
}
purge_down() { : > "$T/purge/fail"; }
purge_up() { rm -f "$T/purge/fail"; }
purged() { grep -qxF "PURGE $1" "$PURGE_LOG"; }
purge_clear() { : > "$PURGE_LOG"; }
