#!/bin/bash
# SPDX-License-Identifier: ISC
# admin_media.sh: the web admin's media library (issue #14) against the
# real kiln serve, with curl: an editor uploads an image (multipart, CSRF
# token), the store keeps it under its SHA-256 like `kiln media add`; the
# library lists it with size, type, time and uploader; a file whose bytes
# contradict its name, HTML, a name with folders, a file over
# media.max_size are refused with the reason in the form, nothing stored;
# Insert appends its Markdown to a page's draft (a new revision); the
# page published shows the image from the dir target; the library says
# which pages use a file; an editor may not delete, a publisher may not
# delete a used file (409) but may delete an unused one; every step is
# in the audit log under the user's name; kiln media add obeys the same
# type rule.
. "$KILN_SRC/tests/integration/lib.sh"
admin_site
printf 'media:\n  max_size: 100000\n' >> kiln.yaml
"$KILN" check >/dev/null
echo 'pub-secret-1' | "$KILN" user add alice --role publisher >/dev/null
echo 'edit-secret-2' | "$KILN" user add bob --role editor >/dev/null
printf 'About us.' > "$T/about.md"
"$KILN" page new about --title About --body-file "$T/about.md" >/dev/null
PID=$(db "select id from pages where path='about'")

# a real PNG (1x1), a fake one, an HTML file, one too big
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\1\1\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82' > "$T/dot.png"
printf 'MZ this is no image' > "$T/fake.png"
printf '<!DOCTYPE html><script>alert(1)</script>' > "$T/page.txt"
head -c 150000 /dev/urandom > "$T/big.bin"

PORT=$(free_port)
A=http://127.0.0.1:$PORT
"$KILN" serve --listen 127.0.0.1:$PORT >>"$T/serve.log" 2>&1 &
bg_pid $!
wait_port $PORT
req() {
	local jar=$1; shift
	code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -b "$T/$jar" -c "$T/$jar" "$@")
}
hdr() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' "$T/b" | head -1 | sed 's/.*value="//; s/"$//'; }
login() {
	rm -f "$T/$1"
	req "$1" "$A/admin/login"
	local t; t=$(csrf)
	req "$1" "$A/admin/login" --data-urlencode "username=$2" \
	    --data-urlencode "password=$3" --data-urlencode "csrf=$t"
	req "$1" "$A/admin/media"
	assert_eq "$code" 200 "$2 sees the library"
}
media() { db "select count(*) from media"; }
login ed bob edit-secret-2
ED=$(csrf)
login pub alice pub-secret-1
PUB=$(csrf)

# 1. without a session: the login; without the token: 403, nothing stored
req anon "$A/admin/media"
assert_eq "$code" 303 "no session: to the login"
req anon "$A/admin/media" -F "file=@$T/dot.png"
assert_eq "$code" 303 "no session: an upload goes to the login"
req ed "$A/admin/media" -F "file=@$T/dot.png"
assert_eq "$code" 403 "an upload without the CSRF token"
req ed "$A/admin/media" -F csrf=0000 -F "file=@$T/dot.png"
assert_eq "$code" 403 "an upload with a wrong token"
assert_eq "$(media)" 0 "nothing stored"
assert_eq "$(find .kiln/media -type f 2>/dev/null | wc -l)" 0 "no file left on disk"
pass "uploads need a session and the CSRF token"

# 2. refused uploads: the reason shown in the form, nothing stored
req ed "$A/admin/media" -F "csrf=$ED" -F "file=@$T/fake.png"
assert_eq "$code" 415 "a PNG name over other bytes"
assert_contains "$(cat "$T/b")" "the name says image/png" "says why"
assert_contains "$(cat "$T/b")" 'id="upload-error"' "the error in the form"
req ed "$A/admin/media" -F "csrf=$ED" -F "file=@$T/page.txt"
assert_eq "$code" 415 "HTML named .txt"
assert_contains "$(cat "$T/b")" "HTML pages and scripts" "says why"
req ed "$A/admin/media" -F "csrf=$ED" -F "file=@$T/big.bin"
assert_eq "$code" 413 "over media.max_size"
assert_contains "$(cat "$T/b")" "larger than the limit of 100000 bytes" "says the limit"
req ed "$A/admin/media" -F "csrf=$ED" -F "file=@$T/dot.png;filename=../../etc/x.png"
assert_eq "$code" 400 "a name with folders"
assert_contains "$(cat "$T/b")" "plain file name" "says why"
req ed "$A/admin/media" -F "csrf=$ED"
assert_eq "$code" 400 "no file"
req ed "$A/admin/media" -H "X-CSRF-Token: $ED" --data "file=x"
assert_eq "$code" 415 "not multipart"
assert_eq "$(media)" 0 "nothing stored"
assert_eq "$(find .kiln/media -type f | wc -l)" 0 "no temporary file left"
pass "a wrong type, HTML, too big, a folder in the name: refused in the form"

# 3. an editor uploads; the library lists it with who and where
req ed "$A/admin/media?insert=$PID" -F "csrf=$ED" -F "file=@$T/dot.png"
assert_eq "$code" 303 "editor uploads"
assert_eq "$(hdr Location)" "/admin/media?insert=$PID" "back to the library, still choosing"
SHA=$(sha256sum "$T/dot.png" | cut -d' ' -f1)
assert_eq "$(db "select name || ':' || content_type || ':' || size from media where sha256='$SHA'")" \
    "dot.png:image/png:$(stat -c %s "$T/dot.png")" "stored by its hash"
