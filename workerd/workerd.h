/*
 * workerd.h - the parts of exportq-workerd and what they share.
 *
 * One supervisor process (supervisor.c) forks and watches its children:
 * EXPORT_MAX_CONCURRENT_JOBS workers (worker.c, with a lease keeper thread
 * from keeper.c), one reaper (reaper.c) and one purger (purger.c).  The
 * supervisor opens no Redis or PostgreSQL connection itself, so a child
 * starts with nothing inherited but the configuration.
 *
 * Signals: the supervisor and every child only set flags in their handlers.
 * A child's SIGTERM/SIGINT ask it to stop (a worker finishes or hands back
 * its job first); SIGHUP is the supervisor's alone.
 */
#ifndef XQ_WORKERD_H
#define XQ_WORKERD_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

#define XQ_WORKER_ID_MAX 128

/* Set by the child signal handler (SIGTERM/SIGINT); read by every loop. */
extern volatile sig_atomic_t xq_wd_stop;

/*
 * In a freshly forked child: reset the signal mask and handlers, ask the
 * kernel for SIGTERM when the supervisor dies (PR_SET_PDEATHSIG), and exit
 * at once when it is already gone.  role is a static string for the log.
 */
void xq_wd_child_init(pid_t supervisor, const char *role);

/* 1 while the supervisor that forked us lives (parent pid check). */
int xq_wd_parent_alive(void);

/* 1 when the process should stop: a stop signal or a dead supervisor. */
int xq_wd_should_stop(void);

/* Sleep ms milliseconds, returning early when the process should stop. */
void xq_wd_sleep_ms(long ms);

/* Milliseconds since the epoch (CLOCK_REALTIME) and a monotonic clock. */
long long xq_wd_now_ms(void);
long long xq_wd_mono_ms(void);

/* "<host>:<pid>:<8 hex random>"; host (out, hostsz) receives the host name. */
void xq_wd_worker_id(char *id, size_t idsz, char *host, size_t hostsz);

/* Each child role's body: returns the process exit code. cfg is borrowed. */
int xq_worker_main(const xq_config *cfg);
int xq_reaper_main(const xq_config *cfg);
int xq_purger_main(const xq_config *cfg);

/*
 * The supervisor: runs until SIGTERM/SIGINT and all children are gone, then
 * returns 0.  cfg is owned by the caller but replaced in place on SIGHUP
 * (a new config that fails to load is logged and the old one kept).
 * config_path may be NULL (EXPORTQ_CONFIG or the default path).
 */
int xq_supervisor_run(xq_config *cfg, const char *config_path, int pidfile_fd);

#endif
