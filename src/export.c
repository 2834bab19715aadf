/*
 * export.c - the export engine (see export.h): estimate, stream, throttled
 * progress with cancel, temporary file, fsync, atomic rename, cleanup.
 *
 * Reading: PQsendQueryParams + single-row mode, so the SQL stays fully
 * parameterised (COPY cannot take bind parameters) and libpq holds one row
 * at a time.  The count and the rows run in one REPEATABLE READ READ ONLY
 * transaction: the count is exact for the rows written, which lets the
 * JSON writer put metadata.recordCount first.
 *
 * After a failure or cancel in the middle of the stream the connection is
 * dropped (the server stops the query when the socket closes); the next
 * export reconnects.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "export.h"
#include "fmt.h"
#include "query.h"
#include "timefmt.h"

#define XQ_PATH_MAX 4096
#define XQ_COLS_MAX 32
/* Rows between two looks at the clock for progress and cancel. */
#define XQ_CHECK_EVERY 512
/*
 * Share of the run the row phase takes in each format, in percent; the
 * rest is closing (for XLSX the zip step of workbook_close(), measured by
 * bench/export at 51% to 59% of the run for 1M to 5M raw-data rows).
 * Progress reaches this value when the last row is written, then advances
 * through the close phase with the writer's estimate of the work done
 * (close_tick), up to XQ_CLOSE_PERCENT_MAX: 99 is reported once the file
 * is written, before the fsync and rename.
 */
#define XQ_ROW_SHARE_FLAT 99
#define XQ_ROW_SHARE_XLSX 40
#define XQ_CLOSE_PERCENT_MAX 98
/* When the writer cannot measure the close (no /proc): its duration is
 * taken as this many times the row phase (measured 1.0 to 1.5). */
#define XQ_CLOSE_PER_ROW_TIME 1.5
/* Close-phase callback cadence: the throttle, kept within these bounds so
 * that a cancel is seen within the SPEC's 2 s. */
#define XQ_CLOSE_TICK_MIN_MS 200
#define XQ_CLOSE_TICK_MAX_MS 1000

