/*
 * queue_admin.c - the reading and housekeeping side of the queue: lists,
 * stats, pause, clean, promotion, lease recovery, file expiry, retention,
 * locks, the worker registry and the shared metrics.  Same scripts and key
 * schema as queue.c (doc/queue.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "queue_int.h"

/* Retention (SPEC §6). */
#define KEEP_COMPLETED_MS (7LL * 24 * 3600 * 1000)
#define KEEP_COMPLETED_MAX 1000
#define KEEP_FAILED_MS (14LL * 24 * 3600 * 1000)

static xq_status list_call(xq_queue *q, const char *kind, const char *name, long offset,
                           long limit, xq_job ***jobs, size_t *n, long long *total, xq_err *err)
{
    char off[24], lim[24];
    const char *args[4];
    redisReply *rep = NULL;
    xq_job **v = NULL;
    size_t i, k = 0;
    xq_status st;

    *jobs = NULL;
    *n = 0;
    *total = 0;
    if (offset < 0 || offset > 1000000000L || limit < 0 || limit > XQ_QUEUE_LIST_MAX)
        return xq_err_set(err, XQ_ERR_INVALID, "offset must be >= 0 and limit 0..%d",
                          XQ_QUEUE_LIST_MAX);
    snprintf(off, sizeof(off), "%ld", offset);
    snprintf(lim, sizeof(lim), "%ld", limit);
    args[0] = kind;
    args[1] = name;
    args[2] = off;
    args[3] = lim;
    if ((st = xq_queue_eval(q, XQ_S_LIST, 4, args, &rep, err)) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
        rep->elements > (size_t)limit + 1) {
        st = xq_err_set(err, XQ_ERR_REDIS, "queue: malformed list reply");
        goto out;
    }
    *total = xq_reply_int(rep, 0);
    if (rep->elements > 1 && (v = calloc(rep->elements - 1, sizeof(*v))) == NULL) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
        goto out;
    }
    for (i = 1; i < rep->elements; i++) {
        if ((st = xq_job_from_reply(rep->element[i], &v[k], err)) != XQ_OK)
            goto out;
        k++;
    }
out:
    freeReplyObject(rep);
    if (st != XQ_OK) {
        xq_job_list_free(v, k);
        *total = 0;
        return st;
    }
    *jobs = v;
    *n = k;
    return XQ_OK;
}

xq_status xq_queue_list_owner(xq_queue *q, const char *owner, long offset, long limit,
                              xq_job ***jobs, size_t *n, long long *total, xq_err *err)
{
    if (owner == NULL || owner[0] == '\0' || strlen(owner) > XQ_QUEUE_OWNER_MAX) {
        *jobs = NULL;
        *n = 0;
        *total = 0;
        return xq_err_set(err, XQ_ERR_INVALID, "queue: bad owner");
    }
    return list_call(q, "owner", owner, offset, limit, jobs, n, total, err);
}

xq_status xq_queue_list_state(xq_queue *q, xq_job_state state, long offset, long limit,
                              xq_job ***jobs, size_t *n, long long *total, xq_err *err)
{
    if ((int)state < 0 || state >= XQ_JOB_STATE_COUNT) {
        *jobs = NULL;
        *n = 0;
        *total = 0;
        return xq_err_set(err, XQ_ERR_INVALID, "queue: unknown state");
    }
    return list_call(q, "state", xq_job_state_name(state), offset, limit, jobs, n, total, err);
}

xq_status xq_queue_stats_get(xq_queue *q, xq_queue_stats *out, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;

    memset(out, 0, sizeof(*out));
    if ((st = xq_queue_eval(q, XQ_S_STATS, 0, NULL, &rep, err)) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 8) {
        st = xq_err_set(err, XQ_ERR_REDIS, "queue: malformed stats reply");
    } else {
        out->waiting = xq_reply_int(rep, 0);
        out->active = xq_reply_int(rep, 1);
        out->delayed = xq_reply_int(rep, 2);
        out->completed = xq_reply_int(rep, 3);
        out->failed = xq_reply_int(rep, 4);
        out->cancelled = xq_reply_int(rep, 5);
        out->paused = xq_reply_int(rep, 6) != 0;
        out->workers = xq_reply_int(rep, 7);
    }
    freeReplyObject(rep);
    return st;
}

