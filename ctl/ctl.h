/*
 * ctl.h - exportqctl subcommands.  Each lives in its own cmd_<name>.c and
 * is listed in main.c's table; a command gets argv from its own name on
 * and returns the process exit code (0 ok, 1 failed, 2 usage).
 */
#ifndef XQ_CTL_H
#define XQ_CTL_H

#define XQ_CTL_EXIT_OK 0
#define XQ_CTL_EXIT_FAIL 1
#define XQ_CTL_EXIT_USAGE 2

int xq_ctl_export(int argc, char **argv);
void xq_ctl_export_usage(void);

#endif
