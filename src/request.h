/*
 * request.h - an export request: its parsing and validation (SPEC §2, §5),
 * and its stored form.  Pure apart from xq_request_timezone_known(), which
 * reads the system time zone database.
 */
#ifndef XQ_REQUEST_H
#define XQ_REQUEST_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"
#include "error.h"

typedef enum {
    XQ_TYPE_USER = 0,  /* user-breakdown */
    XQ_TYPE_MODEL,     /* model-breakdown */
    XQ_TYPE_PROVIDER,  /* provider-breakdown */
    XQ_TYPE_RAW,       /* raw-data */
    XQ_TYPE_COUNT
} xq_export_type;

typedef enum {
    XQ_FMT_CSV = 0,
    XQ_FMT_JSON,
    XQ_FMT_XLSX,       /* "excel" in requests, ".xlsx" on disk */
    XQ_FMT_COUNT
} xq_format;

/* Queue priority as in BullMQ: lower runs first. */
#define XQ_PRIO_HIGH 1
#define XQ_PRIO_NORMAL 5
#define XQ_PRIO_LOW 10

#define XQ_FILTER_MAX 256  /* bytes of a userId/modelId/provider filter */
#define XQ_TZ_MAX 64

typedef struct xq_export_request {
    xq_export_type type;
    xq_format format;
    char start_date[11];        /* YYYY-MM-DD */
    char end_date[11];
    char timezone[XQ_TZ_MAX];   /* IANA name; "UTC" when not given */
    char *user_id;              /* NULL when absent; owned */
    char *model_id;
    char *provider;
    int priority;               /* XQ_PRIO_* */
    int csv_bom;                /* 0/1 */
    int formula_guard;          /* 0/1, default 1 */
} xq_export_request;

/* Validation problems, reported as SPEC "details": [{field, message}]. */
#define XQ_FIELD_ERRORS_MAX 8
typedef struct xq_field_errors {
    int count;
    struct {
        char field[32];
        char message[160];
    } e[XQ_FIELD_ERRORS_MAX];
} xq_field_errors;

void xq_request_init(xq_export_request *req);   /* defaults, no filters */
void xq_request_cleanup(xq_export_request *req); /* req may be NULL */

/*
 * Parse and validate a request body (JSON object text, len bytes, need not
 * be NUL-terminated).  Unknown fields, wrong types, bad dates (not real
 * calendar dates, start > end), unknown exportType/format/priority, empty
 * filters, filters over XQ_FILTER_MAX bytes, unknown time zones: XQ_ERR_INVALID
 * with every problem found in fe (may be NULL) and a summary in err.  Does not
 * check permissions (priority high needs admin: the route decides).
 */
xq_status xq_request_parse(const char *body, size_t len, xq_export_request *req,
                           xq_field_errors *fe, xq_err *err);

/* Stored form (what the queue keeps): a JSON object using the API field
 * names; xq_request_from_json() reads it back (and validates it again). */
xq_status xq_request_to_json(const xq_export_request *req, xq_buf *out);
xq_status xq_request_from_json(const char *json, xq_export_request *req, xq_err *err);

/* {"startDate","endDate", and "userId"/"modelId"/"provider" when given}:
 * SPEC metadata.filters and the job object's filters. New reference. */
json_object *xq_request_filters_json(const xq_export_request *req);

/* "user-breakdown"...; "csv", "json", "excel"; file extension "csv",
 * "json", "xlsx"; MIME type.  Static strings. */
const char *xq_export_type_name(xq_export_type t);
const char *xq_format_name(xq_format f);
const char *xq_format_ext(xq_format f);
const char *xq_format_mime(xq_format f);
int xq_export_type_parse(const char *s);  /* -1 when unknown */
int xq_format_parse(const char *s);       /* -1 when unknown */
const char *xq_priority_name(int prio);   /* "high", "normal", "low" */

/* 1 when name is a valid calendar date YYYY-MM-DD (pure). */
int xq_date_valid(const char *s);

/* 1 when tz is a syntactically safe IANA name present in the system zone
 * database (/usr/share/zoneinfo, the one PostgreSQL uses on Debian). */
int xq_request_timezone_known(const char *tz);

#endif