test -f ".kiln/media/${SHA:0:2}/$SHA" || fail "the bytes under their hash"
assert_eq "$("$KILN" media list --json | jq -r '.[0].sha256')" "$SHA" "kiln media list sees it"
req ed "$A/admin/media?insert=$PID"
assert_contains "$(cat "$T/b")" "Uploaded" "flash"
assert_contains "$(cat "$T/b")" "dot.png" "listed"
assert_contains "$(cat "$T/b")" "${SHA:0:12}" "its hash"
assert_contains "$(cat "$T/b")" "image/png" "its type"
assert_contains "$(cat "$T/b")" " by bob" "its uploader"
assert_contains "$(cat "$T/b")" "![dot.png](/media/dot.png)" "its Markdown"
assert_contains "$(cat "$T/b")" ">Insert<" "Insert buttons"
assert_not_contains "$(cat "$T/b")" ">Delete<" "no Delete for an editor"
req ed "$A/admin/media?q=nothing-like-it"
assert_not_contains "$(cat "$T/b")" "dot.png" "search by name"
req ed "$A/admin/media?q=DOT"
assert_contains "$(cat "$T/b")" "dot.png" "search ignores case"
pass "an editor uploads; the library lists size, type, time, uploader, Markdown"

# 4. Insert: the Markdown goes into the page's draft as a new revision
REV=$(db "select latest_revision_id from pages where id=$PID")
req ed "$A/admin/pages/$PID"
assert_contains "$(cat "$T/b")" "/admin/media?insert=$PID" "the editor's Media link"
req ed "$A/admin/media/insert" --data-urlencode "csrf=$ED" --data "page=$PID&sha256=$SHA"
assert_eq "$code" 303 "insert"
assert_eq "$(hdr Location)" "/admin/pages/$PID" "back to the editor"
assert_eq "$(db "select body from revisions where id=(select latest_revision_id from pages where id=$PID)")" \
    "About us.

![dot.png](/media/dot.png)" "appended to the draft"
assert_eq "$(db "select latest_revision_id > $REV from pages where id=$PID")" 1 "a new revision"
assert_eq "$(db "select author from revisions where id=(select latest_revision_id from pages where id=$PID)")" bob "by the editor"
req ed "$A/admin/media/insert" --data-urlencode "csrf=$ED" --data "page=$PID&sha256=$(printf '0%.0s' {1..64})"
assert_eq "$code" 404 "insert an unknown file"
req ed "$A/admin/media/insert" --data "page=$PID&sha256=$SHA"
assert_eq "$code" 403 "insert without the token"
pass "Insert appends the file's Markdown to the draft as a new revision"

# 5. published, the page shows the image from the target
req pub "$A/admin/pages/$PID"
R=$(grep -o 'name="revision" value="[0-9]*"' "$T/b" | sed 's/.*value="//; s/"$//')
req pub "$A/admin/pages/$PID" --data-urlencode "csrf=$PUB" --data "revision=$R&title=About&action=publish" \
    --data-urlencode "body@-" <<<"$(db "select body from revisions where id=$R")"
assert_eq "$code" 303 "publish"
wait_idle
IMG=$(grep -o 'src="/media/dot\.[0-9a-f]*\.png"' .kiln/www/about/index.html | sed 's/src="//; s/"$//')
[ -n "$IMG" ] || fail "no image in the deployed page: $(cat .kiln/www/about/index.html)"
cmp ".kiln/www$IMG" "$T/dot.png" || fail "the deployed image differs"
pass "the page, published, shows the uploaded image in the dir target"

# 6. where it is used; delete: publishers only, unused files only
req pub "$A/admin/media"
assert_contains "$(cat "$T/b")" "/admin/pages/$PID\"><code>/about</code>" "used by /about"
assert_not_contains "$(cat "$T/b")" ">Delete<" "no Delete for a used file"
req ed "$A/admin/media/delete" --data-urlencode "csrf=$ED" --data "sha256=$SHA"
assert_eq "$code" 403 "an editor may not delete"
req pub "$A/admin/media/delete" --data-urlencode "csrf=$PUB" --data "sha256=$SHA"
assert_eq "$code" 409 "a used file is not deleted"
assert_contains "$(cat "$T/b")" "/about" "says which page"
assert_eq "$(media)" 1 "still there"
cp "$T/dot.png" "$T/other.png"
printf 'x' >> "$T/other.png"
req pub "$A/admin/media" -F "csrf=$PUB" -F "file=@$T/other.png"
assert_eq "$code" 303 "a publisher uploads"
SHA2=$(sha256sum "$T/other.png" | cut -d' ' -f1)
req pub "$A/admin/media"
assert_contains "$(cat "$T/b")" "aria-label=\"Delete other.png\"" "Delete for an unused file"
req pub "$A/admin/media/delete" --data-urlencode "csrf=$PUB" --data "sha256=$SHA2"
assert_eq "$code" 303 "an unused file is deleted"
assert_eq "$(db "select count(*) from media where sha256='$SHA2'")" 0 "gone from the store"
test ! -e ".kiln/media/${SHA2:0:2}/$SHA2" || fail "its bytes are gone"
pass "the library shows where a file is used; deleting: publishers, unused files"

# 7. the audit log names the users; kiln media add obeys the same rule
assert_eq "$(db "select actor || ':' || action from audit_log where action in ('media add', 'media delete', 'admin.media_insert') order by id" | tr '\n' ' ')" \
    "bob:media add bob:admin.media_insert alice:media add alice:media delete " "audit"
expect_status 1 "$KILN" media add "$T/fake.png"
expect_status 1 "$KILN" media add "$T/big.bin"
assert_eq "$(media)" 1 "kiln media add refused them"
pass "every step in the audit log; kiln media add has the same limits"
