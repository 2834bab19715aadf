/*
 * ctlout.h - what every operator subcommand of exportqctl shares: exit
 * codes, option handling of --json/--config, one-line errors, human tables
 * and JSON printing.
 *
 * Exit codes (documented in exportqctl(1)):
 *   0 ok, 1 operational failure (Redis/PostgreSQL down, I/O), 2 usage or
 *   configuration error, 3 not found, 4 conflict (wrong state).
 *
 * Output goes to stdout, errors to stderr as one line
 * "exportqctl: <command>: <message>".
 */
#ifndef XQ_CTLOUT_H
#define XQ_CTLOUT_H

#include <stdio.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"

/* 0..2 are also in ctl.h (the dispatcher's); the values must agree. */
#ifndef XQ_CTL_EXIT_OK
#define XQ_CTL_EXIT_OK 0
#define XQ_CTL_EXIT_FAIL 1
#define XQ_CTL_EXIT_USAGE 2
#endif
#define XQ_CTL_EXIT_NOT_FOUND 3
#define XQ_CTL_EXIT_CONFLICT 4

/* Exit code for a status (XQ_OK 0, NOT_FOUND 3, CONFLICT 4, INVALID and
 * CONFIG 2, anything else 1). */
int xq_ctl_exit_code(xq_status st);

/* Print "exportqctl: cmd: <err->msg or strerror>" to stderr; returns the exit
 * code for err->code. */
int xq_ctl_fail(const char *cmd, const xq_err *err);

/* Print "exportqctl: cmd: <message>" and the usage line; returns 2. */
int xq_ctl_usage(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Load the configuration for a subcommand: the file named by --config (path,
 * may be NULL) or EXPORTQ_CONFIG or the default path, then the environment.
 * On failure prints the one-line error and returns 2; on success 0 and cfg
 * is filled (caller runs xq_config_cleanup).
 */
int xq_ctl_load_config(const char *cmd, const char *path, xq_config *cfg);

/* Print a JSON value (pretty, one trailing newline) to out.  Does not put. */
void xq_ctl_json_print(FILE *out, json_object *o);

/* Strict decimal parse of a non-negative integer into *out (0 ok, -1 bad). */
int xq_ctl_parse_long(const char *s, long min, long max, long *out);

/* Strict parse of a non-negative decimal number of hours (may have a
 * fraction), e.g. "24", "0.5"; 0 ok, -1 bad. */
int xq_ctl_parse_hours(const char *s, double *out);

/* "2026-12-03 17:01:02Z" for a Unix time in ms (UTC); "-" for 0. */
void xq_ctl_fmt_time(long long ms, char *out, size_t outsz);

/* "2026-12-03T17:01:02.345Z" (API style) for a Unix time in ms. */
void xq_ctl_fmt_iso(long long ms, char *out, size_t outsz);

/* Print s (NULL: "-") with control bytes replaced by '?', so text from Redis
 * cannot drive the terminal. */
void xq_ctl_put_clean(FILE *out, const char *s);

/* Milliseconds since the epoch, wall clock. */
long long xq_ctl_now_ms(void);

/* ---- human tables ---- */

#define XQ_CTL_TABLE_MAXCOLS 12
#define XQ_CTL_CELL_MAX 64 /* longer cells are cut with "…" */

typedef struct xq_ctl_table xq_ctl_table;

/* headers: ncols borrowed static strings.  NULL on allocation failure. */
xq_ctl_table *xq_ctl_table_new(int ncols, const char *const *headers);
void xq_ctl_table_free(xq_ctl_table *t); /* t may be NULL */

/* Append one row of ncols cells (copied; NULL prints as "-"). */
xq_status xq_ctl_table_row(xq_ctl_table *t, const char *const *cells);

/* Print with columns padded to their widest cell, two spaces apart. */
void xq_ctl_table_print(const xq_ctl_table *t, FILE *out);

#endif
