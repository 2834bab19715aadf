/*
 * xq_qtool.c - a small test tool over the queue API, so integration tests
 * can queue jobs and read their state before the HTTP routes exist, and
 * without going through them (the worker is what they test).
 *
 *   xq-qtool add OWNER EMAIL REQUEST-JSON   -> prints the job id
 *   xq-qtool get JOB-ID                     -> the API job object plus
 *                                              "_workerId" and "_leaseUntil"
 *   xq-qtool cancel JOB-ID                  -> {"wasActive": 0|1}
 *   xq-qtool workers                        -> [{id, host, pid, jobId, ...}]
 *   xq-qtool stats                          -> the queue counts
 *   xq-qtool metrics                        -> the Prometheus text
 *
 * Configuration as the programs read it (EXPORTQ_CONFIG + environment).
 * Exit 0 on success, 1 on an error (one line on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "queue.h"
#include "request.h"

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_add(xq_queue *q, const char *owner, const char *email, const char *body,
                   xq_err *err)
{
    xq_export_request req;
    xq_buf stored;
    xq_job_spec spec;
    char id[XQ_JOB_ID_LEN + 1];
    long long pos = 0;
    long retry = 0;
    int rc = 1;

    xq_request_init(&req);
    xq_buf_init(&stored, 64 * 1024);
    if (xq_request_parse(body, strlen(body), &req, NULL, err) != XQ_OK)
        goto out;
    if (xq_request_to_json(&req, &stored) != XQ_OK) {
        xq_err_set(err, XQ_ERR_NOMEM, "request too large");
        goto out;
    }
    spec.owner = owner;
    spec.owner_email = email;
    spec.request_json = xq_buf_str(&stored);
    spec.export_type = xq_export_type_name(req.type);
    spec.format = xq_format_name(req.format);
    spec.priority = req.priority;
    if (xq_queue_add(q, &spec, id, &pos, &retry, err) != XQ_OK)
        goto out;
    printf("%s\n", id);
    rc = 0;
out:
    xq_buf_cleanup(&stored);
    xq_request_cleanup(&req);
    return rc;
}

static int cmd_get(xq_queue *q, const xq_config *cfg, const char *id, xq_err *err)
{
    xq_job *job = NULL;
    json_object *o;

    if (xq_queue_get(q, id, &job, err) != XQ_OK)
        return 1;
    o = xq_job_to_api_json(job, cfg, now_ms());
    if (o == NULL) {
        xq_job_free(job);
        xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
        return 1;
    }
    json_object_object_add(o, "_workerId",
                           job->worker_id ? json_object_new_string(job->worker_id) : NULL);
    json_object_object_add(o, "_leaseUntil", json_object_new_int64(job->lease_until_ms));
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    xq_job_free(job);
    return 0;
}

static int cmd_workers(xq_queue *q, xq_err *err)
{
    xq_worker_info *w = NULL;
    size_t n = 0, i;
    json_object *a;

    if (xq_queue_workers(q, &w, &n, err) != XQ_OK)
        return 1;
    a = json_object_new_array();
    for (i = 0; i < n; i++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_object_new_string(w[i].id ? w[i].id : ""));
        json_object_object_add(o, "host", json_object_new_string(w[i].host ? w[i].host : ""));
        json_object_object_add(o, "pid", json_object_new_int64(w[i].pid));
        json_object_object_add(o, "jobId",
                               json_object_new_string(w[i].job_id ? w[i].job_id : ""));
        json_object_object_add(o, "since", json_object_new_int64(w[i].since_ms));
        json_object_object_add(o, "heartbeat", json_object_new_int64(w[i].heartbeat_ms));
        json_object_array_add(a, o);
    }
    printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
    json_object_put(a);
    xq_worker_info_free(w, n);
    return 0;
}

int main(int argc, char **argv)
{
    xq_config cfg;
    xq_queue *q = NULL;
    xq_err err;
    int rc = 1, was_active = 0;

    xq_err_clear(&err);
    if (argc < 2) {
        fprintf(stderr, "usage: xq-qtool add|get|cancel|workers|stats|metrics ...\n");
        return 2;
    }
    memset(&cfg, 0, sizeof(cfg)); /* xq_config_load() initialises it */
    if (xq_config_load(&cfg, NULL, &err) != XQ_OK ||
        xq_queue_new(&cfg, &q, &err) != XQ_OK)
        goto out;
    if (strcmp(argv[1], "add") == 0 && argc == 5) {
        rc = cmd_add(q, argv[2], argv[3], argv[4], &err);
    } else if (strcmp(argv[1], "get") == 0 && argc == 3) {
        rc = cmd_get(q, &cfg, argv[2], &err);
    } else if (strcmp(argv[1], "cancel") == 0 && argc == 3) {
        if (xq_queue_cancel(q, argv[2], &was_active, &err) == XQ_OK) {
            printf("{\"wasActive\": %d}\n", was_active);
            rc = 0;
        }
    } else if (strcmp(argv[1], "workers") == 0 && argc == 2) {
        rc = cmd_workers(q, &err);
    } else if (strcmp(argv[1], "stats") == 0 && argc == 2) {
        xq_queue_stats s;

        if (xq_queue_stats_get(q, &s, &err) == XQ_OK) {
            printf("{\"waiting\":%lld,\"active\":%lld,\"delayed\":%lld,\"completed\":%lld,"
                   "\"failed\":%lld,\"cancelled\":%lld,\"workers\":%lld}\n",
                   s.waiting, s.active, s.delayed, s.completed, s.failed, s.cancelled,
                   s.workers);
            rc = 0;
        }
    } else if (strcmp(argv[1], "metrics") == 0 && argc == 2) {
        xq_buf text;

        xq_buf_init(&text, 1 << 20);
        if (xq_queue_metrics_text(q, &text, &err) == XQ_OK) {
            fputs(xq_buf_str(&text), stdout);
            rc = 0;
        }
        xq_buf_cleanup(&text);
    } else {
        fprintf(stderr, "xq-qtool: bad command or arguments\n");
        rc = 2;
    }
out:
    if (rc == 1)
        fprintf(stderr, "xq-qtool: %s\n", err.msg[0] ? err.msg : xq_strerror(err.code));
    xq_queue_free(q);
    xq_config_cleanup(&cfg);
    return rc;
}
