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
 * about half the run time for large files; no progress callback there).  Its
 * per-sheet temporary files go in the export directory, not /tmp.
 *
 * So that the close phase reports progress and can be cancelled within the
 * SPEC's 2 s, workbook_close() runs in a forked child (close_in_child):
 * the child inherits the workbook and its open temporary files, closes it
 * and _exit()s with a status; the parent polls waitpid(), estimates how far
 * the child is from the bytes it has read (/proc/<pid>/io rchar against
 * the size of the sheet temporary files) and calls meta->close_tick.  On a
 * cancel the parent SIGKILLs and reaps the child.  The parent then frees
 * its own copy of the workbook without writing anything.
 *
 * fork() from a threaded process (the worker's keeper thread): the child
 * calls only workbook_close(), whose allocations and stdio are safe after
 * glibc's fork() (it takes the malloc arena locks and the stdio list lock
 * around fork and resets them in the child), then _exit().  It never runs
 * atexit handlers, never flushes inherited stdio buffers (fflush(NULL)
 * before fork empties them) and never touches the libpq or Redis sockets
 * it inherits.  doc/export.md has the longer argument and its limits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

/*
 * How workbook_close() reads, measured with libxlsxwriter 1.1.4 on 1M rows
 * (doc/export.md): it first copies each sheet's row data into the sheet's
 * XML file (reading the temporary files once: rchar 0 -> 1x their size, in
 * about 8% of the close time), then reads that XML again to deflate it
 * (1x -> 2x, the other 92%, at a steady rate).  The work done is weighed
 * accordingly.
 */
#define XLSX_COPY_WEIGHT 0.08
/* Child exit status: the lxw_error, plus this bit for a full disk. */
#define XLSX_CHILD_NOSPC 64
#define XLSX_POLL_NS (50 * 1000 * 1000)

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Flush the sheets' temporary files and add up their sizes: the data the
 * close phase has to copy and deflate.  0 when unknown. */
static long long sheet_bytes(lxw_workbook *wb)
{
    lxw_worksheet *ws;
    struct stat sb;
    long long total = 0;

    LXW_FOREACH_WORKSHEET(ws, wb) {
        if (ws->optimize_tmpfile == NULL)
            continue;
        if (fflush(ws->optimize_tmpfile) != 0 || fstat(fileno(ws->optimize_tmpfile), &sb) != 0)
            return 0;
        total += (long long)sb.st_size;
    }
    return total;
}

/* Bytes the process has read so far (rchar of /proc/<pid>/io); -1 when
 * unreadable (no /proc, or not allowed). */
static long long child_rchar(pid_t pid)
{
    char path[64], line[128];
    long long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/io", (long)pid);
    if ((f = fopen(path, "re")) == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "rchar: ", 7) == 0) {
            char *end;

            errno = 0;
            v = strtoll(line + 7, &end, 10);
            if (errno != 0 || end == line + 7 || v < 0)
                v = -1;
            break;
        }
    }
    fclose(f);
    return v;
}

/* The fraction of the close done, from the bytes read per byte of sheet
 * temporary file (0..2, see XLSX_COPY_WEIGHT). */
static double close_done(double r)
{
    double d;

    if (r <= 1.0)
        d = XLSX_COPY_WEIGHT * r;
    else
        d = XLSX_COPY_WEIGHT + (1.0 - XLSX_COPY_WEIGHT) * (r - 1.0);
    return d > 1.0 ? 1.0 : d;
}

/* The parent's copy of the workbook after the child has written (or been
 * stopped): close the sheet temporary files and free, writing nothing. */
static void free_workbook(lxw_workbook *wb)
{
    lxw_worksheet *ws;

    if (wb == NULL)
        return;
    LXW_FOREACH_WORKSHEET(ws, wb) {
        if (ws->optimize_tmpfile != NULL) {
            fclose(ws->optimize_tmpfile);
            ws->optimize_tmpfile = NULL;
        }
    }
    lxw_workbook_free(wb);
}

/* In the child: write the file and report how it went; never returns. */
static void child_close(lxw_workbook *wb, pid_t parent)
{
    lxw_error e;
    int code;

    /* die with the worker: an orphan would go on writing a file nobody
     * will rename, and the engine's cleanup would race it */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(LXW_ERROR_CREATING_TMPFILE);
    errno = 0;
    e = workbook_close(wb);
    code = (int)e & (XLSX_CHILD_NOSPC - 1);
    if (e != LXW_NO_ERROR && (errno == ENOSPC || errno == EDQUOT))
        code |= XLSX_CHILD_NOSPC;
    if (e != LXW_NO_ERROR && code == 0)
        code = XLSX_CHILD_NOSPC - 1; /* an lxw_error past the bits: still a failure */
    _exit(code);
}

