/*
 * config.c - the key table and its parser.  Numbers are parsed strictly
 * (strtoll/strtod with end pointer and range); unknown keys in the file are
 * an error (a typo must not silently fall back to a default).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"

typedef enum { T_STR, T_INT, T_BOOL, T_DOUBLE, T_LEVEL } key_type;

typedef struct {
    const char *name;
    key_type type;
    const char *def;   /* default as text; NULL: none */
    double min, max;   /* numbers only */
    int required;
    int secret;
    size_t offset;
    const char *help;
} key_def;

#define OFF(f) offsetof(xq_config, f)

static const key_def keys[] = {
    {"DATABASE_URL", T_STR, NULL, 0, 0, 1, 1, OFF(database_url),
     "libpq connection string of the spend-log database (read-only role)"},
    {"REDIS_HOST", T_STR, "127.0.0.1", 0, 0, 0, 0, OFF(redis_host),
     "Redis host name or address, or a unix socket path starting with /"},
    {"REDIS_PORT", T_INT, "6379", 1, 65535, 0, 0, OFF(redis_port), "Redis TCP port"},
    {"REDIS_PASSWORD", T_STR, "", 0, 0, 0, 1, OFF(redis_password),
     "Redis AUTH password (empty: none)"},
    {"REDIS_JOB_DB", T_INT, "1", 0, 15, 0, 0, OFF(redis_job_db),
     "Redis logical database holding the queue"},
    {"REDIS_KEY_PREFIX", T_STR, "exportq", 0, 0, 0, 0, OFF(redis_prefix),
     "prefix of every Redis key exportq writes"},
    {"JWT_SECRET", T_STR, NULL, 0, 0, 1, 1, OFF(jwt_secret),
     "HS256 secret for tokens and signed download links (at least 16 bytes)"},
    {"EXPORT_DIR", T_STR, "/var/lib/exportq/exports", 0, 0, 0, 0, OFF(export_dir),
     "directory for export files (absolute path, outside any document root)"},
    {"EXPORT_DOWNLOAD_BASE_URL", T_STR, "", 0, 0, 0, 0, OFF(download_base_url),
     "public base URL for download links, e.g. https://host (empty: relative links)"},
    {"EXPORT_MAX_CONCURRENT_JOBS", T_INT, "2", 1, 256, 0, 0, OFF(max_concurrent_jobs),
     "worker processes per exportq-workerd"},
    {"EXPORT_MAX_ROWS_SYNC", T_INT, "10000", 0, 10000000, 0, 0, OFF(max_rows_sync),
     "largest export answered synchronously by POST /export"},
    {"EXPORT_FILE_RETENTION_HOURS", T_DOUBLE, "24", 0.0002, 87600, 0, 0,
     OFF(file_retention_hours), "hours a finished file stays downloadable (decimals allowed)"},
    {"EXPORT_JOB_ATTEMPTS", T_INT, "3", 1, 100, 0, 0, OFF(job_attempts),
     "attempts per job before it fails for good"},
    {"EXPORT_BACKOFF_MS", T_INT, "2000", 0, 86400000, 0, 0, OFF(backoff_ms),
     "first retry delay; doubles with each attempt"},
    {"EXPORT_USER_MAX_ACTIVE", T_INT, "2", 1, 1000, 0, 0, OFF(user_max_active),
     "jobs of one user running at once"},
    {"EXPORT_USER_MAX_PENDING", T_INT, "10", 1, 1000000, 0, 0, OFF(user_max_pending),
     "unfinished jobs one user may have"},
    {"EXPORT_USER_RATE_PER_HOUR", T_INT, "30", 1, 10000000, 0, 0, OFF(user_rate_per_hour),
     "submissions one user may make in any 3600 s"},
    {"EXPORT_XSENDFILE", T_BOOL, "0", 0, 0, 0, 0, OFF(xsendfile),
     "1: let the web server send download bytes (X-Sendfile)"},
    {"EXPORT_LEASE_MS", T_INT, "15000", 1000, 3600000, 0, 0, OFF(lease_ms),
     "job lease a worker renews; a dead worker's job returns after this"},
    {"EXPORT_SHUTDOWN_GRACE_S", T_INT, "30", 0, 3600, 0, 0, OFF(shutdown_grace_s),
     "seconds a stopping worker may finish its job before handing it back"},
    {"EXPORT_PURGE_INTERVAL_S", T_INT, "3600", 1, 604800, 0, 0, OFF(purge_interval_s),
     "seconds between purges of expired files and old jobs"},
    {"EXPORT_REAPER_INTERVAL_MS", T_INT, "1000", 50, 60000, 0, 0, OFF(reaper_interval_ms),
     "milliseconds between lease recovery and delayed-job promotion"},
    {"DB_CONNECT_TIMEOUT_S", T_INT, "5", 1, 300, 0, 0, OFF(db_connect_timeout_s),
     "PostgreSQL connect timeout"},
    {"DB_STATEMENT_TIMEOUT_S", T_INT, "0", 0, 86400, 0, 0, OFF(db_statement_timeout_s),
     "PostgreSQL statement timeout for exports (0: none)"},
    {"SMTP_URL", T_STR, "", 0, 0, 0, 1, OFF(smtp_url),
     "smtp://host:port for completion mails (empty: no mail)"},
    {"SMTP_FROM", T_STR, "exportq@localhost", 0, 0, 0, 0, OFF(smtp_from), "mail sender address"},
    {"SMTP_USER", T_STR, "", 0, 0, 0, 0, OFF(smtp_user), "SMTP login (empty: none)"},
    {"SMTP_PASSWORD", T_STR, "", 0, 0, 0, 1, OFF(smtp_password), "SMTP password"},
    {"METRICS_TOKEN", T_STR, "", 0, 0, 0, 1, OFF(metrics_token),
     "bearer token required by GET /metrics (empty: open)"},
    {"LOG_LEVEL", T_LEVEL, "info", 0, 0, 0, 0, OFF(log_level), "debug, info, warn or error"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const key_def *find_key(const char *name)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static char **str_field(xq_config *cfg, const key_def *k)
{
    return (char **)(void *)((char *)cfg + k->offset);
}

static xq_status set_value(xq_config *cfg, const key_def *k, const char *value,
                           const char *where, xq_err *err)
{
    char *end = NULL;
    char *copy;
    long long n;
    double d;
    int lvl;

    switch (k->type) {
    case T_STR:
        if (strlen(value) > 4096)
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: value longer than 4096 bytes",
                              where, k->name);
        copy = strdup(value);
        if (copy == NULL)
            return xq_err_set(err, XQ_ERR_NOMEM, "%s%s: out of memory", where, k->name);
        free(*str_field(cfg, k));
        *str_field(cfg, k) = copy;
        return XQ_OK;
    case T_INT:
        errno = 0;
        n = strtoll(value, &end, 10);
        if (value[0] == '\0' || *end != '\0' || errno == ERANGE || isspace((unsigned char)value[0]))
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: '%.64s' is not an integer", where,
                              k->name, value);
        if ((double)n < k->min || (double)n > k->max)
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: %lld is out of range %.0f..%.0f",
                              where, k->name, n, k->min, k->max);
        *(long *)(void *)((char *)cfg + k->offset) = (long)n;
        return XQ_OK;
    case T_DOUBLE:
        errno = 0;
        d = strtod(value, &end);
        if (value[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(d) ||
            isspace((unsigned char)value[0]))
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: '%.64s' is not a number", where,
                              k->name, value);
        if (d < k->min || d > k->max)
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: %g is out of range %g..%g", where,
                              k->name, d, k->min, k->max);
        *(double *)(void *)((char *)cfg + k->offset) = d;
        return XQ_OK;
    case T_BOOL:
        if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
            !strcasecmp(value, "on")) {
            *(int *)(void *)((char *)cfg + k->offset) = 1;
        } else if (!strcmp(value, "0") || !strcasecmp(value, "false") ||
                   !strcasecmp(value, "no") || !strcasecmp(value, "off") || value[0] == '\0') {
            *(int *)(void *)((char *)cfg + k->offset) = 0;
        } else {
            return xq_err_set(err, XQ_ERR_CONFIG, "%s%s: '%.64s' is not a boolean (use 1 or 0)",
                              where, k->name, value);
        }
        return XQ_OK;
    case T_LEVEL:
        lvl = xq_log_parse_level(value);
        if (lvl < 0)
            return xq_err_set(err, XQ_ERR_CONFIG,
                              "%s%s: '%.64s' is not a level (debug, info, warn, error)", where,
                              k->name, value);
        *(int *)(void *)((char *)cfg + k->offset) = lvl;
        return XQ_OK;
    }
    return xq_err_set(err, XQ_ERR_INTERNAL, "%s: unknown key type", k->name);
}

