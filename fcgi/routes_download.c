/*
 * routes_download.c - GET and HEAD /downloads/:fileName (SPEC §5, §10).
 *
 * Order of checks, each answer final:
 *   1. the name must be exactly one xq_filename_make() produces, else 404
 *      (nothing else ever reaches the file system);
 *   2. with ?expires=&sig=: a bad signature 403, an expired one 410, a good
 *      one lets anyone download (a mail link);
 *      without: no token 401, a bad token 401;
 *   3. the job (its id is in the name) must exist, be visible to the token
 *      holder (owner or admin) unless the link is signed, be completed with
 *      this very file name; someone else's 404.  No job: a tombstone
 *      (forget, remove, clean) or a valid signature proves the service made
 *      the name: 410; otherwise 404;
 *   4. the file expired (result.expired) or is missing on disk: 410;
 *   5. the answer: Content-Type of the format, Content-Disposition with the
 *      readable name, Content-Length; with EXPORT_XSENDFILE the web server
 *      sends the bytes (X-Sendfile: absolute path, no body), else the
 *      responder streams them (xq_reply_stream_fd).  HEAD: the same head, no body.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filename.h"
#include "files.h"
#include "log.h"
#include "reply.h"
#include "routes.h"
#include "sig.h"

/* 1 when p needs no escaping in a header for either web server. */
static int path_plain(const char *p)
{
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static xq_status send_file(xq_app *app, xq_http *h, const char *name, const char *display,
                           xq_err *err)
{
    char path[4096];
    long long size = 0;
    int fd = -1, fmt = xq_filename_format(name);
    xq_status st;

    if ((st = xq_files_open(app->cfg, name, &fd, &size, err)) != XQ_OK) {
        if (st == XQ_ERR_GONE)
            st = xq_http_error(h, XQ_ERR_GONE, "the file has expired or was deleted", NULL);
        goto out;
    }
    xq_add_disposition(h, display);
    if (app->cfg->xsendfile && app->cfg->export_dir[0] == '/' &&
        (size_t)snprintf(path, sizeof(path), "%s/%s", app->cfg->export_dir, name) <
            sizeof(path) &&
        path_plain(path)) {
        /* The web server sends the bytes and sets Content-Length itself. */
        xq_http_add_header(h, "X-Sendfile", path);
        st = xq_http_send_head(h, 200, xq_format_mime((xq_format)fmt), -1);
        goto out;
    }
    if ((st = xq_http_send_head(h, 200, xq_format_mime((xq_format)fmt), size)) == XQ_OK)
        st = xq_reply_stream_fd(h, fd, size, err);
out:
    if (fd >= 0)
        close(fd);
    return st;
}

/* The job id inside a valid name: the 36 characters before the extension. */
static void name_job_id(const char *name, char id[XQ_JOB_ID_LEN + 1])
{
    const char *dot = strrchr(name, '.');

    memcpy(id, dot - XQ_JOB_ID_LEN, XQ_JOB_ID_LEN);
    id[XQ_JOB_ID_LEN] = '\0';
}

/* No job record: 410 when the service is known to have made the name. */
static xq_status answer_no_job(xq_app *app, xq_http *h, const char *name, int signed_ok,
                               xq_err *err)
{
    char owner[300];
    int found = 0;
    xq_status st;

    if (signed_ok)
        return xq_http_error(h, XQ_ERR_GONE, "the file has expired or was deleted", NULL);
    if ((st = xq_files_tombstone(app, name, &found, owner, sizeof(owner), err)) != XQ_OK)
        return st;
    /* An owner-less tombstone (admin clean) answers 410 to admins only. */
    if (found && (h->principal.is_admin ||
                  (owner[0] != '\0' && strcmp(owner, h->principal.user_id) == 0)))
        return xq_http_error(h, XQ_ERR_GONE, "the file was deleted", NULL);
    return xq_http_error(h, XQ_ERR_NOT_FOUND, "no such file", NULL);
}

/* The result's fileName and expired flag, from the API view of the job. */
static int result_matches(xq_app *app, const xq_job *job, const char *name, int *expired)
{
    json_object *o = xq_job_to_api_json(job, app->cfg, xq_now_ms()), *r, *v;
    int ok = 0;

    *expired = 0;
    if (o != NULL && json_object_object_get_ex(o, "result", &r) &&
        json_object_object_get_ex(r, "fileName", &v) &&
        strcmp(json_object_get_string(v), name) == 0) {
        ok = 1;
        if (json_object_object_get_ex(r, "expired", &v))
            *expired = json_object_get_boolean(v);
    }
    json_object_put(o);
    return ok;
}

xq_status xq_route_download(xq_app *app, xq_http *h, xq_err *err)
{
    const char *name = xq_route_param(&h->match, "fileName");
    char expires[32], sig[XQ_SIG_HEX_LEN + 8], id[XQ_JOB_ID_LEN + 1], display[128];
    int have_exp = 0, have_sig = 0, signed_ok = 0, expired = 0;
    xq_export_request req;
    xq_job *job = NULL;
    xq_queue *q;
    xq_status st;

    xq_request_init(&req);
    if (name == NULL || !xq_filename_valid(name)) {
        st = xq_http_error(h, XQ_ERR_NOT_FOUND, "no such file", NULL);
        goto out;
    }
    if (xq_http_query(h, "expires", expires, sizeof(expires), &have_exp) != XQ_OK)
        have_exp = 1, expires[0] = '\0';
    if (xq_http_query(h, "sig", sig, sizeof(sig), &have_sig) != XQ_OK)
        have_sig = 1, sig[0] = '\0';
    if (have_exp || have_sig) {
        st = xq_sig_verify(app->cfg->jwt_secret, name, have_exp ? expires : "",
                           have_sig ? sig : "", time(NULL));
        if (st == XQ_ERR_FORBIDDEN) {
            st = xq_http_error(h, st, "invalid download signature", NULL);
            goto out;
        }
        if (st == XQ_ERR_GONE) {
            st = xq_http_error(h, st, "the download link has expired", NULL);
            goto out;
        }
        if (st != XQ_OK)
            goto out;
        signed_ok = 1;
    } else if (h->auth_status != XQ_OK) {
        xq_http_add_header(h, "WWW-Authenticate", "Bearer");
        st = xq_http_error(h, XQ_ERR_AUTH,
                           h->authorization == NULL ? "a bearer token or a signed link is required"
                                                    : "invalid or expired token",
                           NULL);
        goto out;
    }
    name_job_id(name, id);
    if ((st = xq_app_queue(app, &q, err)) != XQ_OK)
        goto out;
    st = xq_queue_get(q, id, &job, err);
    if (st == XQ_ERR_NOT_FOUND) {
        st = answer_no_job(app, h, name, signed_ok, err);
        goto out;
    }
    if (st != XQ_OK)
        goto out;
    if ((!signed_ok && !xq_job_visible(&h->principal, job)) ||
        !result_matches(app, job, name, &expired)) {
        st = xq_http_error(h, XQ_ERR_NOT_FOUND, "no such file", NULL);
        goto out;
    }
    if (expired) {
        st = xq_http_error(h, XQ_ERR_GONE, "the file has expired", NULL);
        goto out;
    }
    if (job->request_json == NULL || xq_request_from_json(job->request_json, &req, NULL) != XQ_OK)
        snprintf(display, sizeof(display), "%s", name);
    else
        xq_filename_display(&req, display, sizeof(display));
    st = send_file(app, h, name, display, err);
out:
    xq_request_cleanup(&req);
    xq_job_free(job);
    return h->responded && st != XQ_OK && xq_status_http(st) < 500 ? XQ_OK : st;
}
