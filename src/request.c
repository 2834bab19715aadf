/*
 * request.c - export request parsing, validation and stored form (SPEC §2,
 * §5).  Everything here is pure except xq_request_timezone_known(), which
 * looks the zone up in the system time zone database.
 *
 * Limits: a body is parsed with json-c's tokener bounded by len; every
 * string copied out is bounded (XQ_FILTER_MAX, XQ_TZ_MAX, the date size).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "jsonstr.h"
#include "request.h"

#define XQ_ZONEINFO_DIR "/usr/share/zoneinfo/"

static const char *const type_names[XQ_TYPE_COUNT] = {
    "user-breakdown", "model-breakdown", "provider-breakdown", "raw-data"};
static const char *const format_names[XQ_FMT_COUNT] = {"csv", "json", "excel"};
static const char *const format_exts[XQ_FMT_COUNT] = {"csv", "json", "xlsx"};
static const char *const format_mimes[XQ_FMT_COUNT] = {
    "text/csv; charset=utf-8", "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};

const char *xq_export_type_name(xq_export_type t)
{
    return (unsigned)t < XQ_TYPE_COUNT ? type_names[t] : "unknown";
}

const char *xq_format_name(xq_format f)
{
    return (unsigned)f < XQ_FMT_COUNT ? format_names[f] : "unknown";
}

const char *xq_format_ext(xq_format f)
{
    return (unsigned)f < XQ_FMT_COUNT ? format_exts[f] : "bin";
}

const char *xq_format_mime(xq_format f)
{
    return (unsigned)f < XQ_FMT_COUNT ? format_mimes[f] : "application/octet-stream";
}

int xq_export_type_parse(const char *s)
{
    int i;

    for (i = 0; s != NULL && i < XQ_TYPE_COUNT; i++)
        if (strcmp(s, type_names[i]) == 0)
            return i;
    return -1;
}

int xq_format_parse(const char *s)
{
    int i;

    for (i = 0; s != NULL && i < XQ_FMT_COUNT; i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return -1;
}

const char *xq_priority_name(int prio)
{
    if (prio == XQ_PRIO_HIGH)
        return "high";
    if (prio == XQ_PRIO_LOW)
        return "low";
    return "normal";
}

static int priority_parse(const char *s)
{
    if (strcmp(s, "high") == 0)
        return XQ_PRIO_HIGH;
    if (strcmp(s, "normal") == 0)
        return XQ_PRIO_NORMAL;
    if (strcmp(s, "low") == 0)
        return XQ_PRIO_LOW;
    return -1;
}

void xq_request_init(xq_export_request *req)
{
    memset(req, 0, sizeof(*req));
    req->type = XQ_TYPE_USER;
    req->format = XQ_FMT_CSV;
    memcpy(req->timezone, "UTC", 4);
    req->priority = XQ_PRIO_NORMAL;
    req->formula_guard = 1;
}

void xq_request_cleanup(xq_export_request *req)
{
    if (req == NULL)
        return;
    free(req->user_id);
    free(req->model_id);
    free(req->provider);
    req->user_id = req->model_id = req->provider = NULL;
}

int xq_date_valid(const char *s)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, i, leap;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Letters, digits and "_+-" in components separated by single '/', no
 * component starting with '.', so that the name can never leave the
 * zoneinfo directory. */
static int tz_syntax_ok(const char *tz)
{
    size_t i, n = strlen(tz);
    int comp_start = 1;

    if (n == 0 || n >= XQ_TZ_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = tz[i];

        if (c == '/') {
            if (comp_start)
                return 0;
            comp_start = 1;
            continue;
        }
        if (comp_start && (c == '.' || c == '-'))
            return 0;
        comp_start = 0;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-'))
            return 0;
    }
    return !comp_start;
}

int xq_request_timezone_known(const char *tz)
{
    char path[sizeof(XQ_ZONEINFO_DIR) + XQ_TZ_MAX];
    char magic[4];
    struct stat stb;
    int fd, ok = 0;

    if (tz == NULL || !tz_syntax_ok(tz))
        return 0;
    /* "localtime" and "posixrules" are links whose meaning depends on the host */
    if (strcmp(tz, "localtime") == 0 || strcmp(tz, "posixrules") == 0 ||
        strcmp(tz, "Factory") == 0)
        return 0;
    snprintf(path, sizeof(path), "%s%s", XQ_ZONEINFO_DIR, tz);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    if (fstat(fd, &stb) == 0 && S_ISREG(stb.st_mode) &&
        read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
        memcmp(magic, "TZif", 4) == 0)
        ok = 1;
    close(fd);
    return ok;
}

static void fe_add(xq_field_errors *fe, const char *field, const char *msg)
{
    if (fe == NULL || fe->count >= XQ_FIELD_ERRORS_MAX)
        return;
    snprintf(fe->e[fe->count].field, sizeof(fe->e[0].field), "%s", field);
    snprintf(fe->e[fe->count].message, sizeof(fe->e[0].message), "%s", msg);
    fe->count++;
}

