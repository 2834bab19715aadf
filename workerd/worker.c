/*
 * worker.c - a worker process: claim a job, run the export, record the
 * outcome, mail the requester; again until told to stop.
 *
 * Outcomes, in the order they are decided after the export returns:
 *   lease lost      -> nothing recorded (another worker owns the job now);
 *   cancelled       -> partial file gone (the engine removes its temporary;
 *                      a file completed in the same instant is unlinked) and
 *                      xq_queue_ack_cancel();
 *   grace time over -> xq_queue_release(): back to waiting, no attempt charged;
 *   success         -> xq_queue_complete() with the result, then the mail;
 *   failure         -> xq_queue_fail(), retried with backoff when the status
 *                      is transient (lost connection, I/O), at once final for
 *                      a bad request or an SQL error; a final failure mails
 *                      the reason.  The reason stored is the engine's
 *                      user-facing text, never SQL or a path.
 * Recording an outcome survives a Redis restart: it is retried until Redis
 * answers or the lease has surely expired (the reaper then requeues the job).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "export.h"
#include "filename.h"
#include "keeper.h"
#include "log.h"
#include "mail.h"
#include "queue.h"
#include "request.h"
#include "workerd.h"

#define CLAIM_BLOCK_MS 2000
#define PROGRESS_EVERY_MS 1000
#define REDIS_BACKOFF_MIN_MS 250
#define REDIS_BACKOFF_MAX_MS 5000

typedef struct worker {
    const xq_config *cfg;
    xq_queue *q;
    xq_db *db;
    xq_keeper keeper;
    char id[XQ_WORKER_ID_MAX];
    char host[64];
} worker;

typedef struct progress_ctx {
    worker *w;
    const xq_job *job;
    int redis_warned;
} progress_ctx;

static int on_progress(void *arg, long long rows, long long estimated, int percent)
{
    progress_ctx *pc = arg;
    int cancel = 0;
    xq_err err;
    xq_status st;

    if (xq_keeper_why(&pc->w->keeper) != 0)
        return 1;
    xq_err_clear(&err);
    st = xq_queue_progress(pc->w->q, pc->job->id, pc->w->id, percent, rows, estimated, &cancel,
                           &err);
    if (st == XQ_ERR_LEASE) {
        xq_log(XQ_LOG_WARN, "lease lost while exporting: %s", err.msg);
        xq_keeper_flag(&pc->w->keeper, XQ_KEEP_LEASE);
        return 1;
    }
    if (st != XQ_OK) {
        /* Redis away: keep exporting; the keeper keeps trying the lease */
        if (!pc->redis_warned)
            xq_log(XQ_LOG_WARN, "progress update failed (export continues): %s", err.msg);
        pc->redis_warned = 1;
        return xq_keeper_why(&pc->w->keeper) != 0;
    }
    pc->redis_warned = 0;
    if (cancel) {
        xq_keeper_flag(&pc->w->keeper, XQ_KEEP_CANCEL);
        return 1;
    }
    return xq_keeper_why(&pc->w->keeper) != 0;
}

/*
 * Give up recording an outcome after this long: about one lease (the reaper
 * has requeued the job by then anyway), or 5 s once the worker is stopping
 * so that a shutdown with Redis away still ends well inside the grace time.
 */
static int record_give_up(const worker *w, long long started, long *delay)
{
    long long now = xq_wd_mono_ms();
    struct timespec ts;

    if (now - started >= w->cfg->lease_ms + 5000 ||
        (xq_wd_should_stop() && now - started >= 5000))
        return 1;
    /* not xq_wd_sleep_ms(): that returns at once while stopping */
    ts.tv_sec = *delay / 1000;
    ts.tv_nsec = (*delay % 1000) * 1000000L;
    nanosleep(&ts, NULL);
    if (*delay < REDIS_BACKOFF_MAX_MS)
        *delay *= 2;
    return 0;
}

/* Run call until Redis answers (any status but XQ_ERR_REDIS) or we give up. */
#define RECORD(w, st, call)                                                                    \
    do {                                                                                       \
        long long started_ = xq_wd_mono_ms();                                                  \
        long delay_ = REDIS_BACKOFF_MIN_MS;                                                    \
        for (;;) {                                                                             \
            xq_err_clear(&err);                                                                \
            (st) = (call);                                                                     \
            if ((st) != XQ_ERR_REDIS)                                                          \
                break;                                                                         \
            xq_log(XQ_LOG_WARN, "recording the outcome failed, retrying: %s", err.msg);        \
            if (record_give_up((w), started_, &delay_))                                        \
                break;                                                                         \
        }                                                                                      \
    } while (0)

