/*
 * http.c - FastCGI params in, CGI-style response out.
 *
 * The path comes from REQUEST_URI (lighttpd and Apache mod_fcgid both pass
 * the request target exactly as the client sent it, query included), cut at
 * '?', still percent-encoded: the router decodes segment by segment.
 * SCRIPT_NAME + PATH_INFO (already decoded by the server) is the fallback
 * for a server that does not send REQUEST_URI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "jsonstr.h"
#include "log.h"

#define OUT_MAX (4 * 1024 * 1024)
#define HEAD_MAX 8192

static const struct {
    int code;
    const char *text;
} reasons[] = {
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
    {206, "Partial Content"}, {304, "Not Modified"}, {400, "Bad Request"},
    {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
    {405, "Method Not Allowed"}, {409, "Conflict"}, {410, "Gone"},
    {413, "Payload Too Large"}, {415, "Unsupported Media Type"},
    {429, "Too Many Requests"}, {500, "Internal Server Error"}, {501, "Not Implemented"},
    {503, "Service Unavailable"},
};

const char *xq_http_reason(int status)
{
    size_t i;

    for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].code == status)
            return reasons[i].text;
    return "Unknown";
}

void xq_http_init(xq_http *h)
{
    memset(h, 0, sizeof(*h));
    xq_buf_init(&h->body, XQ_HTTP_BODY_MAX);
    xq_buf_init(&h->out, OUT_MAX);
    xq_buf_init(&h->head, HEAD_MAX);
    xq_buf_init(&h->extra, XQ_HTTP_HEADERS_MAX);
    h->content_length = -1;
}

void xq_http_cleanup(xq_http *h)
{
    if (h == NULL)
        return;
    xq_buf_cleanup(&h->body);
    xq_buf_cleanup(&h->out);
    xq_buf_cleanup(&h->head);
    xq_buf_cleanup(&h->extra);
}

const char *xq_http_param(const xq_http *h, const char *name)
{
    return FCGX_GetParam(name, h->req->envp);
}

static int reqid_char_ok(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/*
 * Random bytes for request ids, taken from the kernel 512 at a time so that
 * most requests make no system call for them.
 */
static void random_hex(char *out, size_t nbytes)
{
    static unsigned char pool[512];
    static size_t left;
    static pid_t pool_pid;
    size_t i;
    unsigned char c;

    if (pool_pid != getpid()) { /* never share a pool across fork() */
        left = 0;
        pool_pid = getpid();
    }
    for (i = 0; i < nbytes; i++) {
        if (left == 0) {
            ssize_t got = getrandom(pool, sizeof(pool), 0);

            if (got != (ssize_t)sizeof(pool)) {
                /* Not a secret, only unique: fall back to time and pid. */
                struct timespec ts;

                clock_gettime(CLOCK_REALTIME, &ts);
                for (size_t k = 0; k < sizeof(pool); k++)
                    pool[k] = (unsigned char)((ts.tv_nsec >> (k % 24)) ^ (pool_pid >> (k % 16)) ^
                                              (k * 131u));
            }
            left = sizeof(pool);
        }
        c = pool[--left];
        out[2 * i] = "0123456789abcdef"[c >> 4];
        out[2 * i + 1] = "0123456789abcdef"[c & 15];
    }
    out[2 * nbytes] = '\0';
}

static void choose_request_id(xq_http *h)
{
    const char *in = xq_http_param(h, "HTTP_X_REQUEST_ID");
    size_t i, n;

    if (in != NULL && (n = strlen(in)) > 0 && n <= XQ_HTTP_REQID_MAX) {
        for (i = 0; i < n && reqid_char_ok((unsigned char)in[i]); i++)
            ;
        if (i == n) {
            memcpy(h->request_id, in, n + 1);
            return;
        }
    }
    random_hex(h->request_id, 16);
}

static void parse_content_length(xq_http *h)
{
    const char *cl = xq_http_param(h, "CONTENT_LENGTH");
    long long v = 0;
    size_t i, n;

    h->content_length = -1;
    h->content_length_bad = 0;
    if (cl == NULL || cl[0] == '\0')
        return;
    n = strlen(cl);
    if (n > 15) { /* ~1 PB: more than any web server would forward */
        h->content_length_bad = 1;
        return;
    }
    for (i = 0; i < n; i++) {
        if (cl[i] < '0' || cl[i] > '9') {
            h->content_length_bad = 1;
            return;
        }
        v = v * 10 + (cl[i] - '0');
    }
    h->content_length = v;
}

