/*
 * buf.c - bounded growable buffer.  Growth doubles (amortised O(1)) but never
 * allocates past max + 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void xq_buf_init(xq_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void xq_buf_cleanup(xq_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void xq_buf_reset(xq_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

xq_status xq_buf_reserve(xq_buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (n > b->max || b->len > b->max - n)
        return XQ_ERR_TOO_BIG;
    need = b->len + n + 1;
    if (need <= b->cap)
        return XQ_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    p = realloc(b->data, cap);
    if (p == NULL)
        return XQ_ERR_NOMEM;
    if (b->data == NULL)
        p[0] = '\0'; /* a fresh buffer is "" too, as the header promises */
    b->data = p;
    b->cap = cap;
    return XQ_OK;
}

xq_status xq_buf_append(xq_buf *b, const void *data, size_t n)
{
    xq_status st = xq_buf_reserve(b, n);

    if (st != XQ_OK)
        return st;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return XQ_OK;
}

xq_status xq_buf_append_str(xq_buf *b, const char *s)
{
    return xq_buf_append(b, s, strlen(s));
}

xq_status xq_buf_append_char(xq_buf *b, char c)
{
    return xq_buf_append(b, &c, 1);
}

xq_status xq_buf_vprintf(xq_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    xq_status st;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return XQ_ERR_INVALID;
    st = xq_buf_reserve(b, (size_t)n);
    if (st != XQ_OK)
        return st;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return XQ_OK;
}

xq_status xq_buf_printf(xq_buf *b, const char *fmt, ...)
{
    va_list ap;
    xq_status st;

    va_start(ap, fmt);
    st = xq_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

const char *xq_buf_str(const xq_buf *b)
{
    return b->data != NULL ? b->data : "";
}

char *xq_buf_steal(xq_buf *b)
{
    char *p = b->data;

    if (p == NULL)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
