/*
 * routes_export.c - the user's side of SPEC §5: queue an export
 * (export-async), run a small one at once (export, the sync route), watch
 * one (export-status), cancel one, list one's history (my-exports) and
 * forget a finished one.
 *
 * Someone else's job answers 404 exactly as a job that does not exist; an
 * admin (role admin) may act on anyone's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "filename.h"
#include "files.h"
#include "log.h"
#include "reply.h"
#include "routes.h"

#define STATUS_PREFIX "/api/v1/admin/usage/export-status/"

/* Parse the body; on a problem the 400 (with details) or 403 is answered. */
static xq_status take_request(xq_http *h, xq_export_request *req, xq_err *err)
{
    xq_field_errors fe;
    xq_status st;

    memset(&fe, 0, sizeof(fe));
    st = xq_request_parse(h->body.data != NULL ? h->body.data : "", h->body.len, req, &fe, err);
    if (st == XQ_ERR_INVALID) {
        xq_reply_invalid(h, err->msg[0] ? err->msg : NULL, &fe);
        return st;
    }
    if (st != XQ_OK)
        return st;
    if (req->priority == XQ_PRIO_HIGH && !h->principal.is_admin) {
        xq_http_error(h, XQ_ERR_FORBIDDEN, "priority high is for admins only", NULL);
        return XQ_ERR_FORBIDDEN;
    }
    return XQ_OK;
}

/* Queue req for the caller and answer 202 {message, jobId, position, statusUrl}. */
static xq_status enqueue(xq_app *app, xq_http *h, const xq_export_request *req,
                         const char *message, xq_err *err)
{
    char id[XQ_JOB_ID_LEN + 1], url[sizeof(STATUS_PREFIX) + XQ_JOB_ID_LEN];
    xq_job_spec spec;
    xq_buf stored;
    xq_queue *q;
    json_object *o = NULL;
    long long position = 0;
    long retry = 0;
    xq_status st;

    xq_buf_init(&stored, 64 * 1024);
    if ((st = xq_request_to_json(req, &stored)) != XQ_OK) {
        xq_err_set(err, st, "cannot store the request");
        goto out;
    }
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        goto out;
    spec.owner = h->principal.user_id;
    spec.owner_email = h->principal.email;
    spec.request_json = xq_buf_str(&stored);
    spec.export_type = xq_export_type_name(req->type);
    spec.format = xq_format_name(req->format);
    spec.priority = req->priority;
    st = xq_queue_add(q, &spec, id, &position, &retry, err);
    if (st == XQ_ERR_LIMIT) {
        st = xq_reply_limit(h, retry, err->msg[0] ? err->msg : NULL);
        goto out;
    }
    if (st != XQ_OK)
        goto out;
    snprintf(url, sizeof(url), STATUS_PREFIX "%s", id);
    o = json_object_new_object();
    if (o == NULL || json_object_object_add(o, "message", json_object_new_string(message)) ||
        json_object_object_add(o, "jobId", json_object_new_string(id)) ||
        json_object_object_add(o, "position", json_object_new_int64(position)) ||
        json_object_object_add(o, "statusUrl", json_object_new_string(url))) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    xq_http_add_header(h, "Location", url);
    st = xq_reply_obj(h, 202, o);
out:
    json_object_put(o);
    xq_buf_cleanup(&stored);
    return st;
}

xq_status xq_route_export_async(xq_app *app, xq_http *h, xq_err *err)
{
    xq_export_request req;
    xq_status st;

    xq_request_init(&req);
    if ((st = take_request(h, &req, err)) == XQ_OK)
        st = enqueue(app, h, &req, "export queued", err);
    xq_request_cleanup(&req);
    return h->responded ? XQ_OK : st;
}

/*
 * Run the export into a private directory under EXPORT_DIR (so its name can
 * never be served by /downloads), keep the file open, delete it and the
 * directory, and send it.
 */
