/*
 * query.c - SQL per export type.  Only constant strings of this file go
 * into the SQL text; request values are bound as $n parameters.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "query.h"

static const xq_column user_cols[] = {
    {"userId", XQ_COL_TEXT, 28},     {"userEmail", XQ_COL_TEXT, 28},
    {"userAlias", XQ_COL_TEXT, 24},  {"requests", XQ_COL_INT, 11},
    {"promptTokens", XQ_COL_INT, 14}, {"completionTokens", XQ_COL_INT, 17},
    {"totalTokens", XQ_COL_INT, 13}, {"spend", XQ_COL_NUMBER, 13},
    {"models", XQ_COL_INT, 9},
};
static const xq_column model_cols[] = {
    {"modelId", XQ_COL_TEXT, 28},    {"provider", XQ_COL_TEXT, 14},
    {"requests", XQ_COL_INT, 11},    {"uniqueUsers", XQ_COL_INT, 13},
    {"promptTokens", XQ_COL_INT, 14}, {"completionTokens", XQ_COL_INT, 17},
    {"totalTokens", XQ_COL_INT, 13}, {"spend", XQ_COL_NUMBER, 13},
};
static const xq_column provider_cols[] = {
    {"provider", XQ_COL_TEXT, 16},   {"requests", XQ_COL_INT, 11},
    {"uniqueUsers", XQ_COL_INT, 13}, {"models", XQ_COL_INT, 9},
    {"promptTokens", XQ_COL_INT, 14}, {"completionTokens", XQ_COL_INT, 17},
    {"totalTokens", XQ_COL_INT, 13}, {"spend", XQ_COL_NUMBER, 13},
};
static const xq_column raw_cols[] = {
    {"requestId", XQ_COL_TEXT, 38},  {"startTime", XQ_COL_TIMESTAMP, 24},
    {"endTime", XQ_COL_TIMESTAMP, 24}, {"userId", XQ_COL_TEXT, 24},
    {"modelId", XQ_COL_TEXT, 24},    {"model", XQ_COL_TEXT, 24},
    {"provider", XQ_COL_TEXT, 12},   {"callType", XQ_COL_TEXT, 14},
    {"status", XQ_COL_TEXT, 10},     {"promptTokens", XQ_COL_INT, 14},
    {"completionTokens", XQ_COL_INT, 17}, {"totalTokens", XQ_COL_INT, 13},
    {"spend", XQ_COL_NUMBER, 12},    {"durationMs", XQ_COL_INT, 12},
    {"cacheHit", XQ_COL_TEXT, 10},   {"teamId", XQ_COL_TEXT, 20},
    {"endUser", XQ_COL_TEXT, 20},
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

const xq_column *xq_query_columns(xq_export_type t, int *ncols)
{
    switch (t) {
    case XQ_TYPE_USER:
        *ncols = N(user_cols);
        return user_cols;
    case XQ_TYPE_MODEL:
        *ncols = N(model_cols);
        return model_cols;
    case XQ_TYPE_PROVIDER:
        *ncols = N(provider_cols);
        return provider_cols;
    case XQ_TYPE_RAW:
        *ncols = N(raw_cols);
        return raw_cols;
    default:
        *ncols = 0;
        return NULL;
    }
}

int xq_query_nfields(xq_export_type t)
{
    int n, i, f = 0;
    const xq_column *c = xq_query_columns(t, &n);

    for (i = 0; i < n; i++)
        f += c[i].kind == XQ_COL_TIMESTAMP ? 2 : 1;
    return f;
}

/* Derived values (SPEC §2). */
#define USER_ID "COALESCE(s.\"user\", '')"
#define MODEL_ID "COALESCE(NULLIF(s.model_group, ''), s.model)"
#define PROVIDER "COALESCE(NULLIF(s.custom_llm_provider, ''), 'unknown')"
#define SPEND6(x) "trim_scale(round((" x ")::numeric, 6))"

