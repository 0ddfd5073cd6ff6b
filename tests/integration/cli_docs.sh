# SPDX-License-Identifier: ISC
# cli_docs: help, docs/cli.md and the man pages come from the option
# tables the parser uses (issue #18, "Learnable from the binary").
# - docs/cli.md, man/kiln.1.scd and man/kiln.yaml.5.scd are exactly what
#   the binary prints (a stale file fails here: regenerate it);
# - every man page renders with scdoc and man without a warning;
# - every command and subcommand answers --help and `kiln help ...` with
#   the same text, and every option its help lists is accepted by the
#   parser, while an option of another subcommand is refused (exit 2);
# - kiln page new --help names --title and --body-file (the issue's case).
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"

# 1. generated files are current
for pair in "--markdown docs/cli.md" "--man man/kiln.1.scd" \
    "--man-config man/kiln.yaml.5.scd" "--man-api man/kiln-api.7.scd" \
    "--markdown-api docs/api.md"; do
	set -- $pair
	"$KILN" help "$1" >"$T/gen" || fail "kiln help $1 failed"
	diff -u "$KILN_SRC/$2" "$T/gen" >"$T/diff" ||
	    fail "$2 is stale: run 'kiln help $1 > $2'; $(head -30 "$T/diff")"
done
pass "docs/cli.md, kiln(1), kiln.yaml(5), kiln-api(7), docs/api.md match the binary"

# kiln-api(7) lists every route of the server's table with its role:
# read the table from route.c itself, not from the generator
MANWIDTH=200 man -l <(scdoc <"$KILN_SRC/man/kiln-api.7.scd") >"$T/api.txt"
n=0
while read -r m p role; do
	n=$((n + 1))
	p=$(sed 's/{id}/ID/; s/{path}/PATH/' <<<"$p")
	grep -qE "^ +$m $p\$" "$T/api.txt" || fail "kiln-api(7) lacks $m $p"
	grep -qF "| $m | \`$(sed 's/ID/{id}/; s/PATH/{path}/' <<<"$p")\` |" "$KILN_SRC/docs/api.md" ||
	    fail "docs/api.md lacks $m $p"
done < <(sed -n 's/^\t{ "\([A-Z]*\)", "\([^"]*\)", RT_[A-Z_]*,.*/\1 \2/p; s/^\t{ "\([A-Z]*\)", "\([^"]*\)",$/\1 \2/p' \
    "$KILN_SRC/src/http/route.c")
[ $n -ge 20 ] || fail "test setup: read only $n routes from route.c"
assert_contains "$(cat "$T/api.txt")" "Role: publisher." "roles shown"
pass "kiln-api(7) and docs/api.md list all $n routes of route.c"

# every key of the loader's table is in kiln.yaml(5), with its default
for k in 'site.base\_url' 'build.page\_size' 'targets.NAME.cdn.distribution\_id' \
    'retention.logs\_days' 'serve.max\_body'; do
	grep -qF "*$k*" "$KILN_SRC/man/kiln.yaml.5.scd" || fail "kiln.yaml(5): $k"
done
grep -qF '*build.page\_size* (integer 1-1000; default: 10)' \
    "$KILN_SRC/man/kiln.yaml.5.scd" || fail "kiln.yaml(5): page_size type/default"
pass "kiln.yaml(5) lists keys with type and default"

