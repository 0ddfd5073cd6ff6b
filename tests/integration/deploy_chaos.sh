#!/bin/bash
# SPDX-License-Identifier: ISC
# deploy_chaos.sh: the deployed-state invariant under random failures
# (issue #12 §1).  TRIALS (default 50) trials on a 20-page site behind
# the SigV4 gateway and a purge endpoint; each trial edits, reverts,
# unpublishes or republishes pages (now and then the style sheet, which
# changes every page and a fingerprinted asset), builds, and deploys
# under one of:
#   kill  - the gateway holds the deploy's Nth PUT or DELETE (N random;
#           before or after s3rver did it) and the test kills kiln -9;
#   s3    - 500, 503 SlowDown, 429 and dropped connections (before or
#           after s3rver did the request) at 5% of requests, 2 attempts;
#   cdn   - the purge endpoint answers 503.
# Then a deploy with nothing failing must succeed, and leave the bucket
# equal to the build byte for byte (read back with the AWS CLI), and the
# CDN must have been told of every page URL whose object changed since
# the last check.  The seed is printed; SEED=N replays a run (the order
# of concurrent requests aside).
. "$KILN_SRC/tests/integration/lib.sh"
. "$KILN_SRC/tests/integration/lib/s3.sh"
. "$KILN_SRC/tests/integration/lib/purge.sh"
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
TRIALS=${TRIALS:-50}
echo "deploy_chaos: SEED=$SEED TRIALS=$TRIALS (SEED=$SEED replays)"
RANDOM=$SEED
s3_start www
purge_start
"$KILN_SRC/bench/render/gen-corpus.sh" 20 "$T/content" >/dev/null
"$KILN" init "$T/site" >/dev/null
cd "$T/site"
s3_add_target "    concurrency: 4
    delete_grace: 0s
    max_deletes: 10000
    cdn:
      type: purge
      urls: [\"$PURGE_URL\"]"
"$KILN" import "$T/content" >/dev/null
"$KILN" build >/dev/null
"$KILN" deploy --target prod >/dev/null 2>&1 || fail "first deploy"
export KILN_S3_BACKOFF_MS=1
pages=$("$KILN" page list --json | jq -r '.[].path' | grep '/page-' | sort)
npages=$(echo "$pages" | wc -l)
[ "$npages" -ge 20 ] || fail "the corpus has $npages pages"
mkdir -p "$T/orig"
for p in $pages; do	# the body as imported: after the front matter
	awk 'n >= 2; /^---$/ { n++ }' "$T/content/$p.md" > "$T/orig/${p//\//_}"
done
css=$(ls static/css/*.css | head -1)
cp "$css" "$T/orig.css"

# the bucket as the CDN last saw it, and the manifest of that build
# the AWS CLI, started once (lib/aws_batch.py): it takes seconds to start;
# it reads s3rver itself, the gateway's checks are for kiln's requests
coproc AWSB { $PY "$KILN_SRC/tests/integration/lib/aws_batch.py" "$S3_DIRECT" 2>>"$T/aws.log"; }
bg_pid $AWSB_PID
readback() {	# readback DIR: the whole bucket, with the AWS CLI
	local rc
	rm -rf "$1"
	mkdir -p "$1"
	printf '["s3", "cp", "--recursive", "--quiet", "s3://www", "%s"]\n' "$1" >&"${AWSB[1]}"
	read -r -t 120 rc <&"${AWSB[0]}" || fail "the AWS CLI did not answer"
	[ "$rc" = 0 ] || fail "aws s3 cp exited $rc: $(tail -5 "$T/aws.log")"
}
readback "$T/seen"
cp public/.kiln/manifest.json "$T/seen.manifest"

pick_page() { echo "$pages" | sed -n "$(( RANDOM % npages + 1 ))p"; }
mutate() {	# one random change of the content
	local p f
	p=$(pick_page)
	f=$T/orig/${p//\//_}
	case $(( RANDOM % 10 )) in
	0|1|2|3)
		printf '%s\n\nEdit %s.\n' "$(cat "$f")" "$RANDOM" > "$T/body"
		"$KILN" page edit "$p" --body-file "$T/body" --publish >/dev/null
		echo "edit $p" ;;
	4|5)
		"$KILN" page edit "$p" --body-file "$f" --publish >/dev/null
		echo "revert $p" ;;
	6|7)
		"$KILN" page unpublish "$p" >/dev/null 2>&1 || true
		echo "unpublish $p" ;;
	8)
		"$KILN" page publish "$p" >/dev/null 2>&1 || true
		echo "publish $p" ;;
	9)
		if [ $(( RANDOM % 2 )) = 0 ]; then
			printf '\n/* %s */\n' "$RANDOM" >> "$css"
			echo "style sheet edited"
		else
			cp "$T/orig.css" "$css"
			echo "style sheet reverted"
		fi ;;
	esac
}

# every page URL whose object changed since the last check was purged
check_cdn() {
	$PY - "$T/seen" "$T/now" "$T/seen.manifest" public/.kiln/manifest.json \
	    "$PURGE_LOG" <<'PY'
import json, os, sys
seen, now, m0, m1, log = sys.argv[1:]
kinds = {}
for m in (m0, m1):
    for f in json.load(open(m))["files"]:
        kinds[f["path"]] = f["kind"]
def files(d):
    out = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            out[os.path.relpath(p, d)] = open(p, "rb").read()
    return out
a, b = files(seen), files(now)
purged = set(l.split(" ", 1)[1].rstrip("\n") for l in open(log))
missing = []
for k in sorted(set(a) | set(b)):
    if a.get(k) == b.get(k) or kinds.get(k) not in ("html", "feed"):
        continue
    url = "/" + k
    if url.endswith("index.html"):
        url = url[:-len("index.html")]
    if url not in purged:
        missing.append(url)
if missing:
    print("not purged: " + " ".join(missing))
    sys.exit(1)
PY
}

declare -A modes
echo "set up in ${SECONDS}s"
for trial in $(seq 1 "$TRIALS"); do
	for k in $(seq 0 $(( RANDOM % 2 ))); do mutate >> "$T/trials.log"; done
	"$KILN" build >/dev/null 2>&1 || fail "trial $trial: build"
	case $(( RANDOM % 3 )) in
	0)	# kill at the Nth mutating request
		mode=kill
		total=$("$KILN" deploy --target prod --dry-run --json | jq '([.plan[0].phases[].objects] | add) + (.plan[0].deletes | length) + 1')
		n=$(( RANDOM % total + 1 ))
		after=$([ $(( RANDOM % 2 )) = 0 ] && echo true || echo false)
		rm -f "$S3_STATE/held" "$S3_STATE/release"
		s3_faults "[{\"hold_at\": $n, \"id\": \"t$trial\", \"after_upstream\": $after}]"
		"$KILN" deploy --target prod >/dev/null 2>&1 &
		pid=$!
		s3_wait_held $pid || true
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		touch "$S3_STATE/release"
		mode="kill@$n/$total after=$after" ;;
	1)	# S3 faults at 5% of requests
		mode=s3
		s3_faults "[{\"prob\": 0.05, \"seed\": $(( SEED * 100 + trial )), \"choices\": [{\"status\": 500}, {\"status\": 503, \"code\": \"SlowDown\"}, {\"status\": 429, \"code\": \"TooManyRequests\"}, {\"reset\": true}, {\"reset_after\": true}]}]"
		KILN_S3_MAX_ATTEMPTS=2 "$KILN" deploy --target prod >/dev/null 2>&1 || mode="s3 (failed)" ;;
	2)	# the CDN is down
		mode=cdn
		purge_down
		"$KILN" deploy --target prod >/dev/null 2>&1 && mode="cdn (nothing to purge)"
		purge_up ;;
	esac
	m=${mode%%[ @]*}
	modes[$m]=$(( ${modes[$m]:-0} + 1 ))
	rm -f "$S3_STATE/faults.json"
	echo "trial $trial: $mode" >> "$T/trials.log"
	"$KILN" deploy --target prod >"$T/out" 2>&1 ||
	    { cat "$T/trials.log" "$T/out"; fail "trial $trial ($mode, SEED=$SEED): the deploy after it failed"; }
	readback "$T/now"
	diff -r -x .kiln public "$T/now" > "$T/diff" ||
	    { cat "$T/trials.log" "$T/diff"; fail "trial $trial ($mode, SEED=$SEED): the bucket differs from the build"; }
	# and its manifest, a head and shards (decision 0370), is the build's
	( manifest_held "$T/now" public ) ||
	    { cat "$T/trials.log"; fail "trial $trial ($mode, SEED=$SEED): the bucket's manifest is not the build's"; }
	check_cdn > "$T/cdn" ||
	    { cat "$T/trials.log" "$T/cdn"; fail "trial $trial ($mode, SEED=$SEED): the CDN was not told"; }
	purge_clear
	rm -rf "$T/seen"
	mv "$T/now" "$T/seen"
	cp public/.kiln/manifest.json "$T/seen.manifest"
done
echo "trials done at ${SECONDS}s"
summary=""
for m in "${!modes[@]}"; do summary="$summary $m=${modes[$m]}"; done
pass "$TRIALS trials (SEED=$SEED:$summary): the bucket equals the build and the CDN was told every time"
