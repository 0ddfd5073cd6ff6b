#!/bin/bash
# SPDX-License-Identifier: ISC
# tmpl_spec_cli.sh: every non-lambda case of the Mustache spec through
# `kiln template render`, byte for byte, from outside the library.
. "$KILN_SRC/tests/integration/lib.sh"

spec=$KILN_SRC/tests/conformance/mustache-spec
$PY - "$spec" "$T/cases" <<'PY'
import json, os, sys, glob
spec, out = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(glob.glob(os.path.join(spec, "*.json"))):
    if "lambdas" in f:
        continue
    for t in json.load(open(f))["tests"]:
        d = os.path.join(out, "%04d" % n)
        os.makedirs(os.path.join(d, "partials"))
        open(os.path.join(d, "name"), "w").write(os.path.basename(f) + ": " + t["name"])
        open(os.path.join(d, "template.mustache"), "w", newline="").write(t["template"])
        open(os.path.join(d, "expected"), "w", newline="").write(t["expected"])
        json.dump(t["data"], open(os.path.join(d, "data.json"), "w"))
        for k, v in t.get("partials", {}).items():
            open(os.path.join(d, "partials", k + ".mustache"), "w", newline="").write(v)
        n += 1
PY
total=0; bad=0
for d in "$T"/cases/*; do
	total=$((total + 1))
	"$KILN" template render "$d/template.mustache" --data "$d/data.json" \
	    --partials "$d/partials" >"$d/got" 2>"$d/err" || true
	if ! cmp -s "$d/got" "$d/expected"; then
		bad=$((bad + 1))
		echo "not ok - $(cat "$d/name"): $(head -c 300 "$d/err")"
	fi
done
echo "# $total spec cases through the CLI, $bad failed"
[ "$total" -gt 150 ] || fail "too few spec cases found ($total)"
[ "$bad" = 0 ] || fail "$bad spec cases differ"

# errors: file:line:col on stderr, exit 1; bad usage exits 2
printf 'a\n{{#x}}' > "$T/bad.mustache"
echo '{}' > "$T/d.json"
expect_status 1 "$KILN" template render "$T/bad.mustache" --data "$T/d.json"
err=$("$KILN" template render "$T/bad.mustache" --data "$T/d.json" 2>&1 || true)
assert_eq "$err" "$T/bad.mustache:2:1: unclosed section 'x'" "error text"
expect_status 2 "$KILN" template render "$T/bad.mustache"
expect_status 0 "$KILN" template --help
# a partial name cannot climb out of the partials folder
mkdir -p "$T/p" && echo SECRET > "$T/secret.mustache"
printf '{{>../secret}}' > "$T/climb.mustache"
out=$("$KILN" template render "$T/climb.mustache" --data "$T/d.json" --partials "$T/p")
assert_eq "$out" "" "partial outside the folder"
pass "template render matches the spec"
