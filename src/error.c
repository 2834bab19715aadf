/*
 * error.c - status table: text, SPEC error code and HTTP status per status,
 * in one place so that no route carries its own mapping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const struct {
    const char *text;
    const char *code;
    int http;
    int retryable;
} status_table[XQ_STATUS_COUNT] = {
    [XQ_OK] = {"ok", "OK", 200, 0},
    [XQ_ERR_NOMEM] = {"out of memory", "INTERNAL_ERROR", 500, 1},
    [XQ_ERR_INVALID] = {"invalid request", "VALIDATION_ERROR", 400, 0},
    [XQ_ERR_CONFIG] = {"invalid configuration", "INTERNAL_ERROR", 500, 0},
    [XQ_ERR_AUTH] = {"authentication required", "UNAUTHORIZED", 401, 0},
    [XQ_ERR_FORBIDDEN] = {"permission denied", "FORBIDDEN", 403, 0},
    [XQ_ERR_NOT_FOUND] = {"not found", "NOT_FOUND", 404, 0},
    [XQ_ERR_METHOD] = {"method not allowed", "METHOD_NOT_ALLOWED", 405, 0},
    [XQ_ERR_CONFLICT] = {"conflict with the current state", "CONFLICT", 409, 0},
    [XQ_ERR_GONE] = {"gone", "GONE", 410, 0},
    [XQ_ERR_TOO_BIG] = {"too large", "PAYLOAD_TOO_LARGE", 413, 0},
    [XQ_ERR_MEDIA_TYPE] = {"unsupported media type", "UNSUPPORTED_MEDIA_TYPE", 415, 0},
    [XQ_ERR_LIMIT] = {"rate limit reached", "RATE_LIMITED", 429, 0},
    [XQ_ERR_REDIS] = {"redis unavailable", "SERVICE_UNAVAILABLE", 503, 1},
    [XQ_ERR_DB] = {"database unavailable", "SERVICE_UNAVAILABLE", 503, 1},
    [XQ_ERR_SQL] = {"database query failed", "INTERNAL_ERROR", 500, 0},
    [XQ_ERR_IO] = {"file system error", "INTERNAL_ERROR", 500, 1},
    [XQ_ERR_NOSPC] = {"no space left on device", "INTERNAL_ERROR", 500, 1},
    [XQ_ERR_CANCELLED] = {"cancelled", "CANCELLED", 409, 0},
    [XQ_ERR_TIMEOUT] = {"timed out", "SERVICE_UNAVAILABLE", 503, 1},
    [XQ_ERR_LEASE] = {"job lease lost", "CONFLICT", 409, 0},
    [XQ_ERR_INTERNAL] = {"internal error", "INTERNAL_ERROR", 500, 0},
};

static int status_valid(xq_status st)
{
    return (int)st >= 0 && st < XQ_STATUS_COUNT;
}

const char *xq_strerror(xq_status st)
{
    return status_valid(st) ? status_table[st].text : "unknown error";
}

const char *xq_status_code(xq_status st)
{
    return status_valid(st) ? status_table[st].code : "INTERNAL_ERROR";
}

int xq_status_http(xq_status st)
{
    return status_valid(st) ? status_table[st].http : 500;
}

int xq_status_retryable(xq_status st)
{
    return status_valid(st) ? status_table[st].retryable : 0;
}

xq_status xq_err_set(xq_err *err, xq_status code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

void xq_err_clear(xq_err *err)
{
    if (err == NULL)
        return;
    err->code = XQ_OK;
    err->msg[0] = '\0';
}
