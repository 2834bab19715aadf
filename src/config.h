/*
 * config.h - exportq configuration: one table of keys drives the file
 * parser, environment overrides, validation, --help and doc/configuration.md.
 *
 * Sources, later wins: built-in defaults, the file (EXPORTQ_CONFIG or
 * /etc/exportq/exportq.conf; a missing file is fine only when it was not
 * named explicitly), then the environment.  File syntax: KEY=value lines,
 * `#` comments, blank lines, optional surrounding double or single quotes.
 *
 * The struct is plain data, filled once at start and then read-only; pass
 * `const xq_config *` down explicitly.  Strings are owned by the struct and
 * freed by xq_config_cleanup().
 */
#ifndef XQ_CONFIG_H
#define XQ_CONFIG_H

#include <stdio.h>

#include "error.h"

#define XQ_CONFIG_DEFAULT_PATH "/etc/exportq/exportq.conf"

typedef struct xq_config {
    char *database_url;
    char *redis_host;
    long redis_port;
    char *redis_password;
    long redis_job_db;
    char *redis_prefix;
    char *jwt_secret;
    char *export_dir;
    char *download_base_url;
    long max_concurrent_jobs;
    long max_rows_sync;
    double file_retention_hours;
    long job_attempts;
    long backoff_ms;
    long user_max_active;
    long user_max_pending;
    long user_rate_per_hour;
    int xsendfile;
    long lease_ms;
    long shutdown_grace_s;
    long purge_interval_s;
    long reaper_interval_ms;
    long db_connect_timeout_s;
    long db_statement_timeout_s;
    char *smtp_url;
    char *smtp_from;
    char *smtp_user;
    char *smtp_password;
    char *metrics_token;
    int log_level; /* xq_log_level */
    char *source_path; /* the file read, or NULL; for messages */
} xq_config;

/* Defaults only (required keys left NULL). */
xq_status xq_config_init(xq_config *cfg);
void xq_config_cleanup(xq_config *cfg); /* cfg may be NULL */

/*
 * Full load: defaults, then the file, then the environment, then validation.
 * path NULL means EXPORTQ_CONFIG or the default path.  On failure err->msg is
 * one line naming the file, line and key and what was wrong, e.g.
 * "/etc/exportq/exportq.conf:12: REDIS_PORT: 'abc' is not an integer".
 */
xq_status xq_config_load(xq_config *cfg, const char *path, xq_err *err);

/* Pieces of xq_config_load, for tests and tools. */
xq_status xq_config_parse_file(xq_config *cfg, const char *path, xq_err *err);
xq_status xq_config_parse_string(xq_config *cfg, const char *text,
                                 const char *name, xq_err *err);
xq_status xq_config_apply_env(xq_config *cfg, xq_err *err);
xq_status xq_config_set(xq_config *cfg, const char *key, const char *value,
                        xq_err *err);
xq_status xq_config_validate(const xq_config *cfg, xq_err *err);

/* One line per key: name, type, default, description (for --help). */
void xq_config_print_help(FILE *out);

/* Keys with their current values, secrets shown as "***" (check-config). */
void xq_config_dump(const xq_config *cfg, FILE *out);

#endif
