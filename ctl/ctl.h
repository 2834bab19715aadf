/*
 * ctl.h - exportqctl's dispatcher exit codes and the export subcommand
 * (cmd_export.c), which parses its own argv (an xq_ctl_cmd with .raw set);
 * the operator subcommands are in cmd_ops.h.  A command returns the
 * process exit code (0 ok, 1 failed, 2 usage).
 */
#ifndef XQ_CTL_H
#define XQ_CTL_H

#include "runner.h"

#define XQ_CTL_EXIT_OK 0
#define XQ_CTL_EXIT_FAIL 1
#define XQ_CTL_EXIT_USAGE 2

extern const xq_ctl_cmd xq_ctl_cmd_export;

#endif
