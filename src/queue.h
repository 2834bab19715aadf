/*
 * queue.h - the Redis job queue (SPEC §5 job object and limits, §6).
 *
 * Every state change is one Lua script run with EVALSHA (loaded once,
 * reloaded on NOSCRIPT), so it is atomic across every responder and worker
 * on every host.  Key layout and the state machine: doc/queue.md.
 *
 * States: waiting -> active -> completed | failed | delayed | cancelled;
 * delayed -> waiting (when due); failed -> waiting (admin retry).
 * A worker holds a lease on its active job (worker id + deadline) and renews
 * it; an expired lease returns the job to waiting.  Calls that take a
 * worker_id fail with XQ_ERR_LEASE when the caller no longer owns the job.
 *
 * An xq_queue owns one Redis connection (redis.h) and is used by one process
 * (not thread-safe; after fork() call xq_queue_after_fork()).
 */
#ifndef XQ_QUEUE_H
#define XQ_QUEUE_H

#include <stddef.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"
#include "buf.h"
#include "redis.h"

#define XQ_JOB_ID_LEN 36 /* UUID v4 text */

typedef enum {
    XQ_JOB_WAITING = 0,
    XQ_JOB_ACTIVE,
    XQ_JOB_DELAYED,
    XQ_JOB_COMPLETED,
    XQ_JOB_FAILED,
    XQ_JOB_CANCELLED,
    XQ_JOB_STATE_COUNT
} xq_job_state;

/* A job as stored.  Strings are owned by the job; free with xq_job_free(). */
typedef struct xq_job {
    char id[XQ_JOB_ID_LEN + 1];
    xq_job_state state;
    char *owner;              /* requester's userId */
    char *owner_email;        /* may be "" */
    char *request_json;       /* xq_request_to_json() form */
    char *export_type;        /* "raw-data", ... */
    char *format;             /* "csv", "json", "excel" */
    int priority;             /* 1, 5, 10 */
    int progress;             /* 0..100 */
    long long rows_written;
    long long rows_estimated;
    double rows_per_second;   /* current speed of an active attempt (0 unknown) */
    long long requested_at_ms;
    long long started_at_ms;  /* 0 when never started */
    long long finished_at_ms; /* 0 when unfinished */
    int attempts_made;
    int cancel_requested;
    char *error;              /* user-facing reason or NULL */
    char *result_json;        /* {fileName,rowCount,fileSize,completedAt,expiresAt,expired} or NULL */
    char *worker_id;          /* lease owner of an active job or NULL */
    long long lease_until_ms;
    long long position;       /* 1-based among waiting (waiting/delayed only, else 0) */
} xq_job;

void xq_job_free(xq_job *job); /* job may be NULL */

/* "waiting", ...; -1 for an unknown name. */
const char *xq_job_state_name(xq_job_state s);
int xq_job_state_parse(const char *s);
int xq_job_state_finished(xq_job_state s); /* completed, failed, cancelled */

/*
 * The SPEC §5 job object for the API: jobId, status, progress, rowsWritten,
 * rowsEstimated, etaSeconds (active), position (waiting/delayed), exportType,
 * format, filters, priority, requestedAt, startedAt, finishedAt,
 * attemptsMade, result (with a signed downloadUrl built from cfg), error.
 * now_ms decides result.expired.  New reference, caller puts it.
 */
json_object *xq_job_to_api_json(const xq_job *job, const xq_config *cfg, long long now_ms);

typedef struct xq_queue xq_queue;

xq_status xq_queue_new(const xq_config *cfg, xq_queue **out, xq_err *err);
void xq_queue_free(xq_queue *q); /* q may be NULL */
void xq_queue_after_fork(xq_queue *q);
xq_redis *xq_queue_redis(xq_queue *q); /* borrowed; e.g. for health PING */

/* ---- submission (responder) ---- */

typedef struct xq_job_spec {
    const char *owner;        /* userId from the token */
    const char *owner_email;  /* may be NULL */
    const char *request_json; /* xq_request_to_json() */
    const char *export_type;
    const char *format;
    int priority;
} xq_job_spec;

