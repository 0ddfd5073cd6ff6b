# sourced by import cases: a new kiln site in ./site and a copy of the
# Hugo corpus tests/corpus/$1 in ./hugo, the clock fixed
export KILN_NOW=2026-11-24T12:00:00Z
hugo_site() {
	"$KILN" init site >/dev/null || exit 9
	cp -R "$GOLDEN_DIR/../corpus/$1" hugo || exit 9
}
