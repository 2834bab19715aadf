/*
 * reaper.c - the reaper process: every EXPORT_REAPER_INTERVAL_MS it moves
 * due delayed jobs back to waiting and recovers jobs whose worker stopped
 * renewing its lease (a SIGKILLed worker, a lost host).
 *
 * Both steps are single Lua scripts, atomic in Redis, so several workerd on
 * several hosts may reap at once without a lock: a job is moved only by the
 * first script that finds it due.
 *
 * Then it removes the temporary files no worker will ever finish: a worker
 * SIGKILLed mid-export leaves its ".<name>.part"; when its job is then
 * re-run, the next attempt rewrites it, but when the job ends without
 * another attempt (cancelled while its worker was dead, attempts used up,
 * removed by an admin) nothing else would delete it before the purger's
 * one-hour sweep.  Only files of jobs the queue holds as finished are
 * taken: a waiting job may be claimed, and its new attempt reopen the file,
 * at any moment; a file of a job the queue does not know is left to the
 * purger's age rule.  Found by the fault-injection soak (tests/soak/).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filename.h"
#include "log.h"
#include "queue.h"
#include "workerd.h"

/*
 * The job id of ".<exportType>-<uuid>.<ext>.part" into id, or 0 when name
 * is not such a temporary.
 */
static int temp_job_id(const char *name, char id[XQ_UUID_LEN + 1])
{
    char inner[XQ_FILENAME_MAX + 1];
    const char *dot;
    size_t n = strlen(name);

    if (n < 7 || name[0] != '.' || strcmp(name + n - 5, ".part") != 0 ||
        n - 6 >= sizeof(inner))
        return 0;
    memcpy(inner, name + 1, n - 6);
    inner[n - 6] = '\0';
    if (!xq_filename_valid(inner) || (dot = strrchr(inner, '.')) == NULL ||
        dot - inner < XQ_UUID_LEN)
        return 0;
    memcpy(id, dot - XQ_UUID_LEN, XQ_UUID_LEN);
    id[XQ_UUID_LEN] = '\0';
    return 1;
}

/* Unlink the temporaries of finished jobs; returns how many. */
static long long sweep_orphan_temps(const xq_config *cfg, xq_queue *q)
{
    DIR *d = opendir(cfg->export_dir);
    struct dirent *e;
    long long done = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char id[XQ_UUID_LEN + 1];
        xq_job *job = NULL;
        xq_err err;
        xq_status st;
        struct stat sb;
        int orphan;

        if (!temp_job_id(e->d_name, id))
            continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        xq_err_clear(&err);
        st = xq_queue_get(q, id, &job, &err);
        orphan = st == XQ_OK && xq_job_state_finished(job->state);
        xq_job_free(job);
        if (!orphan)
            continue;  /* running, waiting, delayed, unknown, or Redis unreachable */
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            done++;
            xq_log_kv(XQ_LOG_INFO, "removed the temporary file of a finished job", "jobId", id,
                      NULL);
        } else if (errno != ENOENT) {
            xq_log_errno(XQ_LOG_WARN, "reaper: unlink %s", e->d_name);
        }
    }
    closedir(d);
    return done;
}

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
            sweep_orphan_temps(cfg, q);
        }
        xq_wd_sleep_ms(cfg->reaper_interval_ms);
    }
    xq_queue_free(q);
    return 0;
}