static xq_status child_status(int status, xq_err *err)
{
    int code;

    if (WIFSIGNALED(status))
        return xq_err_set(err, XQ_ERR_IO, "xlsx: the writing process died of signal %d",
                          WTERMSIG(status));
    if (!WIFEXITED(status))
        return xq_err_set(err, XQ_ERR_IO, "xlsx: the writing process ended oddly (%d)", status);
    code = WEXITSTATUS(status);
    if (code == 0)
        return XQ_OK;
    if (code & XLSX_CHILD_NOSPC)
        return xq_fmt_errno(err, ENOSPC, "xlsx: writing the file");
    return xq_err_set(err, code == LXW_ERROR_MEMORY_MALLOC_FAILED ? XQ_ERR_NOMEM : XQ_ERR_IO,
                      "xlsx: writing the file: %s", lxw_strerror((lxw_error)code));
}

/* Reap the child, retrying on signals. */
static int reap(pid_t pid, int *status)
{
    pid_t r;

    while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
        ;
    return r == pid ? 0 : -1;
}

/*
 * workbook_close() in a child, with progress and cancel in the parent.
 * Frees the workbook on every path.  When fork() fails, or SIGCHLD is
 * ignored, the close runs here, without progress (as before).
 */
static xq_status close_in_child(xlsx_state *x, xq_err *err)
{
    const xq_fmt_meta *m = x->meta;
    double tick = (m->close_tick_ms > 0 ? (double)m->close_tick_ms : 1000.0) / 1000.0;
    double last = mono_s();
    long long total = sheet_bytes(x->wb);
    struct timespec nap = {0, XLSX_POLL_NS};
    pid_t parent = getpid(), pid;
    struct sigaction chld;
    int status = 0;
    xq_status st = XQ_OK;
    lxw_error e;

    /* a SIGCHLD ignored (inherited from whoever started us) would make the
     * child's status unreadable: then close here, without progress */
    if (sigaction(SIGCHLD, NULL, &chld) != 0 || chld.sa_handler == SIG_IGN ||
        (chld.sa_flags & SA_NOCLDWAIT)) {
        pid = -1;
    } else {
        fflush(NULL); /* nothing buffered twice: the child never flushes the parent's */
        pid = fork();
    }
    if (pid == 0)
        child_close(x->wb, parent);
    if (pid < 0) {
        errno = 0;
        e = workbook_close(x->wb); /* writes the zip and frees the workbook */
        x->wb = NULL;
        if (e != LXW_NO_ERROR)
            st = lxw_fail(err, e, "xlsx: writing the file");
        goto out;
    }
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        double t;

        if (r == pid) {
            st = child_status(status, err);
            break;
        }
        if (r < 0 && errno != EINTR) {
            st = xq_fmt_errno(err, errno, "xlsx: waiting for the writing process");
            kill(pid, SIGKILL);
            reap(pid, &status);
            break;
        }
        nanosleep(&nap, NULL);
        t = mono_s();
        if (m->close_tick != NULL && t - last >= tick) {
            long long rc = total > 0 ? child_rchar(pid) : -1;
            double done = -1.0;

            last = t;
            if (rc >= 0)
                done = close_done((double)rc / (double)total);
            if (m->close_tick(m->close_ctx, done) != 0) {
                kill(pid, SIGKILL);
                reap(pid, &status);
                st = xq_err_set(err, XQ_ERR_CANCELLED, "export cancelled while writing the file");
                break;
            }
        }
    }
out:
    free_workbook(x->wb);
    x->wb = NULL;
    return st;
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

    (void)rows;
    finish_sheet(x);
    if ((st = metadata_sheet(x, err)) != XQ_OK) {
        free_workbook(x->wb);
        xlsx_free(x);
        return st;
    }
    st = close_in_child(x, err);
    xlsx_free(x);
    return st;
}

static void xlsx_abort(void *state)
{
    xlsx_state *x = state;

    if (x == NULL)
        return;
    free_workbook(x->wb); /* closes the temporary sheet files; writes nothing */
    xlsx_free(x);
}

const struct xq_format_ops xq_fmt_xlsx_ops = {"excel", xlsx_begin, xlsx_row, xlsx_end, xlsx_abort};
