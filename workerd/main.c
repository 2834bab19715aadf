/*
 * main.c - exportq-workerd: arguments, configuration, pid file, then the
 * supervisor.  Exit codes: 0 after a clean stop, 1 for a configuration or
 * start-up error (one line on stderr), 2 for bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "workerd.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: exportq-workerd [--foreground] [--daemon] [--pidfile FILE] [--config FILE]\n"
            "       exportq-workerd --help | --version\n\n"
            "Runs EXPORT_MAX_CONCURRENT_JOBS export workers, a reaper and a purger.\n"
            "  --foreground     stay attached (default; for systemd and ./dev)\n"
            "  --daemon         detach from the terminal (use with --pidfile)\n"
            "  --pidfile FILE   write and lock FILE with the supervisor's pid\n"
            "  --config FILE    configuration file (default: $EXPORTQ_CONFIG or %s)\n"
            "Signals: TERM/INT stop (jobs finish within EXPORT_SHUTDOWN_GRACE_S or go back\n"
            "to the queue), HUP re-reads the configuration and restarts the children.\n\n"
            "Configuration keys (file KEY=value lines, each overridable by the environment):\n",
            XQ_CONFIG_DEFAULT_PATH);
    xq_config_print_help(out);
}

/* Create and lock the pid file; the fd stays open (and locked) until exit. */
static int open_pidfile(const char *path)
{
    char line[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int n;

    if (fd < 0) {
        fprintf(stderr, "exportq-workerd: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "exportq-workerd: %s: another exportq-workerd holds it\n", path);
        close(fd);
        return -1;
    }
    n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, line, (size_t)n) != n) {
        fprintf(stderr, "exportq-workerd: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int daemonize(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0)
        return -1;
    /* stderr stays: the log goes there (redirect it when starting us) */
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"foreground", no_argument, NULL, 'f'}, {"daemon", no_argument, NULL, 'd'},
        {"pidfile", required_argument, NULL, 'p'}, {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *pidfile = NULL, *config_path = NULL;
    int daemon_mode = 0, c, rc, pidfd = -1;
    xq_config cfg;
    xq_err err;

    while ((c = getopt_long(argc, argv, "fdp:c:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'f': daemon_mode = 0; break;
        case 'd': daemon_mode = 1; break;
        case 'p': pidfile = optarg; break;
        case 'c': config_path = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("exportq-workerd %s\n", PACKAGE_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "exportq-workerd: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    xq_log_init("exportq-workerd", "supervisor");
    xq_err_clear(&err);
    memset(&cfg, 0, sizeof(cfg)); /* xq_config_load() initialises it */
    if (xq_config_load(&cfg, config_path, &err) != XQ_OK) {
        fprintf(stderr, "exportq-workerd: %s\n", err.msg[0] ? err.msg : "out of memory");
        xq_config_cleanup(&cfg);
        return 1;
    }
    xq_log_set_level((xq_log_level)cfg.log_level);
    /* a relative --config would break after chdir("/") and on SIGHUP */
    if (daemon_mode && config_path != NULL && config_path[0] != '/') {
        fprintf(stderr, "exportq-workerd: --config must be an absolute path with --daemon\n");
        xq_config_cleanup(&cfg);
        return 2;
    }
    if (daemon_mode && daemonize() != 0) {
        fprintf(stderr, "exportq-workerd: cannot detach: %s\n", strerror(errno));
        xq_config_cleanup(&cfg);
        return 1;
    }
    if (pidfile != NULL && (pidfd = open_pidfile(pidfile)) < 0) {
        xq_config_cleanup(&cfg);
        return 1;
    }
    rc = xq_supervisor_run(&cfg, config_path, pidfd);
    if (pidfd >= 0) {
        unlink(pidfile);
        close(pidfd);
    }
    xq_config_cleanup(&cfg);
    return rc;
}