/*
 * A timestamp as two text fields: the wall time in the zone ($3) and the
 * UTC time, whose difference is the offset.  For UTC itself the second is
 * NULL (offset 0) and no conversion runs.  Text output of a timestamp is
 * much cheaper for the server than extract(epoch ...), which is numeric.
 */
#define TS_FIELDS(col) \
    "((" col " AT TIME ZONE 'UTC') AT TIME ZONE $3::text), " col
#define TS_FIELDS_UTC(col) col ", NULL::timestamp"

/* FROM and WHERE shared by every query: the index range and the filters. */
static xq_status add_where(xq_buf *b, const xq_export_request *req, xq_query *q)
{
    xq_status st;

    q->params[0] = req->start_date;
    q->params[1] = req->end_date;
    q->params[2] = req->timezone;
    q->nparams = 3;
    st = xq_buf_append_str(b,
        " FROM \"LiteLLM_SpendLogs\" s"
        " WHERE s.\"startTime\" >= (($1::date)::timestamp AT TIME ZONE $3::text) AT TIME ZONE 'UTC'"
        " AND s.\"startTime\" < (($2::date + 1)::timestamp AT TIME ZONE $3::text) AT TIME ZONE 'UTC'");
    if (st == XQ_OK && req->user_id != NULL) {
        q->params[q->nparams++] = req->user_id;
        st = xq_buf_printf(b, " AND " USER_ID " = $%d", q->nparams);
    }
    if (st == XQ_OK && req->model_id != NULL) {
        q->params[q->nparams++] = req->model_id;
        st = xq_buf_printf(b, " AND " MODEL_ID " = $%d", q->nparams);
    }
    if (st == XQ_OK && req->provider != NULL) {
        q->params[q->nparams++] = req->provider;
        st = xq_buf_printf(b, " AND " PROVIDER " = $%d", q->nparams);
    }
    return st;
}

static xq_status finish(xq_buf *b, xq_query *q, xq_status st, xq_err *err)
{
    if (st == XQ_OK && b->len < sizeof(q->sql))
        memcpy(q->sql, b->data, b->len + 1);
    else if (st == XQ_OK)
        st = XQ_ERR_TOO_BIG;
    xq_buf_cleanup(b);
    if (st != XQ_OK)
        return xq_err_set(err, st, "query: cannot build SQL (%s)", xq_strerror(st));
    return XQ_OK;
}

/*
 * Breakdowns: an inner aggregate over the range with the rounded spend as
 * a column, so that ordering and output use the same rounded value.
 * Spend sums are numeric (exact, so the order does not depend on the
 * summation order of doubles).
 */
static const char *const group_select[XQ_TYPE_COUNT] = {
    /* user */
    "SELECT g.uid, COALESCE(u.user_email, ''), COALESCE(u.user_alias, ''), g.requests,"
    " g.pt, g.ct, g.tt, g.spend, g.models FROM (SELECT " USER_ID " AS uid,"
    " count(*) AS requests, sum(s.prompt_tokens) AS pt, sum(s.completion_tokens) AS ct,"
    " sum(s.total_tokens) AS tt, " SPEND6("sum(s.spend::numeric)") " AS spend,"
    " count(DISTINCT NULLIF(" MODEL_ID ", '')) AS models",
    /* model */
    "SELECT g.mid, g.provider, g.requests, g.users, g.pt, g.ct, g.tt, g.spend"
    " FROM (SELECT " MODEL_ID " AS mid,"
    " mode() WITHIN GROUP (ORDER BY " PROVIDER " COLLATE \"C\") AS provider,"
    " count(*) AS requests, count(DISTINCT NULLIF(" USER_ID ", '')) AS users,"
    " sum(s.prompt_tokens) AS pt, sum(s.completion_tokens) AS ct,"
    " sum(s.total_tokens) AS tt, " SPEND6("sum(s.spend::numeric)") " AS spend",
    /* provider */
    "SELECT g.prov, g.requests, g.users, g.models, g.pt, g.ct, g.tt, g.spend"
    " FROM (SELECT " PROVIDER " AS prov,"
    " count(*) AS requests, count(DISTINCT NULLIF(" USER_ID ", '')) AS users,"
    " count(DISTINCT NULLIF(" MODEL_ID ", '')) AS models,"
    " sum(s.prompt_tokens) AS pt, sum(s.completion_tokens) AS ct,"
    " sum(s.total_tokens) AS tt, " SPEND6("sum(s.spend::numeric)") " AS spend",
    NULL};

