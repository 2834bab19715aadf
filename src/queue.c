/*
 * queue.c - the Redis job queue: scripts, submission, the worker side
 * (claim, lease, progress, complete, fail) and user actions.  Every state
 * change is one Lua script (src/lua/, embedded by embed.awk), so it is atomic
 * across every process; this file only marshals arguments and replies.
 * Housekeeping, lists, workers and metrics: queue_admin.c.  Key schema and
 * state machine: doc/queue.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "job.h"
#include "lua_scripts.h"
#include "queue_int.h"

static const char *const script_names[XQ_S_COUNT] = {
    "add", "charge", "claim", "progress", "complete", "fail", "cancel", "ackcancel",
    "release", "retry", "remove", "promote", "recover", "expire", "trim", "clean", "get",
    "list", "stats", "heartbeat", "workers", "control",
};

#define MAX_ARGS 16

static xq_status sha1_hex(const char *text, char out[41])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;

    if (EVP_Digest(text, strlen(text), md, &len, EVP_sha1(), NULL) != 1 || len != 20)
        return XQ_ERR_INTERNAL;
    for (i = 0; i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = '\0';
    return XQ_OK;
}

xq_status xq_queue_new(const xq_config *cfg, xq_queue **out, xq_err *err)
{
    xq_queue *q = calloc(1, sizeof(*q));
    xq_status st = XQ_OK;
    unsigned i;
    int s;

    *out = NULL;
    if (q == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
    if (strlen(cfg->redis_prefix) > XQ_QUEUE_PREFIX_MAX) {
        st = xq_err_set(err, XQ_ERR_CONFIG, "REDIS_KEY_PREFIX: longer than %d bytes",
                        XQ_QUEUE_PREFIX_MAX);
        goto out;
    }
    memcpy(q->prefix, cfg->redis_prefix, strlen(cfg->redis_prefix) + 1);
    for (s = 0; s < XQ_S_COUNT; s++) {
        for (i = 0; i < xq_lua_script_count; i++)
            if (strcmp(xq_lua_scripts[i].name, script_names[s]) == 0)
                q->text[s] = xq_lua_scripts[i].text;
        if (q->text[s] == NULL) {
            st = xq_err_set(err, XQ_ERR_INTERNAL, "queue: script %s not built in",
                            script_names[s]);
            goto out;
        }
        if ((st = sha1_hex(q->text[s], q->sha[s])) != XQ_OK) {
            xq_err_set(err, st, "queue: SHA-1 of script %s failed", script_names[s]);
            goto out;
        }
    }
    q->lease_ms = cfg->lease_ms;
    q->user_max_active = cfg->user_max_active;
    q->user_max_pending = cfg->user_max_pending;
    q->user_rate_per_hour = cfg->user_rate_per_hour;
    q->job_attempts = cfg->job_attempts;
    q->backoff_ms = cfg->backoff_ms;
    st = xq_redis_new(cfg, &q->r, err);
out:
    if (st != XQ_OK) {
        xq_queue_free(q);
        return st;
    }
    *out = q;
    return XQ_OK;
}

void xq_queue_free(xq_queue *q)
{
    if (q == NULL)
        return;
    xq_redis_free(q->r);
    free(q);
}

void xq_queue_after_fork(xq_queue *q)
{
    if (q != NULL)
        xq_redis_after_fork(q->r);
}

xq_redis *xq_queue_redis(xq_queue *q)
{
    return q->r;
}

static xq_status script_load(xq_queue *q, xq_script_id s, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st = xq_redis_cmd(q->r, &rep, err, "SCRIPT LOAD %s", q->text[s]);

    if (st != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_STRING || rep->len != 40 || memcmp(rep->str, q->sha[s], 40))
        st = xq_err_set(err, XQ_ERR_REDIS, "redis: SCRIPT LOAD of %s failed: %.200s",
                        script_names[s], rep->type == REDIS_REPLY_ERROR ? rep->str : "bad sha");
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_eval(xq_queue *q, xq_script_id s, int n, const char **args, redisReply **out,
                        xq_err *err)
{
    const char *argv[MAX_ARGS + 4];
    size_t lens[MAX_ARGS + 4];
    redisReply *rep = NULL;
    xq_status st;
    int i, tries;

    *out = NULL;
    if (n > MAX_ARGS)
        return xq_err_set(err, XQ_ERR_INTERNAL, "queue: too many script arguments");
    argv[0] = "EVALSHA";
    argv[1] = q->sha[s];
    argv[2] = "0";
    argv[3] = q->prefix;
    for (i = 0; i < n; i++)
        argv[4 + i] = args[i];
    for (i = 0; i < n + 4; i++)
        lens[i] = strlen(argv[i]);
    for (tries = 0; tries < 2; tries++) {
        if ((st = xq_redis_cmdargv(q->r, n + 4, argv, lens, &rep, err)) != XQ_OK)
            return st;
        if (rep->type != REDIS_REPLY_ERROR) {
            *out = rep;
            return XQ_OK;
        }
        if (tries > 0 || strncmp(rep->str, "NOSCRIPT", 8) != 0)
            break;
        freeReplyObject(rep);
        rep = NULL;
        if ((st = script_load(q, s, err)) != XQ_OK)
            return st;
    }
    st = xq_err_set(err, XQ_ERR_REDIS, "redis: script %s failed: %.300s", script_names[s],
                    rep->str);
    freeReplyObject(rep);
    return st;
}

long long xq_reply_int(const redisReply *a, size_t i)
{
    const redisReply *e;

    if (a == NULL || a->type != REDIS_REPLY_ARRAY || i >= a->elements)
        return 0;
    e = a->element[i];
    return e->type == REDIS_REPLY_INTEGER ? e->integer : 0;
}

xq_status xq_job_from_reply(const redisReply *a, xq_job **out, xq_err *err)
{
    xq_job *job = NULL;
    xq_status st = XQ_OK;
    char name[16];
    size_t i;

    *out = NULL;
    if (a->type != REDIS_REPLY_ARRAY || a->elements % 2 != 0 || a->elements > 128)
        return xq_err_set(err, XQ_ERR_REDIS, "queue: malformed job record");
    if ((job = xq_job_alloc()) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
    for (i = 0; i < a->elements; i += 2) {
        const redisReply *k = a->element[i], *v = a->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
            k->len >= sizeof(name))
            continue;
        memcpy(name, k->str, k->len);
        name[k->len] = '\0';
        if ((st = xq_job_set_field(job, name, v->str, v->len)) != XQ_OK) {
            xq_err_set(err, st == XQ_ERR_NOMEM ? st : XQ_ERR_REDIS,
                       "queue: job field %s unreadable", name);
            if (st != XQ_ERR_NOMEM)
                st = XQ_ERR_REDIS;
            goto out;
        }
    }
    if (job->id[0] == '\0' || job->owner == NULL) {
        st = xq_err_set(err, XQ_ERR_REDIS, "queue: job record without id or owner");
        goto out;
    }
out:
    if (st != XQ_OK) {
        xq_job_free(job);
        return st;
    }
    *out = job;
    return XQ_OK;
}

xq_status xq_reply_names(const redisReply *a, size_t from, char ***names, size_t *n,
                         xq_err *err)
{
    char **v = NULL;
    size_t i, k = 0;

    *names = NULL;
    *n = 0;
    if (a->type != REDIS_REPLY_ARRAY || a->elements <= from)
        return XQ_OK;
    if (a->elements - from > 100000)
        return xq_err_set(err, XQ_ERR_REDIS, "queue: too many file names in a reply");
    if ((v = calloc(a->elements - from, sizeof(*v))) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
    for (i = from; i < a->elements; i++) {
        const redisReply *e = a->element[i];

        if (e->type != REDIS_REPLY_STRING || e->len == 0 || e->len > 255 ||
            memchr(e->str, '/', e->len) != NULL || memchr(e->str, '\0', e->len) != NULL)
            continue; /* never hand the caller a path to unlink */
        if ((v[k] = strndup(e->str, e->len)) == NULL) {
            while (k > 0)
                free(v[--k]);
            free(v);
            return xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
        }
        k++;
    }
    *names = v;
    *n = k;
    return XQ_OK;
}

