/*
 * keeper.c - lease renewal, cancel watch, shutdown deadline and heartbeat,
 * on a thread of its own (see keeper.h for why).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keeper.h"
#include "log.h"

/* Interrupt the running query (called with k->mu held). */
static void interrupt_query(xq_keeper *k)
{
    char ebuf[256];

    if (k->cancel != NULL && !PQcancel(k->cancel, ebuf, (int)sizeof(ebuf)))
        xq_log(XQ_LOG_WARN, "PQcancel failed: %.200s", ebuf);
}

static void add_reason(xq_keeper *k, int why)
{
    int old = atomic_fetch_or(&k->stop_why, why);

    if ((old & why) == 0 && k->job_id[0] != '\0')
        interrupt_query(k);
}

static void tick_job(xq_keeper *k, long long now, long long *last_renew, int *redis_down)
{
    char job[XQ_JOB_ID_LEN + 1];
    int cancel = 0;
    xq_err err;
    xq_status st;

    pthread_mutex_lock(&k->mu);
    snprintf(job, sizeof(job), "%s", k->job_id);
    if (job[0] != '\0' && k->part_path[0] != '\0' &&
        now - k->last_touch_ms >= XQ_KEEPER_TOUCH_MS) {
        k->last_touch_ms = now;
        /* times set to now; a file not created yet (XLSX writes at the end) or
         * already renamed gives ENOENT, which is fine */
        if (utimensat(AT_FDCWD, k->part_path, NULL, 0) != 0 && errno != ENOENT)
            xq_log_errno(XQ_LOG_DEBUG, "touching the temporary file");
    }
    pthread_mutex_unlock(&k->mu);
    if (job[0] == '\0')
        return;

    /* shutdown: the job may run for the grace time, then goes back */
    if (xq_wd_should_stop()) {
        if (k->stop_seen_ms == 0) {
            k->stop_seen_ms = now;
            xq_log(XQ_LOG_INFO, "stop requested: job %s may finish within %ld s", job,
                   k->cfg->shutdown_grace_s);
        }
        if (now - k->stop_seen_ms >= k->cfg->shutdown_grace_s * 1000LL &&
            !(atomic_load(&k->stop_why) & XQ_KEEP_RELEASE)) {
            xq_log(XQ_LOG_WARN, "grace time over: handing job %s back", job);
            pthread_mutex_lock(&k->mu);
            add_reason(k, XQ_KEEP_RELEASE);
            pthread_mutex_unlock(&k->mu);
        }
    }
    if (now - *last_renew < XQ_KEEPER_RENEW_MS)
        return;
    *last_renew = now;
    xq_err_clear(&err);
    st = xq_queue_renew(k->q, job, k->worker_id, &cancel, &err);
    if (st == XQ_ERR_LEASE) {
        pthread_mutex_lock(&k->mu);
        if (strcmp(job, k->job_id) == 0) {
            xq_log(XQ_LOG_WARN, "lease on job %s lost: %s", job, err.msg);
            add_reason(k, XQ_KEEP_LEASE);
        }
        pthread_mutex_unlock(&k->mu);
    } else if (st != XQ_OK) {
        if (!*redis_down)
            xq_log(XQ_LOG_WARN, "lease renewal failed (will retry): %s", err.msg);
        *redis_down = 1;
    } else {
        if (*redis_down)
            xq_log(XQ_LOG_INFO, "lease renewal works again");
        *redis_down = 0;
        if (cancel) {
            pthread_mutex_lock(&k->mu);
            if (strcmp(job, k->job_id) == 0) {
                /* renewals go on until the worker stops: say it once */
                if ((atomic_load(&k->stop_why) & XQ_KEEP_CANCEL) == 0)
                    xq_log(XQ_LOG_INFO, "job %s cancelled: stopping it", job);
                add_reason(k, XQ_KEEP_CANCEL);
            }
            pthread_mutex_unlock(&k->mu);
        }
    }
}

