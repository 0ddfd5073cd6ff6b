/* SPDX-License-Identifier: ISC */
/*
 * test_conf_secrets.c: every `_env` key of kiln.yaml names a secret that
 * is scrubbed from logs, build records and reports.
 */
#include "test.h"

#include "common/buf.h"
#include "common/scrub.h"
#include "common/xmalloc.h"
#include "conf/conf.h"
#include "conf/conf_int.h"
#include "conf/conf_secrets.h"

#define YAML \
	"site: {title: T, base_url: \"http://example.org/\"}\n"		\
	"store: {driver: postgres, url_env: T_PG, password_env: T_DBPASS}\n" \
	"targets:\n"							\
	"  a:\n"							\
	"    type: dir\n"						\
	"    path: out\n"						\
	"    cdn: {type: webhook, url: \"https://h.example/x\", "	\
	"secret_env: T_CDN_SECRET}\n"					\
	"  b:\n"							\
	"    type: dir\n"						\
	"    path: out2\n"						\
	"    content: latest\n"					\
	"    basic_auth_env: T_BASIC\n"					\
	"    cdn: {type: cloudflare, zone_id: z, token_env: T_CF}\n"	\
	"history: {token_env: T_GIT}\n"					\
	"notify:\n"							\
	"  email: {smtp: \"smtp://m.example\", from: a@example.org, "	\
	"to: [b@example.org], username: u, password_env: T_SMTP}\n"	\
	"  webhook: {url: \"https://h.example/n\", secret_env: T_HOOK}\n" \
	"serve: {webhook_secret_env: T_SERVE}\n"

TEST(conf_secrets, every_env_key_is_scrubbed)
{
	static const char *const vars[] = { "T_PG", "T_DBPASS", "T_CDN_SECRET",
		"T_CF", "T_GIT", "T_SMTP", "T_HOOK", "T_SERVE", "T_BASIC" };
	size_t nenv = 0;
	struct buf err = BUF_INIT;
	struct conf *c;

	c = conf_load_string(YAML, strlen(YAML), "kiln.yaml", &err);
	if (!c)
		test_fail(__FILE__, __LINE__, "%s", err.buf);
	/* a new _env key must be registered too: this count then fails */
	for (size_t i = 0; i < conf_nkeys; i++)
		if (conf_keys[i].type == CK_ENV)
			nenv++;
	CHECK_INT_EQ(nenv, sizeof(vars) / sizeof(vars[0]));
	for (size_t i = 0; i < nenv; i++) {
		char val[64], *in, *out;
		snprintf(val, sizeof(val), "value-of-%s", vars[i]);
		setenv(vars[i], val, 1);
		in = xasprintf("before %s after", val);
		out = scrub_str(in);
		CHECK_STR_EQ(out, in);	/* not registered yet */
		free(out);
		free(in);
	}
	conf_register_secrets(c);
	for (size_t i = 0; i < nenv; i++) {
		char val[64], *in, *out;
		snprintf(val, sizeof(val), "value-of-%s", vars[i]);
		in = xasprintf("before %s after", val);
		out = scrub_str(in);
		CHECK_STR_EQ(out, "before [redacted] after");
		free(out);
		free(in);
	}
	conf_free(c);
	buf_release(&err);
}
