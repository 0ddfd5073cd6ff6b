/* SPDX-License-Identifier: ISC */
/*
 * out.c: how every command prints (docs/cli.md, "Output"): counts with
 * the right plural, sizes in KiB/MiB/GiB unless --bytes, confirmations
 * silenced by -q, details shown by -v, and colour only on a terminal and
 * never with NO_COLOR (https://no-color.org).
 */
#include "common/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

struct cli_out cli_out;

const char *
cli_count(char *dst, size_t len, long long n, const char *singular,
    const char *plural)
{
	if (n == 1 || n == -1)
		snprintf(dst, len, "%lld %s", n, singular);
	else if (plural)
		snprintf(dst, len, "%lld %s", n, plural);
	else
		snprintf(dst, len, "%lld %ss", n, singular);
	return dst;
}

const char *
cli_size(char *dst, size_t len, long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (cli_out.bytes || (bytes < 1024 && bytes > -1024))
		return cli_count(dst, len, bytes, "byte", NULL);
	v /= 1024;
	while ((v >= 1024 || v <= -1024) && u + 1 < NELEM(units)) {
		v /= 1024;
		u++;
	}
	snprintf(dst, len, v < 10 && v > -10 ? "%.1f %s" : "%.0f %s", v,
	    units[u]);
	return dst;
}

void
cli_info(const char *fmt, ...)
{
	va_list ap;

	if (cli_out.verbose < 0)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void
cli_verbose(const char *fmt, ...)
{
	va_list ap;

	if (cli_out.verbose < 1)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

bool
cli_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f)) == 1;
}

const char *
cli_sgr(FILE *f, const char *seq)
{
	return cli_color(f) ? seq : "";
}

void
cli_print_json(const json_t *v)
{
	char *d = json_dumps(v, JSON_INDENT(2));

	printf("%s\n", d ? d : "null");
	free(d);
}

int
cli_json_only(const struct cli_cmd *c, int argc, char **argv, bool *json)
{
	int ch;

	*json = false;
	while ((ch = cli_getopt(c, argc, argv)) != -1) {
		if (ch != 'j')
			return cli_bad_usage(c);
		*json = true;
	}
	return optind == argc ? -1 : cli_bad_usage(c);
}

const char *
cli_or_never(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "never";
}
