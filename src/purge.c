/*
 * purge.c - expiry, retention and the EXPORT_DIR sweep (see purge.h).
 *
 * Order of a pass: mark expired files in the queue first and delete them,
 * then trim old jobs and delete their files, then sweep the directory.  A
 * crash between the queue call and the unlink leaves a file that the sweep
 * removes once it is past every possible expiry, so no step needs to be
 * atomic with the next.  Everything is unlinked relative to one directory
 * descriptor (unlinkat), never through a path built from a name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filename.h"
#include "log.h"
#include "purge.h"

int xq_purge_name_ok(const char *name)
{
    return name != NULL && xq_filename_valid(name);
}

int xq_purge_part_name_ok(const char *name)
{
    char inner[XQ_FILENAME_MAX + 1];
    size_t n;

    if (name == NULL || name[0] != '.')
        return 0;
    n = strnlen(name, XQ_FILENAME_MAX + 8);
    if (n < 7 || strcmp(name + n - 5, ".part") != 0 || n - 6 >= sizeof(inner))
        return 0;
    memcpy(inner, name + 1, n - 6);
    inner[n - 6] = '\0';
    return xq_filename_valid(inner);
}

static int open_dir(const xq_config *cfg, xq_err *err)
{
    int fd = open(cfg->export_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        xq_err_set(err, XQ_ERR_IO, "EXPORT_DIR %.200s: cannot open: %s", cfg->export_dir,
                   strerror(errno));
    return fd;
}

/* Unlink one name under dfd: 1 unlinked, 0 already gone, -1 failed. */
static int unlink_one(int dfd, const char *name)
{
    if (unlinkat(dfd, name, 0) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    return -1;
}

xq_status xq_purge_delete_files(const xq_config *cfg, const char *const *names, size_t n,
                                long long *deleted, long long *failed, xq_err *err)
{
    int dfd = -1, r;
    size_t i;
    long long done = 0, bad = 0;
    xq_status st = XQ_OK;

    if (n == 0)
        goto out;
    dfd = open_dir(cfg, err);
    if (dfd < 0) {
        st = XQ_ERR_IO;
        for (i = 0; i < n; i++)
            if (names[i] != NULL && names[i][0] != '\0')
                bad++;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (names[i] == NULL || names[i][0] == '\0')
            continue;
        if (!xq_purge_name_ok(names[i])) {
            xq_log(XQ_LOG_ERROR, "purge: refusing to delete '%.64s': not a generated file name",
                   names[i]);
            bad++;
            if (st == XQ_OK)
                st = xq_err_set(err, XQ_ERR_IO, "refused to delete '%.64s': not a generated "
                                "file name", names[i]);
            continue;
        }
        r = unlink_one(dfd, names[i]);
        if (r > 0) {
            done++;
        } else if (r < 0) {
            xq_log_errno(XQ_LOG_ERROR, "purge: cannot delete %s", names[i]);
            bad++;
            if (st == XQ_OK)
                st = xq_err_set(err, XQ_ERR_IO, "cannot delete %s in %.200s: %s", names[i],
                                cfg->export_dir, strerror(errno));
        }
    }
out:
    if (dfd >= 0)
        close(dfd);
    if (deleted != NULL)
        *deleted = done;
    if (failed != NULL)
        *failed = bad;
    return st;
}

xq_status xq_purge_tombstone(xq_queue *q, const char *name, const char *owner, xq_err *err)
{
    xq_redis *r = xq_queue_redis(q);
    redisReply *rep = NULL;
    xq_status st;

    if (!xq_purge_name_ok(name))
        return XQ_OK;
    st = xq_redis_cmd(r, &rep, err, "SET %s:gone:%s %s EX %d", xq_redis_prefix(r), name,
                      owner != NULL ? owner : "", XQ_PURGE_TOMBSTONE_TTL_S);
    if (st == XQ_OK && rep->type == REDIS_REPLY_ERROR)
        st = xq_err_set(err, XQ_ERR_REDIS, "tombstone for %s: %.200s", name, rep->str);
    if (rep != NULL)
        freeReplyObject(rep);
    return st;
}

static void free_names(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Delete a batch returned by the queue; counts into st. */
static void delete_batch(const xq_config *cfg, char **names, size_t n, xq_purge_stats *st)
{
    long long d = 0, bad = 0;
    xq_err ferr;

    /* failures are logged by xq_purge_delete_files and counted here */
    xq_err_clear(&ferr);
    if (xq_purge_delete_files(cfg, (const char *const *)names, n, &d, &bad, &ferr) != XQ_OK &&
        bad == 0)
        xq_log(XQ_LOG_ERROR, "purge: %s", ferr.msg);
    st->files_deleted += d;
    st->errors += bad;
}

/* ".sync-XXXXXX": the private directory of a sync export (fcgi/routes_export.c) */
static int is_sync_dir_name(const char *name)
{
    return strncmp(name, ".sync-", 6) == 0 && strlen(name) == 12 && strchr(name + 6, '/') == NULL;
}

/*
 * A sync export's directory left behind by a responder that died mid-export
 * (the responder removes it itself otherwise): emptied of the names an
 * export writes and removed once nothing in it was touched for an hour.
 */
static void sweep_sync_dir(int dfd, const char *name, long long now_s, xq_purge_stats *st)
{
    struct stat sb;
    struct dirent *e;
    DIR *d;
    int fd, busy = 0;

    if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(sb.st_mode) ||
        now_s - (long long)sb.st_mtime <= XQ_PURGE_PART_STALE_S)
        return;
    if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return;
    if ((d = fdopendir(fd)) == NULL) {
        close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (!xq_purge_part_name_ok(e->d_name) && !xq_purge_name_ok(e->d_name))
            continue;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (now_s - (long long)sb.st_mtime <= XQ_PURGE_PART_STALE_S)
            busy = 1;
        else if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            st->orphans_deleted++;
    }
    closedir(d);
    if (!busy && unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
        xq_log_errno(XQ_LOG_WARN, "purge: cannot remove %s", name);
        st->errors++;
    }
}

void xq_purge_sweep(const xq_config *cfg, long long now_ms, xq_purge_stats *st)
{
    xq_err derr;
    int dfd, dfd2 = -1;
    DIR *d = NULL;
    struct dirent *de;
    struct stat sb;
    long long now_s = now_ms / 1000;
    long long keep_s = (long long)(cfg->file_retention_hours * 3600.0) + XQ_PURGE_ORPHAN_GRACE_S;
    int r;

    xq_err_clear(&derr);
    dfd = open_dir(cfg, &derr);
    if (dfd < 0) {
        xq_log(XQ_LOG_ERROR, "purge: %s", derr.msg);
        st->errors++;
        return;
    }
    /* fdopendir owns the descriptor it is given; keep our own for unlinkat. */
    dfd2 = dup(dfd);
    if (dfd2 < 0 || (d = fdopendir(dfd2)) == NULL) {
        xq_log_errno(XQ_LOG_ERROR, "purge: cannot read EXPORT_DIR %s", cfg->export_dir);
        st->errors++;
        if (dfd2 >= 0)
            close(dfd2);
        close(dfd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        long long limit;

        if (is_sync_dir_name(de->d_name)) {
            sweep_sync_dir(dfd, de->d_name, now_s, st);
            continue;
        }
        if (xq_purge_name_ok(de->d_name))
            limit = keep_s;
        else if (xq_purge_part_name_ok(de->d_name))
            limit = XQ_PURGE_PART_STALE_S;
        else
            continue; /* not ours: never touched */
        if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (now_s - (long long)sb.st_mtime <= limit)
            continue;
        r = unlink_one(dfd, de->d_name);
        if (r > 0) {
            st->orphans_deleted++;
            xq_log_kv(XQ_LOG_INFO, "purge: deleted stale file", "file", de->d_name, NULL);
        } else if (r < 0) {
            xq_log_errno(XQ_LOG_ERROR, "purge: cannot delete %s", de->d_name);
            st->errors++;
        }
    }
    closedir(d);
    close(dfd);
}

xq_status xq_purge_run(xq_queue *q, const xq_config *cfg, long long now_ms,
                       xq_purge_stats *st, xq_err *err)
{
    char **names = NULL;
    size_t n = 0;
    long long removed = 0;
    xq_status rc;

    memset(st, 0, sizeof(*st));
    rc = xq_queue_expire_files(q, now_ms, &names, &n, err);
    if (rc != XQ_OK)
        goto out;
    st->files_expired = (long long)n;
    delete_batch(cfg, names, n, st);
    free_names(names, n);
    names = NULL;
    n = 0;

    rc = xq_queue_trim(q, now_ms, &removed, &names, &n, err);
    if (rc != XQ_OK)
        goto out;
    st->jobs_trimmed = removed;
    delete_batch(cfg, names, n, st);

    xq_purge_sweep(cfg, now_ms, st);
out:
    free_names(names, n);
    return rc;
}
