/* SPDX-License-Identifier: ISC */
/*
 * scrub.h: secrets out of text bound for a log, a build record or a
 * report (docs/decisions/0066-scrubbing-secrets.md).
 *
 * Two kinds of secret are replaced by "[redacted]":
 * - the VALUE of every known secret variable: AWS_SECRET_ACCESS_KEY,
 *   AWS_SESSION_TOKEN, PGPASSWORD, and every variable registered with
 *   scrub_add_env() (the `*_env` keys of kiln.yaml); values shorter than
 *   SCRUB_MIN_LEN are left alone (they would mangle ordinary words);
 * - the password of a URL's user information: scheme://user:PASS@host.
 * - the value of a query parameter that carries a credential
 *   (?token=, &access_token=, &X-Amz-Signature=, ...; see scrub.c).
 *
 * The values are read with getenv() when text is scrubbed, so a variable
 * set after registration is covered too.  Thread-safe.
 */
#ifndef KILN_SCRUB_H
#define KILN_SCRUB_H

struct buf;

#define SCRUB_MIN_LEN	4
#define SCRUB_MARK	"[redacted]"

/* treat the value of environment variable VAR as a secret (NULL ok) */
void scrub_add_env(const char *var);
/* scrub B in place */
void scrub_buf(struct buf *b);
/* a scrubbed, malloc'd copy of S (NULL gives NULL) */
char *scrub_str(const char *s);

#endif
