/*
 * runner.h - the one option parser and command runner of exportqctl.  Each
 * subcommand is a const xq_ctl_cmd (name, summary, usage line, the options
 * and positional arguments it takes, what it needs opened, its handler);
 * main.c lists them and xq_ctl_run() does what every command shares:
 * --json/-j, --config/-c FILE and --help/-h, the command's own options
 * through its option hook, the positional arguments, loading the
 * configuration and opening the queue, and freeing all of it afterwards.
 *
 * Ownership: descriptors and their strings are static; the context, its
 * opts block, configuration and queue belong to xq_ctl_run() and live only
 * during the handler's call.  Handlers return the process exit code
 * (ctlout.h); a usage error is xq_ctl_usage(ctx->name, ctx->cmd->usage, ...).
 */
#ifndef XQ_CTL_RUNNER_H
#define XQ_CTL_RUNNER_H

#include <getopt.h>
#include <stddef.h>

#include "config.h"
#include "queue.h"

/* Positional arguments a command takes. */
typedef enum {
    XQ_CTL_ARGS_NONE, /* any is "unexpected argument" */
    XQ_CTL_ARGS_JOB,  /* exactly one JOB id, in ctx->job_id */
    XQ_CTL_ARGS_ANY   /* the check hook judges ctx->args */
} xq_ctl_args;

/* What the runner opens before the handler (bit mask). */
#define XQ_CTL_NEED_CONFIG 0x01 /* ctx->cfg from --config / EXPORTQ_CONFIG */
#define XQ_CTL_NEED_QUEUE 0x03  /* ctx->q as well (implies the configuration) */

typedef struct xq_ctl_ctx xq_ctl_ctx;

typedef struct xq_ctl_cmd {
    const char *name;    /* as typed after exportqctl */
    const char *summary; /* one line for `exportqctl --help` */
    const char *usage;   /* after "usage: exportqctl " */
    /* Own options: getopt strings including the common "jc:h" and their
     * longopts; NULL for the common three only. */
    const char *shortopts;
    const struct option *longopts;
    /* Called for any option other than j, c, h; returns 0 or an exit code. */
    int (*option)(xq_ctl_ctx *ctx, int c, const char *arg);
    xq_ctl_args args;
    /* After the arguments, before anything is opened; 0 or an exit code. */
    int (*check)(xq_ctl_ctx *ctx);
    unsigned need;
    /* The command's own option block: opts_size bytes copied from opts_init
     * (NULL: zeroed) into ctx->opts before parsing. */
    size_t opts_size;
    const void *opts_init;
    int (*run)(xq_ctl_ctx *ctx);
    /* Set instead of all of the above by a command that parses its own argv
     * (export): gets argv from its own name on. */
    int (*raw)(int argc, char **argv);
} xq_ctl_cmd;

struct xq_ctl_ctx {
    const xq_ctl_cmd *cmd;
    const char *name;   /* argv[0]: the name as typed, for messages */
    int json;           /* --json given */
    const char *config; /* --config FILE, or NULL */
    char **args;        /* positional arguments (borrowed argv) */
    int nargs;
    const char *job_id; /* XQ_CTL_ARGS_JOB: the JOB given */
    void *opts;         /* the command's option block */
    xq_config cfg;      /* XQ_CTL_NEED_CONFIG */
    xq_queue *q;        /* XQ_CTL_NEED_QUEUE */
};

/* Run cmd on argv (argv[0] is the command's name); returns the exit code. */
int xq_ctl_run(const xq_ctl_cmd *cmd, int argc, char **argv);

/* Print "usage: exportqctl <usage>" to stdout. */
void xq_ctl_print_usage(const xq_ctl_cmd *cmd);

#endif
