/*
 * fmt.c - the format table and the buffered file sink CSV and JSON share.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"

const struct xq_format_ops *xq_fmt_ops(xq_format f)
{
    switch (f) {
    case XQ_FMT_CSV:
        return &xq_fmt_csv_ops;
    case XQ_FMT_JSON:
        return &xq_fmt_json_ops;
    case XQ_FMT_XLSX:
        return &xq_fmt_xlsx_ops;
    default:
        return NULL;
    }
}

xq_status xq_fmt_errno(xq_err *err, int e, const char *what)
{
    if (e == ENOSPC || e == EDQUOT)
        return xq_err_set(err, XQ_ERR_NOSPC, "%s: no space left on the export file system",
                          what);
    if (e == ENOMEM)
        return xq_err_set(err, XQ_ERR_NOMEM, "%s: out of memory", what);
    return xq_err_set(err, XQ_ERR_IO, "%s: %s", what, strerror(e));
}

xq_status xq_sink_open(xq_sink *s, const char *path, xq_err *err)
{
    xq_buf_init(&s->buf, XQ_SINK_FLUSH * 2 + 4 * 1024 * 1024);
    s->bytes = 0;
    s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (s->fd < 0)
        return xq_fmt_errno(err, errno, "export file: cannot create");
    if (xq_buf_reserve(&s->buf, XQ_SINK_FLUSH * 2) != XQ_OK) {
        xq_sink_discard(s);
        return xq_err_set(err, XQ_ERR_NOMEM, "export file: out of memory");
    }
    return XQ_OK;
}

xq_status xq_sink_flush(xq_sink *s, xq_err *err)
{
    size_t off = 0;

    while (off < s->buf.len) {
        ssize_t k = write(s->fd, s->buf.data + off, s->buf.len - off);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return xq_fmt_errno(err, errno, "export file: write failed");
        }
        off += (size_t)k;
    }
    s->bytes += (long long)off;
    xq_buf_reset(&s->buf);
    return XQ_OK;
}

xq_status xq_sink_maybe_flush(xq_sink *s, xq_err *err)
{
    return s->buf.len >= XQ_SINK_FLUSH ? xq_sink_flush(s, err) : XQ_OK;
}

xq_status xq_sink_close(xq_sink *s, xq_err *err)
{
    xq_status st = xq_sink_flush(s, err);

    if (s->fd >= 0 && close(s->fd) != 0 && st == XQ_OK)
        st = xq_fmt_errno(err, errno, "export file: close failed");
    s->fd = -1;
    xq_buf_cleanup(&s->buf);
    return st;
}

void xq_sink_discard(xq_sink *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    xq_buf_cleanup(&s->buf);
}

int xq_json_number_valid(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i == n;
}
