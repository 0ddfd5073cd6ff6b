/* SPDX-License-Identifier: ISC */
/*
 * conf_secrets.h: the secrets a kiln.yaml names, for scrub.h.
 */
#ifndef KILN_CONF_SECRETS_H
#define KILN_CONF_SECRETS_H

struct conf;

/*
 * Register every variable a `*_env` key of C names (store.url_env,
 * history.token_env, serve.webhook_secret_env, notify.email.password_env,
 * notify.webhook.secret_env, targets.*.cdn.token_env and .secret_env)
 * with scrub_add_env(), so that their values never reach a log, a build
 * record or a report.
 */
void conf_register_secrets(const struct conf *c);

#endif
