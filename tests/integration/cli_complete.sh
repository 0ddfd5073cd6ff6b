# SPDX-License-Identifier: ISC
# cli_complete: the bash completion (contrib/bash-completion/kiln) driven
# as bash does it: COMP_WORDS/COMP_CWORD set, _kiln called, COMPREPLY
# read.  Commands, subcommands and options come from the option tables;
# page paths from the store; target names from kiln.yaml (issue #18).
. "$KILN_SRC/tests/integration/lib.sh"
cd "$T"
"$KILN" init site >/dev/null
cd site
sed -i 's/^targets:$/targets:\n  preview:\n    type: dir\n    path: .kiln\/preview/' kiln.yaml
"$KILN" check >/dev/null || fail "check"
"$KILN" page new / --title Home >/dev/null
"$KILN" page new news --title News >/dev/null
"$KILN" page new news/hello --title Hello >/dev/null
"$KILN" page new news/harvest-fair --title Fair >/dev/null
mkdir -p deep/er

# comp WORD... : COMPREPLY for the line "kiln WORD...", the last word
# being completed, one candidate a line, sorted
comp() {
	bash -c '
		. "$KILN_SRC/contrib/bash-completion/kiln"
		COMP_WORDS=("$KILN" "$@")
		COMP_CWORD=$#
		_kiln
		printf "%s\n" "${COMPREPLY[@]}" | sort' comp "$@"
}

assert_eq "$(comp pa)" "page" "command"
assert_eq "$(comp re | tr '\n' ' ')" "report republish restore " "commands"
assert_not_contains "$(comp co)" "complete" "the hidden helper is not offered"
assert_eq "$(comp page n)" "new" "subcommand"
assert_eq "$(comp page new x --bo)" "--body-file" "option of a subcommand"
assert_eq "$(comp page list --)" "$(printf -- '--bytes\n--config\n--help\n--json\n--quiet\n--verbose')" \
    "options of page list: its own and the common ones"
assert_eq "$(comp deploy --t)" "--target" "deploy option"
pass "commands, subcommands, options"

assert_eq "$(comp page show news/h | tr '\n' ' ')" "news/harvest-fair news/hello " "page paths"
assert_eq "$(comp page publish / | head -1)" "/" "the home page"
assert_eq "$(cd deep/er && comp page edit news/ha)" "news/harvest-fair" \
    "page paths from a sub-folder (kiln.yaml found in a parent)"
assert_eq "$(comp deploy --target '' | tr '\n' ' ')" "local preview " "target names"
assert_eq "$(comp deploy --target pr)" "preview" "target prefix"
assert_eq "$(comp token create --role p)" "publisher" "role values"
pass "page paths from the store, targets from kiln.yaml"

# no site: no paths, no error; file arguments fall back to file names
assert_eq "$(cd "$T" && comp page show n)" "" "no site, no candidates"
touch body.md
assert_eq "$(comp page new x --body-file bo)" "body.md" "FILE falls back to files"
pass "no site and FILE arguments"
