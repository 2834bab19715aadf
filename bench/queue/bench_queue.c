/*
 * bench_queue.c - throughput and wake-up latency of the queue (src/queue*.c)
 * against a running redis-server (bench/queue/run.sh starts one and prints
 * these figures beside redis-benchmark's trivial EVALSHA rate).
 *
 *   bench_queue PORT add|cycle CLIENTS JOBS_PER_CLIENT  -> "<jobs/s>"
 *   bench_queue PORT wake ROUNDS                        -> "<p50 us> <p99 us>"
 *
 * Each client is a forked process with its own connection.  The database
 * (REDIS_JOB_DB 5) is flushed first.  Not installed, not a test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "queue.h"

static xq_config cfg;

static long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int parse_pos(const char *s, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v <= 0 || v > 100000000)
        return -1;
    *out = v;
    return 0;
}

static int setup(const char *port)
{
    xq_err err;

    if (xq_config_init(&cfg) != XQ_OK ||
        xq_config_set(&cfg, "REDIS_PORT", port, &err) != XQ_OK ||
        xq_config_set(&cfg, "REDIS_JOB_DB", "5", &err) != XQ_OK ||
        xq_config_set(&cfg, "JWT_SECRET", "bench-secret-0123456789", &err) != XQ_OK ||
        xq_config_set(&cfg, "EXPORT_USER_MAX_PENDING", "1000000", &err) != XQ_OK ||
        xq_config_set(&cfg, "EXPORT_USER_RATE_PER_HOUR", "10000000", &err) != XQ_OK ||
        xq_config_set(&cfg, "EXPORT_USER_MAX_ACTIVE", "1000", &err) != XQ_OK) {
        fprintf(stderr, "bench: config failed\n");
        return -1;
    }
    return 0;
}

static int flush(void)
{
    xq_queue *q = NULL;
    redisReply *r = NULL;
    xq_err err;
    int rc = -1;

    if (xq_queue_new(&cfg, &q, &err) == XQ_OK &&
        xq_redis_cmd(xq_queue_redis(q), &r, &err, "FLUSHDB ASYNC") == XQ_OK) {
        freeReplyObject(r);
        rc = 0;
    } else {
        fprintf(stderr, "bench: %s\n", err.msg);
    }
    xq_queue_free(q);
    return rc;
}

static const char REQ[] = "{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\","
                          "\"exportType\":\"raw-data\",\"format\":\"csv\"}";

/* One client: n adds, or n add+claim+complete cycles. 0 on success. */
static int client(int idx, int cycle, long n)
{
    char owner[32], wid[32], id[XQ_JOB_ID_LEN + 1];
    char res[] = "{\"fileName\":\"bench.csv\",\"rowCount\":1,\"fileSize\":1,"
                 "\"completedAt\":1,\"expiresAt\":4102444800000}";
    xq_job_spec s = {owner, "", REQ, "raw-data", "csv", 5};
    xq_queue *q = NULL;
    xq_job *j = NULL;
    long long pos;
    long retry, i;
    xq_err err;

    snprintf(wid, sizeof(wid), "bench-%d", idx);
    if (xq_queue_new(&cfg, &q, &err) != XQ_OK)
        return 1;
    for (i = 0; i < n; i++) {
        snprintf(owner, sizeof(owner), "u%d-%ld", idx, i % 64);
        if (xq_queue_add(q, &s, id, &pos, &retry, &err) != XQ_OK)
            goto fail;
        if (!cycle)
            continue;
        if (xq_queue_claim(q, wid, 0, &j, &err) != XQ_OK)
            goto fail;
        if (j == NULL)
            continue; /* another client took it; it completes ours */
        if (xq_queue_complete(q, j->id, wid, res, 1, 1, &err) != XQ_OK)
            goto fail;
        xq_job_free(j);
        j = NULL;
    }
    xq_queue_free(q);
    return 0;
fail:
    fprintf(stderr, "bench client %d: %s\n", idx, err.msg);
    xq_job_free(j);
    xq_queue_free(q);
    return 1;
}

