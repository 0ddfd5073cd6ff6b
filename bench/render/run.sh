#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/render/run.sh [N]: build the same N-page corpus (default 10,000)
# with kiln and with Hugo in one run; print wall time, peak RSS and the
# ratios for a full build and for builds after 1-page edits.
#
# Each full build runs twice: writing to tmpfs (/dev/shm), which measures
# the tools, and writing to the disk under /tmp, which adds the file
# system's cost of creating ~11,000 folders and files (on this machine's
# virtual disk that cost varies from 0.5 s to 5 s between runs).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
edits=${EDITS:-5}
work=/tmp/kiln-bench-render
shm=/dev/shm/kiln-bench-render
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
kiln=$here/build-rel/kiln
rm -rf "$work" "$shm" && mkdir -p "$work" "$shm"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null

# time_of CMD...: "SECONDS RSS_MB" of one run (GNU time)
time_of() {
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
	awk '{ printf "%.3f %.0f\n", $1, $2 / 1024 }' "$work/time"
}
# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() {
	echo "$1 $2" | awk '{ printf "%.1fx", $1 / $2 }'
}

# kiln: a site with the bench theme and one collection for the home page
"$kiln" init "$work/kiln" >/dev/null
rm -rf "$work/kiln/templates" && cp -R "$here/bench/render/kiln-theme/templates" "$work/kiln/"
/usr/bin/python3 - "$work/kiln/kiln.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(?ms)^collections:.*?(?=^targets:)",
           "collections:\n  latest:\n    section: s0\n    limit: 5\n\n", s)
open(p, "w").write(s)
PY
cd "$work/kiln"
"$kiln" import "$work/content" >/dev/null
sync
k_shm=$(time_of "$kiln" build --full --out "$shm/kiln")
sync
k_disk=$(time_of "$kiln" build --full)

# edits: the first build after a full build also fills the second output
# slot (one link per file); the following ones are the steady state
edit() {
	printf 'Edited body %s.\n' "$1" > "$work/edit.md"
	"$kiln" page edit "s3/page-$2" --body-file "$work/edit.md" --publish >/dev/null
}
edit 0 3
k_first=$(time_of "$kiln" build)
# edit builds in milliseconds: wall (fork to exit) and the build's own
# figure ("... in N ms"); peak RSS from GNU time on one more
: > "$work/edits"
i=1
while [ "$i" -le "$edits" ]; do
	edit "$i" $((3 + 20 * i))
	t0=$(date +%s%N)
	"$kiln" build > "$work/out"
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) $(sed -n 's/.* in \([0-9]*\) ms$/\1/p' "$work/out")" >> "$work/edits"
	i=$((i + 1))
done
k_edit_ms=$(cut -d' ' -f1 "$work/edits" | median)
k_edit_own=$(cut -d' ' -f2 "$work/edits" | median)
edit x 3
k_edit_rss=$(time_of "$kiln" build | cut -d' ' -f2)

# Hugo: the same pages with equivalent templates
cp -R "$here/bench/render/hugo-site" "$work/hugo"
ln -s "$work/content" "$work/hugo/content"
cd "$work/hugo"
sync
h_shm=$(time_of hugo --quiet -d "$shm/hugo")
sync
h_disk=$(time_of hugo --quiet -d "$work/hugo-out")
printf 'Edited body.\n' >> "$work/content/s3/page-3.md"
h_edit=$(time_of hugo --quiet -d "$work/hugo-out")
rm -rf "$shm"

set -- $k_shm; ks=$1; ksm=$2
set -- $k_disk; kd=$1
set -- $k_first; kf=$1
set -- $h_shm; hs=$1; hsm=$2
set -- $h_disk; hd=$1
set -- $h_edit; he=$1
printf '%-40s %10s %10s %10s\n' "$n pages" "kiln" "hugo" "hugo/kiln"
printf '%-40s %9ss %9ss %10s\n' "full build to tmpfs (wall)" "$ks" "$hs" "$(ratio "$hs" "$ks")"
printf '%-40s %8sMB %8sMB %10s\n' "full build (peak RSS)" "$ksm" "$hsm" "$(ratio "$hsm" "$ksm")"
printf '%-40s %9ss %9ss %10s\n' "full build to disk (wall)" "$kd" "$hd" "$(ratio "$hd" "$kd")"
printf '%-40s %9ss %10s %10s\n' "first build after an edit (wall)" "$kf" "" ""
he_ms=$(echo "$he" | awk '{ printf "%d", $1 * 1000 }')
printf '%-40s %8sms %8sms %10s\n' "build after a 1-page edit (median of $edits)" "$k_edit_ms" "$he_ms" "$(ratio "$he_ms" "$k_edit_ms")"
printf '%-40s %8sms\n' "  of which the build itself" "$k_edit_own"
printf '%-40s %8sMB\n' "build after a 1-page edit (peak RSS)" "$k_edit_rss"
