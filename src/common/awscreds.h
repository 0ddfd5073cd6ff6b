/* SPDX-License-Identifier: ISC */
/*
 * awscreds.h: AWS credentials the way the AWS CLI finds them, shared by
 * the S3 deployer and CloudFront invalidation: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else the profile
 * AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
 * (~/.aws/credentials), then of AWS_CONFIG_FILE (~/.aws/config).
 */
#ifndef KILN_AWSCREDS_H
#define KILN_AWSCREDS_H

struct buf;

struct aws_creds {
	char *key_id;
	char *secret;
	char *token;		/* may be NULL */
};
/* -1 with err (naming where it looked, never a value) if none */
int aws_creds_load(struct aws_creds *c, struct buf *err);
/* wipe and free; c is zeroed */
void aws_creds_release(struct aws_creds *c);

#endif
