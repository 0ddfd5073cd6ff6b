#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/scale/worker-callgrind.sh SITE KILN [N [OUT]]: the instructions
# of N (default 5) 1-page edit builds of one `kiln worker` under
# `valgrind --tool=callgrind`, on a site bench/scale/run.sh kept (KEEP=1;
# SITE is its kiln folder), with worker-edits.sh's edits.  The counters
# are zeroed after the worker's first build and two edit builds and
# dumped after the N measured ones (OUT.1, default
# /tmp/kiln-callgrind.out.1: `callgrind_annotate --inclusive=yes` it).
# Instructions do not change with the machine's load, where CPU time
# does; callgrind runs SHA-256 without the CPU's SHA instructions, so
# hashing weighs more here than in CPU time.
set -eu
site=$1
kiln=$2
n=${3:-5}
out=${4:-/tmp/kiln-callgrind.out}
here=$(cd "$(dirname "$0")" && pwd)
cd "$site"
. "$here/edits.sh"
rm -f "$out" "$out.1"
valgrind --tool=callgrind --callgrind-out-file="$out" "$kiln" worker \
    >../worker-callgrind.log 2>&1 &
wpid=$!
trap 'kill $wpid 2>/dev/null || true' EXIT
sleep 2
"$kiln" publish >/dev/null 2>&1
until idle; do sleep 0.2; done
edit "c0-$$" 23
until idle; do sleep 0.2; done
edit "c1-$$" 43
until idle; do sleep 0.2; done
callgrind_control -z $wpid >/dev/null
i=1
while [ "$i" -le "$n" ]; do
	edit "c$i-$$" $((3 + 20 * (i % 400)))
	until idle; do sleep 0.2; done
	i=$((i + 1))
done
callgrind_control -d $wpid >/dev/null
sleep 1
kill -INT $wpid; wait $wpid 2>/dev/null || true
trap - EXIT
ir=$(awk '/^summary:/ { print $2; exit }' "$out.1")
echo "$(( ir / n / 1000000 )) M instructions an edit build ($n builds; $out.1) | load $(cut -d' ' -f1 /proc/loadavg)"
