#!/bin/bash
# SPDX-License-Identifier: ISC
# feed_tarball.sh: units whose source is a .tar.gz (issue #17): unpacked
# and built; an archive holding a symbolic link (it could point anywhere
# on the worker) or a member with ".." fails its unit with a clear error
# and writes nothing outside the unit's folder.  kiln feed builds the
# units itself (no worker).  Dir target.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
sed -i 's/^  retries: 2 .*/  retries: 0/' kiln.yaml
printf 'feed:\n  list: units.json\n' >> kiln.yaml
$PY - "$T/site" <<'PY'
import io, sys, tarfile
d = sys.argv[1]
def add(t, name, text):
    b = text.encode()
    i = tarfile.TarInfo(name); i.size = len(b)
    t.addfile(i, io.BytesIO(b))
with tarfile.open(d + "/good.tar.gz", "w:gz") as t:
    add(t, "_index.md", "---\ntitle: From a tarball\n---\nPacked.\n")
    add(t, "ch/one.md", "---\ntitle: Chapter\n---\nText.\n")
with tarfile.open(d + "/link.tar.gz", "w:gz") as t:
    add(t, "_index.md", "---\ntitle: Link\n---\n")
    i = tarfile.TarInfo("secret.md"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"
    t.addfile(i)
with tarfile.open(d + "/dotdot.tar.gz", "w:gz") as t:
    add(t, "_index.md", "---\ntitle: Dots\n---\n")
    add(t, "../../../escaped.md", "---\ntitle: Out\n---\n")
PY
printf '%s' '[{"id":"good","version":"1","source":"good.tar.gz"},{"id":"link","version":"1","source":"link.tar.gz"},{"id":"dots","version":"1","source":"dotdot.tar.gz"}]' > units.json
out=$(timeout 120 "$KILN" feed) || fail "kiln feed: $out"
assert_contains "$out" "skipped 1, failed 2" "the last tick"
grep -q 'From a tarball' .kiln/www/units/good/1/index.html || fail "the tarball's unit"
assert_file .kiln/www/units/good/1/ch/one/index.html
assert_file .kiln/www/units/good/1/.complete
assert_contains "$(sqlite3 .kiln/kiln.db "select error from unit_builds where unit_id = 'link'")" \
    "holds 'secret.md', which is not a plain file" "a symbolic link is refused"
assert_contains "$(sqlite3 .kiln/kiln.db "select error from unit_builds where unit_id = 'dots'")" \
    "cannot unpack" "a member with .. is refused"
assert_no_file .kiln/www/units/link/1/.complete
assert_no_file .kiln/www/units/dots/1/.complete
[ -z "$(find "$T" -name escaped.md)" ] || fail "a member escaped its folder"
pass "units from .tar.gz archives; links and .. refused"
