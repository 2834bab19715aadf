/*
 * routes.h - the route table (every route of SPEC §5 with its method,
 * permission and body rule) and the handlers it points to.
 */
#ifndef XQ_ROUTES_H
#define XQ_ROUTES_H

#include "app.h"
#include "router.h"

extern const xq_route xq_routes[];
extern const size_t xq_nroutes;

/* GET /api/v1/health (routes_health.c). */
xq_status xq_route_health(xq_app *app, xq_http *h, xq_err *err);

/* routes_export.c: the user's exports (admin:usage). */
xq_status xq_route_export_async(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_export_sync(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_export_status(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_export_cancel(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_my_exports(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_export_forget(xq_app *app, xq_http *h, xq_err *err);

/* routes_download.c: GET and HEAD /downloads/:fileName. */
xq_status xq_route_download(xq_app *app, xq_http *h, xq_err *err);

/* routes_queue.c: the queue's admin routes (admin:queue). */
xq_status xq_route_queue_stats(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_jobs(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_retry(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_remove(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_pause(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_resume(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_clean(xq_app *app, xq_http *h, xq_err *err);
xq_status xq_route_queue_workers(xq_app *app, xq_http *h, xq_err *err);

/* metrics.c: GET /metrics. */
xq_status xq_route_metrics(xq_app *app, xq_http *h, xq_err *err);

#endif