static void set_path(xq_http *h)
{
    const char *uri = xq_http_param(h, "REQUEST_URI");
    const char *sn, *pi, *q;
    int n;

    if (uri != NULL && uri[0] != '\0') {
        q = strchr(uri, '?');
        h->path = uri;
        h->path_len = q ? (size_t)(q - uri) : strlen(uri);
        return;
    }
    sn = xq_http_param(h, "SCRIPT_NAME");
    pi = xq_http_param(h, "PATH_INFO");
    n = snprintf(h->pathbuf, sizeof(h->pathbuf), "%s%s", sn ? sn : "", pi ? pi : "");
    h->path = h->pathbuf;
    h->path_len = (n < 0) ? 0 : ((size_t)n >= sizeof(h->pathbuf) ? sizeof(h->pathbuf) - 1
                                                                  : (size_t)n);
}

void xq_http_begin(xq_http *h, FCGX_Request *req)
{
    const char *m, *q;

    h->req = req;
    xq_buf_reset(&h->body);
    xq_buf_reset(&h->out);
    xq_buf_reset(&h->head);
    xq_buf_reset(&h->extra);
    h->responded = 0;
    h->status = 0;
    h->body_consumed = 0;
    h->auth_status = XQ_ERR_AUTH;
    memset(&h->principal, 0, sizeof(h->principal));
    h->match.route = NULL;
    h->match.nparams = 0;
    m = xq_http_param(h, "REQUEST_METHOD");
    h->method = m ? m : "";
    q = xq_http_param(h, "QUERY_STRING");
    h->query = q ? q : "";
    h->authorization = xq_http_param(h, "HTTP_AUTHORIZATION");
    h->content_type = xq_http_param(h, "CONTENT_TYPE");
    parse_content_length(h);
    set_path(h);
    choose_request_id(h);
    xq_log_set_request_id(h->request_id);
}

