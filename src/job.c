/*
 * job.c - the job record without I/O: state names, field parsing from the
 * Redis hash, the SPEC §5 API object, UUIDs and ISO times.  Everything read
 * from Redis is treated as hostile: lengths bounded, numbers parsed strictly.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "job.h"
#include "sig.h"

static const char *const state_names[XQ_JOB_STATE_COUNT] = {
    "waiting", "active", "delayed", "completed", "failed", "cancelled",
};

const char *xq_job_state_name(xq_job_state s)
{
    if ((int)s < 0 || s >= XQ_JOB_STATE_COUNT)
        return "unknown";
    return state_names[s];
}

int xq_job_state_parse(const char *s)
{
    int i;

    if (s == NULL)
        return -1;
    for (i = 0; i < XQ_JOB_STATE_COUNT; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

int xq_job_state_finished(xq_job_state s)
{
    return s == XQ_JOB_COMPLETED || s == XQ_JOB_FAILED || s == XQ_JOB_CANCELLED;
}

const char *xq_job_priority_name(int prio)
{
    switch (prio) {
    case 1:
        return "high";
    case 5:
        return "normal";
    case 10:
        return "low";
    default:
        return NULL;
    }
}

void xq_job_free(xq_job *job)
{
    if (job == NULL)
        return;
    free(job->owner);
    free(job->owner_email);
    free(job->request_json);
    free(job->export_type);
    free(job->format);
    free(job->error);
    free(job->result_json);
    free(job->worker_id);
    free(job);
}

void xq_job_list_free(xq_job **jobs, size_t n)
{
    size_t i;

    if (jobs == NULL)
        return;
    for (i = 0; i < n; i++)
        xq_job_free(jobs[i]);
    free(jobs);
}

xq_job *xq_job_alloc(void)
{
    return calloc(1, sizeof(xq_job));
}

xq_status xq_job_new_id(char id[XQ_JOB_ID_LEN + 1], xq_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t got = 0;
    ssize_t r;
    int i, o = 0;

    while (got < sizeof(b)) {
        r = getrandom(b + got, sizeof(b) - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return xq_err_set(err, XQ_ERR_IO, "getrandom: %s", strerror(errno));
        }
        got += (size_t)r;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            id[o++] = '-';
        id[o++] = hex[b[i] >> 4];
        id[o++] = hex[b[i] & 15];
    }
    id[o] = '\0';
    return XQ_OK;
}

int xq_job_id_valid(const char *s)
{
    int i;

    if (s == NULL || strlen(s) != XQ_JOB_ID_LEN)
        return 0;
    for (i = 0; i < XQ_JOB_ID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static long long parse_ll(const char *v, size_t len)
{
    char tmp[32];
    char *end = NULL;
    long long n;

    if (len == 0 || len >= sizeof(tmp))
        return 0;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    errno = 0;
    n = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    return n;
}

static double parse_double(const char *v, size_t len)
{
    char tmp[48];
    char *end = NULL;
    double d;

    if (len == 0 || len >= sizeof(tmp))
        return 0;
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    errno = 0;
    d = strtod(tmp, &end);
    if (errno != 0 || *end != '\0' || d != d || d < 0 || d > 1e15)
        return 0;
    return d;
}

static int clamp_int(long long n, int lo, int hi)
{
    return n < lo ? lo : n > hi ? hi : (int)n;
}

static xq_status set_str(char **dst, const char *v, size_t len)
{
    char *s;

    if (len > XQ_JOB_FIELD_MAX)
        return XQ_ERR_TOO_BIG;
    s = malloc(len + 1);
    if (s == NULL)
        return XQ_ERR_NOMEM;
    memcpy(s, v, len);
    s[len] = '\0';
    free(*dst);
    *dst = s;
    return XQ_OK;
}

xq_status xq_job_set_field(xq_job *job, const char *name, const char *v, size_t len)
{
    char tmp[16];
    int st;

    if (strcmp(name, "id") == 0) {
        if (len != XQ_JOB_ID_LEN)
            return XQ_ERR_INVALID;
        memcpy(job->id, v, len);
        job->id[len] = '\0';
    } else if (strcmp(name, "state") == 0) {
        if (len >= sizeof(tmp))
            return XQ_ERR_INVALID;
        memcpy(tmp, v, len);
        tmp[len] = '\0';
        if ((st = xq_job_state_parse(tmp)) < 0)
            return XQ_ERR_INVALID;
        job->state = (xq_job_state)st;
    } else if (strcmp(name, "owner") == 0) {
        return set_str(&job->owner, v, len);
    } else if (strcmp(name, "email") == 0) {
        return set_str(&job->owner_email, v, len);
    } else if (strcmp(name, "req") == 0) {
        return set_str(&job->request_json, v, len);
    } else if (strcmp(name, "type") == 0) {
        return set_str(&job->export_type, v, len);
    } else if (strcmp(name, "fmt") == 0) {
        return set_str(&job->format, v, len);
    } else if (strcmp(name, "error") == 0) {
        return set_str(&job->error, v, len);
    } else if (strcmp(name, "result") == 0) {
        return set_str(&job->result_json, v, len);
    } else if (strcmp(name, "worker") == 0) {
        if (len == 0) {
            free(job->worker_id);
            job->worker_id = NULL;
            return XQ_OK;
        }
        return set_str(&job->worker_id, v, len);
    } else if (strcmp(name, "prio") == 0) {
        job->priority = clamp_int(parse_ll(v, len), 0, 1000);
    } else if (strcmp(name, "progress") == 0) {
        job->progress = clamp_int(parse_ll(v, len), 0, 100);
    } else if (strcmp(name, "rows") == 0) {
        job->rows_written = parse_ll(v, len);
    } else if (strcmp(name, "rowsEst") == 0) {
        job->rows_estimated = parse_ll(v, len);
    } else if (strcmp(name, "rps") == 0) {
        job->rows_per_second = parse_double(v, len);
    } else if (strcmp(name, "reqAt") == 0) {
        job->requested_at_ms = parse_ll(v, len);
    } else if (strcmp(name, "startAt") == 0) {
        job->started_at_ms = parse_ll(v, len);
    } else if (strcmp(name, "finAt") == 0) {
        job->finished_at_ms = parse_ll(v, len);
    } else if (strcmp(name, "attempts") == 0) {
        job->attempts_made = clamp_int(parse_ll(v, len), 0, INT_MAX);
    } else if (strcmp(name, "cancel") == 0) {
        job->cancel_requested = parse_ll(v, len) != 0;
    } else if (strcmp(name, "lease") == 0) {
        job->lease_until_ms = parse_ll(v, len);
    } else if (strcmp(name, "position") == 0) {
        job->position = parse_ll(v, len);
    }
    /* "seq", "due", "file", "fileExp", "expired" serve the scripts only:
     * result.expired is decided from expiresAt and now. */
    return XQ_OK;
}

