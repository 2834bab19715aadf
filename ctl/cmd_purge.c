/*
 * cmd_purge.c - `exportqctl purge`: run one purge pass now, with the same
 * code exportq-workerd's purger runs on its interval (src/purge.h).  It does
 * not take the purger's cross-host lock: a pass is idempotent, and an
 * operator asking for one now should not wait for the interval lock.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd_ops.h"
#include "ctlout.h"
#include "purge.h"
#include "queue.h"

static const char purge_usage[] =
    "purge [--json] [--config FILE]";

void xq_ctl_purge_usage(void)
{
    printf("usage: exportqctl %s\n", purge_usage);
}

int xq_ctl_purge(int argc, char **argv)
{
    const char *usage = purge_usage;
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *config = NULL;
    int json = 0, c, rc;
    xq_config cfg;
    xq_queue *q = NULL;
    xq_purge_stats st;
    xq_err err;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "jc:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'c':
            config = optarg;
            break;
        case 'h':
            printf("usage: exportqctl %s\n", usage);
            return 0;
        default:
            return xq_ctl_usage(argv[0], usage, "unknown option '%.64s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return xq_ctl_usage(argv[0], usage, "unexpected argument '%.64s'", argv[optind]);
    rc = xq_ctl_load_config(argv[0], config, &cfg);
    if (rc != 0)
        return rc;
    xq_err_clear(&err);
    if (xq_queue_new(&cfg, &q, &err) != XQ_OK ||
        xq_purge_run(q, &cfg, xq_ctl_now_ms(), &st, &err) != XQ_OK) {
        rc = xq_ctl_fail(argv[0], &err);
        goto out;
    }
    if (json) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "filesExpired", json_object_new_int64(st.files_expired));
        json_object_object_add(o, "jobsTrimmed", json_object_new_int64(st.jobs_trimmed));
        json_object_object_add(o, "filesDeleted", json_object_new_int64(st.files_deleted));
        json_object_object_add(o, "orphansDeleted", json_object_new_int64(st.orphans_deleted));
        json_object_object_add(o, "errors", json_object_new_int64(st.errors));
        xq_ctl_json_print(stdout, o);
        json_object_put(o);
    } else {
        printf("files expired    %lld\njobs trimmed     %lld\nfiles deleted    %lld\n"
               "orphans deleted  %lld\nerrors           %lld\n",
               st.files_expired, st.jobs_trimmed, st.files_deleted, st.orphans_deleted,
               st.errors);
    }
    /* Files that could not be deleted are an operational failure to look at. */
    if (st.errors > 0) {
        fprintf(stderr, "exportqctl: purge: %lld file(s) could not be deleted; see the log "
                        "lines above\n", st.errors);
        rc = XQ_CTL_EXIT_FAIL;
    }
out:
    xq_queue_free(q);
    xq_config_cleanup(&cfg);
    return rc;
}
