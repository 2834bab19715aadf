/*
 * keeper.h - a worker's lease keeper: one thread, its own Redis connection.
 *
 * Why a thread: the export engine calls its progress callback only between
 * rows, and a breakdown query can compute for minutes before the first row
 * arrives.  The keeper renews the job's lease every half second whatever
 * the engine is doing, notices a cancel (or a lost lease, or the end of the
 * shutdown grace time) and then interrupts PostgreSQL with PQcancel(), the
 * one libpq call made to be used from another thread, so the engine returns
 * within the 2 s a cancel promises.  It also writes the worker's heartbeat.
 *
 * The main thread owns the job; it hands the keeper the job id and the
 * connection's PGcancel, and takes them back when the export returns.  The
 * keeper never touches the engine's connection or the main thread's queue.
 */
#ifndef XQ_KEEPER_H
#define XQ_KEEPER_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "error.h"
#include "queue.h"
#include "workerd.h"

#define XQ_KEEPER_TICK_MS 250
#define XQ_KEEPER_RENEW_MS 500
#define XQ_KEEPER_HEARTBEAT_MS 2000
#define XQ_KEEPER_HEARTBEAT_TTL_MS 10000
#define XQ_KEEPER_TOUCH_MS 60000

/* Why a running job must stop (bits of xq_keeper.stop_why). */
#define XQ_KEEP_CANCEL 1  /* the user or an admin cancelled it */
#define XQ_KEEP_LEASE 2   /* the lease is no longer ours */
#define XQ_KEEP_RELEASE 4 /* shutdown grace time over: hand the job back */

typedef struct xq_keeper {
    const xq_config *cfg;          /* borrowed */
    xq_queue *q;                   /* the keeper's own connection */
    char worker_id[XQ_WORKER_ID_MAX];
    char host[64];
    long long since_ms;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;            /* guards job_id, cancel */
    pthread_cond_t cv;
    char job_id[XQ_JOB_ID_LEN + 1]; /* "" when idle */
    char part_path[4096];          /* the job's temporary file, "" when unknown */
    long long last_touch_ms;
    PGcancel *cancel;              /* owned; NULL when unknown */
    long long stop_seen_ms;        /* monotonic time the stop flag was first seen */
    atomic_int stop_why;           /* XQ_KEEP_* bits for the current job */
    atomic_int quit;
} xq_keeper;

/* Start the thread (blocks the stop signals in it: the main thread gets them). */
xq_status xq_keeper_start(xq_keeper *k, const xq_config *cfg, const char *worker_id,
                          const char *host, xq_err *err);

/* Stop and join the thread; removes the worker from the registry. */
void xq_keeper_stop(xq_keeper *k);

/*
 * Begin watching a job; cancel (may be NULL) becomes the keeper's.
 * part_path (may be NULL) is the engine's temporary file: the keeper
 * refreshes its mtime every minute, so that a purger on any host, which
 * takes a temporary untouched for an hour for leftover, never removes the
 * file of a running export whose query is silent for that long.
 */
void xq_keeper_watch(xq_keeper *k, const char *job_id, const char *part_path,
                     PGcancel *cancel);

/* Stop watching; returns the XQ_KEEP_* bits gathered while watching. */
int xq_keeper_unwatch(xq_keeper *k);

/* Mark a stop reason found by the main thread (progress callback). */
void xq_keeper_flag(xq_keeper *k, int why);

/* The XQ_KEEP_* bits so far (cheap, lock-free). */
int xq_keeper_why(xq_keeper *k);

#endif