xq_status xq_config_init(xq_config *cfg)
{
    size_t i;
    xq_status st;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < NKEYS; i++) {
        if (keys[i].def == NULL)
            continue;
        st = set_value(cfg, &keys[i], keys[i].def, "", NULL);
        if (st != XQ_OK) {
            xq_config_cleanup(cfg);
            return st;
        }
    }
    return XQ_OK;
}

void xq_config_cleanup(xq_config *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < NKEYS; i++) {
        if (keys[i].type == T_STR) {
            free(*str_field(cfg, &keys[i]));
            *str_field(cfg, &keys[i]) = NULL;
        }
    }
    free(cfg->source_path);
    cfg->source_path = NULL;
}

xq_status xq_config_set(xq_config *cfg, const char *key, const char *value, xq_err *err)
{
    const key_def *k = find_key(key);

    if (k == NULL)
        return xq_err_set(err, XQ_ERR_CONFIG, "%s: unknown configuration key", key);
    return set_value(cfg, k, value, "", err);
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

xq_status xq_config_parse_string(xq_config *cfg, const char *text, const char *name,
                                 xq_err *err)
{
    char *copy, *line, *next, *eq, *key, *val;
    char where[512];
    int lineno = 0;
    size_t vl;
    xq_status st = XQ_OK;
    const key_def *k;

    copy = strdup(text);
    if (copy == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "%s: out of memory", name);
    for (line = copy; line != NULL && st == XQ_OK; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        line = trim(line);
        if (line[0] == '\0' || line[0] == '#')
            continue;
        snprintf(where, sizeof(where), "%s:%d: ", name, lineno);
        eq = strchr(line, '=');
        if (eq == NULL) {
            st = xq_err_set(err, XQ_ERR_CONFIG, "%sexpected KEY=value", where);
            break;
        }
        *eq = '\0';
        key = trim(line);
        if (strncmp(key, "export ", 7) == 0)
            key = trim(key + 7);
        val = trim(eq + 1);
        vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            val++;
        }
        k = find_key(key);
        if (k == NULL) {
            st = xq_err_set(err, XQ_ERR_CONFIG, "%s%.64s: unknown configuration key", where,
                            key);
            break;
        }
        st = set_value(cfg, k, val, where, err);
    }
    free(copy);
    return st;
}

