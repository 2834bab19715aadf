/*
 * routes_queue.c - the admin's side of SPEC §5 (permission admin:queue):
 * queue stats, jobs of one state, retry, remove, pause, resume, clean and
 * the live workers.  Removing or cleaning jobs deletes their files too
 * and leaves tombstones (files.h), so their download links answer 410.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "job.h"
#include "reply.h"
#include "routes.h"

#define NOMEM(err) xq_err_set((err), XQ_ERR_NOMEM, "out of memory")

static xq_status add_i64(json_object *o, const char *k, long long v)
{
    return json_object_object_add(o, k, json_object_new_int64(v)) ? XQ_ERR_NOMEM : XQ_OK;
}

xq_status xq_route_queue_stats(xq_app *app, xq_http *h, xq_err *err)
{
    xq_queue_stats s;
    xq_queue *q;
    json_object *o = NULL;
    xq_status st;

    if ((st = xq_app_queue(app, &q, err)) != XQ_OK ||
        (st = xq_queue_stats_get(q, &s, err)) != XQ_OK)
        goto out;
    if ((o = json_object_new_object()) == NULL || add_i64(o, "waiting", s.waiting) ||
        add_i64(o, "active", s.active) || add_i64(o, "delayed", s.delayed) ||
        add_i64(o, "completed", s.completed) || add_i64(o, "failed", s.failed) ||
        add_i64(o, "cancelled", s.cancelled) ||
        json_object_object_add(o, "paused", json_object_new_boolean(s.paused)) ||
        add_i64(o, "workers", s.workers)) {
        st = NOMEM(err);
        goto out;
    }
    st = xq_reply_obj(h, 200, o);
out:
    json_object_put(o);
    return st;
}

xq_status xq_route_queue_jobs(xq_app *app, xq_http *h, xq_err *err)
{
    char state[32];
    xq_queue *q;
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = 0;
    long limit, offset;
    int found = 0, s;
    xq_status st;

    if (xq_http_query(h, "state", state, sizeof(state), &found) != XQ_OK ||
        (found && (s = xq_job_state_parse(state)) < 0)) {
        xq_reply_invalid_field(h, "state", "must be one of waiting, active, delayed, completed, "
                                           "failed, cancelled");
        return XQ_OK;
    }
    if (!found)
        s = XQ_JOB_WAITING;
    if (xq_reply_page(h, &limit, &offset) != XQ_OK)
        return XQ_OK; /* 400 answered */
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK ||
        (st = xq_queue_list_state(q, (xq_job_state)s, offset, limit, &jobs, &n, &total, err)) !=
            XQ_OK)
        goto out;
    st = xq_reply_job_list(app, h, jobs, n, total, err);
out:
    xq_job_list_free(jobs, n);
    return st;
}

static xq_status reply_done(xq_http *h, const char *message, const char *id, xq_err *err)
{
    json_object *o = json_object_new_object();
    xq_status st;

    if (o == NULL || json_object_object_add(o, "message", json_object_new_string(message)) ||
        json_object_object_add(o, "jobId", json_object_new_string(id))) {
        json_object_put(o);
        return NOMEM(err);
    }
    st = xq_reply_obj(h, 200, o);
    json_object_put(o);
    return st;
}

/* 404 / 409 answered with a message; other failures returned. */
static xq_status answer_refusal(xq_http *h, xq_status st, const char *conflict_msg)
{
    if (st == XQ_ERR_NOT_FOUND) {
        xq_http_error(h, st, "no such job", NULL);
        return XQ_OK;
    }
    if (st == XQ_ERR_CONFLICT) {
        xq_http_error(h, st, conflict_msg, NULL);
        return XQ_OK;
    }
    return st;
}

xq_status xq_route_queue_retry(xq_app *app, xq_http *h, xq_err *err)
{
    const char *id = xq_route_param(&h->match, "jobId");
    xq_queue *q;
    xq_status st;

    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        return st;
    st = xq_queue_retry(q, id, err);
    if (st != XQ_OK)
        return answer_refusal(h, st, "only a failed job can be retried");
    return reply_done(h, "job queued again", id, err);
}