static void heartbeat(xq_keeper *k, int *hb_down)
{
    char job[XQ_JOB_ID_LEN + 1];
    xq_err err;

    pthread_mutex_lock(&k->mu);
    snprintf(job, sizeof(job), "%s", k->job_id);
    pthread_mutex_unlock(&k->mu);
    xq_err_clear(&err);
    if (xq_queue_heartbeat(k->q, k->worker_id, k->host, (long)getpid(), job, k->since_ms,
                           XQ_KEEPER_HEARTBEAT_TTL_MS, &err) != XQ_OK) {
        if (!*hb_down)
            xq_log(XQ_LOG_WARN, "heartbeat failed (will retry): %s", err.msg);
        *hb_down = 1;
    } else {
        *hb_down = 0;
    }
}

static void *keeper_thread(void *arg)
{
    xq_keeper *k = arg;
    long long last_renew = 0, last_hb = 0;
    int redis_down = 0, hb_down = 0;

    while (!atomic_load(&k->quit)) {
        long long now = xq_wd_mono_ms();
        struct timespec ts;

        if (now - last_hb >= XQ_KEEPER_HEARTBEAT_MS) {
            last_hb = now;
            heartbeat(k, &hb_down);
        }
        tick_job(k, now, &last_renew, &redis_down);

        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += XQ_KEEPER_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&k->mu);
        if (!atomic_load(&k->quit))
            pthread_cond_timedwait(&k->cv, &k->mu, &ts);
        pthread_mutex_unlock(&k->mu);
    }
    return NULL;
}

xq_status xq_keeper_start(xq_keeper *k, const xq_config *cfg, const char *worker_id,
                          const char *host, xq_err *err)
{
    pthread_condattr_t ca;
    sigset_t block, old;
    xq_status st;
    int rc;

    memset(k, 0, sizeof(*k));
    k->cfg = cfg;
    snprintf(k->worker_id, sizeof(k->worker_id), "%s", worker_id);
    snprintf(k->host, sizeof(k->host), "%s", host);
    k->since_ms = xq_wd_now_ms();
    atomic_init(&k->stop_why, 0);
    atomic_init(&k->quit, 0);
    if ((st = xq_queue_new(cfg, &k->q, err)) != XQ_OK)
        return st;
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    /* the stop signals belong to the main thread, which owns the loop */
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    rc = pthread_create(&k->thread, NULL, keeper_thread, k);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
        xq_queue_free(k->q);
        k->q = NULL;
        return xq_err_set(err, XQ_ERR_INTERNAL, "keeper: pthread_create: %s", strerror(rc));
    }
    k->started = 1;
    return XQ_OK;
}

void xq_keeper_stop(xq_keeper *k)
{
    xq_err err;

    if (!k->started)
        return;
    pthread_mutex_lock(&k->mu);
    atomic_store(&k->quit, 1);
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    k->started = 0;
    xq_err_clear(&err);
    if (xq_queue_worker_gone(k->q, k->worker_id, &err) != XQ_OK)
        xq_log(XQ_LOG_WARN, "could not remove the worker from the registry: %s", err.msg);
    if (k->cancel != NULL)
        PQfreeCancel(k->cancel);
    k->cancel = NULL;
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    xq_queue_free(k->q);
    k->q = NULL;
}

void xq_keeper_watch(xq_keeper *k, const char *job_id, const char *part_path,
                     PGcancel *cancel)
{
    pthread_mutex_lock(&k->mu);
    snprintf(k->job_id, sizeof(k->job_id), "%s", job_id);
    snprintf(k->part_path, sizeof(k->part_path), "%s", part_path ? part_path : "");
    k->last_touch_ms = xq_wd_mono_ms();
    if (k->cancel != NULL)
        PQfreeCancel(k->cancel);
    k->cancel = cancel;
    atomic_store(&k->stop_why, 0);
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

int xq_keeper_unwatch(xq_keeper *k)
{
    int why;

    pthread_mutex_lock(&k->mu);
    k->job_id[0] = '\0';
    k->part_path[0] = '\0';
    if (k->cancel != NULL)
        PQfreeCancel(k->cancel);
    k->cancel = NULL;
    why = atomic_exchange(&k->stop_why, 0);
    pthread_mutex_unlock(&k->mu);
    return why;
}

void xq_keeper_flag(xq_keeper *k, int why)
{
    pthread_mutex_lock(&k->mu);
    add_reason(k, why);
    pthread_mutex_unlock(&k->mu);
}

int xq_keeper_why(xq_keeper *k)
{
    return atomic_load(&k->stop_why);
}
