# SPDX-License-Identifier: ISC
# cli_config: where kiln finds kiln.yaml (issue #18).  The nearest
# kiln.yaml in this folder or a parent, as git finds .git; KILN_CONFIG and
# -c FILE override it (-c wins); relative arguments stay relative to where
# the user is; a missing file says where kiln looked and suggests kiln init.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
"$KILN" init other >/dev/null
sed -i 's/^  title: .*/  title: "Other"/' other/kiln.yaml
mkdir -p site/content/deep/er
printf 'Hello from a sub-folder.\n' >site/content/deep/er/body.md

# 1. from a sub-folder: the site's kiln.yaml and store, relative --body-file
cd site/content/deep/er
"$KILN" page new news --title News >/dev/null || fail "page new from a sub-folder"
"$KILN" page new news/hi --title Hi --body-file body.md >/dev/null ||
    fail "relative --body-file from a sub-folder"
cd "$T"
assert_contains "$("$KILN" -C site page show news/hi)" "Hello from a sub-folder." "body stored"
assert_no_file site/content/deep/er/.kiln
assert_no_file site/content/.kiln
assert_eq "$(cd site/content && "$KILN" check)" "configuration OK" "check from a sub-folder"
assert_contains "$(cd site/content && "$KILN" -v page list 2>&1 >/dev/null)" \
    "kiln: using ../kiln.yaml" "-v says which kiln.yaml"
assert_eq "$(cd site/content && "$KILN" page list 2>&1 >/dev/null)" "" "quiet without -v"
pass "kiln.yaml found in a parent folder"

# 2. KILN_CONFIG, and -c over KILN_CONFIG
assert_eq "$(KILN_CONFIG=$T/site/kiln.yaml "$KILN" page list | awk '{print $1}' | tr '\n' ' ')" \
    "news news/hi " "KILN_CONFIG from anywhere"
assert_eq "$(cd site && KILN_CONFIG=$T/other/kiln.yaml "$KILN" page list)" "" \
    "KILN_CONFIG wins over ./kiln.yaml"
assert_eq "$(cd other && KILN_CONFIG=$T/other/kiln.yaml "$KILN" -c ../site/kiln.yaml page list | wc -l)" \
    2 "-c wins over KILN_CONFIG"
assert_eq "$(cd other && "$KILN" page list -c "$T/site/kiln.yaml" | wc -l)" 2 \
    "-c after the command"
pass "KILN_CONFIG and -c override the search"

# 3. nothing found: where it looked, what to do, exit 1, nothing made
mkdir -p "$T/nosite/a/b"
set +e
(cd "$T/nosite/a/b" && "$KILN" page list) >"$T/out" 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "no kiln.yaml: failure"
err=$(cat "$T/err")
assert_contains "$err" "cannot open 'kiln.yaml': looked in $T/nosite/a/b, $T/nosite/a, $T/nosite," "the folders searched"
assert_contains "$err" "'kiln init'" "suggests kiln init"
assert_contains "$err" "-c FILE or KILN_CONFIG" "names the overrides"
assert_eq "$(find "$T/nosite" -mindepth 1 | wc -l)" 2 "nothing created"
set +e
KILN_CONFIG=$T/missing.yaml "$KILN" page list 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "KILN_CONFIG names a missing file"
assert_contains "$(cat "$T/err")" "cannot open '$T/missing.yaml' (KILN_CONFIG)" "says which"
set +e
(cd site && "$KILN" -c nope.yaml check) 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 1 "-c names a missing file"
assert_contains "$(cat "$T/err")" "cannot open 'nope.yaml' (-c)" "says which"
pass "a missing kiln.yaml says where kiln looked and what to do"
