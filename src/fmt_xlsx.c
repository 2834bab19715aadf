/*
 * fmt_xlsx.c - .xlsx writer over libxlsxwriter in constant-memory mode
 * (SPEC §3, §10): sheet "Export" with a bold frozen header, autofilter and
 * column widths; numbers as numbers; timestamps as Excel date-times of the
 * request zone's wall time; "Export 2", "Export 3", ... past the per-sheet
 * row limit; a "Metadata" sheet of key/value rows.  Text is written as
 * text (never a formula, so no guard), cleaned of characters XML 1.0
 * forbids and cut at 32,767 code points.
 *
 * libxlsxwriter writes the .xlsx only in workbook_close() (the zip step,
 * most of the run time for large files; no progress callback there).  Its
 * per-sheet temporary files go in the export directory, not /tmp.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "fmt.h"
#include "jsonstr.h"

#define XLSX_SHEET_ROWS_MAX (LXW_ROW_MAX - 1) /* data rows under the header */

static const char REPL[3] = {'\xEF', '\xBF', '\xBD'};

xq_status xq_xlsx_clean(xq_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, cps = 0;
    xq_status st = XQ_OK;

    xq_buf_reset(out);
    if ((st = xq_buf_append(out, "", 0)) != XQ_OK) /* "" even when nothing is kept */
        return st;
    while (i < n && cps < XQ_XLSX_TEXT_MAX && st == XQ_OK) {
        unsigned cp;
        size_t k;

        if (u[i] < 0x80) {
            /* XML 1.0 Char: TAB, LF, CR and >= 0x20; other C0 controls are dropped */
            if (u[i] >= 0x20 || u[i] == '\t' || u[i] == '\n' || u[i] == '\r') {
                st = xq_buf_append_char(out, (char)u[i]);
                cps++;
            }
            i++;
            continue;
        }
        k = xq_utf8_seq(u + i, n - i, &cp);
        if (k == 0) {
            st = xq_buf_append(out, REPL, sizeof(REPL));
            i++;
        } else if (cp == 0xFFFE || cp == 0xFFFF) {
            i += k; /* noncharacters XML excludes; surrogates are already ill-formed */
            continue;
        } else {
            st = xq_buf_append(out, s + i, k);
            i += k;
        }
        cps++;
    }
    return st;
}

/* 1 when s[0..n) can be written as is: ASCII without forbidden controls
 * and short enough that the code point limit cannot apply. */
static int clean_already(const char *s, size_t n)
{
    size_t i;

    if (n > XQ_XLSX_TEXT_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            return 0;
    }
    return 1;
}

typedef struct xlsx_state {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_format *date;
    const xq_column *cols;
    int ncols;
    long sheet_rows;     /* data rows per sheet */
    long row_in_sheet;   /* data rows on the current sheet */
    int sheets;
    long long rows;
    const xq_fmt_meta *meta;
    xq_buf text;
    char tmpdir[4096];
} xlsx_state;

static xq_status lxw_fail(xq_err *err, lxw_error e, const char *what)
{
    if (errno == ENOSPC || errno == EDQUOT)
        return xq_fmt_errno(err, errno, what);
    return xq_err_set(err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? XQ_ERR_NOMEM : XQ_ERR_IO,
                      "%s: %s", what, lxw_strerror(e));
}

/* Put the autofilter on the sheet being finished (it needs the last row). */
static void finish_sheet(xlsx_state *x)
{
    if (x->ws != NULL)
        worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)x->row_in_sheet, (lxw_col_t)(x->ncols - 1));
}

static xq_status new_sheet(xlsx_state *x, xq_err *err)
{
    char name[32];
    lxw_error e;
    int i;

    finish_sheet(x);
    x->sheets++;
    if (x->sheets == 1)
        snprintf(name, sizeof(name), "Export");
    else
        snprintf(name, sizeof(name), "Export %d", x->sheets);
    errno = 0;
    /* in constant-memory mode this creates the sheet's temporary file */
    if ((x->ws = workbook_add_worksheet(x->wb, name)) == NULL)
        return xq_fmt_errno(err, errno ? errno : ENOMEM, "xlsx: cannot add a sheet");
    x->row_in_sheet = 0;
    for (i = 0; i < x->ncols; i++)
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, x->cols[i].width, NULL);
    worksheet_freeze_panes(x->ws, 1, 0);
    for (i = 0; i < x->ncols; i++) {
        e = worksheet_write_string(x->ws, 0, (lxw_col_t)i, x->cols[i].name, x->bold);
        if (e != LXW_NO_ERROR)
            return lxw_fail(err, e, "xlsx: header");
    }
    return XQ_OK;
}

