/*
 * http.h - one FastCGI request as HTTP: what came in (method, raw path,
 * query, a few headers, a bounded body) and the helpers that answer it
 * (status via the CGI "Status:" header, JSON bodies, the SPEC error body).
 *
 * An xq_http is embedded, initialised once per process and reused for every
 * request (xq_http_begin resets it), so its buffers keep their memory and a
 * request costs no allocations of its own.  Every answer carries
 * Cache-Control: no-store, X-Content-Type-Options: nosniff and X-Request-Id.
 * Strings from FastCGI params are borrowed from the FCGX_Request and valid
 * until FCGX_Finish_r.
 */
#ifndef XQ_HTTP_H
#define XQ_HTTP_H

#include <stddef.h>

#include <fcgiapp.h>

#include "auth.h"
#include "buf.h"
#include "error.h"
#include "router.h"

#define XQ_HTTP_BODY_MAX (64 * 1024)      /* SPEC §5: larger bodies get 413 */
#define XQ_HTTP_DRAIN_MAX (4 * 1024 * 1024) /* unread body discarded before answering */
#define XQ_HTTP_REQID_MAX 64
#define XQ_HTTP_HEADERS_MAX 4096          /* extra response headers */

typedef struct xq_http {
    FCGX_Request *req;            /* borrowed */
    const char *method;           /* "" when absent */
    const char *path;             /* raw (still percent-encoded), not NUL-terminated */
    size_t path_len;
    const char *query;            /* raw, after '?'; "" when none */
    const char *authorization;    /* NULL when absent */
    const char *content_type;     /* NULL when absent */
    long long content_length;     /* -1 when absent */
    int content_length_bad;       /* present but not a plain decimal number */
    long long body_consumed;      /* stdin bytes read or drained so far */
    char request_id[XQ_HTTP_REQID_MAX + 1];
    xq_buf body;                  /* request body after xq_http_read_body */
    xq_buf out;                   /* scratch for a response body */
    xq_buf head;                  /* response head being built */
    xq_buf extra;                 /* headers added by xq_http_add_header */
    int responded;                /* a response head has been sent */
    int status;                   /* the status sent */
    xq_route_match match;         /* the route and its params */
    xq_status auth_status;        /* XQ_OK when principal is valid */
    xq_principal principal;
    char pathbuf[XQ_ROUTE_PATH_MAX + 2]; /* SCRIPT_NAME + PATH_INFO fallback */
} xq_http;

void xq_http_init(xq_http *h);
void xq_http_cleanup(xq_http *h); /* h may be NULL */

/*
 * Take a new request: read the params, choose the request id (the incoming
 * X-Request-Id when it is 1..64 characters of [A-Za-z0-9._-], else 32 random
 * hex digits) and set it as the log context.  Never fails: a request too
 * odd to parse is answered by the dispatcher.
 */
void xq_http_begin(xq_http *h, FCGX_Request *req);

/* A FastCGI param ("HTTP_X_FOO", "REMOTE_ADDR") or NULL. Borrowed. */
const char *xq_http_param(const xq_http *h, const char *name);

/*
 * The value of query parameter name, percent-decoded ('+' is a space) into
 * out (capacity outcap).  XQ_OK with *found 0/1; XQ_ERR_INVALID for a bad
 * escape or encoded NUL; XQ_ERR_TOO_BIG when the value does not fit.
 */
xq_status xq_http_query(const xq_http *h, const char *name, char *out, size_t outcap,
                        int *found);

/* 1 when Content-Type is application/json (any case, parameters allowed). */
int xq_http_is_json(const xq_http *h);

/*
 * Read the whole body into h->body.  XQ_ERR_INVALID for a malformed
 * Content-Length or a body shorter than announced; XQ_ERR_TOO_BIG when it
 * is over XQ_HTTP_BODY_MAX (checked on the announced length, before any
 * read).  err says which.
 */
xq_status xq_http_read_body(xq_http *h, xq_err *err);

/* Discard what is left of the body (at most XQ_HTTP_DRAIN_MAX bytes). */
void xq_http_drain(xq_http *h);

/*
 * Add a header to the next response (name and value borrowed, copied now).
 * Values with CR, LF or NUL are refused (XQ_ERR_INVALID).
 */
xq_status xq_http_add_header(xq_http *h, const char *name, const char *value);

/*
 * Send the head: Status, Content-Type (may be NULL), Content-Length (when
 * >= 0), the standard headers and the added ones.  Drains the request body
 * first so the web server never sees an answer to a half-read request.
 */
xq_status xq_http_send_head(xq_http *h, int status, const char *content_type,
                            long long content_length);

/* Body bytes after xq_http_send_head (nothing is written for HEAD). */
xq_status xq_http_write(xq_http *h, const void *data, size_t n);

/* A complete JSON answer: json[0..n) is the body. */
xq_status xq_http_json(xq_http *h, int status, const char *json, size_t n);

/*
 * The SPEC error body for st:
 *   {"error":{"code":"<xq_status_code>","message":"...","statusCode":<http>
 *             [,"details":<details_json>]}}
 * message NULL uses xq_strerror(st); details_json (may be NULL) is
 * trusted JSON text built by the caller.
 */
xq_status xq_http_error(xq_http *h, xq_status st, const char *message,
                        const char *details_json);

/* "Not Found" for 404 ...; "Unknown" otherwise.  Static. */
const char *xq_http_reason(int status);

#endif
