/*
 * routes_health.c - GET /api/v1/health: a real PING to Redis and a real
 * `SELECT 1` to PostgreSQL over the process's own connections, each bounded
 * by XQ_HEALTH_TIMEOUT_MS, so a load balancer learns within about two
 * seconds which dependency is down, and the next check after a restart
 * finds it back (both connections reconnect on use).
 */
#include <stdio.h>

#include "log.h"
#include "routes.h"

#define XQ_HEALTH_TIMEOUT_MS 1000

static int redis_ok(xq_app *app)
{
    xq_redis *r;
    xq_err e;
    long saved;
    xq_status st;

    xq_err_clear(&e);
    if ((st = xq_app_redis(app, &r, &e)) == XQ_OK) {
        saved = xq_redis_get_timeout_ms(r);
        xq_redis_set_timeout_ms(r, XQ_HEALTH_TIMEOUT_MS);
        st = xq_redis_ping(r, &e);
        xq_redis_set_timeout_ms(r, saved);
    }
    if (st != XQ_OK)
        xq_log(XQ_LOG_WARN, "health: redis down: %s", e.msg);
    return st == XQ_OK;
}

static int postgres_ok(xq_app *app)
{
    xq_db *db;
    xq_err e;
    xq_status st;

    xq_err_clear(&e);
    if ((st = xq_app_db(app, &db, &e)) == XQ_OK)
        st = xq_db_ping(db, XQ_HEALTH_TIMEOUT_MS, &e);
    if (st != XQ_OK)
        xq_log(XQ_LOG_WARN, "health: postgresql down: %s", e.msg);
    return st == XQ_OK;
}

xq_status xq_route_health(xq_app *app, xq_http *h, xq_err *err)
{
    int r = redis_ok(app), p = postgres_ok(app);
    char body[96];
    int n;

    (void)err;
    n = snprintf(body, sizeof(body), "{\"status\":\"%s\",\"redis\":\"%s\",\"postgres\":\"%s\"}",
                 r && p ? "ok" : "down", r ? "ok" : "down", p ? "ok" : "down");
    if (!(r && p))
        xq_http_add_header(h, "Retry-After", "5");
    return xq_http_json(h, r && p ? 200 : 503, body, (size_t)n);
}