static int run_clients(int cycle, long clients, long n)
{
    pid_t *kids = calloc((size_t)clients, sizeof(pid_t));
    long long t0, t1;
    long k;
    int st, bad = 0;

    if (kids == NULL)
        return 1;
    t0 = now_us();
    for (k = 0; k < clients; k++) {
        if ((kids[k] = fork()) == 0)
            _exit(client((int)k, cycle, n));
    }
    for (k = 0; k < clients; k++)
        if (kids[k] < 0 || waitpid(kids[k], &st, 0) != kids[k] || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0)
            bad = 1;
    t1 = now_us();
    free(kids);
    if (bad)
        return 1;
    printf("%.0f\n", (double)(clients * n) * 1e6 / (double)(t1 - t0));
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

/* A blocked claimer wakes for each add: latency from add to claim return. */
static int run_wake(long rounds)
{
    long long *lat = calloc((size_t)rounds, sizeof(long long)), t_add, t_woke;
    int to_kid[2], from_kid[2], st, rc = 1;
    xq_queue *q = NULL;
    char id[XQ_JOB_ID_LEN + 1];
    xq_job_spec s = {"waker", "", REQ, "raw-data", "csv", 5};
    long long pos;
    long retry, r;
    struct timespec pause_ts = {0, 20 * 1000 * 1000};
    pid_t kid;
    xq_err err;

    if (lat == NULL || pipe(to_kid) != 0 || pipe(from_kid) != 0)
        return 1;
    if ((kid = fork()) == 0) {
        xq_job *j = NULL;

        if (xq_queue_new(&cfg, &q, &err) != XQ_OK)
            _exit(1);
        for (r = 0; r < rounds; r++) {
            if (xq_queue_claim(q, "waker-w", 10000, &j, &err) != XQ_OK || j == NULL)
                _exit(2);
            t_woke = now_us();
            xq_job_free(j);
            if (write(from_kid[1], &t_woke, sizeof(t_woke)) != sizeof(t_woke))
                _exit(3);
        }
        _exit(0);
    }
    if (xq_queue_new(&cfg, &q, &err) != XQ_OK)
        goto out;
    for (r = 0; r < rounds; r++) {
        nanosleep(&pause_ts, NULL); /* the claimer is blocked again */
        t_add = now_us();
        if (xq_queue_add(q, &s, id, &pos, &retry, &err) != XQ_OK)
            goto out;
        if (read(from_kid[0], &t_woke, sizeof(t_woke)) != sizeof(t_woke))
            goto out;
        lat[r] = t_woke - t_add;
    }
    qsort(lat, (size_t)rounds, sizeof(*lat), cmp_ll);
    printf("%lld %lld\n", lat[rounds / 2], lat[(rounds * 99) / 100]);
    rc = 0;
out:
    if (rc != 0)
        kill(kid, SIGTERM);
    waitpid(kid, &st, 0);
    xq_queue_free(q);
    free(lat);
    return rc;
}

int main(int argc, char **argv)
{
    long clients = 0, n = 0;

    if (argc < 4 || setup(argv[1]) != 0 || flush() != 0) {
        fprintf(stderr, "usage: bench_queue PORT add|cycle CLIENTS JOBS | PORT wake ROUNDS\n");
        return 2;
    }
    if (strcmp(argv[2], "wake") == 0 && parse_pos(argv[3], &n) == 0)
        return run_wake(n);
    if (argc == 5 && parse_pos(argv[3], &clients) == 0 && parse_pos(argv[4], &n) == 0 &&
        (strcmp(argv[2], "add") == 0 || strcmp(argv[2], "cycle") == 0))
        return run_clients(strcmp(argv[2], "cycle") == 0, clients, n);
    fprintf(stderr, "usage: bench_queue PORT add|cycle CLIENTS JOBS | PORT wake ROUNDS\n");
    return 2;
}
