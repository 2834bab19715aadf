/*
 * fmt.h - the writer interface the export engine streams rows into, and the
 * pure pieces of each format (quoting, cleaning) that unit tests call.
 *
 * A writer is driven as begin, row * N, then end (success: file complete
 * and closed, state freed) or abort (failure or cancel: state freed, file
 * left for the engine to unlink).  Writers never rename or unlink; the
 * engine owns the temporary path.  Memory stays bounded per row.
 */
#ifndef XQ_FMT_H
#define XQ_FMT_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "request.h"
#include "timefmt.h"

typedef enum {
    XQ_COL_TEXT = 0,   /* NULL written as "" */
    XQ_COL_INT,        /* NULL written as JSON null / empty cell */
    XQ_COL_NUMBER,     /* decimal text from PostgreSQL, e.g. spend */
    XQ_COL_TIMESTAMP   /* wall time in the request zone + offset */
} xq_col_kind;

typedef struct xq_column {
    const char *name;  /* SPEC column name, also the JSON key */
    xq_col_kind kind;
    double width;      /* XLSX column width in characters */
} xq_column;

/* One value of a row; borrowed for the duration of the row() call. */
typedef struct xq_cell {
    const char *s;      /* text (for TIMESTAMP: the ISO 8601 form); not NUL-terminated */
    size_t len;
    int null;
    long long local_ms; /* TIMESTAMP: wall time in ms since 1970-01-01 */
    int offset_s;       /* TIMESTAMP: UTC offset in seconds */
} xq_cell;

typedef struct xq_fmt_meta {
    const xq_export_request *req;  /* borrowed */
    const char *job_id;            /* NULL for a sync export */
    char exported_at[XQ_TIME_ISO_MAX]; /* UTC, "...Z" */
    long long record_count;        /* exact rows, known before begin (same snapshot) */
    long sheet_rows;               /* XLSX data rows per sheet; 0 = 1,048,575 */
    /*
     * XLSX close phase (the zip step, which has no callback of its own):
     * end() calls close_tick about every close_tick_ms while the file is
     * being written, with done = the estimated fraction of that work done
     * (0..1), or -1 when it cannot be measured.  Non-zero cancels: end()
     * stops the writing within about close_tick_ms + 100 ms and returns
     * XQ_ERR_CANCELLED.  May be NULL.
     */
    int (*close_tick)(void *ctx, double done);
    void *close_ctx;
    long close_tick_ms;
} xq_fmt_meta;

struct xq_format_ops {
    const char *name;
    /* Create path and write what comes before the rows (header, metadata). */
    xq_status (*begin)(void **state, const char *path, const xq_column *cols, int ncols,
                       const xq_fmt_meta *meta, xq_err *err);
    xq_status (*row)(void *state, const xq_cell *cells, xq_err *err);
    /* Write the rest, flush and close the file; frees state on every path.
     * (XLSX: in a forked child, with meta->close_tick meanwhile.) */
    xq_status (*end)(void *state, long long rows, xq_err *err);
    void (*abort)(void *state);  /* state may be NULL */
};

/* The writer of a format (static). */
const struct xq_format_ops *xq_fmt_ops(xq_format f);

extern const struct xq_format_ops xq_fmt_csv_ops;
extern const struct xq_format_ops xq_fmt_json_ops;
extern const struct xq_format_ops xq_fmt_xlsx_ops;

/*
 * A file written through a bounded buffer.  Errors name the path's base
 * only; ENOSPC becomes XQ_ERR_NOSPC, other failures XQ_ERR_IO.
 */
typedef struct xq_sink {
    int fd;
    xq_buf buf;
    long long bytes;    /* written to the file so far */
} xq_sink;

#define XQ_SINK_FLUSH (256 * 1024)
xq_status xq_sink_open(xq_sink *s, const char *path, xq_err *err);
xq_status xq_sink_flush(xq_sink *s, xq_err *err);         /* write out buf */
xq_status xq_sink_maybe_flush(xq_sink *s, xq_err *err);   /* when buf >= XQ_SINK_FLUSH */
xq_status xq_sink_close(xq_sink *s, xq_err *err);         /* flush + close */
void xq_sink_discard(xq_sink *s);                         /* close, data dropped */
xq_status xq_fmt_errno(xq_err *err, int e, const char *what);

/* Pure pieces. */

/* CSV field per SPEC §3: text gets the formula guard (when guard) and is
 * quoted when it holds , " CR or LF; ill-formed UTF-8 becomes U+FFFD.
 * Numbers are written unchanged. */
xq_status xq_csv_field(xq_buf *b, const char *s, size_t n, int is_text, int guard);

/* XLSX text: ill-formed UTF-8 -> U+FFFD, characters XML 1.0 forbids removed,
 * cut at XQ_XLSX_TEXT_MAX code points; out is reset first. */
#define XQ_XLSX_TEXT_MAX 32767
xq_status xq_xlsx_clean(xq_buf *out, const char *s, size_t n);

/* 1 when s[0..n) is a JSON number (PostgreSQL's NaN/Infinity are not). */
int xq_json_number_valid(const char *s, size_t n);

#endif
