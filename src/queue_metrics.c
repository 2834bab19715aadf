/*
 * queue_metrics.c - metrics every process adds to in one Redis hash
 * (<prefix>:metrics), so the responder's /metrics shows what every worker
 * on every host counted.  Each hash field is a full series name with its
 * labels; the job scripts count export_jobs_total, the duration histogram,
 * rows and bytes (see doc/queue.md); other code adds with
 * xq_queue_metric_incr().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_int.h"

#define METRIC_FIELDS_MAX 10000
#define METRIC_NAME_MAX 200

static const char *const buckets[] = {"1", "5", "15", "60", "300", "900", "3600", "+Inf"};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static const struct {
    const char *name, *help;
} known[] = {
    {"export_jobs_total", "Export jobs finished, by final status and export type."},
    {"export_rows_total", "Rows written to completed export files."},
    {"export_bytes_total", "Bytes of completed export files."},
    {"mail_failures_total", "Completion mails that could not be sent."},
};

static int name_char(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* A series name: metric name, optionally {label="value",...} with plain
 * values (no quote, backslash or newline). */
static int series_valid(const char *s)
{
    size_t i = 0, n = strlen(s);

    if (n == 0 || n > METRIC_NAME_MAX)
        return 0;
    while (i < n && name_char(s[i], i == 0))
        i++;
    if (i == 0)
        return 0;
    if (i == n)
        return 1;
    if (s[i] != '{' || s[n - 1] != '}')
        return 0;
    for (i++; i < n - 1; i++)
        if (s[i] == '\\' || s[i] == '\n' || s[i] == '{' || s[i] == '}')
            return 0;
    return 1;
}

xq_status xq_queue_metric_incr(xq_queue *q, const char *name, long long by, xq_err *err)
{
    char key[XQ_QUEUE_PREFIX_MAX + 16];
    redisReply *rep = NULL;
    xq_status st;

    if (name == NULL || !series_valid(name) ||
        strncmp(name, "export_job_duration_seconds", 27) == 0)
        return xq_err_set(err, XQ_ERR_INVALID, "metric: bad series name");
    snprintf(key, sizeof(key), "%s:metrics", q->prefix);
    if ((st = xq_redis_cmd(xq_queue_redis(q), &rep, err, "HINCRBY %s %s %lld", key, name, by)) !=
        XQ_OK)
        return st;
    if (rep->type == REDIS_REPLY_ERROR)
        st = xq_err_set(err, XQ_ERR_REDIS, "metric %s: %.200s", name, rep->str);
    freeReplyObject(rep);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t base_len(const char *s)
{
    const char *b = strchr(s, '{');

    return b ? (size_t)(b - s) : strlen(s);
}

static const char *help_of(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].name) == len && strncmp(known[i].name, name, len) == 0)
            return known[i].help;
    return "Counter kept by exportq.";
}

static const char *value_of(const redisReply *h, const char *field)
{
    size_t i;

    for (i = 0; i + 1 < h->elements; i += 2)
        if (h->element[i]->type == REDIS_REPLY_STRING && strcmp(h->element[i]->str, field) == 0 &&
            h->element[i + 1]->type == REDIS_REPLY_STRING)
            return h->element[i + 1]->str;
    return "0";
}

static int numeric(const char *s)
{
    char *end = NULL;

    if (s == NULL || *s == '\0' || strlen(s) > 40)
        return 0;
    (void)strtod(s, &end);
    return *end == '\0';
}

