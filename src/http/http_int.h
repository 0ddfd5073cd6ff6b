/* SPDX-License-Identifier: ISC */
/*
 * http_int.h: what the HTTP face's files share.
 */
#ifndef KILN_HTTP_INT_H
#define KILN_HTTP_INT_H

struct buf;
struct store;

/*
 * Append the Prometheus text of /metrics to OUT (http_metrics.c):
 * builds by status, the queue, REQUESTS served, and the histograms of
 * the build history.
 */
int http_metrics_text(struct store *st, long requests, struct buf *out,
    struct buf *err);

#endif
