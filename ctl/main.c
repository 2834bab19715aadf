/*
 * main.c - exportqctl: the operator's command line over libexportq.  This
 * file only dispatches; each subcommand is an xq_ctl_cmd in a cmd_<noun>.c,
 * run by xq_ctl_run() (runner.c).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "cmd_ops.h"

/* In the order `exportqctl --help` lists them. */
static const xq_ctl_cmd *const commands[] = {
    &xq_ctl_cmd_export, &xq_ctl_cmd_stats,  &xq_ctl_cmd_jobs,    &xq_ctl_cmd_show,
    &xq_ctl_cmd_retry,  &xq_ctl_cmd_cancel, &xq_ctl_cmd_remove,  &xq_ctl_cmd_pause,
    &xq_ctl_cmd_resume, &xq_ctl_cmd_clean,  &xq_ctl_cmd_purge,   &xq_ctl_cmd_workers,
    &xq_ctl_cmd_token,  &xq_ctl_cmd_check_config,
};

#define NCOMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static void usage(FILE *out)
{
    int i;

    fprintf(out, "usage: exportqctl COMMAND [options]\n       exportqctl --version\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-13s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n`exportqctl COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    int i;

    if (argc < 2) {
        usage(stderr);
        return XQ_CTL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return XQ_CTL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("exportqctl %s\n", PACKAGE_VERSION);
        return XQ_CTL_EXIT_OK;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i]->name) == 0)
            return xq_ctl_run(commands[i], argc - 1, argv + 1);
    fprintf(stderr, "exportqctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return XQ_CTL_EXIT_USAGE;
}
