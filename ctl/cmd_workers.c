/*
 * cmd_workers.c - `exportqctl workers`: the live workers of every
 * exportq-workerd on every host that shares the queue (the registry each
 * worker refreshes with its heartbeat; an entry expires by itself when a
 * worker dies), with the job each one runs.
 */
#include <stdio.h>

#include "cmd_ops.h"
#include "ctlout.h"
#include "queue.h"

static int workers_run(xq_ctl_ctx *ctx)
{
    static const char *const headers[] = {"WORKER", "HOST", "PID", "JOB", "SINCE", "HEARTBEAT"};
    xq_worker_info *w = NULL;
    size_t n = 0, i;
    int rc = 0;
    xq_err err;

    xq_err_clear(&err);
    if (xq_queue_workers(ctx->q, &w, &n, &err) != XQ_OK) {
        rc = xq_ctl_fail(ctx->name, &err);
        goto out;
    }
    if (ctx->json) {
        json_object *root = json_object_new_object(), *arr = json_object_new_array();
        char t[32];

        for (i = 0; i < n; i++) {
            json_object *e = json_object_new_object();

            json_object_object_add(e, "id", json_object_new_string(w[i].id ? w[i].id : ""));
            json_object_object_add(e, "host", json_object_new_string(w[i].host ? w[i].host : ""));
            json_object_object_add(e, "pid", json_object_new_int64(w[i].pid));
            json_object_object_add(e, "jobId", w[i].job_id && w[i].job_id[0]
                                                   ? json_object_new_string(w[i].job_id)
                                                   : NULL);
            xq_ctl_fmt_iso(w[i].since_ms, t, sizeof(t));
            json_object_object_add(e, "since", json_object_new_string(t));
            xq_ctl_fmt_iso(w[i].heartbeat_ms, t, sizeof(t));
            json_object_object_add(e, "lastHeartbeat", json_object_new_string(t));
            json_object_array_add(arr, e);
        }
        json_object_object_add(root, "workers", arr);
        json_object_object_add(root, "total", json_object_new_int64((int64_t)n));
        xq_ctl_json_print(stdout, root);
        json_object_put(root);
    } else {
        xq_ctl_table *t = xq_ctl_table_new(6, headers);

        if (t == NULL) {
            rc = XQ_CTL_EXIT_FAIL;
            goto out;
        }
        for (i = 0; i < n; i++) {
            char pid[24], since[32], hb[32];
            const char *cells[6];

            snprintf(pid, sizeof(pid), "%ld", w[i].pid);
            xq_ctl_fmt_time(w[i].since_ms, since, sizeof(since));
            xq_ctl_fmt_time(w[i].heartbeat_ms, hb, sizeof(hb));
            cells[0] = w[i].id;
            cells[1] = w[i].host;
            cells[2] = pid;
            cells[3] = w[i].job_id && w[i].job_id[0] ? w[i].job_id : "(idle)";
            cells[4] = since;
            cells[5] = hb;
            if (xq_ctl_table_row(t, cells) != XQ_OK) {
                rc = XQ_CTL_EXIT_FAIL;
                break;
            }
        }
        if (rc == 0) {
            xq_ctl_table_print(t, stdout);
            printf("(%zu live worker%s)\n", n, n == 1 ? "" : "s");
        }
        xq_ctl_table_free(t);
    }
out:
    xq_worker_info_free(w, n);
    return rc;
}

const xq_ctl_cmd xq_ctl_cmd_workers = {
    .name = "workers",
    .summary = "live workers on every host",
    .usage = "workers [--json] [--config FILE]",
    .args = XQ_CTL_ARGS_NONE,
    .need = XQ_CTL_NEED_QUEUE,
    .run = workers_run,
};
