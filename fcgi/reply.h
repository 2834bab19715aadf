/*
 * reply.h - answers the API route groups share: a json-c object as the
 * body, validation errors with SPEC "details", 429 with Retry-After, the
 * strict limit/offset pagination parameters, and who may see a job.
 *
 * Objects passed in are borrowed (the caller still puts them).
 */
#ifndef XQ_REPLY_H
#define XQ_REPLY_H

#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "http.h"
#include "queue.h"
#include "request.h"

#define XQ_PAGE_LIMIT_DEFAULT 20
#define XQ_PAGE_LIMIT_MAX 100

/* Send obj as the JSON body with status. */
xq_status xq_reply_obj(xq_http *h, int status, json_object *obj);

/*
 * 400 VALIDATION_ERROR with "details": [{"field","message"}, ...] from fe
 * (message NULL: "invalid request").
 */
xq_status xq_reply_invalid(xq_http *h, const char *message, const xq_field_errors *fe);

/* 400 for one field: details [{"field": field, "message": why}]. */
xq_status xq_reply_invalid_field(xq_http *h, const char *field, const char *why);

/* 429 RATE_LIMITED with Retry-After: retry_after_s (at least 1). */
xq_status xq_reply_limit(xq_http *h, long retry_after_s, const char *message);

/*
 * ?limit=&offset= (limit 1..100, default 20; offset >= 0, default 0; plain
 * decimal digits only).  XQ_OK, or the 400 has been answered and
 * XQ_ERR_INVALID is returned.
 */
xq_status xq_reply_page(xq_http *h, long *limit, long *offset);

/* Strict non-negative decimal: 1 and *out set when s is only digits and fits. */
int xq_parse_count(const char *s, long long max, long long *out);

/* 1 when p may see and act on job: its owner, or an admin. */
int xq_job_visible(const xq_principal *p, const xq_job *job);

/* {"jobs": [job objects], "total": total} for a list call. */
xq_status xq_reply_job_list(xq_app *app, xq_http *h, xq_job **jobs, size_t n, long long total,
                            xq_err *err);

/* Add Content-Disposition: attachment; filename="display" (display must be
 * a plain name such as xq_filename_display() gives). */
xq_status xq_add_disposition(xq_http *h, const char *display);

/*
 * After the head: send size bytes read from fd in XQ_REPLY_CHUNK pieces
 * (nothing for HEAD).  XQ_ERR_IO when the file ends early, the write
 * status when the client went away.
 */
#define XQ_REPLY_CHUNK (64 * 1024)
xq_status xq_reply_stream_fd(xq_http *h, int fd, long long size, xq_err *err);

/* Milliseconds since the epoch (wall clock). */
long long xq_now_ms(void);

#endif
