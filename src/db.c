/*
 * db.c - reconnecting libpq connection with bounded connect time.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"

struct xq_db {
    PGconn *conn;
    char *url;
    char app[64];
    long connect_timeout_s;
};

xq_status xq_db_new(const xq_config *cfg, const char *app, xq_db **out, xq_err *err)
{
    xq_db *db = calloc(1, sizeof(*db));

    *out = NULL;
    if (db == NULL || (db->url = strdup(cfg->database_url)) == NULL) {
        free(db);
        return xq_err_set(err, XQ_ERR_NOMEM, "db: out of memory");
    }
    snprintf(db->app, sizeof(db->app), "%s", app ? app : "exportq");
    db->connect_timeout_s = cfg->db_connect_timeout_s;
    *out = db;
    return XQ_OK;
}

void xq_db_drop(xq_db *db)
{
    if (db != NULL && db->conn != NULL) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
}

void xq_db_free(xq_db *db)
{
    if (db == NULL)
        return;
    xq_db_drop(db);
    if (db->url != NULL) {
        memset(db->url, 0, strlen(db->url));
        free(db->url);
    }
    free(db);
}

void xq_db_after_fork(xq_db *db)
{
    /*
     * PQfinish would send a Terminate message on the parent's session.  The
     * child leaks the PGconn struct deliberately (one per fork, small) and
     * closes only its copy of the socket.
     */
    if (db == NULL || db->conn == NULL)
        return;
    if (PQsocket(db->conn) >= 0)
        close(PQsocket(db->conn));
    db->conn = NULL;
}

xq_status xq_db_conn(xq_db *db, PGconn **conn, xq_err *err)
{
    const char *kw[4], *val[4];
    char timeout[24];
    char red[512];
    xq_status st;

    *conn = NULL;
    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
        *conn = db->conn;
        return XQ_OK;
    }
    xq_db_drop(db);
    snprintf(timeout, sizeof(timeout), "%ld", db->connect_timeout_s);
    kw[0] = "dbname";
    val[0] = db->url;
    kw[1] = "connect_timeout";
    val[1] = timeout;
    kw[2] = "application_name";
    val[2] = db->app;
    kw[3] = NULL;
    val[3] = NULL;
    /* expand_dbname=1: dbname holds the URL; later keywords override it. */
    db->conn = PQconnectdbParams(kw, val, 1);
    if (db->conn == NULL)
        return xq_err_set(err, XQ_ERR_NOMEM, "db: out of memory");
    if (PQstatus(db->conn) != CONNECTION_OK) {
        xq_log_redact_url(db->url, red, sizeof(red));
        st = xq_err_set(err, XQ_ERR_DB, "postgresql %s: cannot connect: %.300s", red,
                        PQerrorMessage(db->conn));
        /* libpq messages end with a newline: keep the error one line */
        if (err != NULL)
            err->msg[strcspn(err->msg, "\n")] = '\0';
        xq_db_drop(db);
        return st;
    }
    *conn = db->conn;
    return XQ_OK;
}

xq_status xq_db_classify(xq_db *db, const PGresult *res, const char *what, xq_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : "";
    xq_status st;

    if (msg == NULL || msg[0] == '\0')
        msg = db->conn ? PQerrorMessage(db->conn) : "no connection";
    /*
     * Class 08 connection exception, 57P0x shutdown/cannot connect now,
     * 57014 query cancelled (statement timeout), 53xxx out of resources,
     * 40001/40P01 serialization/deadlock: transient.  Everything else,
     * e.g. 42P01 undefined table or 42501 insufficient privilege: the
     * query cannot succeed as it is.
     */
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK || state == NULL ||
        strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
        strncmp(state, "53", 2) == 0 || strcmp(state, "40001") == 0 ||
        strcmp(state, "40P01") == 0) {
        st = XQ_ERR_DB;
    } else {
        st = XQ_ERR_SQL;
    }
    xq_err_set(err, st, "%s: %s%s%.300s", what, state ? state : "", state ? " " : "", msg);
    if (err != NULL)
        err->msg[strcspn(err->msg, "\n")] = '\0';
    if (db->conn != NULL && PQstatus(db->conn) != CONNECTION_OK)
        xq_db_drop(db);
    return st;
}

xq_status xq_db_ping(xq_db *db, long timeout_ms, xq_err *err)
{
    PGconn *conn;
    PGresult *res = NULL, *last = NULL;
    struct pollfd pfd;
    struct timespec t0, now;
    long left;
    xq_status st;

    if ((st = xq_db_conn(db, &conn, err)) != XQ_OK)
        return st;
    /*
     * Asynchronous, so that a server that accepts but never answers (stopped
     * process, full backlog) costs timeout_ms and not a hung responder.
     */
    if (!PQsendQueryParams(conn, "SELECT 1", 0, NULL, NULL, NULL, NULL, 0)) {
        st = xq_db_classify(db, NULL, "postgresql ping", err);
        return st == XQ_ERR_SQL ? XQ_ERR_DB : st;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (!PQconsumeInput(conn)) {
            st = xq_db_classify(db, NULL, "postgresql ping", err);
            st = XQ_ERR_DB;
            goto out;
        }
        if (!PQisBusy(conn))
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) {
            st = xq_err_set(err, XQ_ERR_DB, "postgresql ping: no answer within %ld ms", timeout_ms);
            xq_db_drop(db);
            goto out;
        }
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
            st = xq_err_set(err, XQ_ERR_DB, "postgresql ping: poll failed");
            xq_db_drop(db);
            goto out;
        }
    }
    st = XQ_OK;
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_TUPLES_OK && st == XQ_OK) {
            st = xq_db_classify(db, res, "postgresql ping", err);
            st = XQ_ERR_DB;
        }
        PQclear(last);
        last = res;
        if (db->conn == NULL)
            break;
    }
out:
    PQclear(last);
    return st;
}
