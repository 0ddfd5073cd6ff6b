# SPDX-License-Identifier: ISC
# cli_output: output conventions every command follows (issue #18):
# counts pluralised, sizes human-readable unless --bytes, -q silences
# confirmations but never results, -v is taken by every command, colour
# only on a terminal and never with NO_COLOR.
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site

# 1. counts: "1 page published", not "1 published"
"$KILN" page new / --title Home >/dev/null
"$KILN" page schedule / --go-live 2030-01-01T00:00:00Z >/dev/null
out=$(KILN_NOW=2030-06-01T00:00:00Z "$KILN" scheduled)
assert_contains "$out" "1 page published, 0 pages expired, 0 pages skipped" "plural"
assert_eq "$("$KILN" gc)" "gc: 0 build records removed, 0 logs cleared, 0 history commits pruned" "gc"
pass "counts are pluralised"

# 2. sizes: KiB unless --bytes (before or after the command)
head -c 1536 /dev/zero >"$T/blob.bin"
head -c 3145728 /dev/zero | tr '\0' x >"$T/big.txt"
assert_contains "$("$KILN" media add "$T/blob.bin")" "blob.bin 1.5 KiB" "media add"
assert_contains "$("$KILN" --bytes media add "$T/big.txt")" "big.txt 3145728 bytes" "--bytes"
assert_contains "$("$KILN" media list)" "3.0 MiB  big.txt" "media list"
assert_contains "$("$KILN" media list --bytes)" "1536 bytes  blob.bin" "media list --bytes"
assert_eq "$("$KILN" media list --json | jq '[.[].size] | sort')" "$(printf '[\n  1536,\n  3145728\n]')" \
    "JSON keeps exact numbers"
pass "sizes are human-readable, exact with --bytes"

# 3. -q: no confirmations, results still printed; before or after
assert_eq "$("$KILN" -q page new news --title News)" "" "-q page new"
assert_eq "$("$KILN" page edit news --title News2 -q)" "" "page edit -q"
assert_eq "$("$KILN" page edit news --title News3 --quiet)" "" "--quiet"
assert_eq "$("$KILN" -q check)" "" "check -q"
assert_eq "$("$KILN" -q page list | wc -l)" 2 "-q page list still lists"
assert_eq "$("$KILN" page show news -q | sed -n 2p)" "title:   News3" "-q page show still shows"
assert_eq "$("$KILN" page edit news --title News4)" "news: draft" "without -q: confirmation"
pass "-q silences confirmations, never results"

# 4. -v: taken by every command, before or after
mkdir -p "$T/content/notes"
printf -- '---\ntitle: Notes\n---\n' >"$T/content/notes/_index.md"
printf -- '---\ntitle: One\n---\nBody.\n' >"$T/content/notes/one.md"
out=$("$KILN" import -v "$T/content" 2>&1)
assert_contains "$out" "notes/one" "import -v names pages"
"$KILN" page list -v >/dev/null || fail "page list -v"
"$KILN" -v gc >/dev/null || fail "-v gc"
pass "-v is taken by every command"

# 5. colour: never when piped, on a terminal unless NO_COLOR
esc=$(printf '\033[')
out=$("$KILN" page list)
assert_not_contains "$out" "$esc" "no colour in a pipe"
out=$(script -qec "\"$KILN\" page list" /dev/null)
assert_contains "$out" "${esc}32mlive" "colour on a terminal"
out=$(NO_COLOR=1 script -qec "\"$KILN\" page list" /dev/null)
assert_not_contains "$out" "$esc" "NO_COLOR on a terminal"
out=$(script -qec "\"$KILN\" page list --json" /dev/null)
assert_not_contains "$out" "$esc" "--json never coloured"
pass "colour only on a terminal, never with NO_COLOR"
