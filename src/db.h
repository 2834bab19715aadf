/*
 * db.h - one PostgreSQL connection per process, made on first use and re-made
 * after a failure (STYLE: after a libpq error, check PQstatus).
 *
 * The connection string is DATABASE_URL with connect_timeout and
 * application_name added; it is never logged with its password.  Not
 * thread-safe; after fork() a child calls xq_db_after_fork().
 */
#ifndef XQ_DB_H
#define XQ_DB_H

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

typedef struct xq_db xq_db;

/* Copies what it needs from cfg; does not connect.  app is borrowed-copied. */
xq_status xq_db_new(const xq_config *cfg, const char *app, xq_db **out, xq_err *err);
void xq_db_free(xq_db *db); /* db may be NULL */

/*
 * The live connection, connecting (or reconnecting when PQstatus is bad)
 * first.  Borrowed: valid until the next xq_db_* call that fails or
 * xq_db_drop().  XQ_ERR_DB when PostgreSQL cannot be reached.
 */
xq_status xq_db_conn(xq_db *db, PGconn **conn, xq_err *err);

/* Close the connection (after an error that left it unusable). */
void xq_db_drop(xq_db *db);

/* In a forked child: forget the parent's connection without closing it. */
void xq_db_after_fork(xq_db *db);

/* `SELECT 1` with a statement timeout of timeout_ms. */
xq_status xq_db_ping(xq_db *db, long timeout_ms, xq_err *err);

/*
 * Sort a failed result or connection into XQ_ERR_DB (connection lost,
 * server shutting down, timeout: worth retrying) or XQ_ERR_SQL (the query
 * itself is wrong: missing table, permission: not worth retrying), with a
 * message for operators in err.  res may be NULL.  Drops the connection
 * when it is no longer usable.
 */
xq_status xq_db_classify(xq_db *db, const PGresult *res, const char *what, xq_err *err);

#endif
