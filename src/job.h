/*
 * job.h - pure helpers of the job record (queue.h declares the job type and
 * its public functions; this header adds what queue.c and the tests share).
 * No I/O apart from xq_job_new_id(), which reads the kernel's random source.
 */
#ifndef XQ_JOB_H
#define XQ_JOB_H

#include <stddef.h>

#include "queue.h"

/* A fresh UUID v4 (getrandom()): 36 characters and a NUL. */
xq_status xq_job_new_id(char id[XQ_JOB_ID_LEN + 1], xq_err *err);

/* 1 when s is 36 characters of canonical lowercase UUID text. */
int xq_job_id_valid(const char *s);

/* Zeroed job (all strings NULL, state waiting); NULL on allocation failure. */
xq_job *xq_job_alloc(void);

/*
 * Set one stored field (name and value as kept in the Redis hash, see
 * doc/queue.md; value need not be NUL-terminated).  Unknown names are
 * ignored; values are bounded (XQ_JOB_FIELD_MAX) and numbers parsed
 * strictly (a bad number leaves 0).  XQ_ERR_NOMEM or XQ_ERR_TOO_BIG.
 */
#define XQ_JOB_FIELD_MAX (256 * 1024)
xq_status xq_job_set_field(xq_job *job, const char *name, const char *value, size_t len);

/* UTC ISO 8601 with milliseconds and Z; out needs 25 bytes. */
void xq_time_iso_ms(long long ms, char out[32]);

/* Parse "YYYY-MM-DDTHH:MM:SS[.mmm]Z" into ms; -1 when malformed. */
long long xq_time_parse_iso_ms(const char *s);

/* "high", "normal", "low" for 1, 5, 10; NULL for another number. */
const char *xq_job_priority_name(int prio);

#endif
