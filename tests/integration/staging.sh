#!/bin/bash
# SPDX-License-Identifier: ISC
# staging.sh: a staging target (content: latest) against real servers
# (issue #14, decision record 0132): the dir target "local" is staging,
# served by kiln serve behind basic auth; "prod" is a bucket on s3rver.
#  1. one build: staging shows the drafts (and a never-published page),
#     every HTML page noindex, robots.txt disallowing all and naming no
#     sitemap; the bucket shows the live text only, indexable.
#  2. kiln serve asks for basic auth on the staging site (401 with
#     WWW-Authenticate; wrong password 401; right one 200, noindex).
#  3. independent: production failing (S3 500s) still updates staging;
#     a draft saved is on staging after its own staging build (0281);
#     staging failing still deploys production; kiln build/deploy
#     --target local never touches the bucket, kiln deploy never the
#     staging folder.
. "$KILN_SRC/tests/integration/lib.sh"
# every snapshot a process brings up to date from the changes is checked
# against a full read (decision 0240)
export KILN_TEST_SNAPSHOT_VERIFY=1
. "$KILN_SRC/tests/integration/lib/s3.sh"
s3_demo_site
sed -i 's|^    path: .kiln/www|    path: .kiln/www\n    content: latest\n    basic_auth_env: KILN_STAGING_AUTH|' kiln.yaml
sed -i 's/^  retries: 2 /  retries: 0 /' kiln.yaml
"$KILN" check >/dev/null || fail "config with a staging target"
export KILN_STAGING_AUTH='reviewer:s3cret pass'
PUB=$("$KILN" token create --name pub --role publisher)
printf 'Draft body STAGEBODY.\n' > "$T/draft.md"
"$KILN" page edit news/library-hours --title "Draft STAGEMARK hours" --body-file "$T/draft.md" >/dev/null
"$KILN" page new news/unpublished --title "Unpublished UNPUBMARK" >/dev/null
PORT=$(free_port)
API=http://127.0.0.1:$PORT
serve_start
build() {	# a build through the API, then wait for the worker
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $PUB" "$API/api/v1/builds")" = 202 ] ||
	    fail "build request"
	wait_idle
}
s3get() { aws_s3 s3 cp "s3://www/$1" - 2>/dev/null; }
last_log() { sqlite3 .kiln/kiln.db "select log from builds order by id desc limit 1"; }
last_status() { sqlite3 .kiln/kiln.db "select status from builds order by id desc limit 1"; }
last_id() { sqlite3 .kiln/kiln.db "select coalesce(max(id), 0) from builds"; }
wait_done() {	# wait_done ID: until a build after ID has finished; 60 s at most
	local i s
	for i in $(seq 1 600); do
		s=$(sqlite3 .kiln/kiln.db "select status from builds where id > $1 order by id desc limit 1")
		case "$s" in succeeded|failed) return 0 ;; esac
		sleep 0.1
	done
	fail "no build after $1 finished"
}

# 1. one build, two sites
build
assert_eq "$(last_status)" succeeded "first build"
www=.kiln/www
assert_contains "$(cat $www/news/library-hours/index.html)" "Draft STAGEMARK hours" "staging: the draft"
assert_contains "$(cat $www/news/library-hours/index.html)" "STAGEBODY" "staging: the draft body"
assert_contains "$(cat $www/news/index.html)" "Draft STAGEMARK hours" "staging: the draft in its listing"
assert_file $www/news/unpublished/index.html
n=0
for f in $(find $www -name '*.html'); do
	grep -q '<meta name="robots" content="noindex">' "$f" || fail "staging: $f is indexable"
	n=$((n + 1))
done
[ $n -ge 20 ] || fail "only $n staging pages"
assert_eq "$(cat $www/robots.txt)" "$(printf 'User-agent: *\nDisallow: /')" "staging robots.txt"
assert_not_contains "$(cat $www/robots.txt)" "Sitemap" "staging advertises its sitemap"
live=$(s3get news/library-hours/index.html)
assert_contains "$live" "Longer library opening hours" "production: the live title"
assert_not_contains "$live" "STAGEMARK" "production: the draft"
assert_not_contains "$live" "noindex" "production: noindex"
assert_contains "$(s3get robots.txt)" "Sitemap:" "production robots.txt"
[ -z "$(s3get news/unpublished/index.html)" ] || fail "production: an unpublished page"
assert_contains "$(last_log)" "staging local:" "the build log names the staging deploy"
pass "staging shows drafts, noindex, disallowed; production shows live content"

