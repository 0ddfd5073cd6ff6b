# SPDX-License-Identifier: ISC
# lib/s3.sh: a real S3 server for tests (sourced after lib.sh).
#   s3_start BUCKET...   s3rver 3.x on a free port, behind the SigV4-
#                        checking gateway; sets S3_ENDPOINT (the gateway),
#                        S3_DIRECT (s3rver itself), S3_STATE (counts and
#                        fault rules) and the AWS_* variables for S3RVER
#   s3_count KIND        requests of KIND (PUT, GET, LIST, DELETE, HEAD)
#   s3_reset_counts
#   s3_faults JSON       install fault rules (see sigv4_gateway.py)
#   aws_s3 ARGS...       Debian's AWS CLI against the gateway
#   s3_add_target [YAML] target "prod" on bucket www through the gateway,
#                        after the local target of ./kiln.yaml; YAML: more
#                        lines of the target, indented by four spaces
S3RVER_JS=$KILN_SRC/tests/node_modules/s3rver/bin/s3rver.js

s3_start() {
	local sport gport args="" b
	[ -f "$S3RVER_JS" ] || fail "s3rver is not installed: run scripts/deps --test"
	sport=$(free_port)
	mkdir -p "$T/s3data" "$T/s3state"
	# S3_WEBSITE_BUCKETS: buckets with static website hosting (index.html,
	# 404.html), served for Host <bucket>.s3-website-<region>.amazonaws.com
	cat > "$T/website.xml" <<XML
<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
  <ErrorDocument><Key>404.html</Key></ErrorDocument>
</WebsiteConfiguration>
XML
	for b in "$@"; do
		args="$args --configure-bucket $b"
		case " ${S3_WEBSITE_BUCKETS:-} " in
		*" $b "*) args="$args $T/website.xml" ;;
		esac
	done
	node --openssl-legacy-provider "$S3RVER_JS" -d "$T/s3data" \
	    -a 127.0.0.1 -p "$sport" --silent --allow-mismatched-signatures \
	    --no-vhost-buckets $args >"$T/s3rver.log" 2>&1 &
	bg_pid $!
	wait_port "$sport" 30
	gport=$(free_port)
	$PY "$KILN_SRC/tests/integration/lib/sigv4_gateway.py" "$gport" \
	    "$sport" "$T/s3state" >"$T/gateway.log" 2>&1 &
	bg_pid $!
	wait_port "$gport" 30
	S3_ENDPOINT="http://127.0.0.1:$gport"
	S3_DIRECT="http://127.0.0.1:$sport"
	S3_STATE="$T/s3state"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_DEFAULT_REGION=us-east-1
	unset AWS_PROFILE AWS_SESSION_TOKEN
}

s3_count() {
	$PY -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))
except Exception: print(0)' "$S3_STATE/counts.json" "$1"
}

s3_reset_counts() { rm -f "$S3_STATE/counts.json"; }

s3_faults() { printf '%s' "$1" > "$S3_STATE/faults.json"; }

# s3_wait_held PID: wait until the gateway holds a request (a "hold_at"
# fault: $S3_STATE/held exists) or PID is gone; 0 when held
s3_wait_held() {
	for _ in $(seq 1 600); do
		[ -e "$S3_STATE/held" ] && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$S3_STATE/held" ]
}

aws_s3() { /usr/bin/aws --endpoint-url "$S3_ENDPOINT" "$@"; }

s3_add_target() {
	{
		printf '  prod:\n    type: s3\n    bucket: www\n'
		printf '    endpoint: %s\n    path_style: true\n' "$S3_ENDPOINT"
		[ -z "${1:-}" ] || printf '%s\n' "$1"
	} > "$T/target.yaml"
	sed -i "/^    path: .kiln\/www/r $T/target.yaml" kiln.yaml
}

# s3_demo_site: s3rver with bucket www, the demo site made in $T/site
# and entered, with an S3 target "prod" on the bucket
s3_demo_site() {
	s3_start www
	cd "$T" || exit 1
	"$KILN" init site --demo >/dev/null
	cd site || exit 1
	s3_add_target
}
