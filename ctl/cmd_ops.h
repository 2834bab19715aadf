/*
 * cmd_ops.h - the operator subcommands of exportqctl (queue administration,
 * purge, token, check-config), listed in main.c's table and run by
 * xq_ctl_run() (runner.h).  Each returns the process exit code documented
 * in exportqctl(1) and ctlout.h: 0 ok, 1 operational failure, 2 usage or
 * configuration error, 3 not found, 4 conflict.
 */
#ifndef XQ_CMD_OPS_H
#define XQ_CMD_OPS_H

#include "runner.h"

/* cmd_queue.c */
extern const xq_ctl_cmd xq_ctl_cmd_stats;
extern const xq_ctl_cmd xq_ctl_cmd_jobs;
extern const xq_ctl_cmd xq_ctl_cmd_show;
extern const xq_ctl_cmd xq_ctl_cmd_retry;
extern const xq_ctl_cmd xq_ctl_cmd_cancel;
extern const xq_ctl_cmd xq_ctl_cmd_remove;
extern const xq_ctl_cmd xq_ctl_cmd_pause;
extern const xq_ctl_cmd xq_ctl_cmd_resume;
extern const xq_ctl_cmd xq_ctl_cmd_clean;
/* cmd_workers.c, cmd_purge.c, cmd_token.c, cmd_config.c */
extern const xq_ctl_cmd xq_ctl_cmd_workers;
extern const xq_ctl_cmd xq_ctl_cmd_purge;
extern const xq_ctl_cmd xq_ctl_cmd_token;
extern const xq_ctl_cmd xq_ctl_cmd_check_config;

#endif