static int utf8_ok(const char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        if ((k = xq_utf8_seq((const unsigned char *)s + i, n - i, NULL)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* A string field: NULL and a problem recorded when it is not a string. */
static const char *want_string(json_object *v, const char *field, xq_field_errors *fe,
                               int *bad)
{
    if (!json_object_is_type(v, json_type_string)) {
        fe_add(fe, field, "must be a string");
        (*bad)++;
        return NULL;
    }
    /* an embedded NUL would make the C string say less than the JSON did */
    if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
        fe_add(fe, field, "must not contain NUL characters");
        (*bad)++;
        return NULL;
    }
    /* json-c passes ill-formed UTF-8 through; PostgreSQL would refuse it
     * later as an SQL error (a 500 here, a failed job in the worker) */
    if (!utf8_ok(json_object_get_string(v), (size_t)json_object_get_string_len(v))) {
        fe_add(fe, field, "must be valid UTF-8");
        (*bad)++;
        return NULL;
    }
    return json_object_get_string(v);
}

static void take_date(json_object *v, const char *field, char out[11], xq_field_errors *fe,
                      int *bad)
{
    const char *s = want_string(v, field, fe, bad);

    if (s == NULL)
        return;
    if (!xq_date_valid(s)) {
        fe_add(fe, field, "must be a calendar date YYYY-MM-DD");
        (*bad)++;
        return;
    }
    memcpy(out, s, 11);
}

static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;

    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if ((k = xq_utf8_seq(u + i, n - i, NULL)) == 0)
            return 0;
        i += k;
    }
    return 1;
}

static xq_status take_filter(json_object *v, const char *field, char **out, xq_field_errors *fe,
                             int *bad)
{
    const char *s = want_string(v, field, fe, bad);
    size_t n;

    if (s == NULL)
        return XQ_OK;
    n = (size_t)json_object_get_string_len(v);
    if (n == 0) {
        fe_add(fe, field, "must be a non-empty string");
        (*bad)++;
        return XQ_OK;
    }
    if (n > XQ_FILTER_MAX) {
        fe_add(fe, field, "must be at most 256 bytes");
        (*bad)++;
        return XQ_OK;
    }
    /* json-c passes raw bytes through: a filter that is not UTF-8 would
     * make the job's filters invalid JSON and the SQL fail (found by
     * tests/fuzz/fuzz_request) */
    if (!utf8_valid(s, n)) {
        fe_add(fe, field, "must be valid UTF-8");
        (*bad)++;
        return XQ_OK;
    }
    free(*out);
    if ((*out = strndup(s, n)) == NULL)
        return XQ_ERR_NOMEM;
    return XQ_OK;
}

static int take_bool(json_object *v, const char *field, int *out, xq_field_errors *fe)
{
    if (!json_object_is_type(v, json_type_boolean)) {
        fe_add(fe, field, "must be true or false");
        return 1;
    }
    *out = json_object_get_boolean(v) ? 1 : 0;
    return 0;
}

/* Validate a parsed object into req. */
static xq_status from_object(json_object *obj, xq_export_request *req, xq_field_errors *fe,
                             xq_err *err)
{
    int bad = 0, have_start = 0, have_end = 0, have_type = 0, have_fmt = 0;
    const char *s;
    xq_status st = XQ_OK;

    if (!json_object_is_type(obj, json_type_object)) {
        fe_add(fe, "body", "must be a JSON object");
        return xq_err_set(err, XQ_ERR_INVALID, "request body must be a JSON object");
    }
    json_object_object_foreach(obj, key, val) {
        if (strcmp(key, "startDate") == 0) {
            have_start = 1;
            take_date(val, key, req->start_date, fe, &bad);
        } else if (strcmp(key, "endDate") == 0) {
            have_end = 1;
            take_date(val, key, req->end_date, fe, &bad);
        } else if (strcmp(key, "exportType") == 0) {
            have_type = 1;
            if ((s = want_string(val, key, fe, &bad)) != NULL) {
                int t = xq_export_type_parse(s);

                if (t < 0) {
                    fe_add(fe, key, "must be one of user-breakdown, model-breakdown, "
                                    "provider-breakdown, raw-data");
                    bad++;
                } else {
                    req->type = (xq_export_type)t;
                }
            }
        } else if (strcmp(key, "format") == 0) {
            have_fmt = 1;
            if ((s = want_string(val, key, fe, &bad)) != NULL) {
                int f = xq_format_parse(s);

                if (f < 0) {
                    fe_add(fe, key, "must be one of csv, json, excel");
                    bad++;
                } else {
                    req->format = (xq_format)f;
                }
            }
        } else if (strcmp(key, "userId") == 0) {
            st = take_filter(val, key, &req->user_id, fe, &bad);
        } else if (strcmp(key, "modelId") == 0) {
            st = take_filter(val, key, &req->model_id, fe, &bad);
        } else if (strcmp(key, "provider") == 0) {
            st = take_filter(val, key, &req->provider, fe, &bad);
        } else if (strcmp(key, "timezone") == 0) {
            if ((s = want_string(val, key, fe, &bad)) != NULL) {
                if (!xq_request_timezone_known(s)) {
                    fe_add(fe, key, "must be a known IANA time zone name");
                    bad++;
                } else {
                    snprintf(req->timezone, sizeof(req->timezone), "%s", s);
                }
            }
        } else if (strcmp(key, "priority") == 0) {
            if ((s = want_string(val, key, fe, &bad)) != NULL) {
                int p = priority_parse(s);

                if (p < 0) {
                    fe_add(fe, key, "must be one of high, normal, low");
                    bad++;
                } else {
                    req->priority = p;
                }
            }
        } else if (strcmp(key, "csvBom") == 0) {
            bad += take_bool(val, key, &req->csv_bom, fe);
        } else if (strcmp(key, "formulaGuard") == 0) {
            bad += take_bool(val, key, &req->formula_guard, fe);
        } else {
            char field[32];

            snprintf(field, sizeof(field), "%s", key);
            fe_add(fe, field, "unknown field");
            bad++;
        }
        if (st != XQ_OK)
            return xq_err_set(err, st, "request: out of memory");
    }
    if (!have_start) {
        fe_add(fe, "startDate", "is required");
        bad++;
    }
    if (!have_end) {
        fe_add(fe, "endDate", "is required");
        bad++;
    }
    if (!have_type) {
        fe_add(fe, "exportType", "is required");
        bad++;
    }
    if (!have_fmt) {
        fe_add(fe, "format", "is required");
        bad++;
    }
    if (req->start_date[0] && req->end_date[0] && strcmp(req->start_date, req->end_date) > 0) {
        fe_add(fe, "endDate", "must not be before startDate");
        bad++;
    }
    if (bad)
        return xq_err_set(err, XQ_ERR_INVALID, "invalid export request: %d problem%s", bad,
                          bad == 1 ? "" : "s");
    return XQ_OK;
}

