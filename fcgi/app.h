/*
 * app.h - what one responder process holds for its whole life: the
 * configuration (read once at start), the route table, and one Redis and
 * one PostgreSQL connection, created on first use and reused by every
 * request (each reconnects by itself after a failure; never one per
 * request).  Passed explicitly to every handler; there is no global.
 */
#ifndef XQ_APP_H
#define XQ_APP_H

#include "auth.h"
#include "config.h"
#include "db.h"
#include "error.h"
#include "http.h"
#include "queue.h"
#include "redis.h"
#include "router.h"

typedef struct xq_app {
    const xq_config *cfg;     /* borrowed, read-only */
    const xq_route *routes;   /* static table (routes.c) */
    size_t nroutes;
    xq_queue *queue;          /* owned, NULL until first use; holds the Redis connection */
    xq_db *db;                /* owned, NULL until first use */
    xq_auth_cache tokens;     /* tokens this process has verified */
} xq_app;

void xq_app_init(xq_app *app, const xq_config *cfg);
void xq_app_cleanup(xq_app *app);

/*
 * The process's queue client, Redis handle (the queue's own connection, so a
 * process holds one Redis connection) and PostgreSQL handle, created on first
 * call.  Borrowed.
 */
xq_status xq_app_queue(xq_app *app, xq_queue **out, xq_err *err);
xq_status xq_app_redis(xq_app *app, xq_redis **out, xq_err *err);
xq_status xq_app_db(xq_app *app, xq_db **out, xq_err *err);

/*
 * Answer one request: route, authenticate and authorise from the table,
 * check and read a JSON body where the route takes one, run the handler,
 * and make sure exactly one SPEC-shaped answer goes out.
 */
void xq_app_dispatch(xq_app *app, xq_http *h);

#endif
