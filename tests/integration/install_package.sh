#!/bin/bash
# SPDX-License-Identifier: ISC
# install_package.sh: `cmake --install` into a DESTDIR stages the binary,
# the three man pages, bash completion, kiln.service and the user docs;
# `man -l` renders kiln(1) from there.  CPack's DEB generator makes a
# .deb from the build folder whose file list (dpkg-deb -c) holds the same
# files under /usr and whose Depends (from dpkg-shlibdeps) name the
# libraries kiln links; unpacked into a scratch root, its kiln runs.
# (scripts/package makes the release package the same way.)
. "$KILN_SRC/tests/integration/lib.sh"
: "${KILN_BUILD:?KILN_BUILD must name the build folder}"
files="usr/bin/kiln usr/share/man/man1/kiln.1 usr/share/man/man5/kiln.yaml.5
usr/share/man/man7/kiln-api.7 usr/share/bash-completion/completions/kiln
usr/lib/systemd/system/kiln.service usr/share/doc/kiln/README.md
usr/share/doc/kiln/service.md usr/share/doc/kiln/cli.md"

# 1. cmake --install with DESTDIR
DESTDIR=$T/stage cmake --install "$KILN_BUILD" --prefix /usr >"$T/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$T/install.log")"
for f in $files; do assert_file "$T/stage/$f"; done
[ -x "$T/stage/usr/bin/kiln" ] || fail "kiln is not executable"
MANWIDTH=80 man -l "$T/stage/usr/share/man/man1/kiln.1" >"$T/man.txt" 2>"$T/man.err" ||
    fail "man -l kiln.1: $(cat "$T/man.err")"
assert_contains "$(head -3 "$T/man.txt")" "kiln(1)" "man kiln title"
grep -q "kiln serve" "$T/man.txt" || fail "man kiln lacks kiln serve"
MANWIDTH=80 man -l "$T/stage/usr/share/man/man5/kiln.yaml.5" | grep -q "serve.listen" ||
    fail "man kiln.yaml lacks serve.listen"
pass "cmake --install: binary, man pages, completion, unit, docs; man -l works"

# 2. the Debian package
(cd "$KILN_BUILD" && cpack -G DEB -B "$T/pkg") >"$T/cpack.log" 2>&1 ||
    fail "cpack: $(tail -5 "$T/cpack.log")"
deb=$(ls "$T"/pkg/kiln_*_amd64.deb)
[ -f "$deb" ] || fail "no .deb in $T/pkg"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' >"$T/list"
for f in $files; do grep -qxF "$f" "$T/list" || fail ".deb lacks $f: $(cat "$T/list")"; done
assert_eq "$(dpkg-deb -f "$deb" Package)" kiln "Package"
assert_eq "$(dpkg-deb -f "$deb" Version)" "$("$KILN" --version | sed 's/^kiln //')" "Version is kiln --version"
dep=$(dpkg-deb -f "$deb" Depends)
# every shared library kiln links comes from a package in Depends
for lib in libcurl4 libsqlite3-0 libssl3 libgit2-1.5 libmicrohttpd12 \
    libjansson4 libfyaml0 libmd4c0 libmd4c-html0 libpq5 libsystemd0 libc6; do
	assert_contains "$dep" "$lib" "Depends"
done
pass "the .deb lists every file and Depends on the linked libraries"

# 3. unpacked into a scratch root, it runs and its unit names its binary
dpkg-deb -x "$deb" "$T/root"
assert_eq "$("$T/root/usr/bin/kiln" --version)" "$("$KILN" --version)" "kiln --version from the package"
assert_eq "$(sed -n 's/^ExecStart=//p' "$T/root/usr/lib/systemd/system/kiln.service")" \
    "/usr/bin/kiln serve" "packaged unit runs /usr/bin/kiln"
MANWIDTH=80 man -l "$T/root/usr/share/man/man7/kiln-api.7" | grep -q "/api/v1/pages" ||
    fail "packaged kiln-api(7) lacks the routes"
pass "the unpacked package runs kiln --version; man pages read"