/*
 * Queue a job, checking in the same script the owner's pending limit
 * (EXPORT_USER_MAX_PENDING unfinished jobs) and hourly limit
 * (EXPORT_USER_RATE_PER_HOUR submissions in the last 3600 s, sliding).
 * On XQ_OK: job_id (37 bytes) and *position.  Over a limit: XQ_ERR_LIMIT,
 * nothing stored, *retry_after_s set (seconds until a slot frees; for the
 * pending limit a fixed guess of 30).
 */
xq_status xq_queue_add(xq_queue *q, const xq_job_spec *spec, char job_id[XQ_JOB_ID_LEN + 1],
                       long long *position, long *retry_after_s, xq_err *err);

/* Count a sync export toward the hourly limit only (SPEC §10), refusing it
 * with XQ_ERR_LIMIT and *retry_after_s when over. */
xq_status xq_queue_charge_sync(xq_queue *q, const char *owner, long *retry_after_s,
                               xq_err *err);

/* ---- reading ---- */

/* XQ_ERR_NOT_FOUND when no such job (or forgotten). */
xq_status xq_queue_get(xq_queue *q, const char *job_id, xq_job **out, xq_err *err);

/* A user's jobs newest first, from the per-user index (not a scan). */
xq_status xq_queue_list_owner(xq_queue *q, const char *owner, long offset, long limit,
                              xq_job ***jobs, size_t *n, long long *total, xq_err *err);

/* Jobs in one state, in the state's natural order (waiting: dispatch order;
 * finished: newest first). */
xq_status xq_queue_list_state(xq_queue *q, xq_job_state state, long offset, long limit,
                              xq_job ***jobs, size_t *n, long long *total, xq_err *err);

/* Free an array from a list call (jobs may be NULL). */
void xq_job_list_free(xq_job **jobs, size_t n);

typedef struct xq_queue_stats {
    long long waiting, active, delayed, completed, failed, cancelled;
    int paused;
    long long workers; /* live workers in the registry */
} xq_queue_stats;

xq_status xq_queue_stats_get(xq_queue *q, xq_queue_stats *out, xq_err *err);

/* ---- user and admin actions ---- */

/*
 * Cancel: waiting/delayed -> cancelled at once (*was_active = 0); active ->
 * cancel flag set, the worker stops at its next progress call (*was_active
 * = 1); finished -> XQ_ERR_CONFLICT.
 */
xq_status xq_queue_cancel(xq_queue *q, const char *job_id, int *was_active, xq_err *err);

/* Forget a finished job: remove it and its indexes.  *file_name receives the
 * result file name to delete (malloc'd, NULL if none).  Unfinished:
 * XQ_ERR_CONFLICT. */
xq_status xq_queue_forget(xq_queue *q, const char *job_id, char **file_name, xq_err *err);

/* Admin retry: failed -> waiting, attemptsMade reset; otherwise CONFLICT. */
xq_status xq_queue_retry(xq_queue *q, const char *job_id, xq_err *err);

/* Admin remove: any state.  An active job is flagged cancelled first and
 * its record removed; the worker finds its lease gone and cleans up.
 * *file_name as in forget. */
xq_status xq_queue_remove(xq_queue *q, const char *job_id, char **file_name, xq_err *err);

xq_status xq_queue_set_paused(xq_queue *q, int paused, xq_err *err);

/* Remove jobs of a finished state finished more than older_than_ms ago (or
 * waiting/delayed jobs queued before then); their file names are returned
 * (array of malloc'd strings, caller frees each and the array). */
xq_status xq_queue_clean(xq_queue *q, xq_job_state state, long long older_than_ms,
                         long long *removed, char ***file_names, size_t *nfiles, xq_err *err);

/* ---- workers ---- */

/*
 * Take the next job in dispatch order (priority, then submission time),
 * skipping owners who already have EXPORT_USER_MAX_ACTIVE jobs active and
 * doing nothing while paused.  Blocks up to block_ms waiting for work
 * (blocking Redis wait, no polling).  *out is NULL on timeout.  The job is
 * active with a lease for worker_id until now + EXPORT_LEASE_MS and its
 * attempts_made already counts this attempt.
 */
xq_status xq_queue_claim(xq_queue *q, const char *worker_id, long block_ms, xq_job **out,
                         xq_err *err);

/*
 * Report progress and renew the lease in one call.  progress never goes
 * down within an attempt (a lower value is ignored).  *cancel receives 1
 * when the job was cancelled or removed: the worker must stop, delete its
 * partial file and call xq_queue_ack_cancel().
 */
