/* SPDX-License-Identifier: ISC */
/*
 * limits.h: named caps for every size that comes from input (STYLE H23).
 */
#ifndef KILN_LIMITS_H
#define KILN_LIMITS_H

#define LIMIT_CONFIG_FILE	(1024 * 1024)
#define LIMIT_FRONT_MATTER	(256 * 1024)
#define LIMIT_PAGE_BODY		(8 * 1024 * 1024)
#define LIMIT_TEMPLATE		(1024 * 1024)
#define LIMIT_TEMPLATE_DEPTH	64
#define LIMIT_RENDER_OUTPUT	(64 * 1024 * 1024)
#define LIMIT_RENDER_STEPS	5000000	/* nodes visited by one render */
#define LIMIT_MEDIA_FILE	(256 * 1024 * 1024)
#define LIMIT_HTTP_BODY		(16 * 1024 * 1024)
#define LIMIT_JSON_BODY		(8 * 1024 * 1024)
#define LIMIT_S3_XML		(16 * 1024 * 1024)
#define LIMIT_MANIFEST		(256 * 1024 * 1024)
#define LIMIT_SLUG		200
#define LIMIT_TITLE		300	/* characters */
#define LIMIT_PATH		1024

#endif
