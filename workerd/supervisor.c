/*
 * supervisor.c - forks and watches the workers, the reaper and the purger.
 *
 * Kept small on purpose: it holds no connection, parses nothing it receives,
 * and only forks, reaps, signals and sleeps.  Handlers set flags; the loop
 * blocks the signals it handles and waits in ppoll() with the original mask,
 * so a signal that arrives between two checks is never lost and the loop
 * never spins.  A child that dies is restarted after a delay that doubles
 * with every quick death (0.5 s up to 60 s), so a child that cannot start
 * never makes the supervisor fork in a tight loop.
 *
 * Also here: the small helpers every child uses after fork (signals,
 * PR_SET_PDEATHSIG, parent check, sleeping, ids).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "workerd.h"

#define XQ_SLOTS_MAX 258          /* 256 workers + reaper + purger */
#define RESTART_MIN_MS 500
#define RESTART_MAX_MS 60000
#define HEALTHY_RUN_MS 30000      /* a child that lived this long resets its backoff */
#define KILL_MARGIN_S 10          /* after the grace time, SIGKILL what is left */

volatile sig_atomic_t xq_wd_stop;

static volatile sig_atomic_t sup_term, sup_hup, sup_chld;
static pid_t wd_parent;

/* ---- helpers for children ---- */

static void on_child_stop(int sig)
{
    (void)sig;
    xq_wd_stop = 1;
}

void xq_wd_child_init(pid_t supervisor, const char *role)
{
    struct sigaction sa;
    sigset_t none;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_child_stop;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGHUP, &sa, NULL); /* the supervisor rolls us with SIGTERM */
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    wd_parent = supervisor;
    xq_wd_stop = 0;
    xq_log_set_role(role);
    /* SIGTERM when the supervisor dies, even by SIGKILL: we then hand our
     * job back like on a normal stop.  The check after it closes the race
     * where the supervisor died before prctl took effect. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        xq_log_errno(XQ_LOG_WARN, "prctl(PR_SET_PDEATHSIG)");
    if (getppid() != supervisor) {
        xq_log(XQ_LOG_WARN, "supervisor gone before start, exiting");
        exit(0);
    }
}

int xq_wd_parent_alive(void)
{
    return wd_parent == 0 || getppid() == wd_parent;
}

int xq_wd_should_stop(void)
{
    return xq_wd_stop || !xq_wd_parent_alive();
}

long long xq_wd_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long xq_wd_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void xq_wd_sleep_ms(long ms)
{
    long long end = xq_wd_mono_ms() + ms;
    long long left;

    /* in slices, so that a dead parent is noticed too; a signal ends
     * nanosleep early (EINTR) and the flag is checked at once */
    while (!xq_wd_should_stop() && (left = end - xq_wd_mono_ms()) > 0) {
        struct timespec ts;

        if (left > 200)
            left = 200;
        ts.tv_sec = left / 1000;
        ts.tv_nsec = (left % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
}

void xq_wd_worker_id(char *id, size_t idsz, char *host, size_t hostsz)
{
    unsigned char rnd[4] = {0};
    char h[64];
    size_t i;

    if (gethostname(h, sizeof(h)) != 0)
        snprintf(h, sizeof(h), "localhost");
    h[sizeof(h) - 1] = '\0';
    /* keep the id a safe token whatever the host name holds */
    for (i = 0; h[i] != '\0'; i++)
        if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
              (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.'))
            h[i] = '_';
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        long long t = xq_wd_mono_ms();

        memcpy(rnd, &t, sizeof(rnd));
    }
    snprintf(id, idsz, "%s:%ld:%02x%02x%02x%02x", h, (long)getpid(), rnd[0], rnd[1], rnd[2],
             rnd[3]);
    if (host != NULL)
        snprintf(host, hostsz, "%s", h);
}

/* ---- the supervisor ---- */

typedef enum { ROLE_WORKER, ROLE_REAPER, ROLE_PURGER } slot_role;

typedef struct slot {
    slot_role role;
    pid_t pid;               /* 0 when not running */
    int fails;               /* quick deaths in a row */
    int retiring;            /* sent SIGTERM for a config roll */
    long long started_ms;    /* monotonic */
    long long next_start_ms; /* monotonic; when an empty slot may start */
} slot;

static const char *role_name(slot_role r)
{
    return r == ROLE_WORKER ? "worker" : r == ROLE_REAPER ? "reaper" : "purger";
}

static void on_sup_signal(int sig)
{
    if (sig == SIGTERM || sig == SIGINT)
        sup_term = 1;
    else if (sig == SIGHUP)
        sup_hup = 1;
    else if (sig == SIGCHLD)
        sup_chld = 1;
}

static int pidfile_fd_global = -1;

static pid_t start_child(slot *s, const xq_config *cfg)
{
    pid_t me = getpid(), pid;
    int rc;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        xq_log_errno(XQ_LOG_ERROR, "fork %s", role_name(s->role));
        return -1;
    }
    if (pid > 0)
        return pid;
    /* child */
    if (pidfile_fd_global >= 0)
        close(pidfile_fd_global); /* the lock stays the supervisor's */
    xq_wd_child_init(me, role_name(s->role));
    switch (s->role) {
    case ROLE_WORKER: rc = xq_worker_main(cfg); break;
    case ROLE_REAPER: rc = xq_reaper_main(cfg); break;
    default: rc = xq_purger_main(cfg); break;
    }
    /* exit(), not _exit(): stdio was flushed before fork, so nothing of
     * the parent's is written twice, and leak checkers see the child end */
    exit(rc);
}

