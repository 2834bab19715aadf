/*
 * export.h - the export engine: one request in, one complete file out.
 *
 * Knows nothing of queues or HTTP.  Streams rows from PostgreSQL through a
 * format writer (fmt.h) into "<dir>/.<fileName>.part", fsyncs, and renames
 * it to "<dir>/<fileName>" only when complete; on any failure or cancel the
 * temporary file is removed.  Memory stays flat whatever the row count.
 * Used by the workers (queued jobs), the responder (sync exports) and
 * exportqctl (direct runs).
 */
#ifndef XQ_EXPORT_H
#define XQ_EXPORT_H

#include "config.h"
#include "db.h"
#include "error.h"
#include "request.h"

/*
 * Progress callback: called at most every min_interval_ms and once at the
 * end; rows_done is monotonic; percent is 0..99 while running (100 is the
 * queue's to set on completion) and accounts for the XLSX close phase.
 * Return non-zero to cancel: the engine stops within one batch, removes the
 * temporary file and returns XQ_ERR_CANCELLED.  The callback may block for
 * a short time (a Redis round trip); it runs in the exporting process.
 */
typedef int (*xq_export_progress_fn)(void *ctx, long long rows_done,
                                     long long rows_estimated, int percent);

typedef struct xq_export_opts {
    const xq_config *cfg;          /* borrowed */
    xq_db *db;                     /* borrowed; connected on demand */
    const xq_export_request *req;  /* borrowed, validated */
    const char *job_id;            /* NULL for a sync export (metadata.jobId null) */
    const char *dir;               /* output directory (normally cfg->export_dir) */
    const char *file_name;         /* final name inside dir, from xq_filename_make() */
    xq_export_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    long min_interval_ms;          /* progress throttle; 0 = every batch */
    long long rows_estimated;      /* > 0: skip the engine's own estimate (not for JSON,
                                      which counts in its snapshot for metadata) */
    long xlsx_sheet_rows;          /* data rows per XLSX sheet; 0 = 1,048,575 (test hook) */
} xq_export_opts;

typedef struct xq_export_result {
    long long rows;        /* data rows written */
    long long bytes;       /* final file size */
    long long estimate;    /* the estimate progress used */
    double seconds;        /* wall time of the run */
} xq_export_result;

/*
 * Run the export.  Errors: XQ_ERR_DB (connection lost/timeout: retry),
 * XQ_ERR_SQL (missing table, permission: permanent), XQ_ERR_IO / XQ_ERR_NOSPC
 * (file system), XQ_ERR_CANCELLED, XQ_ERR_INVALID.  err->msg is for the
 * operator's log; xq_export_user_message() gives the text a user may see.
 */
xq_status xq_export_run(const xq_export_opts *o, xq_export_result *res, xq_err *err);

/*
 * Number of rows the file would have (exact for breakdowns; for raw-data an
 * exact count over the "startTime" index range).  Used for progress and by
 * the sync route to choose between 200 and 202.
 */
xq_status xq_export_count(xq_db *db, const xq_config *cfg, const xq_export_request *req,
                          long long *rows, xq_err *err);

/* A message for the requester: what went wrong in their terms, never SQL
 * text or a file path ("the database is unavailable", "disk full on the
 * export server", "the spend log table is missing"). Static string. */
const char *xq_export_user_message(xq_status st);

#endif
