/*
 * runner.c - the shared option parser and command runner of exportqctl
 * (see runner.h).  Messages and exit codes are the ones every command gave
 * when each parsed its own options: "unknown option", "unexpected
 * argument", "expected one JOB id", usage on stdout for --help.
 */
#include <stdlib.h>
#include <string.h>

#include "ctlout.h"
#include "runner.h"

static const struct option common_longopts[] = {{"json", no_argument, NULL, 'j'},
                                                {"config", required_argument, NULL, 'c'},
                                                {"help", no_argument, NULL, 'h'},
                                                {NULL, 0, NULL, 0}};

void xq_ctl_print_usage(const xq_ctl_cmd *cmd)
{
    printf("usage: exportqctl %s\n", cmd->usage);
}

/* Options then positional arguments; 0 to go on, -1 after --help, else
 * the exit code of a usage error. */
static int parse(xq_ctl_ctx *ctx, int argc, char **argv)
{
    const xq_ctl_cmd *cmd = ctx->cmd;
    const char *usage = cmd->usage;
    int c, rc;

    optind = 0; /* GNU: full re-initialisation, the dispatcher may have used getopt */
    opterr = 0;
    while ((c = getopt_long(argc, argv, cmd->shortopts ? cmd->shortopts : "jc:h",
                            cmd->longopts ? cmd->longopts : common_longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            ctx->json = 1;
            break;
        case 'c':
            ctx->config = optarg;
            break;
        case 'h':
            xq_ctl_print_usage(cmd);
            return -1;
        case '?':
            return xq_ctl_usage(ctx->name, usage, "unknown option '%.64s'", argv[optind - 1]);
        default:
            if (cmd->option == NULL)
                return xq_ctl_usage(ctx->name, usage, "unknown option '%.64s'",
                                    argv[optind - 1]);
            rc = cmd->option(ctx, c, optarg);
            if (rc != 0)
                return rc;
        }
    }
    ctx->args = argv + optind;
    ctx->nargs = argc - optind;
    switch (cmd->args) {
    case XQ_CTL_ARGS_JOB:
        if (ctx->nargs != 1)
            return xq_ctl_usage(ctx->name, usage, "expected one JOB id");
        ctx->job_id = ctx->args[0];
        if (strlen(ctx->job_id) > XQ_JOB_ID_LEN || ctx->job_id[0] == '\0')
            return xq_ctl_usage(ctx->name, usage, "'%.64s' is not a job id", ctx->job_id);
        break;
    case XQ_CTL_ARGS_NONE:
        if (ctx->nargs != 0)
            return xq_ctl_usage(ctx->name, usage, "unexpected argument '%.64s'", ctx->args[0]);
        break;
    case XQ_CTL_ARGS_ANY:
        break;
    }
    return cmd->check != NULL ? cmd->check(ctx) : 0;
}

/* Load the configuration and open the queue as cmd->need says. */
static int open_needs(xq_ctl_ctx *ctx, int *have_cfg)
{
    xq_err err;
    int rc;

    if (!(ctx->cmd->need & XQ_CTL_NEED_CONFIG))
        return 0;
    rc = xq_ctl_load_config(ctx->name, ctx->config, &ctx->cfg);
    if (rc != 0)
        return rc;
    *have_cfg = 1;
    if ((ctx->cmd->need & XQ_CTL_NEED_QUEUE) != XQ_CTL_NEED_QUEUE)
        return 0;
    xq_err_clear(&err);
    if (xq_queue_new(&ctx->cfg, &ctx->q, &err) != XQ_OK)
        return xq_ctl_fail(ctx->name, &err);
    return 0;
}

int xq_ctl_run(const xq_ctl_cmd *cmd, int argc, char **argv)
{
    xq_ctl_ctx ctx;
    int rc, have_cfg = 0;

    if (cmd->raw != NULL)
        return cmd->raw(argc, argv);
    memset(&ctx, 0, sizeof(ctx));
    ctx.cmd = cmd;
    ctx.name = argv[0];
    if (cmd->opts_size > 0) {
        ctx.opts = calloc(1, cmd->opts_size);
        if (ctx.opts == NULL) {
            fprintf(stderr, "exportqctl: %s: out of memory\n", ctx.name);
            return XQ_CTL_EXIT_FAIL;
        }
        if (cmd->opts_init != NULL)
            memcpy(ctx.opts, cmd->opts_init, cmd->opts_size);
    }
    rc = parse(&ctx, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? XQ_CTL_EXIT_OK : rc;
        goto out;
    }
    rc = open_needs(&ctx, &have_cfg);
    if (rc == 0)
        rc = cmd->run(&ctx);
out:
    xq_queue_free(ctx.q);
    if (have_cfg)
        xq_config_cleanup(&ctx.cfg);
    free(ctx.opts);
    return rc;
}
