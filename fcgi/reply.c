/*
 * reply.c - shared answers of the API routes (see reply.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonstr.h"
#include "reply.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

xq_status xq_reply_obj(xq_http *h, int status, json_object *obj)
{
    size_t n = 0;
    const char *text = json_object_to_json_string_length(obj, JSON_FLAGS, &n);

    if (text == NULL)
        return XQ_ERR_NOMEM;
    return xq_http_json(h, status, text, n);
}

static xq_status details_append(xq_buf *b, const char *field, const char *msg)
{
    xq_status st = xq_buf_append_str(b, b->len > 1 ? ",{\"field\":" : "{\"field\":");

    if (st == XQ_OK)
        st = xq_json_append_cstr(b, field);
    if (st == XQ_OK)
        st = xq_buf_append_str(b, ",\"message\":");
    if (st == XQ_OK)
        st = xq_json_append_cstr(b, msg);
    if (st == XQ_OK)
        st = xq_buf_append_char(b, '}');
    return st;
}

xq_status xq_reply_invalid(xq_http *h, const char *message, const xq_field_errors *fe)
{
    xq_buf d;
    xq_status st;
    int i;

    xq_buf_init(&d, 8192);
    st = xq_buf_append_char(&d, '[');
    for (i = 0; st == XQ_OK && fe != NULL && i < fe->count && i < XQ_FIELD_ERRORS_MAX; i++)
        st = details_append(&d, fe->e[i].field, fe->e[i].message);
    if (st == XQ_OK)
        st = xq_buf_append_char(&d, ']');
    if (st == XQ_OK)
        st = xq_http_error(h, XQ_ERR_INVALID, message, xq_buf_str(&d));
    xq_buf_cleanup(&d);
    return st;
}

xq_status xq_reply_invalid_field(xq_http *h, const char *field, const char *why)
{
    xq_field_errors fe;
    char msg[240];

    memset(&fe, 0, sizeof(fe));
    fe.count = 1;
    snprintf(fe.e[0].field, sizeof(fe.e[0].field), "%s", field);
    snprintf(fe.e[0].message, sizeof(fe.e[0].message), "%s", why);
    snprintf(msg, sizeof(msg), "%s: %s", field, why);
    return xq_reply_invalid(h, msg, &fe);
}

xq_status xq_reply_limit(xq_http *h, long retry_after_s, const char *message)
{
    char v[24];

    snprintf(v, sizeof(v), "%ld", retry_after_s < 1 ? 1L : retry_after_s);
    xq_http_add_header(h, "Retry-After", v);
    return xq_http_error(h, XQ_ERR_LIMIT, message, NULL);
}

int xq_parse_count(const char *s, long long max, long long *out)
{
    long long v = 0;
    size_t i;

    if (s == NULL || s[0] == '\0' || strlen(s) > 18)
        return 0;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

static xq_status page_param(xq_http *h, const char *name, long long min, long long max,
                            long long dflt, long *out)
{
    char v[32], why[96];
    long long n;
    int found = 0;

    if (xq_http_query(h, name, v, sizeof(v), &found) != XQ_OK ||
        (found && (!xq_parse_count(v, max, &n) || n < min))) {
        snprintf(why, sizeof(why), max < 1000000000LL ? "must be an integer from %lld to %lld"
                                                      : "must be an integer >= %lld",
                 min, max);
        xq_reply_invalid_field(h, name, why);
        return XQ_ERR_INVALID;
    }
    *out = (long)(found ? n : dflt);
    return XQ_OK;
}

xq_status xq_reply_page(xq_http *h, long *limit, long *offset)
{
    xq_status st = page_param(h, "limit", 1, XQ_PAGE_LIMIT_MAX, XQ_PAGE_LIMIT_DEFAULT, limit);

    if (st == XQ_OK)
        st = page_param(h, "offset", 0, 1000000000LL, 0, offset); /* xq_queue_list_*() max */
    return st;
}

int xq_job_visible(const xq_principal *p, const xq_job *job)
{
    if (p->is_admin)
        return 1;
    return job->owner != NULL && strcmp(job->owner, p->user_id) == 0;
}

long long xq_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* {"jobs": [job objects], "total": n} */
xq_status xq_reply_job_list(xq_app *app, xq_http *h, xq_job **jobs, size_t n, long long total,
                            xq_err *err)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array(), *j;
    long long now = xq_now_ms();
    xq_status st = XQ_OK;
    size_t i;

    if (o == NULL || a == NULL) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((j = xq_job_to_api_json(jobs[i], app->cfg, now)) == NULL ||
            json_object_array_add(a, j) != 0) {
            json_object_put(j);
            st = xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (json_object_object_add(o, "jobs", a) != 0) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    a = NULL;
    if (json_object_object_add(o, "total", json_object_new_int64(total)) != 0) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = xq_reply_obj(h, 200, o);
out:
    json_object_put(a);
    json_object_put(o);
    return st;
}

xq_status xq_add_disposition(xq_http *h, const char *display)
{
    char v[160];

    snprintf(v, sizeof(v), "attachment; filename=\"%s\"", display);
    return xq_http_add_header(h, "Content-Disposition", v);
}

xq_status xq_reply_stream_fd(xq_http *h, int fd, long long size, xq_err *err)
{
    char *chunk = NULL;
    long long left = size;
    ssize_t n;
    xq_status st = XQ_OK;

    if (strcmp(h->method, "HEAD") == 0)
        return XQ_OK;
    if ((chunk = malloc(XQ_REPLY_CHUNK)) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "out of memory");
    while (left > 0) {
        n = read(fd, chunk, left < XQ_REPLY_CHUNK ? (size_t)left : XQ_REPLY_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st = xq_err_set(err, XQ_ERR_IO, "file ended %lld bytes early", left);
            break;
        }
        if ((st = xq_http_write(h, chunk, (size_t)n)) != XQ_OK) {
            xq_err_set(err, st, "client went away");
            break;
        }
        left -= n;
    }
    free(chunk);
    return st;
}
