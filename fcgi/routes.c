/*
 * routes.c - the route table, and the dispatcher that enforces what the
 * table says (authentication, permission, body limits) before any handler
 * runs, so a handler cannot forget a check.  Route order matters only for
 * the Allow header (listed in table order); patterns never overlap.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "log.h"
#include "routes.h"

#define U XQ_PERM_ADMIN_USAGE
#define Q XQ_PERM_ADMIN_QUEUE
#define BODY XQ_ROUTE_JSON_BODY

const xq_route xq_routes[] = {
    {"GET", "/api/v1/health", xq_route_health, XQ_AUTH_NONE, 0, 0},
    {"POST", "/api/v1/admin/usage/export-async", xq_route_export_async, XQ_AUTH_TOKEN, U, BODY},
    {"POST", "/api/v1/admin/usage/export", xq_route_export_sync, XQ_AUTH_TOKEN, U, BODY},
    {"GET", "/api/v1/admin/usage/export-status/:jobId", xq_route_export_status, XQ_AUTH_TOKEN, U, 0},
    {"DELETE", "/api/v1/admin/usage/export/:jobId", xq_route_export_cancel, XQ_AUTH_TOKEN, U, 0},
    {"GET", "/api/v1/admin/usage/my-exports", xq_route_my_exports, XQ_AUTH_TOKEN, U, 0},
    {"DELETE", "/api/v1/admin/usage/my-exports/:jobId", xq_route_export_forget, XQ_AUTH_TOKEN, U, 0},
    {"GET", "/downloads/:fileName", xq_route_download, XQ_AUTH_OPTIONAL, 0, 0},
    {"HEAD", "/downloads/:fileName", xq_route_download, XQ_AUTH_OPTIONAL, 0, 0},
    {"GET", "/api/v1/admin/queue/stats", xq_route_queue_stats, XQ_AUTH_TOKEN, Q, 0},
    {"GET", "/api/v1/admin/queue/jobs", xq_route_queue_jobs, XQ_AUTH_TOKEN, Q, 0},
    {"POST", "/api/v1/admin/queue/jobs/:jobId/retry", xq_route_queue_retry, XQ_AUTH_TOKEN, Q, 0},
    {"DELETE", "/api/v1/admin/queue/jobs/:jobId", xq_route_queue_remove, XQ_AUTH_TOKEN, Q, 0},
    {"POST", "/api/v1/admin/queue/pause", xq_route_queue_pause, XQ_AUTH_TOKEN, Q, 0},
    {"POST", "/api/v1/admin/queue/resume", xq_route_queue_resume, XQ_AUTH_TOKEN, Q, 0},
    {"POST", "/api/v1/admin/queue/clean", xq_route_queue_clean, XQ_AUTH_TOKEN, Q, BODY},
    {"GET", "/api/v1/admin/queue/workers", xq_route_queue_workers, XQ_AUTH_TOKEN, Q, 0},
    {"GET", "/metrics", xq_route_metrics, XQ_AUTH_METRICS, 0, 0},
};

const size_t xq_nroutes = sizeof(xq_routes) / sizeof(xq_routes[0]);

/* 401/403 from the table; returns 1 when the request may go on. */
static int check_access(xq_app *app, xq_http *h, const xq_route *rt)
{
    char msg[96];
    xq_err e;

    switch (rt->auth) {
    case XQ_AUTH_NONE:
        return 1;
    case XQ_AUTH_METRICS:
        if (xq_auth_metrics_ok(app->cfg->metrics_token, h->authorization))
            return 1;
        xq_http_add_header(h, "WWW-Authenticate", "Bearer");
        xq_http_error(h, XQ_ERR_AUTH, "metrics token required", NULL);
        return 0;
    case XQ_AUTH_OPTIONAL:
    case XQ_AUTH_TOKEN:
        xq_err_clear(&e);
        if (h->authorization != NULL) {
            h->auth_status = xq_auth_authenticate_cached(&app->tokens, h->authorization,
                                                         app->cfg->jwt_secret, time(NULL),
                                                         &h->principal, &e);
            if (h->auth_status != XQ_OK)
                xq_log(XQ_LOG_DEBUG, "authentication failed: %s", e.msg);
        } else {
            h->auth_status = XQ_ERR_AUTH;
        }
        if (rt->auth == XQ_AUTH_OPTIONAL)
            return 1; /* the handler weighs token against a signed link */
        if (h->auth_status == XQ_ERR_INTERNAL) {
            xq_log(XQ_LOG_ERROR, "authentication: %s", e.msg);
            xq_http_error(h, XQ_ERR_INTERNAL, NULL, NULL);
            return 0;
        }
        if (h->auth_status != XQ_OK) {
            xq_http_add_header(h, "WWW-Authenticate", "Bearer");
            xq_http_error(h, XQ_ERR_AUTH,
                          h->authorization == NULL ? "missing bearer token"
                                                   : "invalid or expired token",
                          NULL);
            return 0;
        }
        if (!xq_auth_has(&h->principal, rt->perm)) {
            snprintf(msg, sizeof(msg), "permission %s required",
                     xq_auth_perm_name(rt->perm & XQ_PERM_ADMIN_QUEUE ? XQ_PERM_ADMIN_QUEUE
                                                                      : XQ_PERM_ADMIN_USAGE));
            xq_http_error(h, XQ_ERR_FORBIDDEN, msg, NULL);
            return 0;
        }
        return 1;
    }
    xq_http_error(h, XQ_ERR_INTERNAL, NULL, NULL);
    return 0;
}