# 2. basic auth on the staging site kiln serve serves
code() { curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"; }
assert_eq "$(code "$API/news/library-hours/")" 401 "no credentials"
grep -qi '^WWW-Authenticate: Basic realm="staging"' "$T/head" || fail "no WWW-Authenticate"
jq -e .error "$T/body" >/dev/null || fail "401 without a JSON body"
assert_eq "$(code -u 'reviewer:wrong' "$API/news/library-hours/")" 401 "wrong password"
assert_eq "$(code -u 'reviewer:s3cret pas' "$API/news/library-hours/")" 401 "a prefix of the password"
assert_eq "$(code -u 'reviewer:s3cret passX' "$API/news/library-hours/")" 401 "longer password"
assert_eq "$(code -H 'Authorization: Basic !!!!' "$API/")" 401 "bad base64"
assert_eq "$(code -u 'reviewer:s3cret pass' "$API/news/library-hours/")" 200 "right password"
assert_contains "$(cat "$T/body")" "STAGEMARK" "the staging page"
grep -qi '^X-Robots-Tag: noindex' "$T/head" || fail "no X-Robots-Tag"
assert_eq "$(code -u 'reviewer:s3cret pass' "$API/robots.txt")" 200 "robots.txt with auth"
assert_eq "$(code "$API/healthz")" 200 "the API needs no basic auth"
assert_not_contains "$(cat "$T/serve.log")" "s3cret" "the password in the log"
assert_not_contains "$(last_log)" "s3cret" "the password in the build log"
pass "basic auth on the staging site"

# 3. independent: production failing still updates staging ...
s3_faults '[{"method":"PUT","status":500,"times":-1}]'
printf 'Second draft STAGE2MARK.\n' > "$T/draft.md"
"$KILN" page edit news/library-hours --body-file "$T/draft.md" >/dev/null
wait_idle	# the draft's staging build (0281), which deploys no bucket
assert_eq "$(last_status)" succeeded "the draft's staging build"
assert_contains "$(cat $www/news/library-hours/index.html)" "STAGE2MARK" "staging shows the draft saved"
id=$(last_id)
"$KILN" page edit about --title "About PRODMARK" --publish >/dev/null
wait_done "$id"
assert_eq "$(last_status)" failed "the production deploy failed"
assert_contains "$(cat $www/about/index.html)" "PRODMARK" "staging updated while production failed"
assert_not_contains "$(s3get about/index.html)" "PRODMARK" "production got it anyway"
s3_faults '[]'
# ... and staging failing still deploys production
mv $www "$T/www.moved" && printf 'not a folder\n' > $www
printf 'Third draft STAGE3MARK.\n' > "$T/draft.md"
"$KILN" page edit news/library-hours --body-file "$T/draft.md" >/dev/null
build
id=$(last_id)
assert_eq "$(last_status)" succeeded "production with staging failing"
assert_contains "$(s3get about/index.html)" "About PRODMARK" "production deployed while staging failed"
assert_not_contains "$(s3get news/library-hours/index.html)" "STAGE" "production shows a draft"
assert_contains "$(last_log)" "staging local: deploy failed" "the staging failure in the log"
rm -f $www && mv "$T/www.moved" $www
pass "production and staging fail independently"

# a staging build by hand never deploys production; kiln deploy never staging
kill $SERVE; wait $SERVE 2>/dev/null || true
s3_reset_counts
"$KILN" build --target local >/dev/null || fail "kiln build --target local"
"$KILN" deploy --target local >/dev/null 2>&1 || fail "kiln deploy --target local"
assert_eq "$(s3_count PUT)" 0 "PUTs of a staging deploy"
assert_contains "$(cat $www/news/library-hours/index.html)" "STAGE3MARK" "staging deployed by hand"
before=$(find $www -type f -printf '%p %T@\n' | sort | sha256sum)
"$KILN" page edit about --title "About AGAINMARK" --publish >/dev/null
"$KILN" build >/dev/null && "$KILN" deploy >/dev/null 2>&1 || fail "production deploy by hand"
assert_contains "$(s3get about/index.html)" "AGAINMARK" "production deployed by hand"
assert_eq "$(find $www -type f -printf '%p %T@\n' | sort | sha256sum)" "$before" "kiln deploy touched staging"
pass "kiln build/deploy --target local and kiln deploy stay apart"
