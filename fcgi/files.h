/*
 * files.h - export files the responder deletes or looks up in EXPORT_DIR,
 * and the tombstones that let a download tell "forgotten" (410) from
 * "never existed" (404).
 *
 * Only names that pass xq_filename_valid() are ever touched, and always
 * relative to an open EXPORT_DIR (openat/unlinkat, O_NOFOLLOW), never
 * through a path built from client text.
 *
 * Tombstone: when a job's file is deleted on request (forget, admin remove,
 * clean), "<prefix>:gone:<fileName>" = owner is set in Redis for
 * XQ_TOMBSTONE_TTL_S.  See doc/api.md (Downloads).
 */
#ifndef XQ_FILES_H
#define XQ_FILES_H

#include "app.h"

#define XQ_TOMBSTONE_TTL_S (14 * 24 * 3600)

/*
 * Delete EXPORT_DIR/name (a missing file is fine) and leave a tombstone
 * naming owner.  name NULL or not a valid export name: nothing is done.
 * Failures are logged, not returned: the job is already gone.
 */
void xq_files_forget(xq_app *app, const char *name, const char *owner);

/*
 * Look up the tombstone of name: XQ_OK with *found 0/1 and owner (capacity
 * ownercap) filled when found.  XQ_ERR_REDIS when Redis fails.
 */
xq_status xq_files_tombstone(xq_app *app, const char *name, int *found, char *owner,
                             size_t ownercap, xq_err *err);

/*
 * Open EXPORT_DIR/name read-only (O_NOFOLLOW), a regular file.  XQ_OK with
 * *fd and *size; XQ_ERR_GONE when it does not exist; XQ_ERR_IO otherwise.
 */
xq_status xq_files_open(const xq_config *cfg, const char *name, int *fd, long long *size,
                        xq_err *err);

#endif
