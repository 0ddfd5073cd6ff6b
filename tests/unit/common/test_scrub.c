/* SPDX-License-Identifier: ISC */
/* test_scrub.c: secrets out of logs, build records and reports. */
#include "test.h"

#include "common/buf.h"
#include "common/scrub.h"

static void
check_scrub(const char *in, const char *want)
{
	char *got = scrub_str(in);

	if (strcmp(got, want) != 0)
		test_fail(__FILE__, __LINE__, "scrub(\"%s\"):\n  got:      "
		    "\"%s\"\n  expected: \"%s\"", in, got, want);
	free(got);
}

TEST(scrub, builtin_variables)
{
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG", 1);
	setenv("AWS_SESSION_TOKEN", "FQoGZXIvYXdzEXAMPLE", 1);
	setenv("PGPASSWORD", "hunter22", 1);
	check_scrub("key wJalrXUtnFEMI/K7MDENG and wJalrXUtnFEMI/K7MDENG",
	    "key [redacted] and [redacted]");
	check_scrub("tok=FQoGZXIvYXdzEXAMPLE;pw=hunter22",
	    "tok=[redacted];pw=[redacted]");
	check_scrub("nothing secret here", "nothing secret here");
	check_scrub("", "");
}

TEST(scrub, registered_variables)
{
	setenv("KILN_T_SMTP_PW", "correct horse", 1);
	check_scrub("auth with correct horse", "auth with correct horse");
	scrub_add_env("KILN_T_SMTP_PW");
	scrub_add_env("KILN_T_SMTP_PW");
	scrub_add_env(NULL);
	check_scrub("auth with correct horse", "auth with [redacted]");
	/* read when scrubbing: a value set later is covered */
	scrub_add_env("KILN_T_LATER");
	setenv("KILN_T_LATER", "s3cr3t-later", 1);
	check_scrub("x s3cr3t-later y", "x [redacted] y");
	/* values too short to be secrets are left alone */
	setenv("KILN_T_SHORT", "abc", 1);
	scrub_add_env("KILN_T_SHORT");
	check_scrub("abcdef abc", "abcdef abc");
	unsetenv("KILN_T_SMTP_PW");
	check_scrub("auth with correct horse", "auth with correct horse");
}

TEST(scrub, url_credentials)
{
	check_scrub("push https://bob:tok123@git.example/x.git failed",
	    "push https://bob:[redacted]@git.example/x.git failed");
	check_scrub("smtp://u:p@mail:25 and s3://a:b@c",
	    "smtp://u:[redacted]@mail:25 and s3://a:[redacted]@c");
	check_scrub("'http://u:p%40ss@h/'", "'http://u:[redacted]@h/'");
	/* no password: nothing to hide */
	check_scrub("ssh://git@github.com/x http://h:8080/a@b",
	    "ssh://git@github.com/x http://h:8080/a@b");
	check_scrub("http://u:@h ://x:y@z", "http://u:@h ://x:y@z");
	check_scrub("http://", "http://");
}

TEST(scrub, query_credentials)
{
	check_scrub("GET https://h/x?token=abc123&page=2 failed",
	    "GET https://h/x?token=[redacted]&page=2 failed");
	check_scrub("https://b.s3/k?X-Amz-Credential=AKIA%2F1&"
	    "X-Amz-Signature=deadbeef#f",
	    "https://b.s3/k?X-Amz-Credential=[redacted]&"
	    "X-Amz-Signature=[redacted]#f");
	check_scrub("'https://hooks/x?ACCESS_TOKEN=t0k'",
	    "'https://hooks/x?ACCESS_TOKEN=[redacted]'");
	/* other parameters, empty values and look-alikes stay */
	check_scrub("https://h/?page=2&tokens=3&token=&q=a",
	    "https://h/?page=2&tokens=3&token=&q=a");
	check_scrub("a & b = c, token", "a & b = c, token");
}

TEST(scrub, buf_over_its_cap_keeps_text)
{
	struct buf b;

	setenv("PGPASSWORD", "hunter22", 1);
	buf_init(&b, 16);
	CHECK_OK(buf_adds(&b, "pw hunter22 x"));
	scrub_buf(&b);
	CHECK_STR_EQ(b.buf, "pw [redacted] x");
	buf_release(&b);
}
