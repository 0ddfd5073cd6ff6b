/* SPDX-License-Identifier: ISC */
/*
 * error.h: what kind of failure an error message describes, set beside
 * the text (struct buf *err) by the code that knows, so that a face (the
 * HTTP API, later the CLI's exit codes) maps it without reading the text.
 * The first step of issue #13 item 1; only the store sets it so far.
 */
#ifndef KILN_ERROR_H
#define KILN_ERROR_H

enum err_kind {
	ERR_NONE = 0,		/* not set: treat as ERR_INVALID */
	ERR_INVALID,		/* bad input; HTTP 400 */
	ERR_NOT_FOUND,		/* no such thing; 404 */
	ERR_CONFLICT,		/* the state forbids it now; 409 */
	ERR_FORBIDDEN,		/* not allowed for this caller; 403 */
	ERR_UNAVAILABLE,	/* busy or locked, try again; 503 */
	ERR_INTERNAL,		/* our fault (database, disk); 500 */
};

#endif