static xq_status xlsx_begin(void **state, const char *path, const xq_column *cols, int ncols,
                            const xq_fmt_meta *meta, xq_err *err)
{
    lxw_workbook_options opt;
    xlsx_state *x = calloc(1, sizeof(*x));
    const char *slash;
    xq_status st;

    *state = NULL;
    if (x == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "xlsx: out of memory");
    xq_buf_init(&x->text, 4 * XQ_XLSX_TEXT_MAX + 16);
    x->cols = cols;
    x->ncols = ncols;
    x->meta = meta;
    x->sheet_rows = meta->sheet_rows > 0 && meta->sheet_rows < XLSX_SHEET_ROWS_MAX
                        ? meta->sheet_rows : XLSX_SHEET_ROWS_MAX;
    slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(x->tmpdir, sizeof(x->tmpdir), ".");
    else
        snprintf(x->tmpdir, sizeof(x->tmpdir), "%.*s", (int)(slash - path + (slash == path)),
                 path);
    memset(&opt, 0, sizeof(opt));
    opt.constant_memory = LXW_TRUE;
    opt.tmpdir = x->tmpdir;
    opt.use_zip64 = LXW_TRUE; /* sheets of a 5M-row export pass 4 GB uncompressed */
    *state = x;
    errno = 0;
    if ((x->wb = workbook_new_opt(path, &opt)) == NULL)
        return xq_fmt_errno(err, errno ? errno : ENOMEM, "xlsx: cannot create workbook");
    if ((x->bold = workbook_add_format(x->wb)) == NULL ||
        (x->date = workbook_add_format(x->wb)) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "xlsx: out of memory");
    format_set_bold(x->bold);
    format_set_num_format(x->date, "yyyy-mm-dd hh:mm:ss.000");
    st = new_sheet(x, err);
    return st;
}

static xq_status xlsx_row(void *state, const xq_cell *cells, xq_err *err)
{
    xlsx_state *x = state;
    lxw_row_t r;
    xq_status st;
    lxw_error e = LXW_NO_ERROR;
    int i;

    if (x->row_in_sheet >= x->sheet_rows && (st = new_sheet(x, err)) != XQ_OK)
        return st;
    r = (lxw_row_t)(x->row_in_sheet + 1);
    for (i = 0; i < x->ncols && e == LXW_NO_ERROR; i++) {
        const xq_cell *c = &cells[i];
        lxw_col_t col = (lxw_col_t)i;

        if (c->null)
            continue; /* a blank cell */
        switch (x->cols[i].kind) {
        case XQ_COL_INT:
        case XQ_COL_NUMBER: {
            char *end;
            double v = strtod(c->s, &end);

            if (end != c->s && *end == '\0' && v == v && v - v == 0)
                e = worksheet_write_number(x->ws, r, col, v, NULL);
            break;
        }
        case XQ_COL_TIMESTAMP:
            e = worksheet_write_number(x->ws, r, col, xq_time_excel_serial(c->local_ms), x->date);
            break;
        default:
            if (c->len == 0)
                break;
            if (clean_already(c->s, c->len)) {
                e = worksheet_write_string(x->ws, r, col, c->s, NULL);
            } else {
                if ((st = xq_xlsx_clean(&x->text, c->s, c->len)) != XQ_OK)
                    return xq_err_set(err, st, "xlsx: text cell: %s", xq_strerror(st));
                if (x->text.len > 0)
                    e = worksheet_write_string(x->ws, r, col, x->text.data, NULL);
            }
            break;
        }
    }
    if (e != LXW_NO_ERROR)
        return lxw_fail(err, e, "xlsx: row");
    x->row_in_sheet++;
    x->rows++;
    return XQ_OK;
}