static xq_status control(xq_queue *q, int n, const char **args, long long *result, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;

    if ((st = xq_queue_eval(q, XQ_S_CONTROL, n, args, &rep, err)) != XQ_OK)
        return st;
    if (result != NULL)
        *result = xq_reply_int(rep, 0);
    freeReplyObject(rep);
    return XQ_OK;
}

xq_status xq_queue_set_paused(xq_queue *q, int paused, xq_err *err)
{
    const char *verb = paused ? "pause" : "resume";

    return control(q, 1, &verb, NULL, err);
}

xq_status xq_queue_try_lock(xq_queue *q, const char *name, const char *owner, long ttl_ms,
                            int *got, xq_err *err)
{
    char ttl[24];
    const char *args[4];
    long long r = 0;
    xq_status st;

    *got = 0;
    if (name == NULL || owner == NULL || strlen(name) > 64 || strlen(owner) > 256 ||
        ttl_ms <= 0)
        return xq_err_set(err, XQ_ERR_INVALID, "lock: bad name, owner or ttl");
    snprintf(ttl, sizeof(ttl), "%ld", ttl_ms);
    args[0] = "lock";
    args[1] = name;
    args[2] = owner;
    args[3] = ttl;
    if ((st = control(q, 4, args, &r, err)) == XQ_OK)
        *got = r == 1;
    return st;
}

/* Scripts answering {removed, more, [kept,] names...}: loop until done,
 * gathering names (bounded). */
static xq_status sweep(xq_queue *q, xq_script_id s, int n, const char **args, int names_at,
                       long long *removed, char ***file_names, size_t *nfiles, xq_err *err)
{
    char **all = NULL, **part = NULL, **grown;
    size_t nall = 0, npart = 0, i;
    redisReply *rep = NULL;
    xq_status st = XQ_OK;
    char off[24];
    long long kept = 0;
    int rounds;

    *removed = 0;
    for (rounds = 0; rounds < 1000; rounds++) {
        if (s == XQ_S_CLEAN) {
            snprintf(off, sizeof(off), "%lld", kept);
            args[n - 1] = off;
        }
        if ((st = xq_queue_eval(q, s, n, args, &rep, err)) != XQ_OK)
            goto out;
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements < (size_t)names_at) {
            st = xq_err_set(err, XQ_ERR_REDIS, "queue: malformed sweep reply");
            goto out;
        }
        *removed += xq_reply_int(rep, 0);
        if (s == XQ_S_CLEAN)
            kept += xq_reply_int(rep, 2);
        if ((st = xq_reply_names(rep, (size_t)names_at, &part, &npart, err)) != XQ_OK)
            goto out;
        if (npart > 0) {
            if ((grown = realloc(all, (nall + npart) * sizeof(*all))) == NULL) {
                st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
                goto out;
            }
            all = grown;
            memcpy(all + nall, part, npart * sizeof(*part));
            nall += npart;
            free(part);
            part = NULL;
            npart = 0;
        }
        if (xq_reply_int(rep, 1) == 0)
            break;
        freeReplyObject(rep);
        rep = NULL;
    }
out:
    if (rep != NULL)
        freeReplyObject(rep);
    for (i = 0; i < npart; i++)
        free(part[i]);
    free(part);
    if (file_names == NULL || st != XQ_OK) {
        for (i = 0; i < nall; i++)
            free(all[i]);
        free(all);
        all = NULL;
        nall = 0;
    }
    if (file_names != NULL) {
        *file_names = all;
        *nfiles = nall;
    }
    return st;
}

