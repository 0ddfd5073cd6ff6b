#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/deploy/run.sh [N]: requests (by kind) and wall time of kiln deploy,
# aws s3 sync, rclone sync --checksum and s3cmd sync against the same
# s3rver (behind the SigV4-checking, request-counting gateway of the
# tests), for: the first deploy of an N-page site (default 10,000), a
# 1-page edit, and 10 deleted pages.  Each tool has its own bucket.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$here/build-rel" -j2 --target kiln >/dev/null
export KILN=$here/build-rel/kiln KILN_SRC=$here
. "$here/tests/integration/lib.sh"
. "$here/tests/integration/lib/s3.sh"
s3_start kiln aws rclone s3cmd
"$here/bench/render/gen-corpus.sh" "$n" "$T/content" >/dev/null
"$KILN" init "$T/site" >/dev/null
cd "$T/site"
sed -i "/^    path: .kiln\/www/a\\
  bench:\\
    type: s3\\
    bucket: kiln\\
    endpoint: $S3_ENDPOINT\\
    path_style: true\\
    concurrency: 16\\
    max_deletes: 100000" kiln.yaml
"$KILN" import "$T/content" >/dev/null
"$KILN" build >/dev/null
host=${S3_ENDPOINT#http://}
cat > "$T/s3cfg" <<CFG
[default]
access_key = S3RVER
secret_key = S3RVER
host_base = $host
host_bucket = $host
use_https = False
signature_v2 = False
CFG
export RCLONE_CONFIG_B_TYPE=s3 RCLONE_CONFIG_B_PROVIDER=Other \
    RCLONE_CONFIG_B_ENDPOINT=$S3_ENDPOINT RCLONE_CONFIG_B_ACCESS_KEY_ID=S3RVER \
    RCLONE_CONFIG_B_SECRET_ACCESS_KEY=S3RVER RCLONE_CONFIG_B_FORCE_PATH_STYLE=true \
    RCLONE_CONFIG_B_REGION=us-east-1

# stage the site for the peers (they sync a folder; kiln's state folder
# is left out)
stage() { rm -rf "$T/pub" && rsync -a --exclude .kiln public/ "$T/pub/"; }

row() {	# row SCENARIO TOOL CMD...
	local sc=$1 tool=$2; shift 2
	s3_reset_counts
	local t0=$(date +%s.%N)
	"$@" >"$T/$tool.log" 2>&1 || { echo "$tool failed:"; tail -5 "$T/$tool.log"; }
	local t1=$(date +%s.%N)
	printf '%-14s %-8s %7s %6s %6s %6s %6s %6s %8.2f\n' "$sc" "$tool" \
	    "$(s3_count PUT)" "$(s3_count GET)" "$(s3_count HEAD)" \
	    "$(s3_count LIST)" "$(s3_count DELETE)" "$(s3_count POST)" "$(echo "$t1 - $t0" | bc)"
}

scenario() {
	stage
	row "$1" kiln "$KILN" deploy --target bench --allow-deletes
	row "$1" aws /usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 sync "$T/pub" s3://aws --delete --only-show-errors
	row "$1" rclone env -u AWS_CA_BUNDLE rclone sync --checksum --transfers 16 "$T/pub" B:rclone
	row "$1" s3cmd s3cmd -c "$T/s3cfg" sync --delete-removed --no-progress "$T/pub/" s3://s3cmd/
}

printf '%-14s %-8s %7s %6s %6s %6s %6s %6s %8s\n' scenario tool PUT GET HEAD LIST DELETE POST seconds
scenario "first deploy"
printf 'Edited body.\n' > "$T/e.md"
"$KILN" page edit s3/page-3 --body-file "$T/e.md" --publish >/dev/null
"$KILN" build >/dev/null
scenario "1-page edit"
for i in 20 40 60 80 100 120 140 160 180 200; do
	"$KILN" page unpublish "s0/page-$i" >/dev/null
done
"$KILN" build >/dev/null
scenario "10 deleted"
