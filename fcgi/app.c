/*
 * app.c - the per-process state: connections are made lazily (a responder
 * that only ever answers 401s never connects) and kept for the life of the
 * process; redis.c and db.c reconnect after failures by themselves.
 */
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
    xq_redis_free(app->redis);
    xq_db_free(app->db);
    app->redis = NULL;
    app->db = NULL;
}

xq_status xq_app_redis(xq_app *app, xq_redis **out, xq_err *err)
{
    xq_status st;

    if (app->redis == NULL && (st = xq_redis_new(app->cfg, &app->redis, err)) != XQ_OK) {
        *out = NULL;
        return st;
    }
    *out = app->redis;
    return XQ_OK;
}

xq_status xq_app_db(xq_app *app, xq_db **out, xq_err *err)
{
    xq_status st;

    if (app->db == NULL && (st = xq_db_new(app->cfg, "exportq.fcgi", &app->db, err)) != XQ_OK) {
        *out = NULL;
        return st;
    }
    *out = app->db;
    return XQ_OK;
}
