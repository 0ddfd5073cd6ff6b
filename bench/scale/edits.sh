# SPDX-License-Identifier: ISC
# bench/scale/edits.sh: sourced by worker-edits.sh and worker-callgrind.sh
# in the kiln folder of a site bench/scale/run.sh kept; $kiln is the
# binary.  idle: no build requested or running.  edit TEXT N: page
# s3/page-N's body set to TEXT and published.
idle() {
	[ "$(sqlite3 .kiln/kiln.db "select (select count(*) from build_requests
	    where build_id is null) + (select count(*) from builds where
	    status = 'running')")" = 0 ]
}
edit() {
	printf 'Edited body %s.\n' "$1" > ../worker-edit.md
	"$kiln" page edit "s3/page-$2" --body-file ../worker-edit.md \
	    --publish >/dev/null
}