static xq_status run_sync(xq_app *app, xq_http *h, const xq_export_request *req,
                          long long rows, xq_db *db, xq_err *err)
{
    char dir[4096], path[4096 + XQ_FILENAME_MAX + 2], name[XQ_FILENAME_MAX];
    char display[128], count[32];
    xq_export_opts o;
    xq_export_result res;
    struct stat sb;
    int fd = -1, have_dir = 0;
    xq_status st;

    path[0] = '\0';
    if ((size_t)snprintf(dir, sizeof(dir), "%s/.sync-XXXXXX", app->cfg->export_dir) >=
        sizeof(dir)) {
        st = xq_err_set(err, XQ_ERR_CONFIG, "EXPORT_DIR is too long");
        goto out;
    }
    if (mkdtemp(dir) == NULL) {
        st = xq_err_set(err, XQ_ERR_IO, "mkdtemp in EXPORT_DIR: %s", strerror(errno));
        goto out;
    }
    have_dir = 1;
    if ((st = xq_filename_make(req->type, NULL, req->format, name, sizeof(name), err)) != XQ_OK)
        goto out;
    memset(&o, 0, sizeof(o));
    memset(&res, 0, sizeof(res));
    o.cfg = app->cfg;
    o.db = db;
    o.req = req;
    o.job_id = NULL;
    o.dir = dir;
    o.file_name = name;
    o.rows_estimated = req->format == XQ_FMT_JSON ? 0 : rows;
    if ((st = xq_export_run(&o, &res, err)) != XQ_OK)
        goto out;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
        st = xq_err_set(err, XQ_ERR_IO, "open %s: %s", path, strerror(errno));
        goto out;
    }
    unlink(path);
    xq_add_disposition(h, xq_filename_display(req, display, sizeof(display)));
    snprintf(count, sizeof(count), "%lld", res.rows);
    xq_http_add_header(h, "X-Export-Rows", count);
    if ((st = xq_http_send_head(h, 200, xq_format_mime(req->format), (long long)sb.st_size)) ==
        XQ_OK)
        st = xq_reply_stream_fd(h, fd, (long long)sb.st_size, err);
    xq_log(XQ_LOG_INFO, "sync export %s: %lld rows, %lld bytes in %.3f s",
           xq_export_type_name(req->type), res.rows, (long long)sb.st_size, res.seconds);
out:
    if (fd >= 0)
        close(fd);
    if (have_dir) {
        if (st != XQ_OK && path[0] != '\0')
            unlink(path);
        if (rmdir(dir) != 0)
            xq_log_errno(XQ_LOG_WARN, "rmdir %s", dir);
    }
    return st;
}

xq_status xq_route_export_sync(xq_app *app, xq_http *h, xq_err *err)
{
    xq_export_request req;
    xq_queue *q;
    xq_db *db;
    long long rows = 0;
    long retry = 0;
    xq_status st;

    xq_request_init(&req);
    if ((st = take_request(h, &req, err)) != XQ_OK)
        goto out;
    if ((st = xq_app_db(app, &db, err)) != XQ_OK ||
        (st = xq_export_count(db, app->cfg, &req, &rows, err)) != XQ_OK)
        goto out;
    if (rows > app->cfg->max_rows_sync) {
        st = enqueue(app, h, &req, "export queued: more rows than a direct answer holds", err);
        goto out;
    }
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        goto out;
    st = xq_queue_charge_sync(q, h->principal.user_id, &retry, err);
    if (st == XQ_ERR_LIMIT) {
        st = xq_reply_limit(h, retry, err->msg[0] ? err->msg : NULL);
        goto out;
    }
    if (st != XQ_OK)
        goto out;
    st = run_sync(app, h, &req, rows, db, err);
    if (st != XQ_OK && !h->responded && xq_status_http(st) < 500)
        xq_http_error(h, st, xq_export_user_message(st), NULL);
out:
    xq_request_cleanup(&req);
    return h->responded && st != XQ_OK && xq_status_http(st) < 500 ? XQ_OK : st;
}

/*
 * The job named by :jobId when the caller may see it.  Not found and not
 * theirs both answer 404 (answered here; returns XQ_ERR_NOT_FOUND).
 */
static xq_status visible_job(xq_app *app, xq_http *h, xq_queue **q, xq_job **job, xq_err *err)
{
    const char *id = xq_route_param(&h->match, "jobId");
    xq_status st;

    *job = NULL;
    if ((st = xq_app_queue(app, q, err)) != XQ_OK)
        return st;
    st = xq_queue_get(*q, id != NULL ? id : "", job, err);
    if (st == XQ_OK && !xq_job_visible(&h->principal, *job)) {
        xq_job_free(*job);
        *job = NULL;
        st = XQ_ERR_NOT_FOUND;
    }
    if (st == XQ_ERR_NOT_FOUND)
        xq_http_error(h, st, "no such job", NULL);
    return st;
}

