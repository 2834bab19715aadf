/*
 * main.c - exportqctl: the operator's command line over libexportq.  This
 * file only dispatches; each subcommand is a cmd_<name>.c.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(void);
    const char *summary;
} commands[] = {
    {"export", xq_ctl_export, xq_ctl_export_usage,
     "run one export directly (no queue, no web server)"},
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
