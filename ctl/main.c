/*
 * main.c - exportqctl: the operator's command line over libexportq.  This
 * file only dispatches; each subcommand is a cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "cmd_ops.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(void);
    const char *summary;
} commands[] = {
    {"export", xq_ctl_export, xq_ctl_export_usage,
     "run one export directly (no queue, no web server)"},
    {"stats", xq_ctl_stats, xq_ctl_stats_usage, "jobs per state, paused, live workers"},
    {"jobs", xq_ctl_jobs, xq_ctl_jobs_usage, "list jobs (of one state with --state)"},
    {"show", xq_ctl_show, xq_ctl_show_usage, "everything stored about one job"},
    {"retry", xq_ctl_retry, xq_ctl_retry_usage, "failed job back to waiting"},
    {"cancel", xq_ctl_cancel, xq_ctl_cancel_usage, "cancel a waiting or active job"},
    {"remove", xq_ctl_remove, xq_ctl_remove_usage, "remove a job in any state, and its file"},
    {"pause", xq_ctl_pause, xq_ctl_pause_usage, "stop dispatch on every host"},
    {"resume", xq_ctl_resume, xq_ctl_resume_usage, "restart dispatch"},
    {"clean", xq_ctl_clean, xq_ctl_clean_usage, "remove old jobs of one state"},
    {"purge", xq_ctl_purge, xq_ctl_purge_usage, "run one purge pass now"},
    {"workers", xq_ctl_workers, xq_ctl_workers_usage, "live workers on every host"},
    {"token", xq_ctl_token, xq_ctl_token_usage, "mint a token for a user (scripts)"},
    {"check-config", xq_ctl_check_config, xq_ctl_check_config_usage,
     "check a configuration file, print it with secrets hidden"},
};

#define NCOMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static void usage(FILE *out)
{
    int i;

    fprintf(out, "usage: exportqctl COMMAND [options]\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
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
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "exportqctl: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return XQ_CTL_EXIT_USAGE;
}
