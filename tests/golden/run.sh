#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh KILN DIR: run every golden case under DIR.  A case is a folder
# holding `cmd` (a shell script, run with $KILN set, in a scratch copy of
# the case folder) and any of `stdout`, `stderr` (expected output, exact)
# and `status` (expected exit code, default 0).  `$CASE` in expected files
# is not substituted: cases must print paths relative to their folder.
KILN=$1
DIR=$2
export KILN
GOLDEN_DIR=$DIR
export GOLDEN_DIR
pass=0
fail=0
for cmd in $(find "$DIR" -name cmd -type f | sort); do
	case_dir=$(dirname "$cmd")
	name=${case_dir#"$DIR"/}
	work=$(mktemp -d /tmp/kiln-golden-XXXXXX)
	cp -R "$case_dir"/. "$work"/
	(cd "$work" && sh ./cmd >"$work/.out" 2>"$work/.err"; echo $? >"$work/.status")
	ok=1
	want_status=0
	[ -f "$case_dir/status" ] && want_status=$(cat "$case_dir/status")
	got_status=$(cat "$work/.status")
	if [ "$got_status" != "$want_status" ]; then
		echo "# $name: exit status $got_status, expected $want_status"
		ok=0
	fi
	for s in stdout stderr; do
		f=.out; [ $s = stderr ] && f=.err
		if [ -f "$case_dir/$s" ] && ! cmp -s "$case_dir/$s" "$work/$f"; then
			echo "# $name: $s differs:"
			diff -u "$case_dir/$s" "$work/$f" | sed 's/^/#   /' | head -40
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		pass=$((pass + 1)); echo "ok - $name"
	else
		fail=$((fail + 1)); echo "not ok - $name"
	fi
	rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
