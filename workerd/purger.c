/*
 * purger.c - the purger process: at start and every EXPORT_PURGE_INTERVAL_S
 * it deletes expired files (marking their jobs expired), leftover temporary
 * files older than an hour (and the private directories of sync exports whose
 * responder died), and the jobs (and files) retention drops.  The
 * pass itself is src/purge.c (xq_purge_run), shared with `exportqctl purge`;
 * this file is the loop and the lock around it.
 *
 * Several workerd on several hosts may share one Redis and one EXPORT_DIR:
 * a pass runs only under the cross-host lock "purge" (SET NX PX, held for
 * most of an interval), and every step tolerates another host having done
 * it already (the Lua scripts hand out each file name once; unlink treats
 * ENOENT as done).  A temporary ".<name>.part" file is only taken for
 * leftover when untouched for an hour (XQ_PURGE_PART_STALE_S): a running
 * export writes to its own temporary all the time, whatever host it runs on.
 */
#include <string.h>

#include "log.h"
#include "purge.h"
#include "queue.h"
#include "workerd.h"

int xq_purger_main(const xq_config *cfg)
{
    xq_queue *q = NULL;
    char id[XQ_WORKER_ID_MAX];
    long long interval_ms = cfg->purge_interval_s * 1000LL;
    /* held for most of an interval: one pass per interval across hosts,
     * yet a host that died mid-pass does not block the next one */
    long ttl_ms = (long)(interval_ms * 9 / 10 > 500 ? interval_ms * 9 / 10 : 500);
    xq_err err;

    xq_err_clear(&err);
    xq_wd_worker_id(id, sizeof(id), NULL, 0);
    if (xq_queue_new(cfg, &q, &err) != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "purger cannot start: %s", err.msg);
        return 1;
    }
    xq_log(XQ_LOG_INFO, "purger ready (every %ld s)", cfg->purge_interval_s);
    while (!xq_wd_should_stop()) {
        xq_purge_stats ps;
        int got = 0;
        long long next = xq_wd_mono_ms() + interval_ms;

        xq_err_clear(&err);
        if (xq_queue_try_lock(q, "purge", id, ttl_ms, &got, &err) != XQ_OK) {
            xq_log(XQ_LOG_WARN, "purge skipped: %s", err.msg);
            /* Redis away: try again soon rather than a whole interval later */
            next = xq_wd_mono_ms() + (interval_ms < 10000 ? interval_ms : 10000);
        } else if (!got) {
            xq_log(XQ_LOG_DEBUG, "purge: another process holds the lock");
        } else if (xq_purge_run(q, cfg, xq_wd_now_ms(), &ps, &err) != XQ_OK) {
            xq_log(XQ_LOG_WARN, "purge pass failed: %s", err.msg);
        } else if (ps.files_expired || ps.jobs_trimmed || ps.files_deleted ||
                   ps.orphans_deleted || ps.errors) {
            xq_log(ps.errors ? XQ_LOG_WARN : XQ_LOG_INFO,
                   "purge: %lld file(s) expired, %lld job(s) trimmed, %lld file(s) deleted, "
                   "%lld stale file(s) deleted, %lld file(s) not deletable",
                   ps.files_expired, ps.jobs_trimmed, ps.files_deleted, ps.orphans_deleted,
                   ps.errors);
        }
        xq_wd_sleep_ms((long)(next - xq_wd_mono_ms()));
    }
    xq_queue_free(q);
    return 0;
}
