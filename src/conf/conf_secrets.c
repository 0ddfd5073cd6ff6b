/* SPDX-License-Identifier: ISC */
/*
 * conf_secrets.c: see conf_secrets.h.  Every `_env` key of the key table
 * that holds a secret's variable is listed here; a new one must be added
 * (test_conf.c checks the table against this list).
 */
#include "common/compat.h"

#include "common/scrub.h"
#include "conf/conf.h"
#include "conf/conf_secrets.h"

void
conf_register_secrets(const struct conf *c)
{
	if (!c)
		return;
	scrub_add_env(c->store.url_env);
	scrub_add_env(c->store.password_env);
	scrub_add_env(c->history.token_env);
	scrub_add_env(c->serve.webhook_secret_env);
	if (c->notify.email)
		scrub_add_env(c->notify.email->password_env);
	if (c->notify.webhook)
		scrub_add_env(c->notify.webhook->secret_env);
	for (size_t i = 0; i < c->ntargets; i++)
		scrub_add_env(c->targets[i].basic_auth_env);
	for (size_t i = 0; i < c->ntargets; i++)
		if (c->targets[i].cdn) {
			scrub_add_env(c->targets[i].cdn->token_env);
			scrub_add_env(c->targets[i].cdn->secret_env);
		}
}