static void unlink_in_dir(const xq_config *cfg, const char *name)
{
    char path[4096];

    if (!xq_filename_valid(name))
        return;
    snprintf(path, sizeof(path), "%s/%s", cfg->export_dir, name);
    if (unlink(path) != 0 && errno != ENOENT)
        xq_log_errno(XQ_LOG_WARN, "unlink %s", name);
}

/* The signed link exactly as the API shows it (built by the queue module). */
static char *download_url_of(const xq_config *cfg, const xq_job *job, const char *result)
{
    xq_job copy;
    json_object *api, *res, *url;
    char *out = NULL;

    copy = *job;
    copy.state = XQ_JOB_COMPLETED;
    copy.result_json = (char *)result;
    api = xq_job_to_api_json(&copy, cfg, xq_wd_now_ms());
    if (api != NULL && json_object_object_get_ex(api, "result", &res) &&
        json_object_object_get_ex(res, "downloadUrl", &url))
        out = strdup(json_object_get_string(url));
    json_object_put(api);
    return out;
}

static void send_mail(worker *w, const xq_job *job, const xq_mail_job *mj, int failed)
{
    xq_buf subject, text, html, msg;
    xq_mail_message m;
    char msgid[XQ_JOB_ID_LEN + 32];
    xq_err err;
    xq_status st;

    if (w->cfg->smtp_url == NULL || w->cfg->smtp_url[0] == '\0')
        return;
    if (job->owner_email == NULL || job->owner_email[0] == '\0') {
        xq_log(XQ_LOG_DEBUG, "no mail: the requester has no address");
        return;
    }
    xq_buf_init(&subject, 1024);
    xq_buf_init(&text, 64 * 1024);
    xq_buf_init(&html, 64 * 1024);
    xq_buf_init(&msg, XQ_MAIL_MAX);
    xq_err_clear(&err);
    snprintf(msgid, sizeof(msgid), "%s.%s.%lld", job->id, failed ? "failed" : "done",
             xq_wd_now_ms());
    st = xq_mail_compose(mj, failed, &subject, &text, &html);
    if (st == XQ_OK) {
        m.from = w->cfg->smtp_from;
        m.to = job->owner_email;
        m.subject = xq_buf_str(&subject);
        m.text = xq_buf_str(&text);
        m.html = xq_buf_str(&html);
        m.date = (time_t)(xq_wd_now_ms() / 1000);
        m.message_id = msgid;
        st = xq_mail_format(&m, &msg, &err);
    } else {
        xq_err_set(&err, st, "mail: composing failed");
    }
    if (st == XQ_OK)
        st = xq_mail_send(w->cfg, job->owner_email, msg.data, msg.len, &err);
    if (st != XQ_OK) {
        xq_err qerr;

        xq_log(XQ_LOG_WARN, "mail not sent: %s", err.msg);
        if (xq_queue_metric_incr(w->q, "mail_failures_total", 1, &qerr) != XQ_OK)
            xq_log(XQ_LOG_WARN, "could not count the mail failure: %s", qerr.msg);
    } else {
        xq_log(XQ_LOG_INFO, "mail sent (%s)", failed ? "failure" : "completion");
    }
    xq_buf_cleanup(&subject);
    xq_buf_cleanup(&text);
    xq_buf_cleanup(&html);
    xq_buf_cleanup(&msg);
}

static void fill_mail_job(xq_mail_job *mj, const xq_job *job, const xq_export_request *req)
{
    memset(mj, 0, sizeof(*mj));
    mj->job_id = job->id;
    mj->export_type = job->export_type;
    mj->format = job->format;
    mj->start_date = req ? req->start_date : NULL;
    mj->end_date = req ? req->end_date : NULL;
}

static void record_failure(worker *w, const xq_job *job, const xq_export_request *req,
                           xq_status cause, const char *why_log)
{
    const char *user_msg = xq_export_user_message(cause);
    int retryable = xq_status_retryable(cause), final = 0;
    xq_mail_job mj;
    xq_err err;
    xq_status st;

    xq_log(retryable ? XQ_LOG_WARN : XQ_LOG_ERROR, "export failed (%s, %s): %s",
           xq_strerror(cause), retryable ? "transient" : "permanent", why_log);
    RECORD(w, st, xq_queue_fail(w->q, job->id, w->id, user_msg, retryable, &final, &err));
    if (st != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "could not record the failure: %s", err.msg);
        return;
    }
    if (final) {
        xq_log(XQ_LOG_INFO, "job failed for good after %d attempt(s)", job->attempts_made);
        fill_mail_job(&mj, job, req);
        mj.error = user_msg;
        send_mail(w, job, &mj, 1);
    } else {
        xq_log(XQ_LOG_INFO, "job will be retried");
    }
}

