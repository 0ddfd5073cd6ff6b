# SPDX-License-Identifier: ISC
# lib/git.sh: git remotes for history tests (sourced after lib.sh).
#   git_bare NAME           -> creates $T/NAME.git, prints its path
#   git_daemon_start DIR    -> serves DIR's repositories on git://127.0.0.1
#                              (push enabled); sets GIT_DAEMON_PORT
#   git_daemon_stop

git_bare() {
	git init -q --bare "$T/$1.git"
	echo "$T/$1.git"
}

git_daemon_start() {
	GIT_DAEMON_PORT=$(free_port)
	git daemon --reuseaddr --export-all --enable=receive-pack \
	    --base-path="$1" --listen=127.0.0.1 --port="$GIT_DAEMON_PORT" \
	    "$1" >"$T/git-daemon.log" 2>&1 &
	GIT_DAEMON_PID=$!
	bg_pid "$GIT_DAEMON_PID"
	wait_port "$GIT_DAEMON_PORT"
}

git_daemon_stop() {
	kill "$GIT_DAEMON_PID" 2>/dev/null || true
	wait "$GIT_DAEMON_PID" 2>/dev/null || true
}
