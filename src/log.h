/*
 * log.h - structured logging: one JSON object per line on stderr.
 *
 * {"time":"2026-12-03T16:51:43.123Z","level":"info","program":"exportq.fcgi",
 *  "role":"responder","pid":123,"requestId":"...","jobId":"...","msg":"...",
 *  <fields>}
 *
 * The level is checked before anything is formatted.  Logging preserves
 * errno.  Never pass tokens, passwords or a DATABASE_URL with its password:
 * use xq_log_redact_url() for URLs.  Process-global by nature (one stderr per
 * process); after fork() a child calls xq_log_set_role().
 */
#ifndef XQ_LOG_H
#define XQ_LOG_H

#include <stddef.h>

typedef enum {
    XQ_LOG_DEBUG = 0,
    XQ_LOG_INFO,
    XQ_LOG_WARN,
    XQ_LOG_ERROR
} xq_log_level;

/* program and role are borrowed and must live as long as the process. */
void xq_log_init(const char *program, const char *role);
void xq_log_set_role(const char *role);
void xq_log_set_level(xq_log_level lvl);
xq_log_level xq_log_get_level(void);

/* "debug", "info", "warn", "error" -> level; returns -1 when unknown. */
int xq_log_parse_level(const char *name);

/* Context printed on every line until changed; NULL or "" clears. Copied. */
void xq_log_set_request_id(const char *id);
void xq_log_set_job_id(const char *id);

#define xq_log_enabled(lvl) ((lvl) >= xq_log_get_level())

void xq_log(xq_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like xq_log, with ": <strerror(errno)>" appended and "errno" as a field. */
void xq_log_errno(xq_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A message with extra string fields: pairs of key, value, ending with NULL.
 * xq_log_kv(XQ_LOG_INFO, "job done", "rows", "123", "file", name, NULL);
 */
void xq_log_kv(xq_log_level lvl, const char *msg, ...);

/* Copy url into out (size outsz) with any password replaced by "***". */
void xq_log_redact_url(const char *url, char *out, size_t outsz);

#endif