static void record_success(worker *w, const xq_job *job, const xq_export_request *req,
                           const char *file_name, const xq_export_result *res)
{
    long long now = xq_wd_now_ms();
    long long expires = now + (long long)(w->cfg->file_retention_hours * 3600000.0);
    char *url = NULL;
    const char *result;
    json_object *r = json_object_new_object();
    xq_mail_job mj;
    xq_err err;
    xq_status st;

    if (r == NULL || json_object_object_add(r, "fileName", json_object_new_string(file_name)) ||
        json_object_object_add(r, "rowCount", json_object_new_int64(res->rows)) ||
        json_object_object_add(r, "fileSize", json_object_new_int64(res->bytes)) ||
        json_object_object_add(r, "completedAt", json_object_new_int64(now)) ||
        json_object_object_add(r, "expiresAt", json_object_new_int64(expires))) {
        json_object_put(r);
        record_failure(w, job, req, XQ_ERR_NOMEM, "out of memory building the result");
        return;
    }
    result = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
    RECORD(w, st, xq_queue_complete(w->q, job->id, w->id, result, res->rows, res->bytes, &err));
    if (st == XQ_ERR_LEASE) {
        /* another worker owns the job now; the name is the job's own, so
         * the file stays: that worker renames the same complete file */
        xq_log(XQ_LOG_WARN, "finished, but the job is no longer ours: %s", err.msg);
        goto out;
    }
    if (st == XQ_ERR_NOT_FOUND) {
        /* removed by an admin while the file was being closed: nothing
         * refers to the file any more and no purge would ever find it */
        unlink_in_dir(w->cfg, file_name);
        xq_log(XQ_LOG_INFO, "job removed while finishing, file removed");
        goto out;
    }
    if (st == XQ_ERR_CANCELLED) {
        /* cancelled after the last look: the client was told the job stops */
        xq_status ast;

        unlink_in_dir(w->cfg, file_name);
        RECORD(w, ast, xq_queue_ack_cancel(w->q, job->id, w->id, &err));
        if (ast != XQ_OK)
            xq_log(XQ_LOG_WARN, "could not record the cancel: %s", err.msg);
        else
            xq_log(XQ_LOG_INFO, "job cancelled as it finished, file removed");
        goto out;
    }
    if (st != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "could not record the completion: %s", err.msg);
        goto out;
    }
    xq_log(XQ_LOG_INFO, "job completed: %lld rows, %lld bytes in %.1f s", res->rows, res->bytes,
           res->seconds);
    url = download_url_of(w->cfg, job, result);
    fill_mail_job(&mj, job, req);
    mj.file_name = file_name;
    mj.download_url = url;
    mj.rows = res->rows;
    mj.bytes = res->bytes;
    mj.expires_at_ms = expires;
    send_mail(w, job, &mj, 0);
out:
    free(url);
    json_object_put(r);
}