xq_status xq_queue_clean(xq_queue *q, xq_job_state state, long long older_than_ms,
                         long long *removed, char ***file_names, size_t *nfiles, xq_err *err)
{
    char cutoff[24];
    const char *args[3];
    redisReply *rep = NULL;
    long long now;
    xq_status st;

    *removed = 0;
    *file_names = NULL;
    *nfiles = 0;
    if ((int)state < 0 || state >= XQ_JOB_STATE_COUNT || state == XQ_JOB_ACTIVE ||
        older_than_ms < 0)
        return xq_err_set(err, XQ_ERR_INVALID,
                          "clean: state must be waiting, delayed, completed, failed or "
                          "cancelled, and the age >= 0");
    /* the cutoff is on the Redis clock, as every stored time */
    if ((st = xq_redis_cmd(xq_queue_redis(q), &rep, err, "TIME")) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[0]->type != REDIS_REPLY_STRING ||
        rep->element[1]->type != REDIS_REPLY_STRING) {
        freeReplyObject(rep);
        return xq_err_set(err, XQ_ERR_REDIS, "redis TIME: malformed reply");
    }
    now = strtoll(rep->element[0]->str, NULL, 10) * 1000 +
          strtoll(rep->element[1]->str, NULL, 10) / 1000;
    freeReplyObject(rep);
    snprintf(cutoff, sizeof(cutoff), "%lld", now - older_than_ms);
    args[0] = xq_job_state_name(state);
    args[1] = cutoff;
    args[2] = "0";
    return sweep(q, XQ_S_CLEAN, 3, args, 3, removed, file_names, nfiles, err);
}

static xq_status count_call(xq_queue *q, xq_script_id s, int n, const char **args,
                            long long *out, xq_err *err)
{
    redisReply *rep = NULL;
    xq_status st;

    *out = 0;
    if ((st = xq_queue_eval(q, s, n, args, &rep, err)) != XQ_OK)
        return st;
    *out = xq_reply_int(rep, 0);
    freeReplyObject(rep);
    return XQ_OK;
}

xq_status xq_queue_promote_delayed(xq_queue *q, long long *n, xq_err *err)
{
    return count_call(q, XQ_S_PROMOTE, 0, NULL, n, err);
}

xq_status xq_queue_recover_leases(xq_queue *q, long long *n, xq_err *err)
{
    char att[24];
    const char *args[1] = {att};

    snprintf(att, sizeof(att), "%ld", q->job_attempts);
    return count_call(q, XQ_S_RECOVER, 1, args, n, err);
}

xq_status xq_queue_expire_files(xq_queue *q, long long now_ms, char ***file_names,
                                size_t *nfiles, xq_err *err)
{
    char now[24];
    const char *args[1] = {now};
    redisReply *rep = NULL;
    xq_status st;

    *file_names = NULL;
    *nfiles = 0;
    snprintf(now, sizeof(now), "%lld", now_ms);
    if ((st = xq_queue_eval(q, XQ_S_EXPIRE, 1, args, &rep, err)) != XQ_OK)
        return st;
    st = xq_reply_names(rep, 0, file_names, nfiles, err);
    freeReplyObject(rep);
    return st;
}

xq_status xq_queue_trim(xq_queue *q, long long now_ms, long long *removed, char ***file_names,
                        size_t *nfiles, xq_err *err)
{
    char now[24], age[24], max[24], fage[24];
    const char *args[4] = {now, age, max, fage};

    *file_names = NULL;
    *nfiles = 0;
    snprintf(now, sizeof(now), "%lld", now_ms);
    snprintf(age, sizeof(age), "%lld", KEEP_COMPLETED_MS);
    snprintf(max, sizeof(max), "%d", KEEP_COMPLETED_MAX);
    snprintf(fage, sizeof(fage), "%lld", KEEP_FAILED_MS);
    return sweep(q, XQ_S_TRIM, 4, args, 2, removed, file_names, nfiles, err);
}

/* ---- worker registry ---- */