static void log_exit(const slot *s, pid_t pid, int status)
{
    char what[64];
    xq_log_level lvl = XQ_LOG_WARN;

    if (WIFEXITED(status)) {
        snprintf(what, sizeof(what), "exit status %d", WEXITSTATUS(status));
        if (WEXITSTATUS(status) == 0)
            lvl = XQ_LOG_INFO;
    } else if (WIFSIGNALED(status)) {
        snprintf(what, sizeof(what), "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else {
        snprintf(what, sizeof(what), "status 0x%x", (unsigned)status);
    }
    xq_log(lvl, "%s pid %ld ended: %s", role_name(s->role), (long)pid, what);
}

static void signal_all(slot *slots, int n, int sig)
{
    int i;

    for (i = 0; i < n; i++)
        if (slots[i].pid > 0)
            kill(slots[i].pid, sig);
}

static int live_children(const slot *slots, int n)
{
    int i, live = 0;

    for (i = 0; i < n; i++)
        live += slots[i].pid > 0;
    return live;
}

/* Reap every ended child and schedule its replacement. */
static void reap(slot *slots, int n, int stopping)
{
    pid_t pid;
    int status, i;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        long long now = xq_wd_mono_ms();

        for (i = 0; i < n && slots[i].pid != pid; i++)
            ;
        if (i == n)
            continue; /* not ours (cannot happen: we fork only slots) */
        log_exit(&slots[i], pid, status);
        slots[i].pid = 0;
        if (slots[i].retiring || stopping) {
            slots[i].retiring = 0;
            slots[i].fails = 0;
            slots[i].next_start_ms = now;
            continue;
        }
        if (now - slots[i].started_ms >= HEALTHY_RUN_MS)
            slots[i].fails = 0;
        {
            long long delay = RESTART_MIN_MS;
            int k;

            for (k = 0; k < slots[i].fails && delay < RESTART_MAX_MS; k++)
                delay *= 2;
            if (delay > RESTART_MAX_MS)
                delay = RESTART_MAX_MS;
            slots[i].fails++;
            slots[i].next_start_ms = now + delay;
            xq_log(XQ_LOG_INFO, "restarting %s in %lld ms", role_name(slots[i].role), delay);
        }
    }
}

/* Slots 0 and 1 are the reaper and the purger; workers follow. */
static int slot_count(const xq_config *cfg)
{
    long n = cfg->max_concurrent_jobs;

    if (n < 1)
        n = 1;
    if (n > XQ_SLOTS_MAX - 2)
        n = XQ_SLOTS_MAX - 2;
    return (int)n + 2;
}