static xq_status reply_job(xq_app *app, xq_http *h, int status, const xq_job *job, xq_err *err)
{
    json_object *o = xq_job_to_api_json(job, app->cfg, xq_now_ms());
    xq_status st;

    if (o == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
    st = xq_reply_obj(h, status, o);
    json_object_put(o);
    return st;
}

xq_status xq_route_export_status(xq_app *app, xq_http *h, xq_err *err)
{
    xq_queue *q;
    xq_job *job = NULL;
    xq_status st;

    if ((st = visible_job(app, h, &q, &job, err)) == XQ_OK)
        st = reply_job(app, h, 200, job, err);
    xq_job_free(job);
    return h->responded ? XQ_OK : st;
}

/* {"message": message, "jobId": id [, "status": status]} */
static xq_status reply_message(xq_http *h, int code, const char *message, const char *id,
                               const char *status, xq_err *err)
{
    json_object *o = json_object_new_object();
    xq_status st;

    if (o == NULL || json_object_object_add(o, "message", json_object_new_string(message)) ||
        (id != NULL && json_object_object_add(o, "jobId", json_object_new_string(id))) ||
        (status != NULL && json_object_object_add(o, "status", json_object_new_string(status)))) {
        json_object_put(o);
        return xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
    }
    st = xq_reply_obj(h, code, o);
    json_object_put(o);
    return st;
}

xq_status xq_route_export_cancel(xq_app *app, xq_http *h, xq_err *err)
{
    char msg[96];
    xq_queue *q;
    xq_job *job = NULL;
    int was_active = 0;
    xq_status st;

    if ((st = visible_job(app, h, &q, &job, err)) != XQ_OK)
        goto out;
    st = xq_queue_cancel(q, job->id, &was_active, err);
    if (st == XQ_ERR_CONFLICT || st == XQ_ERR_NOT_FOUND) {
        snprintf(msg, sizeof(msg), "job is already %s",
                 st == XQ_ERR_NOT_FOUND ? "gone" : "finished");
        xq_http_error(h, st, msg, NULL);
        goto out;
    }
    if (st != XQ_OK)
        goto out;
    if (was_active)
        st = reply_message(h, 202, "cancel requested: the worker stops within 2 s", job->id,
                           "active", err);
    else
        st = reply_message(h, 200, "job cancelled", job->id, "cancelled", err);
out:
    xq_job_free(job);
    return h->responded ? XQ_OK : st;
}

xq_status xq_route_my_exports(xq_app *app, xq_http *h, xq_err *err)
{
    xq_queue *q;
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = 0;
    long limit, offset;
    xq_status st;

    if ((st = xq_reply_page(h, &limit, &offset)) != XQ_OK)
        return XQ_OK; /* 400 answered */
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        goto out;
    if ((st = xq_queue_list_owner(q, h->principal.user_id, offset, limit, &jobs, &n, &total,
                                  err)) != XQ_OK)
        goto out;
    st = xq_reply_job_list(app, h, jobs, n, total, err);
out:
    xq_job_list_free(jobs, n);
    return st;
}

xq_status xq_route_export_forget(xq_app *app, xq_http *h, xq_err *err)
{
    xq_queue *q;
    xq_job *job = NULL;
    char *file = NULL;
    xq_status st;

    if ((st = visible_job(app, h, &q, &job, err)) != XQ_OK)
        goto out;
    st = xq_queue_forget(q, job->id, &file, err);
    if (st == XQ_ERR_CONFLICT) {
        xq_http_error(h, st, "job is not finished: cancel it first", NULL);
        goto out;
    }
    if (st == XQ_ERR_NOT_FOUND) {
        xq_http_error(h, st, "no such job", NULL);
        goto out;
    }
    if (st != XQ_OK)
        goto out;
    xq_files_forget(app, file, job->owner);
    st = reply_message(h, 200, "export forgotten and its file deleted", job->id, NULL, err);
out:
    free(file);
    xq_job_free(job);
    return h->responded ? XQ_OK : st;
}