xq_status xq_config_parse_file(xq_config *cfg, const char *path, xq_err *err)
{
    FILE *f = NULL;
    xq_buf b;
    char chunk[4096];
    size_t n;
    xq_status st = XQ_OK;

    xq_buf_init(&b, 1024 * 1024);
    f = fopen(path, "r");
    if (f == NULL) {
        st = xq_err_set(err, XQ_ERR_CONFIG, "%s: cannot open configuration file: %s", path,
                        strerror(errno));
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (xq_buf_append(&b, chunk, n) != XQ_OK) {
            st = xq_err_set(err, XQ_ERR_CONFIG, "%s: file larger than 1 MiB", path);
            goto out;
        }
    }
    if (ferror(f)) {
        st = xq_err_set(err, XQ_ERR_CONFIG, "%s: read error", path);
        goto out;
    }
    if (memchr(xq_buf_str(&b), '\0', b.len) != NULL) {
        st = xq_err_set(err, XQ_ERR_CONFIG, "%s: file contains a NUL byte", path);
        goto out;
    }
    st = xq_config_parse_string(cfg, xq_buf_str(&b), path, err);
    if (st == XQ_OK) {
        free(cfg->source_path);
        cfg->source_path = strdup(path);
    }
out:
    if (f != NULL)
        fclose(f);
    xq_buf_cleanup(&b);
    return st;
}

xq_status xq_config_apply_env(xq_config *cfg, xq_err *err)
{
    size_t i;
    const char *v;
    char where[96];
    xq_status st;

    for (i = 0; i < NKEYS; i++) {
        v = getenv(keys[i].name);
        if (v == NULL)
            continue;
        snprintf(where, sizeof(where), "environment: ");
        st = set_value(cfg, &keys[i], v, where, err);
        if (st != XQ_OK)
            return st;
    }
    return XQ_OK;
}

