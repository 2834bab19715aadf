/*
 * fmt_csv.c - CSV writer (SPEC §3, §10): UTF-8, RFC 4180 with CRLF after
 * every record, the formula-injection guard on text columns only, an
 * optional BOM.  Ill-formed UTF-8 from the database becomes U+FFFD so the
 * file is always valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "jsonstr.h"

static const char REPL[3] = {'\xEF', '\xBF', '\xBD'};

/* Bytes that make a field need quotes. */
static int needs_quotes(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return 1;
    }
    return 0;
}

xq_status xq_csv_field(xq_buf *b, const char *s, size_t n, int is_text, int guard)
{
    const unsigned char *u = (const unsigned char *)s;
    xq_status st;
    size_t i, run;
    int quote;

    if (!is_text)
        return xq_buf_append(b, s, n);
    quote = needs_quotes(s, n);
    /* worst case: guard + quotes + every byte doubled or replaced by 3 */
    if ((st = xq_buf_reserve(b, 3 + 3 * n)) != XQ_OK)
        return st;
    /* xq_buf_reserve() alone leaves a fresh buffer without its NUL */
    if ((st = xq_buf_append(b, "", 0)) != XQ_OK)
        return st;
    if (quote && (st = xq_buf_append_char(b, '"')) != XQ_OK)
        return st;
    if (guard && n > 0 &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
         s[0] == '\r') &&
        (st = xq_buf_append_char(b, '\'')) != XQ_OK)
        return st;
    i = 0;
    while (i < n) {
        /* copy the longest run of plain ASCII that needs no change at once */
        run = i;
        while (run < n && u[run] < 0x80 && u[run] != '"')
            run++;
        if (run > i && (st = xq_buf_append(b, s + i, run - i)) != XQ_OK)
            return st;
        i = run;
        if (i >= n)
            break;
        if (u[i] == '"') {
            if ((st = xq_buf_append(b, "\"\"", 2)) != XQ_OK)
                return st;
            i++;
        } else {
            size_t k = xq_utf8_seq(u + i, n - i, NULL);

            if (k == 0) {
                st = xq_buf_append(b, REPL, sizeof(REPL));
                i++;
            } else {
                st = xq_buf_append(b, s + i, k);
                i += k;
            }
            if (st != XQ_OK)
                return st;
        }
    }
    if (quote && (st = xq_buf_append_char(b, '"')) != XQ_OK)
        return st;
    return XQ_OK;
}

typedef struct csv_state {
    xq_sink sink;
    const xq_column *cols;
    int ncols;
    int guard;
} csv_state;

static xq_status csv_begin(void **state, const char *path, const xq_column *cols, int ncols,
                           const xq_fmt_meta *meta, xq_err *err)
{
    csv_state *c = calloc(1, sizeof(*c));
    xq_status st;
    int i;

    *state = NULL;
    if (c == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "csv: out of memory");
    c->cols = cols;
    c->ncols = ncols;
    c->guard = meta->req->formula_guard;
    if ((st = xq_sink_open(&c->sink, path, err)) != XQ_OK) {
        free(c);
        return st;
    }
    *state = c;
    if (meta->req->csv_bom && (st = xq_buf_append(&c->sink.buf, "\xEF\xBB\xBF", 3)) != XQ_OK)
        return xq_err_set(err, st, "csv: %s", xq_strerror(st));
    for (i = 0; i < ncols; i++) {
        if ((i > 0 && (st = xq_buf_append_char(&c->sink.buf, ',')) != XQ_OK) ||
            (st = xq_csv_field(&c->sink.buf, cols[i].name, strlen(cols[i].name), 1, 0)) !=
                XQ_OK)
            return xq_err_set(err, st, "csv: %s", xq_strerror(st));
    }
    if ((st = xq_buf_append(&c->sink.buf, "\r\n", 2)) != XQ_OK)
        return xq_err_set(err, st, "csv: %s", xq_strerror(st));
    return XQ_OK;
}

static xq_status csv_row(void *state, const xq_cell *cells, xq_err *err)
{
    csv_state *c = state;
    xq_status st = XQ_OK;
    int i;

    for (i = 0; i < c->ncols && st == XQ_OK; i++) {
        if (i > 0)
            st = xq_buf_append_char(&c->sink.buf, ',');
        if (st == XQ_OK && !cells[i].null)
            st = xq_csv_field(&c->sink.buf, cells[i].s, cells[i].len,
                              c->cols[i].kind == XQ_COL_TEXT, c->guard);
    }
    if (st == XQ_OK)
        st = xq_buf_append(&c->sink.buf, "\r\n", 2);
    if (st != XQ_OK)
        return xq_err_set(err, st, "csv: row too large or out of memory");
    return xq_sink_maybe_flush(&c->sink, err);
}

static xq_status csv_end(void *state, long long rows, xq_err *err)
{
    csv_state *c = state;
    xq_status st = xq_sink_close(&c->sink, err);

    (void)rows;
    free(c);
    return st;
}

static void csv_abort(void *state)
{
    csv_state *c = state;

    if (c == NULL)
        return;
    xq_sink_discard(&c->sink);
    free(c);
}

const struct xq_format_ops xq_fmt_csv_ops = {"csv", csv_begin, csv_row, csv_end, csv_abort};
