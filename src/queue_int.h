/*
 * queue_int.h - what queue.c and queue_admin.c share: the queue object and
 * the EVALSHA call.  Not part of the public API (see queue.h).
 */
#ifndef XQ_QUEUE_INT_H
#define XQ_QUEUE_INT_H

#include "queue.h"

typedef enum {
    XQ_S_ADD = 0, XQ_S_CHARGE, XQ_S_CLAIM, XQ_S_PROGRESS, XQ_S_COMPLETE, XQ_S_FAIL,
    XQ_S_CANCEL, XQ_S_ACKCANCEL, XQ_S_RELEASE, XQ_S_RETRY, XQ_S_REMOVE, XQ_S_PROMOTE,
    XQ_S_RECOVER, XQ_S_EXPIRE, XQ_S_TRIM, XQ_S_CLEAN, XQ_S_GET, XQ_S_LIST, XQ_S_STATS,
    XQ_S_HEARTBEAT, XQ_S_WORKERS, XQ_S_CONTROL, XQ_S_COUNT
} xq_script_id;

/* Bounds on what is read from Redis and on what callers may ask for. */
#define XQ_QUEUE_LIST_MAX 100       /* jobs per list call */
#define XQ_QUEUE_OWNER_MAX 256      /* bytes of an owner id */
#define XQ_QUEUE_CLAIM_SCAN 1000    /* waiting entries a claim looks at */
#define XQ_QUEUE_PREFIX_MAX 64

struct xq_queue {
    xq_redis *r;
    char prefix[XQ_QUEUE_PREFIX_MAX + 1];
    const char *text[XQ_S_COUNT];
    char sha[XQ_S_COUNT][41];
    long lease_ms, user_max_active, user_max_pending, user_rate_per_hour;
    long job_attempts, backoff_ms;
};

/*
 * Run script s with ARGV = prefix, args[0..n).  EVALSHA, and on NOSCRIPT
 * (first use, or Redis restarted) SCRIPT LOAD and once more.  A Redis error
 * reply becomes XQ_ERR_REDIS; on XQ_OK the caller frees *out.
 */
xq_status xq_queue_eval(xq_queue *q, xq_script_id s, int n, const char **args, redisReply **out,
                        xq_err *err);

/* Element i of an array reply as an integer; 0 when absent or not one. */
long long xq_reply_int(const redisReply *a, size_t i);

/* A job from an array of field/value strings (HGETALL form). */
xq_status xq_job_from_reply(const redisReply *a, xq_job **out, xq_err *err);

/* Copy file names from a[from..] into a malloc'd array (bounded). */
xq_status xq_reply_names(const redisReply *a, size_t from, char ***names, size_t *n,
                         xq_err *err);

#endif