xq_status xq_config_validate(const xq_config *cfg, xq_err *err)
{
    size_t i;
    const char *src = cfg->source_path ? cfg->source_path : "configuration";

    for (i = 0; i < NKEYS; i++) {
        char *const *s;

        if (!keys[i].required)
            continue;
        s = (char *const *)(const void *)((const char *)cfg + keys[i].offset);
        if (*s == NULL || (*s)[0] == '\0')
            return xq_err_set(err, XQ_ERR_CONFIG, "%s: %s: required key is missing", src,
                              keys[i].name);
    }
    if (strlen(cfg->jwt_secret) < 16)
        return xq_err_set(err, XQ_ERR_CONFIG, "%s: JWT_SECRET: must be at least 16 bytes", src);
    if (cfg->export_dir[0] != '/')
        return xq_err_set(err, XQ_ERR_CONFIG, "%s: EXPORT_DIR: '%.200s' is not an absolute path",
                          src, cfg->export_dir);
    if (cfg->redis_prefix[0] == '\0' || strpbrk(cfg->redis_prefix, " \t\r\n{}") != NULL)
        return xq_err_set(err, XQ_ERR_CONFIG,
                          "%s: REDIS_KEY_PREFIX: must be non-empty, without spaces or braces", src);
    /* the queue refuses longer prefixes (XQ_QUEUE_PREFIX_MAX): say so at start,
     * not on every request and in a worker restart loop */
    if (strlen(cfg->redis_prefix) > 64)
        return xq_err_set(err, XQ_ERR_CONFIG, "%s: REDIS_KEY_PREFIX: longer than 64 bytes", src);
    if (cfg->download_base_url[0] != '\0' && strncmp(cfg->download_base_url, "http://", 7) != 0 &&
        strncmp(cfg->download_base_url, "https://", 8) != 0)
        return xq_err_set(err, XQ_ERR_CONFIG,
                          "%s: EXPORT_DOWNLOAD_BASE_URL: must start with http:// or https://", src);
    if (cfg->smtp_url[0] != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->smtp_url, "smtps://", 8) != 0)
        return xq_err_set(err, XQ_ERR_CONFIG, "%s: SMTP_URL: must start with smtp:// or smtps://",
                          src);
    return XQ_OK;
}

xq_status xq_config_load(xq_config *cfg, const char *path, xq_err *err)
{
    xq_status st;
    int explicit_path = path != NULL;

    if (path == NULL) {
        path = getenv("EXPORTQ_CONFIG");
        explicit_path = path != NULL && path[0] != '\0';
        if (!explicit_path)
            path = XQ_CONFIG_DEFAULT_PATH;
    }
    st = xq_config_init(cfg);
    if (st != XQ_OK)
        return xq_err_set(err, st, "configuration: out of memory");
    if (explicit_path || access(path, F_OK) == 0) {
        st = xq_config_parse_file(cfg, path, err);
        if (st != XQ_OK)
            goto fail;
    }
    st = xq_config_apply_env(cfg, err);
    if (st != XQ_OK)
        goto fail;
    st = xq_config_validate(cfg, err);
    if (st != XQ_OK)
        goto fail;
    return XQ_OK;
fail:
    xq_config_cleanup(cfg);
    return st;
}

static const char *type_name(key_type t)
{
    switch (t) {
    case T_STR: return "string";
    case T_INT: return "integer";
    case T_BOOL: return "boolean";
    case T_DOUBLE: return "number";
    case T_LEVEL: return "level";
    }
    return "?";
}

void xq_config_print_help(FILE *out)
{
    size_t i;

    for (i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];

        fprintf(out, "  %-28s %-8s %s%s%s%s\n", k->name, type_name(k->type), k->help,
                k->required ? " (required)" : "", k->def && k->def[0] ? "; default " : "",
                k->def && k->def[0] ? k->def : "");
    }
}

void xq_config_dump(const xq_config *cfg, FILE *out)
{
    size_t i;
    char red[1024];

    for (i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        const char *base = (const char *)cfg + k->offset;

        switch (k->type) {
        case T_STR: {
            const char *s = *(char *const *)(const void *)base;
            if (s == NULL)
                s = "";
            if (k->offset == OFF(database_url)) {
                xq_log_redact_url(s, red, sizeof(red));
                s = red;
            } else if (k->secret && s[0] != '\0') {
                s = "***";
            }
            fprintf(out, "%s=%s\n", k->name, s);
            break;
        }
        case T_INT:
            fprintf(out, "%s=%ld\n", k->name, *(const long *)(const void *)base);
            break;
        case T_DOUBLE:
            fprintf(out, "%s=%g\n", k->name, *(const double *)(const void *)base);
            break;
        case T_BOOL:
            fprintf(out, "%s=%d\n", k->name, *(const int *)(const void *)base);
            break;
        case T_LEVEL: {
            static const char *const lv[] = {"debug", "info", "warn", "error"};
            int l = *(const int *)(const void *)base;
            fprintf(out, "%s=%s\n", k->name, (l >= 0 && l < 4) ? lv[l] : "?");
            break;
        }
        }
    }
}
