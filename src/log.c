/*
 * log.c - JSON-lines logger.  Each line is built in a stack buffer-backed
 * xq_buf (bounded at 16 KiB so a runaway message cannot exhaust memory) and
 * written with one write(2), so lines from several processes sharing one
 * stderr do not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "jsonstr.h"
#include "log.h"

#define LOG_LINE_MAX 16384

static const char *log_program = "exportq";
static const char *log_role = "";
static xq_log_level log_level = XQ_LOG_INFO;
static char log_request_id[80];
static char log_job_id[80];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void xq_log_init(const char *program, const char *role)
{
    log_program = program ? program : "exportq";
    log_role = role ? role : "";
}

void xq_log_set_role(const char *role)
{
    log_role = role ? role : "";
}

void xq_log_set_level(xq_log_level lvl)
{
    log_level = lvl;
}

xq_log_level xq_log_get_level(void)
{
    return log_level;
}

int xq_log_parse_level(const char *name)
{
    size_t i;

    if (name == NULL)
        return -1;
    for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcmp(name, level_names[i]) == 0)
            return (int)i;
    if (strcmp(name, "warning") == 0)
        return XQ_LOG_WARN;
    return -1;
}

static void set_id(char *dst, size_t dstsz, const char *id)
{
    if (id == NULL)
        id = "";
    snprintf(dst, dstsz, "%s", id);
}

void xq_log_set_request_id(const char *id)
{
    set_id(log_request_id, sizeof(log_request_id), id);
}

void xq_log_set_job_id(const char *id)
{
    set_id(log_job_id, sizeof(log_job_id), id);
}

static void log_begin(xq_buf *b, xq_log_level lvl)
{
    struct timeval tv;
    struct tm tm;
    char ts[40];

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    xq_buf_printf(b, "{\"time\":\"%s.%03dZ\",\"level\":\"%s\",\"program\":", ts,
                  (int)(tv.tv_usec / 1000), level_names[lvl]);
    xq_json_append_cstr(b, log_program);
    if (log_role[0] != '\0') {
        xq_buf_append_str(b, ",\"role\":");
        xq_json_append_cstr(b, log_role);
    }
    xq_buf_printf(b, ",\"pid\":%ld", (long)getpid());
    if (log_request_id[0] != '\0') {
        xq_buf_append_str(b, ",\"requestId\":");
        xq_json_append_cstr(b, log_request_id);
    }
    if (log_job_id[0] != '\0') {
        xq_buf_append_str(b, ",\"jobId\":");
        xq_json_append_cstr(b, log_job_id);
    }
}

static void log_end(xq_buf *b)
{
    const char *p;
    size_t left;
    ssize_t n;

    if (xq_buf_append_str(b, "}\n") != XQ_OK) {
        /* Over the line limit: say so rather than print a broken object. */
        xq_buf_reset(b);
        xq_buf_append_str(b, "{\"level\":\"error\",\"msg\":\"log line too long\"}\n");
    }
    p = xq_buf_str(b);
    left = b->len;
    while (left > 0) {
        n = write(STDERR_FILENO, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
}

static void log_msg(xq_log_level lvl, int errnum, const char *fmt, va_list ap)
{
    xq_buf b, m;

    xq_buf_init(&b, LOG_LINE_MAX);
    xq_buf_init(&m, LOG_LINE_MAX / 2);
    log_begin(&b, lvl);
    if (xq_buf_vprintf(&m, fmt, ap) != XQ_OK) {
        xq_buf_reset(&m);
        xq_buf_append_str(&m, "(message too long)");
    }
    if (errnum != 0)
        xq_buf_printf(&m, ": %s", strerror(errnum));
    xq_buf_append_str(&b, ",\"msg\":");
    xq_json_append_str(&b, xq_buf_str(&m), m.len);
    if (errnum != 0)
        xq_buf_printf(&b, ",\"errno\":%d", errnum);
    log_end(&b);
    xq_buf_cleanup(&m);
    xq_buf_cleanup(&b);
}

void xq_log(xq_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    if (!xq_log_enabled(lvl))
        return;
    va_start(ap, fmt);
    log_msg(lvl, 0, fmt, ap);
    va_end(ap);
    errno = saved;
}

void xq_log_errno(xq_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    if (!xq_log_enabled(lvl))
        return;
    va_start(ap, fmt);
    log_msg(lvl, saved, fmt, ap);
    va_end(ap);
    errno = saved;
}

void xq_log_kv(xq_log_level lvl, const char *msg, ...)
{
    va_list ap;
    const char *k, *v;
    xq_buf b;
    int saved = errno;

    if (!xq_log_enabled(lvl))
        return;
    xq_buf_init(&b, LOG_LINE_MAX);
    log_begin(&b, lvl);
    xq_buf_append_str(&b, ",\"msg\":");
    xq_json_append_cstr(&b, msg);
    va_start(ap, msg);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        xq_buf_append_char(&b, ',');
        xq_json_append_cstr(&b, k);
        xq_buf_append_char(&b, ':');
        xq_json_append_cstr(&b, v);
    }
    va_end(ap);
    log_end(&b);
    xq_buf_cleanup(&b);
    errno = saved;
}

void xq_log_redact_url(const char *url, char *out, size_t outsz)
{
    const char *scheme, *at, *colon, *auth;

    if (outsz == 0)
        return;
    if (url == NULL) {
        out[0] = '\0';
        return;
    }
    scheme = strstr(url, "://");
    auth = scheme ? scheme + 3 : url;
    at = strchr(auth, '@');
    colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon == NULL) {
        /* key=value form (libpq allows blanks around '=' and 'quoted
         * values'), or a URI query: hide the password value */
        const char *pw = strstr(url, "password"), *val, *end;

        if (pw == NULL) {
            snprintf(out, outsz, "%s", url);
            return;
        }
        val = pw + 8;
        while (*val == ' ' || *val == '\t')
            val++;
        if (*val != '=') {
            snprintf(out, outsz, "%.*spassword=***", (int)(pw - url), url);
            return;
        }
        val++;
        while (*val == ' ' || *val == '\t')
            val++;
        end = val;
        if (*end == '\'') {
            for (end++; *end != '\0' && *end != '\''; end++)
                if (*end == '\\' && end[1] != '\0')
                    end++;
            if (*end == '\'')
                end++;
        } else {
            while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '&')
                end++;
        }
        snprintf(out, outsz, "%.*spassword=***%s", (int)(pw - url), url, end);
        return;
    }
    snprintf(out, outsz, "%.*s:***%s", (int)(colon - url), url, at);
}
