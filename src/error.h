/*
 * error.h - the one status enum of exportq, and an error record that carries
 * a detail message filled where the failure happens (hiredis's err+errstr).
 *
 * Every function in src/ that can fail returns xq_status and, when given an
 * xq_err *, writes a message an operator can act on.  The HTTP layer maps a
 * status to an HTTP code and SPEC error code with xq_status_http() and
 * xq_status_code(), from one table.
 */
#ifndef XQ_ERROR_H
#define XQ_ERROR_H

#include <stddef.h>

typedef enum {
    XQ_OK = 0,
    XQ_ERR_NOMEM,       /* allocation failed */
    XQ_ERR_INVALID,     /* bad input from a client or a file (400) */
    XQ_ERR_CONFIG,      /* bad configuration value */
    XQ_ERR_AUTH,        /* no or bad credentials (401) */
    XQ_ERR_FORBIDDEN,   /* credentials fine, permission missing (403) */
    XQ_ERR_NOT_FOUND,   /* no such thing, or not yours (404) */
    XQ_ERR_METHOD,      /* known path, wrong method (405) */
    XQ_ERR_CONFLICT,    /* wrong state for this action (409) */
    XQ_ERR_GONE,        /* existed, expired or purged (410) */
    XQ_ERR_TOO_BIG,     /* body or value over its limit (413) */
    XQ_ERR_MEDIA_TYPE,  /* wrong Content-Type (415) */
    XQ_ERR_LIMIT,       /* per-user limit reached (429) */
    XQ_ERR_REDIS,       /* Redis unreachable or failed (503) */
    XQ_ERR_DB,          /* PostgreSQL unreachable or connection lost (503) */
    XQ_ERR_SQL,         /* SQL error: missing table, permission (permanent) */
    XQ_ERR_IO,          /* file system error */
    XQ_ERR_NOSPC,       /* disk full */
    XQ_ERR_CANCELLED,   /* the job was cancelled while it ran */
    XQ_ERR_TIMEOUT,     /* an operation took too long */
    XQ_ERR_LEASE,       /* the worker no longer owns the job */
    XQ_ERR_INTERNAL,    /* a bug: should not happen */
    XQ_STATUS_COUNT
} xq_status;

#define XQ_ERR_MSG_MAX 512

typedef struct xq_err {
    xq_status code;
    char msg[XQ_ERR_MSG_MAX];
} xq_err;

/* Short constant text for a status ("redis unavailable"). Never NULL. */
const char *xq_strerror(xq_status st);

/* SPEC error code string for a status ("NOT_FOUND", "RATE_LIMITED", ...). */
const char *xq_status_code(xq_status st);

/* HTTP status for a status (XQ_OK is 200, unknown values 500). */
int xq_status_http(xq_status st);

/* True for failures worth retrying (lost connection, timeout, I/O). */
int xq_status_retryable(xq_status st);

/*
 * Fill err (may be NULL) with code and a printf-style message; returns code,
 * so a caller can write `return xq_err_set(err, XQ_ERR_IO, "...", ...);`.
 */
xq_status xq_err_set(xq_err *err, xq_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset err (may be NULL) to XQ_OK with an empty message. */
void xq_err_clear(xq_err *err);

#endif
