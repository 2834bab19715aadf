/*
 * cmd_export.c - `exportqctl export`: one export straight from PostgreSQL
 * to a file through the same engine the workers use, with a progress bar
 * when stderr is a terminal.  For operators and the benchmarks.
 *
 * The request is built as the JSON body the API takes and validated by
 * xq_request_parse(), so the command accepts exactly what the API does.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "ctl.h"
#include "db.h"
#include "export.h"
#include "log.h"
#include "query.h"
#include "request.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void export_usage(void)
{
    printf("usage: exportqctl export --type T --format F --start YYYY-MM-DD --end YYYY-MM-DD\n"
           "                         [--user-id U] [--model-id M] [--provider P]\n"
           "                         [--timezone ZONE] [--csv-bom] [--no-formula-guard]\n"
           "                         [--job-id UUID] [--database-url URL] [--config FILE]\n"
           "                         [--quiet] [--progress-interval MS] [--progress-log]\n"
           "                         [--print-sql] -o FILE\n"
           "  T: user-breakdown | model-breakdown | provider-breakdown | raw-data\n"
           "  F: csv | json | excel\n"
           "DATABASE_URL comes from --database-url, the environment or the config file.\n"
           "--print-sql shows the SQL and its parameters instead of running it.\n"
           "--progress-interval: ms between progress calls (200; 0 every 512 rows; -1 none).\n"
           "--progress-log: print each call as \"progress SECONDS PERCENT ROWS ESTIMATE\".\n"
           "Ctrl-C cancels: the partial file is removed.  Exit 0 done, 1 failed, 2 usage.\n");
}

typedef struct bar {
    int tty;
    int drawn;
    int log;      /* --progress-log: one line per call, for tests and measurements */
    double t0;    /* CLOCK_MONOTONIC seconds at the start of the run */
} bar;

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_progress(void *ctx, long long done, long long est, int percent)
{
    bar *b = ctx;
    char line[128];
    int i, fill = percent / 4;

    if (b->log) {
        fprintf(stderr, "progress %.2f %d %lld %lld\n", mono_s() - b->t0, percent, done, est);
        fflush(stderr);
    } else if (b->tty) {
        for (i = 0; i < 25; i++)
            line[i] = i < fill ? '#' : '.';
        line[25] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %lld / %lld rows ", line, percent, done, est);
        b->drawn = 1;
    }
    return interrupted != 0;
}