const char *xq_export_user_message(xq_status st)
{
    switch (st) {
    case XQ_OK:
        return "export complete";
    case XQ_ERR_DB:
        return "the database is unavailable";
    case XQ_ERR_SQL:
        return "the spend log table is missing or cannot be read";
    case XQ_ERR_NOSPC:
        return "disk full on the export server";
    case XQ_ERR_IO:
        return "the export file could not be written";
    case XQ_ERR_CANCELLED:
        return "the export was cancelled";
    case XQ_ERR_INVALID:
        return "the export request is invalid";
    case XQ_ERR_NOMEM:
        return "the export server ran out of memory";
    case XQ_ERR_TIMEOUT:
        return "the export took too long";
    default:
        return "the export failed";
    }
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run a statement that returns no rows or one small result; res optional. */
static xq_status exec(xq_db *db, PGconn *conn, const char *sql, int n, const char *const *params,
                      ExecStatusType want, PGresult **out, const char *what, xq_err *err)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    xq_status st = XQ_OK;

    if (res == NULL || PQresultStatus(res) != want) {
        st = xq_db_classify(db, res, what, err);
        PQclear(res);
        return st;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return st;
}

static xq_status count_rows(xq_db *db, PGconn *conn, const xq_export_request *req,
                            long long *rows, xq_err *err)
{
    PGresult *res = NULL;
    xq_query q;
    xq_status st;
    char *end;

    if ((st = xq_query_count(req, &q, err)) != XQ_OK)
        return st;
    st = exec(db, conn, q.sql, q.nparams, q.params, PGRES_TUPLES_OK, &res, "export count", err);
    if (st != XQ_OK)
        return st;
    if (PQntuples(res) != 1 || PQnfields(res) != 1 || PQgetisnull(res, 0, 0)) {
        st = xq_err_set(err, XQ_ERR_SQL, "export count: unexpected result shape");
    } else {
        errno = 0;
        *rows = strtoll(PQgetvalue(res, 0, 0), &end, 10);
        if (errno != 0 || *end != '\0' || *rows < 0)
            st = xq_err_set(err, XQ_ERR_SQL, "export count: not a count");
    }
    PQclear(res);
    return st;
}

xq_status xq_export_count(xq_db *db, const xq_config *cfg, const xq_export_request *req,
                          long long *rows, xq_err *err)
{
    PGconn *conn;
    xq_status st;

    (void)cfg;
    *rows = 0;
    if ((st = xq_db_conn(db, &conn, err)) != XQ_OK)
        return st;
    return count_rows(db, conn, req, rows, err);
}

/* Throttled progress and cancel. */
typedef struct progress {
    const xq_export_opts *o;
    long long estimate;
    int share;          /* percent reached when the last row is written */
    int last_percent;
    double last_call;
    double interval;
    long long rows;     /* rows written, for the close phase */
    double t_start;     /* when the row phase began */
    double t_close;     /* when the close phase began */
} progress;

static int progress_percent(const progress *p, long long rows)
{
    long long pc;

    if (p->estimate <= 0)
        return p->last_percent;
    pc = rows >= p->estimate ? p->share : rows * p->share / p->estimate;
    if (pc > 99)
        pc = 99;
    return pc > p->last_percent ? (int)pc : p->last_percent;
}

/* Returns 1 when the callback asks to cancel. */
static int progress_report(progress *p, long long rows, int force)
{
    double t;
    int pc;

    if (p->o->progress == NULL)
        return 0;
    t = now_s();
    if (!force && t - p->last_call < p->interval)
        return 0;
    p->last_call = t;
    pc = progress_percent(p, rows);
    p->last_percent = pc;
    return p->o->progress(p->o->progress_ctx, rows,
                          p->estimate > rows ? p->estimate : rows, pc) != 0;
}

/*
 * The writer's close-phase tick (xq_fmt_meta.close_tick): percent from the
 * row share up to XQ_CLOSE_PERCENT_MAX in proportion to the work done, or
 * to the time spent against an estimate of the close's duration when the
 * writer cannot measure it.  The writer throttles; every tick reports.
 */
static int progress_close(void *ctx, double done)
{
    progress *p = ctx;
    double span = XQ_CLOSE_PERCENT_MAX - p->share;
    long long est = p->estimate > p->rows ? p->estimate : p->rows;
    int pc;

    if (p->o->progress == NULL)
        return 0;
    if (done < 0) {
        double expect = (p->t_close - p->t_start) * XQ_CLOSE_PER_ROW_TIME;

        done = expect > 0 ? (now_s() - p->t_close) / expect : 0;
    }
    if (done > 1)
        done = 1;
    pc = p->share + (int)(span * done);
    if (pc > XQ_CLOSE_PERCENT_MAX)
        pc = XQ_CLOSE_PERCENT_MAX;
    if (pc < p->last_percent)
        pc = p->last_percent;
    p->last_percent = pc;
    p->last_call = now_s();
    return p->o->progress(p->o->progress_ctx, p->rows, est, pc) != 0;
}

/* One result row into cells; timestamp text goes into tsbuf.  -1 when a
 * timestamp is not in the form the engine asked for. */
static int row_cells(const PGresult *res, const xq_column *cols, int ncols, xq_cell *cells,
                     char (*tsbuf)[XQ_TIME_ISO_MAX])
{
    int i, f = 0;

    for (i = 0; i < ncols; i++) {
        xq_cell *c = &cells[i];

        if (cols[i].kind == XQ_COL_TIMESTAMP) {
            c->null = PQgetisnull(res, 0, f);
            c->offset_s = 0;
            if (c->null) {
                c->s = "";
                c->len = 0;
            } else {
                long long utc;

                /* 'infinity', a BC date or a year past 9999 has no ISO 8601
                 * form of ours: an empty cell, not a failed export */
                if (xq_time_parse_pg(PQgetvalue(res, 0, f), (size_t)PQgetlength(res, 0, f),
                                     &c->local_ms) != 0 ||
                    (!PQgetisnull(res, 0, f + 1) &&
                     xq_time_parse_pg(PQgetvalue(res, 0, f + 1),
                                      (size_t)PQgetlength(res, 0, f + 1), &utc) != 0)) {
                    c->null = 1;
                    c->s = "";
                    c->len = 0;
                    f += 2;
                    continue;
                }
                if (!PQgetisnull(res, 0, f + 1))
                    c->offset_s = (int)((c->local_ms - utc) / 1000);
                c->len = xq_time_format_iso(tsbuf[i], c->local_ms, c->offset_s);
                c->s = tsbuf[i];
            }
            f += 2;
        } else {
            c->null = PQgetisnull(res, 0, f);
            c->s = PQgetvalue(res, 0, f);
            c->len = (size_t)PQgetlength(res, 0, f);
            f++;
        }
    }
    return 0;
}

static xq_status fsync_path(const char *path, int dir, long long *size, xq_err *err)
{
    struct stat stb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    xq_status st = XQ_OK;

    if (fd < 0)
        return xq_fmt_errno(err, errno, dir ? "export dir: open" : "export file: reopen");
    if (fsync(fd) != 0)
        st = xq_fmt_errno(err, errno, dir ? "export dir: fsync" : "export file: fsync");
    else if (size != NULL && fstat(fd, &stb) == 0)
        *size = (long long)stb.st_size;
    close(fd);
    return st;
}

static int name_ok(const char *name)
{
    return name != NULL && name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
           strlen(name) < 256;
}

xq_status xq_export_run(const xq_export_opts *o, xq_export_result *res, xq_err *err)
{
    const struct xq_format_ops *ops;
    const xq_column *cols;
    xq_cell cells[XQ_COLS_MAX];
    char tsbuf[XQ_COLS_MAX][XQ_TIME_ISO_MAX];
    char final_path[XQ_PATH_MAX], part_path[XQ_PATH_MAX];
    xq_fmt_meta meta;
    xq_query q;
    progress prog;
    PGconn *conn = NULL;
    PGresult *r = NULL;
    void *wstate = NULL;
    int ncols, nfields, in_tx = 0, streaming = 0, created = 0;
    long long rows = 0, estimate = 0;
    double t0 = now_s();
    struct timespec wall;
    xq_status st;

    memset(res, 0, sizeof(*res));
    memset(&meta, 0, sizeof(meta));
    if (o == NULL || o->req == NULL || o->db == NULL || o->dir == NULL || !name_ok(o->file_name))
        return xq_err_set(err, XQ_ERR_INVALID, "export: missing options or bad file name");
    if ((ops = xq_fmt_ops(o->req->format)) == NULL ||
        (cols = xq_query_columns(o->req->type, &ncols)) == NULL || ncols > XQ_COLS_MAX)
        return xq_err_set(err, XQ_ERR_INVALID, "export: unknown type or format");
    nfields = xq_query_nfields(o->req->type);
    if (snprintf(final_path, sizeof(final_path), "%s/%s", o->dir, o->file_name) >=
            (int)sizeof(final_path) ||
        snprintf(part_path, sizeof(part_path), "%s/.%s.part", o->dir, o->file_name) >=
            (int)sizeof(part_path))
        return xq_err_set(err, XQ_ERR_INVALID, "export: path too long");
    if ((st = xq_query_rows(o->req, &q, err)) != XQ_OK)
        return st;

    if ((st = xq_db_conn(o->db, &conn, err)) != XQ_OK)
        goto out;
    st = exec(o->db, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
              PGRES_COMMAND_OK, NULL, "export begin", err);
    if (st != XQ_OK)
        goto out;
    in_tx = 1;
    /* timestamps are parsed from their text: fix its form for this transaction */
    st = exec(o->db, conn, "SELECT set_config('DateStyle', 'ISO, YMD', true)", 0, NULL,
              PGRES_TUPLES_OK, NULL, "export datestyle", err);
    if (st != XQ_OK)
        goto out;
    if (o->cfg != NULL && o->cfg->db_statement_timeout_s > 0) {
        char ms[32];
        const char *p[1] = {ms};

        snprintf(ms, sizeof(ms), "%ld", o->cfg->db_statement_timeout_s * 1000);
        st = exec(o->db, conn, "SELECT set_config('statement_timeout', $1, true)", 1, p,
                  PGRES_TUPLES_OK, NULL, "export statement timeout", err);
        if (st != XQ_OK)
            goto out;
    }
    /* JSON writes recordCount before the rows, so it always counts here */
    if (o->rows_estimated > 0 && o->req->format != XQ_FMT_JSON) {
        estimate = o->rows_estimated;
    } else if ((st = count_rows(o->db, conn, o->req, &estimate, err)) != XQ_OK) {
        goto out;
    }
    res->estimate = estimate;

    memset(&prog, 0, sizeof(prog));
    prog.o = o;
    prog.estimate = estimate;
    prog.share = o->req->format == XQ_FMT_XLSX ? XQ_ROW_SHARE_XLSX : XQ_ROW_SHARE_FLAT;
    prog.interval = o->min_interval_ms > 0 ? (double)o->min_interval_ms / 1000.0 : 0;
    prog.last_call = now_s();
    prog.t_start = prog.last_call;
    if (progress_report(&prog, 0, 1)) {
        st = xq_err_set(err, XQ_ERR_CANCELLED, "export cancelled before the first row");
        goto out;
    }

    meta.req = o->req;
    meta.job_id = o->job_id;
    meta.record_count = estimate;
    meta.sheet_rows = o->xlsx_sheet_rows;
    meta.close_tick = o->progress != NULL ? progress_close : NULL;
    meta.close_ctx = &prog;
    meta.close_tick_ms = o->min_interval_ms < XQ_CLOSE_TICK_MIN_MS ? XQ_CLOSE_TICK_MIN_MS
                         : o->min_interval_ms > XQ_CLOSE_TICK_MAX_MS ? XQ_CLOSE_TICK_MAX_MS
                         : o->min_interval_ms;
    clock_gettime(CLOCK_REALTIME, &wall);
    xq_time_format_utc(meta.exported_at,
                       (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000);
    created = 1;
    if ((st = ops->begin(&wstate, part_path, cols, ncols, &meta, err)) != XQ_OK)
        goto out;

    if (!PQsendQueryParams(conn, q.sql, q.nparams, NULL, q.params, NULL, NULL, 0)) {
        st = xq_db_classify(o->db, NULL, "export query", err);
        goto out;
    }
    streaming = 1;
    if (!PQsetSingleRowMode(conn)) {
        st = xq_err_set(err, XQ_ERR_DB, "export query: cannot enter single-row mode");
        goto out;
    }
    for (;;) {
        ExecStatusType rs;

        r = PQgetResult(conn);
        if (r == NULL)
            break;
        rs = PQresultStatus(r);
        if (rs == PGRES_TUPLES_OK) { /* the end of the rows */
            PQclear(r);
            r = NULL;
            continue;
        }
        if (rs != PGRES_SINGLE_TUPLE) {
            st = xq_db_classify(o->db, r, "export query", err);
            PQclear(r);
            r = NULL;
            if (st == XQ_ERR_SQL) {
                /* the connection is fine: drain it so that it can roll back */
                while ((r = PQgetResult(conn)) != NULL) {
                    PQclear(r);
                    r = NULL;
                }
                streaming = 0;
            }
            goto out;
        }
        if (PQnfields(r) != nfields) {
            st = xq_err_set(err, XQ_ERR_SQL, "export query: %d fields, expected %d",
                            PQnfields(r), nfields);
            goto out;
        }
        if (row_cells(r, cols, ncols, cells, tsbuf) != 0) {
            st = xq_err_set(err, XQ_ERR_SQL, "export query: unexpected timestamp text");
            goto out;
        }
        st = ops->row(wstate, cells, err);
        PQclear(r);
        r = NULL;
        if (st != XQ_OK)
            goto out;
        rows++;
        if (rows % XQ_CHECK_EVERY == 0 && progress_report(&prog, rows, 0)) {
            st = xq_err_set(err, XQ_ERR_CANCELLED, "export cancelled after %lld rows", rows);
            goto out;
        }
    }
    streaming = 0;
    /* the row phase is over: report it (and look for a cancel) before closing */
    if (progress_report(&prog, rows, 1)) {
        st = xq_err_set(err, XQ_ERR_CANCELLED, "export cancelled after %lld rows", rows);
        goto out;
    }
    prog.rows = rows;
    prog.t_close = now_s();
    st = ops->end(wstate, rows, err);
    wstate = NULL;
    if (st != XQ_OK)
        goto out;
    /* written (for XLSX the longest part): say so, and a last look for a cancel */
    if (prog.share < 99 && prog.last_percent < 99) {
        prog.share = 99;
        if (progress_report(&prog, rows, 1)) {
            st = xq_err_set(err, XQ_ERR_CANCELLED, "export cancelled after writing the file");
            goto out;
        }
    }
    /* libxlsxwriter creates its file with the umask's mode: every format
     * gets the same 0640 as xq_sink_open() gives CSV and JSON */
    if (chmod(part_path, 0640) != 0) {
        st = xq_fmt_errno(err, errno, "export file: chmod");
        goto out;
    }
    if ((st = fsync_path(part_path, 0, &res->bytes, err)) != XQ_OK)
        goto out;
    if (rename(part_path, final_path) != 0) {
        st = xq_fmt_errno(err, errno, "export file: rename");
        goto out;
    }
    created = 0;
    if ((st = fsync_path(o->dir, 1, NULL, err)) != XQ_OK) {
        unlink(final_path);
        goto out;
    }
    st = exec(o->db, conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL, "export commit", err);
    in_tx = 0;
    if (st != XQ_OK) {
        /* the file is complete and consistent; a failed COMMIT of a read-only
         * transaction loses nothing */
        xq_err_clear(err);
        st = XQ_OK;
    }
out:
    PQclear(r);
    if (wstate != NULL)
        ops->abort(wstate);
    if (created)
        unlink(part_path);
    if (streaming || st == XQ_ERR_DB) {
        /* rows still in flight, or a connection in doubt: closing it stops
         * the query on the server */
        xq_db_drop(o->db);
    } else if (in_tx && st != XQ_OK) {
        xq_err ignore;

        if (exec(o->db, conn, "ROLLBACK", 0, NULL, PGRES_COMMAND_OK, NULL, "export rollback",
                 &ignore) != XQ_OK)
            xq_db_drop(o->db);
    }
    res->rows = rows;
    res->seconds = now_s() - t0;
    if (st != XQ_OK)
        res->bytes = 0;
    return st;
}