static void run_job(worker *w, const xq_job *job)
{
    xq_export_request req;
    xq_export_opts o;
    xq_export_result res;
    progress_ctx pc;
    char file_name[XQ_FILENAME_MAX];
    char part_path[4096];
    PGconn *conn = NULL;
    PGcancel *cancel = NULL;
    int why;
    xq_err err;
    xq_status st;

    xq_log_set_job_id(job->id);
    xq_log(XQ_LOG_INFO, "job started (%s %s, attempt %d)", job->export_type, job->format,
           job->attempts_made);
    xq_request_init(&req);
    memset(&res, 0, sizeof(res));
    xq_err_clear(&err);

    if ((st = xq_request_from_json(job->request_json ? job->request_json : "", &req, &err)) !=
        XQ_OK) {
        record_failure(w, job, NULL, XQ_ERR_INVALID, err.msg);
        goto out;
    }
    if ((st = xq_filename_make(req.type, job->id, req.format, file_name, sizeof(file_name),
                               &err)) != XQ_OK) {
        record_failure(w, job, &req, XQ_ERR_INVALID, err.msg);
        goto out;
    }
    /* connect first so the keeper holds this connection's cancel handle */
    if (xq_db_conn(w->db, &conn, &err) == XQ_OK && (cancel = PQgetCancel(conn)) == NULL)
        xq_log(XQ_LOG_WARN, "no cancel handle: a cancel waits for the next row batch");
    xq_err_clear(&err);
    /* the engine's temporary name (export.h): kept fresh by the keeper */
    snprintf(part_path, sizeof(part_path), "%s/.%s.part", w->cfg->export_dir, file_name);
    xq_keeper_watch(&w->keeper, job->id, part_path, cancel);

    memset(&pc, 0, sizeof(pc));
    pc.w = w;
    pc.job = job;
    memset(&o, 0, sizeof(o));
    o.cfg = w->cfg;
    o.db = w->db;
    o.req = &req;
    o.job_id = job->id;
    o.dir = w->cfg->export_dir;
    o.file_name = file_name;
    o.progress = on_progress;
    o.progress_ctx = &pc;
    o.min_interval_ms = PROGRESS_EVERY_MS;
    st = xq_export_run(&o, &res, &err);
    why = xq_keeper_unwatch(&w->keeper);

    if (why & XQ_KEEP_LEASE) {
        xq_log(XQ_LOG_WARN, "job abandoned: another worker owns it now");
    } else if (why & XQ_KEEP_CANCEL) {
        xq_status ast;

        if (st == XQ_OK)
            unlink_in_dir(w->cfg, file_name);
        RECORD(w, ast, xq_queue_ack_cancel(w->q, job->id, w->id, &err));
        if (ast != XQ_OK)
            xq_log(XQ_LOG_WARN, "could not record the cancel: %s", err.msg);
        else
            xq_log(XQ_LOG_INFO, "job cancelled, partial file removed");
    } else if (st == XQ_OK) {
        record_success(w, job, &req, file_name, &res);
    } else if (why & XQ_KEEP_RELEASE) {
        xq_status rst;

        RECORD(w, rst, xq_queue_release(w->q, job->id, w->id, &err));
        if (rst != XQ_OK)
            xq_log(XQ_LOG_WARN, "could not hand the job back: %s", err.msg);
        else
            xq_log(XQ_LOG_INFO, "job handed back to the queue (no attempt charged)");
    } else {
        record_failure(w, job, &req, st == XQ_ERR_CANCELLED ? XQ_ERR_INTERNAL : st, err.msg);
    }
out:
    xq_request_cleanup(&req);
    xq_log_set_job_id(NULL);
}

int xq_worker_main(const xq_config *cfg)
{
    worker w;
    long backoff = REDIS_BACKOFF_MIN_MS;
    int redis_warned = 0, rc = 0;
    xq_err err;

    memset(&w, 0, sizeof(w));
    w.cfg = cfg;
    xq_err_clear(&err);
    xq_wd_worker_id(w.id, sizeof(w.id), w.host, sizeof(w.host));
    if (xq_queue_new(cfg, &w.q, &err) != XQ_OK || xq_db_new(cfg, "exportq-worker", &w.db, &err) !=
                                                       XQ_OK) {
        xq_log(XQ_LOG_ERROR, "worker cannot start: %s", err.msg);
        rc = 1;
        goto out;
    }
    if (xq_keeper_start(&w.keeper, cfg, w.id, w.host, &err) != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "worker cannot start its lease keeper: %s", err.msg);
        rc = 1;
        goto out;
    }
    xq_log(XQ_LOG_INFO, "worker %s ready", w.id);

    while (!xq_wd_should_stop()) {
        xq_job *job = NULL;
        xq_status st;

        xq_err_clear(&err);
        st = xq_queue_claim(w.q, w.id, CLAIM_BLOCK_MS, &job, &err);
        if (st != XQ_OK) {
            if (!redis_warned)
                xq_log(XQ_LOG_WARN, "cannot take jobs (retrying with backoff): %s", err.msg);
            redis_warned = 1;
            xq_wd_sleep_ms(backoff);
            if (backoff < REDIS_BACKOFF_MAX_MS)
                backoff *= 2;
            continue;
        }
        if (redis_warned)
            xq_log(XQ_LOG_INFO, "taking jobs again");
        redis_warned = 0;
        backoff = REDIS_BACKOFF_MIN_MS;
        if (job == NULL)
            continue;
        run_job(&w, job);
        xq_job_free(job);
    }
    xq_log(XQ_LOG_INFO, "worker %s stopping", w.id);
out:
    xq_keeper_stop(&w.keeper);
    xq_db_free(w.db);
    xq_queue_free(w.q);
    return rc;
}