# 2. man pages render cleanly
for s in "$KILN_SRC"/man/*.scd; do
	scdoc <"$s" >"$T/page" 2>"$T/err" || fail "scdoc $s: $(cat "$T/err")"
	MANWIDTH=80 man --warnings -l "$T/page" >"$T/txt" 2>"$T/err" ||
	    fail "man -l $s"
	[ ! -s "$T/err" ] || fail "man warnings for $s: $(cat "$T/err")"
	[ -s "$T/txt" ] || fail "man -l $s printed nothing"
done
MANWIDTH=80 man -l <(scdoc <"$KILN_SRC/man/kiln.1.scd") | grep -q -- "--body-file FILE" ||
    fail "kiln(1) lacks page new --body-file"
MANWIDTH=80 man -l <(scdoc <"$KILN_SRC/man/kiln-api.7.scd") | grep -q "POST /api/v1/pages" ||
    fail "kiln-api(7) lacks the routes"
pass "kiln(1), kiln.yaml(5), kiln-api(7) render"

# 3. the issue's case
out=$("$KILN" page new --help)
assert_contains "$out" "usage: kiln page new PATH --title TITLE" "page new usage"
assert_contains "$out" "--body-file FILE" "page new --help names --body-file"
assert_contains "$out" "examples:" "page new --help has examples"
assert_eq "$("$KILN" help page new)" "$out" "kiln help page new = --help"
out=$("$KILN" deploy --help)
assert_contains "$out" "Default: every target of kiln.yaml" "defaults shown"
pass "kiln page new --help describes its options"

# 4. every command and subcommand; every listed option is accepted
placeholder() {	# a value the option's own check accepts
	case $1 in
	ISO) echo 2026-01-01T00:00:00Z ;;
	N|ID) echo 1 ;;
	'ISO|none') echo none ;;
	'DURATION|TIME') echo 30d ;;
	'editor|publisher|admin') echo editor ;;
	'plain|json') echo plain ;;
	*) echo "$T/nothing" ;;
	esac
}
mkdir "$T/empty"
n=0
for c in $("$KILN" complete -- ''); do
	subs=$("$KILN" complete -- "$c" '')
	for s in ${subs:-.}; do
		[ "$s" = . ] && s= || s=" $s"
		[ "$c" = init ] && continue	# it would make a site
		help=$("$KILN" $c$s --help) || fail "kiln $c$s --help failed"
		assert_eq "$("$KILN" help $c$s)" "$help" "kiln help $c$s"
		assert_contains "$help" "usage: kiln $c$s" "usage line of $c$s"
		# help's options print documents instead (checked in 1.)
		[ "$c" = help ] && continue
		# the positional arguments, then every option with a value
		args=()
		syn=$(printf '%s\n' "$help" | sed -n '1,/^$/p' | tr -d '[]' |
		    sed 's/^usage: //' | tr '\n' ' ')
		set -- $syn
		shift $(( 1 + $(echo "$c$s" | wc -w) ))
		while [ $# -gt 0 ]; do
			case $1 in
			--*) args+=("$1")
			     case ${2:-} in ''|--*) ;; *) args+=("$(placeholder "$2")"); shift ;; esac ;;
			PATH|NAME|MANIFEST) args+=(x) ;;
			ID|BUILD\|COMMIT) args+=(1) ;;
			FILE|DIR) args+=("$T/nothing") ;;
			COMMAND|ARGS|--|WORD...) ;;
			*) args+=(x) ;;
			esac
			shift
		done
		set +e
		(cd "$T/empty" && "$KILN" $c$s "${args[@]}" >/dev/null 2>"$T/err")
		rc=$?
		set -e
		[ $rc != 2 ] || fail "kiln $c$s ${args[*]}: refused a listed option: $(cat "$T/err")"
		n=$((n + 1))
	done
done
[ $n -ge 30 ] || fail "only $n commands checked"
pass "$n commands: help = kiln help, every listed option parses"

# an option of another subcommand is refused, with the right usage
set +e
(cd "$T/empty" && "$KILN" page list --title x) >/dev/null 2>"$T/err"; rc=$?
set -e
assert_eq "$rc" 2 "page list --title is bad usage"
assert_contains "$(cat "$T/err")" "unknown option '--title'" "named"
assert_contains "$(cat "$T/err")" "usage: kiln page list [--json]" "its own usage"
expect_status 2 "$KILN" no-such-command 2>/dev/null
expect_status 2 "$KILN" help no-such-command 2>/dev/null
expect_status 0 "$KILN" help >/dev/null
pass "wrong options and commands are bad usage (2)"
