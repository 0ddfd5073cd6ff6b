/* SPDX-License-Identifier: ISC */
/*
 * yaml.c: see yaml.h.  The input checks run over the raw bytes first, so
 * libfyaml only ever sees valid UTF-8 without NUL bytes or explicit keys;
 * both inputs that broke it are in the fuzz corpora of conf_yaml and
 * store_frontmatter.
 */
#include "common/compat.h"

#include <stdarg.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "conf/yaml.h"

static void
yerr(struct yaml *y, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void
yerr(struct yaml *y, int line, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	y->nerr++;
	y->fn(y->arg, line, b.buf ? b.buf : "");
	buf_release(&b);
}

/* UTF-8 without NUL bytes; 0 or -1 (reported) */
static int
check_encoding(struct yaml *y, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;
	int line = 1;

	while (i < len) {
		if (s[i] == '\0') {
			yerr(y, line, "contains a NUL byte");
			return -1;
		}
		if (!(n = utf8_decode(s + i, len - i, &cp))) {
			yerr(y, line, "not valid UTF-8");
			return -1;
		}
		if (s[i] == '\n')
			line++;
		i += n;
	}
	return 0;
}

static bool
is_blank_or_end(const char *s, const char *end)
{
	return s >= end || *s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r';
}

/*
 * Refuse YAML's explicit keys ("? key"), which kiln never needs.  A '?'
 * counts when only blanks and "- " entries precede it on its line and a
 * blank follows it.  Returns 0 or -1 (reported).
 */
static int
check_explicit_keys(struct yaml *y, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *eol;
	int line = 1;

	for (; p < end; p = eol + 1, line++) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		for (;;) {
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			if (p < eol && *p == '-' && is_blank_or_end(p + 1, eol))
				p++;
			else
				break;
		}
		if (p < eol && *p == '?' && is_blank_or_end(p + 1, eol)) {
			yerr(y, line, "explicit keys ('? ') are not supported");
			return -1;
		}
	}
	return 0;
}

/* report the errors libfyaml collected since the last call */
static void
collect_diag(struct yaml *y)
{
	struct fy_diag_error *de;

	while ((de = fy_diag_errors_iterate(y->diag, &y->diag_iter))) {
		if (de->type < FYET_ERROR)
			continue;
		yerr(y, de->line > 0 ? de->line : 1, "syntax error: %s",
		    de->msg ? de->msg : "bad YAML");
	}
}

int
yaml_load(struct yaml *y, const char *text, size_t len, yaml_error_fn fn,
    void *arg)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;

	memset(y, 0, sizeof(*y));
	y->fn = fn;
	y->arg = arg;
	if (check_encoding(y, text, len) == -1 ||
	    check_explicit_keys(y, text, len) == -1)
		return -1;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	dcfg.colorize = false;
	if (!(y->diag = fy_diag_create(&dcfg))) {
		yerr(y, 1, "cannot set up the YAML parser");
		return -1;
	}
	fy_diag_set_collect_errors(y->diag, true);
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	pcfg.diag = y->diag;
	if (!(y->fyp = fy_parser_create(&pcfg)) ||
	    (len && fy_parser_set_string(y->fyp, text, len) != 0)) {
		yerr(y, 1, "cannot set up the YAML parser");
		return -1;
	}
	/* libfyaml reports an error for no input at all: that is empty */
	y->doc = len ? fy_parse_load_document(y->fyp) : NULL;
	collect_diag(y);
	return y->nerr ? -1 : 0;
}

struct fy_node *
yaml_next(struct yaml *y)
{
	if (!y->fyp || !y->doc || y->next || y->nerr)
		return NULL;
	y->next = fy_parse_load_document(y->fyp);
	collect_diag(y);
	return y->next && !y->nerr ? fy_document_root(y->next) : NULL;
}

void
yaml_release(struct yaml *y)
{
	if (y->next)
		fy_parse_document_destroy(y->fyp, y->next);
	if (y->doc)
		fy_parse_document_destroy(y->fyp, y->doc);
	if (y->fyp)
		fy_parser_destroy(y->fyp);
	if (y->diag)
		fy_diag_destroy(y->diag);
	memset(y, 0, sizeof(*y));
}

/*
 * 1-based line of a node: a scalar's own token; a collection's first key
 * or item (libfyaml 0.7 keeps no marks on collection nodes).
 */
int
yaml_node_line(struct fy_node *n, int fallback)
{
	const struct fy_mark *m;
	struct fy_token *tok;
	struct fy_node_pair *pair;
	void *iter;
	int depth;

	for (depth = 0; n && depth < 64; depth++) {
		iter = NULL;
		switch (fy_node_get_type(n)) {
		case FYNT_SCALAR:
			tok = fy_node_get_scalar_token(n);
			if (tok && (m = fy_token_start_mark(tok)))
				return m->line + 1;
			return fallback;
		case FYNT_MAPPING:
			if (!(pair = fy_node_mapping_iterate(n, &iter)))
				return fallback;
			n = fy_node_pair_key(pair) ? fy_node_pair_key(pair) :
			    fy_node_pair_value(pair);
			break;
		default:
			n = fy_node_sequence_iterate(n, &iter);
			break;
		}
	}
	return fallback;
}