void xq_time_iso_ms(long long ms, char out[32])
{
    time_t t;
    struct tm tm;
    long long sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int milli = (int)(ms - sec * 1000);

    t = (time_t)sec;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
        return;
    }
    if (tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        snprintf(out, 32, "9999-12-31T23:59:59.999Z");
        return;
    }
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, milli % 1000);
}

long long xq_time_parse_iso_ms(const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, sec, ms = 0, n = 0;
    time_t t;

    if (s == NULL || strlen(s) > 30)
        return -1;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return -1;
    s += n;
    if (*s == '.') {
        if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9')
            return -1;
        ms = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        s += 4;
    }
    if (strcmp(s, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60 || y < 1970)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    return (long long)t * 1000 + ms;
}

static int add(json_object *o, const char *key, json_object *v)
{
    if (v == NULL)
        return -1;
    if (json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static int add_time(json_object *o, const char *key, long long ms)
{
    char iso[32];

    xq_time_iso_ms(ms, iso);
    return add(o, key, json_object_new_string(iso));
}

/* filters of the job object: the dates and every filter given, from the
 * stored request (SPEC §10 metadata.filters). */
static json_object *filters_of(const char *request_json)
{
    static const char *const keys[] = {"startDate", "endDate", "userId", "modelId",
                                       "provider", "timezone"};
    json_object *req = NULL, *out = json_object_new_object(), *v;
    size_t i;

    if (out == NULL)
        return NULL;
    if (request_json != NULL)
        req = json_tokener_parse(request_json);
    if (req != NULL && json_object_is_type(req, json_type_object)) {
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            if (json_object_object_get_ex(req, keys[i], &v) &&
                json_object_is_type(v, json_type_string) &&
                add(out, keys[i], json_object_new_string(json_object_get_string(v))) != 0) {
                json_object_put(out);
                out = NULL;
                break;
            }
        }
    }
    json_object_put(req);
    return out;
}

/* A time field of a stored result: ms number or ISO text; -1 if absent. */
static long long result_time(json_object *res, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(res, key, &v))
        return -1;
    if (json_object_is_type(v, json_type_int))
        return json_object_get_int64(v);
    if (json_object_is_type(v, json_type_string))
        return xq_time_parse_iso_ms(json_object_get_string(v));
    return -1;
}

static json_object *result_of(const xq_job *job, const xq_config *cfg, long long now_ms)
{
    json_object *res = NULL, *out = NULL, *v;
    const char *file = NULL;
    long long completed, expires;
    char hex[XQ_SIG_HEX_LEN + 1];
    char *url = NULL;
    size_t n;
    int ok = 0;

    if (job->result_json == NULL)
        return NULL;
    res = json_tokener_parse(job->result_json);
    if (res == NULL || !json_object_is_type(res, json_type_object))
        goto out;
    if (json_object_object_get_ex(res, "fileName", &v) && json_object_is_type(v, json_type_string))
        file = json_object_get_string(v);
    if (file == NULL || (out = json_object_new_object()) == NULL)
        goto out;
    completed = result_time(res, "completedAt");
    expires = result_time(res, "expiresAt");
    if (completed < 0)
        completed = job->finished_at_ms;
    if (expires < 0)
        expires = completed;
    if (xq_sig_sign(cfg->jwt_secret ? cfg->jwt_secret : "", file, expires / 1000, hex) != XQ_OK)
        goto out;
    n = strlen(cfg->download_base_url ? cfg->download_base_url : "") + strlen(file) + 128;
    if ((url = malloc(n)) == NULL)
        goto out;
    snprintf(url, n, "%s/downloads/%s?expires=%lld&sig=%s",
             cfg->download_base_url ? cfg->download_base_url : "", file, expires / 1000, hex);
    if (add(out, "fileName", json_object_new_string(file)) != 0 ||
        add(out, "downloadUrl", json_object_new_string(url)) != 0)
        goto out;
    if (json_object_object_get_ex(res, "rowCount", &v) &&
        add(out, "rowCount", json_object_new_int64(json_object_get_int64(v))) != 0)
        goto out;
    if (json_object_object_get_ex(res, "fileSize", &v) &&
        add(out, "fileSize", json_object_new_int64(json_object_get_int64(v))) != 0)
        goto out;
    if (add_time(out, "completedAt", completed) != 0 || add_time(out, "expiresAt", expires) != 0 ||
        add(out, "expired", json_object_new_boolean(now_ms >= expires)) != 0)
        goto out;
    ok = 1;
out:
    free(url);
    json_object_put(res);
    if (!ok) {
        json_object_put(out);
        return NULL;
    }
    return out;
}

json_object *xq_job_to_api_json(const xq_job *job, const xq_config *cfg, long long now_ms)
{
    json_object *o = json_object_new_object(), *r;
    const char *pn = xq_job_priority_name(job->priority);
    long long left;

    if (o == NULL)
        return NULL;
    if (add(o, "jobId", json_object_new_string(job->id)) != 0 ||
        add(o, "status", json_object_new_string(xq_job_state_name(job->state))) != 0 ||
        add(o, "progress", json_object_new_int(job->progress)) != 0 ||
        add(o, "rowsWritten", json_object_new_int64(job->rows_written)) != 0 ||
        add(o, "rowsEstimated", json_object_new_int64(job->rows_estimated)) != 0)
        goto fail;
    /*
     * The remaining percent at this attempt's percent rate.  Not from the
     * row rate: an XLSX export spends about half its run zipping after the
     * last row (SPEC §3), where rows say 0 s left; the engine's percent
     * covers that phase (doc/export.md).  None before the first percent.
     */
    if (job->state == XQ_JOB_ACTIVE && job->progress > 0 && job->progress < 100 &&
        job->started_at_ms > 0 && now_ms > job->started_at_ms) {
        left = (now_ms - job->started_at_ms) * (100 - job->progress) / job->progress;
        if (add(o, "etaSeconds", json_object_new_int64((left + 999) / 1000)) != 0)
            goto fail;
    }
    if ((job->state == XQ_JOB_WAITING || job->state == XQ_JOB_DELAYED) && job->position > 0 &&
        add(o, "position", json_object_new_int64(job->position)) != 0)
        goto fail;
    if (add(o, "exportType", json_object_new_string(job->export_type ? job->export_type : "")) !=
            0 ||
        add(o, "format", json_object_new_string(job->format ? job->format : "")) != 0 ||
        add(o, "filters", filters_of(job->request_json)) != 0)
        goto fail;
    if (add(o, "priority",
            pn ? json_object_new_string(pn) : json_object_new_int(job->priority)) != 0 ||
        add_time(o, "requestedAt", job->requested_at_ms) != 0)
        goto fail;
    if (job->started_at_ms > 0 && add_time(o, "startedAt", job->started_at_ms) != 0)
        goto fail;
    if (job->finished_at_ms > 0 && xq_job_state_finished(job->state) &&
        add_time(o, "finishedAt", job->finished_at_ms) != 0)
        goto fail;
    if (add(o, "attemptsMade", json_object_new_int(job->attempts_made)) != 0)
        goto fail;
    if (job->state == XQ_JOB_COMPLETED && (r = result_of(job, cfg, now_ms)) != NULL &&
        add(o, "result", r) != 0)
        goto fail;
    if (job->error != NULL && job->error[0] != '\0' &&
        add(o, "error", json_object_new_string(job->error)) != 0)
        goto fail;
    return o;
fail:
    json_object_put(o);
    return NULL;
}
