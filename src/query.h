/*
 * query.h - the SQL of each export type (SPEC §2): text built only from
 * constant fragments, every request value a bind parameter.  Pure.
 *
 * Parameters: $1 startDate, $2 endDate, $3 timezone, then the filters that
 * are present (userId, modelId, provider, in that order).  The range is
 * [startDate 00:00, endDate + 1 day 00:00) in the zone, converted with
 * PostgreSQL's AT TIME ZONE (which also decides a midnight in a DST gap),
 * so that the "startTime" index bounds the scan.  Breakdowns aggregate in
 * SQL; spend is rounded to 6 places and orders with ties in byte order.
 *
 * Each TIMESTAMP column takes two result fields, both timestamp text in
 * DateStyle ISO (the engine sets it): the wall time in the zone, and the
 * UTC time (NULL when the zone is UTC: offset 0).
 */
#ifndef XQ_QUERY_H
#define XQ_QUERY_H

#include "error.h"
#include "fmt.h"
#include "request.h"

#define XQ_QUERY_SQL_MAX 4096
#define XQ_QUERY_PARAMS_MAX 6

typedef struct xq_query {
    char sql[XQ_QUERY_SQL_MAX];
    const char *params[XQ_QUERY_PARAMS_MAX]; /* borrowed from the request */
    int nparams;
} xq_query;

/* The columns of an export type, in file order (static). */
const xq_column *xq_query_columns(xq_export_type t, int *ncols);

/* Result fields the row query returns for the columns (timestamps take 2). */
int xq_query_nfields(xq_export_type t);

/* 1 for the zone names that are UTC without conversion. */
int xq_query_tz_is_utc(const char *tz);

/* The row query, in file order. */
xq_status xq_query_rows(const xq_export_request *req, xq_query *q, xq_err *err);

/* SELECT count(*) of the rows the row query returns. */
xq_status xq_query_count(const xq_export_request *req, xq_query *q, xq_err *err);

#endif