xq_status xq_route_queue_remove(xq_app *app, xq_http *h, xq_err *err)
{
    const char *id = xq_route_param(&h->match, "jobId");
    xq_queue *q;
    xq_job *job = NULL;
    char *file = NULL;
    xq_status st;

    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        goto out;
    /* The owner, for the tombstone: who may learn later that the file went. */
    if ((st = xq_queue_get(q, id, &job, err)) != XQ_OK ||
        (st = xq_queue_remove(q, id, &file, err)) != XQ_OK) {
        st = answer_refusal(h, st, "job cannot be removed now");
        goto out;
    }
    xq_files_forget(app, file, job->owner);
    st = reply_done(h, "job removed", id, err);
out:
    free(file);
    xq_job_free(job);
    return st;
}

static xq_status set_paused(xq_app *app, xq_http *h, int paused, xq_err *err)
{
    json_object *o = NULL;
    xq_queue *q;
    xq_status st;

    if ((st = xq_app_queue(app, &q, err)) != XQ_OK ||
        (st = xq_queue_set_paused(q, paused, err)) != XQ_OK)
        goto out;
    if ((o = json_object_new_object()) == NULL ||
        json_object_object_add(o, "message", json_object_new_string(
                                                 paused ? "dispatch paused: active jobs finish"
                                                        : "dispatch resumed")) ||
        json_object_object_add(o, "paused", json_object_new_boolean(paused))) {
        st = NOMEM(err);
        goto out;
    }
    st = xq_reply_obj(h, 200, o);
out:
    json_object_put(o);
    return st;
}

xq_status xq_route_queue_pause(xq_app *app, xq_http *h, xq_err *err)
{
    return set_paused(app, h, 1, err);
}

xq_status xq_route_queue_resume(xq_app *app, xq_http *h, xq_err *err)
{
    return set_paused(app, h, 0, err);
}

/*
 * Body {"state": "...", "olderThanHours": n}: both required, nothing else;
 * state a finished state, waiting or delayed (not active); n a number
 * >= 0 (fractions allowed).  On a problem the 400 is answered.
 */
static xq_status parse_clean(xq_http *h, xq_job_state *state, double *hours)
{
    xq_field_errors fe;
    json_object *o = NULL, *v;
    json_tokener *tok = json_tokener_new();
    xq_status st = XQ_OK;
    int have_state = 0, have_hours = 0, s;
    size_t end;

    memset(&fe, 0, sizeof(fe));
#define FIELD_ERR(f, m)                                                                        \
    do {                                                                                       \
        if (fe.count < XQ_FIELD_ERRORS_MAX) {                                                  \
            snprintf(fe.e[fe.count].field, sizeof(fe.e[0].field), "%s", (f));                  \
            snprintf(fe.e[fe.count].message, sizeof(fe.e[0].message), "%s", (m));              \
            fe.count++;                                                                        \
        }                                                                                      \
    } while (0)
    if (tok != NULL)
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT); /* no NaN, no 'quotes' */
    if (tok != NULL && h->body.len > 0)
        o = json_tokener_parse_ex(tok, h->body.data, (int)h->body.len);
    end = (tok != NULL && o != NULL) ? json_tokener_get_parse_end(tok) : 0;
    while (o != NULL && end < h->body.len &&
           (h->body.data[end] == ' ' || h->body.data[end] == '\t' ||
            h->body.data[end] == '\r' || h->body.data[end] == '\n'))
        end++; /* strict mode stops before trailing blanks */
    if (tok == NULL || o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        end != h->body.len || !json_object_is_type(o, json_type_object)) {
        FIELD_ERR("body", "must be one JSON object");
        goto out;
    }
    json_object_object_foreach(o, key, val) {
        if (strcmp(key, "state") == 0) {
            have_state = 1;
            if (!json_object_is_type(val, json_type_string) ||
                (s = xq_job_state_parse(json_object_get_string(val))) < 0 ||
                s == XQ_JOB_ACTIVE)
                FIELD_ERR("state", "must be one of waiting, delayed, completed, failed, "
                                   "cancelled");
            else
                *state = (xq_job_state)s;
        } else if (strcmp(key, "olderThanHours") == 0) {
            have_hours = 1;
            v = val;
            if ((!json_object_is_type(v, json_type_int) &&
                 !json_object_is_type(v, json_type_double)) ||
                !(json_object_get_double(v) >= 0 && json_object_get_double(v) <= 1e6))
                FIELD_ERR("olderThanHours", "must be a number from 0 to 1000000");
            else
                *hours = json_object_get_double(v);
        } else {
            char f[32];

            snprintf(f, sizeof(f), "%s", key);
            FIELD_ERR(f, "unknown field");
        }
    }
    if (!have_state)
        FIELD_ERR("state", "is required");
    if (!have_hours)
        FIELD_ERR("olderThanHours", "is required");
