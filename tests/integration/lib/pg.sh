# SPDX-License-Identifier: ISC
# pg.sh: a throw-away PostgreSQL 15 for one test, no system service.
#
#	pg_start [DIR]	initdb + pg_ctl start in DIR (default $T/pg) on a
#			free port; sets PGPORT, PGHOST (the socket folder),
#			PG_URL (postgresql://kiln@127.0.0.1:PORT/kiln) and
#			PGPASSWORD; registers pg_stop for the cleanup trap
#	pg_stop		stop it (fast shutdown)
#	pg_restart	stop and start the same cluster (same port)
#	pg_psql SQL	run SQL as the kiln user, print tuples only
#
# initdb refuses to run as root: as root the cluster belongs to the
# `postgres` user (made by Debian's postgresql package) or `nobody`, and
# the commands run through runuser.  Nothing is left outside DIR.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PG_DIR=${1:-$T/pg}
	[ -n "$PG_BIN" ] || fail "PostgreSQL is not installed (postgresql)"
	PG_USER=postgres
	id "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
	mkdir -p "$PG_DIR"
	# the cluster's user must reach DIR through $T (mktemp made it 700)
	[ "$(id -u)" = 0 ] && chmod o+x "$T" "$(dirname "$PG_DIR")"
	PGPORT=$(free_port)
	PGHOST=$PG_DIR
	PGPASSWORD=kiln-test-pw
	export PGPORT PGHOST PGPASSWORD
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_DIR"
	chmod 700 "$PG_DIR"
	echo "$PGPASSWORD" > "$PG_DIR/pw"
	[ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_DIR/pw"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U kiln -A scram-sha-256 \
	    --pwfile="$PG_DIR/pw" -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
	    { cat "$PG_DIR/initdb.log" >&2; fail "initdb failed"; }
	rm -f "$PG_DIR/pw"
	pg_ctl_start
	PG_URL="postgresql://kiln@127.0.0.1:$PGPORT/kiln"
	pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U kiln kiln ||
	    fail "createdb failed"
	pg_stop_hook
}

pg_ctl_start() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
	    -t 60 -o "-k $PG_DIR -p $PGPORT -c listen_addresses=127.0.0.1 \
	    -c fsync=off -c max_connections=200" start >/dev/null ||
	    { cat "$PG_DIR/server.log" >&2; fail "pg_ctl start failed"; }
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop \
	    >/dev/null 2>&1 || true
}

pg_restart() {
	pg_stop
	pg_ctl_start
}

# chain pg_stop before lib.sh's cleanup (which removes $T)
pg_stop_hook() {
	eval "pg_prev_cleanup() $(declare -f cleanup | tail -n +2)"
	cleanup() { pg_stop; pg_prev_cleanup; }
}

pg_psql() {
	PGPASSWORD=$PGPASSWORD "$PG_BIN/psql" -X -q -t -A -h 127.0.0.1 \
	    -p "$PGPORT" -U kiln -d kiln -c "$1"
}

# pg_use_store: the site in this folder (kiln init's kiln.yaml) uses the
# PostgreSQL started by pg_start as its store; its SQLite store goes
pg_use_store() {
	rm -f .kiln/kiln.db*
	sed -i "s|^  driver: sqlite .*|  driver: postgres\n  url: \"$PG_URL\"|" kiln.yaml
	grep -q '^  driver: postgres' kiln.yaml || fail "kiln.yaml: no store driver to switch"
}
