#!/bin/bash
# SPDX-License-Identifier: ISC
# http_authz.sh: the authorization matrix (issue #12 section 2).  Every
# route of src/http/route.c, called by an anonymous client, an editor, a
# publisher, an admin and a client with a wrong token, against the real
# kiln serve; the expected status of each is one table below.  The table
# must name every row of route.c (checked first), so a new route without
# a row here fails this test.  Refused writes must change nothing.
. "$KILN_SRC/tests/integration/lib.sh"
# on failure, show what the daemon said (a sanitizer report, a crash)
fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/serve.log" ] && grep -v '^kiln: build' "$T/serve.log" | tail -60 >&2
	exit 1
}
trap 'fail "line $LINENO: a command failed"' ERR
cd "$T"
"$KILN" init site --demo >/dev/null
cd site
sed -i 's/^  # webhook_secret_env: KILN_HOOK_SECRET.*/  webhook_secret_env: KILN_HOOK_SECRET/' kiln.yaml
export KILN_HOOK_SECRET=s3cret-hook
"$KILN" check >/dev/null || fail "config"
"$KILN" publish --wait >/dev/null || fail "first build"
OK=$(sqlite3 .kiln/kiln.db "select max(id) from builds where status='succeeded'")
# a failed build: a broken template, then the template back
cp templates/page.mustache "$T/page.ok"
printf '{{#page.title}}unclosed' > templates/page.mustache
"$KILN" page new authz/breaker --title Breaker >/dev/null
"$KILN" page publish authz/breaker >/dev/null
"$KILN" publish --wait >/dev/null 2>&1 && fail "the broken build succeeded"
cp "$T/page.ok" templates/page.mustache
FAILED=$(sqlite3 .kiln/kiln.db "select max(id) from builds where status='failed'")
[ -n "$OK" ] && [ -n "$FAILED" ] || fail "fixture builds"

declare -A TOKEN
for r in editor publisher admin; do
	TOKEN[$r]=$("$KILN" token create --name "authz-$r" --role $r)
done
TOKEN[wrong]=$(printf '%064d' 7)
# one draft page per caller, and a second one for the by-path delete
declare -A PID PPATH
for r in anon editor publisher admin wrong; do
	"$KILN" page new "authz/$r" --title "Draft of $r" >/dev/null
	"$KILN" page new "authz/$r-b" --title "Second draft of $r" >/dev/null
	PID[$r]=$(sqlite3 .kiln/kiln.db "select id from pages where path='authz/$r'")
	PPATH[$r]=authz/$r
done
LIVE_ID=$(sqlite3 .kiln/kiln.db "select id from pages where path='about' and live=1")
LINK=$("$KILN" preview link about) || fail "preview link"

[ -n "$LIVE_ID" ] || fail "the demo has no live about page"

PORT=$(free_port)
API=http://127.0.0.1:$PORT
serve_start

