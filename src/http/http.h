/* SPDX-License-Identifier: ISC */
/*
 * http.h: the HTTP API, health, metrics and the local site (http.c).
 * libmicrohttpd runs a thread per connection; each running request
 * borrows a store handle from the server's pool.  The routes and the
 * role each needs are in route.h.
 */
#ifndef KILN_HTTP_H
#define KILN_HTTP_H

struct buf;
struct conf;
struct http;

/* listen on HOST:PORT (IPv4); NULL with err if it cannot */
struct http *http_start(const struct conf *c, const char *listen,
    struct buf *err);
void http_stop(struct http *h);

#endif