static xq_status parse_text(const char *text, size_t len, xq_export_request *req,
                            xq_field_errors *fe, xq_err *err)
{
    struct json_tokener *tok = NULL;
    json_object *obj = NULL;
    xq_status st;

    if (fe != NULL)
        fe->count = 0;
    xq_request_cleanup(req);
    xq_request_init(req);
    if (len > (size_t)0x7fffffff) {
        fe_add(fe, "body", "is too large");
        return xq_err_set(err, XQ_ERR_INVALID, "request body too large");
    }
    if ((tok = json_tokener_new()) == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "request: out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len) {
        /* trailing whitespace after the value is fine; anything else is not */
        size_t i = obj != NULL ? json_tokener_get_parse_end(tok) : 0;

        while (obj != NULL && i < len && (text[i] == ' ' || text[i] == '\n' ||
                                          text[i] == '\r' || text[i] == '\t'))
            i++;
        if (obj == NULL || i != len) {
            fe_add(fe, "body", "is not valid JSON");
            st = xq_err_set(err, XQ_ERR_INVALID, "request body is not valid JSON");
            goto out;
        }
    }
    st = from_object(obj, req, fe, err);
out:
    json_object_put(obj);
    json_tokener_free(tok);
    if (st != XQ_OK) {
        xq_request_cleanup(req);
        xq_request_init(req);
    }
    return st;
}

xq_status xq_request_parse(const char *body, size_t len, xq_export_request *req,
                           xq_field_errors *fe, xq_err *err)
{
    return parse_text(body, len, req, fe, err);
}

xq_status xq_request_from_json(const char *json, xq_export_request *req, xq_err *err)
{
    return parse_text(json, strlen(json), req, NULL, err);
}

static int add_str(json_object *o, const char *k, const char *v)
{
    json_object *s = json_object_new_string(v);

    if (s == NULL)
        return -1;
    if (json_object_object_add(o, k, s) != 0) {
        json_object_put(s);
        return -1;
    }
    return 0;
}

json_object *xq_request_filters_json(const xq_export_request *req)
{
    json_object *o = json_object_new_object();

    if (o == NULL)
        return NULL;
    if (add_str(o, "startDate", req->start_date) || add_str(o, "endDate", req->end_date) ||
        (req->user_id && add_str(o, "userId", req->user_id)) ||
        (req->model_id && add_str(o, "modelId", req->model_id)) ||
        (req->provider && add_str(o, "provider", req->provider))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

xq_status xq_request_to_json(const xq_export_request *req, xq_buf *out)
{
    json_object *o = xq_request_filters_json(req);
    json_object *b;
    const char *text;
    xq_status st = XQ_ERR_NOMEM;

    if (o == NULL)
        return XQ_ERR_NOMEM;
    if (add_str(o, "exportType", xq_export_type_name(req->type)) ||
        add_str(o, "format", xq_format_name(req->format)) ||
        add_str(o, "timezone", req->timezone) ||
        add_str(o, "priority", xq_priority_name(req->priority)))
        goto out;
    if ((b = json_object_new_boolean(req->csv_bom)) == NULL)
        goto out;
    json_object_object_add(o, "csvBom", b);
    if ((b = json_object_new_boolean(req->formula_guard)) == NULL)
        goto out;
    json_object_object_add(o, "formulaGuard", b);
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    st = text ? xq_buf_append_str(out, text) : XQ_ERR_NOMEM;
out:
    json_object_put(o);
    return st;
}