# METHOD | PATTERN (as in route.c) | URL | BODY | anon editor publisher admin wrong
# URL and BODY placeholders: {pid} {path} (the caller's own draft page),
# {role}, {live} (a live page's id), {ok} and {failed} (build ids),
# {link} (a shared preview link of a live page).
# The /admin rows: a bearer token is no admin session, so every caller is
# sent to the login form (the session matrix is admin_http.sh).
MATRIX=$(cat <<'EOF'
GET    | /healthz                        | /healthz                                  | -                                            | 200 200 200 200 200
GET    | /metrics                        | /metrics                                  | -                                            | 401 200 200 200 401
GET    | /api/v1/pages                   | /api/v1/pages                             | -                                            | 200 200 200 200 401
GET    | /api/v1/pages/{id}              | /api/v1/pages/{live}                      | -                                            | 200 200 200 200 401
GET    | /api/v1/pages/{id}              | /api/v1/pages/{pid}                       | -                                            | 404 200 200 200 401
GET    | /api/v1/pages/by-path/{path}    | /api/v1/pages/by-path/about               | -                                            | 200 200 200 200 401
GET    | /api/v1/pages/by-path/{path}    | /api/v1/pages/by-path/{path}              | -                                            | 404 200 200 200 401
POST   | /api/v1/pages                   | /api/v1/pages                             | {"path":"authz/new-{role}","title":"New"}    | 401 202 202 202 401
POST   | /api/v1/pages                   | /api/v1/pages                             | {"path":"authz/pub-{role}","title":"P","publish":true} | 401 403 202 202 401
PUT    | /api/v1/pages/{id}              | /api/v1/pages/{pid}                       | {"title":"Edited"}                           | 401 202 202 202 401
PUT    | /api/v1/pages/{id}              | /api/v1/pages/{pid}                       | {"title":"Edited live","publish":true}       | 401 403 202 202 401
PUT    | /api/v1/pages/by-path/{path}    | /api/v1/pages/by-path/{path}              | {"title":"Edited by path"}                   | 401 202 202 202 401
PUT    | /api/v1/pages/by-path/{path}    | /api/v1/pages/by-path/{path}              | {"title":"Live by path","publish":true}      | 401 403 202 202 401
POST   | /api/v1/pages/{id}/publish      | /api/v1/pages/{pid}/publish               | -                                            | 401 403 202 202 401
POST   | /api/v1/pages/{id}/schedule     | /api/v1/pages/{pid}/schedule              | {"expire":"2099-01-01T00:00:00Z"}            | 401 403 202 202 401
POST   | /api/v1/pages/{id}/unpublish    | /api/v1/pages/{pid}/unpublish             | -                                            | 401 403 202 202 401
POST   | /api/v1/pages/publish           | /api/v1/pages/publish?path={path}         | -                                            | 401 403 202 202 401
POST   | /api/v1/pages/schedule          | /api/v1/pages/schedule?path={path}        | {"expire":"2098-01-01T00:00:00Z"}            | 401 403 202 202 401
POST   | /api/v1/pages/unpublish         | /api/v1/pages/unpublish?path={path}       | -                                            | 401 403 202 202 401
GET    | /api/v1/builds                  | /api/v1/builds                            | -                                            | 401 200 200 200 401
POST   | /api/v1/builds                  | /api/v1/builds                            | -                                            | 401 403 202 202 401
GET    | /api/v1/builds/{id}             | /api/v1/builds/{ok}                       | -                                            | 401 200 200 200 401
GET    | /api/v1/builds/{id}/log         | /api/v1/builds/{ok}/log                   | -                                            | 401 200 200 200 401
POST   | /api/v1/builds/{id}/cancel      | /api/v1/builds/{ok}/cancel                | -                                            | 401 403 409 409 401
POST   | /api/v1/builds/{id}/rollback    | /api/v1/builds/{failed}/rollback          | -                                            | 401 403 409 409 401
POST   | /api/v1/builds/{id}/rollback    | /api/v1/builds/{ok}/rollback              | -                                            | 401 403 202 202 401
POST   | /api/v1/hooks/build             | /api/v1/hooks/build                       | {"unsigned":true}                            | 401 401 401 401 401
GET    | /admin/preview/{id}             | /admin/preview/{pid}                      | -                                            | 303 200 200 200 401
POST   | /admin/preview/{id}/live        | /admin/preview/{pid}/live                 | title=Live+{role}                            | 303 200 200 200 401
POST   | /api/v1/pages/{id}/preview-link | /api/v1/pages/{pid}/preview-link          | -                                            | 401 201 201 201 401
GET    | /preview/{path}                 | {link}                                    | -                                            | 200 200 200 200 200
DELETE | /api/v1/pages/{id}              | /api/v1/pages/{pid}                       | -                                            | 401 403 202 202 401
DELETE | /api/v1/pages/by-path/{path}    | /api/v1/pages/by-path/{path}-b            | -                                            | 401 403 202 202 401
GET    | /admin                          | /admin                                    | -                                            | 303 303 303 303 303
GET    | /admin/static/{path}            | /admin/static/admin.css                   | -                                            | 200 200 200 200 200
GET    | /admin/login                    | /admin/login                              | -                                            | 200 200 200 200 200
POST   | /admin/login                    | /admin/login                              | username=x&password=y                        | 403 403 403 403 403
GET    | /admin/logout                   | /admin/logout                             | -                                            | 303 303 303 303 303
POST   | /admin/logout                   | /admin/logout                             | -                                            | 303 303 303 303 303
GET    | /admin/                         | /admin/                                   | -                                            | 303 303 303 303 303
GET    | /admin/pages/new                | /admin/pages/new                          | -                                            | 303 303 303 303 303
POST   | /admin/pages/new                | /admin/pages/new                          | path=authz/adm-{role}&title=A&action=publish | 303 303 303 303 303
GET    | /admin/pages/{id}               | /admin/pages/{pid}                        | -                                            | 303 303 303 303 303
POST   | /admin/pages/{id}               | /admin/pages/{pid}                        | title=Admin&action=publish                   | 303 303 303 303 303
GET    | /admin/pages/{id}/delete        | /admin/pages/{pid}/delete                 | -                                            | 303 303 303 303 303
POST   | /admin/pages/{id}/delete        | /admin/pages/{pid}/delete                 | -                                            | 303 303 303 303 303
GET    | /admin/pages/{id}/revisions     | /admin/pages/{pid}/revisions              | -                                            | 303 303 303 303 303
GET    | /admin/pages/{id}/compare       | /admin/pages/{pid}/compare?from=1&to=2    | -                                            | 303 303 303 303 303
GET    | /admin/revisions/{id}           | /admin/revisions/1                        | -                                            | 303 303 303 303 303
POST   | /admin/revisions/{id}/revert    | /admin/revisions/1/revert                 | -                                            | 303 303 303 303 303
GET    | /admin/builds                   | /admin/builds                             | -                                            | 303 303 303 303 303
GET    | /admin/builds/{id}              | /admin/builds/{ok}                        | -                                            | 303 303 303 303 303
GET    | /admin/builds/{id}/status       | /admin/builds/{ok}/status                 | -                                            | 303 303 303 303 303
POST   | /admin/builds/{id}/retry        | /admin/builds/{failed}/retry              | -                                            | 303 303 303 303 303
POST   | /admin/builds/{id}/cancel       | /admin/builds/{ok}/cancel                 | -                                            | 303 303 303 303 303
GET    | /admin/builds/{id}/rollback     | /admin/builds/{ok}/rollback               | -                                            | 303 303 303 303 303
POST   | /admin/builds/{id}/rollback     | /admin/builds/{ok}/rollback               | -                                            | 303 303 303 303 303
GET    | /admin/audit                    | /admin/audit?user=alice                   | -                                            | 303 303 303 303 303
POST   | /admin/reviews/{id}/approve     | /admin/reviews/1/approve                  | -                                            | 303 303 303 303 303
POST   | /admin/reviews/{id}/reject      | /admin/reviews/1/reject                   | comment=no                                   | 303 303 303 303 303
GET    | /admin/media                    | /admin/media?insert={pid}                 | -                                            | 303 303 303 303 303
POST   | /admin/media                    | /admin/media                              | file=x                                       | 303 303 303 303 303
POST   | /admin/media/insert             | /admin/media/insert                       | page={pid}&sha256=00                         | 303 303 303 303 303
POST   | /admin/media/delete             | /admin/media/delete                       | sha256=00                                    | 303 303 303 303 303
EOF
)

