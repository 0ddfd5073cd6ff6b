/* SPDX-License-Identifier: ISC */
/*
 * test_jsonsafe.c: UTF-8 validation (RFC 3629: overlongs, surrogates,
 * beyond U+10FFFF, truncated sequences) and JSON strings that never
 * fail, whatever bytes they are given.
 */
#include "test.h"

#include <jansson.h>

#include "common/buf.h"
#include "common/jsonsafe.h"

TEST(jsonsafe, utf8_valid)
{
	static const char *good[] = { "", "abc", "caf\xC3\xA9",
		"\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
		"\xF4\x8F\xBF\xBF" };
	static const char *bad[] = { "\xFF", "%\xFF", "\xC0\xAF",
		"\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
		"\xC3", "\xE2\x82", "\x80", "a\xF0\x9F\x98" };

	for (size_t i = 0; i < NELEM(good); i++)
		CHECK(jsafe_utf8_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < NELEM(bad); i++)
		CHECK(!jsafe_utf8_valid(bad[i], strlen(bad[i])));
}

TEST(jsonsafe, strings_never_fail)
{
	json_t *v = jsafe_string("no page at '\xFF'");
	char *s;

	CHECK_NOT_NULL(v);
	CHECK_STR_EQ(json_string_value(v), "no page at '\xEF\xBF\xBD'");
	json_decref(v);
	v = jsafe_string(NULL);
	CHECK_STR_EQ(json_string_value(v), "");
	json_decref(v);
	v = jsafe_string_or_null(NULL);
	CHECK(json_is_null(v));
	json_decref(v);
	/* what crashed the daemon: a pack with bad bytes gives NULL */
	CHECK_NULL(json_pack("{s:s}", "error", "\xC0\xAF"));
	v = json_pack("{s:o}", "error", jsafe_string("\xC0\xAF"));
	CHECK_NOT_NULL(v);
	s = json_dumps(v, JSON_COMPACT);
	CHECK_STR_EQ(s, "{\"error\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
	free(s);
	json_decref(v);
}