static int add(json_object *o, const char *k, json_object *v)
{
    if (v == NULL)
        return -1;
    if (json_object_object_add(o, k, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static int export_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"type", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},
        {"start", required_argument, NULL, 's'},
        {"end", required_argument, NULL, 'e'},
        {"user-id", required_argument, NULL, 'u'},
        {"model-id", required_argument, NULL, 'm'},
        {"provider", required_argument, NULL, 'p'},
        {"timezone", required_argument, NULL, 'z'},
        {"csv-bom", no_argument, NULL, 'B'},
        {"no-formula-guard", no_argument, NULL, 'G'},
        {"job-id", required_argument, NULL, 'j'},
        {"database-url", required_argument, NULL, 'D'},
        {"config", required_argument, NULL, 'c'},
        {"xlsx-sheet-rows", required_argument, NULL, 'R'},
        {"quiet", no_argument, NULL, 'q'},
        {"print-sql", no_argument, NULL, 'S'},
        {"progress-interval", required_argument, NULL, 'I'},
        {"progress-log", no_argument, NULL, 'L'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    xq_config cfg;
    xq_export_request req;
    xq_field_errors fe;
    xq_export_opts opts;
    xq_export_result res;
    xq_db *db = NULL;
    xq_err err;
    json_object *body = NULL;
    const char *output = NULL, *job_id = NULL, *db_url = NULL, *config = NULL, *text;
    char dir[4096], *slash;
    const char *name;
    long sheet_rows = 0, interval = 200;
    int print_sql = 0;
    int c, quiet = 0, rc = XQ_CTL_EXIT_USAGE, i;
    bar pb = {0, 0, 0, 0};
    struct sigaction sa;
    xq_status st;

    xq_log_init("exportqctl", "export");
    xq_request_init(&req);
    if (xq_config_init(&cfg) != XQ_OK) {
        fprintf(stderr, "exportqctl: out of memory\n");
        return XQ_CTL_EXIT_FAIL;
    }
    if ((body = json_object_new_object()) == NULL)
        goto out;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:hq", longopts, NULL)) != -1) {
        int bad = 0;

        switch (c) {
        case 't': bad = add(body, "exportType", json_object_new_string(optarg)); break;
        case 'f': bad = add(body, "format", json_object_new_string(optarg)); break;
        case 's': bad = add(body, "startDate", json_object_new_string(optarg)); break;
        case 'e': bad = add(body, "endDate", json_object_new_string(optarg)); break;
        case 'u': bad = add(body, "userId", json_object_new_string(optarg)); break;
        case 'm': bad = add(body, "modelId", json_object_new_string(optarg)); break;
        case 'p': bad = add(body, "provider", json_object_new_string(optarg)); break;
        case 'z': bad = add(body, "timezone", json_object_new_string(optarg)); break;
        case 'B': bad = add(body, "csvBom", json_object_new_boolean(1)); break;
        case 'G': bad = add(body, "formulaGuard", json_object_new_boolean(0)); break;
        case 'j': job_id = optarg; break;
        case 'D': db_url = optarg; break;
        case 'c': config = optarg; break;
        case 'q': quiet = 1; break;
        case 'o': output = optarg; break;
        case 'S': print_sql = 1; break;
        case 'L': pb.log = 1; break;
        case 'I': {
            char *end;

            errno = 0;
            interval = strtol(optarg, &end, 10);
            if (errno || *end || interval < -1) {
                fprintf(stderr, "exportqctl export: --progress-interval: not a number >= -1\n");
                goto out;
            }
            break;
        }
        case 'R': {
            char *end;

            errno = 0;
            sheet_rows = strtol(optarg, &end, 10);
            if (errno || *end || sheet_rows < 1) {
                fprintf(stderr, "exportqctl export: --xlsx-sheet-rows: not a positive number\n");
                goto out;
            }
            break;
        }
        case 'h':
            export_usage();
            rc = XQ_CTL_EXIT_OK;
            goto out;
        default:
            export_usage();
            goto out;
        }
        if (bad) {
            fprintf(stderr, "exportqctl: out of memory\n");
            rc = XQ_CTL_EXIT_FAIL;
            goto out;
        }
    }
    if (optind != argc || output == NULL) {
        fprintf(stderr, "exportqctl export: %s\n",
                output == NULL ? "-o FILE is required" : "unexpected argument");
        goto out;
    }
    text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
    if (xq_request_parse(text, strlen(text), &req, &fe, &err) != XQ_OK) {
        fprintf(stderr, "exportqctl export: %s\n", err.msg);
        for (i = 0; i < fe.count; i++)
            fprintf(stderr, "  %s: %s\n", fe.e[i].field, fe.e[i].message);
        goto out;
    }
    if (print_sql) {
        xq_query q;

        if (xq_query_rows(&req, &q, &err) != XQ_OK) {
            fprintf(stderr, "exportqctl export: %s\n", err.msg);
            rc = XQ_CTL_EXIT_FAIL;
            goto out;
        }
        printf("%s\n", q.sql);
        for (i = 0; i < q.nparams; i++)
            printf("$%d = %s\n", i + 1, q.params[i]);
        rc = XQ_CTL_EXIT_OK;
        goto out;
    }
    rc = XQ_CTL_EXIT_FAIL;
    if (config != NULL || getenv("EXPORTQ_CONFIG") != NULL) {
        if (xq_config_parse_file(&cfg, config ? config : getenv("EXPORTQ_CONFIG"), &err) != XQ_OK) {
            fprintf(stderr, "exportqctl: %s\n", err.msg);
            goto out;
        }
    }
    if (xq_config_apply_env(&cfg, &err) != XQ_OK ||
        (db_url != NULL && xq_config_set(&cfg, "DATABASE_URL", db_url, &err) != XQ_OK)) {
        fprintf(stderr, "exportqctl: %s\n", err.msg);
        goto out;
    }
    if (cfg.database_url == NULL || cfg.database_url[0] == '\0') {
        fprintf(stderr, "exportqctl: DATABASE_URL is not set (--database-url, environment or "
                        "config file)\n");
        goto out;
    }
    if (strlen(output) >= sizeof(dir)) {
        fprintf(stderr, "exportqctl export: output path too long\n");
        goto out;
    }
    snprintf(dir, sizeof(dir), "%s", output);
    if ((slash = strrchr(dir, '/')) == NULL) {
        name = output;
        snprintf(dir, sizeof(dir), ".");
    } else {
        name = output + (slash - dir) + 1;
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    if ((st = xq_db_new(&cfg, "exportqctl", &db, &err)) != XQ_OK) {
        fprintf(stderr, "exportqctl: %s\n", err.msg);
        goto out;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    pb.tty = !quiet && isatty(STDERR_FILENO);
    pb.t0 = mono_s();

    memset(&opts, 0, sizeof(opts));
    opts.cfg = &cfg;
    opts.db = db;
    opts.req = &req;
    opts.job_id = job_id;
    opts.dir = dir;
    opts.file_name = name;
    opts.progress = interval >= 0 ? on_progress : NULL;
    opts.progress_ctx = &pb;
    opts.min_interval_ms = interval;
    opts.xlsx_sheet_rows = sheet_rows;
    st = xq_export_run(&opts, &res, &err);
    if (pb.drawn)
        fputc('\n', stderr);
    if (st != XQ_OK) {
        fprintf(stderr, "exportqctl export: %s (%s)\n", xq_export_user_message(st), err.msg);
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "%s: %lld rows, %lld bytes in %.2f s\n", output, res.rows, res.bytes,
                res.seconds);
    rc = XQ_CTL_EXIT_OK;
out:
    xq_db_free(db);
    json_object_put(body);
    xq_request_cleanup(&req);
    xq_config_cleanup(&cfg);
    return rc;
}

const xq_ctl_cmd xq_ctl_cmd_export = {
    .name = "export",
    .summary = "run one export directly (no queue, no web server)",
    .raw = export_main,
};