# 1. the matrix names every route of the code's table
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
sed -n 's/^[[:space:]]*{ "\([A-Z]*\)", "\([^"]*\)", RT_.*/\1 \2/p' \
    "$KILN_SRC/src/http/route.c" > "$T/routes"
[ "$(wc -l < "$T/routes")" -ge 20 ] || fail "could not read the route table"
while read -r m p; do
	found=0
	while IFS='|' read -r mm pp _; do
		[ "$(trim "$mm")" = "$m" ] && [ "$(trim "$pp")" = "$p" ] && found=1
	done <<< "$MATRIX"
	[ $found = 1 ] || fail "route $m $p has no row in the matrix"
done < "$T/routes"
pass "the matrix covers all $(wc -l < "$T/routes") routes of src/http/route.c"

# 2. every row × every caller
fill() {	# fill TEXT ROLE
	local s=$1 r=$2
	s=${s//\{pid\}/${PID[$r]}}
	s=${s//\{path\}/${PPATH[$r]}}
	s=${s//\{role\}/$r}
	s=${s//\{live\}/$LIVE_ID}
	s=${s//\{ok\}/$OK}
	s=${s//\{failed\}/$FAILED}
	s=${s//\{link\}/$LINK}
	printf '%s' "$s"
}
roles=(anon editor publisher admin wrong)
n=0
while IFS='|' read -r m _ url body want; do
	m=$(trim "$m"); url=$(trim "$url"); body=$(trim "$body")
	read -r -a w <<< "$want"
	# the callers that must be refused go first: nothing may change
	for i in 4 0 1 2 3; do
		r=${roles[$i]}
		args=(-s -o "$T/body" -w '%{http_code}' -X "$m")
		[ "$r" = anon ] || args+=(-H "Authorization: Bearer ${TOKEN[$r]}")
		[ "$body" = - ] || args+=(--data-binary "$(fill "$body" "$r")")
		got=$(curl "${args[@]}" "$API$(fill "$url" "$r")")
		[ "$got" = "${w[$i]}" ] ||
		    fail "$m $(fill "$url" "$r") as $r: got $got, expected ${w[$i]}: $(head -c 300 "$T/body")"
		# (the web admin answers in HTML; tests/integration/admin_http.sh)
		if [ "$got" -ge 400 ] && [ "${url#/admin}" = "$url" ]; then
			jq -e '.error | strings' "$T/body" >/dev/null ||
			    fail "$m $url as $r: $got without a JSON error body"
		fi
		n=$((n + 1))
	done
done <<< "$MATRIX"
pass "$n calls answered as the matrix says"

# 3. the refused calls changed nothing
for r in anon wrong; do
	assert_eq "$(sqlite3 .kiln/kiln.db "select live || title from pages p join revisions v on v.id = p.latest_revision_id where path='authz/$r'")" \
	    "0Draft of $r" "authz/$r untouched by its refused writes"
done
for r in anon editor wrong; do
	assert_eq "$(sqlite3 .kiln/kiln.db "select live from pages where path='authz/$r'")" 0 "authz/$r never went live"
	assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages where path='authz/$r-b'")" 1 \
	    "authz/$r-b not deleted"
	assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages where path='authz/pub-$r'")" 0 \
	    "no page published by $r"
done
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages where path='authz/new-anon' or path='authz/new-wrong'")" 0 \
    "no page created without a valid token"
assert_eq "$(sqlite3 .kiln/kiln.db "select count(*) from pages p join revisions v on v.page_id = p.id where p.path like 'authz/adm-%' or v.title = 'Admin'")" 0 \
    "no page created or edited through the admin with a token"
pass "refused calls changed nothing"

# 4. anonymous callers see live fields only
curl -s "$API/api/v1/pages" > "$T/anon.json"
assert_eq "$(jq -r '.[].path' "$T/anon.json" | sort | tr '\n' ' ')" \
    "$(sqlite3 .kiln/kiln.db "select path from pages where live = 1 and expired = 0" | sort | tr '\n' ' ')" \
    "the anonymous list is the live pages"
[ "$(sqlite3 .kiln/kiln.db "select count(*) from pages where live = 0")" -ge 3 ] || fail "too few drafts to test with"
assert_eq "$(jq '[.[] | keys[]] | unique | join(",")' -r "$T/anon.json")" \
    "first_published_at,id,last_published_at,live,parent,path,section,title" "anonymous fields"
"$KILN" page edit about --title "Unpublished new title" >/dev/null
assert_eq "$(curl -s "$API/api/v1/pages/by-path/about" | jq -r .title)" "About the council" "anonymous: the live title"
assert_eq "$(curl -s -H "Authorization: Bearer ${TOKEN[editor]}" "$API/api/v1/pages/by-path/about" | jq -r .title)" \
    "Unpublished new title" "editor: the latest title"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$API/api/v1/builds/$FAILED/log")" 401 "build logs need a token"
pass "anonymous callers see live pages' live fields only"

# 5. /metrics opens to loopback scrapers only with serve.metrics_localhost
kill $SERVE; wait $SERVE 2>/dev/null || true
sed -i 's/^serve:/serve:\n  metrics_localhost: true/' kiln.yaml
serve_start
assert_eq "$(curl -s -o "$T/body" -w '%{http_code}' "$API/metrics")" 200 "metrics for a local scraper"
grep -q '^kiln_change_sequence ' "$T/body" || fail "metrics body"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$API/api/v1/builds")" 401 "builds still need a token"
pass "serve.metrics_localhost opens /metrics to loopback clients"
