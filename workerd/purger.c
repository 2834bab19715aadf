/*
 * purger.c - the purger process: at start and every EXPORT_PURGE_INTERVAL_S
 * it deletes expired files (marking their jobs expired), leftover temporary
 * files older than an hour (and the private directories of sync exports whose
 * responder died), and the jobs (and files) retention drops.
 *
 * Several workerd on several hosts may share one Redis and one EXPORT_DIR:
 * a pass runs only under the cross-host lock "purge" (SET NX PX, held for
 * most of an interval), and every step tolerates another host having done
 * it already (the Lua scripts hand out each file name once; unlink treats
 * ENOENT as done).  A temporary ".<name>.part" file is only taken for
 * leftover when untouched for an hour: a running export writes to its own
 * temporary all the time, whatever host it runs on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "filename.h"
#include "log.h"
#include "queue.h"
#include "workerd.h"

#define STALE_TMP_S 3600

/* Unlink every listed file that is a name we generate; frees the list. */
static long long unlink_names(const xq_config *cfg, char **names, size_t n)
{
    long long done = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        char path[4096];

        if (names[i] != NULL && xq_filename_valid(names[i])) {
            snprintf(path, sizeof(path), "%s/%s", cfg->export_dir, names[i]);
            if (unlink(path) == 0)
                done++;
            else if (errno != ENOENT)
                xq_log_errno(XQ_LOG_WARN, "purge: unlink %s", names[i]);
        }
        free(names[i]);
    }
    free(names);
    return done;
}

/* ".<valid name>.part" */
static int is_temp_name(const char *name)
{
    char inner[XQ_FILENAME_MAX + 1];
    size_t n = strlen(name);

    if (n < 7 || name[0] != '.' || strcmp(name + n - 5, ".part") != 0 ||
        n - 6 >= sizeof(inner))
        return 0;
    memcpy(inner, name + 1, n - 6);
    inner[n - 6] = '\0';
    return xq_filename_valid(inner);
}

/* ".sync-XXXXXX": the private directory of a sync export (routes_export.c) */
static int is_sync_dir_name(const char *name)
{
    return strncmp(name, ".sync-", 6) == 0 && strlen(name) == 12 && strchr(name + 6, '/') == NULL;
}

/*
 * A sync export's directory left behind by a responder that died mid-export
 * (the responder removes it itself otherwise): emptied of the names an
 * export writes and removed once nothing in it was touched for an hour.
 */
static long long purge_sync_dir(int dirfd_, const char *name, time_t now)
{
    struct stat sb;
    struct dirent *e;
    DIR *d;
    long long done = 0;
    int fd, busy = 0;

    if (fstatat(dirfd_, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode) ||
        now - sb.st_mtime < STALE_TMP_S)
        return 0;
    if ((fd = openat(dirfd_, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return 0;
    if ((d = fdopendir(fd)) == NULL) {
        close(fd);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        if (!is_temp_name(e->d_name) && !xq_filename_valid(e->d_name))
            continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (now - sb.st_mtime < STALE_TMP_S)
            busy = 1;
        else if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            done++;
    }
    closedir(d);
    if (!busy && unlinkat(dirfd_, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        xq_log_errno(XQ_LOG_WARN, "purge: rmdir %s", name);
    return done;
}

static long long purge_stale_temps(const xq_config *cfg, time_t now)
{
    DIR *d = opendir(cfg->export_dir);
    struct dirent *e;
    long long done = 0;

    if (d == NULL) {
        xq_log_errno(XQ_LOG_WARN, "purge: cannot open EXPORT_DIR");
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat sb;

        if (is_sync_dir_name(e->d_name)) {
            done += purge_sync_dir(dirfd(d), e->d_name, now);
            continue;
        }
        if (!is_temp_name(e->d_name))
            continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (now - sb.st_mtime < STALE_TMP_S)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            done++;
        else if (errno != ENOENT)
            xq_log_errno(XQ_LOG_WARN, "purge: unlink %s", e->d_name);
    }
    closedir(d);
    return done;
}

static xq_status purge_once(const xq_config *cfg, xq_queue *q, xq_purge_stats *ps, xq_err *err)
{
    long long now = xq_wd_now_ms();
    char **names = NULL;
    size_t n = 0;
    xq_status st;

    memset(ps, 0, sizeof(*ps));
    if ((st = xq_queue_expire_files(q, now, &names, &n, err)) != XQ_OK)
        return st;
    ps->expired = (long long)n;
    ps->unlinked += unlink_names(cfg, names, n);
    names = NULL;
    n = 0;
    if ((st = xq_queue_trim(q, now, &ps->trimmed, &names, &n, err)) != XQ_OK)
        return st;
    ps->unlinked += unlink_names(cfg, names, n);
    ps->stale_tmp = purge_stale_temps(cfg, (time_t)(now / 1000));
    ps->unlinked += ps->stale_tmp;
    return XQ_OK;
}

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
        } else if (purge_once(cfg, q, &ps, &err) != XQ_OK) {
            xq_log(XQ_LOG_WARN, "purge pass failed: %s", err.msg);
        } else if (ps.expired || ps.trimmed || ps.unlinked) {
            xq_log(XQ_LOG_INFO,
                   "purge: %lld file(s) expired, %lld job(s) trimmed, %lld stale "
                   "temporary file(s), %lld file(s) deleted",
                   ps.expired, ps.trimmed, ps.stale_tmp, ps.unlinked);
        }
        xq_wd_sleep_ms((long)(next - xq_wd_mono_ms()));
    }
    xq_queue_free(q);
    return 0;
}