/* An id from a client: anything but a UUID cannot be a job (and never
 * becomes part of a key). */
static xq_status check_id(const char *id, xq_err *err)
{
    if (!xq_job_id_valid(id))
        return xq_err_set(err, XQ_ERR_NOT_FOUND, "no such job");
    return XQ_OK;
}

static xq_status check_owner(const char *owner, xq_err *err)
{
    if (owner == NULL || owner[0] == '\0' || strlen(owner) > XQ_QUEUE_OWNER_MAX)
        return xq_err_set(err, XQ_ERR_INVALID, "queue: owner missing or over %d bytes",
                          XQ_QUEUE_OWNER_MAX);
    return XQ_OK;
}

/* A token safe inside a metric label and a key: [a-z0-9-], 1..32. */
static int plain_token(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n == 0 || n > 32)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

/* The reply's first element: a status code from a script. */
static long long code_of(const redisReply *rep)
{
    return xq_reply_int(rep, 0);
}

static xq_status map_code(long long code, const char *what, xq_err *err)
{
    switch (code) {
    case -404:
        return xq_err_set(err, XQ_ERR_NOT_FOUND, "no such job");
    case -409:
        return xq_err_set(err, XQ_ERR_CONFLICT, "%s: the job is in the wrong state", what);
    case -1:
        return xq_err_set(err, XQ_ERR_LEASE, "%s: this worker no longer holds the job", what);
    case -499:
        return xq_err_set(err, XQ_ERR_CANCELLED, "%s: a cancel was requested", what);
    default:
        return xq_err_set(err, XQ_ERR_REDIS, "%s: unexpected script reply %lld", what, code);
    }
}