xq_status xq_http_query(const xq_http *h, const char *name, char *out, size_t outcap,
                        int *found)
{
    const char *p = h->query, *amp, *eq;
    char key[64];
    size_t klen, seglen;
    xq_status st;

    *found = 0;
    while (*p != '\0') {
        amp = strchr(p, '&');
        seglen = amp ? (size_t)(amp - p) : strlen(p);
        eq = memchr(p, '=', seglen);
        klen = eq ? (size_t)(eq - p) : seglen;
        st = xq_pct_decode(p, klen, 1, key, sizeof(key), NULL);
        if (st == XQ_ERR_INVALID)
            return st;
        if (st == XQ_OK && strcmp(key, name) == 0) {
            *found = 1;
            if (eq == NULL) {
                if (outcap == 0)
                    return XQ_ERR_TOO_BIG;
                out[0] = '\0';
                return XQ_OK;
            }
            return xq_pct_decode(eq + 1, seglen - klen - 1, 1, out, outcap, NULL);
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    return XQ_OK;
}

int xq_http_is_json(const xq_http *h)
{
    const char *ct = h->content_type;
    static const char want[] = "application/json";
    const char *p;

    if (ct == NULL || strncasecmp(ct, want, sizeof(want) - 1) != 0)
        return 0;
    p = ct + sizeof(want) - 1;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0' || *p == ';';
}

xq_status xq_http_read_body(xq_http *h, xq_err *err)
{
    long long want;
    int got;
    xq_status st;

    xq_buf_reset(&h->body);
    if (h->content_length_bad)
        return xq_err_set(err, XQ_ERR_INVALID, "Content-Length is not a number");
    want = h->content_length < 0 ? 0 : h->content_length;
    if (want > XQ_HTTP_BODY_MAX)
        return xq_err_set(err, XQ_ERR_TOO_BIG,
                          "request body of %lld bytes is over the %d byte limit",
                          want, XQ_HTTP_BODY_MAX);
    if (want == 0)
        return XQ_OK;
    if ((st = xq_buf_reserve(&h->body, (size_t)want)) != XQ_OK)
        return xq_err_set(err, st, "cannot allocate the request body");
    got = FCGX_GetStr(h->body.data, (int)want, h->req->in);
    if (got > 0)
        h->body_consumed += got;
    if (got != (int)want)
        return xq_err_set(err, XQ_ERR_INVALID, "request body shorter than Content-Length");
    h->body.len = (size_t)got;
    h->body.data[got] = '\0';
    return XQ_OK;
}

void xq_http_drain(xq_http *h)
{
    char junk[8192];
    long long left;
    int got, chunk;

    if (h->content_length <= 0 || h->body_consumed >= h->content_length)
        return;
    left = h->content_length - h->body_consumed;
    if (left > XQ_HTTP_DRAIN_MAX)
        left = XQ_HTTP_DRAIN_MAX;
    while (left > 0) {
        chunk = left > (long long)sizeof(junk) ? (int)sizeof(junk) : (int)left;
        got = FCGX_GetStr(junk, chunk, h->req->in);
        if (got <= 0)
            break;
        h->body_consumed += got;
        left -= got;
    }
}

static int header_value_ok(const char *v)
{
    for (; *v != '\0'; v++)
        if (*v == '\r' || *v == '\n')
            return 0;
    return 1;
}

xq_status xq_http_add_header(xq_http *h, const char *name, const char *value)
{
    if (!header_value_ok(name) || !header_value_ok(value) || strchr(name, ':') != NULL)
        return XQ_ERR_INVALID;
    return xq_buf_printf(&h->extra, "%s: %s\r\n", name, value);
}

static xq_status append_num(xq_buf *b, long long v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;

    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0 && i > 0);
    return xq_buf_append(b, tmp + i, sizeof(tmp) - i);
}

/* The head is assembled with plain appends: no printf on the hot path. */
xq_status xq_http_send_head(xq_http *h, int status, const char *content_type,
                            long long content_length)
{
    static const char std_headers[] = "Cache-Control: no-store\r\n"
                                      "X-Content-Type-Options: nosniff\r\n"
                                      "X-Request-Id: ";
    xq_buf *b = &h->head;
    xq_status st;

    if (h->responded)
        return XQ_ERR_INTERNAL;
    xq_http_drain(h);
    xq_buf_reset(b);
    st = xq_buf_append(b, "Status: ", 8);
    if (st == XQ_OK)
        st = append_num(b, status);
    if (st == XQ_OK)
        st = xq_buf_append_char(b, ' ');
    if (st == XQ_OK)
        st = xq_buf_append_str(b, xq_http_reason(status));
    if (st == XQ_OK && content_type != NULL) {
        st = xq_buf_append_str(b, "\r\nContent-Type: ");
        if (st == XQ_OK)
            st = xq_buf_append_str(b, content_type);
    }
    if (st == XQ_OK && content_length >= 0) {
        st = xq_buf_append_str(b, "\r\nContent-Length: ");
        if (st == XQ_OK)
            st = append_num(b, content_length);
    }
    if (st == XQ_OK)
        st = xq_buf_append(b, "\r\n", 2);
    if (st == XQ_OK)
        st = xq_buf_append(b, std_headers, sizeof(std_headers) - 1);
    if (st == XQ_OK)
        st = xq_buf_append_str(b, h->request_id);
    if (st == XQ_OK)
        st = xq_buf_append(b, "\r\n", 2);
    if (st == XQ_OK && h->extra.len > 0)
        st = xq_buf_append(b, h->extra.data, h->extra.len);
    if (st == XQ_OK)
        st = xq_buf_append(b, "\r\n", 2);
    if (st != XQ_OK)
        return st;
    h->responded = 1;
    h->status = status;
    if (FCGX_PutStr(b->data, (int)b->len, h->req->out) != (int)b->len)
        return XQ_ERR_IO;
    return XQ_OK;
}

xq_status xq_http_write(xq_http *h, const void *data, size_t n)
{
    size_t off = 0;
    int chunk, put;

    if (strcmp(h->method, "HEAD") == 0)
        return XQ_OK;
    while (off < n) {
        chunk = n - off > (1u << 30) ? (1 << 30) : (int)(n - off);
        put = FCGX_PutStr((const char *)data + off, chunk, h->req->out);
        if (put != chunk)
            return XQ_ERR_IO;
        off += (size_t)put;
    }
    return XQ_OK;
}

xq_status xq_http_json(xq_http *h, int status, const char *json, size_t n)
{
    xq_status st = xq_http_send_head(h, status, "application/json", (long long)n);

    if (st != XQ_OK)
        return st;
    return xq_http_write(h, json, n);
}

xq_status xq_http_error(xq_http *h, xq_status st, const char *message,
                        const char *details_json)
{
    int code = xq_status_http(st);
    xq_buf *b = &h->out;
    xq_status rc;

    if (code == 503 && strstr(xq_buf_str(&h->extra), "Retry-After:") == NULL)
        xq_http_add_header(h, "Retry-After", "5");
    xq_buf_reset(b);
    rc = xq_buf_printf(b, "{\"error\":{\"code\":\"%s\",\"message\":", xq_status_code(st));
    if (rc == XQ_OK)
        rc = xq_json_append_cstr(b, message ? message : xq_strerror(st));
    if (rc == XQ_OK)
        rc = xq_buf_printf(b, ",\"statusCode\":%d", code);
    if (rc == XQ_OK && details_json != NULL) {
        rc = xq_buf_append_str(b, ",\"details\":");
        if (rc == XQ_OK)
            rc = xq_buf_append_str(b, details_json);
    }
    if (rc == XQ_OK)
        rc = xq_buf_append_str(b, "}}");
    if (rc != XQ_OK) {
        /* Only reachable with absurd details: answer without them. */
        xq_buf_reset(b);
        if (xq_buf_printf(b,
                          "{\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":\"internal error\","
                          "\"statusCode\":500}}") != XQ_OK)
            return XQ_ERR_NOMEM;
        code = 500;
    }
    return xq_http_json(h, code, b->data, b->len);
}
