/*
 * cmd_purge.c - `exportqctl purge`: run one purge pass now, with the same
 * code exportq-workerd's purger runs on its interval (src/purge.h).  It does
 * not take the purger's cross-host lock: a pass is idempotent, and an
 * operator asking for one now should not wait for the interval lock.
 */
#include <stdio.h>

#include "cmd_ops.h"
#include "ctlout.h"
#include "purge.h"
#include "queue.h"

static int purge_run(xq_ctl_ctx *ctx)
{
    xq_purge_stats st;
    xq_err err;
    int rc = 0;

    xq_err_clear(&err);
    if (xq_purge_run(ctx->q, &ctx->cfg, xq_ctl_now_ms(), &st, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    if (ctx->json) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "filesExpired", json_object_new_int64(st.files_expired));
        json_object_object_add(o, "jobsTrimmed", json_object_new_int64(st.jobs_trimmed));
        json_object_object_add(o, "filesDeleted", json_object_new_int64(st.files_deleted));
        json_object_object_add(o, "orphansDeleted", json_object_new_int64(st.orphans_deleted));
        json_object_object_add(o, "errors", json_object_new_int64(st.errors));
        xq_ctl_json_print(stdout, o);
        json_object_put(o);
    } else {
        printf("files expired    %lld\njobs trimmed     %lld\nfiles deleted    %lld\n"
               "orphans deleted  %lld\nerrors           %lld\n",
               st.files_expired, st.jobs_trimmed, st.files_deleted, st.orphans_deleted,
               st.errors);
    }
    /* Files that could not be deleted are an operational failure to look at. */
    if (st.errors > 0) {
        fprintf(stderr, "exportqctl: purge: %lld file(s) could not be deleted; see the log "
                        "lines above\n", st.errors);
        rc = XQ_CTL_EXIT_FAIL;
    }
    return rc;
}

const xq_ctl_cmd xq_ctl_cmd_purge = {
    .name = "purge",
    .summary = "run one purge pass now",
    .usage = "purge [--json] [--config FILE]",
    .args = XQ_CTL_ARGS_NONE,
    .need = XQ_CTL_NEED_QUEUE,
    .run = purge_run,
};