/* 413 / 415 / 400 for a route that takes a JSON body; 1 when read. */
static int take_body(xq_http *h)
{
    xq_err e;
    xq_status st;

    if (h->content_length_bad) {
        xq_http_error(h, XQ_ERR_INVALID, "Content-Length is not a number", NULL);
        return 0;
    }
    if (h->content_length > XQ_HTTP_BODY_MAX) {
        xq_http_error(h, XQ_ERR_TOO_BIG, "request body is over 65536 bytes", NULL);
        return 0;
    }
    if (!xq_http_is_json(h)) {
        xq_http_error(h, XQ_ERR_MEDIA_TYPE, "Content-Type must be application/json", NULL);
        return 0;
    }
    xq_err_clear(&e);
    if ((st = xq_http_read_body(h, &e)) != XQ_OK) {
        xq_http_error(h, st, e.msg, NULL);
        return 0;
    }
    return 1;
}

void xq_app_dispatch(xq_app *app, xq_http *h)
{
    const xq_route *rt;
    xq_status st;
    xq_err e;

    st = xq_router_match(app->routes, app->nroutes, h->method, h->path, h->path_len,
                         &h->match);
    if (st == XQ_ERR_METHOD) {
        xq_http_add_header(h, "Allow", h->match.allow);
        xq_http_error(h, st, "method not allowed on this path", NULL);
        goto out;
    }
    if (st == XQ_ERR_INVALID) {
        xq_http_error(h, st, "malformed path", NULL);
        goto out;
    }
    if (st != XQ_OK) {
        xq_http_error(h, XQ_ERR_NOT_FOUND, "no such route", NULL);
        goto out;
    }
    rt = h->match.route;
    if (!check_access(app, h, rt))
        goto out;
    if ((rt->flags & XQ_ROUTE_JSON_BODY) && !take_body(h))
        goto out;
    xq_err_clear(&e);
    st = rt->handler(app, h, &e);
    if (st != XQ_OK && !h->responded) {
        xq_log(xq_status_http(st) >= 500 ? XQ_LOG_ERROR : XQ_LOG_INFO, "%s %s: %s: %s",
               h->method, rt->pattern, xq_strerror(st), e.msg);
        /* Generic text: err is for operators and may name internals. */
        xq_http_error(h, st, NULL, NULL);
    } else if (st != XQ_OK) {
        xq_log(XQ_LOG_WARN, "%s %s: after answering: %s: %s", h->method, rt->pattern,
               xq_strerror(st), e.msg);
    }
    if (!h->responded) {
        xq_log(XQ_LOG_ERROR, "%s %s: handler returned without answering", h->method,
               rt->pattern);
        xq_http_error(h, XQ_ERR_INTERNAL, NULL, NULL);
    }
out:
    if (xq_log_enabled(XQ_LOG_DEBUG))
        xq_log(XQ_LOG_DEBUG, "%s %.*s -> %d", h->method,
               (int)(h->path_len > 200 ? 200 : h->path_len), h->path, h->status);
}