xq_status xq_queue_heartbeat(xq_queue *q, const char *worker_id, const char *host, long pid,
                             const char *job_id, long long since_ms, long ttl_ms, xq_err *err)
{
    char p[24], since[24], ttl[24];
    const char *args[6];
    redisReply *rep = NULL;
    xq_status st;

    if (worker_id == NULL || worker_id[0] == '\0' || strlen(worker_id) > 128 || host == NULL ||
        strlen(host) > 255 || ttl_ms <= 0 || (job_id != NULL && strlen(job_id) > 64))
        return xq_err_set(err, XQ_ERR_INVALID, "heartbeat: bad worker id, host or ttl");
    snprintf(p, sizeof(p), "%ld", pid);
    snprintf(since, sizeof(since), "%lld", since_ms);
    snprintf(ttl, sizeof(ttl), "%ld", ttl_ms);
    args[0] = worker_id;
    args[1] = host;
    args[2] = p;
    args[3] = job_id ? job_id : "";
    args[4] = since;
    args[5] = ttl;
    if ((st = xq_queue_eval(q, XQ_S_HEARTBEAT, 6, args, &rep, err)) != XQ_OK)
        return st;
    freeReplyObject(rep);
    return XQ_OK;
}

xq_status xq_queue_worker_gone(xq_queue *q, const char *worker_id, xq_err *err)
{
    const char *args[2] = {"gone", worker_id};

    if (worker_id == NULL || strlen(worker_id) > 128)
        return xq_err_set(err, XQ_ERR_INVALID, "worker_gone: bad worker id");
    return control(q, 2, args, NULL, err);
}

void xq_worker_info_free(xq_worker_info *w, size_t n)
{
    size_t i;

    if (w == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(w[i].id);
        free(w[i].host);
        free(w[i].job_id);
    }
    free(w);
}

static char *dup_field(const redisReply *v)
{
    return strndup(v->str, v->len > 255 ? 255 : v->len);
}

xq_status xq_queue_workers(xq_queue *q, xq_worker_info **out, size_t *n, xq_err *err)
{
    redisReply *rep = NULL;
    xq_worker_info *w = NULL;
    xq_status st;
    size_t i, j, k = 0;

    *out = NULL;
    *n = 0;
    if ((st = xq_queue_eval(q, XQ_S_WORKERS, 0, NULL, &rep, err)) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements > 100) {
        st = xq_err_set(err, XQ_ERR_REDIS, "queue: malformed workers reply");
        goto out;
    }
    if (rep->elements > 0 && (w = calloc(rep->elements, sizeof(*w))) == NULL) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
        goto out;
    }
    for (i = 0; i < rep->elements; i++) {
        const redisReply *h = rep->element[i];

        if (h->type != REDIS_REPLY_ARRAY || h->elements % 2 != 0)
            continue;
        for (j = 0; j + 1 < h->elements; j += 2) {
            const redisReply *key = h->element[j], *v = h->element[j + 1];
            char **dst = NULL;

            if (key->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
                continue;
            if (strcmp(key->str, "id") == 0)
                dst = &w[k].id;
            else if (strcmp(key->str, "host") == 0)
                dst = &w[k].host;
            else if (strcmp(key->str, "job") == 0)
                dst = &w[k].job_id;
            else if (strcmp(key->str, "pid") == 0)
                w[k].pid = strtol(v->str, NULL, 10);
            else if (strcmp(key->str, "since") == 0)
                w[k].since_ms = strtoll(v->str, NULL, 10);
            else if (strcmp(key->str, "beat") == 0)
                w[k].heartbeat_ms = strtoll(v->str, NULL, 10);
            if (dst != NULL && *dst == NULL && (*dst = dup_field(v)) == NULL) {
                k++;
                st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
                goto out;
            }
        }
        if (w[k].id == NULL || w[k].host == NULL) {
            /* a record someone else wrote half: not a worker of ours */
            free(w[k].id);
            free(w[k].host);
            free(w[k].job_id);
            memset(&w[k], 0, sizeof(w[k]));
            continue;
        }
        if (w[k].job_id == NULL && (w[k].job_id = strdup("")) == NULL) {
            k++;
            st = xq_err_set(err, XQ_ERR_NOMEM, "queue: out of memory");
            goto out;
        }
        k++;
    }
out:
    freeReplyObject(rep);
    if (st != XQ_OK) {
        xq_worker_info_free(w, k);
        return st;
    }
    *out = w;
    *n = k;
    return XQ_OK;
}
