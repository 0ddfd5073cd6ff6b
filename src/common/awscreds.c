/* SPDX-License-Identifier: ISC */
/*
 * awscreds.c: the AWS credential chain (awscreds.h), moved here from the
 * S3 target so CloudFront uses the same one.
 */
#include "common/compat.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/awscreds.h"
#include "common/buf.h"
#include "common/fsutil.h"
#include "common/xmalloc.h"

void
aws_creds_release(struct aws_creds *c)
{
	freezero_str(c->key_id);
	freezero_str(c->secret);
	freezero_str(c->token);
	memset(c, 0, sizeof(*c));
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* read SECTION of an INI file into c (fields not yet set) */
static void
ini_read(const char *file, const char *section, struct aws_creds *c)
{
	struct buf data = BUF_INIT, err = BUF_INIT;
	char *line, *save = NULL, *p;
	bool in = false;

	if (file_read(file, &data, 1024 * 1024, &err) == -1)
		goto out;
	for (line = strtok_r(data.buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		p = trim(line);
		if (*p == '#' || *p == ';' || !*p)
			continue;
		if (*p == '[') {
			char *e = strchr(p, ']');
			if (e)
				*e = '\0';
			in = strcmp(trim(p + 1), section) == 0;
			continue;
		}
		if (!in || !(line = strchr(p, '=')))
			continue;
		*line = '\0';
		{
			char *k = trim(p), *v = trim(line + 1);
			if (!strcmp(k, "aws_access_key_id") && !c->key_id)
				c->key_id = xstrdup(v);
			else if (!strcmp(k, "aws_secret_access_key") &&
			    !c->secret)
				c->secret = xstrdup(v);
			else if (!strcmp(k, "aws_session_token") && !c->token)
				c->token = xstrdup(v);
		}
	}
out:
	explicit_bzero(data.buf, data.len);
	buf_release(&data);
	buf_release(&err);
}

int
aws_creds_load(struct aws_creds *c, struct buf *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *sec = getenv("AWS_SECRET_ACCESS_KEY");
	const char *tok = getenv("AWS_SESSION_TOKEN");
	const char *home = getenv("HOME");
	const char *profile = getenv("AWS_PROFILE");
	char *file, *section;

	memset(c, 0, sizeof(*c));
	if (id && *id && sec && *sec) {
		c->key_id = xstrdup(id);
		c->secret = xstrdup(sec);
		c->token = tok && *tok ? xstrdup(tok) : NULL;
		return 0;
	}
	if (!profile || !*profile)
		profile = "default";
	file = getenv("AWS_SHARED_CREDENTIALS_FILE") ?
	    xstrdup(getenv("AWS_SHARED_CREDENTIALS_FILE")) :
	    xasprintf("%s/.aws/credentials", home ? home : "");
	ini_read(file, profile, c);
	free(file);
	file = getenv("AWS_CONFIG_FILE") ? xstrdup(getenv("AWS_CONFIG_FILE")) :
	    xasprintf("%s/.aws/config", home ? home : "");
	section = strcmp(profile, "default") ? xasprintf("profile %s",
	    profile) : xstrdup("default");
	ini_read(file, section, c);
	free(file);
	free(section);
	if (!c->key_id || !c->secret) {
		aws_creds_release(c);
		buf_setf(err, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with "
		    "~/.aws/credentials (profile '%s' not found)", profile);
		return -1;
	}
	return 0;
}