xq_status xq_queue_add(xq_queue *q, const xq_job_spec *spec, char job_id[XQ_JOB_ID_LEN + 1],
                       long long *position, long *retry_after_s, xq_err *err)
{
    char prio[16], maxp[24], rate[24];
    const char *args[9];
    redisReply *rep = NULL;
    xq_status st;
    long long code;
    int tries;

    job_id[0] = '\0';
    *position = 0;
    *retry_after_s = 0;
    if ((st = check_owner(spec->owner, err)) != XQ_OK)
        return st;
    if (!plain_token(spec->export_type) || !plain_token(spec->format) ||
        spec->request_json == NULL || strlen(spec->request_json) > 64 * 1024 ||
        (spec->owner_email && strlen(spec->owner_email) > 320) || spec->priority < 1 ||
        spec->priority > 100)
        return xq_err_set(err, XQ_ERR_INVALID, "queue: malformed job");
    snprintf(prio, sizeof(prio), "%d", spec->priority);
    snprintf(maxp, sizeof(maxp), "%ld", q->user_max_pending);
    snprintf(rate, sizeof(rate), "%ld", q->user_rate_per_hour);
    for (tries = 0; tries < 3; tries++) {
        if ((st = xq_job_new_id(job_id, err)) != XQ_OK)
            return st;
        args[0] = job_id;
        args[1] = spec->owner;
        args[2] = spec->owner_email ? spec->owner_email : "";
        args[3] = spec->request_json;
        args[4] = spec->export_type;
        args[5] = spec->format;
        args[6] = prio;
        args[7] = maxp;
        args[8] = rate;
        if ((st = xq_queue_eval(q, XQ_S_ADD, 9, args, &rep, err)) != XQ_OK)
            goto fail;
        code = code_of(rep);
        if (code == 1) {
            *position = xq_reply_int(rep, 1);
            freeReplyObject(rep);
            return XQ_OK;
        }
        if (code == -1 || code == -2) {
            *retry_after_s = (long)xq_reply_int(rep, 1);
            freeReplyObject(rep);
            st = xq_err_set(err, XQ_ERR_LIMIT,
                            code == -1 ? "too many unfinished exports (at most %ld)"
                                       : "too many exports in the last hour (at most %ld)",
                            code == -1 ? q->user_max_pending : q->user_rate_per_hour);
            goto fail;
        }
        freeReplyObject(rep);
        rep = NULL;
        if (code != -3) {
            st = map_code(code, "add", err);
            goto fail;
        }
    }
    st = xq_err_set(err, XQ_ERR_INTERNAL, "add: could not draw a free job id");
fail:
    job_id[0] = '\0';
    return st;
}

