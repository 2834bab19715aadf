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

/*
 * The one temporary handler: a route of the SPEC whose handler is not built
 * yet answers 501 NOT_IMPLEMENTED with the SPEC error body, after the table
 * has checked authentication and permission like for a real handler.
 */
xq_status xq_route_not_implemented(xq_app *app, xq_http *h, xq_err *err);

#endif