static void reload(xq_config *cfg, const char *path, slot *slots, int *nslots)
{
    xq_config fresh;
    xq_err err;
    int i;

    xq_err_clear(&err);
    memset(&fresh, 0, sizeof(fresh)); /* xq_config_load() initialises it */
    if (xq_config_load(&fresh, path, &err) != XQ_OK) {
        xq_log(XQ_LOG_ERROR, "SIGHUP: new configuration refused, keeping the old one: %s",
               err.msg);
        xq_config_cleanup(&fresh);
        return;
    }
    xq_config_cleanup(cfg);
    *cfg = fresh;
    xq_log_set_level((xq_log_level)cfg->log_level);
    /* roll: every child stops (a worker after its job, within the grace
     * time) and its slot is refilled at once with the new configuration */
    for (i = 0; i < *nslots; i++) {
        if (slots[i].pid > 0) {
            slots[i].retiring = 1;
            kill(slots[i].pid, SIGTERM);
        }
    }
    /* more workers: new slots; fewer: the loop drops the extra slots once
     * their retiring children are reaped, and never refills them */
    for (i = slot_count(cfg); *nslots < i; (*nslots)++) {
        memset(&slots[*nslots], 0, sizeof(slots[*nslots]));
        slots[*nslots].role = ROLE_WORKER;
    }
    xq_log(XQ_LOG_INFO, "SIGHUP: configuration reloaded, rolling children (%ld workers)",
           cfg->max_concurrent_jobs);
}

int xq_supervisor_run(xq_config *cfg, const char *config_path, int pidfile_fd)
{
    static slot slots[XQ_SLOTS_MAX];
    struct sigaction sa;
    sigset_t block, orig;
    int nslots, want, i, stopping = 0;
    long long kill_at = 0;

    pidfile_fd_global = pidfile_fd;
    memset(slots, 0, sizeof(slots));
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sup_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &orig);

    nslots = slot_count(cfg);
    slots[0].role = ROLE_REAPER;
    slots[1].role = ROLE_PURGER;
    for (i = 2; i < nslots; i++)
        slots[i].role = ROLE_WORKER;
    xq_log(XQ_LOG_INFO, "supervisor started: %ld workers, reaper, purger",
           cfg->max_concurrent_jobs);

    for (;;) {
        long long now, wake;
        struct timespec ts;

        sup_chld = 0; /* informative: reap() looks whatever the flag says */
        reap(slots, nslots, stopping);
        if (sup_term && !stopping) {
            stopping = 1;
            kill_at = xq_wd_mono_ms() + (cfg->shutdown_grace_s + KILL_MARGIN_S) * 1000LL;
            xq_log(XQ_LOG_INFO, "stopping: %d children asked to finish (grace %ld s)",
                   live_children(slots, nslots), cfg->shutdown_grace_s);
            signal_all(slots, nslots, SIGTERM);
        }
        if (sup_hup) {
            sup_hup = 0;
            if (!stopping)
                reload(cfg, config_path, slots, &nslots);
        }
        if (stopping) {
            if (live_children(slots, nslots) == 0)
                break;
            if (xq_wd_mono_ms() >= kill_at) {
                xq_log(XQ_LOG_ERROR, "children still running after the grace time: SIGKILL");
                signal_all(slots, nslots, SIGKILL);
                kill_at = xq_wd_mono_ms() + 60000;
            }
        }
        /* shrink after a roll once the extra slots are empty */
        want = slot_count(cfg);
        while (nslots > want && slots[nslots - 1].pid == 0)
            nslots--;

        now = xq_wd_mono_ms();
        wake = now + 1000;
        for (i = 0; i < nslots && !stopping; i++) {
            if (slots[i].pid != 0 || i >= want)
                continue;
            if (slots[i].next_start_ms <= now) {
                pid_t pid = start_child(&slots[i], cfg);

                if (pid > 0) {
                    slots[i].pid = pid;
                    slots[i].started_ms = now;
                    xq_log(XQ_LOG_DEBUG, "%s started, pid %ld", role_name(slots[i].role),
                           (long)pid);
                } else {
                    slots[i].fails++;
                    slots[i].next_start_ms = now + RESTART_MAX_MS / 12;
                }
            }
            if (slots[i].pid == 0 && slots[i].next_start_ms < wake)
                wake = slots[i].next_start_ms;
        }
        if (stopping && kill_at < wake)
            wake = kill_at;
        /* the flags change only inside ppoll (signals are blocked elsewhere) */
        wake -= xq_wd_mono_ms();
        if (wake < 1)
            wake = 1;
        ts.tv_sec = wake / 1000;
        ts.tv_nsec = (wake % 1000) * 1000000L;
        /* signals are blocked everywhere but inside ppoll: none is missed */
        if (ppoll(NULL, 0, &ts, &orig) < 0 && errno != EINTR)
            xq_log_errno(XQ_LOG_WARN, "ppoll");
    }
    xq_log(XQ_LOG_INFO, "supervisor stopped: every child has exited");
    sigprocmask(SIG_SETMASK, &orig, NULL);
    return 0;
}
