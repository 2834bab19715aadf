/*
 * files.c - deleting and opening export files, and their tombstones
 * (see files.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filename.h"
#include "files.h"
#include "log.h"

static int open_dir(const xq_config *cfg)
{
    return open(cfg->export_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void xq_files_forget(xq_app *app, const char *name, const char *owner)
{
    redisReply *rep = NULL;
    xq_redis *r;
    xq_err e;
    int dfd = -1;

    if (name == NULL || !xq_filename_valid(name))
        return;
    if ((dfd = open_dir(app->cfg)) < 0) {
        xq_log_errno(XQ_LOG_WARN, "cannot open EXPORT_DIR to delete %s", name);
    } else if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT) {
        xq_log_errno(XQ_LOG_WARN, "unlink %s", name);
    }
    xq_err_clear(&e);
    if (xq_app_redis(app, &r, &e) != XQ_OK ||
        xq_redis_cmd(r, &rep, &e, "SET %s:gone:%s %s EX %d", xq_redis_prefix(r), name,
                     owner != NULL ? owner : "", XQ_TOMBSTONE_TTL_S) != XQ_OK)
        xq_log(XQ_LOG_WARN, "tombstone for %s not written: %s", name, e.msg);
    if (rep != NULL)
        freeReplyObject(rep);
    if (dfd >= 0)
        close(dfd);
}

xq_status xq_files_tombstone(xq_app *app, const char *name, int *found, char *owner,
                             size_t ownercap, xq_err *err)
{
    redisReply *rep = NULL;
    xq_redis *r;
    xq_status st;

    *found = 0;
    owner[0] = '\0';
    if ((st = xq_app_redis(app, &r, err)) != XQ_OK)
        goto out;
    if ((st = xq_redis_cmd(r, &rep, err, "GET %s:gone:%s", xq_redis_prefix(r), name)) != XQ_OK)
        goto out;
    if (rep->type == REDIS_REPLY_STRING) {
        *found = 1;
        if (rep->len < ownercap) {
            memcpy(owner, rep->str, rep->len);
            owner[rep->len] = '\0';
        }
    } else if (rep->type != REDIS_REPLY_NIL) {
        st = xq_err_set(err, XQ_ERR_REDIS, "tombstone: unexpected reply type %d", rep->type);
    }
out:
    if (rep != NULL)
        freeReplyObject(rep);
    return st;
}

xq_status xq_files_open(const xq_config *cfg, const char *name, int *fd, long long *size,
                        xq_err *err)
{
    struct stat sb;
    xq_status st = XQ_OK;
    int dfd = -1, f = -1;

    *fd = -1;
    if (!xq_filename_valid(name))
        return xq_err_set(err, XQ_ERR_NOT_FOUND, "not an export file name");
    if ((dfd = open_dir(cfg)) < 0) {
        st = xq_err_set(err, XQ_ERR_IO, "cannot open EXPORT_DIR: %s", strerror(errno));
        goto out;
    }
    f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (f < 0) {
        st = errno == ENOENT ? xq_err_set(err, XQ_ERR_GONE, "file %s is gone", name)
                             : xq_err_set(err, XQ_ERR_IO, "open %s: %s", name, strerror(errno));
        goto out;
    }
    if (fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = xq_err_set(err, XQ_ERR_IO, "%s is not a regular file", name);
        goto out;
    }
    *size = (long long)sb.st_size;
    *fd = f;
    f = -1;
out:
    if (f >= 0)
        close(f);
    if (dfd >= 0)
        close(dfd);
    return st;
}