xq_status xq_queue_charge_sync(xq_queue *q, const char *owner, long *retry_after_s, xq_err *err)
{
    char rate[24];
    const char *args[2];
    redisReply *rep = NULL;
    xq_status st;

    *retry_after_s = 0;
    if ((st = check_owner(owner, err)) != XQ_OK)
        return st;
    snprintf(rate, sizeof(rate), "%ld", q->user_rate_per_hour);
    args[0] = owner;
    args[1] = rate;
    if ((st = xq_queue_eval(q, XQ_S_CHARGE, 2, args, &rep, err)) != XQ_OK)
        return st;
    if (code_of(rep) == -2) {
        *retry_after_s = (long)xq_reply_int(rep, 1);
        st = xq_err_set(err, XQ_ERR_LIMIT, "too many exports in the last hour (at most %ld)",
                        q->user_rate_per_hour);
    } else if (code_of(rep) != 1) {
        st = map_code(code_of(rep), "charge", err);
    }
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_get(xq_queue *q, const char *job_id, xq_job **out, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;

    *out = NULL;
    if ((st = check_id(job_id, err)) != XQ_OK)
        return st;
    if ((st = xq_queue_eval(q, XQ_S_GET, 1, &job_id, &rep, err)) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0)
        st = xq_err_set(err, XQ_ERR_NOT_FOUND, "no such job");
    else
        st = xq_job_from_reply(rep, out, err);
    freeReplyObject(rep);
    return st;
}

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for a wake-up token (BLPOP) at most ms; XQ_OK on token or timeout. */
static xq_status wait_token(xq_queue *q, long long ms, xq_err *err)
{
    char key[XQ_QUEUE_PREFIX_MAX + 8], secs[32];
    long saved = xq_redis_get_timeout_ms(q->r);
    redisReply *rep = NULL;
    xq_status st;

    if (ms < 1)
        ms = 1;
    snprintf(key, sizeof(key), "%s:wake", q->prefix);
    snprintf(secs, sizeof(secs), "%lld.%03lld", ms / 1000, ms % 1000);
    xq_redis_set_timeout_ms(q->r, (long)ms + saved);
    st = xq_redis_cmd(q->r, &rep, err, "BLPOP %s %s", key, secs);
    xq_redis_set_timeout_ms(q->r, saved);
    if (st != XQ_OK)
        return st;
    if (rep->type == REDIS_REPLY_ERROR)
        st = xq_err_set(err, XQ_ERR_REDIS, "redis BLPOP: %.200s", rep->str);
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_claim(xq_queue *q, const char *worker_id, long block_ms, xq_job **out,
                         xq_err *err)
{
    char lease[24], cap[24], scan[24];
    const char *args[4];
    long long deadline = mono_ms() + (block_ms > 0 ? block_ms : 0), left;
    redisReply *rep = NULL;
    xq_status st;

    *out = NULL;
    if (worker_id == NULL || worker_id[0] == '\0' || strlen(worker_id) > 128)
        return xq_err_set(err, XQ_ERR_INVALID, "claim: bad worker id");
    snprintf(lease, sizeof(lease), "%ld", q->lease_ms);
    snprintf(cap, sizeof(cap), "%ld", q->user_max_active);
    snprintf(scan, sizeof(scan), "%d", XQ_QUEUE_CLAIM_SCAN);
    args[0] = worker_id;
    args[1] = lease;
    args[2] = cap;
    args[3] = scan;
    for (;;) {
        if ((st = xq_queue_eval(q, XQ_S_CLAIM, 4, args, &rep, err)) != XQ_OK)
            return st;
        if (rep->type == REDIS_REPLY_ARRAY && rep->elements > 0) {
            st = xq_job_from_reply(rep, out, err);
            freeReplyObject(rep);
            return st;
        }
        freeReplyObject(rep);
        rep = NULL;
        left = deadline - mono_ms();
        if (left <= 0)
            return XQ_OK;
        if ((st = wait_token(q, left, err)) != XQ_OK)
            return st;
    }
}

static xq_status progress_call(xq_queue *q, const char *job_id, const char *worker_id,
                               int progress, long long rows, long long est, int *cancel,
                               xq_err *err)
{
    char lease[24], p[24], r[24], e[24];
    const char *args[6];
    redisReply *rep = NULL;
    xq_status st;

    *cancel = 0;
    if ((st = check_id(job_id, err)) != XQ_OK)
        return st;
    if (worker_id == NULL || worker_id[0] == '\0' || strlen(worker_id) > 128)
        return xq_err_set(err, XQ_ERR_INVALID, "progress: bad worker id");
    snprintf(lease, sizeof(lease), "%ld", q->lease_ms);
    snprintf(p, sizeof(p), "%d", progress);
    snprintf(r, sizeof(r), "%lld", rows < 0 ? 0 : rows);
    snprintf(e, sizeof(e), "%lld", est < 0 ? 0 : est);
    args[0] = job_id;
    args[1] = worker_id;
    args[2] = lease;
    args[3] = p;
    args[4] = r;
    args[5] = e;
    if ((st = xq_queue_eval(q, XQ_S_PROGRESS, 6, args, &rep, err)) != XQ_OK)
        return st;
    if (code_of(rep) == 1)
        *cancel = xq_reply_int(rep, 1) != 0;
    else
        st = map_code(code_of(rep), "progress", err);
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_progress(xq_queue *q, const char *job_id, const char *worker_id,
                            int progress, long long rows_written, long long rows_estimated,
                            int *cancel, xq_err *err)
{
    if (progress < 0)
        progress = 0;
    if (progress > 100)
        progress = 100;
    return progress_call(q, job_id, worker_id, progress, rows_written, rows_estimated, cancel,
                         err);
}

xq_status xq_queue_renew(xq_queue *q, const char *job_id, const char *worker_id, int *cancel,
                         xq_err *err)
{
    return progress_call(q, job_id, worker_id, -1, 0, 0, cancel, err);
}

/* Simple worker transitions: {1} or an error code. */
static xq_status simple(xq_queue *q, xq_script_id s, const char *what, int n, const char **args,
                        redisReply **keep, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;
    int i;

    if ((st = check_id(args[0], err)) != XQ_OK)
        return st;
    for (i = 1; i < n; i++)
        if (args[i] == NULL || strlen(args[i]) > 64 * 1024)
            return xq_err_set(err, XQ_ERR_INVALID, "%s: missing or oversized argument", what);
    if ((st = xq_queue_eval(q, s, n, args, &rep, err)) != XQ_OK)
        return st;
    if (code_of(rep) != 1)
        st = map_code(code_of(rep), what, err);
    if (st == XQ_OK && keep != NULL)
        *keep = rep;
    else
        freeReplyObject(rep);
    return st;
}

xq_status xq_queue_complete(xq_queue *q, const char *job_id, const char *worker_id,
                            const char *result_json, long long rows, long long bytes,
                            xq_err *err)
{
    json_object *res = NULL, *v;
    const char *file = NULL;
    char r[24], b[24], exp[24];
    const char *args[7];
    long long expires = -1;
    xq_status st;

    if (result_json != NULL && strlen(result_json) <= 16 * 1024)
        res = json_tokener_parse(result_json);
    if (res != NULL && json_object_is_type(res, json_type_object)) {
        if (json_object_object_get_ex(res, "fileName", &v) &&
            json_object_is_type(v, json_type_string))
            file = json_object_get_string(v);
        if (json_object_object_get_ex(res, "expiresAt", &v)) {
            if (json_object_is_type(v, json_type_int))
                expires = json_object_get_int64(v);
            else if (json_object_is_type(v, json_type_string))
                expires = xq_time_parse_iso_ms(json_object_get_string(v));
        }
    }
    if (file == NULL || file[0] == '\0' || strlen(file) > 255 || strchr(file, '/') != NULL ||
        expires < 0) {
        st = xq_err_set(err, XQ_ERR_INVALID,
                        "complete: result needs fileName (no '/') and expiresAt");
        goto out;
    }
    snprintf(r, sizeof(r), "%lld", rows < 0 ? 0 : rows);
    snprintf(b, sizeof(b), "%lld", bytes < 0 ? 0 : bytes);
    snprintf(exp, sizeof(exp), "%lld", expires);
    args[0] = job_id;
    args[1] = worker_id;
    args[2] = result_json;
    args[3] = r;
    args[4] = b;
    args[5] = file;
    args[6] = exp;
    st = simple(q, XQ_S_COMPLETE, "complete", 7, args, NULL, err);
out:
    json_object_put(res);
    return st;
}

xq_status xq_queue_fail(xq_queue *q, const char *job_id, const char *worker_id,
                        const char *user_error, int retryable, int *final, xq_err *err)
{
    char att[24], back[24];
    const char *args[6];
    redisReply *rep = NULL;
    char msg[1024];
    xq_status st;

    *final = 0;
    snprintf(msg, sizeof(msg), "%s", user_error ? user_error : "the export failed");
    snprintf(att, sizeof(att), "%ld", q->job_attempts);
    snprintf(back, sizeof(back), "%ld", q->backoff_ms);
    args[0] = job_id;
    args[1] = worker_id;
    args[2] = msg;
    args[3] = retryable ? "1" : "0";
    args[4] = att;
    args[5] = back;
    if ((st = simple(q, XQ_S_FAIL, "fail", 6, args, &rep, err)) != XQ_OK)
        return st;
    *final = xq_reply_int(rep, 1) == 1;
    freeReplyObject(rep);
    return XQ_OK;
}

xq_status xq_queue_ack_cancel(xq_queue *q, const char *job_id, const char *worker_id,
                              xq_err *err)
{
    const char *args[2] = {job_id, worker_id};

    return simple(q, XQ_S_ACKCANCEL, "cancel", 2, args, NULL, err);
}

xq_status xq_queue_release(xq_queue *q, const char *job_id, const char *worker_id,
                           xq_err *err)
{
    const char *args[2] = {job_id, worker_id};

    return simple(q, XQ_S_RELEASE, "release", 2, args, NULL, err);
}

xq_status xq_queue_cancel(xq_queue *q, const char *job_id, int *was_active, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;

    *was_active = 0;
    if ((st = simple(q, XQ_S_CANCEL, "cancel", 1, &job_id, &rep, err)) != XQ_OK) {
        if (st == XQ_ERR_CONFLICT)
            xq_err_set(err, st, "the job has already finished");
        return st;
    }
    *was_active = xq_reply_int(rep, 1) == 1;
    freeReplyObject(rep);
    return XQ_OK;
}

xq_status xq_queue_retry(xq_queue *q, const char *job_id, xq_err *err)
{
    xq_status st = simple(q, XQ_S_RETRY, "retry", 1, &job_id, NULL, err);

    if (st == XQ_ERR_CONFLICT)
        xq_err_set(err, st, "only a failed job can be retried");
    return st;
}

static xq_status remove_call(xq_queue *q, const char *job_id, const char *mode,
                             char **file_name, xq_err *err)
{
    const char *args[2] = {job_id, mode};
    redisReply *rep = NULL, *f;
    xq_status st;

    *file_name = NULL;
    if ((st = simple(q, XQ_S_REMOVE, "remove", 2, args, &rep, err)) != XQ_OK) {
        if (st == XQ_ERR_CONFLICT)
            xq_err_set(err, st, "the job has not finished yet");
        return st;
    }
    f = rep->elements > 1 ? rep->element[1] : NULL;
    if (f != NULL && f->type == REDIS_REPLY_STRING && f->len > 0 && f->len <= 255 &&
        memchr(f->str, '/', f->len) == NULL && memchr(f->str, '\0', f->len) == NULL &&
        (*file_name = strndup(f->str, f->len)) == NULL)
        st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_forget(xq_queue *q, const char *job_id, char **file_name, xq_err *err)
{
    return remove_call(q, job_id, "finished", file_name, err);
}

xq_status xq_queue_remove(xq_queue *q, const char *job_id, char **file_name, xq_err *err)
{
    return remove_call(q, job_id, "any", file_name, err);
}
