#!/bin/bash
# SPDX-License-Identifier: ISC
# render_command.sh: build.command instead of the renderer: kiln runs it
# with {out}, captures its output, hashes what it wrote into the manifest
# and deploys it; a failing command changes nothing.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
cat > gen.sh <<'SH'
#!/bin/sh
mkdir -p "$1/about"
printf '<h1>external</h1>\n' > "$1/index.html"
printf '<h1>about</h1>\n' > "$1/about/index.html"
printf 'body{}' > "$1/style.css"
echo "generator wrote 3 files"
SH
chmod +x gen.sh
sed -i 's|^  # command: "hugo --destination {out}".*|  command: "./gen.sh {out}"|' kiln.yaml
grep -q '^  command: "./gen.sh {out}"' kiln.yaml || fail "could not set build.command"
out=$("$KILN" build 2>&1) || fail "build with a command: $out"
assert_contains "$out" "generator wrote 3 files" "command output captured"
assert_eq "$(jq -r '[.files[].path] | join(",")' public/.kiln/manifest.json)" "about/index.html,index.html,style.css" "manifest"
assert_eq "$(jq -r '.files[] | select(.path=="index.html") | .kind' public/.kiln/manifest.json)" "html" "kind"
"$KILN" deploy >/dev/null 2>&1 || fail "deploy of the command's output"
assert_eq "$(cat .kiln/www/about/index.html)" "<h1>about</h1>" "deployed"
printf '#!/bin/sh\necho broken >&2\nexit 3\n' > gen.sh
expect_status 1 "$KILN" build
assert_eq "$(cat public/index.html)" "<h1>external</h1>" "previous output untouched"
pass "external build command"
