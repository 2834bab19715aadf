/*
 * cmd_config.c - `exportqctl check-config [FILE]`: load a configuration the
 * way every exportq program does (file, then environment, then validation)
 * and either print the one-line error and exit 2, or print the effective
 * configuration with secrets hidden (xq_config_dump), so an operator can
 * check a file before a reload.  Also warns about an EXPORT_DIR that does
 * not exist or is not writable by the caller, which the programs would only
 * discover at the first export.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_ops.h"
#include "ctlout.h"

/* Turn the KEY=value lines of xq_config_dump into an object. New reference. */
static json_object *dump_json(const xq_config *cfg)
{
    json_object *o = json_object_new_object();
    char *mem = NULL, *line, *next, *eq;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);

    if (f == NULL || o == NULL) {
        if (f != NULL)
            fclose(f);
        return o;
    }
    xq_config_dump(cfg, f);
    fclose(f);
    for (line = mem; line != NULL && *line; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        json_object_object_add(o, line, json_object_new_string(eq + 1));
    }
    free(mem);
    return o;
}

/* Warnings about the environment the configuration names; returns their count. */
static int warn_dirs(const xq_config *cfg, json_object *warnings)
{
    struct stat sb;
    char msg[512];
    int n = 0;

    if (stat(cfg->export_dir, &sb) != 0) {
        snprintf(msg, sizeof(msg), "EXPORT_DIR %.300s: %s", cfg->export_dir, strerror(errno));
        n++;
    } else if (!S_ISDIR(sb.st_mode)) {
        snprintf(msg, sizeof(msg), "EXPORT_DIR %.300s: not a directory", cfg->export_dir);
        n++;
    } else if (access(cfg->export_dir, W_OK | X_OK) != 0) {
        snprintf(msg, sizeof(msg),
                 "EXPORT_DIR %.300s: not writable by this user (the workers' user must write it)",
                 cfg->export_dir);
        n++;
    }
    if (n > 0) {
        if (warnings != NULL)
            json_object_array_add(warnings, json_object_new_string(msg));
        else
            fprintf(stderr, "exportqctl: check-config: warning: %s\n", msg);
    }
    return n;
}

static const char check_config_usage[] =
    "check-config [FILE] [--json] [--quiet]";

static const struct option check_config_longopts[] = {{"json", no_argument, NULL, 'j'},
                                                      {"quiet", no_argument, NULL, 'q'},
                                                      {"config", required_argument, NULL, 'c'},
                                                      {"help", no_argument, NULL, 'h'},
                                                      {NULL, 0, NULL, 0}};

typedef struct {
    int quiet;
} copts;

/* The only own option is 'q' (--quiet). */
static int check_config_option(xq_ctl_ctx *ctx, int c, const char *arg)
{
    copts *o = ctx->opts;

    (void)c;
    (void)arg;
    o->quiet = 1;
    return 0;
}

/* FILE may come as the argument or as --config, not both. */
static int check_config_args(xq_ctl_ctx *ctx)
{
    if (ctx->nargs > 0) {
        if (ctx->config != NULL || ctx->nargs != 1)
            return xq_ctl_usage(ctx->name, check_config_usage, "give at most one FILE");
        ctx->config = ctx->args[0];
    }
    return 0;
}

static int check_config_run(xq_ctl_ctx *ctx)
{
    const char *path = ctx->config;
    int json = ctx->json, quiet = ((const copts *)ctx->opts)->quiet, rc = XQ_CTL_EXIT_OK;
    xq_config cfg;
    xq_err err;
    const char *shown;

    xq_err_clear(&err);
    if (xq_config_load(&cfg, path, &err) != XQ_OK) {
        fprintf(stderr, "exportqctl: check-config: %s\n", err.msg);
        if (json) {
            json_object *o = json_object_new_object();

            json_object_object_add(o, "ok", json_object_new_boolean(0));
            json_object_object_add(o, "error", json_object_new_string(err.msg));
            xq_ctl_json_print(stdout, o);
            json_object_put(o);
        }
        return XQ_CTL_EXIT_USAGE;
    }
    shown = cfg.source_path ? cfg.source_path : "(no file: defaults and environment)";
    if (json) {
        json_object *o = json_object_new_object(), *w = json_object_new_array();

        warn_dirs(&cfg, w);
        json_object_object_add(o, "ok", json_object_new_boolean(1));
        json_object_object_add(o, "source", json_object_new_string(shown));
        json_object_object_add(o, "warnings", w);
        json_object_object_add(o, "config", dump_json(&cfg));
        xq_ctl_json_print(stdout, o);
        json_object_put(o);
    } else {
        warn_dirs(&cfg, NULL);
        if (!quiet) {
            printf("# %s: ok\n", shown);
            xq_config_dump(&cfg, stdout);
        }
    }
    xq_config_cleanup(&cfg);
    return rc;
}

/* Loads the configuration itself (xq_config_load: its error is the output). */
const xq_ctl_cmd xq_ctl_cmd_check_config = {
    .name = "check-config",
    .summary = "check a configuration file, print it with secrets hidden",
    .usage = check_config_usage,
    .shortopts = "jqc:h",
    .longopts = check_config_longopts,
    .option = check_config_option,
    .args = XQ_CTL_ARGS_ANY,
    .check = check_config_args,
    .opts_size = sizeof(copts),
    .run = check_config_run,
};
