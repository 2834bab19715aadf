/*
 * app.c - the per-process state: connections are made lazily (a responder
 * that only ever answers 401s never connects) and kept for the life of the
 * process; redis.c and db.c reconnect after failures by themselves.
 *
 * A kept connection may have been closed by its server while the process
 * sat idle (a Redis or PostgreSQL restart).  Before handing one out, a
 * zero-timeout poll() looks at its socket: an idle connection that is
 * readable has been closed (or been sent a termination notice), so it is
 * dropped and the next command reconnects.  Without this the first request
 * after a restart would fail with 503 in every process of the pool.
 */
#include <poll.h>
#include <string.h>

#include "app.h"
#include "routes.h"

void xq_app_init(xq_app *app, const xq_config *cfg)
{
    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    app->routes = xq_routes;
    app->nroutes = xq_nroutes;
    xq_auth_cache_init(&app->tokens);
}

void xq_app_cleanup(xq_app *app)
{
    if (app == NULL)
        return;
    xq_queue_free(app->queue);
    xq_db_free(app->db);
    app->queue = NULL;
    app->db = NULL;
}

/* 1 when the idle socket fd has something to read: EOF or an error notice. */
static int idle_socket_closed(int fd)
{
    struct pollfd p;

    if (fd < 0)
        return 0;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    return poll(&p, 1, 0) > 0;
}

xq_status xq_app_queue(xq_app *app, xq_queue **out, xq_err *err)
{
    redisContext *ctx;
    xq_redis *r;
    xq_status st;

    if (app->queue == NULL && (st = xq_queue_new(app->cfg, &app->queue, err)) != XQ_OK) {
        *out = NULL;
        return st;
    }
    *out = app->queue;
    r = xq_queue_redis(app->queue);
    /* Connects when not connected: Redis down is answered here, once. */
    if ((st = xq_redis_context(r, &ctx, err)) != XQ_OK)
        return st;
    if (idle_socket_closed(ctx->fd)) {
        xq_redis_drop(r);
        if ((st = xq_redis_context(r, &ctx, err)) != XQ_OK)
            return st;
    }
    return XQ_OK;
}

xq_status xq_app_redis(xq_app *app, xq_redis **out, xq_err *err)
{
    xq_queue *q;
    xq_status st;

    *out = NULL;
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        return st;
    *out = xq_queue_redis(q);
    return XQ_OK;
}

xq_status xq_app_db(xq_app *app, xq_db **out, xq_err *err)
{
    PGconn *conn;
    xq_status st;

    if (app->db == NULL && (st = xq_db_new(app->cfg, "exportq.fcgi", &app->db, err)) != XQ_OK) {
        *out = NULL;
        return st;
    }
    *out = app->db;
    if ((st = xq_db_conn(app->db, &conn, err)) != XQ_OK)
        return st;
    if (idle_socket_closed(PQsocket(conn))) {
        xq_db_drop(app->db);
        if ((st = xq_db_conn(app->db, &conn, err)) != XQ_OK)
            return st;
    }
    return XQ_OK;
}
