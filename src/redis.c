/*
 * redis.c - reconnecting hiredis connection.  Connection errors drop the
 * context; the next command reconnects.  A password is never logged.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "redis.h"

struct xq_redis {
    redisContext *ctx;
    char *host;
    int port;
    char *password;
    long db;
    char *prefix;
    long timeout_ms;
};

static struct timeval ms_to_tv(long ms)
{
    struct timeval tv;

    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

xq_status xq_redis_new(const xq_config *cfg, xq_redis **out, xq_err *err)
{
    xq_redis *r = calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "redis: out of memory");
    r->host = strdup(cfg->redis_host);
    r->password = strdup(cfg->redis_password ? cfg->redis_password : "");
    r->prefix = strdup(cfg->redis_prefix);
    if (r->host == NULL || r->password == NULL || r->prefix == NULL) {
        xq_redis_free(r);
        return xq_err_set(err, XQ_ERR_NOMEM, "redis: out of memory");
    }
    r->port = (int)cfg->redis_port;
    r->db = cfg->redis_job_db;
    r->timeout_ms = 2000;
    *out = r;
    return XQ_OK;
}

void xq_redis_free(xq_redis *r)
{
    if (r == NULL)
        return;
    if (r->ctx != NULL)
        redisFree(r->ctx);
    free(r->host);
    if (r->password != NULL) {
        memset(r->password, 0, strlen(r->password));
        free(r->password);
    }
    free(r->prefix);
    free(r);
}

void xq_redis_drop(xq_redis *r)
{
    if (r->ctx != NULL) {
        redisFree(r->ctx);
        r->ctx = NULL;
    }
}

void xq_redis_after_fork(xq_redis *r)
{
    if (r == NULL || r->ctx == NULL)
        return;
    /* Close our copy of the socket without a QUIT on the parent's session. */
    if (r->ctx->fd >= 0) {
        close(r->ctx->fd);
        r->ctx->fd = -1;
    }
    redisFree(r->ctx);
    r->ctx = NULL;
}

void xq_redis_set_timeout_ms(xq_redis *r, long ms)
{
    struct timeval tv;

    r->timeout_ms = ms;
    if (r->ctx != NULL) {
        tv = ms_to_tv(ms);
        if (redisSetTimeout(r->ctx, tv) != REDIS_OK)
            xq_redis_drop(r);
    }
}

long xq_redis_get_timeout_ms(const xq_redis *r)
{
    return r->timeout_ms;
}

const char *xq_redis_prefix(const xq_redis *r)
{
    return r->prefix;
}

static xq_status check_simple(xq_redis *r, redisReply *rep, const char *what, xq_err *err)
{
    xq_status st = XQ_OK;

    if (rep == NULL) {
        st = xq_err_set(err, XQ_ERR_REDIS, "redis %s:%d: %s failed: %s", r->host, r->port, what,
                        r->ctx ? r->ctx->errstr : "no connection");
    } else if (rep->type == REDIS_REPLY_ERROR) {
        st = xq_err_set(err, XQ_ERR_REDIS, "redis %s:%d: %s refused: %.200s", r->host, r->port,
                        what, rep->str);
    }
    if (rep != NULL)
        freeReplyObject(rep);
    return st;
}

xq_status xq_redis_connect(xq_redis *r, xq_err *err)
{
    struct timeval tv = ms_to_tv(r->timeout_ms < 2000 ? r->timeout_ms : 2000);
    redisReply *rep;
    xq_status st;

    if (r->ctx != NULL)
        return XQ_OK;
    if (r->host[0] == '/')
        r->ctx = redisConnectUnixWithTimeout(r->host, tv);
    else
        r->ctx = redisConnectWithTimeout(r->host, r->port, tv);
    if (r->ctx == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "redis: out of memory");
    if (r->ctx->err) {
        st = xq_err_set(err, XQ_ERR_REDIS,
                        "redis %s:%d: cannot connect: %s (is redis-server running? check "
                        "REDIS_HOST/REDIS_PORT)",
                        r->host, r->port, r->ctx->errstr);
        xq_redis_drop(r);
        return st;
    }
    tv = ms_to_tv(r->timeout_ms);
    if (redisSetTimeout(r->ctx, tv) != REDIS_OK) {
        xq_redis_drop(r);
        return xq_err_set(err, XQ_ERR_REDIS, "redis: cannot set timeout");
    }
    if (r->password[0] != '\0') {
        rep = redisCommand(r->ctx, "AUTH %s", r->password);
        st = check_simple(r, rep, "AUTH (check REDIS_PASSWORD)", err);
        if (st != XQ_OK) {
            xq_redis_drop(r);
            return st;
        }
    }
    rep = redisCommand(r->ctx, "SELECT %ld", r->db);
    st = check_simple(r, rep, "SELECT (check REDIS_JOB_DB)", err);
    if (st != XQ_OK) {
        xq_redis_drop(r);
        return st;
    }
    return XQ_OK;
}

xq_status xq_redis_context(xq_redis *r, redisContext **ctx, xq_err *err)
{
    xq_status st = xq_redis_connect(r, err);

    *ctx = st == XQ_OK ? r->ctx : NULL;
    return st;
}

static xq_status after_command(xq_redis *r, redisReply *rep, redisReply **reply, xq_err *err)
{
    xq_status st;

    if (rep == NULL) {
        int timeout = r->ctx != NULL && r->ctx->err == REDIS_ERR_IO &&
                      (errno == EAGAIN || errno == EWOULDBLOCK);
        st = xq_err_set(err, timeout ? XQ_ERR_TIMEOUT : XQ_ERR_REDIS,
                        "redis %s:%d: %s", r->host, r->port,
                        timeout ? "command timed out" : (r->ctx ? r->ctx->errstr : "lost"));
        xq_redis_drop(r);
        return st;
    }
    *reply = rep;
    return XQ_OK;
}

xq_status xq_redis_cmdargv(xq_redis *r, int argc, const char **argv, const size_t *argvlen,
                           redisReply **reply, xq_err *err)
{
    xq_status st;

    *reply = NULL;
    if ((st = xq_redis_connect(r, err)) != XQ_OK)
        return st;
    return after_command(r, redisCommandArgv(r->ctx, argc, argv, argvlen), reply, err);
}

xq_status xq_redis_cmd(xq_redis *r, redisReply **reply, xq_err *err, const char *fmt, ...)
{
    va_list ap;
    void *rep;
    xq_status st;

    *reply = NULL;
    if ((st = xq_redis_connect(r, err)) != XQ_OK)
        return st;
    va_start(ap, fmt);
    rep = redisvCommand(r->ctx, fmt, ap);
    va_end(ap);
    return after_command(r, rep, reply, err);
}

xq_status xq_redis_ping(xq_redis *r, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st = xq_redis_cmd(r, &rep, err, "PING");

    if (st != XQ_OK)
        return st;
    if (rep->type == REDIS_REPLY_ERROR) {
        st = xq_err_set(err, XQ_ERR_REDIS, "redis PING: %.200s", rep->str);
    } else if (rep->type != REDIS_REPLY_STATUS || strcmp(rep->str, "PONG") != 0) {
        st = xq_err_set(err, XQ_ERR_REDIS, "redis PING: unexpected reply");
    }
    freeReplyObject(rep);
    return st;
}
