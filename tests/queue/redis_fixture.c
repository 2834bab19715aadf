/*
 * redis_fixture.c - see redis_fixture.h.  Only the process that started
 * redis-server ever signals it (forked test children inherit the exit
 * hook but not the right to use it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "redis_fixture.h"

static pid_t server_pid = -1;
static pid_t owner_pid = -1;
static int server_port;
static char dir[256];
static int hooks_set;

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void kill_server(void)
{
    if (server_pid > 0 && getpid() == owner_pid) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

static void on_signal(int sig)
{
    if (server_pid > 0 && getpid() == owner_pid)
        kill(server_pid, SIGKILL); /* async-signal-safe; no wait */
    signal(sig, SIG_DFL);
    raise(sig);
}

static int ping(void)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", server_port, tv);
    redisReply *r;
    int ok = 0;

    if (c != NULL && !c->err) {
        r = redisCommand(c, "PING");
        ok = r != NULL && r->type == REDIS_REPLY_STATUS;
        if (r != NULL)
            freeReplyObject(r);
    }
    if (c != NULL)
        redisFree(c);
    return ok;
}

static int spawn(void)
{
    char port[16], log[300];
    struct timespec ts = {0, 20 * 1000 * 1000};
    int i, fd, st;

    snprintf(port, sizeof(port), "%d", server_port);
    snprintf(log, sizeof(log), "%s/redis.log", dir);
    server_pid = fork();
    if (server_pid < 0)
        return -1;
    if (server_pid == 0) {
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
               "--dir", dir, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
               "--daemonize", "no", "--databases", "16", (char *)NULL);
        _exit(127);
    }
    owner_pid = getpid();
    for (i = 0; i < 250; i++) {
        if (ping())
            return 0;
        if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
            server_pid = -1;
            return -1;
        }
        nanosleep(&ts, NULL);
    }
    kill_server();
    return -1;
}

int xq_fixture_redis_start(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/xq-redis-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    if ((server_port = free_port()) <= 0)
        return -1;
    if (!hooks_set) {
        atexit(kill_server);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGABRT, on_signal);
        signal(SIGSEGV, on_signal);
        hooks_set = 1;
    }
    return spawn();
}

int xq_fixture_redis_stop(void)
{
    if (server_pid <= 0)
        return -1;
    kill_server();
    return 0;
}

int xq_fixture_redis_restart(void)
{
    if (xq_fixture_redis_stop() != 0)
        return -1;
    return spawn();
}

int xq_fixture_redis_port(void)
{
    return server_port;
}

const char *xq_fixture_redis_dir(void)
{
    return dir;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void xq_fixture_redis_cleanup(void)
{
    if (server_pid > 0 || dir[0] == '\0' || strncmp(dir, "/", 1) != 0)
        return;
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
