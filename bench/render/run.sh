#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/render/run.sh [N]: build the same N-page corpus (default 10,000)
# with kiln and with Hugo in one run; print wall time, peak RSS and the
# ratios for a full build and for a build after a 1-page edit.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
work=/tmp/kiln-bench-render
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
kiln=$here/build-rel/kiln
rm -rf "$work" && mkdir -p "$work"
"$here/bench/render/gen-corpus.sh" "$n" "$work/content" >/dev/null

# time_of CMD...: "SECONDS RSS_MB" of one run (GNU time)
time_of() {
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
	awk '{ printf "%.3f %.0f\n", $1, $2 / 1024 }' "$work/time"
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
(cd "$work/kiln" && "$kiln" import "$work/content" >/dev/null)
k_full=$(cd "$work/kiln" && time_of "$kiln" build --full)
(cd "$work/kiln" && printf 'Edited body.\n' > "$work/edit.md" &&
    "$kiln" page edit s3/page-3 --body-file "$work/edit.md" --publish >/dev/null)
k_inc=$(cd "$work/kiln" && time_of "$kiln" build)

# Hugo: the same pages with equivalent templates
cp -R "$here/bench/render/hugo-site" "$work/hugo"
ln -s "$work/content" "$work/hugo/content"
h_full=$(cd "$work/hugo" && time_of hugo --quiet -d "$work/hugo-out")
printf 'Edited body.\n' >> "$work/content/s3/page-3.md"
h_inc=$(cd "$work/hugo" && time_of hugo --quiet -d "$work/hugo-out")

set -- $k_full; kf=$1; kfm=$2
set -- $k_inc; ki=$1; kim=$2
set -- $h_full; hf=$1; hfm=$2
set -- $h_inc; hi=$1; him=$2
printf '%-28s %10s %10s %10s\n' "$n pages" "kiln" "hugo" "hugo/kiln"
printf '%-28s %9ss %9ss %9.1fx\n' "full build (wall)" "$kf" "$hf" "$(echo "$hf / $kf" | bc -l)"
printf '%-28s %8sMB %8sMB %9.1fx\n' "full build (peak RSS)" "$kfm" "$hfm" "$(echo "$hfm / $kfm" | bc -l)"
printf '%-28s %9ss %9ss %9.1fx\n' "after a 1-page edit (wall)" "$ki" "$hi" "$(echo "$hi / $ki" | bc -l)"
