/*
 * main.c - exportq.fcgi: the FastCGI responder.  Started by the web server
 * (lighttpd fastcgi.server bin-path with max-procs, Apache mod_fcgid) with
 * the listening socket on fd 0, or by spawn-fcgi.  Each process runs the
 * accept loop below; the web server runs several of them as a pool.
 *
 * SIGTERM, SIGINT and SIGUSR1 only set a flag.  They are blocked while a
 * request is handled, so the request always finishes (its reads and writes
 * are never cut by EINTR); the flag is looked at between requests, and
 * FCGI_FAIL_ACCEPT_ON_INTR makes a signal that lands in accept() end it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "routes.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: exportq.fcgi [--help | --version | --routes]\n"
            "\n"
            "FastCGI responder of exportq, started by lighttpd, Apache mod_fcgid or\n"
            "spawn-fcgi with the listening socket on standard input.\n"
            "--routes prints the route table: METHOD PATTERN, one a line.\n"
            "Configuration: EXPORTQ_CONFIG or " XQ_CONFIG_DEFAULT_PATH
            ", overridden by the environment.\n"
            "\nConfiguration keys:\n");
    xq_config_print_help(out);
}

static int install_signals(sigset_t *stopset)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the signal must end accept() */
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGUSR1, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0) /* a client gone is an error code, not death */
        return -1;
    sigemptyset(stopset);
    sigaddset(stopset, SIGTERM);
    sigaddset(stopset, SIGINT);
    sigaddset(stopset, SIGUSR1);
    return 0;
}

static int serve(xq_app *app, const sigset_t *stopset)
{
    FCGX_Request req;
    xq_http h;
    unsigned long served = 0;
    int rc = 0;

    if (FCGX_InitRequest(&req, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        xq_log(XQ_LOG_ERROR, "FCGX_InitRequest failed");
        return 1;
    }
    xq_http_init(&h);
    xq_log(XQ_LOG_INFO, "responder ready");
    while (!stop_requested) {
        if (FCGX_Accept_r(&req) < 0) {
            if (stop_requested || errno == EINTR)
                continue;
            xq_log_errno(XQ_LOG_ERROR, "FCGX_Accept_r failed");
            rc = 1;
            break;
        }
        sigprocmask(SIG_BLOCK, stopset, NULL);
        xq_http_begin(&h, &req);
        xq_app_dispatch(app, &h);
        FCGX_Finish_r(&req);
        xq_log_set_request_id(NULL);
        served++;
        sigprocmask(SIG_UNBLOCK, stopset, NULL); /* a pending stop lands here */
    }
    xq_log_kv(XQ_LOG_INFO, "responder stopping", "reason", stop_requested ? "signal" : "error",
              NULL);
    (void)served;
    FCGX_Free(&req, 1);
    xq_http_cleanup(&h);
    return rc;
}

int main(int argc, char **argv)
{
    xq_config cfg;
    xq_app app;
    xq_err err;
    sigset_t stopset;
    int rc = 1;

    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[1], "--routes") == 0) {
            size_t i;

            for (i = 0; i < xq_nroutes; i++)
                printf("%s %s\n", xq_routes[i].method, xq_routes[i].pattern);
            return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
            printf("exportq.fcgi %s\n", PACKAGE_VERSION);
            return 0;
        }
        fprintf(stderr, "exportq.fcgi: unknown argument '%s' (try --help)\n", argv[1]);
        return 2;
    }
    xq_log_init("exportq.fcgi", "responder");
    xq_err_clear(&err);
    memset(&cfg, 0, sizeof(cfg)); /* xq_config_load() initialises it */
    if (xq_config_load(&cfg, NULL, &err) != XQ_OK) {
        fprintf(stderr, "exportq.fcgi: %s\n", err.msg);
        xq_config_cleanup(&cfg);
        return 1;
    }
    xq_log_set_level((xq_log_level)cfg.log_level);
    if (install_signals(&stopset) != 0) {
        xq_log_errno(XQ_LOG_ERROR, "cannot install signal handlers");
        goto out;
    }
    /* After our handlers: libfcgi only installs its own where none is set. */
    if (FCGX_Init() != 0) {
        xq_log(XQ_LOG_ERROR, "FCGX_Init failed");
        goto out;
    }
    if (FCGX_IsCGI()) {
        fprintf(stderr, "exportq.fcgi: standard input is not a FastCGI listening socket; "
                        "start it from lighttpd, Apache mod_fcgid or spawn-fcgi (see --help)\n");
        goto out;
    }
    xq_app_init(&app, &cfg);
    rc = serve(&app, &stopset);
    xq_app_cleanup(&app);
out:
    xq_config_cleanup(&cfg);
    return rc;
}
