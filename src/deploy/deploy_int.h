/* SPDX-License-Identifier: ISC */
/*
 * deploy_int.h: the destinations a deploy writes to (STYLE H4: an ops
 * table per backend).  A transfer batch is run by the backend, in
 * parallel where it can; each transfer gets its own status.
 */
#ifndef KILN_DEPLOY_INT_H
#define KILN_DEPLOY_INT_H

#include "common/awscreds.h"

struct buf;
struct conf_target;
struct conf_mirror;

/* X_HEAD: status 0 when the object is there, 1 when it is not */
enum xfer_op { X_PUT, X_DELETE, X_HEAD };

struct xfer {
	enum xfer_op op;
	char *key;			/* object key, prefix included; owned */
	char *file;			/* PUT: local file; owned (or NULL) */
	const char *data;		/* PUT: bytes instead of a file */
	size_t len;
	const char *sha256;		/* PUT: hex SHA-256 of the body */
	const char *content_type;
	const char *cache_control;
	bool create_only;		/* If-None-Match: * */
	const char *surrogate_key;	/* x-amz-meta-surrogate-key, or NULL */
	const char *redirect;		/* x-amz-website-redirect-location,
					   or NULL */
	/* results */
	int status;			/* 0 done, 1 already there, -1 failed */
	int http;			/* last HTTP status (s3) */
	int attempts;
	char *error;			/* malloc'd when status == -1 */
};

struct dest;

struct dest_ops {
	/* run every transfer of the batch; -1 only on a setup failure */
	int (*run)(struct dest *d, struct xfer *x, size_t n, struct buf *err);
	/*
	 * list every key under the prefix: fn(key, size, md5, arg), md5 the
	 * content's MD5 in lowercase hex when known (an S3 ETag of a
	 * single-part upload; a dir destination hashes the file), else ""
	 */
	int (*list)(struct dest *d, int (*fn)(const char *, int64_t,
	    const char *, void *), void *arg, struct buf *err);
	void (*free)(struct dest *d);
};

struct dest {
	const struct dest_ops *ops;
	char *name;		/* "production", "production.mirror.1" */
	char *ident;		/* identity, JSON: {"type", "endpoint",
				   "bucket", "prefix"} or {"type", "path",
				   "prefix"}: what the deployed state is
				   keyed by (never the name) */
	char *prefix;		/* "" or ends in '/' */
	int concurrency;
	bool list_denied;	/* the last list was refused (HTTP 403) */
	void *impl;
};

struct dest *dest_dir_new(const char *name, const char *root,
    const char *prefix, struct buf *err);
struct dest *dest_s3_new(const char *name, const char *bucket,
    const char *region, const char *endpoint, bool path_style,
    const char *prefix, int concurrency, bool plan_only, struct buf *err);
void dest_free(struct dest *d);
struct conf;
/* target T's destination (MIRROR -1: the target itself) */
struct dest *deploy_make_dest(const struct conf *c,
    const struct conf_target *t, int mirror, bool plan_only,
    struct buf *err);


/* lowercase hex MD5 of FILE (33 bytes out); -1 with err */
int md5_file_hex(const char *file, char out[33], struct buf *err);
/* the destination's identity as JSON text (malloc'd) */
char *dest_ident(const char *type, const char *endpoint,
    const char *bucket, const char *path, const char *prefix);

/* percent-encode an object key for a URL path ('/' kept) */
void s3_encode_key(const char *key, struct buf *out);

#endif