static xq_status metadata_sheet(xlsx_state *x, xq_err *err)
{
    const xq_export_request *r = x->meta->req;
    lxw_worksheet *ws;
    xq_buf filters;
    lxw_error e;
    xq_status st;
    lxw_row_t row = 0;

    errno = 0;
    if ((ws = workbook_add_worksheet(x->wb, "Metadata")) == NULL)
        return xq_fmt_errno(err, errno ? errno : ENOMEM, "xlsx: cannot add the Metadata sheet");
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    /* filters as the same JSON object the JSON format carries */
    xq_buf_init(&filters, 4 * 1024);
    st = xq_buf_append_str(&filters, "{\"startDate\":");
    if (st == XQ_OK)
        st = xq_json_append_cstr(&filters, r->start_date);
    if (st == XQ_OK)
        st = xq_buf_append_str(&filters, ",\"endDate\":");
    if (st == XQ_OK)
        st = xq_json_append_cstr(&filters, r->end_date);
    if (st == XQ_OK && r->user_id && (st = xq_buf_append_str(&filters, ",\"userId\":")) == XQ_OK)
        st = xq_json_append_cstr(&filters, r->user_id);
    if (st == XQ_OK && r->model_id && (st = xq_buf_append_str(&filters, ",\"modelId\":")) == XQ_OK)
        st = xq_json_append_cstr(&filters, r->model_id);
    if (st == XQ_OK && r->provider && (st = xq_buf_append_str(&filters, ",\"provider\":")) == XQ_OK)
        st = xq_json_append_cstr(&filters, r->provider);
    if (st == XQ_OK)
        st = xq_buf_append_char(&filters, '}');
    if (st != XQ_OK) {
        xq_buf_cleanup(&filters);
        return xq_err_set(err, st, "xlsx: metadata: %s", xq_strerror(st));
    }
    e = worksheet_write_string(ws, row, 0, "key", x->bold);
    if (!e) e = worksheet_write_string(ws, row++, 1, "value", x->bold);
    if (!e) e = worksheet_write_string(ws, row, 0, "exportType", NULL);
    if (!e) e = worksheet_write_string(ws, row++, 1, xq_export_type_name(r->type), NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "format", NULL);
    if (!e) e = worksheet_write_string(ws, row++, 1, xq_format_name(r->format), NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "filters", NULL);
    if (!e) e = worksheet_write_string(ws, row++, 1, filters.data, NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "timezone", NULL);
    if (!e) e = worksheet_write_string(ws, row++, 1, r->timezone, NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "recordCount", NULL);
    if (!e) e = worksheet_write_number(ws, row++, 1, (double)x->rows, NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "exportedAt", NULL);
    if (!e) e = worksheet_write_string(ws, row++, 1, x->meta->exported_at, NULL);
    if (!e) e = worksheet_write_string(ws, row, 0, "jobId", NULL);
    if (!e && x->meta->job_id) e = worksheet_write_string(ws, row, 1, x->meta->job_id, NULL);
    xq_buf_cleanup(&filters);
    if (e != LXW_NO_ERROR)
        return lxw_fail(err, e, "xlsx: metadata");
    return XQ_OK;
}

static void xlsx_free(xlsx_state *x)
{
    xq_buf_cleanup(&x->text);
    free(x);
}

static xq_status xlsx_end(void *state, long long rows, xq_err *err)
{
    xlsx_state *x = state;
    xq_status st;
    lxw_error e;

    (void)rows;
    finish_sheet(x);
    if ((st = metadata_sheet(x, err)) != XQ_OK) {
        lxw_workbook_free(x->wb);
        xlsx_free(x);
        return st;
    }
    errno = 0;
    e = workbook_close(x->wb); /* writes the zip and frees the workbook */
    x->wb = NULL;
    if (e != LXW_NO_ERROR)
        st = lxw_fail(err, e, "xlsx: writing the file");
    xlsx_free(x);
    return st;
}

static void xlsx_abort(void *state)
{
    xlsx_state *x = state;

    if (x == NULL)
        return;
    lxw_workbook_free(x->wb); /* closes the temporary sheet files; writes nothing */
    xlsx_free(x);
}

const struct xq_format_ops xq_fmt_xlsx_ops = {"excel", xlsx_begin, xlsx_row, xlsx_end, xlsx_abort};
