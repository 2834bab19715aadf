/*
 * buf.h - growable byte buffer with a hard maximum (curl's dynbuf).
 *
 * A buffer is embedded (xq_buf_init/xq_buf_cleanup).  Every append fails with
 * XQ_ERR_TOO_BIG once the content would pass `max` bytes, and with
 * XQ_ERR_NOMEM when allocation fails; the content is then left unchanged.
 * The data is always NUL-terminated (the NUL is not counted in len), so a
 * buffer of text can be passed where a C string is expected.
 */
#ifndef XQ_BUF_H
#define XQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "error.h"

typedef struct xq_buf {
    char *data;  /* NULL until the first append; owned by the buffer */
    size_t len;  /* bytes in use, not counting the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* largest len allowed */
} xq_buf;

void xq_buf_init(xq_buf *b, size_t max);
void xq_buf_cleanup(xq_buf *b);            /* b may be NULL */
void xq_buf_reset(xq_buf *b);              /* len = 0, memory kept */

xq_status xq_buf_append(xq_buf *b, const void *data, size_t n);
xq_status xq_buf_append_str(xq_buf *b, const char *s);
xq_status xq_buf_append_char(xq_buf *b, char c);
xq_status xq_buf_printf(xq_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
xq_status xq_buf_vprintf(xq_buf *b, const char *fmt, va_list ap);

/* Make room for n more bytes without changing len. */
xq_status xq_buf_reserve(xq_buf *b, size_t n);

/* The text so far: never NULL ("" when empty); borrowed from the buffer. */
const char *xq_buf_str(const xq_buf *b);

/*
 * Hand the data to the caller, who frees it with free(); the buffer is left
 * empty.  Returns NULL only when allocation of an empty string fails.
 */
char *xq_buf_steal(xq_buf *b);

#endif