xq_status xq_queue_progress(xq_queue *q, const char *job_id, const char *worker_id,
                            int progress, long long rows_written, long long rows_estimated,
                            int *cancel, xq_err *err);

/* Renew the lease only (same *cancel contract). */
xq_status xq_queue_renew(xq_queue *q, const char *job_id, const char *worker_id, int *cancel,
                         xq_err *err);

/* active -> completed with result_json {fileName,rowCount,fileSize,
 * completedAt,expiresAt} (ms or ISO: see doc/queue.md); progress 100.
 * Also counts metrics (status, type, duration, rows, bytes).
 * XQ_ERR_CANCELLED when a cancel was requested: the job stays active for
 * the worker to delete its file and xq_queue_ack_cancel(). */
xq_status xq_queue_complete(xq_queue *q, const char *job_id, const char *worker_id,
                            const char *result_json, long long rows, long long bytes,
                            xq_err *err);

/* active -> delayed (backoff EXPORT_BACKOFF_MS * 2^(attempts-1)) when
 * retryable and attempts remain, else -> failed.  *final receives 1 when
 * the job failed for good (the worker then mails the reason). */
xq_status xq_queue_fail(xq_queue *q, const char *job_id, const char *worker_id,
                        const char *user_error, int retryable, int *final, xq_err *err);

/* active (cancel requested) -> cancelled. */
xq_status xq_queue_ack_cancel(xq_queue *q, const char *job_id, const char *worker_id,
                              xq_err *err);

/* active -> waiting without counting the attempt (graceful shutdown). */
xq_status xq_queue_release(xq_queue *q, const char *job_id, const char *worker_id,
                           xq_err *err);

/* ---- housekeeping (reaper, purger) ---- */

/* Move due delayed jobs to waiting; *n moved. */
xq_status xq_queue_promote_delayed(xq_queue *q, long long *n, xq_err *err);

/* Expired leases -> waiting (attempt counted) or failed when attempts are
 * used up; *n recovered. */
xq_status xq_queue_recover_leases(xq_queue *q, long long *n, xq_err *err);

/* Completed jobs whose file expired before now_ms and are not yet marked:
 * mark result.expired, return their file names (as in clean). */
xq_status xq_queue_expire_files(xq_queue *q, long long now_ms, char ***file_names,
                                size_t *nfiles, xq_err *err);

/* Retention: completed > 7 days or beyond the 1000 newest, failed and
 * cancelled > 14 days are removed; file names returned as in clean. */
xq_status xq_queue_trim(xq_queue *q, long long now_ms, long long *removed, char ***file_names,
                        size_t *nfiles, xq_err *err);

/* Cross-host mutual exclusion for periodic tasks: 1 in *got when this
 * caller holds `name` for ttl_ms (SET NX PX). */
xq_status xq_queue_try_lock(xq_queue *q, const char *name, const char *owner, long ttl_ms,
                            int *got, xq_err *err);

/* ---- worker registry ---- */

typedef struct xq_worker_info {
    char *id, *host, *job_id; /* job_id "" when idle */
    long pid;
    long long since_ms, heartbeat_ms;
} xq_worker_info;

/* Register/refresh a live worker; the entry expires by itself after ttl_ms. */
xq_status xq_queue_heartbeat(xq_queue *q, const char *worker_id, const char *host, long pid,
                             const char *job_id, long long since_ms, long ttl_ms, xq_err *err);
xq_status xq_queue_worker_gone(xq_queue *q, const char *worker_id, xq_err *err);
xq_status xq_queue_workers(xq_queue *q, xq_worker_info **out, size_t *n, xq_err *err);
void xq_worker_info_free(xq_worker_info *w, size_t n);

/* ---- metrics (shared by every process, kept in Redis) ---- */

/* Add to a counter (e.g. "mail_failures_total"); see doc/queue.md. */
xq_status xq_queue_metric_incr(xq_queue *q, const char *name, long long by, xq_err *err);

/* Prometheus text exposition of every counter, the job duration histogram,
 * queue depth per state and live workers, appended to out. */
xq_status xq_queue_metrics_text(xq_queue *q, xq_buf *out, xq_err *err);

#endif
