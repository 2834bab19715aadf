/*
 * filename.h - names of export files (SPEC §5 downloads).  Pure apart from
 * the random source of xq_filename_make() for sync exports.
 *
 * On disk: "<exportType>-<jobId>.<csv|json|xlsx>", jobId a lowercase UUID
 * v4; the download route accepts nothing else.  Offered to the user
 * (Content-Disposition): "<exportType>_<startDate>_<endDate>.<ext>".
 */
#ifndef XQ_FILENAME_H
#define XQ_FILENAME_H

#include <stddef.h>

#include "error.h"
#include "request.h"

/* exportType (18) + '-' + UUID (36) + '.' + ext (4) + NUL, rounded up */
#define XQ_FILENAME_MAX 72
#define XQ_UUID_LEN 36

/*
 * Write the on-disk name into out[n] (n >= XQ_FILENAME_MAX).  job_id NULL
 * (a sync export) uses a fresh random UUID v4.  XQ_ERR_INVALID when job_id
 * is not a lowercase UUID, XQ_ERR_IO when no randomness is available.
 */
xq_status xq_filename_make(xq_export_type t, const char *job_id, xq_format f, char *out,
                           size_t n, xq_err *err);

/* 1 when name is exactly a name xq_filename_make() can produce. */
int xq_filename_valid(const char *name);

/* The format of a valid name, -1 otherwise. */
int xq_filename_format(const char *name);

/* "model-breakdown_2024-01-01_2024-12-31.csv" into out[n]; returns out. */
char *xq_filename_display(const xq_export_request *req, char *out, size_t n);

/* 1 when s is a lowercase UUID (8-4-4-4-12 hex digits). */
int xq_filename_uuid_valid(const char *s, size_t len);

/* A fresh random UUID v4 (getrandom) into out[XQ_UUID_LEN + 1]. */
xq_status xq_filename_new_uuid(char out[XQ_UUID_LEN + 1], xq_err *err);

#endif
