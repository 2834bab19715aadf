/*
 * ctlout.c - exit codes, config loading, tables and JSON output for the
 * operator subcommands.  Table cells come from Redis (owner names, error
 * texts a client influenced), so control bytes are replaced by '?' before
 * they reach a terminal, and cells are cut at XQ_CTL_CELL_MAX characters.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "ctlout.h"
#include "log.h"

int xq_ctl_exit_code(xq_status st)
{
    switch (st) {
    case XQ_OK:
        return XQ_CTL_EXIT_OK;
    case XQ_ERR_NOT_FOUND:
    case XQ_ERR_GONE:
        return XQ_CTL_EXIT_NOT_FOUND;
    case XQ_ERR_CONFLICT:
        return XQ_CTL_EXIT_CONFLICT;
    case XQ_ERR_INVALID:
    case XQ_ERR_CONFIG:
        return XQ_CTL_EXIT_USAGE;
    default:
        return XQ_CTL_EXIT_FAIL;
    }
}

int xq_ctl_fail(const char *cmd, const xq_err *err)
{
    const char *msg = err->msg[0] ? err->msg : xq_strerror(err->code);

    fprintf(stderr, "exportqctl: %s: %s\n", cmd, msg);
    return xq_ctl_exit_code(err->code == XQ_OK ? XQ_ERR_INTERNAL : err->code);
}

int xq_ctl_usage(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "exportqctl: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: exportqctl %s\n", usage);
    return XQ_CTL_EXIT_USAGE;
}

int xq_ctl_load_config(const char *cmd, const char *path, xq_config *cfg)
{
    xq_err err;

    xq_log_init("exportqctl", cmd);
    xq_err_clear(&err);
    if (xq_config_load(cfg, path, &err) != XQ_OK) {
        fprintf(stderr, "exportqctl: %s: %s\n", cmd, err.msg);
        return XQ_CTL_EXIT_USAGE;
    }
    xq_log_set_level((xq_log_level)cfg->log_level);
    return XQ_CTL_EXIT_OK;
}

void xq_ctl_json_print(FILE *out, json_object *o)
{
    const char *s = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

    fprintf(out, "%s\n", s ? s : "null");
}

int xq_ctl_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long long v;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = (long)v;
    return 0;
}

int xq_ctl_parse_hours(const char *s, double *out)
{
    char *end = NULL;
    double v;

    /* Digits and at most one '.', so "1e3", "inf", "0x10" and " 1" are refused. */
    if (s == NULL || s[0] == '\0' || strspn(s, "0123456789.") != strlen(s))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 87600.0 * 10)
        return -1;
    *out = v;
    return 0;
}

void xq_ctl_fmt_time(long long ms, char *out, size_t outsz)
{
    time_t t;
    struct tm tm;

    if (ms <= 0) {
        snprintf(out, outsz, "-");
        return;
    }
    t = (time_t)(ms / 1000);
    if (gmtime_r(&t, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
        snprintf(out, outsz, "%lld", ms);
}

void xq_ctl_fmt_iso(long long ms, char *out, size_t outsz)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char base[32];

    if (ms < 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(out, outsz, "%lld", ms);
        return;
    }
    snprintf(out, outsz, "%s.%03dZ", base, (int)(ms % 1000));
}

void xq_ctl_put_clean(FILE *out, const char *s)
{
    if (s == NULL)
        s = "-";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        fputc((ch < 0x20 || ch == 0x7F) ? '?' : (int)ch, out);
    }
}

long long xq_ctl_now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- tables ---- */

struct xq_ctl_table {
    int ncols;
    const char *const *headers;
    char **cells; /* rows * ncols */
    size_t rows, cap;
};

xq_ctl_table *xq_ctl_table_new(int ncols, const char *const *headers)
{
    xq_ctl_table *t;

    if (ncols < 1 || ncols > XQ_CTL_TABLE_MAXCOLS)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    t->headers = headers;
    return t;
}

void xq_ctl_table_free(xq_ctl_table *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

/* Copy s for a terminal: control bytes -> '?', at most XQ_CTL_CELL_MAX code
 * points (cut ones end in "..."). */
static char *clean_cell(const char *s)
{
    size_t n, i, o = 0, chars = 0;
    char *c;

    if (s == NULL)
        s = "-";
    n = strlen(s);
    c = malloc(n + 4);
    if (c == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if ((ch & 0xC0) != 0x80) {
            if (chars == XQ_CTL_CELL_MAX - 3 && n - i > 3) {
                memcpy(c + o, "...", 3);
                o += 3;
                break;
            }
            chars++;
        }
        c[o++] = (ch < 0x20 || ch == 0x7F) ? '?' : (char)ch;
    }
    c[o] = '\0';
    return c;
}

static size_t display_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

xq_status xq_ctl_table_row(xq_ctl_table *t, const char *const *cells)
{
    int i;
    size_t base;

    if (t->rows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16;
        char **nc = realloc(t->cells, ncap * (size_t)t->ncols * sizeof(char *));

        if (nc == NULL)
            return XQ_ERR_NOMEM;
        t->cells = nc;
        t->cap = ncap;
    }
    base = t->rows * (size_t)t->ncols;
    for (i = 0; i < t->ncols; i++) {
        t->cells[base + (size_t)i] = clean_cell(cells[i]);
        if (t->cells[base + (size_t)i] == NULL) {
            while (--i >= 0)
                free(t->cells[base + (size_t)i]);
            return XQ_ERR_NOMEM;
        }
    }
    t->rows++;
    return XQ_OK;
}

static void print_padded(FILE *out, const char *s, size_t width, int last)
{
    size_t w = display_width(s);

    fputs(s, out);
    if (last)
        return;
    while (w++ < width + 2)
        fputc(' ', out);
}

void xq_ctl_table_print(const xq_ctl_table *t, FILE *out)
{
    size_t width[XQ_CTL_TABLE_MAXCOLS];
    size_t r;
    int c;

    for (c = 0; c < t->ncols; c++) {
        width[c] = display_width(t->headers[c]);
        for (r = 0; r < t->rows; r++) {
            size_t w = display_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (c = 0; c < t->ncols; c++)
        print_padded(out, t->headers[c], width[c], c == t->ncols - 1);
    fputc('\n', out);
    for (r = 0; r < t->rows; r++) {
        for (c = 0; c < t->ncols; c++)
            print_padded(out, t->cells[r * (size_t)t->ncols + (size_t)c], width[c],
                         c == t->ncols - 1);
        fputc('\n', out);
    }
}
