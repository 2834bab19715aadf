/*
 * xq_submit.c - test tool: queue export jobs straight through the queue API
 * (xq_request_parse + xq_queue_add), the same calls the export-async route
 * makes, so operations tests (tests/scaleout/run.sh, test_ctl.py) can fill
 * the queue without depending on the HTTP routes.
 *
 *   xq_submit --user U [--email E] [--count N] 'REQUEST_JSON'
 *
 * Prints one job id per line.  Exit 0 all queued, 1 queue failure, 2 bad
 * arguments or request, 4 over a per-user limit.  Not installed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "queue.h"
#include "request.h"

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"user", required_argument, NULL, 'u'},
                                             {"email", required_argument, NULL, 'e'},
                                             {"count", required_argument, NULL, 'n'},
                                             {NULL, 0, NULL, 0}};
    const char *user = NULL, *email = "", *body;
    long count = 1, i;
    char *end = NULL;
    int c, rc = 0;
    xq_config cfg;
    xq_queue *q = NULL;
    xq_export_request req;
    xq_field_errors fe;
    xq_buf json;
    xq_err err;
    char id[XQ_JOB_ID_LEN + 1];
    long long pos;
    long retry;

    while ((c = getopt_long(argc, argv, "u:e:n:", longopts, NULL)) != -1) {
        switch (c) {
        case 'u':
            user = optarg;
            break;
        case 'e':
            email = optarg;
            break;
        case 'n':
            count = strtol(optarg, &end, 10);
            if (*end != '\0' || count < 1 || count > 100000) {
                fprintf(stderr, "xq_submit: --count takes 1..100000\n");
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: xq_submit --user U [--email E] [--count N] JSON\n");
            return 2;
        }
    }
    if (user == NULL || optind != argc - 1) {
        fprintf(stderr, "usage: xq_submit --user U [--email E] [--count N] JSON\n");
        return 2;
    }
    body = argv[optind];
    xq_request_init(&req);
    xq_buf_init(&json, 64 * 1024);
    xq_err_clear(&err);
    if (xq_config_load(&cfg, NULL, &err) != XQ_OK) {
        fprintf(stderr, "xq_submit: %s\n", err.msg);
        xq_buf_cleanup(&json);
        return 2;
    }
    if (xq_request_parse(body, strlen(body), &req, &fe, &err) != XQ_OK) {
        fprintf(stderr, "xq_submit: bad request: %s\n", err.msg);
        rc = 2;
        goto out;
    }
    if (xq_request_to_json(&req, &json) != XQ_OK || xq_queue_new(&cfg, &q, &err) != XQ_OK) {
        fprintf(stderr, "xq_submit: %s\n", err.msg[0] ? err.msg : "out of memory");
        rc = 1;
        goto out;
    }
    for (i = 0; i < count; i++) {
        xq_job_spec spec = {user, email, xq_buf_str(&json), xq_export_type_name(req.type),
                            xq_format_name(req.format), req.priority};
        xq_status st = xq_queue_add(q, &spec, id, &pos, &retry, &err);

        if (st != XQ_OK) {
            fprintf(stderr, "xq_submit: %s\n", err.msg);
            rc = st == XQ_ERR_LIMIT ? 4 : 1;
            goto out;
        }
        printf("%s\n", id);
    }
out:
    xq_queue_free(q);
    xq_request_cleanup(&req);
    xq_buf_cleanup(&json);
    xq_config_cleanup(&cfg);
    return rc;
}