static xq_status render_counters(const redisReply *h, xq_buf *out, xq_err *err)
{
    const char **names = NULL;
    size_t i, n = 0, prev_len = 0;
    const char *prev = NULL;
    char field[METRIC_NAME_MAX + 32];
    xq_status st = XQ_OK;

    if (h->elements == 0)
        return XQ_OK;
    if ((names = calloc(h->elements / 2, sizeof(*names))) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "metrics: out of memory");
    for (i = 0; i + 1 < h->elements; i += 2) {
        const char *k = h->element[i]->str;

        if (h->element[i]->type != REDIS_REPLY_STRING || !series_valid(k) ||
            strncmp(k, "export_job_duration_seconds", 27) == 0)
            continue;
        names[n++] = k;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i < n && st == XQ_OK; i++) {
        size_t bl = base_len(names[i]);
        const char *v = value_of(h, names[i]);

        if (prev == NULL || bl != prev_len || strncmp(prev, names[i], bl) != 0) {
            st = xq_buf_printf(out, "# HELP %.*s %s\n# TYPE %.*s counter\n", (int)bl, names[i],
                               help_of(names[i], bl), (int)bl, names[i]);
            prev = names[i];
            prev_len = bl;
        }
        snprintf(field, sizeof(field), "%s", names[i]);
        if (st == XQ_OK)
            st = xq_buf_printf(out, "%s %s\n", field, numeric(v) ? v : "0");
    }
    free(names);
    if (st != XQ_OK)
        xq_err_set(err, st, "metrics: output too large");
    return st;
}

static xq_status render_histogram(const redisReply *h, xq_buf *out)
{
    char field[64];
    const char *v;
    xq_status st;
    size_t i;

    long long cum = 0;

    /* stored per bucket (a completion increments one field); exposed
     * cumulative as Prometheus wants, the count being the +Inf bucket */
    st = xq_buf_append_str(out, "# HELP export_job_duration_seconds Run time of completed "
                                "export jobs.\n# TYPE export_job_duration_seconds histogram\n");
    for (i = 0; i < NBUCKETS && st == XQ_OK; i++) {
        snprintf(field, sizeof(field), "export_job_duration_seconds_bucket{le=\"%s\"}",
                 buckets[i]);
        v = value_of(h, field);
        if (numeric(v))
            cum += strtoll(v, NULL, 10);
        st = xq_buf_printf(out, "%s %lld\n", field, cum);
    }
    v = value_of(h, "export_job_duration_seconds_sum");
    if (st == XQ_OK)
        st = xq_buf_printf(out, "export_job_duration_seconds_sum %s\n", numeric(v) ? v : "0");
    if (st == XQ_OK)
        st = xq_buf_printf(out, "export_job_duration_seconds_count %lld\n", cum);
    return st;
}

xq_status xq_queue_metrics_text(xq_queue *q, xq_buf *out, xq_err *err)
{
    char key[XQ_QUEUE_PREFIX_MAX + 16];
    xq_queue_stats s;
    redisReply *rep = NULL;
    xq_status st;

    if ((st = xq_queue_stats_get(q, &s, err)) != XQ_OK)
        return st;
    snprintf(key, sizeof(key), "%s:metrics", q->prefix);
    if ((st = xq_redis_cmd(xq_queue_redis(q), &rep, err, "HGETALL %s", key)) != XQ_OK)
        return st;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements > 2 * METRIC_FIELDS_MAX) {
        st = xq_err_set(err, XQ_ERR_REDIS, "metrics: malformed reply");
        goto out;
    }
    if ((st = render_counters(rep, out, err)) != XQ_OK)
        goto out;
    if ((st = render_histogram(rep, out)) != XQ_OK)
        goto toobig;
    st = xq_buf_printf(out,
                       "# HELP export_queue_jobs Jobs in the queue by state.\n"
                       "# TYPE export_queue_jobs gauge\n"
                       "export_queue_jobs{state=\"waiting\"} %lld\n"
                       "export_queue_jobs{state=\"active\"} %lld\n"
                       "export_queue_jobs{state=\"delayed\"} %lld\n"
                       "export_queue_jobs{state=\"completed\"} %lld\n"
                       "export_queue_jobs{state=\"failed\"} %lld\n"
                       "export_queue_jobs{state=\"cancelled\"} %lld\n"
                       "# HELP export_queue_paused 1 while dispatch is paused.\n"
                       "# TYPE export_queue_paused gauge\n"
                       "export_queue_paused %d\n"
                       "# HELP export_workers_live Workers with a live heartbeat.\n"
                       "# TYPE export_workers_live gauge\n"
                       "export_workers_live %lld\n",
                       s.waiting, s.active, s.delayed, s.completed, s.failed, s.cancelled,
                       s.paused, s.workers);
toobig:
    if (st != XQ_OK)
        xq_err_set(err, st, "metrics: output too large");
out:
    freeReplyObject(rep);
    return st;
}
