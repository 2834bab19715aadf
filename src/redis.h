/*
 * redis.h - one Redis connection per process, made once and re-made after a
 * failure (STYLE: after a hiredis error, drop the context and reconnect).
 *
 * xq_redis_cmd*() run one command; on a connection-level error the context
 * is freed, the call fails with XQ_ERR_REDIS, and the next call reconnects
 * (connect + AUTH + SELECT REDIS_JOB_DB) with the configured timeouts.  A
 * reply of type REDIS_REPLY_ERROR is returned as a reply (not a failure):
 * the caller inspects it.  Not thread-safe; after fork() the child must call
 * xq_redis_after_fork() before using an inherited handle.
 */
#ifndef XQ_REDIS_H
#define XQ_REDIS_H

#include <hiredis/hiredis.h>

#include "config.h"
#include "error.h"

typedef struct xq_redis xq_redis;

/* Copies what it needs from cfg; does not connect yet. */
xq_status xq_redis_new(const xq_config *cfg, xq_redis **out, xq_err *err);
void xq_redis_free(xq_redis *r); /* r may be NULL */

/*
 * Timeout of each command in milliseconds (default 2000).  Blocking commands
 * (BLPOP/BZPOPMIN) need a larger timeout than their own wait: callers set it
 * around them.
 */
void xq_redis_set_timeout_ms(xq_redis *r, long ms);
long xq_redis_get_timeout_ms(const xq_redis *r);

/* Connect now if not connected. */
xq_status xq_redis_connect(xq_redis *r, xq_err *err);

/* PING with the current timeout. */
xq_status xq_redis_ping(xq_redis *r, xq_err *err);

/*
 * Run one command (argv form: binary-safe).  On XQ_OK *reply is set and the
 * caller frees it with freeReplyObject().
 */
xq_status xq_redis_cmdargv(xq_redis *r, int argc, const char **argv, const size_t *argvlen,
                           redisReply **reply, xq_err *err);

/* printf-style, as redisCommand(); same ownership as above. */
xq_status xq_redis_cmd(xq_redis *r, redisReply **reply, xq_err *err, const char *fmt, ...);

/*
 * The live context (connecting first), for pipelining with
 * redisAppendCommand/redisGetReply.  After any error the caller must call
 * xq_redis_drop(r).
 */
xq_status xq_redis_context(xq_redis *r, redisContext **ctx, xq_err *err);
void xq_redis_drop(xq_redis *r);

/* In a forked child: forget the parent's socket without sending anything. */
void xq_redis_after_fork(xq_redis *r);

/* The configured key prefix, e.g. "exportq". Borrowed. */
const char *xq_redis_prefix(const xq_redis *r);

#endif
