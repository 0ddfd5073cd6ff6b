# sourced by render cases: a minimal site in ./site with the case's files
export KILN_NOW=2026-11-24T12:00:00Z
mksite() {
	mkdir -p site/templates/partials site/static site/content
	cat > site/kiln.yaml <<YAML
site: {title: "Golden", base_url: "https://example.org"}
build: {page_size: 2}
collections:
  upcoming: {section: events, sort: params.when, order: asc, filter: upcoming, date_field: params.when, limit: 2, feed: true}
targets:
  local: {type: dir, path: www}
YAML
	printf '{{<base}}{{$main}}<h1>{{page.title}}</h1>{{{page.content}}}{{/main}}{{/base}}' > site/templates/page.mustache
	printf '<html><title>{{page.title}}</title>{{$main}}{{/main}}</html>\n' > site/templates/base.mustache
	printf '{{<base}}{{$main}}<h1>{{page.title}}</h1><ul>{{#pagination.items}}<li>{{title}} {{date.iso}}</li>{{/pagination.items}}</ul>{{#pagination}}{{current}}/{{total}} prev={{prev_url}} next={{next_url}}{{/pagination}}{{/main}}{{/base}}' > site/templates/section.mustache
	printf '{{<base}}{{$main}}{{#collections.upcoming}}[{{title}} {{params.when}}]{{/collections.upcoming}}{{/main}}{{/base}}' > site/templates/home.mustache
}
page() {	# page PATH TITLE [FRONT MATTER LINES] < body
	mkdir -p "site/content/$(dirname "$1")"
	{ printf -- '---\ntitle: "%s"\n' "$2"; shift 2; for l in "$@"; do printf '%s\n' "$l"; done; printf -- '---\n'; cat; } > "site/content/$P.md"
}