static const char *const group_tail[XQ_TYPE_COUNT] = {
    " GROUP BY 1) g LEFT JOIN \"LiteLLM_UserTable\" u ON u.user_id = g.uid"
    " ORDER BY g.spend DESC NULLS LAST, g.uid COLLATE \"C\"",
    " GROUP BY 1) g ORDER BY g.spend DESC NULLS LAST, g.mid COLLATE \"C\"",
    " GROUP BY 1) g ORDER BY g.spend DESC NULLS LAST, g.prov COLLATE \"C\"",
    NULL};

static const char *const group_key[XQ_TYPE_COUNT] = {USER_ID, MODEL_ID, PROVIDER, NULL};

int xq_query_tz_is_utc(const char *tz)
{
    return strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0;
}

xq_status xq_query_rows(const xq_export_request *req, xq_query *q, xq_err *err)
{
    xq_buf b;
    xq_status st;

    memset(q, 0, sizeof(*q));
    if ((unsigned)req->type >= XQ_TYPE_COUNT)
        return xq_err_set(err, XQ_ERR_INVALID, "query: unknown export type");
    xq_buf_init(&b, XQ_QUERY_SQL_MAX - 1);
    if (req->type == XQ_TYPE_RAW) {
        int utc = xq_query_tz_is_utc(req->timezone);

        st = xq_buf_append_str(&b, utc ?
            "SELECT s.request_id, " TS_FIELDS_UTC("s.\"startTime\"") ", "
            TS_FIELDS_UTC("s.\"endTime\"") "," :
            "SELECT s.request_id, " TS_FIELDS("s.\"startTime\"") ", "
            TS_FIELDS("s.\"endTime\"") ",");
        if (st == XQ_OK)
            st = xq_buf_append_str(&b, " " USER_ID ", " MODEL_ID ", s.model, " PROVIDER ","
            " s.call_type, s.status, s.prompt_tokens, s.completion_tokens, s.total_tokens, "
            SPEND6("s.spend") ", s.request_duration_ms, s.cache_hit, s.team_id, s.end_user");
        if (st == XQ_OK)
            st = add_where(&b, req, q);
        if (st == XQ_OK)
            st = xq_buf_append_str(&b, " ORDER BY s.\"startTime\", s.request_id COLLATE \"C\"");
    } else {
        st = xq_buf_append_str(&b, group_select[req->type]);
        if (st == XQ_OK)
            st = add_where(&b, req, q);
        if (st == XQ_OK)
            st = xq_buf_append_str(&b, group_tail[req->type]);
    }
    return finish(&b, q, st, err);
}

xq_status xq_query_count(const xq_export_request *req, xq_query *q, xq_err *err)
{
    xq_buf b;
    xq_status st;

    memset(q, 0, sizeof(*q));
    if ((unsigned)req->type >= XQ_TYPE_COUNT)
        return xq_err_set(err, XQ_ERR_INVALID, "query: unknown export type");
    xq_buf_init(&b, XQ_QUERY_SQL_MAX - 1);
    if (req->type == XQ_TYPE_RAW) {
        st = xq_buf_append_str(&b, "SELECT count(*)");
        if (st == XQ_OK)
            st = add_where(&b, req, q);
    } else {
        /* one row per group, NULL keys included, exactly as the row query */
        st = xq_buf_printf(&b, "SELECT count(*) FROM (SELECT %s AS k", group_key[req->type]);
        if (st == XQ_OK)
            st = add_where(&b, req, q);
        if (st == XQ_OK)
            st = xq_buf_append_str(&b, " GROUP BY 1) g");
    }
    return finish(&b, q, st, err);
}