#undef FIELD_ERR
out:
    if (fe.count > 0) {
        xq_reply_invalid(h, "invalid clean request", &fe);
        st = XQ_ERR_INVALID;
    }
    json_object_put(o);
    if (tok != NULL)
        json_tokener_free(tok);
    return st;
}

xq_status xq_route_queue_clean(xq_app *app, xq_http *h, xq_err *err)
{
    xq_job_state state = XQ_JOB_COMPLETED;
    double hours = 0;
    xq_queue *q;
    char **files = NULL;
    size_t nfiles = 0, i;
    long long removed = 0;
    json_object *o = NULL;
    xq_status st;

    if (parse_clean(h, &state, &hours) != XQ_OK)
        return XQ_OK; /* 400 answered */
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK ||
        (st = xq_queue_clean(q, state, (long long)(hours * 3600000.0), &removed, &files,
                             &nfiles, err)) != XQ_OK)
        goto out;
    for (i = 0; i < nfiles; i++)
        xq_files_forget(app, files[i], NULL);
    if ((o = json_object_new_object()) == NULL || add_i64(o, "removed", removed)) {
        st = NOMEM(err);
        goto out;
    }
    st = xq_reply_obj(h, 200, o);
out:
    for (i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    json_object_put(o);
    return st;
}

static json_object *worker_json(const xq_worker_info *w)
{
    json_object *o = json_object_new_object();
    char since[32], beat[32];

    if (o == NULL)
        return NULL;
    xq_time_iso_ms(w->since_ms, since);
    xq_time_iso_ms(w->heartbeat_ms, beat);
    if (json_object_object_add(o, "id", json_object_new_string(w->id ? w->id : "")) ||
        json_object_object_add(o, "host", json_object_new_string(w->host ? w->host : "")) ||
        json_object_object_add(o, "pid", json_object_new_int64(w->pid)) ||
        json_object_object_add(o, "jobId", w->job_id && w->job_id[0]
                                               ? json_object_new_string(w->job_id)
                                               : NULL) ||
        json_object_object_add(o, "since", json_object_new_string(since)) ||
        json_object_object_add(o, "lastHeartbeat", json_object_new_string(beat))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

xq_status xq_route_queue_workers(xq_app *app, xq_http *h, xq_err *err)
{
    xq_worker_info *w = NULL;
    size_t n = 0, i;
    xq_queue *q;
    json_object *o = NULL, *a = NULL, *j;
    xq_status st;

    if ((st = xq_app_queue(app, &q, err)) != XQ_OK || (st = xq_queue_workers(q, &w, &n, err)) !=
                                                          XQ_OK)
        goto out;
    if ((o = json_object_new_object()) == NULL || (a = json_object_new_array()) == NULL) {
        st = NOMEM(err);
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((j = worker_json(&w[i])) == NULL || json_object_array_add(a, j) != 0) {
            json_object_put(j);
            st = NOMEM(err);
            goto out;
        }
    }
    if (json_object_object_add(o, "workers", a) != 0) {
        st = NOMEM(err);
        goto out;
    }
    a = NULL;
    st = xq_reply_obj(h, 200, o);
out:
    json_object_put(a);
    json_object_put(o);
    xq_worker_info_free(w, n);
    return st;
}
