/*
 * reaper.c - the reaper process: every EXPORT_REAPER_INTERVAL_MS it moves
 * due delayed jobs back to waiting and recovers jobs whose worker stopped
 * renewing its lease (a SIGKILLed worker, a lost host).
 *
 * Both steps are single Lua scripts, atomic in Redis, so several workerd on
 * several hosts may reap at once without a lock: a job is moved only by the
 * first script that finds it due.
 */
#include <stdio.h>

#include "log.h"
#include "queue.h"
#include "workerd.h"

int xq_reaper_main(const xq_config *cfg)
{
    xq_queue *q = NULL;
    int down = 0;
    xq_err err;

    xq_err_clear(&err);
    if (xq_queue_new(cfg, &q, &err) != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "reaper cannot start: %s", err.msg);
        return 1;
    }
    xq_log(XQ_LOG_INFO, "reaper ready (every %ld ms)", cfg->reaper_interval_ms);
    while (!xq_wd_should_stop()) {
        long long promoted = 0, recovered = 0;
        xq_status st;

        xq_err_clear(&err);
        st = xq_queue_promote_delayed(q, &promoted, &err);
        if (st == XQ_OK)
            st = xq_queue_recover_leases(q, &recovered, &err);
        if (st != XQ_OK) {
            if (!down)
                xq_log(XQ_LOG_WARN, "reaper pass failed (will retry): %s", err.msg);
            down = 1;
        } else {
            if (down)
                xq_log(XQ_LOG_INFO, "reaper works again");
            down = 0;
            if (promoted > 0)
                xq_log(XQ_LOG_INFO, "%lld delayed job(s) due: back to waiting", promoted);
            if (recovered > 0)
                xq_log(XQ_LOG_WARN, "%lld job(s) with an expired lease recovered", recovered);
        }
        xq_wd_sleep_ms(cfg->reaper_interval_ms);
    }
    xq_queue_free(q);
    return 0;
}
