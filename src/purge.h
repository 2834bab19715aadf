/*
 * purge.h - one purge pass over the queue and EXPORT_DIR (SPEC §6
 * retention): expire files past EXPORT_FILE_RETENTION_HOURS, drop jobs past
 * their retention, delete the files of both, and sweep files nobody can
 * still download (an export whose job record is gone, a temporary ".part"
 * left by a worker killed with SIGKILL).
 *
 * The same code runs in exportq-workerd's purger (every
 * EXPORT_PURGE_INTERVAL_S, under a cross-host lock) and in `exportqctl purge`
 * (now, once).  It never follows a name outside EXPORT_DIR: only plain file
 * names of the generated shape are unlinked, relative to a directory
 * descriptor of EXPORT_DIR.
 */
#ifndef XQ_PURGE_H
#define XQ_PURGE_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "queue.h"

/* A temporary ".<name>.part" untouched this long belongs to a dead worker
 * (a running export writes to its own temporary all the time). */
#define XQ_PURGE_PART_STALE_S 3600

/* A finished file older than EXPORT_FILE_RETENTION_HOURS plus this grace
 * is past every expiry, so it goes even when no job names it any more. */
#define XQ_PURGE_ORPHAN_GRACE_S 3600

typedef struct xq_purge_stats {
    long long files_expired;   /* completed jobs whose file expired in this pass */
    long long jobs_trimmed;    /* jobs removed by retention (7 d / 1000 completed, 14 d failed) */
    long long files_deleted;   /* files unlinked for those jobs */
    long long orphans_deleted; /* stale .part and unreferenced old files unlinked */
    long long errors;          /* files that could not be unlinked (logged) */
} xq_purge_stats;

/*
 * Run one pass at now_ms.  Queue errors (Redis down) stop the pass with
 * XQ_ERR_REDIS; file errors are counted in st->errors and logged, and do
 * not stop it.  st is zeroed first.
 */
xq_status xq_purge_run(xq_queue *q, const xq_config *cfg, long long now_ms,
                       xq_purge_stats *st, xq_err *err);

/*
 * Unlink names[0..n) in cfg->export_dir.  A name that is not a plain
 * generated file name (xq_purge_name_ok) is refused and counted as an error;
 * a name already gone is fine.  *deleted and *failed (each may be NULL)
 * receive the counts unlinked and not unlinked.  XQ_ERR_IO when the
 * directory cannot be opened or any name failed (message names the first).
 */
xq_status xq_purge_delete_files(const xq_config *cfg, const char *const *names, size_t n,
                                long long *deleted, long long *failed, xq_err *err);

/*
 * Tombstones: when a file is deleted on request (forget, admin remove,
 * clean) "<prefix>:gone:<fileName>" = owner is kept in Redis for
 * XQ_PURGE_TOMBSTONE_TTL_S, so that a later download of that name answers
 * 410 (it existed) rather than 404 (doc/api.md, Downloads).  The responder
 * writes the same key (fcgi/files.c); exportqctl remove/clean write it
 * through xq_purge_tombstone() so both paths leave the same trace.
 */
#define XQ_PURGE_TOMBSTONE_TTL_S (14 * 24 * 3600)

/* Write the tombstone of name (owner may be NULL: "", admins only get 410).
 * A name xq_purge_name_ok refuses is ignored (XQ_OK). XQ_ERR_REDIS on failure. */
xq_status xq_purge_tombstone(xq_queue *q, const char *name, const char *owner, xq_err *err);

/*
 * The directory sweep alone (no Redis): unlink generated files whose mtime is
 * more than EXPORT_FILE_RETENTION_HOURS + XQ_PURGE_ORPHAN_GRACE_S before
 * now_ms and ".part" files untouched for XQ_PURGE_PART_STALE_S, and the
 * ".sync-XXXXXX" directories of sync exports whose responder died once
 * nothing in them was touched for as long; anything else in the directory
 * is never touched.  Adds to st->orphans_deleted and
 * st->errors.
 */
void xq_purge_sweep(const xq_config *cfg, long long now_ms, xq_purge_stats *st);

/* Pure: 1 when name is safe to unlink inside EXPORT_DIR: exactly a name
 * xq_filename_make() produces (filename.h). */
int xq_purge_name_ok(const char *name);

/* Pure: 1 when name is a temporary file of a generated name:
 * "." + a name xq_purge_name_ok accepts + ".part". */
int xq_purge_part_name_ok(const char *name);

#endif
