/*
 * fmt_json.c - JSON writer (SPEC §3, §10): one object, metadata first (the
 * engine knows the exact row count before the first row: it counts in the
 * same snapshot), then "data" with one object per row.  Strings go through
 * jsonstr (valid UTF-8 always); numbers as numbers, a NULL or non-finite
 * number as null; NULL text as "".
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "jsonstr.h"

#define JSON_COLS_MAX 32

typedef struct json_state {
    xq_sink sink;
    const xq_column *cols;
    int ncols;
    xq_buf keys;                    /* "\n{\"a\":" ",\"b\":" ... written once */
    size_t key_off[JSON_COLS_MAX];
    size_t key_len[JSON_COLS_MAX];
    long long expected;
    long long rows;
} json_state;

static xq_status kv_str(xq_buf *b, const char *sep, const char *key, const char *val)
{
    xq_status st = xq_buf_printf(b, "%s\"%s\":", sep, key);

    return st == XQ_OK ? xq_json_append_cstr(b, val) : st;
}

static xq_status metadata(xq_buf *b, const xq_fmt_meta *m)
{
    const xq_export_request *r = m->req;
    xq_status st;

    st = kv_str(b, "{\"metadata\":{", "exportType", xq_export_type_name(r->type));
    if (st == XQ_OK)
        st = kv_str(b, ",", "format", xq_format_name(r->format));
    if (st == XQ_OK)
        st = kv_str(b, ",\"filters\":{", "startDate", r->start_date);
    if (st == XQ_OK)
        st = kv_str(b, ",", "endDate", r->end_date);
    if (st == XQ_OK && r->user_id)
        st = kv_str(b, ",", "userId", r->user_id);
    if (st == XQ_OK && r->model_id)
        st = kv_str(b, ",", "modelId", r->model_id);
    if (st == XQ_OK && r->provider)
        st = kv_str(b, ",", "provider", r->provider);
    if (st == XQ_OK)
        st = kv_str(b, "},", "timezone", r->timezone);
    if (st == XQ_OK)
        st = xq_buf_printf(b, ",\"recordCount\":%lld", m->record_count);
    if (st == XQ_OK)
        st = kv_str(b, ",", "exportedAt", m->exported_at);
    if (st == XQ_OK)
        st = m->job_id ? kv_str(b, ",", "jobId", m->job_id)
                       : xq_buf_append_str(b, ",\"jobId\":null");
    if (st == XQ_OK)
        st = xq_buf_append_str(b, "},\n\"data\":[");
    return st;
}

static xq_status json_begin(void **state, const char *path, const xq_column *cols, int ncols,
                            const xq_fmt_meta *meta, xq_err *err)
{
    json_state *j = calloc(1, sizeof(*j));
    xq_status st;
    int i;

    *state = NULL;
    if (j == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "json: out of memory");
    j->cols = cols;
    j->ncols = ncols;
    j->expected = meta->record_count;
    xq_buf_init(&j->keys, 64 * JSON_COLS_MAX);
    /* the keys of every row, escaped once: no formatting per cell */
    for (i = 0, st = ncols > JSON_COLS_MAX ? XQ_ERR_TOO_BIG : XQ_OK; st == XQ_OK && i < ncols;
         i++) {
        j->key_off[i] = j->keys.len;
        st = xq_buf_append_str(&j->keys, i ? "," : "{");
        if (st == XQ_OK)
            st = xq_json_append_cstr(&j->keys, cols[i].name);
        if (st == XQ_OK)
            st = xq_buf_append_char(&j->keys, ':');
        j->key_len[i] = j->keys.len - j->key_off[i];
    }
    if (st != XQ_OK) {
        xq_buf_cleanup(&j->keys);
        free(j);
        return xq_err_set(err, st, "json: %s", xq_strerror(st));
    }
    if ((st = xq_sink_open(&j->sink, path, err)) != XQ_OK) {
        xq_buf_cleanup(&j->keys);
        free(j);
        return st;
    }
    *state = j;
    if ((st = metadata(&j->sink.buf, meta)) != XQ_OK)
        return xq_err_set(err, st, "json: %s", xq_strerror(st));
    return XQ_OK;
}

static xq_status json_row(void *state, const xq_cell *cells, xq_err *err)
{
    json_state *j = state;
    xq_buf *b = &j->sink.buf;
    xq_status st;
    int i;

    st = j->rows ? xq_buf_append(b, ",\n", 2) : xq_buf_append_char(b, '\n');
    for (i = 0; i < j->ncols && st == XQ_OK; i++) {
        const xq_cell *c = &cells[i];

        st = xq_buf_append(b, j->keys.data + j->key_off[i], j->key_len[i]);
        if (st != XQ_OK)
            break;
        switch (j->cols[i].kind) {
        case XQ_COL_INT:
        case XQ_COL_NUMBER:
            if (c->null || !xq_json_number_valid(c->s, c->len))
                st = xq_buf_append(b, "null", 4);
            else
                st = xq_buf_append(b, c->s, c->len);
            break;
        case XQ_COL_TIMESTAMP:
            st = c->null ? xq_buf_append(b, "null", 4) : xq_json_append_str(b, c->s, c->len);
            break;
        default:
            st = xq_json_append_str(b, c->null ? "" : c->s, c->null ? 0 : c->len);
            break;
        }
    }
    if (st == XQ_OK)
        st = xq_buf_append_char(b, '}');
    if (st != XQ_OK)
        return xq_err_set(err, st, "json: row too large or out of memory");
    j->rows++;
    return xq_sink_maybe_flush(&j->sink, err);
}

static xq_status json_end(void *state, long long rows, xq_err *err)
{
    json_state *j = state;
    xq_status st;

    if (rows != j->expected) {
        long long expected = j->expected;

        /* metadata.recordCount is already written: never ship a file that lies */
        xq_sink_discard(&j->sink);
        xq_buf_cleanup(&j->keys);
        free(j);
        return xq_err_set(err, XQ_ERR_INTERNAL,
                          "json: wrote %lld rows but the snapshot count was %lld", rows,
                          expected);
    }
    st = xq_buf_append_str(&j->sink.buf, rows ? "\n]}\n" : "]}\n");
    if (st != XQ_OK) {
        xq_sink_discard(&j->sink);
        xq_buf_cleanup(&j->keys);
        free(j);
        return xq_err_set(err, st, "json: %s", xq_strerror(st));
    }
    st = xq_sink_close(&j->sink, err);
    xq_buf_cleanup(&j->keys);
    free(j);
    return st;
}

static void json_abort(void *state)
{
    json_state *j = state;

    if (j == NULL)
        return;
    xq_sink_discard(&j->sink);
    xq_buf_cleanup(&j->keys);
    free(j);
}

const struct xq_format_ops xq_fmt_json_ops = {"json", json_begin, json_row, json_end, json_abort};
