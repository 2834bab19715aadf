/*
 * cmd_ops.h - the operator subcommands of exportqctl (queue administration,
 * purge, token, check-config), listed in main.c's table.  Each takes the
 * subcommand's own argv (argv[0] is its name, e.g. "stats") and returns the
 * process exit code documented in exportqctl(1) and ctlout.h: 0 ok,
 * 1 operational failure, 2 usage or configuration error, 3 not found,
 * 4 conflict.  xq_ctl_<name>_usage() prints the usage line to stdout.
 */
#ifndef XQ_CMD_OPS_H
#define XQ_CMD_OPS_H

int xq_ctl_stats(int argc, char **argv);
void xq_ctl_stats_usage(void);
int xq_ctl_jobs(int argc, char **argv);
void xq_ctl_jobs_usage(void);
int xq_ctl_show(int argc, char **argv);
void xq_ctl_show_usage(void);
int xq_ctl_retry(int argc, char **argv);
void xq_ctl_retry_usage(void);
int xq_ctl_cancel(int argc, char **argv);
void xq_ctl_cancel_usage(void);
int xq_ctl_remove(int argc, char **argv);
void xq_ctl_remove_usage(void);
int xq_ctl_pause(int argc, char **argv);
void xq_ctl_pause_usage(void);
int xq_ctl_resume(int argc, char **argv);
void xq_ctl_resume_usage(void);
int xq_ctl_clean(int argc, char **argv);
void xq_ctl_clean_usage(void);
int xq_ctl_workers(int argc, char **argv);
void xq_ctl_workers_usage(void);
int xq_ctl_purge(int argc, char **argv);
void xq_ctl_purge_usage(void);
int xq_ctl_token(int argc, char **argv);
void xq_ctl_token_usage(void);
int xq_ctl_check_config(int argc, char **argv);
void xq_ctl_check_config_usage(void);

#endif
