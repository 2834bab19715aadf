/*
 * metrics.c - GET /metrics: Prometheus text exposition (format 0.0.4) of
 * the counters every process keeps in Redis, the queue depth per state,
 * paused, and the live workers (xq_queue_metrics_text).  The METRICS_TOKEN
 * bearer check (constant time) is the route table's (XQ_AUTH_METRICS).
 */
#include "reply.h"
#include "routes.h"

#define METRICS_MAX (1024 * 1024)

xq_status xq_route_metrics(xq_app *app, xq_http *h, xq_err *err)
{
    xq_queue *q;
    xq_buf b;
    xq_status st;

    xq_buf_init(&b, METRICS_MAX);
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK ||
        (st = xq_queue_metrics_text(q, &b, err)) != XQ_OK)
        goto out;
    if ((st = xq_http_send_head(h, 200, "text/plain; version=0.0.4; charset=utf-8",
                                (long long)b.len)) == XQ_OK)
        st = xq_http_write(h, xq_buf_str(&b), b.len);
out:
    xq_buf_cleanup(&b);
    return st;
}
