#!/bin/sh
# SPDX-License-Identifier: ISC
# gen-test-list.sh OUT FILE...: list every TEST(suite, name) in FILEs, so
# that no test is ever left unregistered (git's generate-clar-decls.sh).
out=$1; shift
mkdir -p "$(dirname "$out")"
sed -n 's/^TEST(\([a-z0-9_]*\), *\([a-z0-9_]*\))$/X(\1, \2)/p' "$@" > "$out.tmp" &&
mv "$out.tmp" "$out"
